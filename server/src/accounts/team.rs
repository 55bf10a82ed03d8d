//! The team: invitations and password-reset links, roles, removal, disabling, renaming the
//! account, and each user's profile (name, password, locale).
//!
//! Every change that could leave an account without an administrator goes through
//! [`AccountService::change_member`], which checks and changes in one transaction.
use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::i18n::Locale as Lang;
use app::team::{
    InvitationView, LinkKind, Locale, MemberStatus, PendingInvitation, ProfileView, TeamMember,
};
use secrecy::SecretString;

use super::service::{require_admin, role_in, AccountService};
use super::team_store::{LinkRow, NewLink};
use crate::auth::{api_token, password};
use crate::db::now_secs;
use crate::domain::{AccountName, Email, NewPassword, PersonName};
use crate::error::{ServiceError, ServiceResult};
use app::tr;

/// How long a one-time link (invitation or password reset) works.
pub const LINK_LIFETIME_SECS: i64 = 72 * 3600;

/// Why a membership change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The change would leave an account without an administrator who can sign in.
    #[error("An account needs an administrator: make someone else an administrator first.")]
    LastAdministrator,
    #[error("That person is not a member of this account.")]
    NotAMember,
    #[error("No such account.")]
    NoSuchAccount,
    #[error("No user has the e-mail {0}.")]
    NoSuchUser(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<TeamError> for ServiceError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::LastAdministrator => AppError::Conflict(e.to_string()).into(),
            TeamError::NotAMember | TeamError::NoSuchAccount => AppError::NotFound.into(),
            TeamError::NoSuchUser(_) => AppError::invalid("email", e.to_string()).into(),
            TeamError::Db(e) => ServiceError::Db(e),
        }
    }
}

impl TeamError {
    /// The refusal for a reader of `l` (the `From` conversion speaks English, for the CLI).
    pub fn for_reader(self, l: Lang) -> ServiceError {
        match self {
            TeamError::LastAdministrator => {
                AppError::Conflict(tr!(l, errors.accounts.last_administrator)).into()
            }
            other => other.into(),
        }
    }
}

/// A change to someone's place in the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    /// Give the member this role in the account.
    SetRole { account_id: i64, role: Role },
    /// Take the member out of the account; their sessions and API token end. A user left in no
    /// account is deleted (their e-mail can be invited again).
    Remove { account_id: i64 },
    /// The user can no longer sign in anywhere; their sessions and API token stop working.
    Disable,
}

/// A new one-time link's token: shown once, stored only as a digest. `Debug` hides the token.
pub struct IssuedLink {
    pub id: i64,
    pub email: String,
    pub role: Option<Role>,
    pub token: SecretString,
    pub expires_at: i64,
}

impl std::fmt::Debug for IssuedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedLink")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The page a one-time link opens: `<public URL>/join?token=<token>`. In the query, not the path:
/// request logs name the path only, so the token stays out of them.
pub fn link_url(public_url: &url::Url, token: &str) -> String {
    let mut url = public_url
        .join("/join")
        .unwrap_or_else(|_| public_url.clone());
    url.set_query(None);
    url.query_pairs_mut().append_pair("token", token);
    url.to_string()
}

/// A profile change (`PATCH /api/v1/profile`, the profile form). `None` leaves a field as it is;
/// a new password needs the current one. `Debug` hides the passwords.
#[derive(Clone, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub locale: Option<String>,
    pub current_password: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for ProfilePatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfilePatch")
            .field("name", &self.name)
            .field("locale", &self.locale)
            .field(
                "current_password",
                &app::redact::OptSecret(&self.current_password),
            )
            .field("password", &app::redact::OptSecret(&self.password))
            .finish()
    }
}

/// What a profile change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileChanged {
    /// The password changed: the user's other sessions ended, and the door keeps the current one
    /// by stamping it with the new epoch.
    pub password_changed: bool,
}

/// A user as `greenlight users list` prints them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListedUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub status: MemberStatus,
    pub accounts: Vec<ListedMembership>,
}

/// One membership in `users list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListedMembership {
    pub account_id: i64,
    pub account_name: String,
    pub role: String,
}

