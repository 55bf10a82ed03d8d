//! The Account Health tab: the verdict and its fix first, then "Can it send?", "Limits" and
//! "Details" (only health signals carry a coloured badge), freshness, a Refresh button, the link
//! to WhatsApp Manager and the history panel.
use leptos::prelude::*;

use crate::components::form::action_url;

use crate::api::{get_inbox_history, get_webhook_check, RefreshHealth, RepairWebhooks};
use crate::components::badge::Badge;
use crate::components::shell::use_account_id;
use crate::components::status::{ErrorNotice, Loading};
use crate::error::AppError;
use crate::format::{civil_from_days, epoch_secs, messaging_limit, quality_rating, short_time};
use crate::health::{BadgeLevel, HealthView, HistoryPoint, MetricGroup, MetricView};
use crate::pages::activity::WebhookCheckPanel;
use crate::pages::inbox::{use_inbox_id, InboxHealth};
use crate::tr;

/// The tab, drawn on the server.
#[component]
pub fn HealthTab() -> impl IntoView {
    let l = crate::locale();
    let InboxHealth { data } = expect_context::<InboxHealth>();
    // Refresh and Repair are plain form posts (the tab is server-rendered): the server answers
    // with this page again, drawn from what they changed, or with their error.
    let refresh = ServerAction::<RefreshHealth>::new();
    let account_id = use_account_id();
    let inbox_id = use_inbox_id();
    // Read now, while the page's reactive values surely live: the parts below are drawn after
    // their data arrives, and a client that went away meanwhile has had them disposed.
    let refresh_error = refresh.value().get_untracked().and_then(|r| r.err());
    let history = Resource::new(
        move || (account_id.get(), inbox_id.get()),
        |(a, i)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_inbox_history(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    // The webhook self-check: does Meta send this number's events to Greenlight? (Repair for admins.)
    let repair = ServerAction::<RepairWebhooks>::new();
    let repair_error = repair.value().get_untracked().and_then(|r| r.err());
    let ids = (
        account_id.get_untracked().unwrap_or_default(),
        inbox_id.get_untracked().unwrap_or_default(),
    );
    let check = Resource::new(
        move || (account_id.get(), inbox_id.get()),
        |(a, i)| async move {
            match (a, i) {
                (Some(a), Some(i)) => get_webhook_check(a, i).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <Loading text=tr!(l, health.tab.loading)/> }>
            {move || {
                let refresh_error = refresh_error.clone();
                Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(h) => view! {
                        <HealthCards health=h.clone() refresh=refresh refresh_error/>
                        <crate::components::fixes::DisplayNamePanel fixes=h.registration.fixes
                            viewer_is_admin=h.viewer_is_admin account_id=h.account_id inbox_id=h.inbox_id/>
                    }.into_any(),
                }
            })}}
        </Transition>
        <WebhookCheckPanel check=check repair=repair repair_error=repair_error ids=ids/>
        <HistoryPanel history=history/>
    }
}

