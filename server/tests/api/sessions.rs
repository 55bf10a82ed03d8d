//! Sessions: sign-out ends the id for good, sign-in never keeps an old id, expired ids are refused.
//!
//! The session lives 7 days after the last request (`Expiry::OnInactivity`), which no flag
//! shortens; expiry is tested by moving the stored row's expiry into the past, as 7 days of
//! inactivity would.
use crate::helpers::{new_client, set_cookies, spawn_app, TestApp, PASSWORD};

const COOKIE: &str = "greenlight_session";

/// The session id a response sets, if any.
fn session_id(resp: &reqwest::Response) -> Option<String> {
    set_cookies(resp).iter().find_map(|c| {
        c.strip_prefix(&format!("{COOKIE}="))
            .and_then(|rest| rest.split(';').next())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Calls the profile with nothing but this session id (no cookie jar), as a replaying attacker.
async fn profile_status_with(app: &TestApp, id: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/api/v1/profile"))
        .header("cookie", format!("{COOKIE}={id}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn stored_sessions(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.services.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_old_session_id_sent_again_after_sign_out_is_refused() {
    let app = spawn_app().await;
    let u = app.user("ada@example.com", "Acme", "administrator").await;
    let r = app.login(&app.client, "ada@example.com", PASSWORD).await;
    let id = session_id(&r).expect("sign-in sets a session id");
    assert_eq!(stored_sessions(&app, &id).await, 1);
    assert_eq!(profile_status_with(&app, &id).await, 200, "the id works");

    let r = app
        .client
        .post(app.url("/sfn/logout"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(
        stored_sessions(&app, &id).await,
        0,
        "the stored session is gone"
    );

    assert_eq!(profile_status_with(&app, &id).await, 401);
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!("/accounts/{}/inboxes", u.account_id)))
        .header("cookie", format!("{COOKIE}={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert!(page.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[tokio::test]
async fn signing_in_issues_a_new_id_and_the_id_held_before_stops_working() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "administrator").await;
    app.user("bob@example.com", "Acme", "agent").await;
    let client = new_client();
    let first = session_id(&app.login(&client, "bob@example.com", PASSWORD).await)
        .expect("first sign-in sets an id");
    // Signing in again on the same browser (e.g. an id planted before sign-in) must not keep it.
    let second = session_id(&app.login(&client, "ada@example.com", PASSWORD).await)
        .expect("second sign-in sets an id");
    assert_ne!(first, second, "sign-in cycles the session id");
    assert_eq!(profile_status_with(&app, &first).await, 401, "old id dead");
    assert_eq!(stored_sessions(&app, &first).await, 0);
    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/profile"))
        .header("cookie", format!("{COOKIE}={second}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ada@example.com");
}

#[tokio::test]
async fn an_expired_session_is_refused_and_the_cookie_says_when_it_ends() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "administrator").await;
    let r = app.login(&app.client, "ada@example.com", PASSWORD).await;
    let cookie = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with(&format!("{COOKIE}=")))
        .unwrap();
    assert!(
        cookie.contains("Expires=") || cookie.contains("Max-Age="),
        "a persistent cookie with an end: {cookie}"
    );
    let id = session_id(&r).unwrap();
    assert_eq!(profile_status_with(&app, &id).await, 200);
    // The store keeps the expiry as sqlx writes an `OffsetDateTime`: text, compared as text.
    let expired = sqlx::query(
        "UPDATE sessions SET expiry_date = '2000-01-01 00:00:00.0+00:00' WHERE id = $1",
    )
    .bind(&id)
    .execute(&app.services.db)
    .await
    .unwrap();
    assert_eq!(expired.rows_affected(), 1);
    assert_eq!(profile_status_with(&app, &id).await, 401);
}