fn status_of(disabled_at: Option<i64>) -> MemberStatus {
    match disabled_at {
        Some(_) => MemberStatus::Disabled,
        None => MemberStatus::Active,
    }
}

fn link_refused(l: Lang) -> ServiceError {
    AppError::invalid("token", tr!(l, errors.accounts.link_refused)).into()
}

fn parse_role(raw: &str, l: Lang) -> ServiceResult<Role> {
    Role::parse(raw.trim())
        .ok_or_else(|| AppError::invalid("role", tr!(l, errors.accounts.role_invalid)).into())
}

/// Whether a link row can still be used at `now`.
fn usable(link: &LinkRow, now: i64) -> bool {
    link.used_at.is_none() && link.expires_at > now
}

impl AccountService {
    /// The one place membership changes happen: locks the accounts involved, refuses a change
    /// that would leave one of them without an active administrator, applies it, in one
    /// transaction (so two administrators demoting each other at once leave one).
    pub async fn change_member(&self, user_id: i64, change: MemberChange) -> Result<(), TeamError> {
        let store = self.store();
        let now = now_secs();
        let mut tx = store.begin().await?;
        let outcome: Result<(), TeamError> = async {
            let losing_admin: Vec<i64> = match change {
                MemberChange::SetRole { account_id, .. } | MemberChange::Remove { account_id } => {
                    if !store.lock_account(&mut tx, account_id).await? {
                        return Err(TeamError::NoSuchAccount);
                    }
                    let role = store
                        .member_role(&mut tx, account_id, user_id)
                        .await?
                        .ok_or(TeamError::NotAMember)?;
                    let demotes = !matches!(
                        change,
                        MemberChange::SetRole {
                            role: Role::Administrator,
                            ..
                        }
                    );
                    if role == Role::Administrator.as_str() && demotes {
                        vec![account_id]
                    } else {
                        vec![]
                    }
                }
                MemberChange::Disable => {
                    // Lock, then read again: an account where the user became an administrator
                    // between the read and the locks (another instance promoting them) is locked
                    // and checked too, not skipped.
                    let mut locked: Vec<i64> = Vec::new();
                    loop {
                        let accounts = store.admin_accounts_of(&mut tx, user_id).await?;
                        let unlocked: Vec<i64> = accounts
                            .iter()
                            .copied()
                            .filter(|a| !locked.contains(a))
                            .collect();
                        if unlocked.is_empty() {
                            break accounts;
                        }
                        for account_id in unlocked {
                            store.lock_account(&mut tx, account_id).await?;
                            locked.push(account_id);
                        }
                    }
                }
            };
            for account_id in losing_admin {
                if store
                    .other_active_admins(&mut tx, account_id, user_id)
                    .await?
                    == 0
                {
                    return Err(TeamError::LastAdministrator);
                }
            }
            match change {
                MemberChange::SetRole { account_id, role } => {
                    store
                        .update_role(&mut tx, account_id, user_id, role)
                        .await?;
                }
                MemberChange::Remove { account_id } => {
                    let left = store
                        .delete_membership(&mut tx, account_id, user_id)
                        .await?;
                    if left == 0 {
                        store.delete_user(&mut tx, user_id).await?;
                    } else {
                        let revoked = format!("revoked:{}", api_token::generate());
                        store.end_sessions(&mut tx, user_id, Some(&revoked)).await?;
                    }
                }
                MemberChange::Disable => store.disable_user(&mut tx, user_id, now).await?,
            }
            Ok(())
        }
        .await;
        if let Err(refused) = outcome {
            // Release the locks now: a dropped transaction is rolled back only when its
            // connection is next used, and until then SQLite refuses the next writer at once
            // ("database is locked") instead of letting it wait.
            if let Err(e) = tx.rollback().await {
                tracing::warn!(error = %e, "rolling back a refused team change failed");
            }
            return Err(refused);
        }
        tx.commit().await?;
        self.forget_identities_everywhere().await;
        tracing::info!(user_id, ?change, "team member changed");
        Ok(())
    }

    /// The account's members with their status, administrators first.
    pub async fn team(&self, account_id: i64) -> ServiceResult<Vec<TeamMember>> {
        Ok(self
            .store()
            .team(account_id)
            .await?
            .into_iter()
            .filter_map(|m| {
                Role::parse(&m.role).map(|role| TeamMember {
                    user_id: m.user_id,
                    name: m.name,
                    email: m.email,
                    role,
                    status: status_of(m.disabled_at),
                })
            })
            .collect())
    }

