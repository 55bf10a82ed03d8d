//! [`GraphClient`] against a tiny scripted HTTP server: headers, URLs, bodies, retries, timeouts.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::*;
use crate::graph::test_fixtures::fixture;
use crate::graph::{GraphErrorKind, NameStatus, NumberStatus};

const TOKEN: &str = "EAAGsupersecrettoken123";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    query: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// One scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: String,
    delay: Duration,
}

fn answer(status: u16, body: impl Into<String>) -> Answer {
    Answer {
        status,
        body: body.into(),
        delay: Duration::ZERO,
    }
}

#[derive(Clone, Default)]
struct Script {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn handle(
    State(script): State<Script>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    script.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let next = script.answers.lock().unwrap().pop_front();
    let Some(next) = next else {
        return (StatusCode::IM_A_TEAPOT, "no scripted answer").into_response();
    };
    if !next.delay.is_zero() {
        tokio::time::sleep(next.delay).await;
    }
    let status = StatusCode::from_u16(next.status).unwrap();
    (status, [("content-type", "application/json")], next.body).into_response()
}

struct TestServer {
    addr: SocketAddr,
    script: Script,
}

impl TestServer {
    async fn start(answers: Vec<Answer>) -> TestServer {
        let script = Script::default();
        script.answers.lock().unwrap().extend(answers);
        let app = Router::new().fallback(handle).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { addr, script }
    }

    fn config(&self) -> GraphConfig {
        GraphConfig {
            base_url: format!("http://{}", self.addr),
            retry_base_delay: Duration::from_millis(1),
            ..GraphConfig::default()
        }
    }

    fn client(&self) -> GraphClient {
        GraphClient::new(self.config()).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }
}

fn token() -> AccessToken {
    AccessToken::new(TOKEN)
}

fn assert_no_token_in_url(seen: &Seen) {
    assert!(
        !seen.path.contains(TOKEN) && !seen.query.contains(TOKEN),
        "{seen:?}"
    );
    assert!(!seen.query.contains("access_token"), "{seen:?}");
}

#[tokio::test]
async fn phone_number_sends_bearer_and_explicit_fields() {
    let server =
        TestServer::start(vec![answer(200, fixture("phone_healthy_cloud_api.json"))]).await;
    let number = server
        .client()
        .phone_number(&token(), "106540352242922")
        .await
        .unwrap();
    assert_eq!(number.status, Some(NumberStatus::Connected));
    assert_eq!(number.name_status, Some(NameStatus::Approved));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/v24.0/106540352242922");
    assert_eq!(
        request.authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(request.query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        fields,
        vec![("fields".to_owned(), PHONE_NUMBER_FIELDS.to_owned())]
    );
    assert_no_token_in_url(request);
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_and_trailing_slash_works() {
    let server = TestServer::start(vec![answer(200, fixture("waba.json"))]).await;
    let config = GraphConfig {
        base_url: format!("http://{}/graph/", server.addr),
        ..server.config()
    };
    let waba = GraphClient::new(config)
        .unwrap()
        .waba(&token(), "102290129340398")
        .await
        .unwrap();
    assert_eq!(waba.owner_business_id.as_deref(), Some("506914307656634"));
    assert_eq!(
        waba.owner_business_name.as_deref(),
        Some("Lucky Shrub Inc.")
    );
    assert_eq!(waba.name.as_deref(), Some("Lucky Shrub"));
    let seen = server.seen();
    assert_eq!(seen[0].path, "/graph/v24.0/102290129340398");
    assert_eq!(seen[0].query, "fields=id%2Cname%2Cowner_business_info");
}

#[tokio::test]
async fn waba_without_owner_info_parses() {
    let server = TestServer::start(vec![answer(200, fixture("waba_minimal.json"))]).await;
    let waba = server
        .client()
        .waba(&token(), "102290129340398")
        .await
        .unwrap();
    assert_eq!(waba.id.as_deref(), Some("102290129340398"));
    assert_eq!(waba.owner_business_id, None);
}

#[tokio::test]
async fn reads_retry_transient_errors_then_succeed() {
    let server = TestServer::start(vec![
        answer(500, "<html>oops</html>"),
        answer(503, fixture("error_133004_unavailable.json")),
        answer(200, fixture("phone_healthy_cloud_api.json")),
    ])
    .await;
    let number = server
        .client()
        .phone_number(&token(), "106540352242922")
        .await
        .unwrap();
    assert_eq!(number.id.as_deref(), Some("106540352242922"));
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn reads_stop_after_the_configured_retries() {
    let throttled = fixture("error_4_app_throttled.json");
    let server = TestServer::start(vec![answer(400, &*throttled); 5]).await;
    let error = server
        .client()
        .phone_number(&token(), "1")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), GraphErrorKind::Throttled);
    assert_eq!(server.seen().len(), 3, "1 call + read_retries (2)");
}

#[tokio::test]
async fn reads_do_not_retry_permanent_errors() {
    let server = TestServer::start(vec![
        answer(401, fixture("error_190_463_token_expired.json")),
        answer(200, fixture("phone_healthy_cloud_api.json")),
    ])
    .await;
    let error = server
        .client()
        .phone_number(&token(), "1")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), GraphErrorKind::TokenInvalid);
    assert_eq!(error.fbtrace_id(), Some("AXsgnV2Cm3ZMGF3dF_cfYIn"));
    assert!(!error.to_string().contains("AXsgnV2"));
    assert!(!error.user_message().contains(TOKEN));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn register_posts_the_pin_once_and_never_retries() {
    let server = TestServer::start(vec![
        answer(503, fixture("error_133004_unavailable.json")),
        answer(200, fixture("success.json")),
    ])
    .await;
    let error = server
        .client()
        .register(&token(), "106540352242922", "212834")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), GraphErrorKind::Transient);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "a register call is never retried");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/v24.0/106540352242922/register");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"messaging_product": "whatsapp", "pin": "212834"})
    );
    assert_no_token_in_url(&seen[0]);
    // The PIN never shows in the error.
    assert!(!format!("{error} {error:?} {}", error.user_message()).contains("212834"));
}

