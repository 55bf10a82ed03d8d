//! The real `GraphClient` against the running Graph simulator: every call Greenlight makes and
//! every class of error, with assertions on the calls the simulator received.
use std::time::Duration;

use greenlight::graph::{
    AccessToken, CodeVerificationStatus, GraphClient, GraphConfig, GraphError, GraphErrorKind,
    MessagingLimit, NameStatus, NumberStatus, PlatformType, QualityRating, ThroughputLevel,
    PHONE_NUMBER_FIELDS, WABA_FIELDS,
};
use greenlight::simulator::{RunningSimulator, Scenario, SimNumber, Simulator, APP_ID, APP_SECRET};
use serde_json::{json, Value};

/// A fresh simulator (registration provisions at once) on a random local port.
async fn simulator() -> RunningSimulator {
    let sim = Simulator::with_presets();
    sim.set_provisioning_delay(Duration::ZERO);
    sim.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A client for the simulator with short retry delays.
fn client_with(running: &RunningSimulator, f: impl FnOnce(&mut GraphConfig)) -> GraphClient {
    let mut config = GraphConfig {
        base_url: running.base_url.clone(),
        retry_base_delay: Duration::from_millis(10),
        ..GraphConfig::default()
    };
    f(&mut config);
    GraphClient::new(config).unwrap()
}

fn client(running: &RunningSimulator) -> GraphClient {
    client_with(running, |_| {})
}

fn number(running: &RunningSimulator, scenario: Scenario) -> (SimNumber, AccessToken) {
    let n = running.sim.number(scenario);
    let token = AccessToken::new(n.token.clone());
    (n, token)
}

/// Every recorded call carried the token in `Authorization: Bearer` only (the code exchange has no
/// token: Meta wants its app credentials in the query), and no URL holds any preset token.
fn assert_token_only_in_header(running: &RunningSimulator) {
    let tokens: Vec<String> = running.sim.numbers().into_iter().map(|n| n.token).collect();
    let calls = running.sim.calls();
    assert!(!calls.is_empty());
    for call in &calls {
        assert!(!call.token_in_query, "token in the query of {call:?}");
        assert!(!call.token_in_body, "token in the body of {call:?}");
        if !call.path.ends_with("/oauth/access_token") {
            assert!(call.had_bearer, "no bearer on {call:?}");
        }
        for token in &tokens {
            assert!(!call.path.contains(token.as_str()), "{call:?}");
            assert!(
                call.query.iter().all(|(_, v)| !v.contains(token.as_str())),
                "{call:?}"
            );
        }
    }
}

/// What is shown (`Display`, `user_message`) never carries Meta's message, trace id, a token or
/// a PIN.
fn assert_safe_to_show(error: &GraphError, secrets: &[&str]) {
    let shown = [error.to_string(), error.user_message()];
    let mut forbidden: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
    forbidden.push("fbtrace".into());
    if let Some(api) = error.api() {
        forbidden.extend(api.fbtrace_id.clone());
        forbidden.push(api.message.clone());
    }
    for text in &shown {
        for needle in forbidden.iter().filter(|n| !n.is_empty()) {
            assert!(!text.contains(needle.as_str()), "{text:?} shows {needle:?}");
        }
    }
}

#[tokio::test]
async fn phone_number_reads_parse_every_state_into_typed_values() {
    let sim = simulator().await;
    let graph = client(&sim);

    let (healthy, token) = number(&sim, Scenario::Healthy);
    let h = graph.phone_number(&token, &healthy.id).await.unwrap();
    assert_eq!(h.id.as_deref(), Some(healthy.id.as_str()));
    assert_eq!(
        h.display_phone_number.as_deref(),
        Some(healthy.display_phone_number.as_str())
    );
    assert_eq!(h.verified_name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(h.name_status, Some(NameStatus::Approved));
    assert_eq!(h.quality_rating, Some(QualityRating::Green));
    assert_eq!(
        h.code_verification_status,
        Some(CodeVerificationStatus::Verified)
    );
    assert_eq!(h.platform_type, Some(PlatformType::CloudApi));
    assert_eq!(h.throughput_level(), Some(&ThroughputLevel::Standard));
    assert_eq!(h.status, Some(NumberStatus::Connected));
    assert_eq!(
        h.whatsapp_business_manager_messaging_limit,
        Some(MessagingLimit::Tier2K)
    );
    assert_eq!(h.messaging_limit, Some(MessagingLimit::Tier2K));
    assert!(h.last_onboarded_time.is_some());
    assert_eq!(h.is_on_biz_app, Some(false));
    assert!(h.health_status.is_some());
    assert!(h.is_registered());

    let (pending, token) = number(&sim, Scenario::PendingReview);
    let h = graph.phone_number(&token, &pending.id).await.unwrap();
    assert_eq!(h.name_status, Some(NameStatus::PendingReview));
    assert_eq!(h.platform_type, Some(PlatformType::NotApplicable));
    assert_eq!(h.throughput_level(), Some(&ThroughputLevel::NotApplicable));
    assert_eq!(h.status, Some(NumberStatus::Pending));
    assert_eq!(h.quality_rating, Some(QualityRating::Na));
    // Deprecated field answered as `null`: absent, not an error.
    assert_eq!(h.messaging_limit_tier, None);
    assert!(h.last_onboarded_time.is_none());
    assert!(!h.is_registered());

    let (red, token) = number(&sim, Scenario::QualityRed);
    let h = graph.phone_number(&token, &red.id).await.unwrap();
    assert_eq!(h.quality_rating, Some(QualityRating::Red));
    assert_eq!(h.status, Some(NumberStatus::Flagged));

    let (expired, token) = number(&sim, Scenario::ConnectedExpired);
    let h = graph.phone_number(&token, &expired.id).await.unwrap();
    assert_eq!(
        h.code_verification_status,
        Some(CodeVerificationStatus::Expired)
    );
    assert!(h.is_registered(), "CONNECTED counts as registered");

    let (not_verified, token) = number(&sim, Scenario::NotVerified);
    let h = graph.phone_number(&token, &not_verified.id).await.unwrap();
    assert_eq!(
        h.code_verification_status,
        Some(CodeVerificationStatus::NotVerified)
    );

    let (declined, token) = number(&sim, Scenario::NameDeclined);
    let h = graph.phone_number(&token, &declined.id).await.unwrap();
    assert_eq!(h.name_status, Some(NameStatus::Declined));

    let (tna, token) = number(&sim, Scenario::ThroughputNotApplicable);
    let h = graph.phone_number(&token, &tna.id).await.unwrap();
    assert_eq!(h.platform_type, Some(PlatformType::CloudApi));
    assert_eq!(h.throughput_level(), Some(&ThroughputLevel::NotApplicable));
    assert!(!h.is_registered());

    // Values Greenlight does not know stay what Meta sent.
    let (unknown, token) = number(&sim, Scenario::UnknownValues);
    let h = graph.phone_number(&token, &unknown.id).await.unwrap();
    assert_eq!(
        h.name_status,
        Some(NameStatus::Other("SOMETHING_NEW".into()))
    );
    assert!(!h.name_status.as_ref().unwrap().is_known());
    assert_eq!(h.quality_rating, Some(QualityRating::Unknown));
    assert_eq!(h.status, Some(NumberStatus::Offline));
    assert_eq!(h.messaging_limit, Some(MessagingLimit::Tier2K));

    // An HTML name is data: kept as text, byte for byte.
    let (html, token) = number(&sim, Scenario::HtmlName);
    let h = graph.phone_number(&token, &html.id).await.unwrap();
    assert_eq!(
        h.verified_name.as_deref(),
        Some(html.verified_name.as_str())
    );
    assert!(html.verified_name.contains("<script>"));

    // One GET per read, with the design's explicit field list, on the configured version.
    let reads = sim.sim.calls_to("GET", &format!("/{}", healthy.id));
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].path, format!("/v24.0/{}", healthy.id));
    assert_eq!(reads[0].query_param("fields"), Some(PHONE_NUMBER_FIELDS));
    assert_eq!(reads[0].status, 200);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn waba_read_gives_the_owner_business_portfolio() {
    let sim = simulator().await;
    let graph = client(&sim);
    for scenario in [Scenario::Healthy, Scenario::PendingReview] {
        let (n, token) = number(&sim, scenario);
        let waba = graph.waba(&token, &n.waba_id).await.unwrap();
        assert_eq!(waba.id.as_deref(), Some(n.waba_id.as_str()));
        assert_eq!(
            waba.owner_business_id.as_deref(),
            Some(n.business_id.as_str())
        );
        assert_ne!(
            waba.owner_business_id, waba.id,
            "portfolio id is not the WABA id"
        );
        assert!(waba.name.is_some() && waba.owner_business_name.is_some());
        let calls = sim.sim.calls_to("GET", &format!("/{}", n.waba_id));
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].query_param("fields"), Some(WABA_FIELDS));
    }
    let (healthy, token) = number(&sim, Scenario::Healthy);
    let waba = graph.waba(&token, &healthy.waba_id).await.unwrap();
    assert_eq!(waba.name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(
        waba.owner_business_name.as_deref(),
        Some("Lucky Shrub Holdings")
    );
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn phone_numbers_lists_every_number_of_the_shared_waba() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (healthy, token) = number(&sim, Scenario::Healthy);
    let listed = graph.phone_numbers(&token, &healthy.waba_id).await.unwrap();
    let mut ids: Vec<String> = listed.iter().filter_map(|h| h.id.clone()).collect();
    ids.sort();
    let mut expected: Vec<String> = [
        Scenario::Healthy,
        Scenario::QualityRed,
        Scenario::ConnectedExpired,
    ]
    .into_iter()
    .map(|s| sim.sim.number(s).id)
    .collect();
    expected.sort();
    assert_eq!(ids, expected);
    // Each entry is a full typed read (the same field list as a single read).
    let red = listed
        .iter()
        .find(|h| h.id.as_deref() == Some(sim.sim.number(Scenario::QualityRed).id.as_str()))
        .unwrap();
    assert_eq!(red.quality_rating, Some(QualityRating::Red));
    let calls = sim
        .sim
        .calls_to("GET", &format!("/{}/phone_numbers", healthy.waba_id));
    // The client asks for 100 per page, so three numbers come in one page (no `paging.next`).
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].query_param("fields"), Some(PHONE_NUMBER_FIELDS));
    assert_eq!(calls[0].query_param("limit"), Some("100"));

    // A WABA with one number lists exactly it.
    let (pending, token) = number(&sim, Scenario::PendingReview);
    let listed = graph.phone_numbers(&token, &pending.waba_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some(pending.id.as_str()));
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn subscribe_app_and_subscribed_apps_round_trip() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::ApprovedUnregistered);
    // Start unsubscribed (Meta's `DELETE /{waba}/subscribed_apps`).
    let r = reqwest::Client::new()
        .delete(sim.url(&format!("/v24.0/{}/subscribed_apps", n.waba_id)))
        .bearer_auth(&n.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(graph
        .subscribed_apps(&token, &n.waba_id)
        .await
        .unwrap()
        .is_empty());

    graph.subscribe_app(&token, &n.waba_id).await.unwrap();
    let apps = graph.subscribed_apps(&token, &n.waba_id).await.unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].app_id.as_deref(), Some(APP_ID));
    assert_eq!(
        apps[0].name.as_deref(),
        Some(greenlight::simulator::APP_NAME)
    );
    assert_eq!(apps[0].override_callback_uri, None);
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id))
            .len(),
        1
    );
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn a_webhook_override_is_removed_and_the_tokens_app_is_read() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::Healthy);
    // Someone (an earlier Greenlight) set an override.
    let callback = "https://greenlight.example/webhooks/whatsapp";
    let r = reqwest::Client::new()
        .post(format!("{}/v24.0/{}", sim.base_url, n.id))
        .bearer_auth(token.expose_secret())
        .json(&json!({"webhook_configuration": {"override_callback_uri": callback, "verify_token": "v"}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(
        sim.sim.number_state(&n.id).unwrap()["state"]["webhook_override"],
        callback
    );
    sim.sim.clear_calls();

    graph.clear_webhook_override(&token, &n.id).await.unwrap();
    let state = sim.sim.number_state(&n.id).unwrap();
    assert_eq!(state["state"]["webhook_override"], Value::Null);
    let calls = sim.sim.calls_to("POST", &format!("/{}", n.id));
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].body["webhook_configuration"]["override_callback_uri"],
        ""
    );

    let app = graph.token_app(&token).await.unwrap();
    assert_eq!(app.id.as_deref(), Some(greenlight::simulator::APP_ID));
    assert_eq!(app.name.as_deref(), Some(greenlight::simulator::APP_NAME));
    assert_eq!(sim.sim.calls_to("GET", "/v24.0/app").len(), 1);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn register_succeeds_and_the_number_becomes_registered() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::ApprovedUnregistered);
    assert!(!graph
        .phone_number(&token, &n.id)
        .await
        .unwrap()
        .is_registered());
    graph.register(&token, &n.id, "123456").await.unwrap();
    let after = graph.phone_number(&token, &n.id).await.unwrap();
    assert!(after.is_registered());
    assert_eq!(after.platform_type, Some(PlatformType::CloudApi));
    let calls = sim.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].body["messaging_product"], "whatsapp");
    assert_eq!(calls[0].body["pin"], "123456");
    assert_eq!(sim.sim.register_attempts_in_window(&n.id), 1);

    // The throughput-only case is fixed by registering too.
    let (tna, token) = number(&sim, Scenario::ThroughputNotApplicable);
    graph.register(&token, &tna.id, "123456").await.unwrap();
    let after = graph.phone_number(&token, &tna.id).await.unwrap();
    assert_eq!(after.throughput_level(), Some(&ThroughputLevel::Standard));

    // A malformed PIN never reaches Meta (it would cost one of the 10 attempts).
    let e = graph.register(&token, &tna.id, "12345").await.unwrap_err();
    assert!(matches!(e, GraphError::InvalidRequest(_)), "{e:?}");
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/register", tna.id))
            .len(),
        1
    );
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn register_errors_are_classified_and_safe_to_show() {
    let sim = simulator().await;
    let graph = client(&sim);
    let pin = "135790";
    let cases = [
        (
            Scenario::PendingReview,
            GraphErrorKind::DisplayNameNotReady,
            100,
            Some(2388001),
            400,
        ),
        (
            Scenario::NameDeclined,
            GraphErrorKind::DisplayNameNotReady,
            100,
            Some(2388001),
            400,
        ),
        (
            Scenario::NotVerified,
            GraphErrorKind::ReverificationNeeded,
            133006,
            None,
            400,
        ),
        (
            Scenario::QuotaExhausted,
            GraphErrorKind::RegisterQuotaExhausted,
            133016,
            None,
            400,
        ),
        (
            Scenario::PinMismatch,
            GraphErrorKind::PinMismatch,
            133005,
            None,
            400,
        ),
    ];
    for (scenario, kind, code, subcode, status) in cases {
        let (n, token) = number(&sim, scenario);
        let e = graph.register(&token, &n.id, pin).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{scenario}");
        assert_eq!(e.code(), Some(code), "{scenario}");
        assert_eq!(e.subcode(), subcode, "{scenario}");
        assert_eq!(e.http_status(), Some(status), "{scenario}");
        assert!(e.fbtrace_id().is_some(), "{scenario}: kept for the log");
        assert_safe_to_show(&e, &[pin, &n.token]);
        assert!(!format!("{e:?}").contains(pin), "{scenario}: PIN in Debug");
        assert!(
            !format!("{e:?}").contains(&n.token),
            "{scenario}: token in Debug"
        );
        // Never retried: exactly one call per attempt.
        assert_eq!(
            sim.sim
                .calls_to("POST", &format!("/{}/register", n.id))
                .len(),
            1,
            "{scenario}"
        );
    }
    // The first failure's Meta fields are there for the attempt log.
    let (n, token) = number(&sim, Scenario::PendingReview);
    let e = graph.register(&token, &n.id, pin).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.user_title.as_deref(), Some("Cannot Create Certificate"));
    assert_eq!(api.error_type.as_deref(), Some("OAuthException"));
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn deregister_takes_the_number_off_the_cloud_api() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::HtmlName);
    graph.deregister(&token, &n.id).await.unwrap();
    let after = graph.phone_number(&token, &n.id).await.unwrap();
    assert_eq!(after.platform_type, Some(PlatformType::NotApplicable));
    assert_eq!(after.status, Some(NumberStatus::Disconnected));
    assert!(!after.is_registered());
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/deregister", n.id))
            .len(),
        1
    );
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn exchange_code_gives_the_numbers_token() {
    let sim = simulator().await;
    let graph = client(&sim);
    let n = sim.sim.number(Scenario::ApprovedUnregistered);
    let code = sim.sim.issue_signup_code(&n.id);
    let token = graph
        .exchange_code(APP_ID, APP_SECRET, &code)
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), n.token);
    assert!(!format!("{token:?}").contains(&n.token));
    // The token works.
    graph.phone_number(&token, &n.id).await.unwrap();

    // A code is single use.
    let e = graph
        .exchange_code(APP_ID, APP_SECRET, &code)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(100));
    assert_eq!(e.kind(), GraphErrorKind::Other);

    // The fixed `sim-signup-<scenario>` codes always work.
    let pending = sim.sim.number(Scenario::PendingReview);
    let token = graph
        .exchange_code(APP_ID, APP_SECRET, "sim-signup-pending_review")
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), pending.token);

    // A wrong secret is refused; the secret is never recorded in clear.
    let e = graph
        .exchange_code(APP_ID, "not-the-secret", "sim-signup-healthy")
        .await
        .unwrap_err();
    assert!(e.api().is_some(), "{e:?}");
    assert_safe_to_show(&e, &["not-the-secret", APP_SECRET]);
    let exchanges = sim.sim.calls_to("GET", "/oauth/access_token");
    assert_eq!(exchanges.len(), 4, "never retried");
    for call in &exchanges {
        assert_eq!(call.query_param("client_secret"), Some("[redacted]"));
        assert!(!call.had_bearer);
    }
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn an_expired_token_is_token_invalid_for_reads_and_writes() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::TokenExpired);
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::TokenInvalid);
    assert_eq!(e.code(), Some(190));
    assert_eq!(e.http_status(), Some(401));
    assert_safe_to_show(&e, &[&n.token]);
    // Not retried: a refused token does not get better.
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 1);

    let e = graph.register(&token, &n.id, "123456").await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::TokenInvalid);
    let e = graph.waba(&token, &n.waba_id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::TokenInvalid);

    // A token Meta never issued is refused the same way.
    let forged = AccessToken::new("EAAGforgedZDZD");
    let e = graph.phone_number(&forged, &n.id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::TokenInvalid);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn unknown_ids_and_foreign_assets_are_not_found_or_permission() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (healthy, token) = number(&sim, Scenario::Healthy);
    let e = graph
        .phone_number(&token, "999999999999999")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::NotFound);
    assert_eq!((e.code(), e.subcode()), (Some(100), Some(33)));
    assert_safe_to_show(&e, &[&healthy.token]);
    assert_eq!(sim.sim.calls_to("GET", "/999999999999999").len(), 1);

    // Another business's number: the token has no access to it.
    let other = sim.sim.number(Scenario::PendingReview);
    let e = graph.phone_number(&token, &other.id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Permission);
    assert_eq!(e.http_status(), Some(403));

    // Ids that are not plain ids are refused before anything is sent.
    let before = sim.sim.calls().len();
    let e = graph
        .phone_number(&token, "123/../register")
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidRequest(_)), "{e:?}");
    assert_eq!(sim.sim.calls().len(), before);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn the_slow_number_times_out_within_the_total_timeout() {
    let sim = simulator().await;
    sim.sim.set_slow_delay(Duration::from_secs(10));
    let timeout = Duration::from_millis(500);
    let graph = client_with(&sim, |c| {
        c.total_timeout = timeout;
        c.read_retries = 0;
    });
    let (n, token) = number(&sim, Scenario::Slow);
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    // One attempt, given up by the client (Meta was still holding its answer).
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 1);
    assert_safe_to_show(&e, &[&n.token]);

    // Writes time out the same way and are never retried.
    let e = graph.register(&token, &n.id, "123456").await.unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/register", n.id))
            .len(),
        1
    );

    // With retries a read makes 1 + read_retries attempts, each bounded by the total timeout.
    let graph = client_with(&sim, |c| {
        c.total_timeout = timeout;
        c.read_retries = 2;
    });
    sim.sim.clear_calls();
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert!(matches!(e, GraphError::Timeout), "{e:?}");
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 3);

    // Once Meta answers in time, the same number reads fine.
    sim.sim.set_slow_delay(Duration::from_millis(50));
    let h = graph.phone_number(&token, &n.id).await.unwrap();
    assert_eq!(h.id.as_deref(), Some(n.id.as_str()));
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn the_flaky_number_succeeds_after_exactly_the_needed_retries() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::Flaky);
    let h = graph.phone_number(&token, &n.id).await.unwrap();
    assert!(h.is_registered());
    let statuses: Vec<u16> = sim
        .sim
        .calls_to("GET", &format!("/{}", n.id))
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [500, 503, 200]);

    // Retries are bounded: with one retry allowed, two failures are the answer.
    let sim = simulator().await;
    let graph = client_with(&sim, |c| c.read_retries = 1);
    let (n, token) = number(&sim, Scenario::Flaky);
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    assert_eq!(e.code(), Some(2));
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 2);
    assert_safe_to_show(&e, &[&n.token]);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn throttling_is_retried_on_reads_only() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::Healthy);
    let throttled = json!({"error": {"message": "(#80007) Rate limit", "type": "OAuthException",
        "code": 80007, "fbtrace_id": "AThrottledTraceId000001"}});
    sim.sim.fail_next(&n.id, 400, throttled.clone());
    graph.phone_number(&token, &n.id).await.unwrap();
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 2);

    // HTTP 429 without a known code is throttling too.
    sim.sim.clear_calls();
    sim.sim.fail_next(
        &n.id,
        429,
        json!({"error": {"message": "slow down", "type": "OAuthException", "code": 999999}}),
    );
    graph.phone_number(&token, &n.id).await.unwrap();
    assert_eq!(sim.sim.calls_to("GET", &format!("/{}", n.id)).len(), 2);

    // A write answered with throttling is not retried.
    sim.sim.fail_next(&n.id, 400, throttled);
    let e = graph
        .clear_webhook_override(&token, &n.id)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Throttled);
    assert_eq!(sim.sim.calls_to("POST", &format!("/{}", n.id)).len(), 1);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn register_is_never_retried_even_on_a_server_error() {
    let sim = simulator().await;
    let graph = client(&sim);
    let (n, token) = number(&sim, Scenario::ApprovedUnregistered);
    sim.sim.fail_next(&n.id, 500, Value::Null);
    let e = graph.register(&token, &n.id, "123456").await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/register", n.id))
            .len(),
        1
    );
    assert_safe_to_show(&e, &["123456", &n.token]);

    // Same for the other writes.
    sim.sim.fail_next(&n.waba_id, 503, Value::Null);
    let e = graph.subscribe_app(&token, &n.waba_id).await.unwrap_err();
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/subscribed_apps", n.waba_id))
            .len(),
        1
    );
    sim.sim.fail_next(&n.id, 503, Value::Null);
    graph.deregister(&token, &n.id).await.unwrap_err();
    assert_eq!(
        sim.sim
            .calls_to("POST", &format!("/{}/deregister", n.id))
            .len(),
        1
    );
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn an_answer_that_is_not_a_graph_error_is_malformed_and_shows_no_body() {
    let sim = simulator().await;
    let graph = client_with(&sim, |c| c.read_retries = 0);
    let (n, token) = number(&sim, Scenario::Healthy);
    // A proxy's answer: JSON, but not Meta's envelope.
    sim.sim.fail_next(
        &n.id,
        502,
        json!({"message": "Bad gateway secret-ish detail"}),
    );
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::MalformedResponse {
                http_status: 502,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    assert_safe_to_show(&e, &["secret-ish", &n.token]);
    assert_token_only_in_header(&sim);
}

#[tokio::test]
async fn a_simulator_that_is_gone_is_a_transient_connect_error() {
    let sim = simulator().await;
    let graph = client_with(&sim, |c| c.read_retries = 0);
    let (n, token) = number(&sim, Scenario::Healthy);
    sim.shutdown().await;
    let e = graph.phone_number(&token, &n.id).await.unwrap_err();
    assert!(
        matches!(e, GraphError::Connect | GraphError::Transport),
        "{e:?}"
    );
    assert_eq!(e.kind(), GraphErrorKind::Transient);
    assert_safe_to_show(&e, &[&n.token]);
}
