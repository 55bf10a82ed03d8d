//! The Portfolios page: the account's numbers grouped by business portfolio, because since Graph
//! v24 the messaging limit is shared by every number of a portfolio. Each portfolio shows the
//! shared limit, how many numbers it may have, Meta's alerts about it, and its numbers with their
//! verdicts. Everything comes from stored data: the page never waits on Meta.
use leptos::prelude::*;
use leptos_router::components::A;
use stylers_macro::style;

use crate::api::get_portfolios;
use crate::components::badge::Badge;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::format::{phone, short_time};
use crate::i18n::Locale;
use crate::portfolio::{account_alert_severity_label, PortfolioView, PortfoliosView};
use crate::tr;

/// The page. The resource is created here, outside any suspense (hydration).
#[component]
pub fn PortfoliosPage() -> impl IntoView {
    let l = crate::locale();
    let account_id = use_account_id();
    let data = Resource::new(
        move || account_id.get(),
        |a| async move {
            match a {
                Some(a) => get_portfolios(a).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <leptos_meta::Title text=crate::components::status::page_title(&tr!(l, portfolios.title))/>
        <h1>{tr!(l, portfolios.title)}</h1>
        <p class="muted intro">{tr!(l, portfolios.intro)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) if v.portfolios.is_empty() => view! {
                        <p class="empty" id="no-portfolios">{tr!(l, portfolios.empty)}</p>
                    }.into_any(),
                    Ok(v) => view! { <Portfolios view=v/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Portfolios(view: PortfoliosView) -> impl IntoView {
    let account_id = view.account_id;
    view! {
        {view.portfolios.into_iter().map(|p| view! { <Portfolio p=p account_id=account_id/> }).collect_view()}
    }
}

#[component]
fn Portfolio(p: PortfolioView, account_id: i64) -> impl IntoView {
    let class = style! {
        .facts {
            display: flex;
            flex-wrap: wrap;
            gap: 0.5rem 2rem;
            margin: 0 0 0.75rem;
        }
        .facts div {
            min-width: 10rem;
        }
        .facts dt {
            font-size: 0.85rem;
            color: var(--muted);
        }
        .facts dd {
            margin: 0;
            font-weight: 600;
        }
        .alerts {
            list-style: none;
            padding: 0;
            margin: 0 0 0.75rem;
        }
        .alerts li {
            margin: 0.25rem 0;
        }
        .numbers {
            width: 100%;
        }
        .numbers td {
            overflow-wrap: anywhere;
        }
    };
    let l = crate::locale();
    let heading = match (&p.name, &p.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => tr!(l, portfolios.portfolio_id, id = id),
        (None, None) => tr!(l, portfolios.unknown.heading),
    };
    let dom_id = format!(
        "portfolio-{}",
        p.id.clone().unwrap_or_else(|| "unknown".into())
    );
    let unknown = p.id.is_none();
    let url = p.whatsapp_manager_url.clone();
    // Each part is its own view (`into_any`): one typed view of the whole section is too deep a
    // type for the compiler.
    let facts = facts(&p, l).into_any();
    let alerts = alerts(&p, l).into_any();
    let numbers = numbers(&p, account_id, l).into_any();
    view! { class = class,
        <section class="card portfolio" id=dom_id aria-label=heading.clone()>
            <h2>{heading.clone()}</h2>
            {unknown.then(|| view! {
                <p class="muted">{tr!(l, portfolios.unknown.explanation)}</p>
            })}
            {facts}
            {alerts}
            {numbers}
            <p><a href=url target="_blank" rel="noopener noreferrer">{tr!(l, portfolios.open_manager)}</a></p>
        </section>
    }
}

/// The shared limit, the number cap and the portfolio id.
fn facts(p: &PortfolioView, l: Locale) -> impl IntoView {
    let (limit_text, limit_level) = crate::format::messaging_limit(p.messaging_limit.as_deref(), l);
    let as_of = p.messaging_limit_as_of.clone();
    let cap = p
        .max_phone_numbers
        .map(|n| n.to_string())
        .unwrap_or_else(|| tr!(l, portfolios.not_reported));
    let id = p.id.clone();
    view! {
        <dl class="facts">
            <div>
                <dt>{tr!(l, portfolios.facts.limit)}</dt>
                <dd class="limit">
                    <Badge level=limit_level text=limit_text/>
                    {as_of.map(|t| view! {
                        " " <span class="muted">{format!("{} ", tr!(l, portfolios.facts.as_of))} <time datetime=t.clone()>{short_time(&t, l)}</time></span>
                    })}
                </dd>
            </div>
            <div>
                <dt>{tr!(l, portfolios.facts.cap)}</dt>
                <dd class="cap">{cap}</dd>
            </div>
            {id.map(|id| view! { <div><dt>{tr!(l, portfolios.facts.id)}</dt><dd>{id}</dd></div> })}
        </dl>
    }
}

/// Meta's `account_alerts` in force, in words.
fn alerts(p: &PortfolioView, l: Locale) -> impl IntoView {
    let list = p.alerts.clone();
    (!list.is_empty()).then(|| view! {
        <h3>{tr!(l, portfolios.alerts)}</h3>
        <ul class="alerts">
            {list.into_iter().map(|a| view! {
                <li data-alert-type=a.alert_type.clone()>
                    <Badge level=a.level text=account_alert_severity_label(a.severity.as_deref(), l)/>
                    " " <strong>{a.title.clone()}</strong> ". " {a.advice.clone()}
                    {a.description.clone().map(|d| view! { <br/><span class="muted">{tr!(l, portfolios.meta_said, text = d)}</span> })}
                    " " <time class="muted" datetime=a.since.clone()>{short_time(&a.since, l)}</time>
                </li>
            }.into_any()).collect_view()}
        </ul>
    })
}

/// The portfolio's numbers with their verdicts, worst first.
fn numbers(p: &PortfolioView, account_id: i64, l: Locale) -> impl IntoView {
    let list = p.numbers.clone();
    view! {
        <table class="table numbers">
            <caption class="visually-hidden">{tr!(l, portfolios.numbers.caption)}</caption>
            <thead><tr>
                <th>{tr!(l, portfolios.numbers.verdict)}</th>
                <th>{tr!(l, portfolios.numbers.number)}</th>
                <th>{tr!(l, portfolios.numbers.waba)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|n| {
                    let href = format!("/accounts/{account_id}/inboxes/{}/health", n.inbox_id);
                    view! {
                        <tr data-inbox=n.inbox_id data-verdict=n.verdict.as_str()>
                            <td>
                                <Badge level=n.verdict.level() text=n.verdict.label_in(crate::locale())/>
                                " " <span class="reason">{n.reason.clone()}</span>
                            </td>
                            <td>
                                <A href=href><strong>{n.name.clone()}</strong></A>
                                " " <span class="muted">{phone(&n.phone_number)}</span>
                            </td>
                            <td>{n.business_account_id.clone()}</td>
                        </tr>
                    }.into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}
