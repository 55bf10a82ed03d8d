//! The health endpoint against the simulator: keys and values per number, authorization,
//! coalescing, and stale data when Meta fails.
use greenlight::simulator::Scenario;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// Creates an inbox for a simulated number through the REST API; returns its id.
pub async fn create_inbox(app: &TestApp, token: &str, account_id: i64, scenario: Scenario) -> i64 {
    let n = app.number(scenario);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account_id}/inboxes")))
        .header("api_access_token", token)
        .json(&json!({
            "name": scenario.label(),
            "channel": {"type": "whatsapp", "phone_number": "+16315550100", "provider": "whatsapp_cloud",
                "provider_config": {"api_key": n.token, "phone_number_id": n.id, "business_account_id": n.waba_id}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn health(
    app: &TestApp,
    token: &str,
    account_id: i64,
    inbox_id: i64,
    query: &str,
) -> (u16, Value) {
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health{query}"),
            token,
        )
        .await;
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_healthy_number_answers_with_chatwoots_keys_and_ours() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let n = app.number(Scenario::Healthy);
    let (status, h) = health(&app, &admin.access_token, admin.account_id, id, "").await;
    assert_eq!(status, 200, "{h}");
    for key in [
        "display_phone_number",
        "verified_name",
        "name_status",
        "quality_rating",
        "messaging_limit_tier",
        "account_mode",
        "code_verification_status",
        "throughput",
        "last_onboarded_time",
        "platform_type",
        "business_id",
        "status",
        "registration",
        "whatsapp_manager_url",
        "checked_at",
        "stale",
    ] {
        assert!(h.get(key).is_some(), "missing {key}: {h}");
    }
    assert_eq!(h["name_status"], "APPROVED");
    assert_eq!(h["quality_rating"], "GREEN");
    assert_eq!(h["platform_type"], "CLOUD_API");
    assert_eq!(h["throughput"], json!({"level": "STANDARD"}));
    assert_eq!(
        h["business_id"],
        n.waba_id.as_str(),
        "Chatwoot's business_id is the WABA id"
    );
    assert_eq!(h["registration"]["state"], "registered");
    assert_eq!(h["stale"], false);
    assert_eq!(
        h["whatsapp_manager_url"],
        format!(
            "https://business.facebook.com/latest/whatsapp_manager/phone_numbers/?business_id={}&asset_id={}",
            n.business_id, n.waba_id
        )
    );
    assert!(!h.to_string().contains(&n.token), "no token in the answer");
}

#[tokio::test]
async fn each_state_of_the_table_shows_on_the_endpoint() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let cases = [
        (Scenario::PendingReview, "awaiting_display_name"),
        (Scenario::ApprovedUnregistered, "ready"),
        (Scenario::ThroughputNotApplicable, "ready"),
        (Scenario::NameDeclined, "action_required"),
        (Scenario::ConnectedExpired, "registered"),
        (Scenario::QualityRed, "registered"),
        (Scenario::UnknownValues, "registered"),
    ];
    for (scenario, state) in cases {
        let id = create_inbox(&app, &admin.access_token, admin.account_id, scenario).await;
        let (status, h) = health(&app, &admin.access_token, admin.account_id, id, "").await;
        assert_eq!(status, 200, "{scenario:?} {h}");
        assert_eq!(h["registration"]["state"], state, "{scenario:?}: {h}");
        assert!(!h["registration"]["reason"].as_str().unwrap().is_empty());
    }
    assert!(
        app.sim.sim.calls_to("POST", "/register").is_empty(),
        "looking never registers"
    );
}

#[tokio::test]
async fn each_number_gets_one_verdict_with_its_reason_in_words() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let cases = [
        (Scenario::Healthy, "healthy", "Registered · Quality High"),
        (
            Scenario::QualityRed,
            "needs_attention",
            "Flagged · Quality Low",
        ),
        (
            Scenario::PendingReview,
            "waiting_on_meta",
            "Display name in review",
        ),
        (
            Scenario::ApprovedUnregistered,
            "needs_attention",
            "Not registered",
        ),
        (Scenario::NameDeclined, "blocked", "Display name declined"),
        (Scenario::PinMismatch, "needs_attention", "Not registered"),
    ];
    for (scenario, verdict, reason) in cases {
        let id = create_inbox(&app, &admin.access_token, admin.account_id, scenario).await;
        let (status, h) = health(&app, &admin.access_token, admin.account_id, id, "").await;
        assert_eq!(status, 200, "{scenario:?} {h}");
        assert_eq!(h["verdict"]["verdict"], verdict, "{scenario:?}: {h}");
        assert_eq!(h["verdict"]["reason"], reason, "{scenario:?}: {h}");
    }
    // The overview counts every verdict and sorts the worst first.
    let user = app.services.accounts.user(admin.user_id).await.unwrap();
    let o = app
        .services
        .inbox_overview(&user, admin.account_id, 1)
        .await
        .unwrap();
    let order: Vec<&str> = o.rows.iter().map(|r| r.verdict.verdict.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|v| {
        [
            "blocked",
            "needs_attention",
            "waiting_on_meta",
            "unknown",
            "healthy",
        ]
        .iter()
        .position(|x| x == v)
    });
    assert_eq!(order, sorted, "worst first");
    let counts: Vec<(&str, usize)> = o.counts.iter().map(|(v, n)| (v.as_str(), *n)).collect();
    assert_eq!(
        counts,
        [
            ("blocked", 1),
            ("needs_attention", 3),
            ("waiting_on_meta", 1),
            ("healthy", 1)
        ]
    );
}

#[tokio::test]
async fn a_hundred_concurrent_views_with_a_cold_cache_make_one_graph_read() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let n = app.number(Scenario::Healthy);
    app.services.health.invalidate_health(id).await;
    app.sim.sim.clear_calls();
    let path = format!("/api/v1/accounts/{}/inboxes/{id}/health", admin.account_id);
    let reqs = (0..100).map(|_| app.get_with_token(&path, &admin.access_token));
    let answers = futures::future::join_all(reqs).await;
    assert!(answers.iter().all(|r| r.status() == 200));
    assert_eq!(app.sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 1);
}

