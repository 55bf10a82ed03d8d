//! Loading and error states shown while data arrives or when it could not.
use leptos::prelude::*;

use crate::error::AppError;

/// A polite loading line.
#[component]
pub fn Loading(#[prop(into, default = "Loading…".to_string())] text: String) -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{text}</p> }
}

/// An error in words, with a sign-in link when the session ended.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let signin = matches!(error, AppError::Unauthorized);
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.to_string()}</p>
            {signin.then(|| view! { <a href="/login">"Sign in"</a> })}
        </div>
    }
}
