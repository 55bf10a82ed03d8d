//! Complete registration against the simulator: the state after each click AND the exact `/register` calls
//! Meta received. Covers the decision's refusals (no call), Meta's refusals (recorded, state updated), the
//! PIN, the lease, the budget, crash recovery, the retrier and who may press the button.
use chrono::{TimeDelta, Utc};
use greenlight::registration::ledger::{self, AttemptOutcome, Outcome, Trigger};
use greenlight::registration::retrier;
use greenlight::simulator::{RecordedCall, Scenario};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// An administrator of "Acme".
async fn admin(app: &TestApp) -> greenlight::accounts::service::CreatedUser {
    app.user("ada@example.com", "Acme", "administrator").await
}

/// Creates an inbox for a simulated number through the REST API, then forgets the calls setup made.
async fn inbox(app: &TestApp, token: &str, account_id: i64, scenario: Scenario) -> i64 {
    let n = app.number(scenario);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
        .header("api_access_token", token)
        .json(&json!({
            "name": scenario.label(),
            "channel": {"type": "whatsapp", "phone_number": "+16315550101", "provider": "whatsapp_cloud",
                "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.sim.sim.clear_calls();
    id
}

/// An administrator of "Acme" and an inbox of theirs for the scenario's number.
async fn admin_with_inbox(
    app: &TestApp,
    scenario: Scenario,
) -> (greenlight::accounts::service::CreatedUser, i64) {
    let a = admin(app).await;
    let id = inbox(app, &a.access_token, a.account_id, scenario).await;
    (a, id)
}

/// Presses Complete registration through the REST API (`token = None`: anonymous).
async fn click(app: &TestApp, token: Option<&str>, account_id: i64, inbox_id: i64) -> (u16, Value) {
    let mut req = app.client.post(app.url(&format!(
        "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone"
    )));
    if let Some(token) = token {
        req = req.header("api_access_token", token);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn register_calls(app: &TestApp, scenario: Scenario) -> Vec<RecordedCall> {
    let id = app.number(scenario).id;
    app.sim.sim.calls_to("POST", &format!("/{id}/register"))
}

/// Method and the part of the path after the version, e.g. `GET /1065.../` or `POST /1065.../register`.
fn call_log(app: &TestApp) -> Vec<String> {
    app.sim
        .sim
        .calls()
        .iter()
        .map(|c| {
            let path = c.path.splitn(3, '/').nth(2).unwrap_or("");
            format!("{} /{path}", c.method)
        })
        .collect()
}

async fn attempts(app: &TestApp, inbox_id: i64) -> Vec<ledger::AttemptRow> {
    app.services
        .stores
        .ledger
        .attempts(inbox_id, 100)
        .await
        .unwrap()
}

/// Ten failed attempts on the scenario's number through `inbox_id`, the first `hours_ago` hours ago
/// and one an hour after another, automatic and by `user_id` in turn: Meta's budget spent.
async fn spend_the_budget(
    app: &TestApp,
    inbox_id: i64,
    scenario: Scenario,
    hours_ago: i64,
    user_id: i64,
) {
    let n = app.number(scenario);
    let failed = Outcome {
        outcome: AttemptOutcome::Failed,
        error_kind: Some(greenlight::graph::GraphErrorKind::Transient),
        meta_code: Some(2),
        message: Some("Meta's Graph API is having trouble.".into()),
        ..Outcome::default()
    };
    let first = Utc::now() - TimeDelta::hours(hours_ago);
    for k in 0..10 {
        let at = (first + TimeDelta::hours(k)).timestamp();
        let trigger = if k % 2 == 0 {
            Trigger::Auto
        } else {
            Trigger::User(user_id)
        };
        let attempt = app
            .services
            .stores
            .ledger
            .start(inbox_id, &n.id, trigger, at)
            .await
            .unwrap();
        app.services
            .stores
            .ledger
            .finish(attempt, &failed, at + 1)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn one_click_registers_an_approved_number_with_one_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);

    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "registered");
    assert_eq!(body["state"], "registered");
    assert_eq!(body["registered"], true);
    assert_eq!(body["called_meta"], true);
    assert_eq!(body["meta_error"], Value::Null);
    assert!(
        body["message"].as_str().unwrap().contains("registered"),
        "{body}"
    );
    // One read to decide, one call, one read to confirm.
    assert_eq!(
        call_log(&app),
        [
            format!("GET /{}", n.id),
            format!("POST /{}/register", n.id),
            format!("GET /{}", n.id)
        ]
    );
    let calls = register_calls(&app, Scenario::ApprovedUnregistered);
    assert_eq!(calls.len(), 1);
    assert!(calls[0].had_bearer && !calls[0].token_in_query && !calls[0].token_in_body);
    assert_eq!(
        calls[0].param("messaging_product").as_deref(),
        Some("whatsapp")
    );
    assert!(
        !body.to_string().contains(&calls[0].param("pin").unwrap()),
        "the PIN is never answered"
    );

    let rows = attempts(&app, id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].trigger.as_str(), rows[0].user_id),
        ("user", Some(a.user_id))
    );
    assert_eq!(
        rows[0].outcome.as_ref().map(AttemptOutcome::as_str),
        Some("success")
    );
    assert_eq!(body["attempt_id"], rows[0].id);

    // Pressing again: already registered, no second call.
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "already_registered");
    assert_eq!(body["called_meta"], false);
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
}

#[tokio::test]
async fn a_name_in_review_is_refused_in_plain_words_without_calling_meta() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::PendingReview).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("reviewing the display name"), "{error}");
    assert!(error.contains("as soon as it is approved"), "{error}");
    assert!(register_calls(&app, Scenario::PendingReview).is_empty());
    assert!(
        attempts(&app, id).await.is_empty(),
        "nothing recorded: no call was made"
    );
}

