//! End-to-end tests of the simulator over HTTP (reqwest against `spawn` on 127.0.0.1:0, and
//! `tower::ServiceExt::oneshot` on the router).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{RunningSimulator, Scenario, SimNumber, Simulator, APP_ID, APP_SECRET};

async fn start() -> RunningSimulator {
    let sim = Simulator::with_presets();
    sim.set_provisioning_delay(Duration::ZERO);
    sim.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn read(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get(r: &RunningSimulator, token: &str, path: &str) -> (u16, Value) {
    read(
        http()
            .get(r.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn get_raw(r: &RunningSimulator, token: &str, path: &str) -> (u16, String) {
    let resp = http()
        .get(r.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn post(r: &RunningSimulator, token: &str, path: &str, body: Value) -> (u16, Value) {
    read(
        http()
            .post(r.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn register(r: &RunningSimulator, n: &SimNumber, pin: &str) -> (u16, Value) {
    post(
        r,
        &n.token,
        &format!("/v24.0/{}/register", n.id),
        json!({"messaging_product": "whatsapp", "pin": pin}),
    )
    .await
}

async fn node(r: &RunningSimulator, n: &SimNumber, fields: &str) -> Value {
    let (status, body) = get(r, &n.token, &format!("/v24.0/{}?fields={fields}", n.id)).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn code(body: &Value) -> i64 {
    body["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {body}"))
}

#[tokio::test]
async fn projects_only_requested_fields_with_id_last() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);
    let (status, raw) = get_raw(
        &r,
        &n.token,
        &format!(
            "/v24.0/{}?fields=status,name_status,throughput,new_display_name",
            n.id
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        raw,
        format!(
            r#"{{"status":"CONNECTED","name_status":"APPROVED","throughput":{{"level":"STANDARD"}},"id":"{}"}}"#,
            n.id
        )
    );

    // Without `fields`: Meta's default set.
    let (_, body) = get(&r, &n.token, &format!("/v24.0/{}", n.id)).await;
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "display_phone_number",
            "id",
            "quality_rating",
            "verified_name"
        ]
    );

    // The full health read Greenlight makes.
    let all = "id,display_phone_number,verified_name,code_verification_status,name_status,\
               quality_rating,whatsapp_business_manager_messaging_limit,messaging_limit_tier,\
               account_mode,platform_type,throughput,status,last_onboarded_time,is_on_biz_app,\
               health_status";
    let body = node(&r, &n, all).await;
    assert_eq!(body["whatsapp_business_manager_messaging_limit"], "TIER_2K");
    assert_eq!(body["platform_type"], "CLOUD_API");
    assert_eq!(body["health_status"]["can_send_message"], "AVAILABLE");
    assert!(body["last_onboarded_time"]
        .as_str()
        .unwrap()
        .ends_with("+0000"));

    // Deprecated tier is null on newer numbers; never-onboarded numbers omit the time.
    let fresh = r.sim.number(Scenario::ApprovedUnregistered);
    let body = node(&r, &fresh, all).await;
    assert!(body["messaging_limit_tier"].is_null());
    assert!(body
        .as_object()
        .unwrap()
        .contains_key("messaging_limit_tier"));
    assert!(body.get("last_onboarded_time").is_none());
    assert_eq!(body["throughput"]["level"], "NOT_APPLICABLE");

    // Values Meta may add later come through as they are.
    let unknown = r.sim.number(Scenario::UnknownValues);
    let body = node(&r, &unknown, all).await;
    assert_eq!(body["quality_rating"], "UNKNOWN");
    assert_eq!(body["status"], "OFFLINE");
    assert_eq!(body["name_status"], "SOMETHING_NEW");

    let html = r.sim.number(Scenario::HtmlName);
    let body = node(&r, &html, "verified_name").await;
    assert_eq!(
        body["verified_name"],
        "<script>alert(\"x\")</script> & Co <b>bold</b>"
    );
}

#[tokio::test]
async fn unknown_and_version_gated_fields_fail_the_whole_call() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);
    let (status, body) = get(
        &r,
        &n.token,
        &format!("/v24.0/{}?fields=status,bogus", n.id),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), 100);
    assert_eq!(
        body["error"]["message"],
        "(#100) Tried accessing nonexisting field (bogus) on node type (WhatsAppBusinessPhoneNumber)"
    );
    assert_eq!(body["error"]["type"], "OAuthException");
    assert!(body["error"]["fbtrace_id"].is_string());

    let path = format!(
        "/v23.0/{}?fields=whatsapp_business_manager_messaging_limit",
        n.id
    );
    let (status, body) = get(&r, &n.token, &path).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("(whatsapp_business_manager_messaging_limit)"));
    let (status, _) = get(&r, &n.token, &path.replace("v23.0", "v25.0")).await;
    assert_eq!(status, 200);

    let (status, body) = get(&r, &n.token, &format!("/v24.0/{}?fields=nope", n.waba_id)).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .ends_with("on node type (WhatsAppBusinessAccount)"));
}

#[tokio::test]
async fn records_where_the_token_came_from() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);
    get(&r, &n.token, &format!("/v24.0/{}?fields=status", n.id)).await;
    let resp = http()
        .get(r.url(&format!(
            "/v24.0/{}?fields=status&access_token={}",
            n.id, n.token
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let calls = r.sim.calls_to("GET", &format!("/{}", n.id));
    assert_eq!(calls.len(), 2);
    assert!(calls[0].had_bearer && !calls[0].token_in_query);
    assert_eq!(calls[0].query_param("fields"), Some("status"));
    assert_eq!(calls[0].path, format!("/v24.0/{}", n.id));
    assert!(!calls[1].had_bearer && calls[1].token_in_query);
    assert_eq!(calls[1].query_param("access_token"), Some("[redacted]"));
    assert!(!format!("{:?}", r.sim.calls()).contains(&n.token));
    assert_eq!(calls[0].status, 200);

    r.sim.clear_calls();
    assert!(r.sim.calls().is_empty());
}

#[tokio::test]
async fn token_and_object_errors() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);

    let (status, body) = get(&r, "EAAGnot-a-token", &format!("/v24.0/{}", n.id)).await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), 190);
    assert_eq!(body["error"]["error_subcode"], 463);
    assert_eq!(body["error"]["type"], "OAuthException");

    let (status, body) = read(
        http()
            .get(r.url(&format!("/v24.0/{}", n.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, 104));

    let expired = r.sim.number(Scenario::TokenExpired);
    for path in [
        format!("/v24.0/{}?fields=status", expired.id),
        format!("/v24.0/{}/register", expired.id),
    ] {
        let (status, body) = get(&r, &expired.token, &path).await;
        assert_eq!(status, 401);
        assert_eq!(code(&body), 190);
        assert_eq!(body["error"]["error_subcode"], 463);
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Error validating access token: Session has expired on"));
    }

    let (status, body) = get(&r, &n.token, "/v24.0/999999999999999?fields=status").await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), 100);
    assert_eq!(body["error"]["error_subcode"], 33);
    assert_eq!(body["error"]["type"], "GraphMethodException");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Unsupported get request. Object with ID '999999999999999' does not exist"));

    // Another business's token may not read this number or its WABA.
    let other = r.sim.number(Scenario::PendingReview);
    for path in [format!("/v24.0/{}", n.id), format!("/v24.0/{}", n.waba_id)] {
        let (status, body) = get(&r, &other.token, &path).await;
        assert_eq!((status, code(&body)), (403, 200));
    }
    // Numbers of one WABA share it.
    let sibling = r.sim.number(Scenario::QualityRed);
    assert_eq!(sibling.waba_id, n.waba_id);
    let (status, _) = get(&r, &sibling.token, &format!("/v24.0/{}", n.id)).await;
    assert_eq!(status, 200);

    let (status, body) = get(&r, &n.token, &format!("/v24.0/{}/nonsense", n.id)).await;
    assert_eq!((status, code(&body)), (400, 2500));
}

