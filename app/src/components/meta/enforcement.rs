//! Enforcement on the number's WhatsApp Business account (`account_update`): each restriction, ban,
//! violation or disconnection in plain words, with its countdown, the numbers it affects and Meta's
//! page to see why and appeal. Shown only while something is in force.
use leptos::prelude::*;
use stylers_macro::style;

use crate::components::badge::Badge;
use crate::format::short_time;
use crate::meta::EnforcementView;
use crate::tr;

/// The section; nothing when no enforcement is in force.
#[component]
pub fn EnforcementSection(items: Vec<EnforcementView>, affected: Vec<String>) -> impl IntoView {
    let class = style! {
        .items {
            list-style: none;
            padding: 0;
            margin: 0.6rem 0 0;
            display: grid;
            gap: 0.5rem;
        }
        .item {
            border: 1px solid var(--line);
            border-radius: var(--radius);
            padding: 0.5rem 0.75rem;
        }
        .countdown {
            font-weight: 600;
        }
    };
    if items.is_empty() {
        return ().into_any();
    }
    let l = crate::locale();
    view! { class = class,
        <section class="card" id="enforcement" aria-labelledby="enforcement-title">
            <h2 id="enforcement-title">{tr!(l, meta.enforcement.heading)}</h2>
            <ul class="items">
                {items.into_iter().map(|e| {
                    let label = e.level.word_in(crate::locale());
                    view! { class = class,
                        <li class="item" data-kind=e.kind.clone() data-code=e.code.clone()>
                            <Badge level=e.level text=label/>" "<strong>{e.title.clone()}</strong>
                            <p>{e.explanation.clone()}</p>
                            {e.until.clone().map(|u| view! { class = class,
                                <p class="countdown" data-until=u.clone()>
                                    {countdown_line(&e, &u, l)}
                                </p>
                            })}
                            <a href=e.remediation_url.clone() target="_blank" rel="noopener noreferrer">
                                {tr!(l, meta.enforcement.appeal)}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!affected.is_empty()).then(|| view! { class = class,
                <p id="affected-numbers">{tr!(l, meta.enforcement.affects, numbers = affected.join(", "))}</p>
            })}
        </section>
    }
    .into_any()
}

/// "Ends in 2 d 3 h (22/11/2026 01:02 UTC)", or "Takes effect ..." for a scheduled ban.
fn countdown_line(e: &EnforcementView, until: &str, l: crate::i18n::Locale) -> String {
    let when = e.countdown.clone().unwrap_or_default();
    let at = short_time(until, l);
    if e.kind == "ban" {
        tr!(l, meta.enforcement.takes_effect, when = when, at = at)
    } else {
        tr!(l, meta.enforcement.ends, when = when, at = at)
    }
}
