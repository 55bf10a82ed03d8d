//! Accounts, users, sign-in and who may see what in an account.
use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::i18n::Locale;
use app::tr;
use app::views::{AccountSettings, FirstRunForm};
use serde::Serialize;

use std::sync::Arc;

use moka::future::Cache;

use super::store::AccountStore;
use crate::auth::login_limiter::LoginLimiter;
use crate::auth::setup_code::SetupCode;
use crate::auth::{api_token, password};
use crate::db::now_secs;
use crate::domain::{AccountName, Email, NewPassword, PersonName};
use crate::error::{ServiceError, ServiceResult};

/// The stores the [`AccountService`] uses.
#[derive(Clone)]
pub struct AccountStores {
    pub store: AccountStore,
    pub events: crate::cache_events::store::EventStore,
}

/// Users, accounts, memberships and sign-in. Holds only what those need: the accounts store, the
/// cache events it publishes, the sign-in limiter, the first-run setup code and the identity caches. Cheap to clone.
#[derive(Clone)]
pub struct AccountService {
    store: AccountStore,
    /// Where identity changes are published for the other instances.
    events: crate::cache_events::store::EventStore,
    login_limiter: LoginLimiter,
    setup_code: Arc<SetupCode>,
    identities: Identities,
}

/// Who a user or an API token is, cached for [`READ_TTL`](crate::cache::READ_TTL):
/// every request asks. Every write made here forgets what it touched; the time-to-live bounds
/// how long another instance's write stays unseen.
#[derive(Clone)]
struct Identities {
    /// user id → the user with their memberships and session epoch.
    users: Cache<i64, Arc<(CurrentUser, i64)>>,
    /// SHA-256 of an API access token → user id. Unknown tokens are not cached, so guessing
    /// cannot fill memory.
    tokens: Cache<String, i64>,
}

impl Identities {
    fn new() -> Self {
        Identities {
            users: crate::cache::cache(crate::cache::READ_TTL),
            tokens: crate::cache::cache(crate::cache::READ_TTL),
        }
    }
}

/// A request to create a user in an account (CLI, first run, demo). `Debug` hides the password.
#[derive(Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub account: String,
    pub role: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password", &app::redact::Secret(&self.password))
            .field("account", &self.account)
            .field("role", &self.role)
            .finish()
    }
}

/// What `users create` prints: the API token is shown once, here, and stored only as a digest.
/// `Debug` hides the token (only the JSON answer carries it).
#[derive(Clone, Serialize)]
pub struct CreatedUser {
    pub user_id: i64,
    pub account_id: i64,
    pub access_token: String,
}

fn already_claimed(l: Locale) -> ServiceError {
    AppError::Conflict(tr!(l, errors.accounts.already_claimed)).into()
}

impl std::fmt::Debug for CreatedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedUser")
            .field("user_id", &self.user_id)
            .field("account_id", &self.account_id)
            .field("access_token", &app::redact::Secret(&self.access_token))
            .finish()
    }
}

impl AccountService {
    /// The service over its stores; sign-in is limited by `login_limiter`.
    pub fn new(stores: AccountStores, login_limiter: LoginLimiter) -> Self {
        AccountService {
            store: stores.store,
            events: stores.events,
            login_limiter,
            setup_code: Arc::default(),
            identities: Identities::new(),
        }
    }

    /// Guards the first-run page with this code.
    pub fn with_setup_code(mut self, code: SetupCode) -> Self {
        self.setup_code = Arc::new(code);
        self
    }

    /// The first-run page's one-time code, while the instance has no user.
    pub fn setup_code(&self) -> &SetupCode {
        &self.setup_code
    }

    /// The accounts store (the CLI and the demo write users through it).
    pub fn store(&self) -> &AccountStore {
        &self.store
    }

    /// Creates a user and (if needed) their account in one transaction: nothing half-written.
    /// (The operator's CLI and the demo: messages in English.)
    pub async fn create_user(&self, input: NewUser) -> ServiceResult<CreatedUser> {
        self.create_user_when(input, false, Locale::en).await
    }

