//! The inbox's Settings tab (rename, rotate token, retry setup, delete) and Collaborators tab.
use leptos::prelude::*;

use crate::api::{get_inbox_settings, ChangeInboxMember, DeleteInbox, RetrySetup, UpdateInbox};
use crate::components::form::{field_message, form_message};
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::pages::inbox::use_inbox_id;
use crate::views::InboxSettingsView;

fn use_settings(
    version: impl Fn() -> usize + Send + Sync + 'static,
) -> Resource<Result<InboxSettingsView, AppError>> {
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    Resource::new(
        move || (account_id.get(), inbox_id.get(), version()),
        |(a, i, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_settings(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    )
}

/// Settings tab.
#[component]
pub fn InboxSettingsTab() -> impl IntoView {
    let update = ServerAction::<UpdateInbox>::new();
    let retry = ServerAction::<RetrySetup>::new();
    let delete = ServerAction::<DeleteInbox>::new();
    let data = use_settings(move || update.version().get() + retry.version().get());
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => view! {
                        <section class="card" id="inbox-details">
                            <h2>"Connection"</h2>
                            <dl class="details">
                                <dt>"Phone number"</dt><dd>{s.phone_number.clone()}</dd>
                                <dt>"Phone number id"</dt><dd>{s.phone_number_id.clone()}</dd>
                                <dt>"WhatsApp Business Account id"</dt><dd>{s.business_account_id.clone()}</dd>
                                <dt>"Business portfolio id"</dt><dd>{s.business_id.clone().unwrap_or_else(|| "Not read yet".into())}</dd>
                                <dt>"Access token"</dt><dd>"Stored encrypted; never shown."</dd>
                            </dl>
                            {s.setup_error.clone().map(|e| view! {
                                <div class="notice notice-error" id="setup-error" role="alert">
                                    <p>"Setup did not finish: " {e}</p>
                                    {s.viewer_is_admin.then(|| view! {
                                        <ActionForm action=retry>
                                            <input type="hidden" name="account_id" value=s.account_id/>
                                            <input type="hidden" name="inbox_id" value=s.id/>
                                            <button type="submit" id="retry-setup" disabled=move || retry.pending().get()>"Retry setup"</button>
                                        </ActionForm>
                                    })}
                                </div>
                            })}
                        </section>
                        {s.viewer_is_admin.then(|| view! {
                            <section class="card">
                                <h2>"Edit"</h2>
                                <ActionForm action=update attr:id="edit-inbox-form">
                                    <input type="hidden" name="account_id" value=s.account_id/>
                                    <input type="hidden" name="inbox_id" value=s.id/>
                                    <div class="field">
                                        <label for="field-name">"Inbox name"</label>
                                        <input id="field-name" name="name" value=s.name.clone() maxlength=100/>
                                        <p class="field-error" role="alert">{move || field_message(&error.get(), "name")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="field-api_key">"New access token (leave empty to keep the current one)"</label>
                                        <input id="field-api_key" name="api_key" type="password" autocomplete="off"/>
                                        <p class="field-error" role="alert">{move || field_message(&error.get(), "api_key")}</p>
                                    </div>
                                    <p class="form-error" role="alert">{move || form_message(&error.get(), &["name", "api_key"])}</p>
                                    <button type="submit" class="primary" disabled=move || update.pending().get()>"Save"</button>
                                    {move || (update.value().get().is_some_and(|r| r.is_ok())).then(|| view! { <span role="status">" Saved."</span> })}
                                </ActionForm>
                            </section>
                            <section class="card danger">
                                <h2>"Delete inbox"</h2>
                                <p>"Greenlight forgets this number, its token, PIN and history. Meta keeps the number."</p>
                                <ActionForm action=delete>
                                    <input type="hidden" name="account_id" value=s.account_id/>
                                    <input type="hidden" name="inbox_id" value=s.id/>
                                    <button type="submit" id="delete-inbox">"Delete inbox"</button>
                                </ActionForm>
                                {move || delete.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                            </section>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Collaborators tab: who of the account sees this inbox.
#[component]
pub fn CollaboratorsTab() -> impl IntoView {
    let change = ServerAction::<ChangeInboxMember>::new();
    let data = use_settings(move || change.version().get());
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => {
                        let admin = s.viewer_is_admin;
                        view! {
                            <section class="card">
                                <h2>"Collaborators"</h2>
                                <p class="muted">"Administrators see every inbox. Agents see the inboxes they are members of."</p>
                                <table class="table" id="collaborators">
                                    <thead><tr><th>"Name"</th><th>"Role"</th><th>"Member"</th></tr></thead>
                                    <tbody>
                                        {s.account_members.clone().into_iter().map(|m| {
                                            let member = s.members.iter().any(|x| x.user_id == m.user_id);
                                            let (account_id, inbox_id) = (s.account_id, s.id);
                                            view! {
                                                <tr>
                                                    <td>{m.name.clone()}<br/><span class="muted">{m.email.clone()}</span></td>
                                                    <td>{m.role.label()}</td>
                                                    <td>
                                                        {if member { "Yes" } else { "No" }}
                                                        {admin.then(|| view! {
                                                            <ActionForm action=change attr:class="inline">
                                                                <input type="hidden" name="account_id" value=account_id/>
                                                                <input type="hidden" name="inbox_id" value=inbox_id/>
                                                                <input type="hidden" name="user_id" value=m.user_id/>
                                                                <input type="hidden" name="add" value=(!member).to_string()/>
                                                                <button type="submit">{if member { "Remove" } else { "Add" }}</button>
                                                            </ActionForm>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {move || change.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
