//! Greenlight against a simulator as demanding as Meta: answers lost after Meta applied the call,
//! asynchronous provisioning, every documented register refusal, calls held open so concurrent
//! requests really overlap, Meta's own throttling, and webhooks that only go to subscribed apps,
//! twice and out of order.
//!
//! Every assertion is on what the simulator (Meta) received, on stored rows or on states; waits
//! are bounded polls on a condition, never fixed sleeps or wall-clock budgets.
use std::time::Duration;

use greenlight::graph::{AccessToken, GraphClient, GraphConfig, GraphError};
use greenlight::registration::retrier;
use greenlight::simulator::webhooks::{name_update_value, quality_update_value};
use greenlight::simulator::{
    LostAnswer, RecordedCall, RegisterRefusal, ReleaseOrder, Scenario, Simulator, Throttle,
    ThrottleAnswer, WebhookOptions,
};
use greenlight::webhooks::{payload, store as queue};
use serde_json::Value;

use crate::health::create_inbox;
use crate::helpers::{spawn_app, TestApp};
use crate::webhooks::{eventually, spawn_with_webhooks};

/// An administrator of "Acme" with an inbox for the scenario's number; the setup's calls are
/// forgotten.
async fn admin_with_inbox(
    app: &TestApp,
    scenario: Scenario,
) -> (greenlight::accounts::service::CreatedUser, i64) {
    let a = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(app, &a.access_token, a.account_id, scenario).await;
    app.sim.sim.clear_calls();
    (a, id)
}

/// Presses Complete registration through the REST API.
async fn click(app: &TestApp, token: &str, account_id: i64, inbox_id: i64) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone"
        )))
        .header("api_access_token", token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// The registration state the health endpoint shows after a fresh (uncached) read.
async fn fresh_state(app: &TestApp, token: &str, account_id: i64, inbox_id: i64) -> Value {
    app.services.health.invalidate_health(inbox_id).await;
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health"),
            token,
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["registration"].clone()
}

fn register_calls(app: &TestApp, phone_number_id: &str) -> Vec<RecordedCall> {
    app.sim
        .sim
        .calls_to("POST", &format!("/{phone_number_id}/register"))
}

async fn outcomes(app: &TestApp, inbox_id: i64) -> Vec<Option<String>> {
    app.services
        .stores
        .ledger
        .attempts(inbox_id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.outcome.map(|o| o.as_str().to_owned()))
        .collect()
}

/// Polls `check` every 10 ms until it holds; panics with `what` after 30 s (a bound, not a budget).
async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..3000 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn a_lost_register_answer_is_unknown_and_the_same_pin_converges() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    // Meta provisions by its own clock; nothing completes until the test moves it.
    app.sim.sim.set_provisioning_delay(Duration::from_secs(600));
    assert_eq!(app.sim.sim.pin(&n.id), None, "no PIN on Meta's side yet");

    // Meta applies the register call, then the answer is lost as a 502.
    app.sim
        .sim
        .lose_next_answer(&n.id, LostAnswer::ServerError(502));
    let (status, body) = click(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "unknown", "{body}");
    assert_eq!(body["called_meta"], true);
    assert_eq!(body["state"], "ready", "{body}");
    assert!(
        body["reason"].as_str().unwrap().contains("was lost"),
        "never claims Meta accepted it: {body}"
    );
    assert_eq!(outcomes(&app, id).await, [Some("unknown".to_owned())]);

    let first = register_calls(&app, &n.id);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].status, 502, "the client saw a server error");
    let sent = first[0].param("pin").expect("a PIN was sent");
    assert_eq!(
        app.sim.sim.pin(&n.id).as_deref(),
        Some(sent.as_str()),
        "Meta applied the call: the PIN Greenlight stored before the call is set"
    );
    assert_eq!(app.sim.sim.register_attempts_in_window(&n.id), 1);

    // The next attempt sends the same PIN; Meta accepts it (same PIN, already registering).
    let (status, body) = click(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "accepted", "{body}");
    let calls = register_calls(&app, &n.id);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].status, 200);
    assert_eq!(calls[1].param("pin"), Some(sent.clone()), "same PIN again");
    assert_eq!(
        app.sim.sim.register_attempts_in_window(&n.id),
        2,
        "Meta's budget counts both calls"
    );
    assert_eq!(
        body["attempts_left_in_window"], 8,
        "Greenlight's budget counts both calls: {body}"
    );
    assert_eq!(
        outcomes(&app, id).await,
        [Some("success".to_owned()), Some("unknown".to_owned())]
    );

    // Provisioning completes: the state converges without another call.
    app.sim.sim.advance_clock(chrono::Duration::minutes(10));
    let reg = fresh_state(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(reg["state"], "registered", "{reg}");
    assert_eq!(register_calls(&app, &n.id).len(), 2);
}

