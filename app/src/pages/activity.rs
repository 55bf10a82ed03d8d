//! The inbox's Activity tab: every registration attempt, webhook, state change and alert, newest
//! first.
use leptos::prelude::*;
use stylers_macro::style;

use crate::activity::{badge_level, kind_label, utc_minutes, ActivityItem};
use crate::api::get_inbox_activity;
use crate::components::badge::Badge;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::pages::inbox::{use_inbox_id, InboxHealth};

/// The tab. The resource is created here, outside any suspense (hydration).
#[component]
pub fn ActivityTab() -> impl IntoView {
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    // Follows the inbox page's reloads (e.g. after Complete registration).
    let reload = use_context::<InboxHealth>().map(|h| h.reload);
    let data = Resource::new(
        move || {
            (
                account_id.get(),
                inbox_id.get(),
                reload.map(|r| r.get()).unwrap_or_default(),
            )
        },
        |(a, i, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_activity(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <section aria-label="Activity" id="activity">
            <Transition fallback=|| view! { <Loading text="Loading the activity…"/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(items) if items.is_empty() => view! {
                            <p class="notice" id="activity-empty" role="status">
                                "Nothing yet: registration attempts, Meta's webhooks, changes and alerts will be listed here."
                            </p>
                        }.into_any(),
                        Ok(items) => view! { <ActivityList items=items/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The list of items.
#[component]
pub fn ActivityList(items: Vec<ActivityItem>) -> impl IntoView {
    let class = style! {
        .list {
            list-style: none;
            padding: 0;
            margin: 0;
        }
        .item {
            display: flex;
            gap: 0.75rem;
            align-items: flex-start;
            padding: 0.65rem 0;
            border-bottom: 1px solid var(--line);
        }
        .kind {
            min-width: 8.5rem;
        }
        .title {
            margin: 0;
            font-weight: 600;
        }
        .detail {
            margin: 0.2rem 0 0;
        }
        .meta {
            margin: 0.2rem 0 0;
            color: var(--muted);
            font-size: 0.875rem;
        }
    };
    view! { class = class,
        <ol class="list" id="activity-list">
            {items.into_iter().map(|i| view! { class = class,
                <li class="item activity-item" data-kind=i.kind.clone() id=format!("activity-{}", i.id)>
                    <span class="kind"><Badge level=badge_level(&i.level) text=kind_label(&i.kind)/></span>
                    <div>
                        <p class="title">{i.title.clone()}</p>
                        {i.detail.clone().map(|d| view! { class = class, <p class="detail">{d}</p> })}
                        <p class="meta">
                            <time>{utc_minutes(i.at)}</time>
                            {i.actor.clone().map(|a| format!(" · {a}"))}
                        </p>
                    </div>
                </li>
            }).collect_view()}
        </ol>
    }
}