    /// Creates the user; with `only_first`, in the same transaction as the check that no user
    /// exists yet, so two simultaneous first runs make one administrator.
    async fn create_user_when(
        &self,
        input: NewUser,
        only_first: bool,
        l: Locale,
    ) -> ServiceResult<CreatedUser> {
        let email = Email::parse("email", &input.email, l)?;
        let name = PersonName::parse("name", &input.name, l)?;
        let pw = NewPassword::parse("password", &input.password, l)?;
        let account = AccountName::parse("account", &input.account, l)?;
        let role = Role::parse(input.role.trim())
            .ok_or_else(|| AppError::invalid("role", tr!(l, errors.accounts.role_invalid)))?;
        let hash = password::hash(pw.expose().to_string()).await;
        let token = api_token::generate();
        let now = now_secs();
        let mut tx = self.store.begin().await?;
        if only_first && self.store.count_for_update(&mut tx).await? > 0 {
            return Err(already_claimed(l));
        }
        let user_id = match self
            .store
            .insert_user(
                &mut tx,
                email.as_str(),
                name.as_str(),
                &hash,
                &api_token::digest(&token),
                now,
            )
            .await
        {
            Ok(id) => id,
            Err(e) => {
                let e = ServiceError::from(e);
                return Err(if e.is_unique_violation() {
                    AppError::invalid("email", tr!(l, errors.accounts.email_taken)).into()
                } else {
                    e
                });
            }
        };
        let account_id = self
            .store
            .find_or_create(&mut tx, account.as_str(), now)
            .await?;
        self.store
            .set_membership(&mut tx, account_id, user_id, role, now)
            .await?;
        tx.commit().await?;
        self.forget_identities_everywhere().await;
        Ok(CreatedUser {
            user_id,
            account_id,
            access_token: token,
        })
    }

    /// True while no user exists.
    pub async fn needs_first_run(&self) -> ServiceResult<bool> {
        Ok(self.store.count_users().await? == 0)
    }

    /// Creates the first administrator; refused once any user exists. Messages speak `l`.
    pub async fn create_first_admin(
        &self,
        form: FirstRunForm,
        l: Locale,
    ) -> ServiceResult<CurrentUser> {
        // Cheap early answer; the transaction below is what decides.
        if !self.needs_first_run().await? {
            return Err(already_claimed(l));
        }
        if !self.setup_code.matches(&form.setup_code) {
            return Err(
                AppError::invalid("setup_code", tr!(l, errors.accounts.setup_code_wrong)).into(),
            );
        }
        let created = self
            .create_user_when(
                NewUser {
                    email: form.email,
                    name: form.name,
                    password: form.password,
                    account: form.account_name,
                    role: "administrator".into(),
                },
                true,
                l,
            )
            .await?;
        self.setup_code.consume();
        self.user(created.user_id).await
    }

    /// The user with their memberships.
    pub async fn user(&self, user_id: i64) -> ServiceResult<CurrentUser> {
        self.cached_user(user_id)
            .await?
            .map(|u| u.0.clone())
            .ok_or_else(|| AppError::Unauthorized.into())
    }

    /// The user of a browser session signed in under `epoch` (sessions made before epochs were
    /// recorded count as 0); unauthorized once the user's epoch moved on (password changed,
    /// removed, disabled).
    pub async fn session_user(&self, user_id: i64, epoch: i64) -> ServiceResult<CurrentUser> {
        match self.cached_user(user_id).await? {
            Some(u) if u.1 == epoch => Ok(u.0.clone()),
            _ => Err(AppError::Unauthorized.into()),
        }
    }

    /// The epoch a new session of the user records (read fresh, not from the cache).
    pub async fn session_epoch(&self, user_id: i64) -> ServiceResult<i64> {
        self.store
            .session_epoch(user_id)
            .await?
            .ok_or_else(|| AppError::Unauthorized.into())
    }

    /// The user owning an API access token, if any.
    pub async fn user_by_api_token(&self, token: &str) -> ServiceResult<Option<CurrentUser>> {
        match self.cached_token_owner(&api_token::digest(token)).await? {
            Some(id) => Ok(self.cached_user(id).await?.map(|u| u.0.clone())),
            None => Ok(None),
        }
    }

