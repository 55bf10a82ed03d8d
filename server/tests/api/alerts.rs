//! Alerts on transitions, notifications, the activity log and outgoing webhooks.
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use greenlight::crypto::{WEBHOOK_SECRET, WEBHOOK_URL};
use greenlight::simulator::Scenario;
use greenlight::webhooks::signature;
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::TestApp;
use crate::webhooks::{eventually, spawn_with_webhooks, spawn_with_webhooks_and};

/// Lets alert webhooks reach the tests' receivers on 127.0.0.1.
const ALLOW_PRIVATE: &str = "--alert-allow-private-networks";

async fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = app.get_with_token(path, token).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
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
        .collect()
}

/// A receiver that records what it is sent and answers `status`.
async fn receiver(status: u16) -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push((headers, body));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

const SECRET: &str = "outgoing-secret-0123456789";

#[tokio::test]
async fn the_activity_log_follows_the_inboxs_access_rules() {
    let app = spawn_with_webhooks().await;
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
    let path = format!("/api/v1/accounts/{}/inboxes/{id}/events", admin.account_id);
    assert_eq!(get_json(&app, &path, &admin.access_token).await.0, 200);
    assert_eq!(get_json(&app, &path, &member.access_token).await.0, 200);
    assert_eq!(get_json(&app, &path, &outsider.access_token).await.0, 403);
    assert_eq!(get_json(&app, &path, &other.access_token).await.0, 404);
    assert_eq!(app.get(&path).await.status(), 401);
    let unknown = format!(
        "/api/v1/accounts/{}/inboxes/999999/events",
        admin.account_id
    );
    assert_eq!(get_json(&app, &unknown, &admin.access_token).await.0, 404);
}

#[tokio::test]
async fn approval_shows_in_the_activity_log_and_the_bells_of_the_admin_and_the_inboxs_agents() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("mia@example.com", "Acme", "agent").await;
    let other_agent = app.user("bo@example.com", "Acme", "agent").await;
    let n = app.number(Scenario::PendingReview);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::PendingReview,
    )
    .await;
    app.add_inbox_members(&admin.access_token, admin.account_id, id, &[agent.user_id])
        .await;
    app.sim.sim.approve_name(&n.id);
    let raised = eventually(20, || async {
        alert_kinds(&app, id)
            .await
            .contains(&"registration_succeeded".to_string())
    })
    .await;
    assert!(
        raised,
        "registration succeeded alert: {:?}",
        alert_kinds(&app, id).await
    );

    let path = format!("/api/v1/accounts/{}/inboxes/{id}/events", admin.account_id);
    let (status, body) = get_json(&app, &path, &admin.access_token).await;
    assert_eq!(status, 200);
    let items = body["payload"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    for k in ["registration_attempt", "webhook", "state_change", "alert"] {
        assert!(kinds.contains(&k), "{k} in {body}");
    }
    let attempt = items
        .iter()
        .find(|i| i["kind"] == "registration_attempt")
        .unwrap();
    assert_eq!(attempt["title"], "Registration succeeded");
    assert_eq!(attempt["actor"], "Meta webhook (display name approved)");
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    let notes = format!("/api/v1/accounts/{}/notifications", admin.account_id);
    let (_, list) = get_json(&app, &notes, &admin.access_token).await;
    let payload = list["payload"].as_array().unwrap();
    let success = payload
        .iter()
        .find(|x| x["kind"] == "registration_succeeded")
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(success["severity"], "info");
    // Good news is listed but does not raise the red count: only unread alerts that need work do.
    let needs_work = payload
        .iter()
        .filter(|x| x["read"] == false && x["severity"] != "info")
        .count() as i64;
    assert_eq!(list["unread"].as_i64().unwrap(), needs_work, "{list}");
    // The inbox's agent gets its alerts; an agent of other inboxes does not.
    let (_, agent_list) = get_json(&app, &notes, &agent.access_token).await;
    assert!(
        agent_list["payload"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "registration_succeeded"),
        "{agent_list}"
    );
    let (_, other_list) = get_json(&app, &notes, &other_agent.access_token).await;
    assert_eq!(other_list["payload"], json!([]), "{other_list}");
    let r = app
        .client
        .post(app.url(&format!("{notes}/read")))
        .header("api_access_token", &admin.access_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["unread"], 0);
}

