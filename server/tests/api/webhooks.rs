//! Meta's webhooks: handshake, signature, the durable queue, and the display-name approval that
//! leads to exactly one `/register`.
use std::time::{Duration, Instant};

use greenlight::simulator::webhooks::{
    envelope, name_update_value, quality_update_legacy_value, signature,
};
use greenlight::simulator::{Scenario, APP_SECRET};
use greenlight::webhooks::{payload, processor, store as queue};
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{spawn_app_with, TestApp};

pub const VERIFY_TOKEN: &str = "vibecoding-verify";

/// While exactly one tracing dispatcher is registered (e.g. `logs.rs`'s thread-local capture),
/// tracing-core computes a callsite's interest from the *calling thread's* default and caches it
/// for every thread: a callsite first hit by a concurrent test thread (no subscriber) is then
/// silenced for the capturing test too. A second, no-op dispatcher kept for the whole test binary
/// makes the interest be computed across all registered dispatchers.
fn keep_a_second_dispatcher() {
    static KEEP: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    KEEP.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
}

/// An app that checks Meta's signatures with the simulator's app secret, and a simulator that
/// sends its webhooks to the app.
pub async fn spawn_with_webhooks() -> TestApp {
    spawn_with_webhooks_and(&[]).await
}

/// [`spawn_with_webhooks`] with extra `serve` flags.
pub async fn spawn_with_webhooks_and(extra: &[&str]) -> TestApp {
    keep_a_second_dispatcher();
    let mut args = vec![
        "--meta-app-secret",
        APP_SECRET,
        "--meta-webhook-verify-token",
        VERIFY_TOKEN,
    ];
    args.extend_from_slice(extra);
    let app = spawn_app_with(&args).await;
    app.sim
        .sim
        .set_webhook_target(app.url("/webhooks/whatsapp"), APP_SECRET.to_string());
    app
}

async fn post_signed(app: &TestApp, body: &[u8], sig: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sig {
        req = req.header("x-hub-signature-256", s);
    }
    req.send().await.unwrap()
}

/// Polls `check` every 50 ms for up to `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn state(app: &TestApp, token: &str, account_id: i64, id: i64) -> Value {
    app.get_with_token(
        &format!("/api/v1/accounts/{account_id}/inboxes/{id}/health?refresh=true"),
        token,
    )
    .await
    .json::<Value>()
    .await
    .unwrap()
}

fn registers(app: &TestApp, phone_number_id: &str) -> usize {
    app.sim
        .sim
        .calls_to("POST", &format!("{phone_number_id}/register"))
        .len()
}

#[tokio::test]
async fn handshake_answers_the_challenge_only_for_subscribe_with_a_known_token() {
    let app = spawn_with_webhooks().await;
    let ok = app
        .get(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY_TOKEN}"
        ))
        .await;
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for bad in [
        "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
        "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=vibecoding-verify",
        "hub.challenge=1&hub.verify_token=vibecoding-verify",
        "hub.mode=subscribe&hub.challenge=1&hub.verify_token=",
        "",
    ] {
        let r = app.get(&format!("/webhooks/whatsapp?{bad}")).await;
        assert_eq!(r.status(), 403, "{bad}");
    }
}

#[tokio::test]
async fn an_inboxs_own_verify_token_passes_the_handshake() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let row = app
        .services
        .stores
        .inboxes
        .get_unscoped(id)
        .await
        .unwrap()
        .unwrap();
    let r = app
        .get(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=abc&hub.verify_token={}",
            row.webhook_verify_token
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "abc");
}

