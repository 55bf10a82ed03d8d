//! The notification bell in the header: the unread count, the latest alerts, "Mark all read".
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::form::action_url;

/// The bell drawn as markup (no emoji font needed; not hydrated element by element).
const BELL_PATH: &str = r#"<path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" fill="currentColor"></path>"#;
use stylers_macro::style;

use crate::activity::{
    badge_level, severity_label, severity_level, unread_badge, utc_minutes, NotificationList,
};
use crate::api::MarkNotificationsRead;
use crate::components::badge::Badge;
use crate::tr;

/// The bell for the account, drawn on the server from the notifications read with the page. It
/// opens and closes without JavaScript (a `<details>` menu; Esc and outside clicks close it too
/// once the menus' island runs); "Mark all read" is a plain form post answered with the page.
#[component]
pub fn NotificationBell(account_id: i64, list: NotificationList) -> impl IntoView {
    let class = style! {
        .bell {
            position: relative;
            margin-left: auto;
        }
        .bell summary {
            cursor: pointer;
            list-style: none;
            padding: 0.25rem 0.5rem;
        }
        .count {
            display: inline-block;
            min-width: 1.25rem;
            margin-left: 0.2rem;
            padding: 0 0.35rem;
            border-radius: 999px;
            background: var(--bad);
            color: white;
            font-size: 0.75rem;
            font-weight: 700;
            text-align: center;
        }
        .panel {
            position: absolute;
            right: 0;
            z-index: 10;
            width: min(24rem, 90vw);
            max-height: 70vh;
            overflow: auto;
            padding: 0.75rem;
            background: var(--surface);
            border: 1px solid var(--line);
            border-radius: 0.5rem;
            box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
        }
        .items {
            list-style: none;
            padding: 0;
            margin: 0.5rem 0 0;
        }
        .items li {
            padding: 0.5rem 0;
            border-top: 1px solid var(--line);
        }
        .unread .title {
            font-weight: 700;
        }
        .title {
            margin: 0.25rem 0 0;
        }
        .meta {
            margin: 0.15rem 0 0;
            color: var(--muted);
            font-size: 0.8rem;
        }
    };
    let l = crate::locale();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    view! { class = class,
        <details class="bell" id="bell" data-menu="">
            {{
                    let badge = unread_badge(list.unread);
                    let label = tr!(l, shell.bell.label_unread, n = list.unread);
                    let all_read = list.items.iter().all(|n| n.read);
                    view! { class = class,
                        <summary aria-label=label id="bell-button">
                            <svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" inner_html=BELL_PATH></svg>
                            {(!badge.is_empty()).then(|| view! { class = class, <span class="count" id="bell-count">{badge.clone()}</span> })}
                        </summary>
                        <div class="panel" id="notifications">
                            <p class="meta"><a href=format!("/accounts/{account_id}/alerts") id="alerts-page">{tr!(l, shell.bell.all_alerts)}</a></p>
                            {if list.items.is_empty() {
                                Either::Left(view! { class = class, <p class="meta" id="notifications-empty">{tr!(l, shell.bell.empty)}</p> })
                            } else {
                                Either::Right(view! { class = class,
                                    <form action=action_url(mark) method="post">
                                        <input type="hidden" name="account_id" value=account_id/>
                                        <button type="submit" id="mark-all-read" disabled=all_read>{tr!(l, shell.bell.mark_all_read)}</button>
                                    </form>
                                    <ul class="items">
                                        {list.items.into_iter().map(|n| {
                                            let href = n.inbox_id.map(|i| format!("/accounts/{account_id}/inboxes/{i}/activity"));
                                            view! { class = class,
                                                <li class=if n.read { "notification" } else { "notification unread" } data-kind=n.kind.clone()>
                                                    <Badge level=badge_level(severity_level(&n.severity)) text=severity_label(&n.severity, l)/>
                                                    <p class="title">
                                                        {match href {
                                                            Some(h) => Either::Left(view! { <a href=h>{n.title.clone()}</a> }),
                                                            None => Either::Right(view! { <span>{n.title.clone()}</span> }),
                                                        }}
                                                    </p>
                                                    <p class="meta">{n.body.clone()}</p>
                                                    <p class="meta"><time>{utc_minutes(n.created_at)}</time></p>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                })
                            }}
                        </div>
                    }
            }}
        </details>
    }
}
