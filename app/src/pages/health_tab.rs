//! The Account Health tab: the verdict and its fix first, then "Can it send?", "Limits" and
//! "Details" (only health signals carry a coloured badge), freshness, a Refresh button, the link
//! to WhatsApp Manager and the history panel.
use leptos::prelude::*;

use crate::api::{get_inbox_history, get_webhook_check, RefreshHealth, RepairWebhooks};
use crate::components::badge::Badge;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::format::{messaging_limit, quality_rating, short_time};
use crate::health::{HealthView, HistoryPoint, MetricGroup, MetricView};
use crate::pages::activity::WebhookCheckPanel;
use crate::pages::inbox::{use_inbox_id, InboxHealth};

/// The tab. Resources are created here, outside any suspense, so server and browser agree on them.
#[component]
pub fn HealthTab() -> impl IntoView {
    let InboxHealth { data, reload } = expect_context::<InboxHealth>();
    let refresh = ServerAction::<RefreshHealth>::new();
    Effect::new(move |_| {
        if refresh.value().get().is_some() {
            reload.update(|n| *n += 1);
        }
    });
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    let history = Resource::new(
        move || (account_id.get(), inbox_id.get(), reload.get()),
        |(a, i, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_history(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    // The webhook self-check: does Meta send this number's events to Greenlight? (Repair for admins.)
    let repair = ServerAction::<RepairWebhooks>::new();
    let check = Resource::new(
        // Refresh also renews the server's cached self-check, so follow `reload` too.
        move || {
            (
                account_id.get(),
                inbox_id.get(),
                repair.version().get(),
                reload.get(),
            )
        },
        |(a, i, _, _)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_webhook_check(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <Loading text="Reading the number…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(h) => view! { <HealthCards health=h.clone() refresh=refresh/> <crate::components::fixes::DisplayNamePanel health=h/> }.into_any(),
                }
            })}
        </Transition>
        <WebhookCheckPanel check=check repair=repair
            account_id=Signal::derive(move || account_id.get().unwrap_or_default())
            inbox_id=Signal::derive(move || inbox_id.get().unwrap_or_default())/>
        <HistoryPanel history=history/>
    }
}