#[tokio::test]
async fn when_meta_fails_the_last_good_data_comes_back_marked_stale() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let n = app.number(Scenario::Healthy);
    for _ in 0..3 {
        app.sim.sim.fail_next(&n.id, 500, Value::Null);
    }
    let (status, h) = health(
        &app,
        &admin.access_token,
        admin.account_id,
        id,
        "?refresh=true",
    )
    .await;
    assert_eq!(status, 503, "{h}");
    assert_eq!(h["stale"], true);
    assert_eq!(
        h["quality_rating"], "GREEN",
        "last good snapshot still shown"
    );
    assert_eq!(h["registration"]["state"], "unknown");
    assert_eq!(h["error"]["kind"], "transient");
    let text = h.to_string();
    assert!(!text.contains("fbtrace"), "{text}");
    assert!(!text.contains(&n.token));
    assert!(
        app.sim.sim.calls_to("POST", "/register").is_empty(),
        "unknown never writes"
    );
}

#[tokio::test]
async fn an_expired_token_is_a_typed_502_without_meta_internals() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::TokenExpired,
    )
    .await;
    let (status, h) = health(&app, &admin.access_token, admin.account_id, id, "").await;
    assert_eq!(status, 502, "{h}");
    assert_eq!(h["error"]["kind"], "token_invalid");
    assert!(!h.to_string().contains("fbtrace"));
    assert!(
        !h.to_string().contains("Session has expired"),
        "no raw Meta message: {h}"
    );
    // Which kind of refusal, from Meta's subcode 463: expired (not merely "refused").
    assert_eq!(h["token_refusal"], "expired", "{h}");
    assert_eq!(h["verdict"]["verdict"], "blocked");
    assert_eq!(h["verdict"]["reason"], "Access token expired", "{h}");
    // The Account Health tab says so too, with the fix for an expired token.
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let html = app
        .client
        .get(app.url(&format!(
            "/accounts/{}/inboxes/{id}/health",
            admin.account_id
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Access token expired"), "{html}");
    assert!(
        html.contains("the stored one has expired"),
        "the fix names the kind: {html}"
    );
}

#[tokio::test]
async fn who_may_read_health() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let member = app.user("mia@example.com", "Acme", "agent").await;
    let outsider = app.user("olly@example.com", "Acme", "agent").await;
    let other = app.user("eve@example.com", "Other", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    app.add_inbox_members(&admin.access_token, admin.account_id, id, &[member.user_id])
        .await;
    let path = format!("/api/v1/accounts/{}/inboxes/{id}/health", admin.account_id);
    assert_eq!(
        app.get_with_token(&path, &admin.access_token)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_with_token(&path, &member.access_token)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_with_token(&path, &outsider.access_token)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get_with_token(&path, &other.access_token)
            .await
            .status(),
        404
    );
    assert_eq!(app.get(&path).await.status(), 401);
    let unknown = format!(
        "/api/v1/accounts/{}/inboxes/999999/health",
        admin.account_id
    );
    assert_eq!(
        app.get_with_token(&unknown, &admin.access_token)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn history_lists_the_snapshots() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let _ = health(
        &app,
        &admin.access_token,
        admin.account_id,
        id,
        "?refresh=true",
    )
    .await;
    let r = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/{}/inboxes/{id}/health/history",
                admin.account_id
            ),
            &admin.access_token,
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let rows = v["payload"].as_array().unwrap();
    assert!(rows.len() >= 2, "{v}");
    assert_eq!(rows[0]["source"], "setup");
    assert_eq!(rows[0]["quality_rating"], "GREEN");
    let r = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/{}/inboxes/{id}/health/history?since=yesterday",
                admin.account_id
            ),
            &admin.access_token,
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn the_background_refresh_reads_only_snapshots_about_to_age_out() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let n = app.number(Scenario::Healthy);
    let six_hours = std::time::Duration::from_secs(6 * 3600);
    app.sim.sim.clear_calls();
    let read = greenlight::health::refresh::run_once(
        &app.services.health,
        &app.services.instance,
        chrono::Utc::now(),
        six_hours,
    )
    .await
    .unwrap();
    assert_eq!(read.read, 0, "a fresh snapshot is left alone");
    let later = chrono::Utc::now() + chrono::Duration::hours(5);
    let read = greenlight::health::refresh::run_once(
        &app.services.health,
        &app.services.instance,
        later,
        six_hours,
    )
    .await
    .unwrap();
    assert_eq!(read.read, 1);
    assert_eq!(app.sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 1);
}
