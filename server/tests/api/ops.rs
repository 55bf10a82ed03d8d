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
