//! The 404 page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::status::page_title;

/// Answers 404 on the server and says so in words.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=page_title("Page not found")/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link is mistyped."</p>
                <a href="/">"Go to Greenlight"</a>
            </section>
        </main>
    }
}