#[tokio::test]
async fn only_a_valid_signature_of_the_exact_body_is_accepted() {
    let app = spawn_with_webhooks().await;
    let body = envelope(
        "102290129340398",
        1_700_000_000,
        &[(
            "phone_number_quality_update".into(),
            quality_update_legacy_value("15550783881", "FLAGGED", "TIER_10K", None),
        )],
    );
    let good = signature(APP_SECRET, &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let refused: [(&[u8], Option<String>); 5] = [
        (&body, None),
        (&body, Some("sha256=00".into())),
        (&body, Some(signature("not-the-app-secret", &body))),
        (&tampered, Some(good.clone())),
        (&body, Some(good.trim_start_matches("sha256=").to_string())),
    ];
    for (b, sig) in refused {
        let r = post_signed(&app, b, sig.as_deref()).await;
        assert_eq!(r.status(), 401, "{sig:?}");
    }
    assert!(
        app.services.stores.queue.all().await.unwrap().is_empty(),
        "nothing stored"
    );
    let r = post_signed(&app, &body, Some(&good)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.services.stores.queue.all().await.unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_and_without_a_secret_webhooks_are_refused() {
    let app = spawn_with_webhooks().await;
    let body = b"{\"object\":\"whatsapp_business_account\",\"entry\":[";
    let r = post_signed(&app, body, Some(&signature(APP_SECRET, body))).await;
    assert_eq!(r.status(), 400);
    assert!(app.services.stores.queue.all().await.unwrap().is_empty());

    let unconfigured = spawn_app_with(&[]).await;
    let body = envelope("1", 1, &[]);
    let r = post_signed(&unconfigured, &body, Some(&signature(APP_SECRET, &body))).await;
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn name_approval_registers_the_number_once_on_the_first_delivery() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::PendingReview);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::PendingReview,
    )
    .await;
    assert_eq!(
        state(&app, &admin.access_token, admin.account_id, id).await["registration"]["state"],
        "awaiting_display_name"
    );
    assert_eq!(registers(&app, &n.id), 0);

    app.sim.sim.approve_name(&n.id);
    assert!(
        eventually(10, || async { registers(&app, &n.id) >= 1 }).await,
        "a /register follows the approval"
    );
    // Greenlight took the very first delivery attempt (no retry by Meta was needed).
    let first = app.sim.sim.webhook_deliveries()[0].clone();
    assert_eq!((first.attempt, first.status), (1, Some(200)), "{first:?}");
    assert!(first.fields.iter().any(|f| f == "phone_number_name_update"));
    let registered = eventually(10, || async {
        let snap = app
            .services
            .stores
            .snapshots
            .latest(id)
            .await
            .unwrap()
            .unwrap();
        snap.registration_state.as_str() == "registered"
    })
    .await;
    assert!(registered, "state becomes registered");

    // Meta delivers the same approval again, and an older "pending" decision arrives late.
    let before = app.services.stores.queue.all().await.unwrap().len();
    let delivery = app.sim.sim.webhook_deliveries()[0].clone();
    let r = post_signed(&app, delivery.body.as_bytes(), Some(&delivery.signature)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.services.stores.queue.all().await.unwrap().len(),
        before,
        "duplicate stored once"
    );
    app.sim.sim.emit_webhook(
        &n.waba_id,
        "phone_number_name_update",
        name_update_value(
            &payload::digits(&n.display_phone_number),
            "PENDING",
            &n.verified_name,
            None,
        ),
    );
    assert!(
        eventually(10, || async {
            let all = app.services.stores.queue.all().await.unwrap();
            all.len() == before + 1
                && all.iter().all(|e| {
                    e.status != queue::status::PENDING && e.status != queue::status::PROCESSING
                })
        })
        .await
    );
    assert_eq!(registers(&app, &n.id), 1, "exactly one /register");
    assert_eq!(
        state(&app, &admin.access_token, admin.account_id, id).await["registration"]["state"],
        "registered"
    );
    let events = app.services.stores.queue.all().await.unwrap();
    assert!(
        events.iter().all(|e| e.status == queue::status::PROCESSED),
        "{events:?}"
    );
}

#[tokio::test]
async fn events_stored_before_a_restart_are_processed_and_unknown_numbers_are_ignored() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::QualityRed);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    let snaps_before = app
        .services
        .stores
        .snapshots
        .since(id, 0, 1000)
        .await
        .unwrap()
        .len();
    // As if the receiver stored these and the server stopped before processing them.
    let body = envelope(
        &n.waba_id,
        1_700_000_123,
        &[
            (
                "phone_number_quality_update".into(),
                quality_update_legacy_value(
                    &payload::digits(&n.display_phone_number),
                    "FLAGGED",
                    "TIER_1K",
                    None,
                ),
            ),
            (
                "account_update".into(),
                json!({"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "ADULT"}}),
            ),
        ],
    );
    let unknown = envelope(
        "999999999",
        1_700_000_124,
        &[("account_update".into(), json!({"event": "ACCOUNT_DELETED"}))],
    );
    for b in [&body, &unknown] {
        for c in payload::parse(b).unwrap() {
            assert!(app.services.stores.queue.insert(&c, 1).await.unwrap());
        }
    }
    processor::run_once(&app.services.webhook_processor())
        .await
        .unwrap();
    let events = app.services.stores.queue.all().await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].status, "processed");
    assert_eq!(events[1].status, "processed");
    assert_eq!(events[2].status, "ignored");
    let snaps = app
        .services
        .stores
        .snapshots
        .since(id, 0, 1000)
        .await
        .unwrap();
    assert_eq!(
        snaps.len(),
        snaps_before + 1,
        "two events for one inbox: one coalesced re-read"
    );
    assert_eq!(snaps.last().unwrap().source.as_str(), "webhook");
    let linked = app.services.stores.queue.for_inbox(id, 10).await.unwrap();
    assert_eq!(linked.len(), 2);
    // Old finished events are pruned; pending ones never are.
    assert_eq!(
        processor::prune(&app.services.stores.queue, &app.services.stores.alerts, 2)
            .await
            .unwrap(),
        3
    );
    assert!(app.services.stores.queue.all().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_self_check_is_cached_shows_a_foreign_override_and_repair_leaves_it_alone() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("mia@example.com", "Acme", "agent").await;
    let n = app.number(Scenario::Healthy);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let path = format!(
        "/api/v1/accounts/{}/inboxes/{id}/webhook_check",
        admin.account_id
    );
    let check: Value = app
        .get_with_token(&path, &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    // No META_APP_ID: the token's app is not known to be Greenlight's own.
    assert_eq!(check["route"], "other_app", "{check}");
    assert_eq!(check["app_subscribed"], true, "{check}");
    assert_eq!(check["effective_level"], "application", "{check}");
    assert_eq!(check["expected_url"], app.url("/webhooks/whatsapp"));

    // A second look within the cache time asks Meta nothing.
    app.sim.sim.clear_calls();
    let again: Value = app
        .get_with_token(&path, &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, check);
    assert_eq!(app.sim.sim.calls(), vec![], "served from the cache");

    // The help desk points the number's messages elsewhere.
    let r = app
        .client
        .post(format!("{}/v24.0/{}", app.sim.base_url, n.id))
        .bearer_auth(&n.token)
        .json(&json!({"webhook_configuration": {"override_callback_uri": "https://elsewhere.example/hook", "verify_token": "x"}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    // The cached check does not see it yet; asking for a fresh one does.
    let cached: Value = app
        .get_with_token(&path, &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cached["effective_level"], "application", "{cached}");
    let check: Value = app
        .get_with_token(&format!("{path}?refresh=true"), &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check["effective_url"], "https://elsewhere.example/hook");
    assert_eq!(check["effective_level"], "phone_number");
    assert_eq!(check["viewer_is_admin"], true, "{check}");
    // Forcing again at once is limited: the fresh result is served, Meta is not asked again.
    app.sim.sim.clear_calls();
    let r = app
        .get_with_token(&format!("{path}?refresh=true"), &admin.access_token)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.sim.sim.calls(), vec![]);

    let repair = format!("{path}/repair");
    let r = app
        .client
        .post(app.url(&repair))
        .header("api_access_token", &agent.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .post(app.url(&repair))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after: Value = r.json().await.unwrap();
    assert_eq!(
        after["effective_url"], "https://elsewhere.example/hook",
        "{after}"
    );
    assert!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}", n.id))
            .is_empty(),
        "repair never writes the number's override"
    );
}

#[tokio::test]
async fn another_account_that_added_the_number_with_a_junk_token_never_sees_its_events() {
    let app = spawn_with_webhooks().await;
    let owner = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::PendingReview);
    let mine = create_inbox(
        &app,
        &owner.access_token,
        owner.account_id,
        Scenario::PendingReview,
    )
    .await;
    let other = app
        .user("mallory@example.com", "Other Co", "administrator")
        .await;
    let (theirs, _) = app
        .add_number_as(
            &other.access_token,
            other.account_id,
            Scenario::PendingReview,
            "EAAjunkjunkjunk",
            &n.waba_id,
        )
        .await;

    app.sim.sim.approve_name(&n.id);
    assert!(
        eventually(10, || async {
            let all = app.services.stores.queue.all().await.unwrap();
            // PROCESSING is claimed but not yet linked to inboxes: not done.
            !all.is_empty()
                && all.iter().all(|e| {
                    e.status != queue::status::PENDING && e.status != queue::status::PROCESSING
                })
        })
        .await
    );
    assert!(
        !app.services
            .stores
            .queue
            .for_inbox(mine, 100)
            .await
            .unwrap()
            .is_empty(),
        "the owner's inbox has the event"
    );
    assert!(
        app.services
            .stores
            .queue
            .for_inbox(theirs, 100)
            .await
            .unwrap()
            .is_empty(),
        "the unproven inbox is linked to no event"
    );
    let events: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/accounts/{}/inboxes/{theirs}/events",
            other.account_id
        )))
        .header("api_access_token", &other.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"webhook"), "{events}");
}
