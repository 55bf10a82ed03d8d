//! `/accounts/:id/inboxes`: every WhatsApp number of the account, worst first, filterable, and the
//! form that adds one (administrators).
use leptos::prelude::*;

use crate::components::form::action_url;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::{get_inbox_overview, CreateInbox};
use crate::components::badge::Badge;
use crate::components::form::{field_message, form_message, Field};
use crate::components::setup::follow_setup;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::format::{short_time, state_label};
use crate::health::Verdict;
use crate::i18n::Locale;
use crate::tr;
use crate::views::{InboxRowView, SetupStatus};

/// Everything a row shows that the filter searches (name, number, verdict and its reason,
/// registration state, badges, setup problem), lowercased, one field per line. The server writes
/// it on the row, so the browser filters without the rows' data.
pub fn search_text(row: &InboxRowView, l: Locale) -> String {
    let state = row
        .state
        .map(|s| state_label(s, l))
        .unwrap_or_else(|| tr!(l, inboxes.no_data));
    let mut fields: Vec<String> = vec![
        row.name.clone(),
        row.phone_number.clone(),
        crate::format::phone(&row.phone_number),
        state,
        row.verdict.verdict.label_in(l),
        row.verdict.reason.clone(),
    ];
    fields.extend(row.setup.message(l));
    fields.extend(row.badges.iter().map(|b| b.value.clone()));
    fields.join("\n").to_lowercase()
}

/// True when a row's [`search_text`] matches the filter as typed (blank: every row).
pub fn matches_filter(search_text: &str, filter: &str) -> bool {
    search_text.contains(&filter.trim().to_lowercase())
}

/// True when a row of verdict `verdict` (its `data-verdict`) shows under the chip chosen
/// (`None`: every verdict).
pub fn matches_verdict(verdict: &str, chosen: Option<Verdict>) -> bool {
    chosen.is_none_or(|v| v.as_str() == verdict)
}

/// A summary chip's words: how many numbers have the verdict `v` ("2 blocked").
pub fn verdict_count(v: Verdict, n: usize, l: Locale) -> String {
    match v {
        Verdict::Blocked => tr!(l, inboxes.count.blocked, n = n),
        Verdict::NeedsAttention => tr!(l, inboxes.count.needs_attention, n = n),
        Verdict::WaitingOnMeta => tr!(l, inboxes.count.waiting_on_meta, n = n),
        Verdict::Unknown => tr!(l, inboxes.count.unknown, n = n),
        Verdict::Healthy => tr!(l, inboxes.count.healthy, n = n),
    }
}