#[tokio::test]
async fn register_while_name_in_review_then_after_approval() {
    let r = start().await;
    let n = r.sim.number(Scenario::PendingReview);
    let (status, body) = register(&r, &n, "123456").await;
    assert_eq!(status, 400);
    let err = &body["error"];
    assert_eq!(err["code"], 100);
    assert_eq!(err["error_subcode"], 2388001);
    assert_eq!(err["error_user_title"], "Cannot Create Certificate");
    assert!(err["error_user_msg"]
        .as_str()
        .unwrap()
        .contains("display name"));

    r.sim.approve_name(&n.id);
    assert_eq!(node(&r, &n, "name_status").await["name_status"], "APPROVED");
    let (status, body) = register(&r, &n, "123456").await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let body = node(&r, &n, "platform_type,throughput,status").await;
    assert_eq!(body["platform_type"], "CLOUD_API");
    assert_eq!(body["throughput"]["level"], "STANDARD");
    assert_eq!(body["status"], "CONNECTED");
    assert_eq!(r.sim.register_attempts_in_window(&n.id), 2);
}

#[tokio::test]
async fn register_provisions_asynchronously_by_the_clock() {
    let r = start().await;
    r.sim.set_provisioning_delay(Duration::from_secs(3600));
    let n = r.sim.number(Scenario::ApprovedUnregistered);
    assert_eq!(register(&r, &n, "424242").await.0, 200);
    let body = node(&r, &n, "platform_type,status,is_pin_enabled").await;
    assert_eq!(body["platform_type"], "NOT_APPLICABLE");
    assert_eq!(body["status"], "PENDING");
    assert_eq!(body["is_pin_enabled"], true);

    r.sim.advance_clock(chrono::Duration::minutes(61));
    let body = node(
        &r,
        &n,
        "platform_type,throughput,status,last_onboarded_time",
    )
    .await;
    assert_eq!(body["platform_type"], "CLOUD_API");
    assert_eq!(body["throughput"]["level"], "STANDARD");
    assert_eq!(body["status"], "CONNECTED");
    assert!(body["last_onboarded_time"].is_string());

    // Throughput NOT_APPLICABLE on Cloud API: register fixes it.
    r.sim.set_provisioning_delay(Duration::ZERO);
    let t = r.sim.number(Scenario::ThroughputNotApplicable);
    assert_eq!(register(&r, &t, "111111").await.0, 200);
    let body = node(&r, &t, "throughput,status").await;
    assert_eq!(body["throughput"]["level"], "STANDARD");
    assert_eq!(body["status"], "CONNECTED");
}

