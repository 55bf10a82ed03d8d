//! `/accounts/:id/settings`: the account, your role and its members.
use leptos::prelude::*;

use crate::api::{get_account_settings, RotateApiToken};
use crate::components::shell::use_account_id;
use crate::components::status::{page_title, ErrorNotice, Loading};
use crate::error::AppError;

/// Account settings.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let account_id = use_account_id();
    let data = Resource::new(
        move || account_id.get(),
        |id| async move {
            match id {
                Some(id) => get_account_settings(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <leptos_meta::Title text=page_title("Settings")/>
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => view! {
                        <section class="card">
                            <h2>"Account"</h2>
                            <p>"Name: " <strong>{s.account_name.clone()}</strong></p>
                            <p>"Your role: " {s.your_role.label()}</p>
                        </section>
                        <ApiToken/>
                        <section class="card">
                            <h2>"Members"</h2>
                            <table class="table" id="members">
                                <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th></tr></thead>
                                <tbody>
                                    {s.members.into_iter().map(|m| view! {
                                        <tr><td>{m.name}</td><td>{m.email}</td><td>{m.role.label()}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The user's REST API token: a new one on request, shown once (Greenlight keeps only its digest).
#[component]
fn ApiToken() -> impl IntoView {
    let rotate = ServerAction::<RotateApiToken>::new();
    view! {
        <section class="card" id="api-token">
            <h2>"Your API token"</h2>
            <p class="muted">"For the REST API (header api_access_token). Greenlight stores only a digest, so a token is shown once; a new one replaces the old at once."</p>
            <ActionForm action=rotate attr:id="rotate-token-form">
                <button type="submit" disabled=move || rotate.pending().get()>"Create a new API token"</button>
            </ActionForm>
            {move || match rotate.value().get() {
                None => None,
                Some(Ok(token)) => Some(view! {
                    <p role="status">"Your new token (copy it now; it will not be shown again): "
                        <code id="new-api-token">{token}</code></p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
            }}
        </section>
    }
}