#[tokio::test]
async fn a_register_answer_lost_to_a_timeout_was_still_applied_by_meta() {
    let sim = Simulator::with_presets();
    sim.set_provisioning_delay(Duration::ZERO);
    sim.set_slow_delay(Duration::from_secs(30));
    let sim = sim.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let graph = GraphClient::new(GraphConfig {
        base_url: sim.base_url.clone(),
        total_timeout: Duration::from_millis(300),
        ..GraphConfig::default()
    })
    .unwrap();
    let n = sim.sim.number(Scenario::ApprovedUnregistered);
    let token = AccessToken::new(n.token.clone());

    sim.sim.lose_next_answer(&n.id, LostAnswer::Timeout);
    let e = graph.register(&token, &n.id, "135790").await.unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    // Applied although the client never heard back.
    assert_eq!(sim.sim.register_attempts_in_window(&n.id), 1);
    assert_eq!(sim.sim.pin(&n.id).as_deref(), Some("135790"));
    let h = graph.phone_number(&token, &n.id).await.unwrap();
    assert!(h.is_registered(), "{h:?}");
    // The same PIN again: Meta answers success and counts it.
    graph.register(&token, &n.id, "135790").await.unwrap();
    assert_eq!(sim.sim.register_attempts_in_window(&n.id), 2);
    // Another PIN: 133005, as for any number with a PIN.
    let e = graph.register(&token, &n.id, "000000").await.unwrap_err();
    assert_eq!(e.code(), Some(133005));
}