    /// The team, for a member of the account.
    pub async fn list_members(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<Vec<TeamMember>> {
        role_in(user, account_id)?;
        self.team(account_id).await
    }

    /// Invitations into the account still waiting.
    pub async fn pending_invitations(
        &self,
        account_id: i64,
    ) -> ServiceResult<Vec<PendingInvitation>> {
        Ok(self
            .store()
            .pending_invitations(account_id, now_secs())
            .await?
            .into_iter()
            .filter_map(|l| {
                let role = Role::parse(l.role.as_deref()?)?;
                Some(PendingInvitation {
                    id: l.id,
                    email: l.email,
                    role,
                    expires_at: l.expires_at,
                })
            })
            .collect())
    }

    /// Administrators invite someone by e-mail with a role: a one-time link valid
    /// [`LINK_LIFETIME_SECS`]. A newer invitation of the same address replaces an older one.
    pub async fn invite(
        &self,
        user: &CurrentUser,
        account_id: i64,
        email: &str,
        role: &str,
    ) -> ServiceResult<IssuedLink> {
        require_admin(user, account_id)?;
        let l = user.locale;
        let email = Email::parse("email", email, l)?;
        let role = parse_role(role, l)?;
        if self
            .store()
            .user_id_by_email(email.as_str())
            .await?
            .is_some()
        {
            return Err(AppError::invalid(
                "email",
                tr!(l, errors.accounts.email_taken_in_greenlight),
            )
            .into());
        }
        self.issue_link(
            LinkKind::Invite,
            Some(account_id),
            None,
            &email,
            Some(role),
            Some(user.id),
        )
        .await
    }

    /// A password-reset link for the user with this e-mail (the operator's
    /// `users reset-password`).
    pub async fn reset_link(&self, email: &str) -> ServiceResult<IssuedLink> {
        let email = Email::parse("email", email, Lang::en)?;
        let user_id = self
            .store()
            .user_id_by_email(email.as_str())
            .await?
            .ok_or_else(|| TeamError::NoSuchUser(email.as_str().to_owned()))?;
        self.issue_link(LinkKind::Reset, None, Some(user_id), &email, None, None)
            .await
    }

    async fn issue_link(
        &self,
        kind: LinkKind,
        account_id: Option<i64>,
        user_id: Option<i64>,
        email: &Email,
        role: Option<Role>,
        invited_by: Option<i64>,
    ) -> ServiceResult<IssuedLink> {
        let token = api_token::generate();
        let now = now_secs();
        let expires_at = now + LINK_LIFETIME_SECS;
        let id = self
            .store()
            .insert_link(NewLink {
                kind: kind_str(kind),
                account_id,
                user_id,
                email: email.as_str(),
                role,
                token_hash: &api_token::digest(&token),
                invited_by,
                created_at: now,
                expires_at,
            })
            .await?;
        tracing::info!(link_id = id, ?kind, ?account_id, "one-time link issued");
        Ok(IssuedLink {
            id,
            email: email.as_str().to_owned(),
            role,
            token: SecretString::from(token),
            expires_at,
        })
    }

    /// What a one-time link is for, while it can be used (public: the link is the credential).
    /// Messages speak `l`.
    pub async fn link(&self, token: &str, l: Lang) -> ServiceResult<InvitationView> {
        self.link_at(token, now_secs(), l).await
    }

    async fn link_at(&self, token: &str, now: i64, l: Lang) -> ServiceResult<InvitationView> {
        let link = self
            .store()
            .link_by_hash(&api_token::digest(token.trim()))
            .await?
            .filter(|link| usable(link, now))
            .ok_or_else(|| link_refused(l))?;
        let (kind, account_name, name) = match link.kind.as_str() {
            "invite" => {
                let account = match link.account_id {
                    Some(id) => self.store().account_name(id).await?,
                    None => None,
                };
                (LinkKind::Invite, account.unwrap_or_default(), String::new())
            }
            _ => {
                let name = match link.user_id {
                    Some(id) => self.store().user_name(id).await?,
                    None => None,
                };
                (LinkKind::Reset, String::new(), name.unwrap_or_default())
            }
        };
        Ok(InvitationView {
            kind,
            email: link.email,
            account_name,
            name,
        })
    }

    /// Uses a one-time link: an invitation creates the user (name and password as given) in the
    /// account with the invited role; a reset sets the password and ends the user's sessions.
    /// Answers the user, whom the door signs in. The form is checked before the link is used, so
    /// a mistake does not spend it. Messages speak `l`.
    pub async fn accept_link(
        &self,
        token: &str,
        name: &str,
        new_password: &str,
        l: Lang,
    ) -> ServiceResult<CurrentUser> {
        self.accept_link_at(token, name, new_password, now_secs(), l)
            .await
    }

    async fn accept_link_at(
        &self,
        token: &str,
        name: &str,
        new_password: &str,
        now: i64,
        l: Lang,
    ) -> ServiceResult<CurrentUser> {
        let digest = api_token::digest(token.trim());
        let preview = self
            .store()
            .link_by_hash(&digest)
            .await?
            .filter(|link| usable(link, now))
            .ok_or_else(|| link_refused(l))?;
        let name = match preview.kind.as_str() {
            "invite" => Some(PersonName::parse("name", name, l)?),
            _ => None,
        };
        let pw = NewPassword::parse("password", new_password, l)?;
        let hash = password::hash(pw.expose().to_string()).await;
        let store = self.store();
        let mut tx = store.begin().await?;
        let link = store
            .use_link(&mut tx, &digest, now)
            .await?
            .ok_or_else(|| link_refused(l))?;
        let user_id = match (link.kind.as_str(), link.account_id, link.user_id) {
            ("invite", Some(account_id), _) => {
                let role = link
                    .role
                    .as_deref()
                    .and_then(Role::parse)
                    .unwrap_or(Role::Agent);
                let name = name.ok_or_else(|| link_refused(l))?;
                let api = api_token::digest(&api_token::generate());
                let user_id = match store
                    .insert_user(&mut tx, &link.email, name.as_str(), &hash, &api, now)
                    .await
                {
                    Ok(id) => id,
                    Err(e) => {
                        let e = ServiceError::from(e);
                        return Err(if e.is_unique_violation() {
                            AppError::invalid("email", tr!(l, errors.accounts.email_taken_sign_in))
                                .into()
                        } else {
                            e
                        });
                    }
                };
                store
                    .set_membership(&mut tx, account_id, user_id, role, now)
                    .await?;
                user_id
            }
            ("reset", _, Some(user_id)) => {
                store
                    .set_password_ending_sessions(&mut tx, user_id, &hash)
                    .await?;
                user_id
            }
            _ => return Err(link_refused(l)),
        };
        tx.commit().await?;
        self.forget_identities_everywhere().await;
        tracing::info!(user_id, kind = %link.kind, "one-time link used");
        self.user(user_id).await
    }

    /// Administrators change a member's role; the last administrator cannot be demoted.
    pub async fn set_member_role(
        &self,
        user: &CurrentUser,
        account_id: i64,
        member_id: i64,
        role: &str,
    ) -> ServiceResult<TeamMember> {
        require_admin(user, account_id)?;
        let role = parse_role(role, user.locale)?;
        self.change_member(member_id, MemberChange::SetRole { account_id, role })
            .await
            .map_err(|e| e.for_reader(user.locale))?;
        self.team(account_id)
            .await?
            .into_iter()
            .find(|m| m.user_id == member_id)
            .ok_or_else(|| AppError::NotFound.into())
    }

    /// Administrators remove a member: their sessions and API token end at once; the last
    /// administrator cannot be removed.
    pub async fn remove_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        member_id: i64,
    ) -> ServiceResult<()> {
        require_admin(user, account_id)?;
        self.change_member(member_id, MemberChange::Remove { account_id })
            .await
            .map_err(|e| e.for_reader(user.locale))
    }

