//! WhatsApp Cloud inboxes: who may see and change them, validation, and the setup service that
//! connects a new inbox to Meta.
use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::i18n::Locale;
use app::tr;
use serde::{Deserialize, Serialize};

use crate::cache::reads::ReadCaches;
use crate::db::now_secs;
use crate::error::{ServiceError, ServiceResult};
use crate::graph::AccessToken;
use crate::health::service::HealthService;
use crate::inboxes::access::InboxAccess;
use crate::inboxes::credentials::Credentials;
use crate::inboxes::store::{InboxRow, NewInboxRow};
use crate::webhooks::WebhookService;

pub use super::WHATSAPP_CLOUD;

/// How long saving a pasted token waits for Meta to prove it (the person pressed Save and waits).
pub const TOKEN_CHECK_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// How long creating an inbox, rotating its token or retrying its setup waits for the setup
/// before answering, unless `--setup-answer-within` says otherwise. Meta may hang for most of a
/// minute; the setup then goes on in the background and its outcome replaces [`SETUP_RUNNING`]
/// on the page. A person pressed a button: about a second, as for every page.
pub const SETUP_ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

/// The setup message when setup stopped on an internal error (details are in the log).
pub const SETUP_FAILED: &str = "Setup stopped on an internal error; use Retry setup.";

/// The setup message while a setup runs (stored, so every instance and page shows it).
pub const SETUP_RUNNING: &str =
    "Setup is still running: Meta is answering slowly. Reload the page to see the outcome; if this stays, use Retry setup.";

/// Where a setup stands, from the stored outcome: the one place that knows [`SETUP_RUNNING`] is
/// stored as text (the REST API answers that text as `setup_error`).
pub fn setup_status(setup_error: Option<&str>) -> app::views::SetupStatus {
    use app::views::SetupStatus;
    match setup_error {
        None => SetupStatus::Done,
        Some(SETUP_RUNNING) => SetupStatus::Running,
        Some(why) => SetupStatus::Failed(why.to_string()),
    }
}

/// A new inbox as an administrator enters it. `Debug` never shows the access token.
#[derive(Clone, Default, Deserialize)]
pub struct NewInbox {
    pub name: String,
    pub phone_number: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub api_key: String,
}

impl std::fmt::Debug for NewInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewInbox")
            .field("name", &self.name)
            .field("phone_number", &self.phone_number)
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("api_key", &app::redact::Secret(&self.api_key))
            .finish()
    }
}

/// Changes to an inbox; `None` leaves a field as it is. `Debug` never shows the access token.
#[derive(Clone, Default, Deserialize)]
pub struct InboxPatch {
    pub name: Option<String>,
    /// A new access token (rotation).
    pub api_key: Option<String>,
}

impl std::fmt::Debug for InboxPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxPatch")
            .field("name", &self.name)
            .field("api_key", &app::redact::OptSecret(&self.api_key))
            .finish()
    }
}

/// An inbox as the API and UI show it: never the token or the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxView {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub channel_type: String,
    pub phone_number: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub business_id: Option<String>,
    pub setup_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&InboxRow> for InboxView {
    fn from(r: &InboxRow) -> Self {
        InboxView {
            id: r.id,
            account_id: r.account_id,
            name: r.name.clone(),
            channel_type: r.channel_type.clone(),
            phone_number: r.phone_number.clone(),
            phone_number_id: r.phone_number_id.clone(),
            business_account_id: r.business_account_id.clone(),
            business_id: r.business_id.clone(),
            setup_error: r.setup_error.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn digits_id(field: &str, label: &str, raw: &str, l: Locale) -> Result<String, AppError> {
    let s = raw.trim();
    if s.len() < 5 || s.len() > 32 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            field,
            tr!(l, errors.inboxes.numeric_id, label = label),
        ));
    }
    Ok(s.to_string())
}

fn phone_number(raw: &str, l: Locale) -> Result<String, AppError> {
    let s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = s.strip_prefix('+').unwrap_or(&s);
    if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "phone_number",
            tr!(l, errors.inboxes.phone_number),
        ));
    }
    Ok(format!("+{digits}"))
}

fn api_key(raw: &str, l: Locale) -> Result<String, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::invalid(
            "api_key",
            tr!(l, errors.inboxes.token_required),
        ));
    }
    if s.len() > 2048 || s.chars().any(char::is_whitespace) {
        return Err(AppError::invalid(
            "api_key",
            tr!(l, errors.inboxes.token_malformed),
        ));
    }
    Ok(s.to_string())
}