/// The cards and actions of one health view.
#[component]
pub fn HealthCards(
    health: HealthView,
    /// Owned by the tab, so a refresh error outlives the reload the refresh triggers.
    refresh: ServerAction<RefreshHealth>,
) -> impl IntoView {
    let h = health;
    let freshness = match (&h.checked_at, h.stale) {
        (None, _) if h.checking => view! {
            <p class="notice" id="checking" role="status">"Checking with Meta… This page updates when Meta answers."</p>
        }.into_any(),
        (Some(t), false) if h.checking => view! {
            <p class="notice" id="checking" role="status">
                {format!("Checking with Meta… Showing what Greenlight stored {}.", short_time(t))}
            </p>
        }.into_any(),
        (None, _) => view! {
            <p class="notice" id="no-data" role="status">"No data yet — the first check is running or Meta has not answered."</p>
        }.into_any(),
        (Some(t), true) => view! {
            <p class="notice notice-warn" id="stale-notice" role="alert">
                {format!("Meta did not answer the last check; showing data from {}. ", short_time(t))}
                {h.refresh_error.clone()}
            </p>
        }.into_any(),
        (Some(t), false) => view! { <p class="muted" id="checked-at">"Checked " {short_time(t)}</p> }.into_any(),
    };
    let v = h.verdict.clone();
    view! {
        <section aria-label="Account health" id="account-health">
            // The answer first: can it send, and why not.
            <div class=format!("verdict verdict-{}", v.verdict.level().as_str()) id="verdict"
                data-verdict=v.verdict.as_str() role="status">
                <Badge level=v.verdict.level() text=v.verdict.label()/>
                <strong class="reason" id="verdict-reason">{v.reason.clone()}</strong>
                {v.fix.clone().map(|f| view! {
                    <p class="fix" id="verdict-fix"><span class="fix-label">"What to do: "</span>{f}</p>
                })}
            </div>
            <crate::components::meta::MetaSections meta=h.meta.clone()/>
            <div class="toolbar">
                {freshness}
                <ActionForm action=refresh>
                    <input type="hidden" name="account_id" value=h.account_id/>
                    <input type="hidden" name="inbox_id" value=h.inbox_id/>
                    <button type="submit" id="refresh" disabled=move || refresh.pending().get()>
                        {move || if refresh.pending().get() { "Refreshing…" } else { "Refresh" }}
                    </button>
                </ActionForm>
                <a class="button" id="whatsapp-manager" href=h.whatsapp_manager_url.clone() target="_blank" rel="noopener noreferrer">
                    "Open in WhatsApp Manager ↗"
                </a>
            </div>
            {move || refresh.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <div id="metrics" class="metric-groups">
                {MetricGroup::ALL.into_iter().map(|g| {
                    let ms: Vec<MetricView> = h.metrics.iter().filter(|m| m.group == g).cloned().collect();
                    (!ms.is_empty()).then(|| view! { <MetricSection group=g metrics=ms/> })
                }).collect_view()}
            </div>
        </section>
    }
}

/// One group of the tab: health signals as cards with a coloured badge, facts as plain text.
#[component]
fn MetricSection(group: MetricGroup, metrics: Vec<MetricView>) -> impl IntoView {
    let heading = format!("group-{}-title", group.as_str());
    let labelled_by = heading.clone();
    let body = if group == MetricGroup::Details {
        view! {
            <dl class="details facts">
                {metrics.into_iter().map(|m| view! {
                    <div class="fact" data-metric=m.key title=m.explanation>
                        <dt>{m.label}</dt>
                        <dd class="value">{m.value}</dd>
                    </div>
                }).collect_view()}
            </dl>
        }
        .into_any()
    } else {
        view! {
            <div class="cards">
                {metrics.into_iter().map(|m| view! {
                    <article class="card metric" data-metric=m.key.clone()>
                        <h3>{m.label.clone()}</h3>
                        {if m.signal {
                            view! { <Badge level=m.level text=m.value.clone()/> }.into_any()
                        } else {
                            view! { <p class="value">{m.value.clone()}</p> }.into_any()
                        }}
                        <p class="caption">{m.explanation.clone()}</p>
                    </article>
                }).collect_view()}
            </div>
        }
        .into_any()
    };
    view! {
        <section class="metric-group" id=format!("group-{}", group.as_str()) aria-labelledby=labelled_by>
            <h2 id=heading>{group.title()}</h2>
            {body}
        </section>
    }
}

/// The SVG polyline points of quality over the history (x spread evenly, 0..=300 × 0..=60).
pub fn quality_points(points: &[HistoryPoint]) -> String {
    let ok: Vec<&HistoryPoint> = points.iter().filter(|p| p.ok).collect();
    let n = ok.len().max(2) - 1;
    ok.iter()
        .enumerate()
        .map(|(i, p)| {
            let x = i * 300 / n;
            // The server ranks quality (one ranking for alerts, overview and chart); 3 high … 1 low, 0 unknown.
            let y = 60 - u32::from(p.quality_height.min(3)) * 18;
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
fn HistoryPanel(history: Resource<Result<Vec<HistoryPoint>, AppError>>) -> impl IntoView {
    view! {
        <section class="card" id="history" aria-label="History">
            <h2>"History (30 days)"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(points) if points.is_empty() => view! { <p class="empty">"No checks recorded yet."</p> }.into_any(),
                        Ok(points) => {
                            let line = quality_points(&points);
                            let changes = state_changes(&points);
                            view! {
                                <figure>
                                    <svg viewBox="-30 -5 340 75" class="chart" role="img"
                                        aria-label="Quality rating over time: top high, middle medium, bottom low"
                                        inner_html=chart_svg(&line)>
                                    </svg>
                                    <figcaption class="muted">"Quality rating at each check."</figcaption>
                                </figure>
                                <table class="table" id="history-table">
                                    <thead><tr><th>"When"</th><th>"Source"</th><th>"State"</th><th>"Quality"</th><th>"Messaging limit"</th></tr></thead>
                                    <tbody>
                                        {changes.into_iter().rev().map(|p| view! {
                                            <tr>
                                                <td>{short_time(&p.checked_at)}</td>
                                                <td>{p.source.clone()}</td>
                                                <td>{crate::format::state_label(p.state)}</td>
                                                <td>{if p.ok { quality_rating(p.quality_rating.as_deref()).0 } else { "Read failed".into() }}</td>
                                                <td>{if p.ok { messaging_limit(p.messaging_limit.as_deref()).0 } else { "—".to_string() }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The chart's SVG content (axis labels, line, dots). Only numbers go in, so it is built as
/// markup once instead of being hydrated element by element.
pub fn chart_svg(points: &str) -> String {
    let mut svg = String::from(
        r#"<text x="-28" y="8" class="axis">High</text><text x="-28" y="28" class="axis">Med</text><text x="-28" y="46" class="axis">Low</text>"#,
    );
    svg.push_str(&format!(
        r#"<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="2"></polyline>"#
    ));
    for p in points.split(' ').filter(|p| !p.is_empty()) {
        if let Some((x, y)) = p.split_once(',') {
            svg.push_str(&format!(
                r#"<circle cx="{x}" cy="{y}" r="2.5" fill="currentColor"></circle>"#
            ));
        }
    }
    svg
}

/// The points where something shown changed (state, quality, limit, or read success), plus the first.
pub fn state_changes(points: &[HistoryPoint]) -> Vec<HistoryPoint> {
    let mut out: Vec<HistoryPoint> = Vec::new();
    for p in points {
        let changed = out.last().is_none_or(|l| {
            l.state != p.state
                || l.quality_rating != p.quality_rating
                || l.messaging_limit != p.messaging_limit
                || l.ok != p.ok
        });
        if changed {
            out.push(p.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::RegistrationState;

    /// A point as the server sends it: GREEN high (3), YELLOW medium (2), RED low (1), else 0.
    fn p(q: Option<&str>, state: RegistrationState) -> HistoryPoint {
        HistoryPoint {
            checked_at: "2026-11-22T01:00:00Z".into(),
            source: "view".into(),
            state,
            quality_rating: q.map(str::to_string),
            quality_height: match q {
                Some("GREEN") => 3,
                Some("YELLOW") => 2,
                Some("RED") => 1,
                _ => 0,
            },
            messaging_limit: Some("TIER_1K".into()),
            ok: q.is_some(),
        }
    }

    #[test]
    fn the_chart_plots_quality_high_to_low() {
        let pts = [
            p(Some("GREEN"), RegistrationState::Registered),
            p(Some("RED"), RegistrationState::Registered),
        ];
        assert_eq!(quality_points(&pts), "0,6 300,42");
    }

    #[test]
    fn the_chart_has_a_dot_per_check() {
        let svg = chart_svg("0,6 300,42");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(r#"points="0,6 300,42""#));
    }

    #[test]
    fn only_changes_are_listed() {
        use RegistrationState::*;
        let pts = [
            p(Some("GREEN"), Ready),
            p(Some("GREEN"), Ready),
            p(Some("GREEN"), Registered),
            p(None, Unknown),
        ];
        assert_eq!(state_changes(&pts).len(), 3);
    }
}