#[tokio::test]
async fn an_accepted_register_still_provisioning_becomes_registered_without_another_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    app.sim.sim.set_provisioning_delay(Duration::from_secs(300));

    let (status, body) = click(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "accepted", "{body}");
    assert_eq!(body["state"], "ready");
    assert_eq!(body["reason_code"], "awaiting_confirmation");
    assert_eq!(body["registered"], false);
    // The read right after /register still says PENDING.
    let reads: Vec<RecordedCall> = app.sim.sim.calls_to("GET", &format!("/{}", n.id));
    assert_eq!(reads.len(), 2, "one read to decide, one to confirm");
    let state = app.sim.sim.number_state(&n.id).unwrap();
    assert_eq!(state["state"]["status"], "PENDING");
    assert_eq!(outcomes(&app, id).await, [Some("success".to_owned())]);

    // While Meta provisions, neither a view nor the retrier calls /register again.
    let reg = fresh_state(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(reg["state"], "ready", "{reg}");
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        chrono::Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(report.attempted, 0, "{report:?}");

    // Meta finishes provisioning (by its clock): the next read shows registered.
    app.sim.sim.advance_clock(chrono::Duration::minutes(5));
    let reg = fresh_state(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(reg["state"], "registered", "{reg}");
    assert_eq!(register_calls(&app, &n.id).len(), 1, "no extra /register");
}

#[tokio::test]
async fn each_documented_register_refusal_maps_to_a_state() {
    use RegisterRefusal as R;
    // (refusal, result, state, reason code)
    let table = [
        (
            R::ServerUnavailable,
            "unknown",
            "ready",
            "awaiting_confirmation",
        ),
        (R::PinMismatch, "failed", "action_required", "pin_mismatch"),
        (
            R::ReverificationNeeded,
            "failed",
            "action_required",
            "reverification_needed",
        ),
        (R::TooManyPinGuesses, "failed", "ready", "retry_scheduled"),
        (R::PinGuessedTooFast, "failed", "ready", "retry_scheduled"),
        (R::RecentlyDeleted, "failed", "ready", "retry_scheduled"),
        (
            R::RateLimited,
            "failed",
            "rate_limited",
            "meta_rate_limited",
        ),
        (
            R::AccountLocked,
            "failed",
            "action_required",
            "account_locked",
        ),
        // A 500: whatever its code, Greenlight cannot tell whether Meta applied the call.
        (
            R::IncompleteDeregistration,
            "unknown",
            "ready",
            "awaiting_confirmation",
        ),
        (
            R::SomethingWentWrong,
            "unknown",
            "ready",
            "awaiting_confirmation",
        ),
        (
            R::NameNotReady,
            "failed",
            "awaiting_display_name",
            "name_not_ready",
        ),
        (
            R::AttachedToApp,
            "failed",
            "awaiting_display_name",
            "name_not_ready",
        ),
    ];
    assert_eq!(table.len(), RegisterRefusal::ALL.len(), "every refusal");
    for (refusal, result, state, reason) in table {
        let app = spawn_app().await;
        let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
        let n = app.number(Scenario::ApprovedUnregistered);
        app.sim.sim.refuse_register(&n.id, Some(refusal));
        let (status, body) = click(&app, &a.access_token, a.account_id, id).await;
        assert_eq!(status, 200, "{refusal:?}: {body}");
        assert_eq!(body["meta_error"]["code"], refusal.code(), "{refusal:?}");
        assert_eq!(
            (
                body["result"].as_str(),
                body["state"].as_str(),
                body["reason_code"].as_str()
            ),
            (Some(result), Some(state), Some(reason)),
            "{refusal:?}: {body}"
        );
        let calls = register_calls(&app, &n.id);
        assert_eq!(calls.len(), 1, "{refusal:?}");
        assert_eq!(
            app.sim.sim.register_attempts_in_window(&n.id),
            1,
            "{refusal:?}: a refused call counts"
        );
        // The state is the one stored, not only the one answered.
        let reg = fresh_state(&app, &a.access_token, a.account_id, id).await;
        assert_eq!(reg["state"], state, "{refusal:?}: {reg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_clicks_on_many_threads_make_one_register_call() {
    const CLICKS: usize = 8;
    let app = std::sync::Arc::new(spawn_app().await);
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    // Meta holds every /register open until all clicks could have arrived.
    let hold = app
        .sim
        .sim
        .hold("POST", &format!("/{}/register", n.id), CLICKS);
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let account_id = a.account_id;
    let tasks: Vec<_> = (0..CLICKS)
        .map(|_| {
            let (app, token, answered) = (app.clone(), a.access_token.clone(), answered.clone());
            tokio::spawn(async move {
                let r = click(&app, &token, account_id, id).await;
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                r
            })
        })
        .collect();
    // Every click has either answered or is inside Meta's /register.
    wait_until("every click answered or reached /register", || {
        answered.load(std::sync::atomic::Ordering::SeqCst) + hold.arrived() >= CLICKS
    })
    .await;
    hold.release();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert_eq!(
        register_calls(&app, &n.id).len(),
        1,
        "exactly one /register: {answers:?}"
    );
    assert_eq!(hold.arrived(), 1);
    let called: Vec<_> = answers
        .iter()
        .filter(|(_, b)| b["called_meta"] == true)
        .collect();
    assert_eq!(called.len(), 1, "{answers:?}");
    for (status, body) in &answers {
        match status {
            200 => assert!(
                body["result"] == "registered" || body["result"] == "already_registered",
                "{body}"
            ),
            409 => assert!(
                body["error"].as_str().unwrap().contains("already running"),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(outcomes(&app, id).await, [Some("success".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_cold_views_on_many_threads_make_one_graph_read_and_none_waits_for_it() {
    const VIEWS: usize = 100;
    let app = std::sync::Arc::new(spawn_app().await);
    let (a, id) = admin_with_inbox(&app, Scenario::Healthy).await;
    let n = app.number(Scenario::Healthy);
    app.services.health.invalidate_health(id).await;
    app.sim.sim.clear_calls();
    // Meta holds the read open until the test lets it go.
    let hold = app.sim.sim.hold("GET", &format!("/{}", n.id), usize::MAX);
    let path = format!("/api/v1/accounts/{}/inboxes/{id}/health", a.account_id);
    let tasks: Vec<_> = (0..VIEWS)
        .map(|_| {
            let (app, token, path) = (app.clone(), a.access_token.clone(), path.clone());
            tokio::spawn(async move {
                let r = app.get_with_token(&path, &token).await;
                (r.status(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    // Every view answers while Meta still holds the read: from the snapshot setup stored.
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["checking"], true, "{body}");
        assert_eq!(
            body["quality_rating"], "GREEN",
            "the stored read is shown: {body}"
        );
    }
    assert!(!hold.is_released());
    assert_eq!(hold.arrived(), 1, "one Graph read for {VIEWS} cold views");
    hold.release();
    // The read lands in the cache on its own; the next view shows it without a new read.
    wait_until("the live read landed", || {
        app.sim.sim.calls_to("GET", &format!("/{}", n.id)).len() == 1
    })
    .await;
    let mut landed = Value::Null;
    for _ in 0..50 {
        landed = app
            .get_with_token(&path, &a.access_token)
            .await
            .json()
            .await
            .unwrap();
        if landed["checking"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(landed["checking"], false, "{landed}");
    assert_eq!(
        app.sim.sim.calls_to("GET", &format!("/{}", n.id)).len(),
        1,
        "still one Graph read"
    );
}

#[tokio::test]
async fn a_number_never_read_answers_at_once_with_no_data_while_meta_holds_the_first_read() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::Healthy).await;
    let n = app.number(Scenario::Healthy);
    // As if setup's read was never stored: delete every snapshot of the inbox.
    sqlx::query("DELETE FROM health_snapshots WHERE inbox_id = $1")
        .bind(id)
        .execute(&app.services.db)
        .await
        .unwrap();
    app.services.health.invalidate_health(id).await;
    let hold = app.sim.sim.hold("GET", &format!("/{}", n.id), usize::MAX);
    let path = format!("/api/v1/accounts/{}/inboxes/{id}/health", a.account_id);
    let r = app.get_with_token(&path, &a.access_token).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["checking"], true, "{body}");
    assert_eq!(body["checked_at"], Value::Null, "no data yet: {body}");
    assert_eq!(body["stale"], false, "nothing failed: {body}");
    assert!(body.get("error").is_none(), "{body}");
    // The Account Health page renders too (server-side, as without JavaScript), saying so.
    let browser = crate::helpers::new_client();
    app.login(&browser, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let page = browser
        .get(app.url(&format!("/accounts/{}/inboxes/{id}/health", a.account_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Checking with Meta"), "{page}");
    // Meta still holds the reads (the health read, and the page's webhook self-check).
    assert!(hold.arrived() >= 1 && !hold.is_released());
    hold.release();
}

#[tokio::test]
async fn meta_throttles_on_its_own_with_the_usual_headers() {
    let sim = Simulator::with_presets();
    let sim = sim.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let n = sim.sim.number(Scenario::Healthy);
    let http = reqwest::Client::new();
    let read = || {
        http.get(sim.url(&format!("/v24.0/{}", n.id)))
            .bearer_auth(&n.token)
            .send()
    };
    // Off by default: usage is reported, nothing is refused.
    let r = read().await.unwrap();
    assert_eq!(r.status(), 200);
    let usage: Value =
        serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(
        usage[&n.waba_id][0]["type"], "whatsapp_business_management",
        "{usage}"
    );

    let cases = [
        (ThrottleAnswer::Waba80007, 400, 80007),
        (ThrottleAnswer::App4, 400, 4),
        (ThrottleAnswer::Throughput130429, 400, 130429),
        (ThrottleAnswer::Http429, 429, 4),
    ];
    for (answer, status, code) in cases {
        sim.sim.reset();
        sim.sim.set_throttle(Some(Throttle {
            calls_per_hour: 2,
            answer,
        }));
        assert_eq!(read().await.unwrap().status(), 200);
        let r = read().await.unwrap();
        assert_eq!(r.status(), 200);
        let usage: Value =
            serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap())
                .unwrap();
        assert_eq!(usage[&n.waba_id][0]["call_count"], 100, "{usage}");
        let r = read().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{answer:?}");
        assert_eq!(
            r.headers().contains_key("retry-after"),
            status == 429,
            "{answer:?}"
        );
        let usage: Value =
            serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap())
                .unwrap();
        assert_eq!(usage[&n.waba_id][0]["estimated_time_to_regain_access"], 60);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{answer:?}");
        // Register has its own budget and is not throttled this way.
        let r = http
            .post(sim.url(&format!("/v24.0/{}/register", n.id)))
            .bearer_auth(&n.token)
            .json(&serde_json::json!({"messaging_product": "whatsapp", "pin": "246810"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{answer:?}");
        // An hour later (Meta's clock) calls go through again.
        sim.sim.advance_clock(chrono::Duration::hours(1));
        assert_eq!(read().await.unwrap().status(), 200, "{answer:?}");
    }
    sim.sim.set_throttle(None);
}

#[tokio::test]
async fn webhooks_go_only_to_subscribed_apps_and_the_first_attempt_succeeds() {
    let app = spawn_with_webhooks().await;
    let n = app.number(Scenario::QualityRed);
    let value = quality_update_value(
        &payload::digits(&n.display_phone_number),
        "FLAGGED",
        "TIER_1K",
    );

    // Not subscribed: Meta sends nothing at all.
    let r = reqwest::Client::new()
        .delete(
            app.sim
                .url(&format!("/v24.0/{}/subscribed_apps", n.waba_id)),
        )
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "phone_number_quality_update", value.clone());
    assert!(
        app.sim.sim.webhook_deliveries().is_empty(),
        "no delivery attempt without a subscription"
    );

    // Subscribed again: delivered, and the very first attempt is accepted.
    let r = reqwest::Client::new()
        .post(
            app.sim
                .url(&format!("/v24.0/{}/subscribed_apps", n.waba_id)),
        )
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "phone_number_quality_update", value);
    wait_until("a delivery attempt is recorded", || {
        !app.sim.sim.webhook_deliveries().is_empty()
    })
    .await;
    let first = &app.sim.sim.webhook_deliveries()[0];
    assert_eq!((first.attempt, first.status), (1, Some(200)), "{first:?}");
}

#[tokio::test]
async fn duplicated_and_reordered_webhooks_lead_to_one_register() {
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
    app.sim.sim.set_webhook_options(WebhookOptions {
        duplicate: true,
        hold: true,
    });
    let digits = payload::digits(&n.display_phone_number);
    // Meta first said "pending", then approved; they arrive newest first, each twice.
    app.sim.sim.emit_webhook(
        &n.waba_id,
        "phone_number_name_update",
        name_update_value(&digits, "PENDING", &n.verified_name, None),
    );
    app.sim.sim.approve_name(&n.id);
    assert!(app.sim.sim.webhook_deliveries().is_empty(), "held back");
    assert_eq!(app.sim.sim.release_webhooks(ReleaseOrder::Reversed), 4);

    wait_until("four deliveries", || {
        app.sim.sim.webhook_deliveries().len() >= 4
    })
    .await;
    let deliveries = app.sim.sim.webhook_deliveries();
    assert!(
        deliveries
            .iter()
            .all(|d| d.attempt == 1 && d.status == Some(200)),
        "{deliveries:?}"
    );
    assert!(deliveries[0].body.contains("APPROVED"), "newest first");
    assert_eq!(deliveries[0].body, deliveries[1].body, "delivered twice");
    assert!(
        eventually(30, || async {
            let all = app.services.stores.queue.all().await.unwrap();
            all.len() == 2 && all.iter().all(|e| e.status == queue::status::PROCESSED)
        })
        .await,
        "two distinct events stored once each, both processed"
    );
    let registered = eventually(30, || async {
        app.services
            .stores
            .snapshots
            .latest(id)
            .await
            .unwrap()
            .is_some_and(|s| s.registration_state.as_str() == "registered")
    })
    .await;
    assert!(registered, "the number ends registered");
    assert_eq!(
        register_calls(&app, &n.id).len(),
        1,
        "exactly one /register"
    );
}
