//! Prometheus metrics: `GET /metrics`, off unless `GREENLIGHT_METRICS_ADDR` or
//! `GREENLIGHT_METRICS_TOKEN` is set.
//!
//! Every series is named here, once: the features call the small functions below (one line where
//! the thing happens), and the README and `docs/alerts.md` name the same series. Label values are
//! always from a closed set (operations, outcomes, triggers, route templates, status codes):
//! never an id, a phone number or a raw path, so the number of series stays bounded.
//!
//! While metrics are off no recorder is installed and every function here is a no-op of the
//! `metrics` facade (a relaxed atomic load).
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::services::stores::Stores;

/// Graph API calls (one per HTTP request sent, retries included): `operation`, `outcome`
/// (`ok` or the error kind: `throttled`, `transient`, `token_invalid`, …).
pub const GRAPH_REQUESTS: &str = "greenlight_graph_requests_total";
/// Graph API call latency by `operation`.
pub const GRAPH_DURATION: &str = "greenlight_graph_request_duration_seconds";
/// Registration attempts: `trigger` (`user`, `auto`, `webhook`) and `outcome` (the attempt's result,
/// `lease_held` or `error`).
pub const REGISTRATION_ATTEMPTS: &str = "greenlight_registration_attempts_total";
/// Numbers (WhatsApp Cloud inboxes) by `verdict`, computed at scrape time.
pub const NUMBERS_BY_VERDICT: &str = "greenlight_numbers_by_verdict";
/// Numbers by registration `state` (`not_checked` before the first read), computed at scrape time.
pub const NUMBERS_BY_STATE: &str = "greenlight_numbers_by_registration_state";
/// Meta webhook deliveries (POSTs) accepted.
pub const WEBHOOKS_RECEIVED: &str = "greenlight_webhooks_received_total";
/// Meta webhook deliveries refused: `reason` (`signature`, `malformed`, `not_configured`, `storage`).
pub const WEBHOOKS_REJECTED: &str = "greenlight_webhooks_rejected_total";
/// Changes in accepted deliveries: `result` (`stored`, `duplicate`, `dropped`).
pub const WEBHOOK_EVENTS: &str = "greenlight_webhook_events_total";
/// Stored events finished by the processor: `status` (`processed`, `ignored`).
pub const WEBHOOK_EVENTS_FINISHED: &str = "greenlight_webhook_events_finished_total";
/// Events waiting in the queue (pending or being processed), at scrape time.
pub const WEBHOOK_QUEUE_DEPTH: &str = "greenlight_webhook_queue_depth";
/// Age of the oldest waiting event (0 when none), at scrape time: the webhook lag now.
pub const WEBHOOK_QUEUE_OLDEST_AGE: &str = "greenlight_webhook_queue_oldest_age_seconds";
/// From an event's arrival to its processing.
pub const WEBHOOK_PROCESSING_LAG: &str = "greenlight_webhook_processing_lag_seconds";
/// Alerts raised: `kind`, `severity`.
pub const ALERTS_RAISED: &str = "greenlight_alerts_raised_total";
/// Outgoing alert webhook tries: `outcome` (`delivered`, `retry`, `failed`).
pub const ALERT_DELIVERIES: &str = "greenlight_alert_deliveries_total";
/// HTTP requests answered: `method`, `route` (the matched template), `status`.
pub const HTTP_REQUESTS: &str = "greenlight_http_requests_total";
/// HTTP request latency: `method`, `route`.
pub const HTTP_DURATION: &str = "greenlight_http_request_duration_seconds";

/// Latency buckets (seconds): Graph calls and requests range from milliseconds to Meta's timeouts.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Webhook lag buckets (seconds): normally under a second, minutes when the processor is stuck.
const LAG_BUCKETS: [f64; 10] = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0];

/// Where and how `/metrics` is served.
#[derive(Clone, Debug, Default)]
pub struct MetricsConfig {
    /// A listener of its own; `None`: on the main listener (when a token is set).
    pub addr: Option<SocketAddr>,
    /// The bearer token scrapers send; `None`: no token asked (only with `addr`).
    pub token: Option<String>,
}

impl MetricsConfig {
    /// Metrics are served at all.
    pub fn enabled(&self) -> bool {
        self.addr.is_some() || self.token.is_some()
    }

