//! `/accounts/:id/settings`: the account, your role and its members.
use leptos::prelude::*;

use crate::api::get_account_settings;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
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