#[tokio::test]
async fn register_success_and_meta_errors() {
    let server = TestServer::start(vec![
        answer(200, fixture("success.json")),
        answer(
            400,
            fixture("error_100_2388001_cannot_create_certificate.json"),
        ),
        answer(400, fixture("error_133016_register_rate_limit.json")),
    ])
    .await;
    let client = server.client();
    client.register(&token(), "1", "123456").await.unwrap();
    let name = client.register(&token(), "1", "123456").await.unwrap_err();
    assert_eq!(name.kind(), GraphErrorKind::DisplayNameNotReady);
    let quota = client.register(&token(), "1", "123456").await.unwrap_err();
    assert_eq!(quota.kind(), GraphErrorKind::RegisterQuotaExhausted);
}

#[tokio::test]
async fn register_refuses_a_malformed_pin_without_calling_meta() {
    let server = TestServer::start(vec![]).await;
    for pin in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
        let error = server
            .client()
            .register(&token(), "1", pin)
            .await
            .unwrap_err();
        assert!(matches!(error, GraphError::InvalidRequest(_)), "{pin}");
    }
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn deregister_posts_without_a_body() {
    let server = TestServer::start(vec![answer(200, fixture("success.json"))]).await;
    server
        .client()
        .deregister(&token(), "106540352242922")
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/v24.0/106540352242922/deregister");
    assert!(seen[0].body.is_empty());
}

#[tokio::test]
async fn writes_need_success_true() {
    let server = TestServer::start(vec![
        answer(200, r#"{"success":false}"#),
        answer(200, "[true]"),
    ])
    .await;
    let client = server.client();
    let error = client
        .subscribe_app(&token(), "102290129340398")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            GraphError::MalformedResponse {
                http_status: 200,
                ..
            }
        ),
        "{error:?}"
    );
    let error = client
        .subscribe_app(&token(), "102290129340398")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            GraphError::MalformedResponse {
                http_status: 200,
                ..
            }
        ),
        "{error:?}"
    );
    let seen = server.seen();
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/v24.0/102290129340398/subscribed_apps");
}

#[tokio::test]
async fn subscribed_apps_lists_apps() {
    let server = TestServer::start(vec![
        answer(200, fixture("subscribed_apps.json")),
        answer(200, fixture("subscribed_apps_empty.json")),
    ])
    .await;
    let client = server.client();
    let apps = client
        .subscribed_apps(&token(), "102290129340398")
        .await
        .unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].app_id.as_deref(), Some("670843887433847"));
    assert_eq!(apps[0].name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(
        apps[0].override_callback_uri.as_deref(),
        Some("https://my-waba-alternate-callback.com/webhook")
    );
    assert!(client
        .subscribed_apps(&token(), "102290129340398")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(server.seen()[0].method, Method::GET);
}

#[tokio::test]
async fn clear_webhook_override_posts_an_empty_override_and_nothing_else() {
    let server = TestServer::start(vec![answer(200, fixture("success.json"))]).await;
    server
        .client()
        .clear_webhook_override(&token(), "106540352242922")
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/v24.0/106540352242922");
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"webhook_configuration": {"override_callback_uri": ""}})
    );
}

