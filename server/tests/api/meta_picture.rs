//! Everything Meta can tell about a number (issue 12): "can it send?" from `health_status`, as the
//! health API answers it and the overview sorts by it, against the simulator.
use app::port::GreenlightPort;
use greenlight::simulator::Scenario;
use serde_json::{json, Value};

use greenlight::webhooks::store as queue;

use crate::health::create_inbox;
use crate::helpers::{spawn_app, TestApp};
use crate::webhooks::{eventually, spawn_with_webhooks};

async fn health(app: &TestApp, token: &str, account_id: i64, inbox_id: i64) -> Value {
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health"),
            token,
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_number_whose_waba_is_blocked_answers_blocked_with_metas_error_and_solution() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    let n = app.number(Scenario::WabaBlocked);
    let id = create_inbox(&app, token, account, Scenario::WabaBlocked).await;
    let h = health(&app, token, account, id).await;

    assert_eq!(h["can_send_message"], "BLOCKED", "{h}");
    let entities = h["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 4, "every entity Meta names: {h}");
    let waba = &entities[0];
    assert_eq!(waba["entity_type"], "WABA", "blocked first: {h}");
    assert_eq!(waba["id"], n.waba_id.as_str());
    assert_eq!(waba["can_send_message"], "BLOCKED");
    assert_eq!(waba["errors"][0]["error_code"], 141006);
    assert!(waba["errors"][0]["error_description"]
        .as_str()
        .unwrap()
        .contains("payment method"));
    assert!(waba["errors"][0]["possible_solution"]
        .as_str()
        .unwrap()
        .contains("add a new payment method"));
    assert_eq!(waba["additional_info"], json!([]));
    // The blocked WABA feeds the verdict, even though the number itself is registered and fine.
    assert_eq!(h["verdict"]["verdict"], "blocked", "{h}");
    assert_eq!(
        h["verdict"]["reason"],
        "WhatsApp Business account blocked by Meta"
    );
    // What Meta received: one read of the number asking for health_status.
    let reads = app.sim.sim.calls_to("GET", &format!("/{}", n.id));
    assert!(
        reads.iter().any(|c| c.query_param("fields").is_some_and(
            |f| f.contains("health_status") && f.contains("official_business_account")
        )),
        "the health read asks Meta for health_status"
    );

    // Meta lifts the block: the next refresh says so.
    app.sim.sim.set_entity_health(&n.id, "WABA", None);
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account}/inboxes/{id}/health?refresh=true"),
            token,
        )
        .await;
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["can_send_message"], "AVAILABLE", "{h}");
    assert_eq!(h["verdict"]["verdict"], "healthy", "{h}");
}

#[tokio::test]
async fn a_limited_business_needs_attention_and_the_overview_puts_blocked_first() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    let limited = create_inbox(&app, token, account, Scenario::BusinessLimited).await;
    let healthy = create_inbox(&app, token, account, Scenario::Healthy).await;
    let blocked = create_inbox(&app, token, account, Scenario::WabaBlocked).await;

    let h = health(&app, token, account, limited).await;
    assert_eq!(h["can_send_message"], "LIMITED", "{h}");
    let business = &h["entities"][0];
    assert_eq!(business["entity_type"], "BUSINESS");
    assert_eq!(business["errors"][0]["error_code"], 141010);
    assert_eq!(
        business["additional_info"][0],
        "Your business portfolio is limited to 2 phone numbers until it is verified."
    );
    assert_eq!(h["verdict"]["verdict"], "needs_attention", "{h}");
    assert_eq!(h["verdict"]["reason"], "Business portfolio limited by Meta");
    let h = health(&app, token, account, healthy).await;
    assert_eq!(h["can_send_message"], "AVAILABLE");
    assert!(h["entities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["can_send_message"] == "AVAILABLE" && e["errors"] == json!([])));
    health(&app, token, account, blocked).await;

    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let o = app
        .services
        .inbox_overview(&user, account, 1)
        .await
        .unwrap();
    let order: Vec<(i64, &str)> = o
        .rows
        .iter()
        .map(|r| (r.id, r.verdict.verdict.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (blocked, "blocked"),
            (limited, "needs_attention"),
            (healthy, "healthy")
        ]
    );
}

#[tokio::test]
async fn the_account_health_page_shows_the_blocked_entity_with_what_to_do() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    let id = create_inbox(&app, token, account, Scenario::WabaBlocked).await;
    health(&app, token, account, id).await;
    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let view = GreenlightPort::inbox_health(&app.services, &user, account, id, false)
        .await
        .unwrap();
    let can_send = &view.meta.can_send;
    assert_eq!(can_send.can_send_message, "BLOCKED");
    assert_eq!(can_send.entities[0].entity_type, "WABA");
    assert_eq!(can_send.entities[0].errors[0].error_code, Some(141006));
}

/// Waits until every stored webhook event is processed.
async fn all_processed(app: &TestApp) -> bool {
    eventually(10, || async {
        let all = app.services.stores.queue.all().await.unwrap();
        !all.is_empty()
            && all.iter().all(|e| {
                e.status != queue::status::PENDING && e.status != queue::status::PROCESSING
            })
    })
    .await
}

async fn alert_kinds(app: &TestApp, inbox_id: i64) -> Vec<String> {
    app.services
        .stores
        .alerts
        .alerts_for_inbox(inbox_id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.kind)
        .filter(|k| k.starts_with("enforcement"))
        .collect()
}

