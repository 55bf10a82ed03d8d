//! Languages (issue 13 §5): a page speaks the user's chosen language, else the browser's
//! (`Accept-Language`), else English, and says so in `<html lang>`.
use greenlight::simulator::Scenario;
use serde_json::{json, Value};

use crate::health::create_inbox;
use crate::helpers::{new_client, spawn_app, TestApp, PASSWORD};

async fn page(app: &TestApp, client: &reqwest::Client, path: &str, lang: &str) -> String {
    let r = client
        .get(app.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn profile(app: &TestApp, client: &reqwest::Client, lang: &str) -> Value {
    client
        .get(app.url("/api/v1/profile"))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn choose(app: &TestApp, client: &reqwest::Client, locale: &str) {
    let r = client
        .patch(app.url("/api/v1/profile"))
        .json(&json!({ "locale": locale }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn the_sign_in_page_follows_the_browser() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "administrator").await;
    let c = new_client();
    let pt = page(&app, &c, "/login", "pt-BR,pt;q=0.9,en;q=0.8").await;
    assert!(pt.contains(r#"lang="pt-BR""#), "{pt}");
    assert!(pt.contains("Pular para o conteúdo"));
    let es = page(&app, &c, "/login", "es-MX,es;q=0.9").await;
    assert!(es.contains(r#"lang="es""#));
    assert!(es.contains("Saltar al contenido"));
    let en = page(&app, &c, "/login", "fr-FR,fr;q=0.9").await;
    assert!(en.contains(r#"lang="en""#));
    assert!(en.contains("Skip to content"));
    // Nothing sticks between requests: the browser's language of the moment counts.
    let pt = page(&app, &c, "/login", "pt").await;
    assert!(pt.contains(r#"lang="pt-BR""#));
}

#[tokio::test]
async fn a_chosen_language_beats_the_browser_until_the_user_goes_back_to_automatic() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let c = new_client();
    app.login(&c, "ada@example.com", PASSWORD).await;
    let health = format!("/accounts/{}/inboxes/{id}/health", admin.account_id);

    // Nothing chosen: the browser's language, Meta's values in words of that language.
    let me = profile(&app, &c, "pt-BR").await;
    assert_eq!(me["locale"], "pt-BR", "{me}");
    assert_eq!(me["locale_chosen"], false);
    let pt = page(&app, &c, &health, "pt-BR").await;
    assert!(pt.contains(r#"lang="pt-BR""#));
    assert!(pt.contains(">Alta<"), "quality GREEN in Portuguese");
    let en = page(&app, &c, &health, "en-US").await;
    assert!(en.contains(r#"lang="en""#));
    assert!(en.contains(">High<"));

    // Chosen: Spanish whatever the browser says.
    choose(&app, &c, "es").await;
    let me = profile(&app, &c, "pt-BR").await;
    assert_eq!(
        (me["locale"].as_str(), me["locale_chosen"].as_bool()),
        (Some("es"), Some(true))
    );
    let es = page(&app, &c, &health, "pt-BR").await;
    assert!(es.contains(r#"lang="es""#));
    assert!(es.contains(">Alta<") && es.contains("Saltar al contenido"));

    // Automatic again: the browser's language.
    choose(&app, &c, "auto").await;
    let me = profile(&app, &c, "en").await;
    assert_eq!(
        (me["locale"].as_str(), me["locale_chosen"].as_bool()),
        (Some("en"), Some(false))
    );
    let en = page(&app, &c, &health, "en").await;
    assert!(en.contains(r#"lang="en""#) && en.contains(">High<"));
}

#[tokio::test]
async fn complete_registration_answers_in_the_callers_language_and_meta_still_gets_one_call() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::ApprovedUnregistered,
    )
    .await;
    let n = app.number(Scenario::ApprovedUnregistered);
    let press = |lang: &'static str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/accounts/{}/inboxes/{id}/register_phone",
                admin.account_id
            )))
            .header("api_access_token", &admin.access_token)
            .header("accept-language", lang)
            .send()
    };
    let r = press("es-419").await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"], "registered", "{body}");
    assert_eq!(
        body["message"],
        "Meta registró el número en la WhatsApp Cloud API."
    );
    let calls = app.sim.sim.calls_to("POST", &format!("/{}/register", n.id));
    assert_eq!(calls.len(), 1, "one press, one call to Meta");

    // Pressed again in Portuguese: no call (already registered), the reason in Portuguese.
    let r = press("pt-BR").await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["called_meta"], false, "{body}");
    assert_eq!(
        body["message"], "O número está registrado na WhatsApp Cloud API.",
        "{body}"
    );
    assert_eq!(
        app.sim
            .sim
            .calls_to("POST", &format!("/{}/register", n.id))
            .len(),
        1
    );
}