#[tokio::test]
async fn token_app_reads_the_tokens_app() {
    let server = TestServer::start(vec![answer(
        200,
        r#"{"id":"634974688087057","name":"Help desk"}"#.to_owned(),
    )])
    .await;
    let app = server.client().token_app(&token()).await.unwrap();
    assert_eq!(app.id.as_deref(), Some("634974688087057"));
    assert_eq!(app.name.as_deref(), Some("Help desk"));
    let seen = server.seen();
    assert_eq!(seen[0].method, Method::GET);
    assert_eq!(seen[0].path, "/v24.0/app");
}

#[tokio::test]
async fn phone_numbers_follows_cursors() {
    let server = TestServer::start(vec![
        answer(200, fixture("phone_numbers_page1.json")),
        answer(200, fixture("phone_numbers_page2.json")),
    ])
    .await;
    let numbers = server
        .client()
        .phone_numbers(&token(), "102290129340398")
        .await
        .unwrap();
    let ids: Vec<_> = numbers.iter().map(|n| n.id.clone().unwrap()).collect();
    assert_eq!(ids, ["1906385232743451", "1906385232743452"]);
    assert_eq!(numbers[1].name_status, Some(NameStatus::PendingReview));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen
        .iter()
        .all(|s| s.path == "/v24.0/102290129340398/phone_numbers"));
    assert!(!seen[0].query.contains("after="));
    assert!(
        seen[1].query.ends_with("&after=QVFIUafter1"),
        "{}",
        seen[1].query
    );
    // `paging.next` pointed at graph.facebook.com: it was not followed, the token stayed here.
    for request in &seen {
        assert_eq!(
            request.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert_no_token_in_url(request);
    }
}

#[tokio::test]
async fn phone_numbers_stops_on_a_repeated_cursor() {
    let page = fixture("phone_numbers_page1.json");
    let server = TestServer::start(vec![answer(200, &*page), answer(200, &*page)]).await;
    let error = server
        .client()
        .phone_numbers(&token(), "102290129340398")
        .await
        .unwrap_err();
    assert!(
        matches!(error, GraphError::MalformedResponse { .. }),
        "{error:?}"
    );
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn exchange_code_puts_credentials_in_the_query_only() {
    let server = TestServer::start(vec![
        answer(200, fixture("oauth_access_token.json")),
        answer(400, r#"{"error":{"message":"Error validating client secret.","type":"OAuthException","code":1,"fbtrace_id":"Tr4ce"}}"#),
    ])
    .await;
    let client = server.client();
    let token = client
        .exchange_code("670843887433847", "app-secret-xyz", "code-abc")
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "EAAGtestbusinesstoken0000");
    let seen = server.seen();
    assert_eq!(seen[0].method, Method::GET);
    assert_eq!(seen[0].path, "/v24.0/oauth/access_token");
    assert_eq!(seen[0].authorization, None);
    let query: Vec<(String, String)> = url::form_urlencoded::parse(seen[0].query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        query,
        [
            ("client_id".to_owned(), "670843887433847".to_owned()),
            ("client_secret".to_owned(), "app-secret-xyz".to_owned()),
            ("code".to_owned(), "code-abc".to_owned()),
        ]
    );
    let error = client
        .exchange_code("670843887433847", "app-secret-xyz", "code-abc")
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?} {}", error.user_message());
    assert!(!shown.contains("app-secret-xyz"), "{shown}");
    assert_eq!(server.seen().len(), 2, "exchange_code is not retried");
}

#[tokio::test]
async fn exchange_code_accepts_a_bare_token_body() {
    let server = TestServer::start(vec![answer(200, "EAAGbaretoken\n")]).await;
    let token = server.client().exchange_code("1", "s", "c").await.unwrap();
    assert_eq!(token.expose_secret(), "EAAGbaretoken");
}

#[tokio::test]
async fn html_error_pages_are_malformed_responses() {
    let server = TestServer::start(vec![answer(500, fixture("error_500.html")); 3]).await;
    let error = server
        .client()
        .phone_number(&token(), "1")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            GraphError::MalformedResponse {
                http_status: 500,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), GraphErrorKind::Transient);
    assert!(!error.to_string().contains("Sorry"));
}

