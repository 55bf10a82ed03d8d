//! The 404 page.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::status::page_title;
use crate::tr;

/// Answers 404 on the server and says so in words.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let l = crate::locale();
    view! {
        <Title text=page_title(&tr!(l, common.not_found.title))/>
        <main class="auth-page" id="main" tabindex="-1">
            <section class="card auth-card">
                <h1>{tr!(l, common.not_found.title)}</h1>
                <p>{tr!(l, common.not_found.body)}</p>
                <a href="/">{tr!(l, common.not_found.home)}</a>
            </section>
        </main>
    }
}
