//! The port: what the UI needs from the server's services. `app` declares it, `server` implements it
//! and provides it to Leptos with `provide_context`, so `app` never depends on `server`.
use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::views::{AccountSettings, FirstRunForm};

/// The operations the UI performs, each taking the signed-in user where it matters.
/// Every rule (who may see what) lives behind this trait, in the server's services.
#[async_trait]
pub trait GreenlightPort: Send + Sync + 'static {
    /// True while no user exists: only then may the first-run page create an administrator.
    async fn needs_first_run(&self) -> Result<bool, AppError>;
    /// Creates the first administrator and their account; refuses once any user exists.
    async fn create_first_admin(&self, form: FirstRunForm) -> Result<CurrentUser, AppError>;
    /// Checks a password, rate-limited per client address and per account e-mail.
    async fn sign_in(&self, email: &str, password: &str, client: &str)
        -> Result<CurrentUser, AppError>;
    /// The account's name, the user's role and its members.
    async fn account_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<AccountSettings, AppError>;
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
}

/// What the server's middleware resolved about the current request; stored in its extensions.
#[derive(Clone)]
pub struct RequestContext {
    pub user: Option<CurrentUser>,
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