#[tokio::test]
async fn a_cloud_api_number_without_throughput_is_registered() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ThroughputNotApplicable).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "registered");
    assert_eq!(body["state"], "registered");
    assert_eq!(
        register_calls(&app, Scenario::ThroughputNotApplicable).len(),
        1
    );
}

#[tokio::test]
async fn a_connected_number_with_expired_verification_is_registered_and_never_called() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ConnectedExpired).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "already_registered");
    assert_eq!(body["state"], "registered");
    assert_eq!(body["called_meta"], false);
    assert!(register_calls(&app, Scenario::ConnectedExpired).is_empty());
    // The retrier leaves it alone too: not even a read.
    app.sim.sim.clear_calls();
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(report.candidates, 0, "{report:?}");
    assert!(app.sim.sim.calls().is_empty());
}

#[tokio::test]
async fn a_declined_name_is_refused_without_calling_meta() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::NameDeclined).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("declined the display name"), "{error}");
    assert!(error.contains("WhatsApp Manager"), "{error}");
    assert!(register_calls(&app, Scenario::NameDeclined).is_empty());
}

#[tokio::test]
async fn an_expired_token_never_registers() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::TokenExpired).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("access token"), "{error}");
    assert!(error.contains("Paste a new access token"), "{error}");
    assert!(register_calls(&app, Scenario::TokenExpired).is_empty());
    assert_eq!(
        call_log(&app).len(),
        1,
        "one read (190 is not retried), no write"
    );
    assert!(!body
        .to_string()
        .contains(&app.number(Scenario::TokenExpired).token));
}

#[tokio::test]
async fn a_failed_read_never_leads_to_a_register_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    // The read and its two retries all fail.
    for _ in 0..3 {
        app.sim.sim.fail_next(&n.id, 500, Value::Null);
    }
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("could not read"), "{error}");
    assert!(register_calls(&app, Scenario::ApprovedUnregistered).is_empty());
    assert_eq!(call_log(&app), vec![format!("GET /{}", n.id); 3]);
    assert!(attempts(&app, id).await.is_empty());

    // Once Meta answers again, the click works.
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "registered");
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
}

#[tokio::test]
async fn meta_133016_makes_the_number_rate_limited_and_stops_further_calls() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::QuotaExhausted).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "failed");
    assert_eq!(body["called_meta"], true);
    assert_eq!(body["state"], "rate_limited");
    assert_eq!(body["reason_code"], "meta_rate_limited");
    assert_eq!(body["meta_error"]["code"], 133016);
    assert_eq!(body["meta_error"]["kind"], "register_quota_exhausted");
    assert!(body["next_attempt_at"].is_string(), "{body}");
    assert!(!body.to_string().contains("fbtrace"), "{body}");
    assert_eq!(register_calls(&app, Scenario::QuotaExhausted).len(), 1);
    let rows = attempts(&app, id).await;
    assert_eq!(rows[0].meta_code, Some(133016));
    assert_eq!(
        rows[0].error_kind.as_deref(),
        Some("register_quota_exhausted")
    );
    assert!(rows[0]
        .meta_message
        .as_deref()
        .unwrap()
        .contains("72 hours"));

    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("133016"), "{body}");
    assert_eq!(
        register_calls(&app, Scenario::QuotaExhausted).len(),
        1,
        "no second call"
    );
}

