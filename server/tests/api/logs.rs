//! No secret in any log line: calls that succeed and fail, through the Graph client and through
//! the app, with every log line (down to TRACE, text and JSON) captured for the test.
//!
//! The capturing subscriber is the thread's default for the test (other tests of this binary may
//! have installed a global one); the test runs on a `current_thread` runtime, so the app's server
//! and the simulator, spawned on it, log into the same buffer. Work moved to the blocking pool
//! (Argon2) carries the caller's subscriber along, so its lines land there too.
//!
//! The secrets checked: Meta access tokens (stored and rotated), API tokens, passwords, the
//! generated two-step PIN, session ids, the secret key, webhook verify tokens (configured and
//! per inbox), the Meta app secret, signup codes and alert-webhook secrets.
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use greenlight::graph::{AccessToken, GraphClient, GraphConfig, GraphErrorKind};
use greenlight::simulator::{Scenario, APP_ID, APP_SECRET};
use serde_json::{json, Value};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;

use crate::helpers::{set_cookies, spawn_app_with, TestApp, PASSWORD};

/// The configured Meta webhook verify token of this test.
const VERIFY_TOKEN: &str = "configured-verify-token-5f3c9a";
/// The alert webhook's signing secret of this test.
const ALERT_SECRET: &str = "alert-hook-secret-8d2e7b41c6";

/// Log output shared between the subscriber's writers and the test.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Text and JSON output (the two `GREENLIGHT_LOG_FORMAT`s), every level, every target.
pub(crate) fn capturing_subscriber(captured: &Captured) -> impl tracing::Subscriber + Send + Sync {
    let text = {
        let c = captured.clone();
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || c.clone())
    };
    let json = {
        let c = captured.clone();
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(move || c.clone())
    };
    tracing_subscriber::registry()
        .with(LevelFilter::TRACE)
        .with(text)
        .with(json)
}

