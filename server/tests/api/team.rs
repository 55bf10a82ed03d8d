//! The team over the REST API and the invitation page's server functions: invite → accept → sign
//! in, role changes, removal ending sessions and tokens at once, the last administrator, bad input.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{new_client, spawn_app, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a fresh long passphrase";

fn agents(account: i64) -> String {
    format!("/api/v1/accounts/{account}/agents")
}

async fn invite(app: &TestApp, token: &str, account: i64, email: &str, role: &str) -> Value {
    let r = app
        .client
        .post(app.url(&agents(account)))
        .header("api_access_token", token)
        .json(&json!({"name": "Cy", "email": email, "role": role}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json().await.unwrap()
}

/// The token at the end of an invitation URL.
fn token_of(url: &str) -> String {
    url.split_once("?token=").unwrap().1.to_owned()
}

/// Accepts a one-time link as the invitation page's form does.
async fn accept(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    name: &str,
) -> reqwest::Response {
    client
        .post(app.url("/sfn/accept_invitation"))
        .header("origin", &app.address)
        .form(&[("token", token), ("name", name), ("password", NEW_PASSWORD)])
        .send()
        .await
        .unwrap()
}

async fn profile(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client.get(app.url("/api/v1/profile")).send().await.unwrap()
}

#[tokio::test]
async fn an_invited_person_accepts_once_is_signed_in_and_can_sign_in_again() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let body = invite(
        &app,
        &admin.access_token,
        admin.account_id,
        "Cy@Example.com",
        "agent",
    )
    .await;
    let url = body["invitation_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/join?token=",
            app.services.public_url.as_str().trim_end_matches('/')
        )),
        "{url}"
    );
    assert_eq!(body["email"], "cy@example.com");
    assert_eq!(body["role"], "agent");
    let token = token_of(url);
    // Only a digest is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM invitations")
        .fetch_all(&app.services.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token));

    // The list shows it pending to the administrator's settings, not yet as a member.
    let list: Value = app
        .get_with_token(&agents(admin.account_id), &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    let cy = new_client();
    let r = accept(&app, &cy, &token, "Cy Young").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(
        r.headers()["location"],
        format!("/accounts/{}/inboxes", admin.account_id).as_str()
    );
    let me: Value = profile(&app, &cy).await.json().await.unwrap();
    assert_eq!(me["email"], "cy@example.com");
    assert_eq!(me["name"], "Cy Young");
    assert_eq!(me["accounts"][0]["role"], "agent");
    assert_eq!(me["locale"], "en");

    // The link is spent: a second use is refused with a field error, and makes nobody.
    let again = reqwest::Client::new()
        .post(app.url("/sfn/accept_invitation"))
        .header("origin", &app.address)
        .form(&[
            ("token", token.as_str()),
            ("name", "Mallory"),
            ("password", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list: Value = app
        .get_with_token(&agents(admin.account_id), &admin.access_token)
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@example.com", "cy@example.com"]);

    // The chosen password signs in.
    let fresh = new_client();
    let r = app.login(&fresh, "cy@example.com", NEW_PASSWORD).await;
    assert!(r.status().is_redirection());
    assert_eq!(profile(&app, &fresh).await.status(), 200);
}

#[tokio::test]
async fn administrators_change_roles_and_the_last_administrator_stays() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("bo@example.com", "Acme", "agent").await;
    let path = format!("{}/{}", agents(admin.account_id), agent.user_id);
    let r = app
        .client
        .patch(app.url(&path))
        .header("api_access_token", &admin.access_token)
        .json(&json!({"role": "administrator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["role"], "administrator");
    let me: Value = app
        .get_with_token("/api/v1/profile", &agent.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["accounts"][0]["role"], "administrator");

    // Two administrators: Ada may step down; then Bo is the last one and cannot.
    let ada_path = format!("{}/{}", agents(admin.account_id), admin.user_id);
    let r = app
        .client
        .patch(app.url(&ada_path))
        .header("api_access_token", &agent.access_token)
        .json(&json!({"role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for req in [
        app.client
            .patch(app.url(&path))
            .json(&json!({"role": "agent"})),
        app.client.delete(app.url(&path)),
    ] {
        let r = req
            .header("api_access_token", &agent.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("administrator"),
            "{body}"
        );
    }
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM account_users WHERE user_id = $1")
            .bind(agent.user_id)
            .fetch_all(&app.services.db)
            .await
            .unwrap();
    assert_eq!(roles, ["administrator"]);
}

#[tokio::test]
async fn removing_a_member_ends_their_session_and_token_at_once() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("bo@example.com", "Acme", "agent").await;
    let bo = new_client();
    app.login(&bo, "bo@example.com", PASSWORD).await;
    let inboxes = format!("/accounts/{}/inboxes", admin.account_id);
    assert_eq!(profile(&app, &bo).await.status(), 200);
    assert_eq!(
        bo.get(app.url(&inboxes)).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        app.get_with_token("/api/v1/profile", &agent.access_token)
            .await
            .status(),
        200
    );

    let r = app
        .client
        .delete(app.url(&format!("{}/{}", agents(admin.account_id), agent.user_id)))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // No waiting: the very next requests are refused.
    assert_eq!(profile(&app, &bo).await.status(), 401);
    let page = bo.get(app.url(&inboxes)).send().await.unwrap();
    assert!(page.status().is_redirection());
    assert!(page.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        app.get_with_token("/api/v1/profile", &agent.access_token)
            .await
            .status(),
        401
    );
    // They can no longer sign in, and the address can be invited again.
    let again = new_client();
    app.login(&again, "bo@example.com", PASSWORD).await;
    assert_eq!(profile(&app, &again).await.status(), 401);
    invite(
        &app,
        &admin.access_token,
        admin.account_id,
        "bo@example.com",
        "agent",
    )
    .await;
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "administrator").await;
    let here = new_client();
    let elsewhere = new_client();
    app.login(&here, "ada@example.com", PASSWORD).await;
    app.login(&elsewhere, "ada@example.com", PASSWORD).await;

    let wrong = here
        .patch(app.url("/api/v1/profile"))
        .json(&json!({"current_password": "not my password", "password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["field"],
        "current_password"
    );
    assert_eq!(profile(&app, &elsewhere).await.status(), 200);

    let r = here
        .patch(app.url("/api/v1/profile"))
        .json(&json!({"profile": {"name": "Ada L.", "locale": "pt-BR",
            "current_password": PASSWORD, "password": NEW_PASSWORD}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["locale"], "pt-BR");
    assert_eq!(body["name"], "Ada L.");
    assert_eq!(profile(&app, &here).await.status(), 200);
    assert_eq!(profile(&app, &elsewhere).await.status(), 401);

    let old = new_client();
    app.login(&old, "ada@example.com", PASSWORD).await;
    assert_eq!(profile(&app, &old).await.status(), 401);
    let new = new_client();
    app.login(&new, "ada@example.com", NEW_PASSWORD).await;
    let me: Value = profile(&app, &new).await.json().await.unwrap();
    assert_eq!(me["locale"], "pt-BR");
}

#[tokio::test]
async fn bad_team_input_is_answered_as_json_4xx_and_agents_cannot_invite() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let agent = app.user("bo@example.com", "Acme", "agent").await;
    let post = |token: &str, body: &str| {
        app.client
            .post(app.url(&agents(admin.account_id)))
            .header("api_access_token", token)
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    for (body, status, field) in [
        (
            r#"{"email": "not an address", "role": "agent"}"#,
            422,
            Some("email"),
        ),
        (
            r#"{"email": "cy@example.com", "role": "owner"}"#,
            422,
            Some("role"),
        ),
        (
            r#"{"email": "bo@example.com", "role": "agent"}"#,
            422,
            Some("email"),
        ),
        (r#"{"email": "#, 400, None),
    ] {
        let r = post(&admin.access_token, body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{body}");
        let json: Value = r.json().await.unwrap();
        assert!(json["error"].is_string(), "{body}");
        assert_eq!(json["field"].as_str(), field, "{body}");
    }
    let r = post(
        &agent.access_token,
        r#"{"email": "cy@example.com", "role": "agent"}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .patch(app.url("/api/v1/profile"))
        .header("api_access_token", &agent.access_token)
        .json(&json!({"locale": "fr"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "locale");
    let r = app
        .client
        .patch(app.url(&format!("{}/{}", agents(admin.account_id), agent.user_id)))
        .header("api_access_token", &admin.access_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations")
        .fetch_one(&app.services.db)
        .await
        .unwrap();
    assert_eq!(none, 0);
}