#[tokio::test]
async fn a_pin_set_elsewhere_needs_an_admin_after_133005() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::PinMismatch).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "failed");
    assert_eq!(body["state"], "action_required");
    assert_eq!(body["reason_code"], "pin_mismatch");
    assert_eq!(body["meta_error"]["code"], 133005);
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .contains("two-step verification"),
        "{body}"
    );
    assert_eq!(register_calls(&app, Scenario::PinMismatch).len(), 1);
    // Nothing automatic happens with it.
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(
        (report.candidates, report.waiting, report.attempted),
        (1, 1, 0),
        "{report:?}"
    );
    assert_eq!(register_calls(&app, Scenario::PinMismatch).len(), 1);
}

#[tokio::test]
async fn simultaneous_clicks_make_exactly_one_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let t = a.access_token.as_str();
    let (one, two) = tokio::join!(
        click(&app, Some(t), a.account_id, id),
        click(&app, Some(t), a.account_id, id)
    );
    let mut more = Vec::new();
    for _ in 0..4 {
        more.push(click(&app, Some(t), a.account_id, id));
    }
    let more = futures::future::join_all(more).await;
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
    let all: Vec<&(u16, Value)> = [&one, &two].into_iter().chain(more.iter()).collect();
    let registered = all
        .iter()
        .filter(|(s, b)| *s == 200 && b["result"] == "registered")
        .count();
    assert_eq!(registered, 1, "{all:?}");
    for (status, body) in &all {
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
    assert_eq!(attempts(&app, id).await.len(), 1);
}

#[tokio::test]
async fn the_pin_is_stored_sealed_before_the_call_and_the_same_pin_is_sent_again() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    let stored = |app: &TestApp| {
        let db = app.services.db.clone();
        let number = n.id.clone();
        async move {
            greenlight::services::stores::Stores::new(&db)
                .pins
                .stored(&number)
                .await
                .unwrap()
        }
    };
    assert!(
        stored(&app).await.is_none(),
        "no PIN before the first attempt"
    );
    // An ambiguous failure: the read answers normally, the register call gets a 504 (did Meta apply it?).
    app.sim.sim.fail_next(
        &n.id,
        200,
        json!({"id": n.id, "display_phone_number": n.display_phone_number, "verified_name": n.verified_name,
               "code_verification_status": "VERIFIED", "name_status": "APPROVED", "quality_rating": "GREEN",
               "platform_type": "NOT_APPLICABLE", "throughput": {"level": "NOT_APPLICABLE"}, "status": "PENDING"}),
    );
    app.sim.sim.fail_next(&n.id, 504, Value::Null);
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["result"], "unknown",
        "a 504 does not say whether Meta applied the call"
    );
    assert_eq!(body["state"], "ready");
    assert_eq!(body["meta_error"]["kind"], "transient");

    let sealed = stored(&app)
        .await
        .expect("the PIN was stored with the first attempt");
    let pin = app
        .services
        .secrets
        .open_bound(&sealed, greenlight::crypto::NUMBER_PIN.at(n.id.as_str()))
        .unwrap();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "six digits"
    );
    assert!(!sealed.contains(&pin), "stored sealed, not in the clear");
    let first = register_calls(&app, Scenario::ApprovedUnregistered);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].status, 504);
    assert_eq!(
        first[0].param("pin").as_deref(),
        Some(pin.as_str()),
        "the stored PIN is the one sent"
    );

    // The next attempt reuses it (a new PIN would make Meta answer 133005 if the first call was applied).
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "registered");
    let calls = register_calls(&app, Scenario::ApprovedUnregistered);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].param("pin"), calls[0].param("pin"));
    assert_eq!(
        stored(&app).await.as_deref(),
        Some(sealed.as_str()),
        "stored once"
    );
    let rows = attempts(&app, id).await;
    assert_eq!(
        rows.iter()
            .map(|r| r.outcome.as_ref().map(AttemptOutcome::as_str))
            .collect::<Vec<_>>(),
        [Some("success"), Some("unknown")]
    );
}