/// The account's numbers.
#[component]
pub fn InboxesPage() -> impl IntoView {
    let account_id = use_account_id();
    let create = ServerAction::<CreateInbox>::new();
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u32>().ok());
    let overview = Resource::new(
        move || (account_id.get(), page()),
        |(id, page)| async move {
            match id {
                Some(id) => get_inbox_overview(id, page).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let l = crate::locale();
    view! {
        <leptos_meta::Title text=crate::components::status::page_title(&tr!(l, inboxes.title))/>
        <h1>{tr!(l, inboxes.title)}</h1>
        <Transition fallback=move || view! { <Loading text=tr!(l, inboxes.loading)/> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(o) => {
                        let admin = o.viewer_is_admin;
                        let account = o.account_id;
                        let rows = o.rows.clone();
                        let empty = rows.is_empty();
                        let pager = (o.pages() > 1).then(|| view! { <Pager overview=o.clone()/> });
                        let counts = o.counts.clone();
                        view! {
                            // Administrators only; the form lives below the table (the link opens it).
                            {admin.then(|| view! {
                                <div class="page-actions">
                                    <a class="button primary" id="add-number" href="#add-inbox">{tr!(l, inboxes.add_number)}</a>
                                </div>
                            })}
                            {if empty {
                                view! {
                                    <section class="card empty" id="no-inboxes">
                                        <p>{if admin { tr!(l, inboxes.empty_admin) } else { tr!(l, inboxes.empty_agent) }}</p>
                                    </section>
                                }.into_any()
                            } else {
                                view! {
                                    <OverviewFilter counts=counts>
                                        <OverviewTable account_id=account rows=rows/>
                                    </OverviewFilter>
                                    {pager}
                                }.into_any()
                            }}
                            {admin.then(|| view! { <AddInbox account_id=account action=create/> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The row's setup problem, or "still running" followed until the setup ends (then it goes).
/// An island of its own inside the table.
#[island]
fn SetupLine(setup: SetupStatus, account_id: i64, inbox_id: i64) -> impl IntoView {
    let status = RwSignal::new(setup);
    follow_setup(status, account_id, inbox_id);
    move || {
        status.with(|s| {
            s.message(crate::locale())
                .map(|text| view! { <p class="field-error" data-setup=s.as_str()>{text}</p> })
        })
    }
}

/// The summary chips and the filter around the table (its `children`, drawn on the server): an
/// island that hides the rows that do not match, by their `data-search` and `data-verdict`.
#[island]
fn OverviewFilter(counts: Vec<(Verdict, usize)>, children: Children) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Verdict>);
    let none_match = RwSignal::new(false);
    // Effects run in the browser only: the server draws every row shown.
    Effect::new(move |_| {
        let (f, c) = (filter.get(), chosen.get());
        none_match.set(!show_matching_rows(&f, c));
    });
    let l = crate::locale();
    view! {
        <Summary counts=counts chosen=chosen/>
        <label class="filter">{format!("{} ", tr!(l, inboxes.filter))}
            <input type="search" id="inbox-filter" placeholder=tr!(l, inboxes.filter_placeholder)
                on:input=move |ev| filter.set(event_target_value(&ev))/>
        </label>
        {children()}
        <p class="notice" id="no-match" role="status" style:display=move || if none_match.get() { "" } else { "none" }>
            {tr!(l, inboxes.no_match)}
        </p>
    }
}

/// Shows the overview's rows that match and hides the others; whether any matched.
fn show_matching_rows(filter: &str, chosen: Option<Verdict>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(rows) = document().query_selector_all("#inbox-overview tbody tr") else {
            return true;
        };
        let mut any = false;
        for i in 0..rows.length() {
            let Some(row) = rows
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            let text = row.get_attribute("data-search").unwrap_or_default();
            let verdict = row.get_attribute("data-verdict").unwrap_or_default();
            let shown = matches_filter(&text, filter) && matches_verdict(&verdict, chosen);
            any |= shown;
            let _ = row
                .style()
                .set_property("display", if shown { "" } else { "none" });
        }
        any
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (filter, chosen);
        true
    }
}

/// "2 blocked · 3 need attention · 6 healthy": each part a chip that shows only those numbers
/// (pressed again, all of them). Counts cover every page.
#[component]
fn Summary(counts: Vec<(Verdict, usize)>, chosen: RwSignal<Option<Verdict>>) -> impl IntoView {
    let l = crate::locale();
    view! {
        <div class="summary" id="verdict-summary" role="group" aria-label=tr!(l, inboxes.summary_label)>
            {counts.into_iter().map(|(v, n)| {
                let words = verdict_count(v, n, l);
                view! {
                    <button type="button" class=format!("chip chip-{}", v.level().as_str())
                        data-verdict=v.as_str()
                        aria-pressed=move || if chosen.get() == Some(v) { "true" } else { "false" }
                        on:click=move |_| chosen.update(|c| *c = if *c == Some(v) { None } else { Some(v) })>
                        {words}
                    </button>
                }
            }).collect_view()}
        </div>
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
    let l = crate::locale();
    view! {
        <nav class="pager" id="overview-pager" aria-label=tr!(l, inboxes.pager.label)>
            {prev.map(|href| view! { <A href=href attr:rel="prev">{tr!(l, inboxes.pager.previous)}</A> })}
            <span>{tr!(l, inboxes.pager.range, first = first, last = last, total = overview.total)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">{tr!(l, inboxes.pager.next)}</A> })}
        </nav>
    }
}

/// The numbers of this page, worst first (drawn on the server; [`OverviewFilter`] filters them).
#[component]
fn OverviewTable(account_id: i64, rows: Vec<InboxRowView>) -> impl IntoView {
    let l = crate::locale();
    view! {
        <table class="table overview" id="inbox-overview">
            <thead>
                <tr>
                    <th>{tr!(l, inboxes.table.verdict)}</th><th>{tr!(l, inboxes.table.number)}</th>
                    <th>{tr!(l, inboxes.table.signals)}</th><th>{tr!(l, inboxes.table.last_checked)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let search = search_text(&row, l);
                    let href = format!("/accounts/{account_id}/inboxes/{}/health", row.id);
                    let v = row.verdict.clone();
                    view! {
                        <tr data-level=row.level.as_str() data-inbox=row.id data-verdict=v.verdict.as_str()
                            data-search=search>
                            <td class="verdict-cell">
                                <Badge level=v.verdict.level() text=v.verdict.label_in(crate::locale())/>
                                <span class="reason">{v.reason.clone()}</span>
                            </td>
                            <td>
                                <A href=href><strong>{row.name.clone()}</strong></A>
                                " " <span class="muted">{crate::format::phone(&row.phone_number)}</span>
                                <SetupLine setup=row.setup.clone() account_id=account_id inbox_id=row.id/>
                            </td>
                            <td class="badges">
                                {row.badges.iter().map(|b| view! {
                                    <span class="mini"><span class="muted">{b.label.clone()}": "</span><Badge level=b.level text=b.value.clone()/></span>
                                }).collect_view()}
                            </td>
                            <td>
                                {match (row.checked_at.clone(), row.checked_ago.clone()) {
                                    (Some(t), Some(ago)) => view! {
                                        <time datetime=t.clone() title=short_time(&t, l)>{ago}</time>
                                    }.into_any(),
                                    (Some(t), None) => short_time(&t, l).into_any(),
                                    (None, _) => tr!(l, inboxes.never).into_any(),
                                }}
                                {row.stale.then(|| view! { " " <Badge level=crate::health::BadgeLevel::Attention text=tr!(l, inboxes.stale)/> })}
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

/// The form that adds a number: a plain form post (the server answers with the overview, or with
/// the page again and the error next to its field).
#[component]
fn AddInbox(account_id: i64, action: ServerAction<CreateInbox>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let msg = move |f: &'static str| Signal::derive(move || field_message(&error.get(), f));
    let l = crate::locale();
    view! {
        <details class="card" id="add-inbox" open=move || error.get().is_some()>
            <summary><strong>{tr!(l, inboxes.add.heading)}</strong></summary>
            <p class="muted">{tr!(l, inboxes.add.intro)}</p>
            <form action=action_url(action) method="post" id="add-inbox-form">
                <input type="hidden" name="account_id" value=account_id/>
                <Field name="name" label=tr!(l, inboxes.add.name) maxlength=100 error=msg("name")/>
                <Field name="phone_number" label=tr!(l, inboxes.add.phone) kind="tel" error=msg("phone_number")/>
                <Field name="phone_number_id" label=tr!(l, inboxes.add.phone_id) error=msg("phone_number_id")/>
                <Field name="business_account_id" label=tr!(l, inboxes.add.waba_id) error=msg("business_account_id")/>
                <Field name="api_key" label=tr!(l, inboxes.add.token) kind="password" autocomplete="off" error=msg("api_key")/>
                <p class="form-error" role="alert">{move || form_message(&error.get(), &INBOX_FIELDS)}</p>
                <button type="submit" class="primary">{tr!(l, inboxes.add.submit)}</button>
            </form>
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
            verdict: Default::default(),
            badges: vec![],
            setup: Default::default(),
            checked_at: None,
            checked_ago: None,
            stale: false,
        }
    }

    #[test]
    fn the_filter_matches_name_number_and_state() {
        let r = search_text(
            &row("Support", Some(RegistrationState::AwaitingDisplayName)),
            Locale::en,
        );
        assert!(matches_filter(&r, ""));
        assert!(matches_filter(&r, " SUPP "));
        assert!(matches_filter(&r, "5550101"));
        assert!(matches_filter(&r, "review"));
        assert!(!matches_filter(&r, "sales"));
        let unchecked = search_text(&row("X", None), Locale::en);
        assert!(matches_filter(&unchecked, "no data"));
        assert!(
            matches_filter(&r, "not checked yet"),
            "the verdict's reason is searched"
        );
        assert!(matches_verdict("healthy", None));
        assert_eq!(
            verdict_count(Verdict::NeedsAttention, 3, Locale::en),
            "3 needs attention"
        );
        assert_eq!(
            verdict_count(Verdict::Blocked, 2, Locale::pt_BR),
            "Bloqueados: 2"
        );
        assert!(!matches_verdict("unknown", Some(Verdict::Blocked)));
        assert!(matches_verdict("blocked", Some(Verdict::Blocked)));
    }
}
