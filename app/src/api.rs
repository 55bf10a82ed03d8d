//! Server functions: thin doors that read the session, call the port and map errors.
//! Their URLs are fixed (`/sfn/...`) so the REST API keeps `/api/v1`.
use leptos::prelude::*;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::views::{AccountSettings, FirstRunForm};

/// Only same-site paths are followed after sign-in, never another host.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login")
        && !next.starts_with("/sfn");
    ok.then(|| next.to_string())
}

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::port::request_context()?.user)
}

/// True while Greenlight has no user yet.
#[server(prefix = "/sfn", endpoint = "needs_first_run")]
pub async fn needs_first_run() -> Result<bool, AppError> {
    crate::port::port()?.needs_first_run().await
}

/// Signs in and starts a session; without JavaScript the browser follows the redirect.
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let ctx = crate::port::request_context()?;
    let user = crate::port::port()?
        .sign_in(&email, &password, &ctx.client_ip)
        .await?;
    ctx.session.start(user.id).await?;
    let to = safe_next(next.as_deref()).unwrap_or_else(|| user.home_path());
    leptos_axum::redirect(&to);
    Ok(())
}

/// Ends the session.
#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = crate::port::request_context()?;
    ctx.session.end().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Creates the first administrator (only while no user exists) and signs them in.
#[server(prefix = "/sfn", endpoint = "first_run")]
pub async fn first_run(
    name: String,
    email: String,
    password: String,
    account_name: String,
) -> Result<(), AppError> {
    let ctx = crate::port::request_context()?;
    let user = crate::port::port()?
        .create_first_admin(FirstRunForm {
            name,
            email,
            password,
            account_name,
        })
        .await?;
    ctx.session.start(user.id).await?;
    leptos_axum::redirect(&user.home_path());
    Ok(())
}

/// The account settings page's data.
#[server(prefix = "/sfn", endpoint = "account_settings")]
pub async fn get_account_settings(account_id: i64) -> Result<AccountSettings, AppError> {
    let user = crate::port::require_user()?;
    crate::port::port()?
        .account_settings(&user, account_id)
        .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(safe_next(Some("/accounts/1/inboxes")).as_deref(), Some("/accounts/1/inboxes"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(Some("/login")), None);
        assert_eq!(safe_next(None), None);
    }
}