/// The cards and actions of one health view.
#[component]
pub fn HealthCards(
    health: HealthView,
    /// The Refresh form posts to it.
    refresh: ServerAction<RefreshHealth>,
    /// Why the last Refresh failed (a plain form post comes back with it).
    refresh_error: Option<AppError>,
) -> impl IntoView {
    let h = health;
    let l = crate::locale();
    let freshness = match (&h.checked_at, h.stale) {
        (None, _) if h.checking => view! {
            <p class="notice" id="checking" role="status">{tr!(l, health.tab.checking)}</p>
        }.into_any(),
        (Some(t), false) if h.checking => view! {
            <p class="notice" id="checking" role="status">
                {tr!(l, health.tab.checking_stored, at = short_time(t, l))}
            </p>
        }.into_any(),
        (None, _) => view! {
            <p class="notice" id="no-data" role="status">{tr!(l, health.tab.no_data)}</p>
        }.into_any(),
        (Some(t), true) => view! {
            <p class="notice notice-warn" id="stale-notice" role="alert">
                {tr!(l, health.tab.stale, at = short_time(t, l))}
                {h.refresh_error.clone()}
            </p>
        }.into_any(),
        (Some(t), false) => view! { <p class="muted" id="checked-at">{tr!(l, health.tab.checked, at = short_time(t, l))}</p> }.into_any(),
    };
    let v = h.verdict.clone();
    view! {
        <section aria-label=tr!(l, health.tab.aria_label) id="account-health">
            // The answer first: can it send, and why not.
            <div class=format!("verdict verdict-{}", v.verdict.level().as_str()) id="verdict"
                data-verdict=v.verdict.as_str() role="status">
                <Badge level=v.verdict.level() text=v.verdict.label_in(l)/>
                <strong class="reason" id="verdict-reason">{v.reason.clone()}</strong>
                {v.fix.clone().map(|f| view! {
                    <p class="fix" id="verdict-fix"><span class="fix-label">{tr!(l, health.tab.what_to_do)}</span>{f}</p>
                })}
            </div>
            <crate::components::meta::MetaSections meta=h.meta.clone()/>
            <div class="toolbar">
                {freshness}
                <form action=action_url(refresh) method="post">
                    <input type="hidden" name="account_id" value=h.account_id/>
                    <input type="hidden" name="inbox_id" value=h.inbox_id/>
                    <button type="submit" id="refresh">{tr!(l, health.tab.refresh)}</button>
                </form>
                <a class="button" id="whatsapp-manager" href=h.whatsapp_manager_url.clone() target="_blank" rel="noopener noreferrer">
                    {tr!(l, health.tab.open_manager)}
                </a>
            </div>
            {refresh_error.map(|e| view! { <ErrorNotice error=e/> })}
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
            <h2 id=heading>{group.title(crate::locale())}</h2>
            {body}
        </section>
    }
}

