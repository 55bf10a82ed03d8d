//! `/accounts/:id/inboxes`: every WhatsApp number of the account, worst first, filterable, and the
//! form that adds one (administrators).
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::{get_inbox_overview, CreateInbox};
use crate::components::badge::Badge;
use crate::components::form::{field_message, form_message, Field};
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::format::{short_time, state_label};
use crate::views::InboxRowView;

/// True when a row matches the filter text (name, number or state).
pub fn matches_filter(row: &InboxRowView, filter: &str) -> bool {
    let f = filter.trim().to_lowercase();
    if f.is_empty() {
        return true;
    }
    let state = row.state.map(state_label).unwrap_or("No data yet");
    [row.name.as_str(), row.phone_number.as_str(), state]
        .iter()
        .any(|s| s.to_lowercase().contains(&f))
}

/// The account's numbers.
#[component]
pub fn InboxesPage() -> impl IntoView {
    let account_id = use_account_id();
    let create = ServerAction::<CreateInbox>::new();
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u32>().ok());
    let overview = Resource::new(
        move || (account_id.get(), create.version().get(), page()),
        |(id, _, page)| async move {
            match id {
                Some(id) => get_inbox_overview(id, page).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let filter = RwSignal::new(String::new());
    view! {
        <leptos_meta::Title text=crate::components::status::page_title("WhatsApp numbers")/>
        <h1>"WhatsApp numbers"</h1>
        <Transition fallback=|| view! { <Loading text="Loading numbers…"/> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(o) => {
                        let admin = o.viewer_is_admin;
                        let account = o.account_id;
                        let rows = o.rows.clone();
                        let empty = rows.is_empty();
                        let pager = (o.pages() > 1).then(|| view! { <Pager overview=o.clone()/> });
                        view! {
                            {(!empty).then(|| view! {
                                <label class="filter">"Filter "
                                    <input type="search" id="inbox-filter" placeholder="name, number or state"
                                        on:input=move |ev| filter.set(event_target_value(&ev))/>
                                </label>
                            })}
                            {if empty {
                                view! {
                                    <section class="card empty" id="no-inboxes">
                                        <p>{if admin { "No WhatsApp numbers yet. Add the first one below." }
                                            else { "You are not a member of any WhatsApp inbox yet. Ask an administrator to add you." }}</p>
                                    </section>
                                }.into_any()
                            } else {
                                view! { <OverviewTable account_id=account rows=rows filter=filter/> {pager} }.into_any()
                            }}
                            {admin.then(|| view! { <AddInbox account_id=account action=create/> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// "Numbers 101–200 of 350" with links to the neighbouring pages (plain links: works without JS).
#[component]
fn Pager(overview: crate::views::InboxOverview) -> impl IntoView {
    let size = crate::views::OVERVIEW_PAGE_SIZE;
    let first = (overview.page as usize - 1) * size + 1;
    let last = first + overview.rows.len() - 1;
    let base = format!("/accounts/{}/inboxes", overview.account_id);
    let prev = (overview.page > 1).then(|| format!("{base}?page={}", overview.page - 1));
    let next =
        (overview.page < overview.pages()).then(|| format!("{base}?page={}", overview.page + 1));
    view! {
        <nav class="pager" id="overview-pager" aria-label="Pages of numbers">
            {prev.map(|href| view! { <A href=href attr:rel="prev">"← Previous"</A> })}
            <span>{format!("Numbers {first}–{last} of {} (the filter searches this page)", overview.total)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next →"</A> })}
        </nav>
    }
}

#[component]
fn OverviewTable(
    account_id: i64,
    rows: Vec<InboxRowView>,
    filter: RwSignal<String>,
) -> impl IntoView {
    view! {
        <table class="table overview" id="inbox-overview">
            <thead>
                <tr><th>"Inbox"</th><th>"Registration"</th><th>"Health"</th><th>"Last checked"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let r = row.clone();
                    let href = format!("/accounts/{account_id}/inboxes/{}/health", row.id);
                    view! {
                        <tr data-level=row.level.as_str() data-inbox=row.id
                            style:display=move || if matches_filter(&r, &filter.get()) { "" } else { "none" }>
                            <td>
                                <A href=href><strong>{row.name.clone()}</strong></A>
                                <br/><span class="muted">{row.phone_number.clone()}</span>
                                {row.setup_error.clone().map(|e| view! { <p class="field-error">"Setup: " {e}</p> })}
                            </td>
                            <td>
                                {match row.state {
                                    Some(s) => view! { <Badge level=crate::format::state_level(s) text=state_label(s)/> }.into_any(),
                                    None => view! { <Badge level=crate::health::BadgeLevel::Unknown text="No data yet"/> }.into_any(),
                                }}
                            </td>
                            <td class="badges">
                                {row.badges.iter().map(|b| view! {
                                    <span class="mini"><span class="muted">{b.label.clone()}": "</span><Badge level=b.level text=b.value.clone()/></span>
                                }).collect_view()}
                            </td>
                            <td>
                                {row.checked_at.clone().map(|t| short_time(&t)).unwrap_or_else(|| "Never".into())}
                                {row.stale.then(|| view! { <br/><Badge level=crate::health::BadgeLevel::Attention text="Stale"/> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

const INBOX_FIELDS: [&str; 5] = [
    "name",
    "phone_number",
    "phone_number_id",
    "business_account_id",
    "api_key",
];

#[component]
fn AddInbox(account_id: i64, action: ServerAction<CreateInbox>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let msg = move |f: &'static str| Signal::derive(move || field_message(&error.get(), f));
    view! {
        <details class="card" id="add-inbox" open=move || error.get().is_some()>
            <summary><strong>"Add a WhatsApp Cloud number"</strong></summary>
            <p class="muted">"Greenlight checks the token by reading the number, subscribes the app to the WhatsApp Business Account (it never changes where the number's messages go), and registers it when Meta allows."</p>
            <ActionForm action=action attr:id="add-inbox-form">
                <input type="hidden" name="account_id" value=account_id/>
                <Field name="name" label="Inbox name" maxlength=100 error=msg("name")/>
                <Field name="phone_number" label="Phone number (international format)" kind="tel" error=msg("phone_number")/>
                <Field name="phone_number_id" label="Phone number id" error=msg("phone_number_id")/>
                <Field name="business_account_id" label="WhatsApp Business Account id" error=msg("business_account_id")/>
                <Field name="api_key" label="Access token" kind="password" autocomplete="off" error=msg("api_key")/>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &INBOX_FIELDS)}</p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Connecting to Meta…" } else { "Add number" }}
                </button>
            </ActionForm>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{BadgeLevel, RegistrationState};

    fn row(name: &str, state: Option<RegistrationState>) -> InboxRowView {
        InboxRowView {
            id: 1,
            name: name.into(),
            phone_number: "+16315550101".into(),
            state,
            level: BadgeLevel::Good,
            badges: vec![],
            setup_error: None,
            checked_at: None,
            stale: false,
        }
    }

    #[test]
    fn the_filter_matches_name_number_and_state() {
        let r = row("Support", Some(RegistrationState::AwaitingDisplayName));
        assert!(matches_filter(&r, ""));
        assert!(matches_filter(&r, "supp"));
        assert!(matches_filter(&r, "5550101"));
        assert!(matches_filter(&r, "review"));
        assert!(!matches_filter(&r, "sales"));
        assert!(matches_filter(&row("X", None), "no data"));
    }
}