    /// Administrators rename the account.
    pub async fn rename_account(
        &self,
        user: &CurrentUser,
        account_id: i64,
        name: &str,
    ) -> ServiceResult<()> {
        require_admin(user, account_id)?;
        let name = AccountName::parse("name", name, user.locale)?;
        if !self
            .store()
            .rename_account(account_id, name.as_str())
            .await?
        {
            return Err(AppError::NotFound.into());
        }
        self.forget_identities_everywhere().await;
        Ok(())
    }

    /// The user's own profile.
    pub async fn profile(&self, user: &CurrentUser) -> ServiceResult<ProfileView> {
        let (_, locale, chosen) = self
            .store()
            .password_and_locale(user.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let chosen = chosen != 0;
        Ok(ProfileView {
            user_id: user.id,
            name: user.name.clone(),
            email: user.email.clone(),
            // Not chosen: the language this request's pages speak.
            locale: match chosen {
                true => Locale::parse(&locale).unwrap_or_default(),
                false => Locale::from_ui(user.locale),
            },
            locale_chosen: chosen,
        })
    }

    /// Changes the user's name, locale and/or password. A new password needs the current one and
    /// ends the user's sessions (the door keeps the current one); nothing changes when any field is
    /// invalid.
    pub async fn update_profile(
        &self,
        user: &CurrentUser,
        patch: ProfilePatch,
    ) -> ServiceResult<ProfileChanged> {
        let lang = user.locale;
        let name = match patch.name.as_deref() {
            Some(n) => Some(PersonName::parse("name", n, lang)?),
            None => None,
        };
        // `auto`: follow the browser's language again.
        let locale = match patch.locale.as_deref().map(str::trim) {
            Some("auto") => Some(None),
            Some(l) => Some(Some(Locale::parse(l).ok_or_else(|| {
                AppError::invalid("locale", tr!(lang, errors.accounts.locale_invalid))
            })?)),
            None => None,
        };
        let new_password = match patch.password.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(NewPassword::parse("password", p, lang)?),
            None => None,
        };
        if let Some(pw) = &new_password {
            let current = patch.current_password.as_deref().unwrap_or_default();
            if current.is_empty() {
                return Err(AppError::invalid(
                    "current_password",
                    tr!(lang, errors.accounts.current_password_required),
                )
                .into());
            }
            let (phc, _, _) = self
                .store()
                .password_and_locale(user.id)
                .await?
                .ok_or(AppError::Unauthorized)?;
            if !password::verify(current.to_owned(), phc).await {
                return Err(AppError::invalid(
                    "current_password",
                    tr!(lang, errors.accounts.current_password_wrong),
                )
                .into());
            }
            let hash = password::hash(pw.expose().to_string()).await;
            let mut tx = self.store().begin().await?;
            self.store()
                .set_password_ending_sessions(&mut tx, user.id, &hash)
                .await?;
            tx.commit().await?;
        }
        if name.is_some() || locale.is_some() {
            self.store()
                .update_profile(
                    user.id,
                    name.as_ref().map(PersonName::as_str),
                    locale.map(|l| l.map(Locale::as_str)),
                )
                .await?;
        }
        self.forget_identities_everywhere().await;
        Ok(ProfileChanged {
            password_changed: new_password.is_some(),
        })
    }