/// The history panel: a chart of the checks over time and a table with one row per plotted point.
#[component]
fn HistoryPanel(history: Resource<Result<Vec<HistoryPoint>, AppError>>) -> impl IntoView {
    let l = crate::locale();
    view! {
        <section class="card" id="history" aria-label=tr!(l, health.history.aria_label)>
            <h2>{tr!(l, health.history.heading)}</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(points) if points.is_empty() => view! { <p class="empty">{tr!(l, health.history.empty)}</p> }.into_any(),
                        Ok(points) => history_body(&points),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The chart and the table of a non-empty history.
fn history_body(points: &[HistoryPoint]) -> AnyView {
    let l = crate::locale();
    let all = runs(points);
    let total = all.len();
    // The chart and the table are drawn from this one list, so they always agree.
    let shown = latest_runs(all);
    let caption = summary(&shown, total);
    let svg = chart_svg(&shown);
    let (when, checks, state, quality, limit, source) = (
        tr!(l, health.history.when),
        tr!(l, health.history.checks),
        tr!(l, health.history.state),
        tr!(l, health.history.quality),
        tr!(l, health.history.messaging_limit),
        tr!(l, health.history.source),
    );
    view! {
        <figure>
            <svg viewBox=CHART_VIEW_BOX class="chart" id="history-chart" role="img"
                aria-labelledby="history-caption" inner_html=svg>
            </svg>
            <figcaption class="muted" id="history-caption">{caption}</figcaption>
        </figure>
        <table class="table" id="history-table">
            <thead><tr>
                <th>{when.clone()}</th><th>{checks.clone()}</th><th>{state.clone()}</th><th>{quality.clone()}</th>
                <th>{limit.clone()}</th><th>{source.clone()}</th>
            </tr></thead>
            <tbody>
                {shown.into_iter().rev().map(|r| {
                    let p = &r.first;
                    view! {
                        <tr data-level=run_level(p).as_str() data-checks=r.count.to_string()>
                            <td data-label=when.clone()>{run_when(&r)}</td>
                            <td data-label=checks.clone()>{r.count}</td>
                            <td data-label=state.clone()>{crate::format::state_label(p.state, l)}</td>
                            <td data-label=quality.clone()>{quality_words(p)}</td>
                            <td data-label=limit.clone()>{if p.ok { messaging_limit(p.messaging_limit.as_deref(), l).0 } else { "—".to_string() }}</td>
                            <td data-label=source.clone()>{r.sources.iter().map(|s| source_words(s, l)).collect::<Vec<_>>().join(", ")}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Identical consecutive checks, drawn as one point and listed as one table row: a number read
/// every hour for a month stays a handful of points, and the chart and the table show the same
/// things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRun {
    /// The run's first check; the others differ from it only in time and source.
    pub first: HistoryPoint,
    /// When the run's last check was made (RFC 3339; the first's time for a single check).
    pub last_at: String,
    /// How many checks the run holds.
    pub count: usize,
    /// What triggered the run's checks, each once, in the order first seen.
    pub sources: Vec<String>,
}

/// The checks, oldest first, with identical consecutive checks (same state, read success, quality
/// and messaging limit) merged into runs.
pub fn runs(points: &[HistoryPoint]) -> Vec<CheckRun> {
    let mut out: Vec<CheckRun> = Vec::new();
    for p in points {
        match out.last_mut() {
            Some(r) if same_reading(&r.first, p) => {
                r.last_at = p.checked_at.clone();
                r.count += 1;
                if !r.sources.contains(&p.source) {
                    r.sources.push(p.source.clone());
                }
            }
            _ => out.push(CheckRun {
                first: p.clone(),
                last_at: p.checked_at.clone(),
                count: 1,
                sources: vec![p.source.clone()],
            }),
        }
    }
    out
}

/// Whether two checks read the same (everything the chart or the table shows, except time and source).
fn same_reading(a: &HistoryPoint, b: &HistoryPoint) -> bool {
    a.state == b.state
        && a.ok == b.ok
        && a.quality_height == b.quality_height
        && a.quality_rating == b.quality_rating
        && a.messaging_limit == b.messaging_limit
}

/// The most points the chart draws (and rows the table lists): a number that flaps for a month
/// still gives a light page.
pub const MAX_RUNS: usize = 60;

/// The newest [`MAX_RUNS`] runs, oldest first.
pub fn latest_runs(mut runs: Vec<CheckRun>) -> Vec<CheckRun> {
    let extra = runs.len().saturating_sub(MAX_RUNS);
    runs.drain(..extra);
    runs
}

/// The colour of a check: its quality's badge level; grey for a failed read.
pub fn run_level(p: &HistoryPoint) -> BadgeLevel {
    if p.ok {
        quality_rating(p.quality_rating.as_deref(), crate::locale()).1
    } else {
        BadgeLevel::Unknown
    }
}

/// A check's quality in words ("High", "Not yet rated", "Read failed").
pub fn quality_words(p: &HistoryPoint) -> String {
    if p.ok {
        quality_rating(p.quality_rating.as_deref(), crate::locale()).0
    } else {
        tr!(crate::locale(), health.history.read_failed)
    }
}

/// What triggered a check, in words (`view`, `refresh`, ...); a source Greenlight does not know
/// yet reads as its name.
pub fn source_words(raw: &str, l: crate::i18n::Locale) -> String {
    match raw {
        "view" => tr!(l, health.source.view),
        "refresh" => tr!(l, health.source.refresh),
        "setup" => tr!(l, health.source.setup),
        "retrier" => tr!(l, health.source.retrier),
        "registration" => tr!(l, health.source.registration),
        "webhook" => tr!(l, health.source.webhook),
        "background" => tr!(l, health.source.background),
        other => other.to_string(),
    }
}

/// When a run's checks were made: one time, or the first and the last.
pub fn run_when(r: &CheckRun) -> String {
    if r.count > 1 {
        let l = crate::locale();
        tr!(
            l,
            health.history.from_to,
            from = short_time(&r.first.checked_at, l),
            to = short_time(&r.last_at, l)
        )
    } else {
        short_time(&r.first.checked_at, crate::locale())
    }
}

/// A point's tooltip: when, how many checks, quality, messaging limit and state, in words.
pub fn run_title(r: &CheckRun) -> String {
    let p = &r.first;
    let l = crate::locale();
    let when = match r.count {
        1 => run_when(r),
        n => tr!(l, health.chart.identical, when = run_when(r), n = n),
    };
    let state = crate::format::state_label(p.state, l);
    if p.ok {
        tr!(
            l,
            health.chart.tooltip,
            when = when,
            quality = quality_words(p),
            limit = messaging_limit(p.messaging_limit.as_deref(), l).0,
            state = state
        )
    } else {
        tr!(l, health.chart.tooltip_failed, when = when, state = state)
    }
}

/// The chart's coordinate system; the SVG scales to its box, so a 360 px phone does not scroll.
pub const CHART_VIEW_BOX: &str = "0 0 320 88";
/// Where the time axis starts and ends (room on the left for the row names, on the right for
/// the last tick's label).
const PLOT_X0: f64 = 56.0;
const PLOT_X1: f64 = 296.0;
/// The quality rows (height and y), best on top.
const QUALITY_ROWS: [(u8, f64); 3] = [(3, 10.0), (2, 26.0), (1, 42.0)];
/// The row of checks without a rating (not yet rated, a value Meta added later, a failed read):
/// below a dashed line, so "no rating" never reads as "worse than Low".
const NOT_RATED_Y: f64 = 64.0;
const SEPARATOR_Y: f64 = 53.0;
const AXIS_Y: f64 = 74.0;

/// The y of a check: its quality's row, or the "Not rated" row. The row comes from
/// `quality_height`, the server's one quality ranking (alerts, overview and chart agree).
pub fn row_y(p: &HistoryPoint) -> f64 {
    QUALITY_ROWS
        .iter()
        .find(|(h, _)| p.ok && *h == p.quality_height)
        .map_or(NOT_RATED_Y, |(_, y)| *y)
}

/// The x of a time (seconds since 1970) in a window, in proportion; the middle when the window
/// is a single instant.
pub fn x_of(t: i64, start: i64, end: i64) -> f64 {
    if end <= start {
        return (PLOT_X0 + PLOT_X1) / 2.0;
    }
    let f = (t.clamp(start, end) - start) as f64 / (end - start) as f64;
    PLOT_X0 + f * (PLOT_X1 - PLOT_X0)
}

/// The times (seconds since 1970) of the runs' first and last checks. A time that does not
/// parse takes the one before it, so every run is still drawn, in order.
fn run_times(runs: &[CheckRun]) -> Vec<(i64, i64)> {
    let mut prev = None;
    runs.iter()
        .map(|r| {
            let a = epoch_secs(&r.first.checked_at).or(prev).unwrap_or(0);
            let b = epoch_secs(&r.last_at).unwrap_or(a).max(a);
            prev = Some(b);
            (a, b)
        })
        .collect()
}

/// The chart's SVG content: rows, time axis with date ticks, and one marker per run, coloured
/// by level, hollow for failed reads, with a line across the run's time and a `<title>`
/// tooltip. Only numbers and escaped words go in, so it is built as markup once instead of
/// being hydrated element by element; it depends on the data alone (no clock), so the server's
/// markup and the browser's agree.
pub fn chart_svg(runs: &[CheckRun]) -> String {
    use std::fmt::Write;
    let mut svg = String::new();
    let l = crate::locale();
    let label_x = PLOT_X0 - 6.0;
    let names = [
        tr!(l, health.chart.high),
        tr!(l, health.chart.medium),
        tr!(l, health.chart.low),
        tr!(l, health.chart.not_rated),
    ];
    let ys = QUALITY_ROWS.iter().map(|(_, y)| *y).chain([NOT_RATED_Y]);
    for (name, y) in names.iter().map(|n| escape(n)).zip(ys) {
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{PLOT_X0}" x2="{PLOT_X1}" y1="{y}" y2="{y}"></line><text class="axis" x="{label_x}" y="{}" text-anchor="end">{name}</text>"#,
            y + 3.0
        );
    }
    let _ = write!(
        svg,
        r#"<line class="separator" x1="4" x2="{PLOT_X1}" y1="{SEPARATOR_Y}" y2="{SEPARATOR_Y}"></line><line class="axis-line" x1="{PLOT_X0}" x2="{PLOT_X1}" y1="{AXIS_Y}" y2="{AXIS_Y}"></line>"#
    );
    let times = run_times(runs);
    let (start, end) = match (times.first(), times.last()) {
        (Some(f), Some(l)) => (f.0, l.1),
        _ => return svg,
    };
    for (t, label) in ticks(start, end) {
        let x = x_of(t, start, end);
        let _ = write!(
            svg,
            r#"<line class="tick" x1="{x:.1}" x2="{x:.1}" y1="{AXIS_Y}" y2="{}"></line><text class="axis" x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"#,
            AXIS_Y + 3.0,
            AXIS_Y + 11.0
        );
    }
    for (r, (a, b)) in runs.iter().zip(times) {
        let (x1, x2, y) = (x_of(a, start, end), x_of(b, start, end), row_y(&r.first));
        let failed = if r.first.ok { "" } else { " run-failed" };
        let _ = write!(
            svg,
            r#"<g class="run run-{}{failed}" data-checks="{}"><title>{}</title>"#,
            run_level(&r.first).as_str(),
            r.count,
            escape(&run_title(r))
        );
        if x2 - x1 >= 0.5 {
            let _ = write!(
                svg,
                r#"<line x1="{x1:.1}" x2="{x2:.1}" y1="{y}" y2="{y}"></line>"#
            );
        }
        let _ = write!(
            svg,
            r#"<circle cx="{x1:.1}" cy="{y}" r="3.5"></circle></g>"#
        );
    }
    svg
}

/// Text for markup: Meta's values (title-cased when unknown) go into the chart's tooltips.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// At most this many ticks, so the labels do not collide on a phone.
const MAX_TICKS: i64 = 5;
/// Tick steps, shortest first; the first that gives at most [`MAX_TICKS`] ticks is used.
const STEPS: [i64; 10] = [
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    28 * DAY,
];

/// The time axis's ticks for a window (seconds since 1970): round UTC hours or days inside it,
/// at most [`MAX_TICKS`], labelled `Nov 3` (days) or `06:00` (hours; the first and midnight
/// ones carry the date). A window too short for a round tick gets one at its start.
pub fn ticks(start: i64, end: i64) -> Vec<(i64, String)> {
    let first_at = |step: i64| {
        start.div_euclid(step) * step + if start.rem_euclid(step) == 0 { 0 } else { step }
    };
    let count = |step: i64| {
        let f = first_at(step);
        if f > end {
            0
        } else {
            (end - f) / step + 1
        }
    };
    let step = STEPS
        .into_iter()
        .find(|&s| count(s) <= MAX_TICKS)
        // A window longer than 140 days: whole days, spread.
        .unwrap_or_else(|| ((end - start) / (MAX_TICKS - 1) / DAY + 1) * DAY);
    let out: Vec<(i64, String)> = (0..count(step))
        .map(|i| {
            let t = first_at(step) + i * step;
            let label = if step >= DAY || t.rem_euclid(DAY) == 0 {
                day_label(t)
            } else if i == 0 {
                format!("{} {}", day_label(t), hour_label(t))
            } else {
                hour_label(t)
            };
            (t, label)
        })
        .collect();
    if out.is_empty() {
        vec![(start, format!("{} {}", day_label(start), hour_label(start)))]
    } else {
        out
    }
}

/// `Nov 3` of a time (seconds since 1970), in UTC (`3 nov` in Portuguese and Spanish).
pub fn day_label(t: i64) -> String {
    let l = crate::locale();
    let months = tr!(l, health.chart.months);
    let (_, m, d) = civil_from_days(t.div_euclid(DAY));
    let month = months.split(' ').nth((m - 1) as usize).unwrap_or_default();
    tr!(l, health.chart.day, month = month, day = d)
}

/// `06:00` of a time (seconds since 1970), in UTC.
fn hour_label(t: i64) -> String {
    let s = t.rem_euclid(DAY);
    format!("{:02}:{:02}", s / HOUR, s % HOUR / 60)
}

/// The chart's text alternative and caption: how many checks over which days, quality at them
/// in words, failed reads, the latest reading, and how the chart and table relate. `total_runs`
/// counts the runs before [`latest_runs`] dropped the oldest.
pub fn summary(shown: &[CheckRun], total_runs: usize) -> String {
    let l = crate::locale();
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return tr!(l, health.history.empty);
    };
    let day = |s: &str| epoch_secs(s).map_or_else(|| short_time(s, l), day_label);
    let checks: usize = shown.iter().map(|r| r.count).sum();
    let (from, to) = (day(&first.first.checked_at), day(&last.last_at));
    let mut out = String::new();
    if total_runs > shown.len() {
        out.push_str(&tr!(
            l,
            health.summary.latest,
            n = shown.len(),
            total = total_runs
        ));
    }
    out.push_str(&if checks == 1 {
        tr!(l, health.summary.checks_one, n = checks)
    } else {
        tr!(l, health.summary.checks_many, n = checks)
    });
    if from == to {
        out.push_str(&tr!(l, health.summary.on_day, day = from));
    } else {
        out.push_str(&tr!(l, health.summary.from_to, from = from, to = to));
    }
    // Quality words with their counts, best first; failed reads apart.
    let mut tally: Vec<(u8, String, usize)> = Vec::new();
    let mut failed = 0;
    for r in shown {
        if !r.first.ok {
            failed += r.count;
            continue;
        }
        let words = quality_words(&r.first);
        match tally.iter_mut().find(|(_, w, _)| *w == words) {
            Some(t) => t.2 += r.count,
            None => tally.push((r.first.quality_height, words, r.count)),
        }
    }
    tally.sort_by_key(|t| std::cmp::Reverse(t.0));
    match (tally.as_slice(), failed) {
        ([], _) if checks == 1 => out.push_str(&tr!(l, health.summary.the_read_failed)),
        ([], _) => out.push_str(&tr!(l, health.summary.every_read_failed)),
        ([(_, w, _)], 0) if checks == 1 => {
            out.push_str(&tr!(l, health.summary.quality_one, quality = w))
        }
        ([(_, w, _)], 0) => out.push_str(&tr!(l, health.summary.quality_all, quality = w)),
        _ => {
            let parts: Vec<String> = tally
                .iter()
                .map(|(_, w, n)| tr!(l, health.summary.quality_at, quality = w, n = n))
                .collect();
            out.push_str(&tr!(
                l,
                health.summary.quality_list,
                list = parts.join(", ")
            ));
            if failed == 1 {
                out.push_str(&tr!(l, health.summary.failed_one, n = failed));
            } else if failed > 1 {
                out.push_str(&tr!(l, health.summary.failed_many, n = failed));
            }
            out.push_str(&tr!(
                l,
                health.summary.latest_quality,
                quality = quality_words(&last.first)
            ));
        }
    }
    if shown.iter().any(|r| r.count > 1) {
        out.push_str(&tr!(l, health.summary.identical));
    }
    out.push_str(&tr!(l, health.summary.table));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::RegistrationState;

    /// A check as the server sends it: GREEN high (3), YELLOW medium (2), RED low (1), else 0;
    /// `None` is a failed read.
    fn p(at: &str, q: Option<&str>, state: RegistrationState) -> HistoryPoint {
        HistoryPoint {
            checked_at: at.into(),
            source: "view".into(),
            state,
            quality_rating: q.map(str::to_string),
            quality_height: match q {
                Some("GREEN") => 3,
                Some("YELLOW") => 2,
                Some("RED") => 1,
                _ => 0,
            },
            messaging_limit: q.map(|_| "TIER_1K".into()),
            ok: q.is_some(),
        }
    }

    fn green(at: &str) -> HistoryPoint {
        p(at, Some("GREEN"), RegistrationState::Registered)
    }

    #[test]
    fn rfc3339_times_read_as_seconds_since_1970() {
        assert_eq!(epoch_secs("1970-01-01T00:00:00Z"), Some(0));
        // `date -u -d 2026-11-22T01:00:00Z +%s`
        assert_eq!(epoch_secs("2026-11-22T01:00:00Z"), Some(1_795_309_200));
        assert_eq!(
            epoch_secs("2026-11-22T03:00:00.250+02:00"),
            Some(1_795_309_200)
        );
        assert_eq!(epoch_secs("2026-11-21T20:00:00-0500"), Some(1_795_309_200));
        assert_eq!(epoch_secs("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(epoch_secs("2026-13-01T00:00:00Z"), None);
        assert_eq!(epoch_secs("2026-11-22 01:00 UTC"), None);
        assert_eq!(epoch_secs("soon"), None);
    }

    #[test]
    fn days_read_as_month_and_day_in_utc() {
        assert_eq!(day_label(0), "Jan 1");
        assert_eq!(day_label(1_795_309_200), "Nov 22");
        // One second before midnight UTC is still the day before, whatever the browser's zone.
        assert_eq!(day_label(1_793_664_000 - 1), "Nov 2");
        assert_eq!(day_label(1_709_164_800), "Feb 29");
    }

    #[test]
    fn x_is_proportional_to_time() {
        let (a, b) = (1_000, 1_000 + 4 * DAY);
        assert_eq!(x_of(a, a, b), PLOT_X0);
        assert_eq!(x_of(b, a, b), PLOT_X1);
        assert_eq!(x_of(a + DAY, a, b), PLOT_X0 + (PLOT_X1 - PLOT_X0) / 4.0);
        // A single instant sits in the middle rather than on an edge.
        assert_eq!(x_of(a, a, a), (PLOT_X0 + PLOT_X1) / 2.0);
    }

    #[test]
    fn a_month_gets_a_few_dated_ticks() {
        let start = epoch_secs("2026-11-02T13:00:00Z").unwrap();
        let end = epoch_secs("2026-12-02T09:00:00Z").unwrap();
        let t = ticks(start, end);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert!(t.len() <= 5 && t.len() >= 3, "{labels:?}");
        assert!(t.iter().all(|(x, _)| (start..=end).contains(x)));
        assert!(
            t.iter().all(|(x, _)| x % DAY == 0),
            "ticks fall on UTC midnight"
        );
        assert_eq!(labels, ["Nov 5", "Nov 12", "Nov 19", "Nov 26"]);
    }

    #[test]
    fn short_windows_get_hour_ticks_and_an_instant_one_tick() {
        let start = epoch_secs("2026-11-22T01:10:00Z").unwrap();
        let t = ticks(start, start + 5 * HOUR);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["Nov 22 02:00", "03:00", "04:00", "05:00", "06:00"]);
        assert_eq!(ticks(start, start), [(start, "Nov 22 01:10".to_string())]);
    }

    #[test]
    fn identical_consecutive_checks_merge_into_one_run() {
        use RegistrationState::*;
        let mut pts: Vec<HistoryPoint> = (1..=6)
            .map(|d| green(&format!("2026-11-0{d}T01:00:00Z")))
            .collect();
        pts[2].source = "refresh".into();
        let r = runs(&pts);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].count, 6);
        assert_eq!(r[0].last_at, "2026-11-06T01:00:00Z");
        assert_eq!(r[0].sources, ["view", "refresh"]);
        // Any change starts a new run, and a return to the old reading is a change too.
        pts.push(p("2026-11-07T01:00:00Z", Some("GREEN"), Ready));
        pts.push(p("2026-11-08T01:00:00Z", None, Unknown));
        pts.push(green("2026-11-09T01:00:00Z"));
        let counts: Vec<usize> = runs(&pts).iter().map(|r| r.count).collect();
        assert_eq!(counts, [6, 1, 1, 1]);
    }

    #[test]
    fn hundreds_of_changes_keep_the_newest_runs_only() {
        let pts: Vec<HistoryPoint> = (0..200)
            .map(|i| {
                let at = format!("2026-11-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24);
                let q = if i % 2 == 0 { Some("GREEN") } else { None };
                p(&at, q, RegistrationState::Registered)
            })
            .collect();
        let all = runs(&pts);
        assert_eq!(all.len(), 200);
        let shown = latest_runs(all);
        assert_eq!(shown.len(), MAX_RUNS);
        assert_eq!(shown.last().unwrap().last_at, pts[199].checked_at);
        assert!(summary(&shown, 200).starts_with("The latest 60 of 200 points: "));
    }

    #[test]
    fn unrated_and_failed_checks_sit_apart_from_low() {
        use RegistrationState::Registered;
        let high = row_y(&green("2026-11-01T00:00:00Z"));
        let low = row_y(&p("2026-11-01T00:00:00Z", Some("RED"), Registered));
        let na = row_y(&p("2026-11-01T00:00:00Z", Some("NA"), Registered));
        let failed = row_y(&p("2026-11-01T00:00:00Z", None, Registered));
        assert!(high < low, "High is drawn above Low");
        assert_eq!(na, NOT_RATED_Y);
        assert_eq!(failed, NOT_RATED_Y);
        assert!(low < SEPARATOR_Y && SEPARATOR_Y < na);
    }

    #[test]
    fn each_point_is_coloured_by_level_and_has_a_tooltip() {
        use RegistrationState::*;
        let pts = [
            p("2026-11-01T00:00:00Z", Some("GREEN"), Registered),
            p("2026-11-02T00:00:00Z", Some("GREEN"), Registered),
            p("2026-11-03T00:00:00Z", Some("RED"), Registered),
            p("2026-11-05T00:00:00Z", None, Unknown),
        ];
        let svg = chart_svg(&runs(&pts));
        assert_eq!(svg.matches("<g class=\"run ").count(), 3);
        assert_eq!(svg.matches("<title>").count(), 3);
        assert!(svg.contains(r#"<g class="run run-good" data-checks="2"><title>2026-11-01 00:00 UTC to 2026-11-02 00:00 UTC (2 identical checks): quality High, messaging limit 1K customers per 24h, Registered</title>"#), "{svg}");
        assert!(svg.contains(r#"<g class="run run-blocked" data-checks="1">"#));
        // The failed read is hollow (its own class) on the "Not rated" row.
        assert!(svg.contains(&format!(
            r#"<g class="run run-unknown run-failed" data-checks="1"><title>2026-11-05 00:00 UTC: read failed, Unknown (Meta did not answer)</title><circle cx="{PLOT_X1:.1}" cy="{NOT_RATED_Y}""#
        )), "{svg}");
        // Proportional: the run of two spans from the start to a quarter of the way (1 of 4 days).
        let quarter = PLOT_X0 + (PLOT_X1 - PLOT_X0) / 4.0;
        assert!(
            svg.contains(&format!(
                r#"<line x1="{PLOT_X0:.1}" x2="{quarter:.1}" y1="10" y2="10">"#
            )),
            "{svg}"
        );
        assert!(svg.contains(">Nov 2</text>"), "date ticks: {svg}");
        assert!(svg.contains(">Not rated</text>"));
    }

    #[test]
    fn tooltips_escape_metas_words() {
        let mut q = green("2026-11-01T00:00:00Z");
        q.quality_rating = Some("A<B".into());
        q.quality_height = 0;
        let svg = chart_svg(&runs(&[q]));
        assert!(svg.contains("quality A&lt;b"), "{svg}");
        assert!(!svg.contains("A<B"));
    }

    #[test]
    fn the_caption_says_what_is_shown() {
        use RegistrationState::*;
        let same: Vec<HistoryPoint> = (3..=9)
            .map(|d| green(&format!("2026-11-0{d}T01:00:00Z")))
            .collect();
        assert_eq!(
            summary(&runs(&same), 1),
            "7 checks from Nov 3 to Nov 9 (UTC); quality High at all of them. Identical \
             consecutive checks share one point and one row. The table lists the same points, newest first."
        );
        assert_eq!(
            summary(&runs(&same[..1]), 1),
            "1 check on Nov 3 (UTC); quality High. The table lists the same points, newest first."
        );
        let mixed = [
            green("2026-11-03T01:00:00Z"),
            p("2026-11-04T01:00:00Z", Some("YELLOW"), Registered),
            p("2026-11-05T01:00:00Z", None, Unknown),
            p("2026-11-06T01:00:00Z", Some("NA"), Registered),
            green("2026-12-02T01:00:00Z"),
        ];
        assert_eq!(
            summary(&runs(&mixed), 5),
            "5 checks from Nov 3 to Dec 2 (UTC); quality High at 2, Medium at 1, Not yet rated at 1; \
             1 read failed; latest: High. The table lists the same points, newest first."
        );
        let failed = [p("2026-11-05T01:00:00Z", None, Unknown)];
        assert!(summary(&runs(&failed), 1).contains("; the read failed."));
    }
}