#[tokio::test]
async fn a_2xx_that_is_not_an_object_is_malformed() {
    let server = TestServer::start(vec![answer(200, "[1,2,3]"), answer(200, "")]).await;
    let client = server.client();
    let error = client.phone_number(&token(), "1").await.unwrap_err();
    assert!(
        matches!(
            error,
            GraphError::MalformedResponse {
                http_status: 200,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), GraphErrorKind::Other);
    let error = client.phone_number(&token(), "1").await.unwrap_err();
    assert!(
        matches!(
            error,
            GraphError::MalformedResponse {
                http_status: 200,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let server = TestServer::start(vec![Answer {
        status: 200,
        body: fixture("phone_healthy_cloud_api.json"),
        delay: Duration::from_secs(5),
    }])
    .await;
    let config = GraphConfig {
        total_timeout: Duration::from_millis(200),
        read_retries: 0,
        ..server.config()
    };
    let error = GraphClient::new(config)
        .unwrap()
        .phone_number(&token(), "1")
        .await
        .unwrap_err();
    assert!(matches!(error, GraphError::Timeout), "{error:?}");
    assert_eq!(error.kind(), GraphErrorKind::Transient);
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = GraphConfig {
        base_url: format!("http://{addr}"),
        read_retries: 1,
        retry_base_delay: Duration::from_millis(1),
        ..GraphConfig::default()
    };
    let error = GraphClient::new(config)
        .unwrap()
        .phone_number(&token(), "1")
        .await
        .unwrap_err();
    assert!(matches!(error, GraphError::Connect), "{error:?}");
    assert!(!error.to_string().contains(&addr.to_string()));
}

#[tokio::test]
async fn ids_that_could_change_the_path_are_refused() {
    let server = TestServer::start(vec![]).await;
    let client = server.client();
    for id in ["", "..", "1/register", "1?fields=x", "1#x", "1 2", "%2e%2e"] {
        let error = client.phone_number(&token(), id).await.unwrap_err();
        assert!(
            matches!(error, GraphError::InvalidRequest(_)),
            "{id:?}: {error:?}"
        );
    }
    let error = client
        .phone_number(&AccessToken::new(""), "1")
        .await
        .unwrap_err();
    assert!(matches!(error, GraphError::InvalidRequest(_)));
    assert!(server.seen().is_empty());
}

#[test]
fn bad_configs_are_refused() {
    for base_url in [
        "",
        "not a url",
        "ftp://graph.facebook.com",
        "https://graph.facebook.com/?x=1",
        "mailto:x@y",
    ] {
        let config = GraphConfig {
            base_url: base_url.to_owned(),
            ..GraphConfig::default()
        };
        assert!(
            matches!(GraphClient::new(config), Err(GraphError::InvalidConfig(_))),
            "{base_url:?}"
        );
    }
    for version in ["", "v24.0/x", "..", "v 24"] {
        let config = GraphConfig {
            version: version.to_owned(),
            ..GraphConfig::default()
        };
        assert!(
            matches!(GraphClient::new(config), Err(GraphError::InvalidConfig(_))),
            "{version:?}"
        );
    }
    assert!(GraphClient::new(GraphConfig::default()).is_ok());
}

#[test]
fn retry_delays_grow_with_jitter() {
    let base = Duration::from_millis(200);
    for _ in 0..50 {
        let first = retry_delay(base, 0);
        assert!(
            first >= Duration::from_millis(100) && first <= base,
            "{first:?}"
        );
        let third = retry_delay(base, 2);
        assert!(
            third >= Duration::from_millis(400) && third <= Duration::from_millis(800),
            "{third:?}"
        );
    }
    let capped = retry_delay(base, 40);
    assert!(
        capped >= MAX_RETRY_DELAY / 2 && capped <= MAX_RETRY_DELAY,
        "{capped:?}"
    );
    assert_eq!(retry_delay(Duration::ZERO, 3), Duration::ZERO);
}

#[tokio::test]
async fn webhook_configuration_reads_only_that_field_and_types_it() {
    let server = TestServer::start(vec![
        answer(
            200,
            r#"{"webhook_configuration":{"application":"https://app.example.com/hook",
                "phone_number":"https://greenlight.example.com/webhooks/whatsapp"},"id":"106540352242922"}"#
                .to_owned(),
        ),
        answer(200, r#"{"id":"106540352242922"}"#.to_owned()),
    ])
    .await;
    let config = server
        .client()
        .webhook_configuration(&token(), "106540352242922")
        .await
        .unwrap()
        .expect("configured");
    assert_eq!(
        config.effective(),
        Some((
            "https://greenlight.example.com/webhooks/whatsapp",
            crate::graph::WebhookLevel::PhoneNumber
        ))
    );
    let none = server
        .client()
        .webhook_configuration(&token(), "106540352242922")
        .await
        .unwrap();
    assert_eq!(none, None);
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v24.0/106540352242922");
    assert_eq!(seen[0].query, "fields=webhook_configuration");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}
