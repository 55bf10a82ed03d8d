//! The inbox's Activity tab: every registration attempt, webhook, state change and alert, newest
//! first.
use leptos::prelude::*;

use crate::components::form::action_url;
use stylers_macro::style;

use crate::activity::{badge_level, kind_label, utc_minutes, ActivityItem};
use crate::activity::{WebhookCheckView, WebhookRoute};
use crate::api::{get_inbox_activity, RepairWebhooks};
use crate::components::badge::Badge;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::pages::inbox::use_inbox_id;
use crate::tr;

/// The tab. The resource is created here, outside any suspense (hydration).
#[component]
pub fn ActivityTab() -> impl IntoView {
    let l = crate::locale();
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    let data = Resource::new(
        move || (account_id.get(), inbox_id.get()),
        |(a, i)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_activity(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <section aria-label=tr!(l, activity.tab.label) id="activity">
            <Transition fallback=move || view! { <Loading text=tr!(l, activity.tab.loading)/> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(items) if items.is_empty() => view! {
                            <p class="notice" id="activity-empty" role="status">
                                {tr!(l, activity.tab.empty)}
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
    let l = crate::locale();
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
                    <span class="kind"><Badge level=badge_level(&i.level) text=kind_label(&i.kind, l)/></span>
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
    /// The Repair form posts to it.
    repair: ServerAction<RepairWebhooks>,
    /// Why the last Repair failed (a plain form post comes back with it).
    repair_error: Option<AppError>,
    /// The account's and the inbox's ids.
    ids: (i64, i64),
) -> impl IntoView {
    use crate::health::BadgeLevel;
    let (account_id, inbox_id) = ids;
    let l = crate::locale();
    view! {
        <section aria-label=tr!(l, activity.webhooks.label) id="webhook-check" class="card">
            <h2>{tr!(l, activity.webhooks.heading)}</h2>
            <Suspense fallback=move || view! { <Loading text=tr!(l, activity.webhooks.checking)/> }>
                {move || {
                    let repair_error = repair_error.clone();
                    Suspend::new(async move {
                    match check.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        // Meta has not answered yet: no facts to show; the page checks again.
                        Ok(c) if c.checking => view! {
                            <p class="notice" id="webhook-message" role="status">{c.message.clone()}</p>
                        }.into_any(),
                        // A failed check knows nothing: say so, show no facts and no Repair.
                        Ok(c) if c.error.is_some() => view! {
                            <p><Badge level=BadgeLevel::Unknown text=tr!(l, activity.webhooks.could_not_check)/></p>
                            <p class="notice notice-warn" id="webhook-error" role="alert">{c.error.clone()}</p>
                        }.into_any(),
                        Ok(c) => {
                            let (level, text) = match c.route {
                                WebhookRoute::Greenlight => (BadgeLevel::Good, tr!(l, activity.webhooks.route_greenlight)),
                                WebhookRoute::OtherApp => (BadgeLevel::Unknown, tr!(l, activity.webhooks.route_other_app)),
                                WebhookRoute::NotSubscribed | WebhookRoute::Unknown => (BadgeLevel::Attention, tr!(l, activity.webhooks.route_nowhere)),
                            };
                            let where_to = c.effective_url.clone().map(|u| tr!(l, activity.webhooks.callback, url = u)).unwrap_or_else(|| tr!(l, activity.webhooks.no_callback));
                            view! {
                                <p><Badge level=level text=text/></p>
                                <p id="webhook-message">{c.message.clone()}</p>
                                {(!c.steps.is_empty()).then(|| view! {
                                    <ol id="webhook-steps">{c.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ol>
                                })}
                                <ul>
                                    {c.token_app_name.clone().map(|n| view! {
                                        <li id="webhook-token-app">{tr!(l, activity.webhooks.token_app, name = n)}</li>
                                    })}
                                    <li id="webhook-callback">{where_to}</li>
                                    <li id="webhook-subscribed">{if c.app_subscribed { tr!(l, activity.webhooks.subscribed) } else { tr!(l, activity.webhooks.not_subscribed) }}</li>
                                </ul>
                                {repair_error.map(|e| view! { <ErrorNotice error=e/> })}
                                {(c.viewer_is_admin && !c.healthy()).then(|| view! {
                                    <form action=action_url(repair) method="post">
                                        <input type="hidden" name="account_id" value=account_id/>
                                        <input type="hidden" name="inbox_id" value=inbox_id/>
                                        <button type="submit" id="repair-webhooks">{tr!(l, activity.webhooks.repair)}</button>
                                    </form>
                                })}
                            }.into_any()
                        }
                    }
                })}}
            </Suspense>
        </section>
    }
}

/// The account's alerts: the signed-in user's notifications and, for administrators, the
/// outgoing alert webhooks (add, send a test, remove; the latest deliveries with status codes).
#[component]
pub fn AlertsPage() -> impl IntoView {
    let l = crate::locale();
    let account_id = use_account_id();
    let create = ServerAction::<CreateAlertWebhook>::new();
    let delete = ServerAction::<DeleteAlertWebhook>::new();
    let test = ServerAction::<TestAlertWebhook>::new();
    // The forms are plain posts: the server answers with this page again, read afresh.
    let hooks = Resource::new(
        move || account_id.get(),
        |a| async move {
            match a {
                Some(a) => list_alert_webhooks(a).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let notes = Resource::new(
        move || account_id.get(),
        |a| async move {
            match a {
                Some(a) => crate::api::get_notifications(a).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let aid = move || account_id.get().unwrap_or_default();
    view! {
        <leptos_meta::Title text=crate::components::status::page_title(&tr!(l, activity.alerts_page.title))/>
        <h1>{tr!(l, activity.alerts_page.title)}</h1>
        <section class="card" id="alert-notifications" aria-label=tr!(l, activity.alerts_page.notifications)>
            <h2>{tr!(l, activity.alerts_page.notifications)}</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match notes.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.items.is_empty() => view! { <p class="empty">{tr!(l, activity.alerts_page.no_alerts)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul>
                                {list.items.into_iter().map(|n| {
                                    // Each alert leads to the inbox it is about (its Activity tab).
                                    let href = n.inbox_id.map(|i| format!("/accounts/{}/inboxes/{i}/activity", aid()));
                                    view! {
                                        <li class="alert-item" data-kind=n.kind.clone()>
                                            <Badge level=badge_level(crate::activity::severity_level(&n.severity)) text=crate::activity::severity_label(&n.severity, l)/>
                                            " "
                                            {match href {
                                                Some(h) => view! { <a href=h><strong>{n.title.clone()}</strong></a> }.into_any(),
                                                None => view! { <strong>{n.title.clone()}</strong> }.into_any(),
                                            }}
                                            " — " {n.body} " "
                                            <time class="muted">{utc_minutes(n.created_at)}</time>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        // Administrators only: an agent is refused the list, and then sees no section and no form.
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match hooks.await {
                    Err(AppError::Forbidden) => ().into_any(),
                    Err(e) => view! {
                        <section class="card" id="alert-webhooks" aria-label=tr!(l, activity.alerts_page.webhooks)>
                            <h2>{tr!(l, activity.alerts_page.webhooks)}</h2>
                            <ErrorNotice error=e/>
                        </section>
                    }.into_any(),
                    Ok(list) => view! { <AlertWebhooks list=list account_id=aid() create=create delete=delete test=test/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The account's outgoing alert webhooks with their latest deliveries, and the form that adds one.
#[component]
fn AlertWebhooks(
    list: Vec<crate::activity::AlertWebhookView>,
    account_id: i64,
    create: ServerAction<CreateAlertWebhook>,
    delete: ServerAction<DeleteAlertWebhook>,
    test: ServerAction<TestAlertWebhook>,
) -> impl IntoView {
    let l = crate::locale();
    let aid = account_id;
    view! {
        <section class="card" id="alert-webhooks" aria-label=tr!(l, activity.alerts_page.webhooks)>
            <h2>{tr!(l, activity.alerts_page.webhooks)}</h2>
            <p class="muted">{tr!(l, activity.alerts_page.webhooks_help, hex = "<hex>")}</p>
            {list.is_empty().then(|| view! { <p class="empty" id="no-alert-webhooks">{tr!(l, activity.alerts_page.no_webhooks)}</p> })}
            <ul id="alert-webhook-list">
                {list.into_iter().map(|h| view! {
                    <li class="alert-webhook">
                        <code>{h.url.clone()}</code> " (" {h.format.clone()} ") "
                        <form action=action_url(test) method="post">
                            <input type="hidden" name="account_id" value=aid/>
                            <input type="hidden" name="id" value=h.id/>
                            <button type="submit">{tr!(l, activity.alerts_page.send_test)}</button>
                        </form>
                        <form action=action_url(delete) method="post">
                            <input type="hidden" name="account_id" value=aid/>
                            <input type="hidden" name="id" value=h.id/>
                            <button type="submit">{tr!(l, activity.alerts_page.remove)}</button>
                        </form>
                        <ul class="deliveries">
                            {h.recent.into_iter().map(|d| view! {
                                <li>
                                    {utc_minutes(d.updated_at)} " · " {crate::activity::delivery_status_label(&d.status, l)}
                                    {d.status_code.map(|c| format!(" · HTTP {c}"))}
                                    {d.error.clone().map(|e| format!(" · {e}"))}
                                    {tr!(l, activity.alerts_page.attempts, n = d.attempts)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
            {create.value().get_untracked().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            {test.value().get_untracked().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <form action=action_url(create) method="post" id="add-alert-webhook-form">
                <input type="hidden" name="account_id" value=aid/>
                <div class="field">
                    <label for="hook-url">{tr!(l, activity.alerts_page.url)}</label>
                    <input id="hook-url" name="url" type="url" required placeholder="https://hooks.example.com/greenlight"/>
                </div>
                <div class="field">
                    <label for="hook-secret">{tr!(l, activity.alerts_page.secret)}</label>
                    <input id="hook-secret" name="secret" type="password" required minlength="16" autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="hook-format">{tr!(l, activity.alerts_page.format)}</label>
                    <select id="hook-format" name="format">
                        <option value="json">"JSON"</option>
                        <option value="slack">{tr!(l, activity.alerts_page.format_slack)}</option>
                    </select>
                </div>
                <button type="submit" id="add-alert-webhook">{tr!(l, activity.alerts_page.add)}</button>
            </form>
        </section>
    }
}

/// The account's alert webhooks (administrators).
#[server(prefix = "/sfn", endpoint = "alert_webhooks")]
pub async fn list_alert_webhooks(
    account_id: i64,
) -> Result<Vec<crate::activity::AlertWebhookView>, AppError> {
    crate::api::as_signed_in(
        |port, user| async move { port.alert_webhooks(&user, account_id).await },
    )
    .await
}

/// Adds an alert webhook (administrators).
#[server(prefix = "/sfn", endpoint = "create_alert_webhook")]
pub async fn create_alert_webhook(
    account_id: i64,
    url: crate::redact::SecretField,
    secret: crate::redact::SecretField,
    format: String,
) -> Result<(), AppError> {
    let (url, secret) = (url.into_inner(), secret.into_inner());
    crate::api::as_signed_in(|port, user| async move {
        port.create_alert_webhook(&user, account_id, url, secret, format)
            .await
    })
    .await
}

/// Removes an alert webhook (administrators).
#[server(prefix = "/sfn", endpoint = "delete_alert_webhook")]
pub async fn delete_alert_webhook(account_id: i64, id: i64) -> Result<(), AppError> {
    crate::api::as_signed_in(|port, user| async move {
        port.delete_alert_webhook(&user, account_id, id).await
    })
    .await
}

/// Sends a test alert to a webhook now (administrators).
#[server(prefix = "/sfn", endpoint = "test_alert_webhook")]
pub async fn test_alert_webhook(
    account_id: i64,
    id: i64,
) -> Result<crate::activity::AlertDeliveryView, AppError> {
    crate::api::as_signed_in(|port, user| async move {
        port.test_alert_webhook(&user, account_id, id).await
    })
    .await
}