#[tokio::test]
async fn register_errors_of_the_other_scenarios() {
    let r = start().await;
    let nv = r.sim.number(Scenario::NotVerified);
    let (status, body) = register(&r, &nv, "123456").await;
    assert_eq!((status, code(&body)), (400, 133006));
    assert_eq!(
        body["error"]["message"],
        "(#133006) Phone number re-verification needed"
    );
    assert_eq!(body["error"]["error_data"]["messaging_product"], "whatsapp");

    let declined = r.sim.number(Scenario::NameDeclined);
    let (_, body) = register(&r, &declined, "123456").await;
    assert_eq!(body["error"]["error_subcode"], 2388001);

    let pm = r.sim.number(Scenario::PinMismatch);
    let (status, body) = register(&r, &pm, "123456").await;
    assert_eq!((status, code(&body)), (400, 133005));

    let q = r.sim.number(Scenario::QuotaExhausted);
    let (status, body) = register(&r, &q, "123456").await;
    assert_eq!((status, code(&body)), (400, 133016));
    r.sim.advance_clock(chrono::Duration::hours(72));
    assert_eq!(register(&r, &q, "123456").await.0, 200);
}

#[tokio::test]
async fn register_budget_is_ten_per_moving_72_hours() {
    let r = start().await;
    let n = r.sim.number(Scenario::NotVerified);
    for _ in 0..10 {
        assert_eq!(code(&register(&r, &n, "123456").await.1), 133006);
        r.sim.advance_clock(chrono::Duration::hours(1));
    }
    let (status, body) = register(&r, &n, "123456").await;
    assert_eq!((status, code(&body)), (400, 133016));
    assert_eq!(
        body["error"]["error_data"]["details"],
        "Registration or Deregistration failed because there were too many attempts for this \
         phone number in a short period of time"
    );
    // The first attempt (10 h ago) leaves the window 72 h after it was made; the second stays.
    r.sim.advance_clock(chrono::Duration::minutes(62 * 60 + 30));
    assert_eq!(code(&register(&r, &n, "123456").await.1), 133006);
    assert_eq!(code(&register(&r, &n, "123456").await.1), 133016);
    assert_eq!(
        r.sim.calls_to("POST", &format!("/{}/register", n.id)).len(),
        13
    );
}

