//! Loading and error states shown while data arrives or when it could not.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::tr;

/// A polite loading line.
#[component]
pub fn Loading(
    #[prop(into, default = tr!(crate::locale(), health.status.loading))] text: String,
) -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{text}</p> }
}

/// An error in words, with a sign-in link when the session ended.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let l = crate::locale();
    let signin = matches!(error, AppError::Unauthorized);
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.message(l)}</p>
            {signin.then(|| view! { <a href="/login">{tr!(l, health.status.sign_in)}</a> })}
        </div>
    }
}

/// A page's title as the browser tab and history show it: "Settings — Greenlight".
pub fn page_title(page: &str) -> String {
    format!("{page} — Greenlight")
}

/// The heading of a whole-page error, e.g. "Inbox not found" for `what` = "Inbox".
pub fn error_heading(error: &AppError, what: &str) -> String {
    let l = crate::locale();
    match error {
        AppError::NotFound => tr!(l, health.status.not_found, what = what),
        AppError::Forbidden => tr!(l, health.status.no_access),
        AppError::Unauthorized => tr!(l, health.status.session_ended),
        _ => tr!(l, health.status.went_wrong),
    }
}

/// A whole-page error in place of the page (one heading, what it means, a way on), answered with
/// the error's status by the server. While it is shown, `main` shows nothing else (style/main.css),
/// so the tabs and the panels below do not each repeat the error.
#[component]
pub fn ErrorPage(
    error: AppError,
    /// What was asked for: "Inbox", "Account", "Page".
    #[prop(into)]
    what: String,
    /// Where to go on from here.
    #[prop(into, default = "/".to_string())]
    back_href: String,
    #[prop(into, default = tr!(crate::locale(), health.status.go_home))] back_text: String,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.http_status()) {
            resp.set_status(status);
        }
    }
    let l = crate::locale();
    let heading = error_heading(&error, &what);
    let text = match &error {
        AppError::NotFound => tr!(l, health.status.not_found_text, what = what.to_lowercase()),
        AppError::Forbidden => tr!(l, health.status.forbidden_text),
        other => other.message(l),
    };
    let signin = matches!(error, AppError::Unauthorized);
    let title = page_title(&heading);
    view! {
        // A formatter, not a text: the page beneath may mount its own title after this one (on
        // hydration it can), and the last text wins, but the error must name the browser tab.
        <Title formatter=move |_| title.clone()/>
        <section class="card error-page" id="error-page" data-status=error.http_status()>
            <h1>{heading}</h1>
            <p>{text}</p>
            {if signin {
                view! { <a href="/login">{tr!(l, health.status.sign_in)}</a> }.into_any()
            } else {
                view! { <a href=back_href>{back_text}</a> }.into_any()
            }}
        </section>
    }
}