fn inbox_name(raw: &str, l: Locale) -> Result<String, AppError> {
    crate::domain::PersonName::parse("name", raw, l)
        .map(|n| n.as_str().to_string())
        .map_err(|_| AppError::invalid("name", tr!(l, errors.inboxes.name_invalid)))
}

/// Inboxes, their members and their setup. Holds only what those need: the database, the Graph
/// client, the inboxes' credentials and access rule, the read caches, and the health and
/// webhook services (setup's first read, and the old-override cleanup). Cheap to clone.
#[derive(Clone)]
pub struct InboxService {
    inboxes: super::store::InboxStore,
    graph: crate::graph::GraphClient,
    credentials: Credentials,
    access: InboxAccess,
    reads: ReadCaches,
    health: HealthService,
    webhooks: WebhookService,
    answer_within: std::time::Duration,
}

impl InboxService {
    /// The inbox service over these dependencies.
    pub fn new(
        inboxes: crate::inboxes::store::InboxStore,
        graph: crate::graph::GraphClient,
        credentials: Credentials,
        access: InboxAccess,
        reads: ReadCaches,
        health: HealthService,
        webhooks: WebhookService,
    ) -> Self {
        InboxService {
            inboxes,
            graph,
            credentials,
            access,
            reads,
            health,
            webhooks,
            answer_within: SETUP_ANSWER_WITHIN,
        }
    }

    /// Waits this long for a setup before answering (see [`SETUP_ANSWER_WITHIN`]).
    pub fn answering_within(mut self, within: std::time::Duration) -> Self {
        self.answer_within = within;
        self
    }

    /// Only administrators of the account may change it; others get 403 (members) or 404.
    pub fn require_admin(&self, user: &CurrentUser, account_id: i64) -> ServiceResult<()> {
        match crate::accounts::service::role_in(user, account_id)? {
            Role::Administrator => Ok(()),
            Role::Agent => Err(AppError::Forbidden.into()),
        }
    }