    /// Checks e-mail and password, throttled per client and per e-mail. The answer does not say
    /// which of the two was wrong. Messages speak `l`.
    pub async fn sign_in(
        &self,
        email: &str,
        pw: &str,
        client: &str,
        l: Locale,
    ) -> ServiceResult<CurrentUser> {
        let normalized = email.trim().to_lowercase();
        if normalized.is_empty() {
            return Err(AppError::invalid("email", tr!(l, errors.accounts.enter_email)).into());
        }
        if pw.is_empty() {
            return Err(
                AppError::invalid("password", tr!(l, errors.accounts.enter_password)).into(),
            );
        }
        let incorrect = || -> ServiceError {
            AppError::invalid("password", tr!(l, errors.accounts.wrong_credentials)).into()
        };
        if pw.len() > 1024 || normalized.len() > 254 {
            return Err(incorrect());
        }
        self.login_limiter
            .check(client, &normalized)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let row = self.store.user_by_email(&normalized).await?;
        let phc = row
            .as_ref()
            .map(|r| r.password_hash.clone())
            .unwrap_or_else(|| password::decoy_hash().to_string());
        let ok = password::verify(pw.to_string(), phc).await;
        match row {
            Some(r) if ok => {
                tracing::info!(user_id = r.id, "signed in");
                self.user(r.id).await
            }
            _ => {
                tracing::info!("sign-in refused");
                Err(incorrect())
            }
        }
    }

    /// The account settings page: the account, the team (with pending invitations for
    /// administrators) and the user's own profile.
    pub async fn account_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<AccountSettings> {
        let your_role = role_in(user, account_id)?;
        let account_name = self
            .store
            .account_name(account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let members = self.team(account_id).await?;
        let invitations = match your_role {
            Role::Administrator => self.pending_invitations(account_id).await?,
            Role::Agent => Vec::new(),
        };
        Ok(AccountSettings {
            account_id,
            account_name,
            your_role,
            members,
            invitations,
            profile: self.profile(user).await?,
        })
    }
}

/// The user's role in `account_id`; another account's data is "not found" so ids don't leak.
pub fn role_in(user: &CurrentUser, account_id: i64) -> ServiceResult<Role> {
    user.role_in(account_id)
        .ok_or_else(|| AppError::NotFound.into())
}

/// Only administrators of the account may change it; others get 403 (members) or 404.
pub fn require_admin(user: &CurrentUser, account_id: i64) -> ServiceResult<()> {
    match role_in(user, account_id)? {
        Role::Administrator => Ok(()),
        Role::Agent => Err(AppError::Forbidden.into()),
    }
}

impl AccountService {
    /// Rotates the token of a signed-in user (by their e-mail, which is unique).
    pub async fn rotate_api_token(&self, email: &str) -> ServiceResult<secrecy::SecretString> {
        let token = super::api_tokens::rotate_by_email(&self.store, email)
            .await
            .map_err(|e| match e {
                super::api_tokens::TokenError::Db(e) => ServiceError::Db(e),
                other => ServiceError::Internal(other.to_string()),
            })?;
        self.forget_identities_everywhere().await;
        Ok(token)
    }

    /// The user with memberships, or `None` when there is no such user (not cached).
    async fn cached_user(&self, user_id: i64) -> ServiceResult<Option<Arc<(CurrentUser, i64)>>> {
        let load = async { Ok(self.store.current_user(user_id).await?.map(Arc::new)) };
        crate::cache::get_or_load(&self.identities.users, user_id, load).await
    }

    /// The user id owning the API token with this digest, if any.
    async fn cached_token_owner(&self, digest: &str) -> ServiceResult<Option<i64>> {
        let load = self.store.id_by_token_hash(digest);
        crate::cache::get_or_load(&self.identities.tokens, digest.to_owned(), load).await
    }

    /// Forgets users and tokens here and on the other instances on the database.
    pub(super) async fn forget_identities_everywhere(&self) {
        self.forget_identities();
        crate::cache_events::publish(&self.events, crate::cache_events::CacheEvent::Identities)
            .await;
    }

    /// Forgets what is cached about users and tokens in this instance (after a user or
    /// membership changed).
    pub fn forget_identities(&self) {
        self.identities.users.invalidate_all();
        self.identities.tokens.invalidate_all();
    }
}