    /// `/metrics` is a route of the main listener.
    pub fn on_main_listener(&self) -> bool {
        self.addr.is_none() && self.token.is_some()
    }
}

/// Installs the process's Prometheus recorder once (later calls get the same handle: tests run
/// several applications in one process) and keeps its histograms drained.
pub fn install() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full(WEBHOOK_PROCESSING_LAG.into()),
                        &LAG_BUCKETS,
                    )
                })
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
            describe();
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(5));
                loop {
                    tick.tick().await;
                    upkeep.run_upkeep();
                }
            });
            Ok(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        GRAPH_REQUESTS,
        "Graph API requests by operation and outcome"
    );
    describe_histogram!(GRAPH_DURATION, Unit::Seconds, "Graph API request latency");
    describe_counter!(
        REGISTRATION_ATTEMPTS,
        "Registration attempts by trigger and outcome"
    );
    describe_gauge!(NUMBERS_BY_VERDICT, "Numbers by verdict");
    describe_gauge!(NUMBERS_BY_STATE, "Numbers by registration state");
    describe_counter!(WEBHOOKS_RECEIVED, "Meta webhook deliveries accepted");
    describe_counter!(
        WEBHOOKS_REJECTED,
        "Meta webhook deliveries refused, by reason"
    );
    describe_counter!(
        WEBHOOK_EVENTS,
        "Changes in accepted Meta webhooks, by result"
    );
    describe_counter!(
        WEBHOOK_EVENTS_FINISHED,
        "Stored webhook events finished, by status"
    );
    describe_gauge!(
        WEBHOOK_QUEUE_DEPTH,
        "Webhook events waiting to be processed"
    );
    describe_gauge!(
        WEBHOOK_QUEUE_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest waiting webhook event"
    );
    describe_histogram!(
        WEBHOOK_PROCESSING_LAG,
        Unit::Seconds,
        "From a webhook event's arrival to its processing"
    );
    describe_counter!(ALERTS_RAISED, "Alerts raised by kind and severity");
    describe_counter!(ALERT_DELIVERIES, "Outgoing alert webhook tries by outcome");
    describe_counter!(HTTP_REQUESTS, "HTTP requests by method, route and status");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency");
}

/// One Graph API request: `outcome` is `ok` or an error kind's stable name.
pub fn graph_call(operation: &'static str, outcome: &'static str, elapsed: Duration) {
    counter!(GRAPH_REQUESTS, "operation" => operation, "outcome" => outcome).increment(1);
    histogram!(GRAPH_DURATION, "operation" => operation).record(elapsed.as_secs_f64());
}

/// One registration attempt and what it came to.
pub fn registration_attempt(trigger: &'static str, outcome: &'static str) {
    counter!(REGISTRATION_ATTEMPTS, "trigger" => trigger, "outcome" => outcome).increment(1);
}

/// Why a Meta webhook delivery was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookRejection {
    /// `META_APP_SECRET` is not set.
    NotConfigured,
    /// Missing or wrong `X-Hub-Signature-256`.
    Signature,
    /// Not Meta's envelope.
    Malformed,
    /// The queue could not store it (Meta retries).
    Storage,
}

impl WebhookRejection {
    fn as_str(self) -> &'static str {
        match self {
            WebhookRejection::NotConfigured => "not_configured",
            WebhookRejection::Signature => "signature",
            WebhookRejection::Malformed => "malformed",
            WebhookRejection::Storage => "storage",
        }
    }
}

/// A Meta webhook delivery refused.
pub fn webhook_rejected(reason: WebhookRejection) {
    counter!(WEBHOOKS_REJECTED, "reason" => reason.as_str()).increment(1);
}

/// A Meta webhook delivery accepted, with what became of its changes.
pub fn webhook_received(stored: usize, duplicates: usize, dropped: usize) {
    counter!(WEBHOOKS_RECEIVED).increment(1);
    for (result, n) in [
        ("stored", stored),
        ("duplicate", duplicates),
        ("dropped", dropped),
    ] {
        if n > 0 {
            counter!(WEBHOOK_EVENTS, "result" => result).increment(n as u64);
        }
    }
}