    /// Every user with their memberships (the operator's `users list`).
    pub async fn list_users(&self) -> ServiceResult<Vec<ListedUser>> {
        let mut out: Vec<ListedUser> = Vec::new();
        for row in self.store().all_users().await? {
            if out.last().is_none_or(|u| u.id != row.user_id) {
                out.push(ListedUser {
                    id: row.user_id,
                    email: row.email.clone(),
                    name: row.name.clone(),
                    status: status_of(row.disabled_at),
                    accounts: Vec::new(),
                });
            }
            if let (Some(account_id), Some(account_name), Some(role), Some(last)) =
                (row.account_id, row.account_name, row.role, out.last_mut())
            {
                last.accounts.push(ListedMembership {
                    account_id,
                    account_name,
                    role,
                });
            }
        }
        Ok(out)
    }

    /// The operator sets a role by e-mail; `account_id` may be left out when the user belongs
    /// to one account.
    pub async fn set_role_by_email(
        &self,
        email: &str,
        account_id: Option<i64>,
        role: &str,
    ) -> ServiceResult<()> {
        let role = parse_role(role, Lang::en)?;
        let user_id = self.user_id_by_email(email).await?;
        let account_id = match account_id {
            Some(id) => id,
            None => self.only_account_of(user_id).await?,
        };
        Ok(self
            .change_member(user_id, MemberChange::SetRole { account_id, role })
            .await?)
    }