#[tokio::test]
async fn a_restriction_blocks_every_number_of_the_waba_counts_down_alerts_once_and_expires_by_itself(
) {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    // Two numbers of one WABA ("Lucky Shrub").
    let n = app.number(Scenario::Healthy);
    let id = create_inbox(&app, token, account, Scenario::Healthy).await;
    let sibling = create_inbox(&app, token, account, Scenario::QualityRed).await;
    assert_eq!(app.number(Scenario::QualityRed).waba_id, n.waba_id);
    health(&app, token, account, id).await;
    app.sim.sim.clear_calls();

    let expires = app.sim.sim.now().timestamp() + 2 * 86_400 + 5_400;
    let restriction = json!({"event": "ACCOUNT_RESTRICTION", "restriction_info": [
        {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": expires}]});
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_update", restriction.clone());
    assert!(all_processed(&app).await);
    // Greenlight re-read the numbers the event concerns.
    assert!(!app
        .sim
        .sim
        .calls_to("GET", &format!("/{}", n.id))
        .is_empty());

    let h = health(&app, token, account, id).await;
    assert_eq!(
        h["restrictions"],
        json!([{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING",
                "expires_at": chrono::DateTime::from_timestamp(expires, 0).unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}]),
        "{h}"
    );
    assert!(h.get("ban").is_none(), "no ban: {h}");
    assert_eq!(h["verdict"]["verdict"], "blocked", "{h}");
    assert_eq!(
        h["verdict"]["reason"],
        "Restricted: The business cannot start conversations"
    );
    assert_eq!(
        h["enforcement"][0]["remediation_url"],
        "https://business.facebook.com/accountquality"
    );
    // The sibling number of the same WABA is blocked too, and the tab names both.
    let s = health(&app, token, account, sibling).await;
    assert_eq!(s["verdict"]["verdict"], "blocked", "{s}");
    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let view = GreenlightPort::inbox_health(&app.services, &user, account, id, false)
        .await
        .unwrap();
    assert_eq!(view.meta.enforcement.len(), 1);
    assert_eq!(
        view.meta.enforcement[0].countdown.as_deref(),
        Some("in 2 d 1 h"),
        "{:?}",
        view.meta.enforcement
    );
    assert_eq!(
        view.meta.affected_numbers.len(),
        2,
        "{:?}",
        view.meta.affected_numbers
    );

    // One alert per number for the transition...
    assert!(
        eventually(10, || async {
            alert_kinds(&app, id).await == ["enforcement"]
                && alert_kinds(&app, sibling).await == ["enforcement"]
        })
        .await
    );
    // ...and none when Meta sends the same restriction again.
    let before = app.services.stores.queue.all().await.unwrap().len();
    app.sim.sim.advance_clock(chrono::Duration::seconds(5));
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_update", restriction);
    assert!(
        eventually(10, || async {
            app.services.stores.queue.all().await.unwrap().len() == before + 1
        })
        .await
    );
    assert!(all_processed(&app).await);
    greenlight::alerts::evaluator::run_once(&app.services.alert_jobs())
        .await
        .unwrap();
    assert_eq!(alert_kinds(&app, id).await, ["enforcement"]);

    // Past its expiration the restriction is gone, with no job: the read is time-aware.
    let row = app
        .services
        .stores
        .inboxes
        .get(account, id)
        .await
        .unwrap()
        .unwrap();
    let later = chrono::DateTime::from_timestamp(expires, 0).unwrap();
    assert!(app
        .services
        .health
        .enforcement_of(&row, later)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        app.services
            .health
            .enforcement_of(&row, later - chrono::Duration::seconds(1))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_ban_blocks_until_meta_reinstates_and_each_transition_alerts_once() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (token, account) = (&admin.access_token, admin.account_id);
    let n = app.number(Scenario::ApprovedUnregistered);
    let id = create_inbox(&app, token, account, Scenario::ApprovedUnregistered).await;
    let ban = |state: &str| json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": state, "waba_ban_date": "April 17, 2025"}});
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_update", ban("DISABLE"));
    assert!(all_processed(&app).await);
    let h = health(&app, token, account, id).await;
    assert_eq!(
        h["ban"],
        json!({"state": "DISABLE", "date": "2025-04-17T00:00:00Z"}),
        "{h}"
    );
    assert_eq!(h["verdict"]["verdict"], "blocked");
    assert_eq!(
        h["verdict"]["reason"].as_str().unwrap().split(" · ").next(),
        Some("The business account is disabled")
    );

    app.sim.sim.advance_clock(chrono::Duration::seconds(60));
    app.sim
        .sim
        .emit_webhook(&n.waba_id, "account_update", ban("REINSTATE"));
    assert!(
        eventually(10, || async {
            health(&app, token, account, id).await.get("ban").is_none()
        })
        .await
    );
    // A late retry of the old DISABLE (older entry time) changes nothing.
    let late = greenlight::simulator::webhooks::envelope(
        &n.waba_id,
        app.sim.sim.now().timestamp() - 3_600,
        &[("account_update".into(), ban("DISABLE"))],
    );
    let sig = greenlight::simulator::webhooks::signature(greenlight::simulator::APP_SECRET, &late);
    let r = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sig)
        .body(late)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(all_processed(&app).await);
    assert!(health(&app, token, account, id).await.get("ban").is_none());
    greenlight::alerts::evaluator::run_once(&app.services.alert_jobs())
        .await
        .unwrap();
    assert!(eventually(10, || async { alert_kinds(&app, id).await.len() == 2 }).await);
    let mut kinds = alert_kinds(&app, id).await;
    kinds.sort();
    assert_eq!(kinds, ["enforcement", "enforcement_lifted"]);
}