/// A stored webhook event finished (`processed` or `ignored`), `lag_secs` after it arrived.
pub fn webhook_finished(status: &'static str, lag_secs: i64) {
    counter!(WEBHOOK_EVENTS_FINISHED, "status" => status).increment(1);
    histogram!(WEBHOOK_PROCESSING_LAG).record(lag_secs.max(0) as f64);
}

/// An alert raised.
pub fn alert_raised(kind: &'static str, severity: &crate::alerts::rules::Severity) {
    use crate::alerts::rules::Severity;
    let severity = match severity {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Other(_) => "other",
    };
    counter!(ALERTS_RAISED, "kind" => kind, "severity" => severity).increment(1);
}

/// One try of an outgoing alert webhook: `delivered`, `retry` (it is tried again) or `failed`.
pub fn alert_delivery(outcome: &'static str) {
    counter!(ALERT_DELIVERIES, "outcome" => outcome).increment(1);
}

/// The method as a label: the standard ones by name, anything else `other`.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request under its route template (`/api/v1/accounts/{id}/…`),
/// `unmatched` for the fallback (assets, 404s): a raw path would carry ids and grow without bound.
pub async fn track_http(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    histogram!(HTTP_DURATION, "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// What a scrape needs: the recorder's handle, the token and the stores the gauges are counted from.
#[derive(Clone)]
pub struct Scrape {
    handle: PrometheusHandle,
    token_digest: Option<[u8; 32]>,
    stores: Stores,
    /// One gauge computation at a time: concurrent scrapes wait rather than multiply the queries.
    refreshing: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Scrape {
    /// A scrape endpoint over these stores.
    pub fn new(handle: PrometheusHandle, token: Option<&str>, stores: Stores) -> Self {
        Scrape {
            handle,
            token_digest: token.map(digest),
            stores,
            refreshing: Default::default(),
        }
    }

    /// `GET /metrics`: 401 without the right bearer token (when one is set), else the Prometheus
    /// text with the gauges counted now.
    pub async fn answer(&self, headers: &HeaderMap) -> Response {
        if let Some(expected) = &self.token_digest {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|t| digest(t.trim()));
            // Digests compared in constant time: neither the token nor its length leaks by timing.
            let ok = given.is_some_and(|g| bool::from(g[..].ct_eq(&expected[..])));
            if !ok {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    "Unauthorized",
                )
                    .into_response();
            }
        }
        if let Err(e) = self.refresh_gauges().await {
            // The counters are still worth serving; the gauges keep their last values.
            tracing::warn!(error = %e, "metrics: counting numbers and the webhook queue failed");
        }
        (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            self.handle.render(),
        )
            .into_response()
    }

    /// The gauges from the stores: two grouped queries whatever the number count.
    async fn refresh_gauges(&self) -> sqlx::Result<()> {
        let _one = self.refreshing.lock().await;
        let rows = self
            .stores
            .snapshots
            .latest_and_good_per_inbox(crate::inboxes::service::WHATSAPP_CLOUD)
            .await?;
        let signals = self.stores.signals.in_force_everywhere().await?;
        let counts = count_numbers(&rows, &signals, chrono::Utc::now());
        for (verdict, n) in counts.verdicts {
            gauge!(NUMBERS_BY_VERDICT, "verdict" => verdict).set(n as f64);
        }
        for (state, n) in counts.states {
            gauge!(NUMBERS_BY_STATE, "state" => state).set(n as f64);
        }
        let (depth, oldest) = self.stores.queue.backlog().await?;
        gauge!(WEBHOOK_QUEUE_DEPTH).set(depth as f64);
        let age = oldest.map_or(0, |t| (crate::db::now_secs() - t).max(0));
        gauge!(WEBHOOK_QUEUE_OLDEST_AGE).set(age as f64);
        Ok(())
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Registration states as labels, every one always present (a state with no number reads 0, so
/// an alert on it resolves instead of the series vanishing).
const STATES: [app::health::RegistrationState; 6] = [
    app::health::RegistrationState::Registered,
    app::health::RegistrationState::AwaitingDisplayName,
    app::health::RegistrationState::ActionRequired,
    app::health::RegistrationState::Ready,
    app::health::RegistrationState::RateLimited,
    app::health::RegistrationState::Unknown,
];

/// Numbers never read yet, as a state label.
const NOT_CHECKED: &str = "not_checked";

/// How many numbers have each verdict and each registration state.
#[derive(Debug, PartialEq, Eq)]
struct NumberCounts {
    verdicts: Vec<(&'static str, usize)>,
    states: Vec<(&'static str, usize)>,
}

/// Counts verdicts (the same [`crate::health::verdict::verdict`] the overview shows) and states
/// from each number's newest snapshot and newest good one.
fn count_numbers(
    rows: &[crate::health::store::InboxSnapshots],
    signals: &crate::signals::store::ByWaba,
    now: chrono::DateTime<chrono::Utc>,
) -> NumberCounts {
    let mut verdicts: Vec<(&'static str, usize)> = app::health::Verdict::ALL
        .iter()
        .map(|v| (v.as_str(), 0))
        .collect();
    let mut states: Vec<(&'static str, usize)> = STATES
        .iter()
        .map(|s| (s.as_str(), 0))
        .chain([(NOT_CHECKED, 0)])
        .collect();
    for row in rows {
        let (latest, good) = (&row.latest, &row.good);
        let state = latest.as_ref().map(|l| l.registration_state);
        let enforcement = crate::health::service::enforcement_from(
            row.access_proven,
            signals.get(&row.waba_id).map_or(&[][..], Vec::as_slice),
            now,
        );
        let v = crate::health::verdict::verdict(crate::health::verdict::Inputs {
            health: good.as_ref().and_then(|g| g.health.as_ref()),
            read_error: latest.as_ref().and_then(|l| l.error_kind),
            token_refusal: latest.as_ref().and_then(|l| l.token_refusal()),
            state,
            reason: None,
            enforcement: &enforcement,
        });
        if let Some(slot) = verdicts.iter_mut().find(|(n, _)| *n == v.verdict.as_str()) {
            slot.1 += 1;
        }
        let label = state.map_or(NOT_CHECKED, |s| s.as_str());
        if let Some(slot) = states.iter_mut().find(|(n, _)| *n == label) {
            slot.1 += 1;
        }
    }
    NumberCounts { verdicts, states }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_off_unless_an_address_or_a_token_is_set() {
        let off = MetricsConfig::default();
        assert!(!off.enabled());
        let token = MetricsConfig {
            addr: None,
            token: Some("t".repeat(16)),
        };
        assert!(token.enabled() && token.on_main_listener());
        let addr = MetricsConfig {
            addr: Some("127.0.0.1:9464".parse().unwrap()),
            token: Some("t".repeat(16)),
        };
        assert!(addr.enabled() && !addr.on_main_listener());
    }

    #[test]
    fn unusual_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }

    /// The gauge counts the verdict the overview shows: a WABA's ban blocks its numbers, for the
    /// inboxes that proved access to it.
    #[test]
    fn a_banned_waba_counts_its_numbers_as_blocked() {
        let ban = crate::signals::model::Stored {
            kind: crate::signals::model::kind::BAN.to_string(),
            event_time: 1,
            detail: serde_json::json!({"state": "DISABLE"}),
        };
        let signals: crate::signals::store::ByWaba = [("7".to_string(), vec![ban])].into();
        let row = |access_proven| crate::health::store::InboxSnapshots {
            waba_id: "7".into(),
            access_proven,
            latest: None,
            good: None,
        };
        let count = |proven| {
            let c = count_numbers(&[row(proven)], &signals, chrono::Utc::now());
            c.verdicts
                .into_iter()
                .find(|(v, _)| *v == "blocked")
                .map_or(0, |(_, n)| n)
        };
        assert_eq!(count(true), 1);
        assert_eq!(count(false), 0, "typing a WABA id shows nothing of it");
    }

    #[test]
    fn every_verdict_and_state_is_counted_even_at_zero() {
        let none = crate::health::store::InboxSnapshots {
            waba_id: "1".into(),
            access_proven: true,
            latest: None,
            good: None,
        };
        let counts = count_numbers(
            &[none.clone(), none],
            &Default::default(),
            chrono::Utc::now(),
        );
        assert_eq!(counts.verdicts.len(), app::health::Verdict::ALL.len());
        assert_eq!(
            counts.verdicts.iter().map(|(_, n)| n).sum::<usize>(),
            2,
            "every number has one verdict"
        );
        assert!(counts.states.contains(&(NOT_CHECKED, 2)));
        assert!(counts.states.contains(&("registered", 0)));
    }
}
