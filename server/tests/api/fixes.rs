//! The fixes an administrator makes from Greenlight (issue 12), against the simulator: what Meta
//! received, what Greenlight kept, and what the answers and the health API say.
use greenlight::simulator::webhooks::signature;
use greenlight::simulator::LostAnswer;
use greenlight::simulator::{Scenario, APP_SECRET};
use greenlight::webhooks::processor;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::webhooks::spawn_with_webhooks;

const PIN_CHANGED: &str = include_str!("../fixtures/webhooks/security_pin_changed.json");
const PIN_RESET_REQUEST: &str =
    include_str!("../fixtures/webhooks/security_pin_reset_request.json");

async fn admin_with_inbox(
    app: &TestApp,
    scenario: Scenario,
) -> (greenlight::accounts::service::CreatedUser, i64) {
    let a = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(scenario);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{}/inboxes", a.account_id)))
        .header("api_access_token", &a.access_token)
        .json(&json!({
            "name": scenario.label(),
            "channel": {"type": "whatsapp", "phone_number": n.display_phone_number, "provider": "whatsapp_cloud",
                "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.sim.sim.clear_calls();
    (a, id)
}

async fn post(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(path))
        .header("api_access_token", token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn set_pin(app: &TestApp, token: &str, account_id: i64, inbox_id: i64) -> (u16, Value) {
    post(
        app,
        token,
        &format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}/two_step_pin"),
    )
    .await
}

async fn health(app: &TestApp, token: &str, account_id: i64, inbox_id: i64) -> Value {
    app.get_with_token(
        &format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health"),
        token,
    )
    .await
    .json()
    .await
    .unwrap()
}

/// The PINs Meta received in `POST /{phone}` calls (the set-PIN calls), oldest first.
fn pins_sent(app: &TestApp, number: &str) -> Vec<String> {
    app.sim
        .sim
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&format!("/{number}")))
        .filter_map(|c| c.body["pin"].as_str().map(str::to_owned))
        .collect()
}

/// The PIN Greenlight would register with now (opened from the store).
async fn stored_pin(app: &TestApp, number: &str) -> String {
    app.services
        .stores
        .pins
        .ensure(&app.services.secrets, number, app::i18n::Locale::en)
        .await
        .unwrap()
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn set_the_pin_fixes_a_pin_mismatch_and_registers_with_the_new_pin() {
    let app = crate::helpers::spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::PinMismatch).await;
    let n = app.number(Scenario::PinMismatch);
    let (status, body) = post(
        &app,
        &a.access_token,
        &format!(
            "/api/v1/accounts/{}/inboxes/{id}/register_phone",
            a.account_id
        ),
    )
    .await;
    assert_eq!(
        (status, body["reason_code"].as_str()),
        (200, Some("pin_mismatch")),
        "{body}"
    );

    let (status, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["action"], "two_step_pin");
    assert_eq!(body["result"], "applied", "{body}");
    assert_eq!(body["pin"]["state"], "stored");
    // Meta received one new PIN, and then a registration with that very PIN.
    let sent = pins_sent(&app, &n.id);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(app.sim.sim.pin(&n.id).as_deref(), Some(sent[0].as_str()));
    let registers = app.sim.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(
        registers.len(),
        2,
        "the failed one and the one after the fix"
    );
    assert_eq!(registers[1].body["pin"], sent[0]);
    assert!(
        matches!(
            body["registration"]["result"].as_str(),
            Some("registered" | "accepted")
        ),
        "{body}"
    );
    assert_eq!(stored_pin(&app, &n.id).await, sent[0]);
    // No answer contains the PIN.
    assert!(!body.to_string().contains(&sent[0]), "{body}");
    let h = health(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(h["pin"]["state"], "stored", "{h}");
    assert!(!h.to_string().contains(&sent[0]));
}

#[tokio::test]
async fn a_lost_answer_keeps_both_pins_and_the_next_press_sends_the_same_one() {
    let app = crate::helpers::spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    post(
        &app,
        &a.access_token,
        &format!(
            "/api/v1/accounts/{}/inboxes/{id}/register_phone",
            a.account_id
        ),
    )
    .await;
    let old = stored_pin(&app, &n.id).await;
    assert_eq!(app.sim.sim.pin(&n.id).as_deref(), Some(old.as_str()));

    // Meta applies the new PIN, but its answer is lost.
    app.sim
        .sim
        .lose_next_answer(&n.id, LostAnswer::ServerError(500));
    let (status, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "unknown", "{body}");
    assert_eq!(body["pin"]["state"], "possibly_stale", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Set the PIN again"),
        "{body}"
    );
    let first = pins_sent(&app, &n.id);
    assert_eq!(first.len(), 1);
    assert_ne!(first[0], old);
    assert_eq!(app.sim.sim.pin(&n.id).as_deref(), Some(first[0].as_str()));
    // The old PIN is still the one in use until Meta confirms.
    assert_eq!(stored_pin(&app, &n.id).await, old);
    let h = health(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(h["pin"]["state"], "possibly_stale", "{h}");

    // Pressing again sends the same new PIN; now both sides hold it.
    let (_, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(body["result"], "applied", "{body}");
    assert_eq!(body["pin"]["state"], "stored");
    let sent = pins_sent(&app, &n.id);
    assert_eq!(sent, vec![first[0].clone(), first[0].clone()]);
    assert_eq!(stored_pin(&app, &n.id).await, first[0]);
    assert!(
        body["registration"].is_null(),
        "a registered number is not registered again: {body}"
    );
}

#[tokio::test]
async fn a_refused_pin_keeps_the_old_one() {
    let app = crate::helpers::spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let n = app.number(Scenario::ApprovedUnregistered);
    post(
        &app,
        &a.access_token,
        &format!(
            "/api/v1/accounts/{}/inboxes/{id}/register_phone",
            a.account_id
        ),
    )
    .await;
    let old = stored_pin(&app, &n.id).await;
    app.sim.sim.fail_next(
        &n.id,
        400,
        json!({"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100, "fbtrace_id": "AbC"}}),
    );
    let (status, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "refused", "{body}");
    assert_eq!(body["meta_error"]["code"], 100);
    assert_eq!(body["pin"]["state"], "stored");
    assert!(
        !body.to_string().contains("AbC"),
        "no fbtrace_id in answers: {body}"
    );
    assert_eq!(stored_pin(&app, &n.id).await, old);
    assert_eq!(app.sim.sim.pin(&n.id).as_deref(), Some(old.as_str()));
    // The next press makes a new PIN (nothing is pending).
    let (_, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(body["result"], "applied", "{body}");
    let sent = pins_sent(&app, &n.id);
    assert_eq!(sent.len(), 2);
    assert_eq!(stored_pin(&app, &n.id).await, sent[1]);
}

/// Meta's `security` fixture, addressed to the scenario's number and WABA, at `time`.
fn security_body(app: &TestApp, fixture: &str, scenario: Scenario, time: i64) -> Vec<u8> {
    let n = app.number(scenario);
    let mut v: Value = serde_json::from_str(fixture).unwrap();
    v["entry"][0]["id"] = json!(n.waba_id);
    v["entry"][0]["time"] = json!(time);
    let digits: String = n
        .display_phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    v["entry"][0]["changes"][0]["value"]["display_phone_number"] = json!(digits);
    serde_json::to_vec(&v).unwrap()
}

async fn deliver(app: &TestApp, body: Vec<u8>) {
    let r = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature(APP_SECRET, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    processor::run_once(&app.services.webhook_processor())
        .await
        .unwrap();
}

async fn pin_alerts(app: &TestApp, inbox_id: i64) -> usize {
    app.services
        .stores
        .alerts
        .alerts_for_inbox(inbox_id, 100)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.kind == "pin_possibly_stale")
        .count()
}

#[tokio::test]
async fn a_pin_changed_elsewhere_marks_the_pin_possibly_stale_and_alerts_once_per_stretch() {
    let app = spawn_with_webhooks().await;
    let (a, id) = admin_with_inbox(&app, Scenario::ApprovedUnregistered).await;
    let (_, other) = {
        let n = app.number(Scenario::Healthy);
        let r = app
            .client
            .post(app.url(&format!("/api/v1/accounts/{}/inboxes", a.account_id)))
            .header("api_access_token", &a.access_token)
            .json(&json!({
                "name": "Other number",
                "channel": {"type": "whatsapp", "phone_number": n.display_phone_number, "provider": "whatsapp_cloud",
                    "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        ((), r.json::<Value>().await.unwrap()["id"].as_i64().unwrap())
    };
    post(
        &app,
        &a.access_token,
        &format!(
            "/api/v1/accounts/{}/inboxes/{id}/register_phone",
            a.account_id
        ),
    )
    .await;
    let later = chrono::Utc::now().timestamp() + 3600;
    // Read first, so the PIN state is in the read cache: the event must make it stale at once.
    let h = health(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(h["pin"]["state"], "stored", "{h}");

    deliver(
        &app,
        security_body(&app, PIN_CHANGED, Scenario::ApprovedUnregistered, later),
    )
    .await;
    let h = health(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(h["pin"]["state"], "possibly_stale", "{h}");
    assert_eq!(pin_alerts(&app, id).await, 1);
    // Another event in the same stretch: no second alert; the other number is untouched.
    deliver(
        &app,
        security_body(
            &app,
            PIN_RESET_REQUEST,
            Scenario::ApprovedUnregistered,
            later + 1,
        ),
    )
    .await;
    assert_eq!(pin_alerts(&app, id).await, 1);
    assert_eq!(pin_alerts(&app, other).await, 0);

    // Setting a new PIN ends the stretch; Meta's report of that change is not a new stretch.
    let (_, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(body["result"], "applied", "{body}");
    assert_eq!(body["pin"]["state"], "stored");
    let now = chrono::Utc::now().timestamp();
    deliver(
        &app,
        security_body(&app, PIN_CHANGED, Scenario::ApprovedUnregistered, now),
    )
    .await;
    let h = health(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(h["pin"]["state"], "stored", "{h}");
    assert_eq!(pin_alerts(&app, id).await, 1);
    // A later change elsewhere is a new stretch: one more alert (not at `later`: the same event at
    // the same time is a repeat delivery, which Greenlight drops).
    deliver(
        &app,
        security_body(
            &app,
            PIN_CHANGED,
            Scenario::ApprovedUnregistered,
            later + 3600,
        ),
    )
    .await;
    assert_eq!(pin_alerts(&app, id).await, 2);
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(path))
        .header("api_access_token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// The code the simulated phone received.
fn code_sent(app: &TestApp, number: &str) -> String {
    app.sim.sim.number_state(number).unwrap()["state"]["pending_verification_code"]
        .as_str()
        .expect("a code was sent")
        .to_owned()
}

#[tokio::test]
async fn reverification_requests_a_code_verifies_it_and_registers_through_the_engine() {
    let app = crate::helpers::spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::NotVerified).await;
    let n = app.number(Scenario::NotVerified);
    let base = format!("/api/v1/accounts/{}/inboxes/{id}", a.account_id);
    let (_, body) = post(&app, &a.access_token, &format!("{base}/register_phone")).await;
    assert_eq!(body["reason_code"], "reverification_needed", "{body}");
    let first_pin =
        app.sim.sim.calls_to("POST", &format!("/{}/register", n.id))[0].body["pin"].clone();

    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/request"),
        json!({"code_method": "SMS", "language": "en_US"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["action"].as_str(), body["result"].as_str()),
        (Some("verification_request"), Some("applied")),
        "{body}"
    );
    assert_eq!(body["code_requests"]["left"], 4);
    assert!(
        body["code_requests"]["next_request_at"].is_string(),
        "{body}"
    );
    let requests = app
        .sim
        .sim
        .calls_to("POST", &format!("/{}/request_code", n.id));
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body["code_method"], "SMS");
    assert_eq!(requests[0].body["language"], "en_US");
    let code = code_sent(&app, &n.id);

    // A wrong code: Meta's 136025, typed, in plain words; nothing registered.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/verify"),
        json!({"code": wrong}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "refused");
    assert_eq!(body["meta_error"]["code"], 136025);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("wrong or has expired"),
        "{body}"
    );
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/register", n.id))
            .len(),
        1
    );

    // The right code, typed as the SMS shows it: verified, then registered through the engine with the same PIN.
    let typed = format!("{}-{}", &code[..3], &code[3..]);
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/verify"),
        json!({"code": typed}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "applied", "{body}");
    assert!(
        matches!(
            body["registration"]["result"].as_str(),
            Some("registered" | "accepted")
        ),
        "{body}"
    );
    let verifies = app
        .sim
        .sim
        .calls_to("POST", &format!("/{}/verify_code", n.id));
    assert_eq!(verifies.len(), 2);
    assert_eq!(verifies[1].body["code"], code.as_str());
    let registers = app.sim.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(registers.len(), 2);
    assert_eq!(registers[1].body["pin"], first_pin);
    let ledger = app.services.stores.ledger.attempts(id, 10).await.unwrap();
    assert_eq!(
        ledger.len(),
        2,
        "the registration counts in the same ledger and budget"
    );
    // The code is never stored.
    let stored = crate::helpers::all_rows(&app.services.db, &[]).await;
    let calls = &stored["verification_requests"];
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(!format!("{calls:?}").contains(&code), "{calls:?}");

    // A second code right away: Greenlight's spacing holds it, without calling Meta.
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/request"),
        json!({"code_method": "VOICE", "language": "en_US"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("can be requested from"),
        "{body}"
    );
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/request_code", n.id))
            .len(),
        1
    );
}

#[tokio::test]
async fn meta_limiting_code_requests_is_typed_and_holds_further_requests() {
    let app = crate::helpers::spawn_app().await;
    let (a, id) = admin_with_inbox(&app, Scenario::NotVerified).await;
    let n = app.number(Scenario::NotVerified);
    let base = format!("/api/v1/accounts/{}/inboxes/{id}", a.account_id);
    app.sim.sim.fail_next(
        &n.id,
        400,
        json!({"error": {"message": "(#136024) Request code error", "type": "OAuthException", "code": 136024,
            "error_data": {"messaging_product": "whatsapp", "details": "Too many codes requested."}, "fbtrace_id": "Xy"}}),
    );
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/request"),
        json!({"code_method": "SMS", "language": "en_US"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "refused");
    assert_eq!(body["meta_error"]["code"], 136024);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("limits code requests"),
        "{body}"
    );
    assert_eq!(body["code_requests"]["left"], 5, "no code was sent");
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/request"),
        json!({"code_method": "SMS", "language": "en_US"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/request_code", n.id))
            .len(),
        1
    );
    // Bad input is refused before anything is sent.
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/request"),
        json!({"code_method": "FAX"}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code_method")),
        "{body}"
    );
    let (status, _) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/verification/verify"),
        json!({"code": "12345"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(app
        .sim
        .sim
        .calls_to("POST", &format!("/{}/verify_code", n.id))
        .is_empty());
}

#[tokio::test]
async fn a_display_name_change_is_reviewed_one_at_a_time_and_an_approval_renews_the_registration() {
    let app = spawn_with_webhooks().await;
    let (a, id) = admin_with_inbox(&app, Scenario::Healthy).await;
    let n = app.number(Scenario::Healthy);
    let base = format!("/api/v1/accounts/{}/inboxes/{id}", a.account_id);
    // Greenlight sets the PIN of this number registered elsewhere, so its renewal can succeed.
    let (_, body) = set_pin(&app, &a.access_token, a.account_id, id).await;
    assert_eq!(body["result"], "applied", "{body}");
    app.sim.sim.clear_calls();
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/display_name"),
        json!({"new_display_name": "New Lucky Shrub"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["action"].as_str(), body["result"].as_str()),
        (Some("display_name"), Some("applied")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("reviewing"),
        "{body}"
    );
    let sent: Vec<Value> = app
        .sim
        .sim
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&format!("/{}", n.id)))
        .map(|c| c.body.clone())
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["new_display_name"], "New Lucky Shrub");
    let h: Value = app
        .get_with_token(&format!("{base}/health?refresh=true"), &a.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        h["display_name_change"]["new_display_name"], "New Lucky Shrub",
        "{h}"
    );
    assert_eq!(
        h["display_name_change"]["new_name_status"], "PENDING_REVIEW",
        "{h}"
    );

    // One change in review at a time: refused without calling Meta.
    let (status, body) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/display_name"),
        json!({"new_display_name": "Another Name"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("one change at a time"),
        "{body}"
    );
    let posts = app
        .sim
        .sim
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&format!("/{}", n.id)))
        .count();
    assert_eq!(posts, 1);
    let (status, _) = post_json(
        &app,
        &a.access_token,
        &format!("{base}/display_name"),
        json!({"new_display_name": "  "}),
    )
    .await;
    assert_eq!(status, 422);

    // Meta approves: the webhook leads to the registration Meta asks for after a name change.
    app.sim.sim.approve_name(&n.id);
    let registered_again = crate::webhooks::eventually(20, || async {
        processor::run_once(&app.services.webhook_processor())
            .await
            .unwrap();
        !app.sim
            .sim
            .calls_to("POST", &format!("/{}/register", n.id))
            .is_empty()
    })
    .await;
    assert!(
        registered_again,
        "the approved change is followed by one /register"
    );
    let registers = app.sim.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(registers.len(), 1);
    assert_eq!(
        registers[0].body["pin"],
        stored_pin(&app, &n.id).await.as_str()
    );
    assert_eq!(registers[0].status, 200);
}

#[tokio::test]
async fn a_declined_display_name_says_why_in_words_on_the_account_health_tab() {
    let app = spawn_with_webhooks().await;
    let (a, id) = admin_with_inbox(&app, Scenario::PendingReview).await;
    let n = app.number(Scenario::PendingReview);
    // Meta declines the name; only its webhook carries the reason.
    app.sim.sim.decline_name(&n.id, "NAME_FORMAT_UNACCEPTABLE");
    let user = app.services.accounts.user(a.user_id).await.unwrap();
    let explained = crate::webhooks::eventually(20, || async {
        processor::run_once(&app.services.webhook_processor())
            .await
            .unwrap();
        let view =
            app::port::GreenlightPort::inbox_health(&app.services, &user, a.account_id, id, false)
                .await
                .unwrap();
        view.registration.fixes.name_rejection.is_some()
    })
    .await;
    assert!(explained, "the rejection reason reached the tab");
    let view =
        app::port::GreenlightPort::inbox_health(&app.services, &user, a.account_id, id, false)
            .await
            .unwrap();
    assert_eq!(
        view.registration.fixes.name_rejection.as_deref(),
        Some(app::meta::name_rejection_words("NAME_FORMAT_UNACCEPTABLE").as_str())
    );
    // The page, rendered by the server, says it next to the display name.
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let html = app
        .get(&format!("/accounts/{}/inboxes/{id}/health", a.account_id))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"name-rejection\""), "{html}");
    assert!(html.contains("formatting rules"), "{html}");
}
