//! The OpenAPI document: served, complete (no route without documentation, no documented route
//! that is not served), and true (real answers validate against its schemas).
use greenlight::simulator::Scenario;
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{spawn_app, TestApp};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    r.json().await.unwrap()
}

/// The response schema the document gives for `method path` answering `status`, with the
/// document's components beside it so that `$ref`s resolve.
fn answer_schema(doc: &Value, path: &str, method: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    let responses = &op["responses"];
    let response = responses
        .get(status.to_string())
        .or_else(|| responses.get(format!("{}XX", status / 100)))
        .unwrap_or_else(|| panic!("{method} {path}: no documented {status} answer"));
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    })
}

/// Asserts that a real answer matches the document.
fn assert_valid(doc: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let schema = answer_schema(doc, path, method, status);
    let validator = jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{method} {path}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the document:\n{}\n{body:#}",
        errors.join("\n")
    );
}

/// A request as a REST client sends it, with its answer's status and JSON.
async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("api_access_token", token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"))
    };
    (status, v)
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_operation_has_answers_and_a_tag() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["api_access_token"]["name"],
        "api_access_token"
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for item in paths.values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(ids.insert(id.to_string()), "operationId {id} twice");
            }
        }
    }
    assert!(paths.len() >= 25, "{} paths", paths.len());
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path}"
            );
        }
    }
    // The answers are described field by field, not as free-form objects.
    let health = &doc["components"]["schemas"]["HealthAnswer"];
    let required: Vec<&str> = health["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for key in [
        "verdict",
        "registration",
        "can_send_message",
        "entities",
        "pin",
        "stale",
    ] {
        assert!(required.contains(&key), "{key} not required in {health}");
    }
    assert!(
        health["properties"].as_object().unwrap().len() >= 25,
        "{health}"
    );
    std::fs::write(
        std::env::temp_dir().join("greenlight-openapi.json"),
        doc.to_string(),
    )
    .ok();
    // Secrets go in, never out: the access token of an inbox is write-only.
    let config = &doc["components"]["schemas"]["ProviderConfig"]["properties"]["api_key"];
    assert_eq!(config["writeOnly"], true, "{config}");
    assert!(
        doc["components"]["schemas"]["ProviderConfigAnswer"]["properties"]
            .get("api_key")
            .is_none()
    );
}

/// Every documented operation is served: without a token each answers 401 (the document itself
/// 200), never the 404 or 405 of a route that does not exist.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{account_id}", "1")
            .replace("{inbox_id}", "1")
            .replace("{user_id}", "1")
            .replace("{id}", "1");
        assert!(!concrete.contains('{'), "unknown parameter in {path}");
        for method in item.as_object().unwrap().keys() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .client
                .request(m, app.url(&concrete))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let want = if path.ends_with("openapi.json") {
                200
            } else {
                401
            };
            assert_eq!(r.status().as_u16(), want, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 34, "{checked} operations");
}

/// A route exists only if it is documented: every `/api/` path written anywhere in the server's
/// routing code is a path of the document (the REST routes are registered through utoipa-axum's
/// `routes!`, which takes only documented handlers; this catches a plain `.route(...)` beside it).
#[tokio::test]
async fn no_route_exists_without_documentation() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = vec![std::path::PathBuf::from(src)];
    let mut found = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        // `.route(` followed (across a line break) by a string literal under /api/.
        for (i, _) in text.match_indices(".route(") {
            let rest = text[i + ".route(".len()..].trim_start();
            let Some(lit) = rest.strip_prefix('"') else {
                continue;
            };
            let path = &lit[..lit.find('"').unwrap()];
            if path == "/api" || path.starts_with("/api/") {
                found += 1;
                assert!(
                    documented.iter().any(|d| d.as_str() == path),
                    "{}: the route {path} is not in the OpenAPI document; register it with \
                     routes!() and a #[utoipa::path]",
                    p.display()
                );
            }
        }
    }
    // Today every API route goes through routes!(), so the scan finds none; it is here for the next one.
    assert_eq!(
        found, 0,
        "plain .route() calls under /api/ should not exist"
    );
}

/// The main endpoints' real answers (and an error) validate against the document's schemas.
#[tokio::test]
async fn real_answers_match_the_documents_schemas() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let t = admin.access_token.as_str();
    let a = admin.account_id;
    let healthy = create_inbox(&app, t, a, Scenario::Healthy).await;
    let ready = create_inbox(&app, t, a, Scenario::ApprovedUnregistered).await;
    let inbox = "/api/v1/accounts/{account_id}/inboxes/{inbox_id}";
    use reqwest::Method as M;

    let checks: Vec<(M, String, &str, Option<Value>)> = vec![
        (M::GET, "/api/v1/profile".into(), "/api/v1/profile", None),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/agents"),
            "/api/v1/accounts/{account_id}/agents",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes"),
            "/api/v1/accounts/{account_id}/inboxes",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{healthy}"),
            inbox,
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{healthy}/health"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{ready}/health?refresh=true"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{healthy}/health/history"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/health/history",
            None,
        ),
        (
            M::POST,
            format!("/api/v1/accounts/{a}/inboxes/{ready}/register_phone"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/register_phone",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{ready}/events"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/events",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{healthy}/members"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/members",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/{healthy}/webhook_check"),
            "/api/v1/accounts/{account_id}/inboxes/{inbox_id}/webhook_check",
            None,
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/notifications"),
            "/api/v1/accounts/{account_id}/notifications",
            None,
        ),
        (
            M::POST,
            format!("/api/v1/accounts/{a}/alert_webhooks"),
            "/api/v1/accounts/{account_id}/alert_webhooks",
            Some(
                json!({"url": "https://hooks.example.com/greenlight", "secret": "a signing secret of some length"}),
            ),
        ),
        (
            M::GET,
            format!("/api/v1/accounts/{a}/alert_webhooks"),
            "/api/v1/accounts/{account_id}/alert_webhooks",
            None,
        ),
        (
            M::POST,
            format!("/api/v1/accounts/{a}/agents"),
            "/api/v1/accounts/{account_id}/agents",
            Some(json!({"email": "bo@example.com", "role": "agent"})),
        ),
        // Errors: an unknown inbox, and a body that is wrong.
        (
            M::GET,
            format!("/api/v1/accounts/{a}/inboxes/999999"),
            inbox,
            None,
        ),
        (
            M::POST,
            format!("/api/v1/accounts/{a}/inboxes"),
            "/api/v1/accounts/{account_id}/inboxes",
            Some(json!({"name": "No channel"})),
        ),
    ];
    let mut statuses = Vec::new();
    for (method, url, path, body) in checks {
        let m = method.as_str().to_lowercase();
        let (status, answer) = call(&app, t, method, &url, body).await;
        assert_valid(&doc, path, &m, status, &answer);
        statuses.push(status);
    }
    // The list above must have exercised successes and the error shape alike.
    assert!(
        statuses.contains(&200) && statuses.contains(&201),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&404) && statuses.contains(&422),
        "{statuses:?}"
    );
}

/// The document is checked against what it claims: an answer that breaks the schema is caught.
#[tokio::test]
async fn a_wrong_answer_is_caught_by_the_schemas() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = answer_schema(&doc, "/api/v1/profile", "get", 200);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(!validator.is_valid(&json!({"id": "not a number", "name": "x"})));
    assert!(!validator.is_valid(&json!({})));
}