    /// The operator disables a user by e-mail (not the last administrator of an account).
    pub async fn disable_by_email(&self, email: &str) -> ServiceResult<()> {
        let user_id = self.user_id_by_email(email).await?;
        Ok(self.change_member(user_id, MemberChange::Disable).await?)
    }

    async fn user_id_by_email(&self, email: &str) -> ServiceResult<i64> {
        let email = email.trim().to_lowercase();
        Ok(self
            .store()
            .user_id_by_email(&email)
            .await?
            .ok_or(TeamError::NoSuchUser(email))?)
    }

    async fn only_account_of(&self, user_id: i64) -> ServiceResult<i64> {
        let accounts = self
            .store()
            .current_user(user_id)
            .await?
            .map(|(u, _)| u.accounts)
            .unwrap_or_default();
        match accounts.as_slice() {
            [only] => Ok(only.account_id),
            [] => Err(AppError::invalid("email", "That user belongs to no account.").into()),
            _ => Err(AppError::invalid(
                "account",
                "That user belongs to several accounts: name one with --account-id.",
            )
            .into()),
        }
    }
}

fn kind_str(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Invite => "invite",
        LinkKind::Reset => "reset",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::service::NewUser;
    use crate::auth::login_limiter::LoginLimiter;

    async fn service() -> (tempfile::TempDir, AccountService) {
        let (dir, db) = crate::registration::test_db::open().await;
        let stores = crate::services::stores::Stores::new(&db);
        (
            dir,
            AccountService::new(stores.account_service(), LoginLimiter::default()),
        )
    }

    async fn user(s: &AccountService, email: &str, role: &str) -> CurrentUser {
        let created = s
            .create_user(NewUser {
                email: email.into(),
                name: "Someone".into(),
                password: "a long enough password".into(),
                account: "Acme".into(),
                role: role.into(),
            })
            .await
            .unwrap();
        s.user(created.user_id).await.unwrap()
    }

    fn account(u: &CurrentUser) -> i64 {
        u.accounts[0].account_id
    }

    #[tokio::test]
    async fn the_last_administrator_can_be_neither_demoted_removed_nor_disabled() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let acc = account(&ada);
        let demote = MemberChange::SetRole {
            account_id: acc,
            role: Role::Agent,
        };
        for change in [
            demote,
            MemberChange::Remove { account_id: acc },
            MemberChange::Disable,
        ] {
            let answer = s.change_member(ada.id, change).await;
            assert!(
                matches!(answer, Err(TeamError::LastAdministrator)),
                "{change:?}: {answer:?}"
            );
        }
        // With a second administrator, the first may step down; then the second is the last.
        let bob = user(&s, "bob@example.com", "administrator").await;
        s.change_member(ada.id, demote).await.unwrap();
        assert!(matches!(
            s.change_member(bob.id, MemberChange::Remove { account_id: acc })
                .await,
            Err(TeamError::LastAdministrator)
        ));
        assert_eq!(
            s.user(ada.id).await.unwrap().role_in(acc),
            Some(Role::Agent)
        );
    }

    #[tokio::test]
    async fn a_disabled_administrator_does_not_count_as_the_other_one() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let bob = user(&s, "bob@example.com", "administrator").await;
        s.change_member(bob.id, MemberChange::Disable)
            .await
            .unwrap();
        let demote = MemberChange::SetRole {
            account_id: account(&ada),
            role: Role::Agent,
        };
        assert!(matches!(
            s.change_member(ada.id, demote).await,
            Err(TeamError::LastAdministrator)
        ));
        // The disabled user cannot be resolved any more (sessions and tokens stop).
        assert!(s.user(bob.id).await.is_err());
    }

    #[tokio::test]
    async fn two_admins_demoting_each_other_at_once_leave_one() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let bob = user(&s, "bob@example.com", "administrator").await;
        let acc = account(&ada);
        let demote = MemberChange::SetRole {
            account_id: acc,
            role: Role::Agent,
        };
        let (a, b) = tokio::join!(
            s.change_member(ada.id, demote),
            s.change_member(bob.id, demote)
        );
        assert_eq!(
            [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{a:?} {b:?}"
        );
        let admins = s
            .team(acc)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == Role::Administrator)
            .count();
        assert_eq!(admins, 1);
    }

    #[tokio::test]
    async fn an_invitation_works_once_and_not_after_72_hours() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let acc = account(&ada);
        let link = s
            .invite(&ada, acc, "Cy@Example.com", "agent")
            .await
            .unwrap();
        let token = secrecy::ExposeSecret::expose_secret(&link.token).to_owned();
        assert_eq!(link.email, "cy@example.com");

        // Expired: one second past 72 h, both showing and accepting refuse.
        let late = link.expires_at;
        assert!(s.link_at(&token, late, Lang::en).await.is_err());
        assert!(s
            .accept_link_at(&token, "Cy", "another long password", late, Lang::en)
            .await
            .is_err());

        // A bad password does not spend the link.
        assert!(s
            .accept_link_at(&token, "Cy", "short", late - 1, Lang::en)
            .await
            .is_err());
        let view = s.link_at(&token, late - 1, Lang::en).await.unwrap();
        assert_eq!(view.account_name, "Acme");
        let cy = s
            .accept_link_at(&token, "Cy", "another long password", late - 1, Lang::en)
            .await
            .unwrap();
        assert_eq!(cy.role_in(acc), Some(Role::Agent));
        assert_eq!(cy.name, "Cy");

        // Used: refused the second time.
        assert!(s
            .accept_link_at(
                &token,
                "Mallory",
                "another long password",
                late - 1,
                Lang::en
            )
            .await
            .is_err());
        assert!(s.link_at(&token, late - 1, Lang::en).await.is_err());
    }

    #[tokio::test]
    async fn a_newer_invitation_replaces_the_older_and_agents_cannot_invite() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let acc = account(&ada);
        let first = s
            .invite(&ada, acc, "cy@example.com", "agent")
            .await
            .unwrap();
        let second = s
            .invite(&ada, acc, "cy@example.com", "administrator")
            .await
            .unwrap();
        use secrecy::ExposeSecret;
        assert!(s.link(first.token.expose_secret(), Lang::en).await.is_err());
        assert!(s.link(second.token.expose_secret(), Lang::en).await.is_ok());
        assert_eq!(s.pending_invitations(acc).await.unwrap().len(), 1);
        let agent = user(&s, "ag@example.com", "agent").await;
        assert!(matches!(
            s.invite(&agent, acc, "eve@example.com", "agent").await,
            Err(ServiceError::App(AppError::Forbidden))
        ));
        assert!(s
            .invite(&ada, acc, "ag@example.com", "agent")
            .await
            .is_err());
    }

    #[tokio::test]
    async fn a_password_change_needs_the_current_one_and_moves_the_epoch() {
        let (_dir, s) = service().await;
        let ada = user(&s, "ada@example.com", "administrator").await;
        let before = s.session_epoch(ada.id).await.unwrap();
        let wrong = ProfilePatch {
            current_password: Some("not it at all".into()),
            password: Some("a brand new password".into()),
            ..Default::default()
        };
        assert!(s.update_profile(&ada, wrong).await.is_err());
        assert_eq!(s.session_epoch(ada.id).await.unwrap(), before);
        let right = ProfilePatch {
            current_password: Some("a long enough password".into()),
            password: Some("a brand new password".into()),
            locale: Some("pt-BR".into()),
            ..Default::default()
        };
        assert!(
            s.update_profile(&ada, right)
                .await
                .unwrap()
                .password_changed
        );
        assert_eq!(s.session_epoch(ada.id).await.unwrap(), before + 1);
        assert!(s.session_user(ada.id, before).await.is_err());
        assert!(s.session_user(ada.id, before + 1).await.is_ok());
        assert_eq!(s.profile(&ada).await.unwrap().locale, Locale::PtBr);
        let bad_locale = ProfilePatch {
            locale: Some("fr".into()),
            ..Default::default()
        };
        assert!(s.update_profile(&ada, bad_locale).await.is_err());
    }
}