#[tokio::test]
async fn after_ten_attempts_in_72_hours_the_eleventh_click_is_refused_without_a_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let now = Utc::now();
    spend_the_budget(&app, id, Scenario::ApprovedUnregistered, 70, a.user_id).await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("10 registration attempts"), "{error}");
    // The oldest attempt leaves the window 2 hours from now: the answer says when.
    let refill = (now - TimeDelta::hours(70) + TimeDelta::hours(72))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(error.contains(&refill), "{error} should name {refill}");
    assert!(register_calls(&app, Scenario::ApprovedUnregistered).is_empty());
    assert_eq!(attempts(&app, id).await.len(), 10);
    // Nor does the retrier call.
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(report.attempted, 0, "{report:?}");
    assert!(register_calls(&app, Scenario::ApprovedUnregistered).is_empty());
}

#[tokio::test]
async fn the_retrier_registers_a_ready_number_and_waits_for_a_name_in_review() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let ready = inbox(
        &app,
        &a.access_token,
        a.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let review = inbox(&app, &a.access_token, a.account_id, Scenario::PendingReview).await;
    let healthy = inbox(&app, &a.access_token, a.account_id, Scenario::Healthy).await;
    let pending = app.number(Scenario::PendingReview);

    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(
        report.candidates, 2,
        "the registered number is not looked at: {report:?}"
    );
    assert_eq!(
        (report.attempted, report.registered, report.not_attempted),
        (1, 1, 1),
        "{report:?}"
    );
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
    assert!(register_calls(&app, Scenario::PendingReview).is_empty());
    assert!(app
        .sim
        .sim
        .calls()
        .iter()
        .all(|c| !c.path.contains(&app.number(Scenario::Healthy).id)));
    let rows = attempts(&app, ready).await;
    assert_eq!(
        (rows.len(), rows[0].trigger.as_str(), rows[0].user_id),
        (1, "auto", None)
    );
    assert!(attempts(&app, review).await.is_empty());
    assert!(attempts(&app, healthy).await.is_empty());

    // Still in review: the next run reads it again and still makes no call.
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!((report.candidates, report.attempted), (1, 0), "{report:?}");
    assert!(register_calls(&app, Scenario::PendingReview).is_empty());

    // Meta approves the name: the next run registers it.
    app.sim.sim.approve_name(&pending.id);
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!((report.attempted, report.registered), (1, 1), "{report:?}");
    assert_eq!(register_calls(&app, Scenario::PendingReview).len(), 1);

    // Everything registered: a run reads nothing.
    app.sim.sim.clear_calls();
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!(report, retrier::RunReport::default());
    assert!(app.sim.sim.calls().is_empty());
}

#[tokio::test]
async fn an_unfinished_attempt_is_resolved_by_a_read_before_any_new_call() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    // A crash an hour ago, in the middle of a call.
    let crashed_at = (Utc::now() - TimeDelta::hours(1)).timestamp();
    let crashed = app
        .services
        .stores
        .ledger
        .start(id, &n.id, Trigger::Auto, crashed_at)
        .await
        .unwrap();
    assert_eq!(
        app.services
            .stores
            .ledger
            .unfinished(&n.id)
            .await
            .unwrap()
            .len(),
        1
    );

    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "registered");
    assert_eq!(
        call_log(&app),
        [
            format!("GET /{}", n.id),
            format!("POST /{}/register", n.id),
            format!("GET /{}", n.id)
        ],
        "the read that resolves the crash comes before the call"
    );
    let rows = attempts(&app, id).await;
    let old = rows.iter().find(|r| r.id == crashed).unwrap();
    assert_eq!(
        old.outcome.as_ref().map(AttemptOutcome::as_str),
        Some("unknown"),
        "not registered when read: Meta's answer is unknown"
    );
    assert!(
        old.finished_at.unwrap() <= rows[0].started_at,
        "resolved before the new attempt started"
    );
    assert!(app
        .services
        .stores
        .ledger
        .unfinished(&n.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_unfinished_attempt_on_a_number_that_shows_registered_is_a_success_and_nothing_is_called(
) {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::Healthy).await;
    let n = app.number(Scenario::Healthy);
    let crashed = app
        .services
        .stores
        .ledger
        .start(id, &n.id, Trigger::Webhook, Utc::now().timestamp() - 30)
        .await
        .unwrap();
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "already_registered");
    assert_eq!(call_log(&app), [format!("GET /{}", n.id)]);
    let rows = attempts(&app, id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].id,
            rows[0].outcome.as_ref().map(AttemptOutcome::as_str)
        ),
        (crashed, Some("success"))
    );
}