#[tokio::test]
async fn a_quality_drop_alerts_once_and_reaches_the_outgoing_webhook_signed() {
    let app = spawn_with_webhooks_and(&[ALLOW_PRIVATE]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("mia@example.com", "Acme", "agent").await;
    let (url, got) = receiver(200).await;
    let hooks = format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id);
    let r = app
        .client
        .post(app.url(&hooks))
        .header("api_access_token", &agent.access_token)
        .json(&json!({"url": url, "secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "administrators only");
    let r = app
        .client
        .post(app.url(&hooks))
        .header("api_access_token", &admin.access_token)
        .json(&json!({"url": url, "secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let hook: Value = r.json().await.unwrap();
    assert!(hook.get("secret").is_none() && !hook.to_string().contains(SECRET));

    let n = app.number(Scenario::Healthy);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    app.sim.sim.set_quality(&n.id, "YELLOW");
    assert!(
        eventually(20, || async {
            alert_kinds(&app, id)
                .await
                .contains(&"quality_dropped".to_string())
        })
        .await
    );
    // The same rating again: a webhook, a re-read, no new alert.
    let before = app
        .services
        .stores
        .snapshots
        .since(id, 0, 1000)
        .await
        .unwrap()
        .len();
    app.sim.sim.set_quality(&n.id, "YELLOW");
    assert!(
        eventually(20, || async {
            app.services
                .stores
                .snapshots
                .since(id, 0, 1000)
                .await
                .unwrap()
                .len()
                > before
        })
        .await
    );
    greenlight::alerts::evaluator::run_once(&app.services.alert_jobs())
        .await
        .unwrap();
    let quality_alerts = alert_kinds(&app, id)
        .await
        .into_iter()
        .filter(|k| k == "quality_dropped")
        .count();
    assert_eq!(quality_alerts, 1, "once per transition");

    // The alert went out, signed with the account's secret.
    assert!(eventually(20, || async { !got.lock().unwrap().is_empty() }).await);
    let (headers, body) = got.lock().unwrap()[0].clone();
    let sig = headers["x-greenlight-signature-256"].to_str().unwrap();
    assert!(signature::verify(SECRET, &body, Some(sig)));
    assert!(!signature::verify(
        "another-secret-xxxxxxxx",
        &body,
        Some(sig)
    ));
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["event"], "alert");
    assert_eq!(payload["alert"]["kind"], "quality_dropped");
    assert_eq!(payload["inbox"]["id"], id);
    // Outgoing webhooks read English; each person reads the alert in their own language.
    let english = payload["alert"]["title"].as_str().unwrap().to_owned();
    assert!(
        english.ends_with(": quality rating dropped to YELLOW"),
        "{english}"
    );
    let notes = format!("/api/v1/accounts/{}/notifications", admin.account_id);
    let title_in = |language: &'static str| {
        let (app, notes, token) = (&app, &notes, &admin.access_token);
        async move {
            let mut r = app
                .client
                .get(app.url(notes))
                .header("api_access_token", token);
            if !language.is_empty() {
                r = r.header("accept-language", language);
            }
            let list: Value = r.send().await.unwrap().json().await.unwrap();
            let item = list["payload"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["kind"] == "quality_dropped")
                .cloned()
                .unwrap();
            (
                item["title"].as_str().unwrap().to_owned(),
                item["body"].as_str().unwrap().to_owned(),
            )
        }
    };
    assert_eq!(title_in("").await.0, english);
    let (pt, pt_body) = title_in("pt-BR").await;
    assert!(
        pt.ends_with(": a classificação de qualidade caiu para YELLOW"),
        "{pt}"
    );
    assert!(
        pt_body.starts_with("A classificação de qualidade passou de GREEN para YELLOW."),
        "{pt_body}"
    );
    let (es, _) = title_in("es").await;
    assert!(
        es.ends_with(": la calificación de calidad bajó a YELLOW"),
        "{es}"
    );
    let events = format!("/api/v1/accounts/{}/inboxes/{id}/events", admin.account_id);
    let log: Value = app
        .client
        .get(app.url(&events))
        .header("api_access_token", &admin.access_token)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alert = log["payload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "alert")
        .cloned()
        .unwrap();
    assert_eq!(alert["title"], es.as_str());
    assert_eq!(alert["actor"], "Alerta de Greenlight");
}

#[tokio::test]
async fn send_test_logs_the_status_code_and_failures_are_retried_later() {
    let app = spawn_with_webhooks_and(&[ALLOW_PRIVATE]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (ok_url, got) = receiver(204).await;
    let (bad_url, _) = receiver(500).await;
    let hooks = format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id);
    let mut ids = Vec::new();
    for (url, format) in [(&ok_url, "slack"), (&bad_url, "json")] {
        let r = app
            .client
            .post(app.url(&hooks))
            .header("api_access_token", &admin.access_token)
            .json(&json!({"url": url, "secret": SECRET, "format": format}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let test = |id: i64| {
        app.client
            .post(app.url(&format!("{hooks}/{id}/test")))
            .header("api_access_token", &admin.access_token)
            .send()
    };
    let ok: Value = test(ids[0]).await.unwrap().json().await.unwrap();
    assert_eq!(ok["status"], "delivered");
    assert_eq!(ok["status_code"], 204);
    let (headers, body) = got.lock().unwrap()[0].clone();
    let slack: Value = serde_json::from_slice(&body).unwrap();
    assert!(slack["text"]
        .as_str()
        .unwrap()
        .contains("Greenlight test alert"));
    assert!(signature::verify(
        SECRET,
        &body,
        headers["x-greenlight-signature-256"].to_str().ok()
    ));
    let bad: Value = test(ids[1]).await.unwrap().json().await.unwrap();
    assert_eq!(bad["status"], "pending", "{bad}");
    assert_eq!(bad["status_code"], 500);
    assert!(bad["next_attempt_at"].as_i64().is_some());
    let (status, log) = get_json(
        &app,
        &format!("{hooks}/{}/deliveries", ids[1]),
        &admin.access_token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(log["payload"][0]["attempts"], 1);
    let r = app
        .client
        .delete(app.url(&format!("{hooks}/{}", ids[1])))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, list) = get_json(&app, &hooks, &admin.access_token).await;
    assert_eq!(list["payload"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_activity_tab_and_the_bell_render_on_the_server() {
    // The simulator's app is Greenlight's own here, so the self-check says events come to us.
    let app = spawn_with_webhooks_and(&["--meta-app-id", greenlight::simulator::APP_ID]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::PendingReview);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::PendingReview,
    )
    .await;
    app.sim.sim.approve_name(&n.id);
    assert!(
        eventually(20, || async {
            alert_kinds(&app, id)
                .await
                .contains(&"registration_succeeded".to_string())
        })
        .await
    );
    let r = app
        .login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    assert!(r.status().is_redirection() || r.status().is_success());
    let page = app
        .get(&format!(
            "/accounts/{}/inboxes/{id}/activity",
            admin.account_id
        ))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"activity-list\""), "{html}");
    assert!(html.contains("Registration succeeded"));
    assert!(html.contains("Meta webhook (display name approved)"));
    assert!(html.contains(">Activity</a>"));
    assert!(
        !html.contains("id=\"bell-count\""),
        "good news alone puts no count on the bell"
    );
    assert!(html.contains("registered with the Cloud API"));
    // The webhook self-check sits on the Account Health tab.
    let health = app
        .client
        .get(app.url(&format!(
            "/accounts/{}/inboxes/{id}/health",
            admin.account_id
        )))
        .send()
        .await
        .unwrap();
    let html = health.text().await.unwrap();
    assert!(html.contains("id=\"webhook-check\""));
    assert!(
        html.contains("Meta sends this number&#x27;s events to Greenlight")
            || html.contains("Meta sends this number's events to Greenlight"),
        "{html}"
    );
    // Which Meta app the token belongs to.
    assert!(
        html.contains(&format!(
            "belongs to the Meta app \u{201c}{}\u{201d}",
            greenlight::simulator::APP_NAME
        )),
        "{html}"
    );
}

#[tokio::test]
async fn the_alerts_page_manages_webhooks_for_administrators() {
    let app = spawn_with_webhooks_and(&[ALLOW_PRIVATE]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    app.user("mia@example.com", "Acme", "agent").await;
    let (url, got) = receiver(200).await;
    let r = app
        .login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    assert!(r.status().is_redirection() || r.status().is_success());
    // Without JavaScript: the form posts to the server function.
    let r = app
        .client
        .post(app.url("/sfn/create_alert_webhook"))
        .header("origin", &app.address)
        .header(
            "referer",
            app.url(&format!("/accounts/{}/alerts", admin.account_id)),
        )
        .form(&[
            ("account_id", admin.account_id.to_string()),
            ("url", url.clone()),
            ("secret", SECRET.to_string()),
            ("format", "json".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    let hooks = app
        .services
        .alerts
        .alert_webhooks(
            &app.services.accounts.user(admin.user_id).await.unwrap(),
            admin.account_id,
        )
        .await
        .unwrap();
    assert_eq!(hooks.len(), 1);
    let r = app
        .client
        .post(app.url("/sfn/test_alert_webhook"))
        .header("origin", &app.address)
        .header(
            "referer",
            app.url(&format!("/accounts/{}/alerts", admin.account_id)),
        )
        .form(&[
            ("account_id", admin.account_id.to_string()),
            ("id", hooks[0].id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    assert_eq!(got.lock().unwrap().len(), 1, "the test alert was sent");
    let html = app
        .get(&format!("/accounts/{}/alerts", admin.account_id))
        .await
        .text()
        .await
        .unwrap();
    // Only the masked URL is shown: the path of a webhook URL is a credential.
    let shown = format!("{}/…", url.trim_end_matches("/hook"));
    assert!(html.contains(&shown), "{html}");
    assert!(!html.contains(&url), "{html}");
    assert!(html.contains("HTTP 200"));
    assert!(!html.contains(SECRET));

    let agent = crate::helpers::new_client();
    let r = app
        .login(&agent, "mia@example.com", crate::helpers::PASSWORD)
        .await;
    assert!(
        crate::helpers::set_cookies(&r)
            .iter()
            .any(|c| c.starts_with("greenlight_session=")),
        "the agent is signed in"
    );
    let r = agent
        .get(app.url(&format!("/accounts/{}/alerts", admin.account_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the agent gets the page, not a sign-in redirect"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("mia@example.com") || html.contains("User mia"),
        "{html}"
    );
    assert!(!html.contains(&url), "agents do not see the webhooks");
    assert!(!html.contains(&shown), "agents do not see the webhooks");
}

async fn create_hook(app: &TestApp, token: &str, account_id: i64, url: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account_id}/alert_webhooks")))
        .header("api_access_token", token)
        .json(&json!({"url": url, "secret": SECRET}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn alert_webhooks_refuse_private_destinations_at_create_and_at_connect() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (url, got) = receiver(200).await;
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook")
        .to_string();
    let localhost = format!("http://localhost:{port}/hook");
    let mapped = format!("http://[::ffff:127.0.0.1]:{port}/hook");
    for bad in [
        url.as_str(),
        localhost.as_str(),
        mapped.as_str(),
        "http://169.254.169.254/latest/meta-data",
        "ftp://example.com/hook",
    ] {
        let (status, body) = create_hook(&app, &admin.access_token, admin.account_id, bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["field"], "url", "{bad}: {body}");
    }
    let (_, list) = get_json(
        &app,
        &format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id),
        &admin.access_token,
    )
    .await;
    assert_eq!(list["payload"].as_array().unwrap().len(), 0);

    // Rows that passed an earlier check (a name re-pointed at 127.0.0.1 later, a literal stored
    // before this rule) are refused when delivering: the rule holds at connect time.
    let services = &app.services;
    let mut ids = Vec::new();
    for target in [&localhost, &mapped] {
        let id = services
            .stores
            .alerts
            .insert_webhook(admin.account_id, "http://masked/…", "json", 0, |id| {
                greenlight::alerts::store::SealedWebhook {
                    url_sealed: services.secrets.seal_bound(target, WEBHOOK_URL.at(id)),
                    secret_sealed: services.secrets.seal_bound(SECRET, WEBHOOK_SECRET.at(id)),
                }
            })
            .await
            .unwrap();
        ids.push(id);
    }
    let hooks = format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id);
    for id in &ids {
        let r = app
            .client
            .post(app.url(&format!("{hooks}/{id}/test")))
            .header("api_access_token", &admin.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let d: Value = r.json().await.unwrap();
        assert_eq!(d["status"], "failed", "refusals are not retried: {d}");
        assert_eq!(d["attempts"], 1);
        assert!(d["status_code"].is_null(), "{d}");
        assert!(d["error"].as_str().unwrap().starts_with("refused:"), "{d}");
    }
    // An alert fanned out to these rows is refused by the background sender too.
    services
        .stores
        .alerts
        .insert_delivery(ids[0], None, "{}", 0, 0)
        .await
        .unwrap();
    greenlight::alerts::outgoing::deliver_due(&services.alert_jobs())
        .await
        .unwrap();
    let log = services.stores.alerts.deliveries(ids[0], 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|d| d.status == "failed" && d.error.as_deref().unwrap().starts_with("refused:")));
    assert!(got.lock().unwrap().is_empty(), "the receiver was never hit");
}

#[tokio::test]
async fn test_sends_are_rate_limited_per_webhook() {
    let app = spawn_with_webhooks_and(&[ALLOW_PRIVATE]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (url, got) = receiver(200).await;
    let hooks = format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (status, hook) = create_hook(&app, &admin.access_token, admin.account_id, &url).await;
        assert_eq!(status, 201, "{hook}");
        ids.push(hook["id"].as_i64().unwrap());
    }
    let test = |id: i64| {
        app.client
            .post(app.url(&format!("{hooks}/{id}/test")))
            .header("api_access_token", &admin.access_token)
            .send()
    };
    assert_eq!(test(ids[0]).await.unwrap().status(), 200);
    let r = test(ids[0]).await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().is_some(), "{body}");
    // The limit is per webhook.
    assert_eq!(test(ids[1]).await.unwrap().status(), 200);
    assert_eq!(
        got.lock().unwrap().len(),
        2,
        "the refused test sent nothing"
    );
}

#[tokio::test]
async fn webhook_urls_are_capped_sealed_at_rest_and_shown_masked() {
    let app = spawn_with_webhooks().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let cap = greenlight::alerts::outgoing::MAX_WEBHOOKS_PER_ACCOUNT;
    for i in 0..cap {
        let url = format!("https://203.0.113.{}/services/T0/B0/SECRETPATH{i}", i + 1);
        let (status, hook) = create_hook(&app, &admin.access_token, admin.account_id, &url).await;
        assert_eq!(status, 201, "{hook}");
        assert_eq!(hook["url"], format!("https://203.0.113.{}/…", i + 1));
    }
    let (status, body) = create_hook(
        &app,
        &admin.access_token,
        admin.account_id,
        "https://203.0.113.200/one-too-many",
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().is_some(), "{body}");
    let (_, list) = get_json(
        &app,
        &format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id),
        &admin.access_token,
    )
    .await;
    assert_eq!(list["payload"].as_array().unwrap().len() as i64, cap);
    assert!(!list.to_string().contains("SECRETPATH"), "{list}");

    // At rest: the table holds the masked URL and a sealed copy, never the path.
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, url, url_sealed FROM outgoing_webhooks")
            .fetch_all(&app.services.db)
            .await
            .unwrap();
    assert_eq!(rows.len() as i64, cap);
    for (id, url, sealed) in &rows {
        let sealed = sealed.as_deref().unwrap();
        assert!(!url.contains("SECRETPATH") && !sealed.contains("SECRETPATH"));
        assert!(app
            .services
            .secrets
            .open_bound(sealed, WEBHOOK_URL.at(*id))
            .unwrap()
            .contains("SECRETPATH"));
    }

    // A URL stored in plain text before sealing existed (with its secret in the legacy format of
    // the same versions) is sealed at start-up, once.
    let plain = "https://hooks.slack.com/services/T1/B1/OLDPLAIN";
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outgoing_webhooks (account_id, url, secret_sealed, format, created_at)
         VALUES ($1, $2, $3, 'slack', 0) RETURNING id",
    )
    .bind(admin.account_id)
    .bind(plain)
    .bind(crate::secrets::legacy_seal(
        &crate::secrets::key_of(&app),
        SECRET,
    ))
    .fetch_one(&app.services.db)
    .await
    .unwrap();
    let sealed = greenlight::alerts::outgoing::seal_stored_urls(&app.services.alert_jobs())
        .await
        .unwrap();
    assert_eq!(sealed, 1);
    assert_eq!(
        greenlight::alerts::outgoing::seal_stored_urls(&app.services.alert_jobs())
            .await
            .unwrap(),
        0
    );
    let row = app
        .services
        .stores
        .alerts
        .webhook(admin.account_id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.url, "https://hooks.slack.com/…");
    assert_eq!(
        app.services
            .secrets
            .open_bound(row.url_sealed.as_deref().unwrap(), WEBHOOK_URL.at(id))
            .unwrap(),
        plain
    );
}

/// A receiver that answers 500 to its first `failures` requests, then 200, recording each.
async fn flaky_receiver(failures: usize) -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let mut seen = sink.lock().unwrap();
                seen.push((headers, body));
                if seen.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

/// The receiver's own check of `X-Greenlight-Signature-256`, written from the documented format
/// (`sha256=` and the lower-case hex HMAC-SHA256 of the raw body) rather than Greenlight's code.
fn receiver_accepts(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    headers
        .get("x-greenlight-signature-256")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str())
}

const DAY: i64 = 24 * 3600;

/// An inbox waiting for its display name for 60 days: the setup read moved back, and more reads
/// in the same state since (three on its first day).
async fn inbox_stuck_for_60_days(app: &TestApp, token: &str, account_id: i64) -> i64 {
    use greenlight::health::store::NewSnapshot;
    let id = create_inbox(app, token, account_id, Scenario::PendingReview).await;
    let now = greenlight::db::now_secs();
    let start = (now / DAY - 60) * DAY + 3600;
    sqlx::query("UPDATE health_snapshots SET checked_at = $1 WHERE inbox_id = $2")
        .bind(start)
        .bind(id)
        .execute(&app.services.db)
        .await
        .unwrap();
    let latest = app
        .services
        .stores
        .snapshots
        .latest(id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.registration_state.as_str(), "awaiting_display_name");
    for at in [
        start + 1800,
        start + 3600,
        now - 50 * DAY,
        now - 40 * DAY,
        now - 3600,
    ] {
        app.services
            .stores
            .snapshots
            .insert(NewSnapshot {
                inbox_id: id,
                checked_at: at,
                source: greenlight::health::service::source::BACKGROUND,
                health: latest.health.as_ref(),
                error_kind: None,
                error_message: None,
                error_subcode: None,
                registration_state: latest.registration_state,
            })
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn a_stuck_number_alerts_once_even_after_old_snapshots_are_pruned() {
    use greenlight::alerts::evaluator::sweep_stuck;
    let app = crate::helpers::spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = inbox_stuck_for_60_days(&app, &admin.access_token, admin.account_id).await;
    let stuck = || async {
        alert_kinds(&app, id)
            .await
            .iter()
            .filter(|k| k.as_str() == greenlight::alerts::rules::kind::STUCK)
            .count()
    };
    let now = greenlight::db::now_secs();
    sweep_stuck(&app.services.alert_jobs(), now, DAY)
        .await
        .unwrap();
    assert_eq!(stuck().await, 1);
    assert_eq!(
        sweep_stuck(&app.services.alert_jobs(), now, DAY)
            .await
            .unwrap(),
        0,
        "a second sweep raises nothing"
    );
    // Pruning thins the stretch's old days (the first day had three reads) but keeps the read
    // that began it: the stretch, and so the alert, stay the same.
    let pruned = greenlight::jobs::prune::run_once(
        &app.services.stores,
        &app.sessions,
        greenlight::jobs::prune::Retention::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(pruned.thinned_snapshots, 1, "{pruned:?}");
    assert_eq!(
        sweep_stuck(&app.services.alert_jobs(), now, DAY)
            .await
            .unwrap(),
        0
    );
    assert_eq!(stuck().await, 1);
}

#[tokio::test]
async fn an_alert_delivery_is_retried_until_accepted_and_every_try_is_signed() {
    let app = spawn_with_webhooks_and(&[ALLOW_PRIVATE]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let (url, got) = flaky_receiver(2).await;
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/accounts/{}/alert_webhooks",
            admin.account_id
        )))
        .header("api_access_token", &admin.access_token)
        .json(&json!({"url": url, "secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let hook = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let id = inbox_stuck_for_60_days(&app, &admin.access_token, admin.account_id).await;
    greenlight::alerts::evaluator::sweep_stuck(
        &app.services.alert_jobs(),
        greenlight::db::now_secs(),
        DAY,
    )
    .await
    .unwrap();

    // Each failed try is scheduled by the back-off; the test makes the retry due at once.
    for tries in 1..=3 {
        app.services.alert_wake.notify_one();
        assert!(
            eventually(20, || async { got.lock().unwrap().len() >= tries }).await,
            "try {tries} reached the receiver"
        );
        if tries < 3 {
            assert!(
                eventually(10, || async {
                    sqlx::query(
                        "UPDATE outgoing_deliveries SET next_attempt_at = 0
                         WHERE status = 'pending' AND attempts = $1",
                    )
                    .bind(tries as i64)
                    .execute(&app.services.db)
                    .await
                    .unwrap()
                    .rows_affected()
                        == 1
                })
                .await,
                "try {tries} recorded as failed, retry scheduled"
            );
        }
    }
    let delivered = eventually(10, || async {
        let d = app
            .services
            .stores
            .alerts
            .deliveries(hook, 10)
            .await
            .unwrap();
        d.len() == 1 && d[0].status == "delivered"
    })
    .await;
    assert!(delivered);
    let d = app
        .services
        .stores
        .alerts
        .deliveries(hook, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((d.attempts, d.status_code), (3, Some(200)), "{d:?}");

    let tries = got.lock().unwrap().clone();
    assert_eq!(tries.len(), 3, "no try after the success");
    for (headers, body) in &tries {
        assert!(
            receiver_accepts(SECRET, headers, body),
            "every try is signed"
        );
        assert!(!receiver_accepts("another-secret-xxxxxxxx", headers, body));
        assert_eq!(body, &tries[0].1, "the same payload each time");
        assert_eq!(
            headers["x-greenlight-delivery"],
            d.id.to_string().as_str(),
            "one delivery id"
        );
    }
    let payload: Value = serde_json::from_slice(&tries[0].1).unwrap();
    assert_eq!(
        payload["alert"]["kind"],
        greenlight::alerts::rules::kind::STUCK
    );
    assert_eq!(payload["inbox"]["id"], id);
}
