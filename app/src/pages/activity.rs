//! The inbox's Activity tab: every registration attempt, webhook, state change and alert, newest
//! first.
use leptos::prelude::*;
use stylers_macro::style;

use crate::activity::WebhookCheckView;
use crate::activity::{badge_level, kind_label, utc_minutes, ActivityItem};
use crate::api::{get_inbox_activity, get_webhook_check, RepairWebhooks};
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
    let repair = ServerAction::<RepairWebhooks>::new();
    let check = Resource::new(
        move || (account_id.get(), inbox_id.get(), repair.version().get()),
        |(a, i, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_webhook_check(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <WebhookCheckPanel check=check repair=repair
            account_id=Signal::derive(move || account_id.get().unwrap_or_default())
            inbox_id=Signal::derive(move || inbox_id.get().unwrap_or_default())/>
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

/// The webhook self-check: does Meta send this number's webhooks to Greenlight? With **Repair**
/// for administrators.
#[component]
pub fn WebhookCheckPanel(
    check: Resource<Result<WebhookCheckView, AppError>>,
    repair: ServerAction<RepairWebhooks>,
    account_id: Signal<i64>,
    inbox_id: Signal<i64>,
) -> impl IntoView {
    use crate::health::BadgeLevel;
    view! {
        <section aria-label="Webhooks" id="webhook-check" class="card">
            <h2>"Meta webhooks"</h2>
            <Suspense fallback=|| view! { <Loading text="Checking Meta's webhook settings…"/> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(c) => {
                            let (level, text) = if c.healthy() {
                                (BadgeLevel::Good, "Meta sends this number's webhooks to Greenlight")
                            } else if c.error.is_some() {
                                (BadgeLevel::Unknown, "Could not check")
                            } else {
                                (BadgeLevel::Attention, "Meta does not send this number's webhooks to Greenlight")
                            };
                            let where_to = c.effective_url.clone().map(|u| format!("Meta calls {u}")).unwrap_or_else(|| "No callback URL is set.".into());
                            view! {
                                <p><Badge level=level text=text/></p>
                                <ul>
                                    <li id="webhook-callback">{where_to}{format!(" (Greenlight expects {}).", c.expected_url)}</li>
                                    <li id="webhook-subscribed">{if c.app_subscribed { "The app is subscribed to the WhatsApp Business Account." } else { "The app is not subscribed to the WhatsApp Business Account." }}</li>
                                </ul>
                                {c.error.clone().map(|e| view! { <p class="notice notice-warn" role="alert">{e}</p> })}
                                {move || repair.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                                {(c.viewer_is_admin && !c.healthy()).then(|| view! {
                                    <ActionForm action=repair>
                                        <input type="hidden" name="account_id" value=account_id.get_untracked()/>
                                        <input type="hidden" name="inbox_id" value=inbox_id.get_untracked()/>
                                        <button type="submit" id="repair-webhooks" disabled=move || repair.pending().get()>
                                            {move || if repair.pending().get() { "Repairing…" } else { "Repair" }}
                                        </button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