#[tokio::test]
async fn a_name_approval_webhook_may_try_at_once_after_2388001() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let id = inbox(&app, &a.access_token, a.account_id, Scenario::PendingReview).await;
    let n = app.number(Scenario::PendingReview);
    // An earlier automatic attempt failed with 2388001 a minute ago.
    let at = Utc::now().timestamp() - 60;
    let attempt = app
        .services
        .stores
        .ledger
        .start(id, &n.id, Trigger::Auto, at)
        .await
        .unwrap();
    let not_ready = Outcome {
        outcome: AttemptOutcome::Failed,
        error_kind: Some(greenlight::graph::GraphErrorKind::DisplayNameNotReady),
        meta_code: Some(100),
        meta_subcode: Some(2388001),
        message: Some("The display name is not ready.".into()),
    };
    app.services
        .stores
        .ledger
        .finish(attempt, &not_ready, at + 1)
        .await
        .unwrap();
    app.sim.sim.approve_name(&n.id);
    let row = app
        .services
        .stores
        .inboxes
        .get_unscoped(id)
        .await
        .unwrap()
        .unwrap();

    // The retrier keeps to the back-off...
    let outcome = app
        .services
        .registration
        .attempt_registration(&row, Trigger::Auto, app::i18n::Locale::en)
        .await
        .unwrap();
    assert_eq!(
        outcome.result,
        greenlight::registration::AttemptResult::NotAttempted
    );
    assert!(register_calls(&app, Scenario::PendingReview).is_empty());
    // ...the approval webhook does not have to.
    let outcome = app
        .services
        .registration
        .attempt_registration(&row, Trigger::Webhook, app::i18n::Locale::en)
        .await
        .unwrap();
    assert_eq!(
        outcome.result,
        greenlight::registration::AttemptResult::Registered,
        "{outcome:?}"
    );
    assert_eq!(register_calls(&app, Scenario::PendingReview).len(), 1);
    assert_eq!(attempts(&app, id).await[0].trigger.as_str(), "webhook");
}