/// The values logged as `fbtrace_id=...` (text) or `"fbtrace_id":"..."` (JSON).
fn logged_trace_ids(logs: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for marker in ["fbtrace_id=", "\"fbtrace_id\":\""] {
        let mut rest = logs;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let id: String = rest
                .trim_start_matches('"')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if id.len() > 8 {
                ids.push(id);
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Sends a request with the API token and keeps the answer's body for the final checks.
async fn send(
    app: &TestApp,
    answers: &mut Vec<String>,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("api_access_token", token)
        .header("accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    answers.push(text.clone());
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn inbox_body(name: &str, n: &greenlight::simulator::SimNumber, api_key: &str) -> Value {
    json!({
        "name": name,
        "channel": {
            "type": "whatsapp",
            "provider": "whatsapp_cloud",
            "phone_number": n.display_phone_number,
            "provider_config": {
                "api_key": api_key,
                "phone_number_id": n.id,
                "business_account_id": n.waba_id,
            },
        },
    })
}

#[tokio::test(flavor = "current_thread")]
async fn no_token_pin_or_secret_in_any_log_line_and_no_trace_id_in_any_answer() {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(capturing_subscriber(&captured));

    let app = spawn_app_with(&[
        "--meta-app-secret",
        APP_SECRET,
        "--meta-webhook-verify-token",
        VERIFY_TOKEN,
        // The alert receiver of this test listens on loopback.
        "--alert-allow-private-networks",
    ])
    .await;
    let sim = &app.sim.sim;
    sim.set_slow_delay(Duration::from_secs(2));
    let pin = "135790";

    // ---- Through the Graph client: successes, Meta errors, timeouts, retries. ----------------
    let graph = GraphClient::new(GraphConfig {
        base_url: app.sim.base_url.clone(),
        total_timeout: Duration::from_millis(300),
        retry_base_delay: Duration::from_millis(5),
        ..GraphConfig::default()
    })
    .unwrap();
    let token_of = |s: Scenario| AccessToken::new(sim.number(s).token);
    let id_of = |s: Scenario| sim.number(s).id;

    graph
        .phone_number(&token_of(Scenario::Healthy), &id_of(Scenario::Healthy))
        .await
        .unwrap();
    let healthy = sim.number(Scenario::Healthy);
    graph
        .waba(&token_of(Scenario::Healthy), &healthy.waba_id)
        .await
        .unwrap();
    graph
        .phone_numbers(&token_of(Scenario::Healthy), &healthy.waba_id)
        .await
        .unwrap();
    graph
        .subscribe_app(&token_of(Scenario::Healthy), &healthy.waba_id)
        .await
        .unwrap();
    graph
        .clear_webhook_override(&token_of(Scenario::Healthy), &healthy.id)
        .await
        .unwrap();
    graph.token_app(&token_of(Scenario::Healthy)).await.unwrap();
    for (scenario, kind) in [
        (Scenario::PendingReview, GraphErrorKind::DisplayNameNotReady),
        (Scenario::NotVerified, GraphErrorKind::ReverificationNeeded),
        (
            Scenario::QuotaExhausted,
            GraphErrorKind::RegisterQuotaExhausted,
        ),
        (Scenario::PinMismatch, GraphErrorKind::PinMismatch),
        (Scenario::TokenExpired, GraphErrorKind::TokenInvalid),
    ] {
        let e = graph
            .register(&token_of(scenario), &id_of(scenario), pin)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind);
    }
    graph
        .register(
            &token_of(Scenario::ApprovedUnregistered),
            &id_of(Scenario::ApprovedUnregistered),
            pin,
        )
        .await
        .unwrap();
    let e = graph
        .phone_number(
            &token_of(Scenario::TokenExpired),
            &id_of(Scenario::TokenExpired),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::TokenInvalid);
    let e = graph
        .phone_number(&token_of(Scenario::Slow), &id_of(Scenario::Slow))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Transient, "timeout");
    graph
        .phone_number(&token_of(Scenario::Flaky), &id_of(Scenario::Flaky))
        .await
        .unwrap();
    sim.fail_next(&id_of(Scenario::HtmlName), 500, Value::Null);
    graph
        .register(
            &token_of(Scenario::HtmlName),
            &id_of(Scenario::HtmlName),
            pin,
        )
        .await
        .unwrap_err();
    graph
        .phone_number(&token_of(Scenario::Healthy), "999999999999999")
        .await
        .unwrap_err();
    let code = sim.issue_signup_code(&id_of(Scenario::Healthy));
    let exchanged = graph
        .exchange_code(APP_ID, APP_SECRET, &code)
        .await
        .unwrap();
    assert_eq!(exchanged.expose_secret(), healthy.token);
    graph
        .exchange_code(APP_ID, APP_SECRET, &code)
        .await
        .unwrap_err();

    // ---- Through the app: inboxes created over REST with the tokens. --------------------------
    sim.set_slow_delay(Duration::from_millis(100));
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let mut answers: Vec<String> = Vec::new();
    let inboxes = format!("/api/v1/accounts/{}/inboxes", admin.account_id);
    let mut created = Vec::new();
    for scenario in [
        Scenario::Healthy,
        Scenario::TokenExpired,
        Scenario::PendingReview,
        Scenario::Flaky,
        Scenario::Slow,
    ] {
        let n = sim.number(scenario);
        let (status, inbox) = send(
            &app,
            &mut answers,
            reqwest::Method::POST,
            &inboxes,
            &admin.access_token,
            Some(inbox_body(scenario.label(), &n, &n.token)),
        )
        .await;
        assert_eq!(status, 201, "{scenario}: {inbox}");
        created.push((scenario, inbox["id"].as_i64().unwrap()));
    }
    let expired_inbox = created[1].1;
    let healthy_inbox = created[0].1;
    // Health reads: fresh, refused token (a typed 502), a failure after good data (stale).
    for (_, id) in &created {
        send(
            &app,
            &mut answers,
            reqwest::Method::GET,
            &format!("{inboxes}/{id}/health?refresh=true"),
            &admin.access_token,
            None,
        )
        .await;
    }
    sim.fail_next(&id_of(Scenario::Healthy), 500, Value::Null);
    sim.fail_next(&id_of(Scenario::Healthy), 503, Value::Null);
    sim.fail_next(&id_of(Scenario::Healthy), 500, Value::Null);
    app.services.health.invalidate_health(healthy_inbox).await;
    let (_, stale) = send(
        &app,
        &mut answers,
        reqwest::Method::GET,
        &format!("{inboxes}/{healthy_inbox}/health"),
        &admin.access_token,
        None,
    )
    .await;
    assert_eq!(stale["stale"], true, "{stale}");
    // The expired token's setup failed, in words.
    let (_, shown) = send(
        &app,
        &mut answers,
        reqwest::Method::GET,
        &format!("{inboxes}/{expired_inbox}"),
        &admin.access_token,
        None,
    )
    .await;
    assert!(shown["setup_error"].as_str().is_some(), "{shown}");
    // Retry setup (fails again), then rotate to a good token (works), then to an unknown one.
    let (status, _) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &format!("{inboxes}/{expired_inbox}/setup"),
        &admin.access_token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        &app,
        &mut answers,
        reqwest::Method::PATCH,
        &format!("{inboxes}/{healthy_inbox}"),
        &admin.access_token,
        Some(json!({"channel": {"provider_config": {"api_key": "EAAGnotatokenSimKnowsZDZD"}}})),
    )
    .await;
    // Meta refuses the token, so it is not saved: a field error.
    assert_eq!(status, 422);
    // A duplicate and an invalid inbox: validation answers.
    let n = sim.number(Scenario::Healthy);
    let (status, _) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &inboxes,
        &admin.access_token,
        Some(inbox_body("Again", &n, &n.token)),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = send(
        &app,
        &mut answers,
        reqwest::Method::GET,
        &inboxes,
        &admin.access_token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    // A wrong API token is refused (and not logged either).
    let (status, _) = send(
        &app,
        &mut answers,
        reqwest::Method::GET,
        &inboxes,
        "wrong-api-token-value-000000000000",
        None,
    )
    .await;
    assert_eq!(status, 401);
    // A failed and a successful sign-in (the password must not be logged).
    let r = app
        .login(&app.client, "ada@example.com", "not the password at all")
        .await;
    answers.push(r.text().await.unwrap());
    let r = app.login(&app.client, "ada@example.com", PASSWORD).await;
    let session_ids: Vec<String> = set_cookies(&r)
        .iter()
        .filter_map(|c| c.strip_prefix("greenlight_session="))
        .filter_map(|c| c.split(';').next())
        .map(str::to_string)
        .collect();
    assert_eq!(session_ids.len(), 1, "sign-in set a session id");
    answers.push(r.text().await.unwrap());
    // A signed-in page and a sign-out, so the session id travels through the request logs.
    let r = app
        .client
        .get(app.url(&format!("/accounts/{}/inboxes", admin.account_id)))
        .send()
        .await
        .unwrap();
    answers.push(r.text().await.unwrap());

    // A registration: Greenlight generates the two-step PIN and keeps it sealed. (The approved
    // number was registered above with a PIN of the test's own, so another one is used.)
    let n = sim.number(Scenario::ThroughputNotApplicable);
    let (status, inbox) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &inboxes,
        &admin.access_token,
        Some(inbox_body("To register", &n, &n.token)),
    )
    .await;
    assert_eq!(status, 201, "{inbox}");
    let to_register = inbox["id"].as_i64().unwrap();
    let (status, outcome) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &format!("{inboxes}/{to_register}/register_phone"),
        &admin.access_token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
    let key = greenlight::crypto::SecretBox::load(None, app._data_dir.path()).unwrap();
    let sealed_pins: Vec<(String, String)> =
        sqlx::query_as("SELECT phone_number_id, pin_sealed FROM number_pins")
            .fetch_all(&app.services.db)
            .await
            .unwrap();
    let pins: Vec<String> = sealed_pins
        .iter()
        .map(|(number, p)| {
            key.open_bound(p, greenlight::crypto::NUMBER_PIN.at(number.as_str()))
                .unwrap()
        })
        .collect();
    assert!(!pins.is_empty(), "a PIN was generated");
    let last_register = sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(
        last_register.last().map(|c| c.body["pin"].clone()),
        Some(json!(pins[0])),
        "the generated PIN is the one sent to Meta"
    );

    // Meta's webhook handshake: the configured token, an inbox's own token, a wrong one.
    let inbox_verify_tokens: Vec<String> =
        sqlx::query_scalar("SELECT webhook_verify_token FROM inboxes")
            .fetch_all(&app.services.db)
            .await
            .unwrap();
    for (token, expected) in [
        (VERIFY_TOKEN, 200),
        (inbox_verify_tokens[0].as_str(), 200),
        ("wrong-verify-token-77aa", 403),
    ] {
        let r = app
            .client
            .get(app.url("/webhooks/whatsapp"))
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.verify_token", token),
                ("hub.challenge", "challenge-1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
        answers.push(r.text().await.unwrap());
    }

    // An alert webhook with a signing secret, and a test send (refused by its receiver).
    let (status, hook) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id),
        &admin.access_token,
        Some(json!({"url": format!("{}/nowhere", app.sim.base_url), "secret": ALERT_SECRET})),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    let (status, test) = send(
        &app,
        &mut answers,
        reqwest::Method::POST,
        &format!(
            "/api/v1/accounts/{}/alert_webhooks/{}/test",
            admin.account_id, hook["id"]
        ),
        &admin.access_token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{test}");

    let r = app
        .client
        .post(app.url("/sfn/logout"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    answers.push(r.text().await.unwrap());

    // Let in-flight log lines land.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let logs = captured.text();

    // The capture really saw the interesting events (else this test proves nothing).
    for expected in [
        "Graph API answered with an error",
        "Graph API request failed",
        "retrying Graph API read",
        "inbox setup failed",
        "inbox created",
        "graph.register",
        "\"level\":\"WARN\"",
        // From the blocking pool (Argon2), so those lines are captured too.
        "password hashed",
        "password verified",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in the logs:\n{logs}"
        );
    }

    // Secrets never appear in a log line.
    let mut secrets: Vec<String> = sim.numbers().into_iter().map(|n| n.token).collect();
    secrets.extend([
        pin.to_string(),
        APP_SECRET.to_string(),
        code.clone(),
        admin.access_token.clone(),
        "EAAGnotatokenSimKnowsZDZD".to_string(),
        "wrong-api-token-value-000000000000".to_string(),
        "verify-token-value-1234".to_string(),
        PASSWORD.to_string(),
        "not the password at all".to_string(),
        VERIFY_TOKEN.to_string(),
        ALERT_SECRET.to_string(),
    ]);
    secrets.extend(pins);
    secrets.extend(session_ids);
    secrets.extend(inbox_verify_tokens);
    let key_file = std::fs::read_to_string(app._data_dir.path().join("secret.key")).unwrap();
    assert_eq!(key_file.trim().len(), 64, "a hex key");
    secrets.push(key_file.trim().to_string());
    secrets.push(key_file.trim().to_uppercase());
    for secret in &secrets {
        assert!(
            !contains_secret(&logs, secret),
            "a secret ({}…) is in the logs",
            &secret[..6.min(secret.len())]
        );
    }
    assert!(
        !logs.contains("Bearer "),
        "an Authorization header is in the logs"
    );

    // fbtrace_id is logged (for Meta support) but never shown in an HTTP answer.
    let trace_ids = logged_trace_ids(&logs);
    assert!(trace_ids.len() >= 5, "{trace_ids:?}");
    assert!(answers.len() >= 10);
    for answer in &answers {
        assert!(!answer.contains("fbtrace"), "{answer}");
        for id in &trace_ids {
            assert!(!answer.contains(id.as_str()), "trace id {id} in {answer}");
        }
        for secret in &secrets {
            assert!(!answer.contains(secret.as_str()), "a secret in {answer}");
        }
    }
}

/// Whether `secret` occurs in `logs`. An all-digit secret (a 6-digit PIN) counts only where it
/// stands alone: inside a longer run of digits (a timestamp's microseconds, a port, an id) it is a
/// coincidence, not a leak (one such coincidence failed this test once on PostgreSQL).
fn contains_secret(logs: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return logs.contains(secret);
    }
    let bytes = logs.as_bytes();
    logs.match_indices(secret).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + secret.len()).copied();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

#[test]
fn a_pin_inside_a_longer_number_is_a_coincidence_but_alone_it_is_a_leak() {
    assert!(!contains_secret("at 12:00:01.1935201Z", "193520"));
    assert!(contains_secret("pin=193520 sent", "193520"));
    assert!(contains_secret("\"pin\":\"193520\"", "193520"));
    assert!(contains_secret("token EAAG-secret", "EAAG-secret"));
}