    /// The inbox if the user may see it (see [`InboxAccess::inbox_for`](crate::inboxes::access::InboxAccess::inbox_for)).
    pub async fn inbox_for(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<InboxRow> {
        self.access.inbox_for(user, account_id, inbox_id).await
    }

    /// The inbox if it is a WhatsApp Cloud inbox, else a clear 400-style answer (in `l`).
    pub fn require_whatsapp_cloud(&self, row: &InboxRow, l: Locale) -> ServiceResult<()> {
        crate::inboxes::access::require_whatsapp_cloud(row, l)
    }

    /// The inboxes the user may see in the account.
    pub async fn list_inboxes(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<Vec<InboxView>> {
        let rows = self.inbox_rows(user, account_id).await?;
        Ok(rows.iter().map(InboxView::from).collect())
    }

    /// The stored rows of the inboxes the user may see (administrators: all; agents: theirs).
    pub async fn inbox_rows(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<Vec<InboxRow>> {
        let role = crate::accounts::service::role_in(user, account_id)?;
        let member = (role == Role::Agent).then_some(user.id);
        Ok(self.inboxes.list(account_id, member).await?)
    }

    /// Creates an inbox (administrators), then runs setup. A setup failure leaves the inbox saved
    /// with its `setup_error`, never half-created.
    pub async fn create_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        input: NewInbox,
    ) -> ServiceResult<InboxView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let l = user.locale;
        let name = inbox_name(&input.name, l)?;
        let phone = phone_number(&input.phone_number, l)?;
        let phone_id = digits_id(
            "phone_number_id",
            &tr!(l, errors.inboxes.phone_number_id),
            &input.phone_number_id,
            l,
        )?;
        let waba_id = digits_id(
            "business_account_id",
            &tr!(l, errors.inboxes.business_account_id),
            &input.business_account_id,
            l,
        )?;
        let token = api_key(&input.api_key, l)?;
        let verify_token = crate::auth::api_token::generate();
        let id = match self
            .inboxes
            .insert(
                NewInboxRow {
                    account_id,
                    name: &name,
                    phone_number: &phone,
                    phone_number_id: &phone_id,
                    business_account_id: &waba_id,
                    webhook_verify_token: &verify_token,
                },
                now_secs(),
                |id| self.credentials.seal(&token, id),
            )
            .await
        {
            Ok(id) => id,
            Err(e) => {
                let e = crate::error::ServiceError::from(e);
                return Err(if e.is_unique_violation() {
                    AppError::invalid("phone_number_id", tr!(l, errors.inboxes.duplicate)).into()
                } else {
                    e
                });
            }
        };
        tracing::info!(inbox_id = id, account_id, "inbox created");
        let row = self
            .inboxes
            .get(account_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let row = self.setup_within(row).await?;
        Ok(InboxView::from(&row))
    }

    /// Renames an inbox or rotates its token (administrators); a new token re-runs setup.
    pub async fn update_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        patch: InboxPatch,
    ) -> ServiceResult<InboxView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        let l = user.locale;
        let name = patch
            .name
            .as_deref()
            .map(|n| inbox_name(n, l))
            .transpose()?;
        let token = patch
            .api_key
            .as_deref()
            .map(|t| api_key(t, l))
            .transpose()?;
        if let Some(token) = &token {
            self.check_new_token(&row, token, l).await?;
        }
        let now = now_secs();
        if let Some(name) = &name {
            self.inboxes.set_name(row.id, name, now).await?;
        }
        if let Some(token) = &token {
            let sealed = self.credentials.seal(token, row.id);
            self.inboxes.set_access_token(row.id, &sealed, now).await?;
        }
        self.reads.forget_inbox(row.id).await;
        let mut row = self
            .inboxes
            .get(account_id, inbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if token.is_some() {
            row = self.setup_within(row).await?;
        }
        Ok(InboxView::from(&row))
    }

    /// Proves a pasted token before it replaces the stored one: it must read the number, and the
    /// inbox's WABA must list the number for it. Anything else leaves the stored token as it was:
    /// a refusal is a field error in Meta's words, no answer in time a 503. Messages speak `l`.
    async fn check_new_token(&self, row: &InboxRow, token: &str, l: Locale) -> ServiceResult<()> {
        let token = AccessToken::new(token);
        let check = async {
            self.graph
                .phone_number(&token, &row.phone_number_id)
                .await?;
            self.waba_lists_number(&token, row).await
        };
        let unchanged = tr!(l, errors.inboxes.token_unchanged);
        match tokio::time::timeout(TOKEN_CHECK_WITHIN, check).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(AppError::invalid(
                "api_key",
                tr!(
                    l,
                    errors.inboxes.token_not_listed,
                    waba = row.business_account_id,
                    number = row.phone_number_id,
                    unchanged = unchanged
                ),
            )
            .into()),
            Ok(Err(e)) if e.kind().is_retryable() => Err(AppError::Unavailable(tr!(
                l,
                errors.inboxes.token_check_failed,
                reason = e.user_message(),
                unchanged = unchanged
            ))
            .into()),
            Ok(Err(e)) => Err(AppError::invalid(
                "api_key",
                tr!(
                    l,
                    errors.inboxes.token_refused,
                    reason = e.user_message(),
                    unchanged = unchanged
                ),
            )
            .into()),
            Err(_) => Err(AppError::Unavailable(tr!(
                l,
                errors.inboxes.token_check_timeout,
                secs = TOKEN_CHECK_WITHIN.as_secs(),
                unchanged = unchanged
            ))
            .into()),
        }
    }

    /// Whether, for this token, the inbox's WABA lists the inbox's number. Reading the number
    /// proves only that the token may see it; a token manages it when its WABA lists it too
    /// (Meta gives no cheaper way to check). Setup and a pasted token are proven by this one rule.
    async fn waba_lists_number(
        &self,
        token: &AccessToken,
        row: &InboxRow,
    ) -> Result<bool, crate::graph::GraphError> {
        let listed = self
            .graph
            .phone_numbers(token, &row.business_account_id)
            .await?;
        Ok(listed
            .iter()
            .any(|n| n.id.as_deref() == Some(row.phone_number_id.as_str())))
    }

    /// Deletes an inbox (administrators).
    pub async fn delete_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<()> {
        crate::accounts::service::require_admin(user, account_id)?;
        self.inbox_for(user, account_id, inbox_id).await?;
        self.inboxes.delete(account_id, inbox_id).await?;
        self.reads.forget_inbox(inbox_id).await;
        self.health.invalidate_health(inbox_id).await;
        Ok(())
    }

