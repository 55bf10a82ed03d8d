//! Request middleware: resolves the session or API token into a `RequestContext`, guards pages,
//! and sends visitors to sign in (cross-site writes: see `csrf`).
use std::net::SocketAddr;
use std::sync::Arc;

use app::error::AppError;
use app::port::{RequestContext, SessionControl};
use async_trait::async_trait;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::state::AppState;

/// The session key holding the signed-in user's id.
const USER_ID_KEY: &str = "user_id";

/// The session key holding the user's session epoch at sign-in: the session ends when the user's
/// epoch moves on (password changed, removed, disabled).
const EPOCH_KEY: &str = "session_epoch";

/// The session key holding when (unix seconds) the user signed in.
const SIGNED_IN_AT_KEY: &str = "signed_in_at";

/// A session ends this long after sign-in however active it is (the cookie's own expiry is
/// only the inactivity limit).
pub const SESSION_ABSOLUTE_LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// Wraps the tower-sessions session of one request, with the accounts (for the user's epoch).
struct BrowserSession(Option<Session>, crate::accounts::service::AccountService);

#[async_trait]
impl SessionControl for BrowserSession {
    async fn start(&self, user_id: i64) -> Result<(), AppError> {
        let s = self.0.as_ref().ok_or(AppError::Internal)?;
        let epoch = self.1.session_epoch(user_id).await?;
        s.cycle_id().await.map_err(session_error)?;
        s.insert(SIGNED_IN_AT_KEY, crate::db::now_secs())
            .await
            .map_err(session_error)?;
        s.insert(EPOCH_KEY, epoch).await.map_err(session_error)?;
        s.insert(USER_ID_KEY, user_id).await.map_err(session_error)
    }

    async fn end(&self) -> Result<(), AppError> {
        match &self.0 {
            Some(s) => s.flush().await.map_err(session_error),
            None => Ok(()),
        }
    }

    async fn keep(&self, user_id: i64) -> Result<(), AppError> {
        let Some(s) = &self.0 else { return Ok(()) };
        if s.get::<i64>(USER_ID_KEY).await.ok().flatten() != Some(user_id) {
            return Ok(());
        }
        let epoch = self.1.session_epoch(user_id).await?;
        // A new id too: whoever held the old cookie value is out with the other sessions.
        s.cycle_id().await.map_err(session_error)?;
        s.insert(EPOCH_KEY, epoch).await.map_err(session_error)
    }
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}

/// Attaches `RequestContext` (user from the session cookie or the `api_access_token` header).
pub async fn resolve_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let client_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let ip = crate::auth::client_ip::client_addr(
                c.0.ip(),
                forwarded,
                &state.services.trusted_proxies,
            );
            crate::auth::client_ip::limiter_key(ip)
        })
        .unwrap_or_else(|| "unknown".into());
    let mut user = None;
    if let Some(s) = &session {
        if let Ok(Some(id)) = s.get::<i64>(USER_ID_KEY).await {
            let signed_in_at = s.get::<i64>(SIGNED_IN_AT_KEY).await.ok().flatten();
            // Sessions from before epochs were recorded are under epoch 0.
            let epoch = s.get::<i64>(EPOCH_KEY).await.ok().flatten().unwrap_or(0);
            let over = if within_lifetime(signed_in_at, crate::db::now_secs()) {
                match state.services.accounts.session_user(id, epoch).await {
                    Ok(u) => {
                        user = Some(u);
                        false
                    }
                    // Ended (password changed, removed, disabled); a database hiccup is not.
                    Err(e) => matches!(e, crate::error::ServiceError::App(AppError::Unauthorized)),
                }
            } else {
                true
            };
            if over {
                if let Err(e) = s.flush().await {
                    tracing::error!(error = %e, "session store");
                }
            }
        }
    }
    if user.is_none() {
        let token = req
            .headers()
            .get("api_access_token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(token) = token {
            user = state
                .services
                .accounts
                .user_by_api_token(&token)
                .await
                .ok()
                .flatten();
        }
    }
    if let Some(u) = &user {
        tracing::Span::current().record("user_id", u.id);
    }
    let locale = crate::accounts::locale::for_request(
        user.as_ref().and_then(|u| u.chosen_locale),
        req.headers(),
    );
    crate::accounts::locale::pin(req.headers_mut(), locale);
    if let Some(u) = &mut user {
        u.locale = locale.ui();
    }
    req.extensions_mut().insert(RequestContext {
        user,
        locale: locale.ui(),
        client_ip,
        session: Arc::new(BrowserSession(session, state.services.accounts.clone())),
    });
    next.run(req).await
}

/// True while a session signed in at `signed_in_at` may still be used; a session without the
/// time (made before it was recorded) is over.
fn within_lifetime(signed_in_at: Option<i64>, now: i64) -> bool {
    signed_in_at.is_some_and(|t| now - t < SESSION_ABSOLUTE_LIFETIME_SECS)
}

/// Paths that are not pages: APIs, server functions, assets, probes, webhooks.
fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 7] = [
        "/api/",
        "/sfn/",
        "/pkg/",
        "/webhooks/",
        "/healthz",
        "/readyz",
        "/__sim/",
    ];
    let last = path.rsplit('/').next().unwrap_or("");
    !NOT_PAGES.iter().any(|p| path.starts_with(p)) && !last.contains('.')
}

/// Sends visitors to sign-in (or first run), and signed-in users away from the sign-in page.
pub async fn guard_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if req.method() != Method::GET || !is_page(&path) {
        return next.run(req).await;
    }
    // The invitation page is public: the one-time link in its query is the credential.
    if path == "/join" {
        return next.run(req).await;
    }
    let user = req
        .extensions()
        .get::<RequestContext>()
        .and_then(|c| c.user.clone());
    let first_run = || async {
        state
            .services
            .accounts
            .needs_first_run()
            .await
            .unwrap_or(false)
    };
    match (path.as_str(), &user) {
        ("/", Some(u)) | ("/login", Some(u)) | ("/setup", Some(u)) => {
            Redirect::to(&u.home_path()).into_response()
        }
        ("/setup", None) => {
            if first_run().await {
                next.run(req).await
            } else {
                Redirect::to("/login").into_response()
            }
        }
        (_, None) if first_run().await => Redirect::to("/setup").into_response(),
        ("/", None) => Redirect::to("/login").into_response(),
        ("/login", None) => next.run(req).await,
        (_, None) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or(path);
            let next_param: String =
                url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next_param}")).into_response()
        }
        (_, Some(_)) => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_page, within_lifetime, SESSION_ABSOLUTE_LIFETIME_SECS};

    #[test]
    fn sessions_end_a_fixed_time_after_sign_in() {
        let now = 1_000_000_000;
        assert!(within_lifetime(Some(now), now));
        assert!(within_lifetime(
            Some(now - SESSION_ABSOLUTE_LIFETIME_SECS + 1),
            now
        ));
        assert!(!within_lifetime(
            Some(now - SESSION_ABSOLUTE_LIFETIME_SECS),
            now
        ));
        assert!(!within_lifetime(None, now));
    }

    #[test]
    fn pages_are_told_apart_from_apis_and_assets() {
        assert!(is_page("/accounts/1/inboxes"));
        assert!(is_page("/login"));
        assert!(!is_page("/api/v1/profile"));
        assert!(!is_page("/sfn/login"));
        assert!(!is_page("/pkg/greenlight.wasm"));
        assert!(!is_page("/favicon.svg"));
    }
}
