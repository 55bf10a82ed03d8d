//! The port: what the UI needs from the server's services. `app` declares it, `server` implements it
//! and provides it to Leptos with `provide_context`, so `app` never depends on `server`.
use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::health::{HealthView, HistoryPoint};
use crate::views::{
    AccountSettings, FirstRunForm, InboxForm, InboxOverview, InboxSettingsView, RegistrationResult,
};

/// The operations the UI performs, each taking the signed-in user where it matters.
/// Every rule (who may see what) lives behind this trait, in the server's services.
#[async_trait]
pub trait GreenlightPort: Send + Sync + 'static {
    /// True when this server runs `--demo` (a simulated Meta).
    fn is_demo(&self) -> bool;
    /// True while no user exists: only then may the first-run page create an administrator.
    async fn needs_first_run(&self) -> Result<bool, AppError>;
    /// Creates the first administrator and their account; refuses once any user exists.
    /// Messages speak `l` (the request's language: there is no user yet).
    async fn create_first_admin(
        &self,
        form: FirstRunForm,
        l: crate::i18n::Locale,
    ) -> Result<CurrentUser, AppError>;
    /// Checks a password, rate-limited per client address and per account e-mail; messages speak `l`.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
        l: crate::i18n::Locale,
    ) -> Result<CurrentUser, AppError>;
    /// Gives the signed-in user a new REST API token and returns it (the only time it is shown);
    /// the old one stops working at once.
    async fn rotate_api_token(&self, user: &CurrentUser) -> Result<String, AppError>;
    /// The account's name, the user's role and its members.
    async fn account_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<AccountSettings, AppError>;
    /// The account's inboxes the user may see, worst first (from stored snapshots, no Meta call).
    async fn inbox_overview(
        &self,
        user: &CurrentUser,
        account_id: i64,
        page: u32,
    ) -> Result<InboxOverview, AppError>;
    /// The numbers the user may see, grouped by business portfolio (from stored data, no Meta call).
    async fn portfolios(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<crate::portfolio::PortfoliosView, AppError>;
    /// Creates a WhatsApp Cloud inbox and runs its setup; returns its id.
    async fn create_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        form: InboxForm,
    ) -> Result<i64, AppError>;
    /// The inbox's setup status alone (pages follow a running setup with it).
    async fn setup_status(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<crate::views::SetupStatus, AppError>;
    /// The settings and collaborators tabs.
    async fn inbox_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<InboxSettingsView, AppError>;
    /// Renames the inbox and/or rotates its token (empty = unchanged).
    async fn update_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        name: String,
        api_key: String,
    ) -> Result<(), AppError>;
    /// Deletes the inbox.
    async fn delete_inbox(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<(), AppError>;
    /// Re-runs the setup against Meta.
    async fn retry_setup(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<(), AppError>;
    /// Adds (`add = true`) or removes one member of the inbox.
    async fn change_inbox_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        user_id: i64,
        add: bool,
    ) -> Result<(), AppError>;
    /// The Account Health tab (cached read; `refresh` forces one, rate-limited).
    async fn inbox_health(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        refresh: bool,
    ) -> Result<HealthView, AppError>;
    /// Stored health checks of the last 30 days, oldest first.
    async fn inbox_history(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<Vec<HistoryPoint>, AppError>;
    /// Complete registration (administrators).
    async fn complete_registration(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<RegistrationResult, AppError>;
    /// **Set the PIN** (administrators): a new two-step PIN, made and kept by Greenlight.
    async fn set_two_step_pin(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<crate::fixes::FixResultView, AppError>;
    /// **Request a code** (administrators): `code_method` `SMS` or `VOICE`.
    async fn request_verification_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        code_method: String,
        language: String,
    ) -> Result<crate::fixes::FixResultView, AppError>;
    /// **Enter the code** (administrators); registers the number when Meta accepts it.
    async fn verify_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        code: String,
    ) -> Result<crate::fixes::FixResultView, AppError>;
    /// **Change the display name** (administrators): sent for Meta's review.
    async fn request_display_name(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        new_display_name: String,
    ) -> Result<crate::fixes::FixResultView, AppError>;
    /// The inbox's activity log (registration attempts, webhooks, changes, alerts), newest first.
    async fn inbox_activity(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<Vec<crate::activity::ActivityItem>, AppError>;
    /// The user's notifications in the account (the bell).
    async fn notifications(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<crate::activity::NotificationList, AppError>;
    /// Marks one notification (or all with `None`) read; the new unread count.
    async fn mark_notifications_read(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: Option<i64>,
    ) -> Result<i64, AppError>;
    /// The webhook self-check of the inbox.
    async fn webhook_check(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<crate::activity::WebhookCheckView, AppError>;
    /// Repair (administrators): re-subscribes the app to the WABA (never a webhook override).
    async fn repair_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<crate::activity::WebhookCheckView, AppError>;
    /// The account's outgoing alert webhooks with their latest deliveries (administrators).
    async fn alert_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<Vec<crate::activity::AlertWebhookView>, AppError>;
    /// Adds an outgoing alert webhook (administrators).
    async fn create_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        url: String,
        secret: String,
        format: String,
    ) -> Result<(), AppError>;
    /// Removes an outgoing alert webhook (administrators).
    async fn delete_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> Result<(), AppError>;
    /// Sends a test alert now (administrators).
    async fn test_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> Result<crate::activity::AlertDeliveryView, AppError>;
    /// Invites someone into the account (administrators): the one-time link, shown once.
    async fn invite_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        email: String,
        role: String,
    ) -> Result<crate::team::CreatedInvitation, AppError>;
    /// Changes a member's role (administrators; never the last administrator's).
    async fn set_member_role(
        &self,
        user: &CurrentUser,
        account_id: i64,
        user_id: i64,
        role: String,
    ) -> Result<(), AppError>;
    /// Removes a member (administrators; never the last administrator); their sessions and API
    /// token end at once.
    async fn remove_member(
        &self,
        user: &CurrentUser,
        account_id: i64,
        user_id: i64,
    ) -> Result<(), AppError>;
    /// Renames the account (administrators).
    async fn rename_account(
        &self,
        user: &CurrentUser,
        account_id: i64,
        name: String,
    ) -> Result<(), AppError>;
    /// Changes the user's own name and locale.
    async fn update_profile(
        &self,
        user: &CurrentUser,
        name: String,
        locale: String,
    ) -> Result<(), AppError>;
    /// Changes the user's own password (the current one required); their sessions end, and the
    /// door keeps the current one.
    async fn change_password(
        &self,
        user: &CurrentUser,
        current_password: String,
        password: String,
    ) -> Result<(), AppError>;
    /// What a one-time link (invitation or password reset) is for, while it works (public);
    /// messages speak `l`.
    async fn invitation(
        &self,
        token: &str,
        l: crate::i18n::Locale,
    ) -> Result<crate::team::InvitationView, AppError>;
    /// Uses a one-time link with the chosen name and password; the user to sign in. Messages
    /// speak `l`.
    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        l: crate::i18n::Locale,
    ) -> Result<CurrentUser, AppError>;
}

/// The port as it sits in Leptos' context.
pub type SharedPort = Arc<dyn GreenlightPort>;

/// Starts and ends the browser session of the current request (the server wraps its session store).
#[async_trait]
pub trait SessionControl: Send + Sync + 'static {
    /// Binds the session to `user_id`, under a fresh session id (no fixation).
    async fn start(&self, user_id: i64) -> Result<(), AppError>;
    /// Forgets the session.
    async fn end(&self) -> Result<(), AppError>;
    /// After the user's own password change ended their sessions: keeps this one, when it is a
    /// browser session of `user_id` (a request made with an API token has none to keep).
    async fn keep(&self, user_id: i64) -> Result<(), AppError> {
        let _ = user_id;
        Ok(())
    }
}

/// What the server's middleware resolved about the current request; stored in its extensions.
#[derive(Clone)]
pub struct RequestContext {
    pub user: Option<CurrentUser>,
    /// The language of this request (see [`CurrentUser::locale`]); also set without a user.
    pub locale: crate::i18n::Locale,
    pub client_ip: String,
    pub session: Arc<dyn SessionControl>,
}

/// The port from the Leptos context.
pub fn port() -> Result<SharedPort, AppError> {
    use_context::<SharedPort>().ok_or_else(|| {
        leptos::logging::error!("GreenlightPort missing from the Leptos context");
        AppError::Internal
    })
}

/// The request context the middleware attached to this request.
pub fn request_context() -> Result<RequestContext, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    parts
        .extensions
        .get::<RequestContext>()
        .cloned()
        .ok_or(AppError::Internal)
}

/// The signed-in user, or `Unauthorized`.
pub fn require_user() -> Result<CurrentUser, AppError> {
    request_context()?.user.ok_or(AppError::Unauthorized)
}
