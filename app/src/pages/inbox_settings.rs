//! The inbox's Settings tab (rename, rotate token, retry setup, delete) and Collaborators tab.
use leptos::prelude::*;

use crate::components::form::{action_url, submit_to};

use crate::api::{get_inbox_settings, ChangeInboxMember, DeleteInbox, RetrySetup, UpdateInbox};
use crate::components::form::{field_message, form_message};
use crate::components::setup::{follow_setup, read_setup};
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::pages::inbox::use_inbox_id;
use crate::tr;
use crate::views::{InboxSettingsView, SetupStatus};

fn use_settings() -> Resource<Result<InboxSettingsView, AppError>> {
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    Resource::new(
        move || (account_id.get(), inbox_id.get()),
        |(a, i)| async move {
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
    let data = use_settings();
    let l = crate::locale();
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => view! {
                        <Connection account_id=s.account_id inbox_id=s.id admin=s.viewer_is_admin
                            setup=s.setup.clone() name=s.name.clone()>
                            <dl class="details">
                                <dt>{tr!(l, inboxes.settings.phone)}</dt><dd>{crate::format::phone(&s.phone_number)}</dd>
                                <dt>{tr!(l, inboxes.settings.phone_id)}</dt><dd>{s.phone_number_id.clone()}</dd>
                                <dt>{tr!(l, inboxes.settings.waba_id)}</dt><dd>{s.business_account_id.clone()}</dd>
                                <dt>{tr!(l, inboxes.settings.business_id)}</dt><dd>{s.business_id.clone().unwrap_or_else(|| tr!(l, inboxes.settings.not_read))}</dd>
                                <dt>{tr!(l, inboxes.settings.token)}</dt><dd>{tr!(l, inboxes.settings.token_hidden)}</dd>
                            </dl>
                        </Connection>
                        {s.viewer_is_admin.then(|| view! {
                            <DeleteInbox account_id=s.account_id inbox_id=s.id name=s.name.clone()/>
                        })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The connection's details (`children`, drawn on the server), the setup's state with Retry
/// setup, and (administrators) the form that renames the inbox or gives it a new access token.
/// One island: a saved token or a retry starts a new setup, which shows here as it runs;
/// "Saved." and field errors show where the person typed.
#[island]
fn Connection(
    account_id: i64,
    inbox_id: i64,
    admin: bool,
    setup: SetupStatus,
    name: String,
    children: Children,
) -> impl IntoView {
    let status = RwSignal::new(setup);
    follow_setup(status, account_id, inbox_id);
    let update = ServerAction::<UpdateInbox>::new();
    let retry = ServerAction::<RetrySetup>::new();
    Effect::new(move |_| {
        let answered = |v: &Option<Result<_, AppError>>| matches!(v, Some(Ok(_)));
        if update.value().with(answered) || retry.value().with(answered) {
            read_setup(status, account_id, inbox_id);
        }
    });
    let l = crate::locale();
    view! {
        <section class="card" id="inbox-details">
            <h2>{tr!(l, inboxes.settings.connection)}</h2>
            {children()}
            <SetupNotice status account_id inbox_id admin retry/>
        </section>
        {admin.then(|| view! { <EditInbox account_id inbox_id name update/> })}
    }
}

/// Rename the inbox or give it a new access token (administrators).
#[component]
fn EditInbox(
    account_id: i64,
    inbox_id: i64,
    name: String,
    update: ServerAction<UpdateInbox>,
) -> impl IntoView {
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    let l = crate::locale();
    view! {
        <section class="card">
            <h2>{tr!(l, inboxes.settings.edit)}</h2>
            <form action=action_url(update) method="post" on:submit=submit_to(update) id="edit-inbox-form">
                <input type="hidden" name="account_id" value=account_id/>
                <input type="hidden" name="inbox_id" value=inbox_id/>
                <div class="field">
                    <label for="field-name">{tr!(l, inboxes.settings.name)}</label>
                    <input id="field-name" name="name" value=name maxlength=100
                        aria-describedby="field-name-error"
                        aria-invalid=move || field_message(&error.get(), "name").is_some().to_string()/>
                    <p class="field-error" id="field-name-error" role="alert">{move || field_message(&error.get(), "name")}</p>
                </div>
                <div class="field">
                    <label for="field-api_key">{tr!(l, inboxes.settings.new_token)}</label>
                    <input id="field-api_key" name="api_key" type="password" autocomplete="off"
                        aria-describedby="field-api_key-error"
                        aria-invalid=move || field_message(&error.get(), "api_key").is_some().to_string()/>
                    <p class="field-error" id="field-api_key-error" role="alert">{move || field_message(&error.get(), "api_key")}</p>
                </div>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &["name", "api_key"])}</p>
                <button type="submit" class="primary" disabled=move || update.pending().get()>{tr!(l, common.save)}</button>
                {move || (update.value().get().is_some_and(|r| r.is_ok())).then(|| view! { <span role="status">{format!(" {}", tr!(l, common.saved))}</span> })}
            </form>
        </section>
    }
}

/// The setup's problem with Retry setup beside it (administrators), or "still running";
/// nothing once it finished.
#[component]
fn SetupNotice(
    status: RwSignal<SetupStatus>,
    account_id: i64,
    inbox_id: i64,
    admin: bool,
    retry: ServerAction<RetrySetup>,
) -> impl IntoView {
    let l = crate::locale();
    move || {
        let (text, running, state) = status.with(|s| (s.message(l), s.running(), s.as_str()));
        text.map(|text| view! {
            // Running is news, not an error: a polite status, not an alert.
            <div class=if running { "notice notice-warn" } else { "notice notice-error" } id="setup-error"
                role=if running { "status" } else { "alert" }
                data-setup=state>
                <p>{text}</p>
                {admin.then(|| view! {
                    <form action=action_url(retry) method="post" on:submit=submit_to(retry)>
                        <input type="hidden" name="account_id" value=account_id/>
                        <input type="hidden" name="inbox_id" value=inbox_id/>
                        <button type="submit" id="retry-setup" disabled=move || retry.pending().get()>
                            {move || if retry.pending().get() { tr!(l, inboxes.settings.retrying) } else { tr!(l, inboxes.settings.retry) }}
                        </button>
                    </form>
                })}
                // The retry's own refusal (Meta's answer replaces the text above instead).
                {move || retry.value().get().and_then(|r| r.err()).map(|e| view! { <p id="retry-error">{e.message(crate::locale())}</p> })}
            </div>
        })
    }
}

/// `text` as a pattern attribute that matches exactly it. Browsers compile `pattern` with the
/// regular expression `v` flag, where only syntax characters may (and must) be escaped.
pub fn exact_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "^$\\.*+?()[]{}|/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// "Delete inbox", confirmed by typing the inbox's name (an island). Once hydrated the button
/// stays disabled until the name matches; without JavaScript the field's `pattern` holds the form
/// back instead (the button is not disabled on the server, or it could never be pressed).
#[island]
fn DeleteInbox(account_id: i64, inbox_id: i64, name: String) -> impl IntoView {
    let action = ServerAction::<DeleteInbox>::new();
    let typed = RwSignal::new(String::new());
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| hydrated.set(true));
    let expected = name.clone();
    let matches = move || typed.with(|t| *t == expected);
    let l = crate::locale();
    view! {
        <section class="card danger" id="delete-inbox-card">
            <h2>{tr!(l, inboxes.delete.heading)}</h2>
            <p>{tr!(l, inboxes.delete.intro)}</p>
            <form action=action_url(action) method="post" on:submit=submit_to(action) id="delete-inbox-form">
                <input type="hidden" name="account_id" value=account_id/>
                <input type="hidden" name="inbox_id" value=inbox_id/>
                <div class="field">
                    <label for="confirm-name">{format!("{} ", tr!(l, inboxes.delete.confirm))}<strong>{name.clone()}</strong></label>
                    // No name: it is not sent; it only holds the form back until it matches.
                    <input id="confirm-name" autocomplete="off" required=true
                        pattern=exact_pattern(&name) spellcheck="false"
                        on:input=move |ev| typed.set(event_target_value(&ev))/>
                </div>
                <button type="submit" id="delete-inbox" class="danger"
                    disabled=move || (hydrated.get() && !matches()) || action.pending().get()>
                    {tr!(l, inboxes.delete.submit)}
                </button>
            </form>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        </section>
    }
}

/// Collaborators tab: who of the account sees this inbox.
#[component]
pub fn CollaboratorsTab() -> impl IntoView {
    // Adding and removing are plain form posts: the server answers with this tab again.
    let change = ServerAction::<ChangeInboxMember>::new();
    let data = use_settings();
    let l = crate::locale();
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(s) => {
                        let admin = s.viewer_is_admin;
                        view! {
                            <section class="card">
                                <h2>{tr!(l, inboxes.collaborators.heading)}</h2>
                                <p class="muted">{tr!(l, inboxes.collaborators.intro)}</p>
                                <table class="table" id="collaborators">
                                    <thead><tr>
                                        <th>{tr!(l, common.name)}</th><th>{tr!(l, common.role_heading)}</th>
                                        <th>{tr!(l, inboxes.collaborators.member)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {s.account_members.clone().into_iter().map(|m| {
                                            let member = s.members.iter().any(|x| x.user_id == m.user_id);
                                            let (account_id, inbox_id) = (s.account_id, s.id);
                                            view! {
                                                <tr>
                                                    <td>{m.name.clone()}<br/><span class="muted">{m.email.clone()}</span></td>
                                                    <td>{m.role.label(l)}</td>
                                                    <td>
                                                        {if member { tr!(l, common.yes) } else { tr!(l, common.no) }}
                                                        {admin.then(|| view! {
                                                            <form action=action_url(change) method="post" class="inline">
                                                                <input type="hidden" name="account_id" value=account_id/>
                                                                <input type="hidden" name="inbox_id" value=inbox_id/>
                                                                <input type="hidden" name="user_id" value=m.user_id/>
                                                                <input type="hidden" name="add" value=(!member).to_string()/>
                                                                <button type="submit">{if member { tr!(l, common.remove) } else { tr!(l, common.add) }}</button>
                                                            </form>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {change.value().get_untracked().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::exact_pattern;

    #[test]
    fn the_confirmation_pattern_escapes_only_syntax_characters() {
        assert_eq!(exact_pattern("Support line"), "Support line");
        assert_eq!(exact_pattern("EU (main) 1.0"), r"EU \(main\) 1\.0");
        assert_eq!(exact_pattern("a/b|c-d & e"), r"a\/b\|c-d & e");
    }
}
