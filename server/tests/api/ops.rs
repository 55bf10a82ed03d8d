use crate::helpers::spawn_app;

#[tokio::test]
async fn probes_answer_and_every_response_has_a_request_id() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let big = "x".repeat(300 * 1024);
    let r = app
        .client
        .post(app.url("/sfn/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={big}&password=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = spawn_app().await;
    let u = app.user("ada@example.com", "Acme", "administrator").await;
    let _ = u;
    app.login(&app.client, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/sfn/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn webhook_deliveries_may_be_larger_than_forms_but_stay_bounded() {
    // With an app secret, so a body that gets through is answered by the signature check.
    let app = crate::webhooks::spawn_with_webhooks().await;
    let post = |len: usize| {
        app.client
            .post(app.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", "sha256=00")
            .body(format!(
                "{{\"object\":\"whatsapp_business_account\",\"pad\":\"{}\"}}",
                "x".repeat(len)
            ))
            .send()
    };
    let r = post(1024 * 1024).await.unwrap();
    assert_eq!(
        r.status(),
        401,
        "a 1 MB batch reaches the receiver, whose signature check refuses it"
    );
    let r = post(5 * 1024 * 1024).await.unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    // The pool every request uses, closed: as good as an unreachable server.
    app.services.db.close().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["error"], "database unreachable");
}

/// The wasm goes out as `scripts/build.sh` stored it: the gzip bytes themselves to a browser
/// (nothing compressed per request), unpacked for a client that refuses gzip, and a 304 for a
/// browser that has it.
#[tokio::test]
async fn the_wasm_is_sent_as_built_gzipped_or_unpacked_and_revalidates() {
    use std::io::Read;
    let stored = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/site/pkg/greenlight.wasm.gz");
    let gz = std::fs::read(&stored)
        .unwrap_or_else(|e| panic!("{} (scripts/build.sh makes it): {e}", stored.display()));
    let app = spawn_app().await;
    let wasm_with = |name: &'static str, value: reqwest::header::HeaderValue| {
        app.client
            .get(app.url("/pkg/greenlight.wasm"))
            .header(name, value)
            .send()
    };
    let r = wasm_with("accept-encoding", "gzip, deflate, br".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["content-type"], "application/wasm");
    let etag = r.headers()["etag"].clone();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        gz.as_slice(),
        "the stored bytes"
    );

    let r = wasm_with("accept-encoding", "identity".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-encoding").is_none());
    let mut wasm = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut wasm)
        .unwrap();
    let body = r.bytes().await.unwrap();
    assert_eq!(body.as_ref(), wasm.as_slice(), "unpacked");
    assert_eq!(&body[..4], b"\0asm");

    let r = wasm_with("if-none-match", etag).await.unwrap();
    assert_eq!(r.status(), 304);
    // The stored name itself is not a page of the site.
    assert_eq!(app.get("/pkg/greenlight.wasm.gz").await.status(), 404);
}