    /// Adds (`replace = false`), replaces (`replace = true`) or removes members (administrators).
    /// Every user must belong to the account.
    pub async fn change_members(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        user_ids: &[i64],
        change: MemberChange,
    ) -> ServiceResult<Vec<i64>> {
        crate::accounts::service::require_admin(user, account_id)?;
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        let in_account = self.inboxes.account_user_ids(account_id).await?;
        if let Some(bad) = user_ids.iter().find(|u| !in_account.contains(u)) {
            return Err(AppError::invalid(
                "user_ids",
                tr!(user.locale, errors.inboxes.user_not_member, user_id = bad),
            )
            .into());
        }
        match change {
            MemberChange::Add => self.inboxes.set_members(row.id, user_ids, false).await?,
            MemberChange::Replace => self.inboxes.set_members(row.id, user_ids, true).await?,
            MemberChange::Remove => self.inboxes.remove_members(row.id, user_ids).await?,
        }
        self.reads.forget_inbox(row.id).await;
        Ok(self.inboxes.members(row.id).await?)
    }

    /// Member user ids of an inbox the user may see.
    pub async fn inbox_members(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<Vec<i64>> {
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        Ok(self.inboxes.members(row.id).await?)
    }

    /// The inbox's access token, opened (see [`Credentials::access_token`](crate::inboxes::credentials::Credentials::access_token)).
    pub fn access_token(&self, row: &InboxRow) -> ServiceResult<AccessToken> {
        self.credentials.access_token(row)
    }

    /// Connects the inbox to Meta: validate the token by reading the number, subscribe the app to
    /// the WABA, read the portfolio id. Greenlight never sets a webhook override (it would take
    /// the number's customer messages from the help desk); an override an earlier version set is
    /// removed once. The first failing step is saved as `setup_error` (in words); the inbox stays.
    pub async fn run_setup(&self, row: InboxRow) -> ServiceResult<InboxRow> {
        let mut proven = false;
        let result: Result<Option<(String, Option<String>)>, String> = async {
            // A token that does not open is this setup's failure, saved in words like the others.
            let token = self
                .access_token(&row)
                .map_err(|e| AppError::from(e).to_string())?;
            let step =
                |what: &str, e: crate::graph::GraphError| format!("{what}: {}", e.user_message());
            // The first health snapshot doubles as the token check.
            let first = self
                .health
                .read_health(&row, crate::health::service::source::SETUP)
                .await
                .map_err(|e| {
                    format!(
                        "Reading the number failed: {}",
                        app::error::AppError::from(e)
                    )
                })?;
            if let Err(f) = &first.read {
                return Err(format!("Reading the number failed: {}", f.message));
            }
            // The token read the number; it manages it only if the WABA it names lists it too.
            let listed = self
                .waba_lists_number(&token, &row)
                .await
                .map_err(|e| step("Listing the WhatsApp Business Account's numbers failed", e))?;
            if !listed {
                return Err(format!(
                    "The WhatsApp Business Account {} does not list the number {}: check both ids.",
                    row.business_account_id, row.phone_number_id
                ));
            }
            proven = true;
            self.graph
                .subscribe_app(&token, &row.business_account_id)
                .await
                .map_err(|e| {
                    step(
                        "Subscribing the app to the WhatsApp Business Account failed",
                        e,
                    )
                })?;
            // Not a setup failure: the number works either way, and the check is retried.
            if let Err(e) = self.webhooks.remove_own_override_once(&row, &token).await {
                tracing::warn!(inbox_id = row.id, error = %e, "checking for an old Greenlight webhook override failed");
            }
            let waba = self
                .graph
                .waba(&token, &row.business_account_id)
                .await
                .map_err(|e| step("Reading the WhatsApp Business Account failed", e))?;
            Ok(waba
                .owner_business_id
                .map(|id| (id, waba.owner_business_name)))
        }
        .await;
        let now = now_secs();
        self.inboxes
            .set_access_proven(row.id, proven.then_some(now))
            .await?;
        match &result {
            Ok(business) => {
                let business = business
                    .as_ref()
                    .map(|(id, name)| (id.as_str(), name.as_deref()));
                self.inboxes
                    .set_setup_result(row.id, business, None, now)
                    .await?;
                tracing::info!(inbox_id = row.id, "inbox setup complete");
            }
            Err(message) => {
                self.inboxes
                    .set_setup_result(row.id, None, Some(message), now)
                    .await?;
                tracing::warn!(inbox_id = row.id, %message, "inbox setup failed");
            }
        }
        self.reads.forget_inbox(row.id).await;
        Ok(self
            .inboxes
            .get(row.account_id, row.id)
            .await?
            .ok_or(AppError::NotFound)?)
    }

    /// Re-runs setup for an inbox (administrators): the "Retry setup" action.
    pub async fn retry_setup(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<InboxView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        Ok(InboxView::from(&self.setup_within(row).await?))
    }

    /// Runs setup, answering within the configured time ([`SETUP_ANSWER_WITHIN`] by default):
    /// the finished setup's row, or else the row marked [`SETUP_RUNNING`] while the setup goes on
    /// in the background. The mark is written before the setup starts, so a setup finishing at
    /// the deadline is never overwritten.
    async fn setup_within(&self, row: InboxRow) -> ServiceResult<InboxRow> {
        self.inboxes
            .set_setup_result(row.id, None, Some(SETUP_RUNNING), now_secs())
            .await?;
        self.reads.forget_inbox(row.id).await;
        let (inbox_id, account_id) = (row.id, row.account_id);
        let this = self.clone();
        let setup = tokio::spawn(async move {
            let result = this.run_setup(row).await;
            if let Err(e) = &result {
                // `run_setup` records its outcome itself; failing before that must not leave the
                // inbox marked as running.
                tracing::warn!(inbox_id, error = %e, "inbox setup failed");
                if let Err(e) = this
                    .inboxes
                    .set_setup_result(inbox_id, None, Some(SETUP_FAILED), now_secs())
                    .await
                {
                    tracing::warn!(inbox_id, error = %e, "recording the setup failure failed");
                }
                this.reads.forget_inbox(inbox_id).await;
            }
            result
        });
        match tokio::time::timeout(self.answer_within, setup).await {
            Ok(Ok(done)) => done,
            Ok(Err(join)) => Err(ServiceError::Internal(format!("inbox setup task: {join}"))),
            Err(_) => {
                tracing::info!(inbox_id, "inbox setup continues in the background");
                Ok(self
                    .inboxes
                    .get(account_id, inbox_id)
                    .await?
                    .ok_or(AppError::NotFound)?)
            }
        }
    }
}

/// How `change_members` changes the member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Add,
    Replace,
    Remove,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_setup_is_told_apart_from_a_failed_one_by_type() {
        use app::views::SetupStatus;
        assert_eq!(setup_status(None), SetupStatus::Done);
        assert_eq!(setup_status(Some(SETUP_RUNNING)), SetupStatus::Running);
        assert_eq!(
            setup_status(Some(SETUP_FAILED)),
            SetupStatus::Failed(SETUP_FAILED.into())
        );
        // The pages say it in the viewer's language, not in the stored English.
        let es = setup_status(Some(SETUP_RUNNING))
            .message(app::i18n::Locale::es)
            .unwrap();
        assert!(es.starts_with("La configuración sigue en curso"), "{es}");
    }

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        assert_eq!(
            phone_number("+1 (555) 123-4567", Locale::en).unwrap(),
            "+15551234567"
        );
        assert!(phone_number("12", Locale::en).is_err());
        assert!(phone_number("+1555abc4567", Locale::en).is_err());
    }

    #[test]
    fn ids_are_digits_and_tokens_have_no_spaces() {
        assert!(digits_id("phone_number_id", "x", "106540352242922", Locale::en).is_ok());
        assert_eq!(
            digits_id("phone_number_id", "x", "12ab5", Locale::en)
                .unwrap_err()
                .field(),
            Some("phone_number_id")
        );
        assert!(api_key("EAAG abc", Locale::en).is_err());
        assert!(api_key("", Locale::en).is_err());
    }

    #[test]
    fn an_empty_inbox_name_is_refused_on_its_field() {
        for blank in ["", "   "] {
            let e = inbox_name(blank, Locale::en).unwrap_err();
            assert_eq!((e.field(), e.http_status()), (Some("name"), 422));
        }
        let pt = inbox_name("", Locale::pt_BR).unwrap_err();
        assert_eq!(
            pt.to_string(),
            "O nome da caixa de entrada é obrigatório (no máximo 100 caracteres)."
        );
    }
}
