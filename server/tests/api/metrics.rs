//! `GET /metrics`: off by default, behind its bearer token or on its own listener, and series that
//! move with real traffic (a registration through Meta's webhook, Graph calls, HTTP requests).
//!
//! The recorder is process-wide: values are compared before and after the traffic, so another
//! test of the same process recording too cannot make these fail (nextest runs one per process).
use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::simulator::Scenario;

use crate::health::create_inbox;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::webhooks::{eventually, spawn_with_webhooks_and};

const TOKEN: &str = "scrape-token-0123456789";

/// Sum of the samples of `name` whose labels include every `labels` pair (Prometheus text).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, rest) = match series.split_once('{') {
                Some((m, rest)) => (m, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            if metric != name {
                return None;
            }
            let all = labels
                .iter()
                .all(|(k, v)| rest.split(',').any(|p| p == format!("{k}=\"{v}\"")));
            all.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

async fn scrape(app: &TestApp, base: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn scrape_text(app: &TestApp) -> String {
    let r = scrape(app, &app.address, Some(TOKEN)).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_are_off_by_default() {
    let app = spawn_app().await;
    assert_eq!(scrape(&app, &app.address, None).await.status(), 404);
    assert_eq!(scrape(&app, &app.address, Some(TOKEN)).await.status(), 404);
}

#[tokio::test]
async fn the_token_is_required_when_set() {
    let app = spawn_app_with(&["--metrics-token", TOKEN]).await;
    let none = scrape(&app, &app.address, None).await;
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        scrape(&app, &app.address, Some("scrape-token-0123456788"))
            .await
            .status(),
        401
    );
    assert_eq!(
        scrape(&app, &app.address, Some(&TOKEN[..TOKEN.len() - 1]))
            .await
            .status(),
        401,
        "a prefix of the token is not the token"
    );
    let ok = scrape(&app, &app.address, Some(TOKEN)).await;
    assert_eq!(ok.status(), 200);
    assert!(ok
        .text()
        .await
        .unwrap()
        .contains("greenlight_numbers_by_verdict"));
}

#[tokio::test]
async fn a_separate_address_serves_metrics_there_only() {
    let app = spawn_app_with(&["--metrics-addr", "127.0.0.1:0"]).await;
    let at = app.metrics_address.clone().expect("a metrics listener");
    assert_eq!(scrape(&app, &app.address, None).await.status(), 404);
    let r = scrape(&app, &at, None).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("greenlight_webhook_queue_depth"));
}

#[tokio::test]
async fn a_separate_address_with_a_token_asks_for_it() {
    let app = spawn_app_with(&["--metrics-addr", "127.0.0.1:0", "--metrics-token", TOKEN]).await;
    let at = app.metrics_address.clone().expect("a metrics listener");
    assert_eq!(scrape(&app, &at, None).await.status(), 401);
    assert_eq!(scrape(&app, &at, Some(TOKEN)).await.status(), 200);
    assert_eq!(
        scrape(&app, &app.address, Some(TOKEN)).await.status(),
        404,
        "not on the main listener"
    );
}

#[test]
fn a_short_token_is_refused_as_a_usage_error() {
    let e = Cli::try_parse_from(["greenlight", "serve", "--metrics-token", "short"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("at least 16 characters"), "{e}");
    let e = Cli::try_parse_from(["greenlight", "serve", "--metrics-addr", "nowhere"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let ok = Cli::try_parse_from(["greenlight", "serve", "--metrics-addr", "127.0.0.1:9464"]);
    assert!(matches!(ok.unwrap().command, Command::Serve(_)));
}

#[tokio::test]
async fn a_registration_through_meta_s_webhook_moves_the_series() {
    let app = spawn_with_webhooks_and(&["--metrics-token", TOKEN]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let before = scrape_text(&app).await;

    let n = app.number(Scenario::PendingReview);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::PendingReview,
    )
    .await;
    let health = format!("/api/v1/accounts/{}/inboxes/{id}/health", admin.account_id);
    assert_eq!(
        app.get_with_token(&health, &admin.access_token)
            .await
            .status(),
        200
    );
    // Meta approves the display name and tells Greenlight by webhook; Greenlight registers.
    app.sim.sim.approve_name(&n.id);
    let registered = eventually(10, || async {
        app.services
            .stores
            .snapshots
            .latest(id)
            .await
            .unwrap()
            .is_some_and(|s| s.registration_state.as_str() == "registered")
    })
    .await;
    assert!(registered, "the webhook led to a registration");
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("{}/register", n.id))
            .len(),
        1,
        "Meta received one register call"
    );
    // The event is finished once the processor is done with it (and its lag recorded).
    assert!(
        eventually(10, || async {
            app.services
                .stores
                .queue
                .all()
                .await
                .unwrap()
                .iter()
                .all(|e| e.status == "processed" || e.status == "ignored")
        })
        .await
    );
    let refused = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let after = scrape_text(&app).await;
    let moved = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    assert!(
        moved(
            "greenlight_graph_requests_total",
            &[("operation", "register"), ("outcome", "ok")]
        ) >= 1.0,
        "{after}"
    );
    assert!(
        moved(
            "greenlight_graph_request_duration_seconds_count",
            &[("operation", "register")]
        ) >= 1.0
    );
    let attempts = ["registered", "accepted"]
        .iter()
        .map(|o| {
            moved(
                "greenlight_registration_attempts_total",
                &[("trigger", "webhook"), ("outcome", o)],
            )
        })
        .sum::<f64>();
    assert_eq!(attempts, 1.0, "{after}");
    assert!(moved("greenlight_webhooks_received_total", &[]) >= 1.0);
    assert!(moved("greenlight_webhook_events_total", &[("result", "stored")]) >= 1.0);
    assert!(
        moved(
            "greenlight_webhooks_rejected_total",
            &[("reason", "signature")]
        ) >= 1.0
    );
    assert!(
        moved(
            "greenlight_webhook_events_finished_total",
            &[("status", "processed")]
        ) >= 1.0
    );
    assert!(moved("greenlight_webhook_processing_lag_seconds_count", &[]) >= 1.0);
    assert_eq!(sample(&after, "greenlight_webhook_queue_depth", &[]), 0.0);
    // Gauges: this app's one number, registered now.
    assert_eq!(
        sample(
            &after,
            "greenlight_numbers_by_registration_state",
            &[("state", "registered")]
        ),
        1.0,
        "{after}"
    );
    assert_eq!(
        sample(&after, "greenlight_numbers_by_verdict", &[]),
        1.0,
        "one number, one verdict"
    );
    // HTTP: the route template, never the path with its ids.
    let template = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health";
    let by_template = after
        .lines()
        .filter(|l| l.starts_with("greenlight_http_requests_total{"))
        .find(|l| l.contains("/health\"") && l.contains("status=\"200\""))
        .unwrap_or_else(|| panic!("a health request series: {after}"));
    assert!(by_template.contains('{') && by_template.contains("route=\"/api/v1/accounts/{"));
    assert!(
        !after.contains(&health),
        "no raw path with ids in a label ({template}-like templates only)"
    );
    assert!(
        moved(
            "greenlight_http_requests_total",
            &[
                ("route", "/webhooks/whatsapp"),
                ("status", "401"),
                ("method", "POST")
            ]
        ) >= 1.0
    );
}