#[tokio::test]
async fn only_administrators_of_the_account_may_complete_registration() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let member = app.user("mia@example.com", "Acme", "agent").await;
    let outsider = app.user("noah@example.com", "Acme", "agent").await;
    let other_admin = app.user("eve@example.com", "Globex", "administrator").await;
    let ready = inbox(
        &app,
        &a.access_token,
        a.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let review = inbox(&app, &a.access_token, a.account_id, Scenario::PendingReview).await;
    for inbox_id in [ready, review] {
        let r = app
            .client
            .post(app.url(&format!("/api/v1/accounts/{}/inbox_members", a.account_id)))
            .header("api_access_token", &a.access_token)
            .json(&json!({"inbox_id": inbox_id, "user_ids": [member.user_id]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    app.sim.sim.clear_calls();

    for inbox_id in [ready, review] {
        let (status, body) = click(&app, Some(&member.access_token), a.account_id, inbox_id).await;
        assert_eq!(status, 403, "member agent: {body}");
        let (status, body) =
            click(&app, Some(&outsider.access_token), a.account_id, inbox_id).await;
        assert_eq!(status, 403, "non-member agent: {body}");
        let (status, body) = click(
            &app,
            Some(&other_admin.access_token),
            a.account_id,
            inbox_id,
        )
        .await;
        assert_eq!(status, 404, "another account's admin: {body}");
        let (status, body) = click(
            &app,
            Some(&other_admin.access_token),
            other_admin.account_id,
            inbox_id,
        )
        .await;
        assert_eq!(
            status, 404,
            "another account's admin, own account id: {body}"
        );
        let (status, body) = click(&app, None, a.account_id, inbox_id).await;
        assert_eq!(status, 401, "anonymous: {body}");
    }
    assert!(
        app.sim.sim.calls().is_empty(),
        "refused requests never reach Meta"
    );

    let (status, body) = click(&app, Some(&a.access_token), a.account_id, review).await;
    assert_eq!(status, 409, "admin, name in review: {body}");
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, ready).await;
    assert_eq!(status, 200, "admin: {body}");
    assert_eq!(body["state"], "registered");
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
    assert!(register_calls(&app, Scenario::PendingReview).is_empty());
}

#[tokio::test]
async fn a_lease_held_by_another_instance_means_no_call_and_no_read() {
    use greenlight::registration::lease;
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    // Another server instance is in the middle of an attempt on this number.
    let number = app.number(Scenario::ApprovedUnregistered).id;
    let now = Utc::now().timestamp();
    let other = app
        .services
        .stores
        .leases
        .try_acquire(&number, lease::LEASE_TTL, now)
        .await
        .unwrap()
        .unwrap();
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("already running"),
        "{body}"
    );
    let report = retrier::run_once(
        &app.services.registration,
        &app.services.instance,
        Utc::now(),
        retrier::EVERY,
    )
    .await;
    assert_eq!((report.busy, report.attempted), (1, 0), "{report:?}");
    assert!(
        app.sim.sim.calls().is_empty(),
        "no read, no call while the lease is held"
    );
    assert!(attempts(&app, id).await.is_empty());

    app.services.stores.leases.release(&other).await.unwrap();
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1
    );
    // The attempt released its own lease.
    let mine = app
        .services
        .stores
        .leases
        .try_acquire(&number, lease::LEASE_TTL, Utc::now().timestamp())
        .await
        .unwrap();
    assert!(mine.is_some());
}

#[tokio::test]
async fn the_budget_is_the_numbers_it_survives_deleting_the_inbox_and_follows_it_into_another_account(
) {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    spend_the_budget(&app, id, Scenario::ApprovedUnregistered, 20, a.user_id).await;
    // Deleting the inbox and adding the number again does not refill Meta's budget.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{}/inboxes/{id}", a.account_id)))
        .header("api_access_token", &a.access_token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let again = inbox(
        &app,
        &a.access_token,
        a.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, again).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("10 registration attempts"),
        "{body}"
    );
    // Nor does a second account that adds the same number.
    let other = app
        .user("olga@example.com", "Other Co", "administrator")
        .await;
    let theirs = inbox(
        &app,
        &other.access_token,
        other.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let (status, body) = click(&app, Some(&other.access_token), other.account_id, theirs).await;
    assert_eq!(status, 409, "{body}");
    let health: Value = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/{}/inboxes/{theirs}/health",
                other.account_id
            ),
            &other.access_token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health["registration"]["attempts_in_window"], 10, "{health}");
    assert!(register_calls(&app, Scenario::ApprovedUnregistered).is_empty());
    // The deleted inbox's attempts still count, but the new inbox's Activity lists only its own.
    assert!(attempts(&app, again).await.is_empty());
    assert_eq!(
        app.services
            .stores
            .ledger
            .attempts_on_number(&n.id, 100)
            .await
            .unwrap()
            .len(),
        10
    );
}