#[tokio::test]
async fn first_pin_sticks() {
    let r = start().await;
    let n = r.sim.number(Scenario::ApprovedUnregistered);
    assert_eq!(register(&r, &n, "135790").await.0, 200);
    let (status, body) = register(&r, &n, "000000").await;
    assert_eq!((status, code(&body)), (400, 133005));
    assert_eq!(
        body["error"]["message"],
        "(#133005) Two step verification PIN Mismatch"
    );
    // Same PIN again: a no-op success (that still uses budget).
    assert_eq!(register(&r, &n, "135790").await.0, 200);
    assert_eq!(r.sim.register_attempts_in_window(&n.id), 3);
    // The PIN recorded in the call log is what was sent.
    let calls = r.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(calls[0].param("pin").as_deref(), Some("135790"));
    assert_eq!(calls[1].status, 400);
}

#[tokio::test]
async fn register_accepts_form_and_query_parameters() {
    let r = start().await;
    let n = r.sim.number(Scenario::ApprovedUnregistered);
    let path = format!("/v24.0/{}/register", n.id);
    let resp = http()
        .post(r.url(&path))
        .bearer_auth(&n.token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("messaging_product=whatsapp&pin=121212")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http()
        .post(r.url(&format!("{path}?messaging_product=whatsapp&pin=121212")))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = post(&r, &n.token, &path, json!({"pin": "121212"})).await;
    assert_eq!((status, code(&body)), (400, 100));
}

#[tokio::test]
async fn flaky_fails_twice_then_answers_and_faults_are_one_shot() {
    let r = start().await;
    let n = r.sim.number(Scenario::Flaky);
    let path = format!("/v24.0/{}?fields=status", n.id);
    let (status, body) = get(&r, &n.token, &path).await;
    assert_eq!((status, code(&body)), (500, 2));
    assert_eq!(body["error"]["is_transient"], true);
    let (status, body) = get(&r, &n.token, &path).await;
    assert_eq!((status, code(&body)), (503, 2));
    assert_eq!(get(&r, &n.token, &path).await.0, 200);

    let h = r.sim.number(Scenario::Healthy);
    let fault = json!({"error": {"message": "(#80007) Rate limit issues", "type": "OAuthException",
                                 "code": 80007, "fbtrace_id": "Atest"}});
    r.sim.fail_next(&h.id, 400, fault.clone());
    let path = format!("/v24.0/{}?fields=status", h.id);
    assert_eq!(get(&r, &h.token, &path).await, (400, fault));
    assert_eq!(get(&r, &h.token, &path).await.0, 200);
}

#[tokio::test]
async fn slow_number_answers_late() {
    let r = start().await;
    r.sim.set_slow_delay(Duration::from_millis(400));
    let n = r.sim.number(Scenario::Slow);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client
        .get(r.url(&format!("/v24.0/{}?fields=status", n.id)))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(r.sim.calls_to("GET", &format!("/{}", n.id)).len(), 1);
    let started = std::time::Instant::now();
    assert_eq!(get(&r, &n.token, &format!("/v24.0/{}", n.id)).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn waba_reads_listing_and_subscriptions() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);
    let (status, raw) = get_raw(
        &r,
        &n.token,
        &format!("/v24.0/{}?fields=id,name,owner_business_info", n.waba_id),
    )
    .await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&raw).unwrap();
    assert!(raw.ends_with(&format!(r#""id":"{}"}}"#, n.waba_id)));
    assert_eq!(body["owner_business_info"]["id"], n.business_id.as_str());
    assert_eq!(body["name"], "Lucky Shrub");

    // Three numbers on this WABA, one per page.
    let mut path = format!(
        "/v24.0/{}/phone_numbers?fields=id,verified_name&limit=1",
        n.waba_id
    );
    let mut seen = Vec::new();
    loop {
        let (status, page) = get(&r, &n.token, &path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        seen.push(page["data"][0]["id"].as_str().unwrap().to_string());
        assert!(page["paging"]["cursors"]["after"].is_string());
        match page["paging"]["next"].as_str() {
            Some(next) => {
                let after = page["paging"]["cursors"]["after"].as_str().unwrap();
                assert!(next.contains(after));
                path = format!(
                    "/v24.0/{}/phone_numbers?fields=id,verified_name&limit=1&after={after}",
                    n.waba_id
                );
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    assert!(seen.contains(&n.id));

    // Default listing fields (Solution Partner view).
    let (_, list) = get(&r, &n.token, &format!("/v24.0/{}/phone_numbers", n.waba_id)).await;
    assert_eq!(list["data"][0]["platform_type"], "CLOUD_API");

    let apps = format!("/v24.0/{}/subscribed_apps", n.waba_id);
    let (_, body) = get(&r, &n.token, &apps).await;
    assert_eq!(body["data"][0]["whatsapp_business_api_data"]["id"], APP_ID);
    let (status, _) = post(
        &r,
        &n.token,
        &apps,
        json!({"override_callback_uri": "https://example.com/hook", "verify_token": "v"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = get(&r, &n.token, &apps).await;
    assert_eq!(
        body["data"][0]["override_callback_uri"],
        "https://example.com/hook"
    );
    let resp = http()
        .delete(r.url(&apps))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(get(&r, &n.token, &apps).await.1, json!({"data": []}));
    let (status, body) = post(
        &r,
        &n.token,
        &apps,
        json!({"override_callback_uri": "https://example.com/hook"}),
    )
    .await;
    assert_eq!((status, code(&body)), (400, 100));
}

/// Copies in the preset's WABA share its listing; copies in WABAs of their own are listed only
/// with their group, read with the preset's token, and leave the preset's WABA as it was.
#[tokio::test]
async fn copies_in_the_presets_waba_or_in_wabas_of_their_own() {
    let r = start().await;
    let healthy = r.sim.number(Scenario::Healthy);
    let list = |waba: String| {
        let (r, token) = (&r, healthy.token.clone());
        async move {
            let (status, page) = get(
                r,
                &token,
                &format!("/v24.0/{waba}/phone_numbers?fields=id&limit=100"),
            )
            .await;
            assert_eq!(status, 200, "{page}");
            let mut ids: Vec<String> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        }
    };

    let shared = r.sim.add_copies(Scenario::Healthy, 2);
    assert!(shared.iter().all(|n| n.waba_id == healthy.waba_id));
    assert_eq!(list(healthy.waba_id.clone()).await.len(), 5);

    let own = r.sim.add_copies_in_own_wabas(Scenario::Healthy, 5, 2);
    let wabas: Vec<&str> = own.iter().map(|n| n.waba_id.as_str()).collect();
    assert_eq!(wabas[0], wabas[1]);
    assert_eq!(wabas[2], wabas[3]);
    assert_ne!(wabas[1], wabas[2]);
    assert_ne!(wabas[3], wabas[4]);
    assert!(wabas.iter().all(|w| *w != healthy.waba_id));
    for n in &own {
        assert_eq!(n.token, healthy.token);
        assert_eq!(n.business_id, healthy.business_id);
        assert_eq!(n.scenario, Scenario::Healthy);
        assert_eq!(node(&r, n, "status").await["status"], "CONNECTED");
    }
    assert_eq!(
        list(own[0].waba_id.clone()).await,
        vec![own[0].id.clone(), own[1].id.clone()]
    );
    assert_eq!(list(own[4].waba_id.clone()).await, vec![own[4].id.clone()]);
    assert_eq!(list(healthy.waba_id.clone()).await.len(), 5, "unchanged");
    let (status, waba) = get(
        &r,
        &healthy.token,
        &format!("/v24.0/{}?fields=id,owner_business_info", own[2].waba_id),
    )
    .await;
    assert_eq!(status, 200, "{waba}");
    assert_eq!(
        waba["owner_business_info"]["id"],
        healthy.business_id.as_str()
    );
    // Another scenario's token may not touch them.
    let other = r.sim.number(Scenario::HtmlName);
    let (status, _) = get(&r, &other.token, &format!("/v24.0/{}", own[0].id)).await;
    assert_eq!(status, 403);
    assert_eq!(r.sim.number(Scenario::Healthy), healthy);
}

#[tokio::test]
async fn phone_webhook_override_and_pin() {
    let r = start().await;
    let n = r.sim.number(Scenario::Healthy);
    let path = format!("/v24.0/{}", n.id);
    let (status, _) = post(
        &r,
        &n.token,
        &path,
        json!({"webhook_configuration": {"override_callback_uri": "https://gl.example/webhooks/meta",
                                         "verify_token": "t"}}),
    )
    .await;
    assert_eq!(status, 200);
    let body = node(&r, &n, "webhook_configuration").await;
    assert_eq!(
        body["webhook_configuration"]["phone_number"],
        "https://gl.example/webhooks/meta"
    );
    assert_eq!(
        post(&r, &n.token, &path, json!({"pin": "123"})).await.0,
        400
    );
    assert_eq!(
        post(&r, &n.token, &path, json!({"pin": "123456"})).await.0,
        200
    );
}

#[tokio::test]
async fn embedded_signup_code_exchange() {
    let r = start().await;
    let n = r.sim.number(Scenario::ApprovedUnregistered);
    let signup = r.sim.issue_signup_code(&n.id);
    let url = |code: &str| {
        r.url(&format!(
            "/v24.0/oauth/access_token?client_id={APP_ID}&client_secret={APP_SECRET}&code={code}"
        ))
    };
    let (status, body) = read(http().get(url(&signup)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"access_token": n.token, "token_type": "bearer"})
    );
    let (status, body) = read(http().get(url(&signup)).send().await.unwrap()).await;
    assert_eq!((status, code(&body)), (400, 100));
    assert_eq!(body["error"]["error_subcode"], 36009);
    let (status, _) = read(http().get(url("sim-signup-healthy")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let late = r.sim.issue_signup_code(&n.id);
    r.sim.advance_clock(chrono::Duration::seconds(31));
    assert_eq!(
        read(http().get(url(&late)).send().await.unwrap()).await.0,
        400
    );
    // The secret never lands in the call log.
    assert_eq!(
        r.sim.calls()[0].query_param("client_secret"),
        Some("[redacted]")
    );
}

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A tiny webhook receiver: records every POST's headers and raw body.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), received)
}

async fn wait_for(received: &Received, count: usize) -> Vec<(HeaderMap, Bytes)> {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = received.lock().unwrap().clone();
    assert!(
        got.len() >= count,
        "expected {count} webhooks, got {}",
        got.len()
    );
    got
}

#[tokio::test]
async fn webhooks_are_signed_over_the_exact_bytes() {
    let r = start().await;
    let (url, received) = receiver().await;
    let secret = "app-secret-for-test";
    r.sim.set_webhook_target(url.clone(), secret.into());
    let n = r.sim.number(Scenario::PendingReview);
    r.sim.approve_name(&n.id);
    r.sim.set_quality(&n.id, "RED");

    let got = wait_for(&received, 2).await;
    for (headers, body) in &got {
        let header = headers["x-hub-signature-256"].to_str().unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(header, expected);
        assert_eq!(headers["content-type"], "application/json");
    }

    let payloads: Vec<Value> = got
        .iter()
        .map(|(_, body)| serde_json::from_slice(body).unwrap())
        .collect();
    let by_field = |field: &str| {
        payloads
            .iter()
            .find(|p| p["entry"][0]["changes"][0]["field"] == field)
            .unwrap_or_else(|| panic!("no {field} webhook"))
            .clone()
    };
    let name = by_field("phone_number_name_update");
    assert_eq!(name["object"], "whatsapp_business_account");
    let entry = &name["entry"][0];
    assert_eq!(entry["id"], n.waba_id.as_str());
    assert!(entry["time"].is_i64());
    let change = &entry["changes"][0];
    assert_eq!(change["field"], "phone_number_name_update");
    assert_eq!(change["value"]["decision"], "APPROVED");
    assert_eq!(
        change["value"]["requested_verified_name"],
        "Jasper's Market"
    );
    assert_eq!(change["value"]["display_phone_number"], "16315550102");
    assert!(change["value"]["rejection_reason"].is_null());

    let quality = by_field("phone_number_quality_update");
    let value = &quality["entry"][0]["changes"][0]["value"];
    assert_eq!(
        quality["entry"][0]["changes"][0]["field"],
        "phone_number_quality_update"
    );
    assert_eq!(value["event"], "FLAGGED");
    assert!(value["current_limit"].is_string());
    assert!(value["max_daily_conversations_per_business"].is_string());

    let deliveries = r.sim.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].status, Some(200));
    assert_eq!(deliveries[0].url, url);

    // The app callback shows up in webhook_configuration.
    let body = node(&r, &n, "webhook_configuration").await;
    assert_eq!(body["webhook_configuration"]["application"], url.as_str());
}

#[tokio::test]
async fn control_api_drives_the_simulator_over_http() {
    let r = start().await;
    let (status, numbers) = read(http().get(r.url("/__sim/numbers")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(numbers.as_array().unwrap().len(), Scenario::ALL.len());
    assert_eq!(numbers[0]["scenario"], "healthy");
    let pending = r.sim.number(Scenario::PendingReview);

    let (status, view) = read(
        http()
            .post(r.url(&format!("/__sim/numbers/{}/approve_name", pending.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(view["state"]["name_status"], "APPROVED");

    let before = r.sim.now();
    let (status, _) = read(
        http()
            .post(r.url("/__sim/clock/advance"))
            .json(&json!({"by": "72h"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(r.sim.now() - before >= chrono::Duration::hours(72));

    let healthy = r.sim.number(Scenario::Healthy);
    let (status, _) = read(
        http()
            .post(r.url(&format!("/__sim/numbers/{}/fail_next", healthy.id)))
            .json(&json!({"status": 503}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = get(&r, &healthy.token, &format!("/v24.0/{}", healthy.id)).await;
    assert_eq!((status, code(&body)), (503, 2));

    let (_, calls) = read(http().get(r.url("/__sim/calls")).send().await.unwrap()).await;
    assert_eq!(calls.as_array().unwrap().len(), 1);
    assert_eq!(calls[0]["status"], 503);
    assert_eq!(calls[0]["had_bearer"], true);

    let (status, _) = read(
        http()
            .post(r.url("/__sim/numbers/123/approve_name"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);

    http().post(r.url("/__sim/reset")).send().await.unwrap();
    let view = r.sim.number_state(&pending.id).unwrap();
    assert_eq!(view["state"]["name_status"], "PENDING_REVIEW");
    assert!(r.sim.calls().is_empty());
}

#[tokio::test]
async fn router_serves_without_a_socket() {
    use tower::ServiceExt;
    let sim = Simulator::with_presets();
    let n = sim.number(Scenario::Healthy);
    let request = axum::http::Request::builder()
        .uri(format!("/v24.0/{}?fields=status", n.id))
        .header("authorization", format!("Bearer {}", n.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = sim.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["facebook-api-version"], "v24.0");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(bytes.to_vec()).unwrap(),
        format!(r#"{{"status":"CONNECTED","id":"{}"}}"#, n.id)
    );
}