#[tokio::test]
async fn two_inboxes_of_one_number_share_one_lease() {
    let app = spawn_app().await;
    let a = admin(&app).await;
    let mine = inbox(
        &app,
        &a.access_token,
        a.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let other = app
        .user("olga@example.com", "Other Co", "administrator")
        .await;
    let theirs = inbox(
        &app,
        &other.access_token,
        other.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let (first, second) = tokio::join!(
        click(&app, Some(&a.access_token), a.account_id, mine),
        click(&app, Some(&other.access_token), other.account_id, theirs)
    );
    let statuses = [first.0, second.0];
    assert!(statuses.contains(&200), "{first:?} {second:?}");
    assert_eq!(
        register_calls(&app, Scenario::ApprovedUnregistered).len(),
        1,
        "one number, one call: {first:?} {second:?}"
    );
}

#[tokio::test]
async fn the_pin_belongs_to_the_number_deleting_and_re_adding_the_inbox_sends_the_same_pin() {
    let app = spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, id).await;
    assert_eq!((status, body["result"].as_str()), (200, Some("registered")));
    let first = register_calls(&app, Scenario::ApprovedUnregistered);
    assert_eq!(first.len(), 1);
    let first_pin = first[0].param("pin").unwrap();

    // The inbox goes; Meta takes the number back to pending (as after a display-name change).
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{}/inboxes/{id}", a.account_id)))
        .header("api_access_token", &a.access_token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let r = reqwest::Client::new()
        .post(app.sim.url(&format!("/v24.0/{}/deregister", n.id)))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let state = app.sim.sim.number_state(&n.id).unwrap();
    assert_eq!(state["state"]["registered"], false, "{state}");
    assert_eq!(
        state["state"]["pin_set"], true,
        "Meta keeps the PIN: {state}"
    );

    // Added again and registered again: Meta receives the PIN it already has, and accepts it.
    let again = inbox(
        &app,
        &a.access_token,
        a.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    assert_ne!(again, id);
    let (status, body) = click(&app, Some(&a.access_token), a.account_id, again).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "registered", "{body}");
    assert_eq!(body["state"], "registered", "{body}");

    // (`inbox()` cleared the call log: these are the calls since the number was added again.)
    let second = register_calls(&app, Scenario::ApprovedUnregistered);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].status, 200, "Meta accepted the PIN: {second:?}");
    assert_eq!(
        second[0].param("pin").as_deref(),
        Some(first_pin.as_str()),
        "one PIN across both calls"
    );
}

#[tokio::test]
async fn an_inbox_that_has_not_proven_access_never_sends_the_numbers_pin_nor_sees_its_budget() {
    let app = spawn_app().await;
    let (a, mine) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    spend_the_budget(&app, mine, Scenario::ApprovedUnregistered, 80, a.user_id).await;
    let other = app
        .user("mallory@example.com", "Other Co", "administrator")
        .await;

    // A junk token: setup cannot even read the number.
    let (junk, error) = app
        .add_number_as(
            &other.access_token,
            other.account_id,
            Scenario::ApprovedUnregistered,
            "EAAjunkjunkjunk",
            &n.waba_id,
        )
        .await;
    assert!(error.as_str().is_some(), "setup failed: {error}");
    // A token that reads the number, but the WABA named is not one that lists it.
    let foreign_waba = app
        .sim
        .sim
        .numbers()
        .into_iter()
        .find(|m| m.waba_id != n.waba_id)
        .unwrap()
        .waba_id;
    let third = app
        .user("trudy@example.com", "Third Co", "administrator")
        .await;
    let (unlisted, error) = app
        .add_number_as(
            &third.access_token,
            third.account_id,
            Scenario::ApprovedUnregistered,
            &n.token,
            &foreign_waba,
        )
        .await;
    assert!(error.as_str().is_some(), "setup failed: {error}");
    app.sim.sim.clear_calls();

    for (who, inbox) in [(&other, junk), (&third, unlisted)] {
        let (status, body) = click(&app, Some(&who.access_token), who.account_id, inbox).await;
        assert!(
            status == 409 || (status == 200 && body["called_meta"] == false),
            "{status} {body}"
        );
        let health: Value = app
            .get_with_token(
                &format!("/api/v1/accounts/{}/inboxes/{inbox}/health", who.account_id),
                &who.access_token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            health["registration"]["attempts_in_window"], 0,
            "the other account's attempts stay theirs: {health}"
        );
        assert!(
            !health.to_string().contains("having trouble"),
            "no last Meta error of the other account: {health}"
        );
    }
    let (status, body) = click(&app, Some(&third.access_token), third.account_id, unlisted).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("not yet proven"),
        "{body}"
    );
    assert!(
        register_calls(&app, Scenario::ApprovedUnregistered).is_empty(),
        "the number's PIN was never sent for an unproven inbox"
    );
    // The owner still sees the number's whole budget.
    let health: Value = app
        .get_with_token(
            &format!("/api/v1/accounts/{}/inboxes/{mine}/health", a.account_id),
            &a.access_token,
        )
        .await
        .json()
        .await
        .unwrap();
    // (Spent 80 hours ago an hour apart: one attempt is still inside the 72-hour window.)
    assert_eq!(health["registration"]["attempts_in_window"], 1, "{health}");
    assert!(
        health["registration"]["last_error"]
            .as_str()
            .unwrap()
            .contains("having trouble"),
        "{health}"
    );
}
