use serde_json::Value;

use crate::helpers::{new_client, set_cookies, spawn_app, PASSWORD};

#[tokio::test]
async fn profile_needs_a_session_or_token_and_answers_401_json() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/profile").await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("sign in"));
    let r = app.get_with_token("/api/v1/profile", "not-a-token").await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn api_token_reaches_the_profile_with_accounts_and_roles() {
    let app = spawn_app().await;
    let created = app.user("ada@example.com", "Acme", "administrator").await;
    let r = app
        .get_with_token("/api/v1/profile", &created.access_token)
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["accounts"][0]["name"], "Acme");
    assert_eq!(body["accounts"][0]["role"], "administrator");
    assert_eq!(body["accounts"][0]["id"], created.account_id);
    assert!(!body.to_string().contains("password"));
}

#[tokio::test]
async fn sign_in_sets_an_httponly_lax_cookie_and_sign_out_ends_it() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    let r = app.login(&app.client, "Ada@Example.com", PASSWORD).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let cookies = set_cookies(&r);
    let c = cookies
        .iter()
        .find(|c| c.starts_with("greenlight_session="))
        .expect("session cookie");
    assert!(c.contains("HttpOnly"), "{c}");
    assert!(c.contains("SameSite=Lax"), "{c}");
    assert!(!c.contains("Secure"), "plain http in tests: {c}");
    assert_eq!(app.get("/api/v1/profile").await.status(), 200);
    let r = app
        .client
        .post(app.url("/sfn/logout"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(app.get("/api/v1/profile").await.status(), 401);
}

#[tokio::test]
async fn wrong_password_gives_no_session_and_does_not_say_which_part_was_wrong() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    for (email, pw) in [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
    ] {
        let client = new_client();
        let r = app.login(&client, email, pw).await;
        assert!(set_cookies(&r)
            .iter()
            .all(|c| !c.starts_with("greenlight_session=")));
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        assert!(
            loc.contains("incorrect") || text.contains("incorrect"),
            "{loc} {text}"
        );
        let r = client.get(app.url("/api/v1/profile")).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn repeated_failures_for_one_email_are_rate_limited() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    let mut limited = false;
    for _ in 0..7 {
        let r = app
            .login(&new_client(), "ada@example.com", "wrong password")
            .await;
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        if loc.contains("rate_limited") || text.contains("rate_limited") {
            limited = true;
        }
    }
    assert!(limited, "the 6th attempt within seconds must be throttled");
    // Even the right password is refused while throttled.
    let r = app.login(&new_client(), "ada@example.com", PASSWORD).await;
    assert!(set_cookies(&r)
        .iter()
        .all(|c| !c.starts_with("greenlight_session=")));
}

#[tokio::test]
async fn pages_redirect_visitors_to_sign_in_and_first_run_only_without_users() {
    let app = spawn_app().await;
    // No user yet: everything leads to the first-run page.
    let r = app.get("/login").await;
    assert_eq!(r.headers()["location"], "/setup");
    assert_eq!(app.get("/setup").await.status(), 200);
    let code = app.setup_code();
    // Without the setup code, or with a wrong one, nobody claims the instance.
    for wrong in ["", "2345-6789-ABCD"] {
        let r = app
            .client
            .post(app.url("/sfn/first_run"))
            .header("accept", "application/json")
            .form(&[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
                ("account_name", "Evil"),
                ("setup_code", wrong),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{wrong:?}");
        assert!(set_cookies(&r)
            .iter()
            .all(|c| !c.contains("greenlight_session=")));
        assert!(r.text().await.unwrap().contains("setup_code"));
        assert!(
            app.services.accounts.needs_first_run().await.unwrap(),
            "no user made"
        );
    }
    let r = app
        .client
        .post(app.url("/sfn/first_run"))
        .form(&[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("account_name", "Acme"),
            ("setup_code", code.to_lowercase().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(
        !app._data_dir.path().join("setup-code").exists(),
        "the used code's file is gone"
    );
    assert_eq!(
        app.get("/api/v1/profile").await.status(),
        200,
        "first admin is signed in"
    );
    // Now that a user exists, the first-run page is gone for everyone.
    let visitor = new_client();
    let r = visitor.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let r = visitor
        .post(app.url("/sfn/first_run"))
        .form(&[
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("password", PASSWORD),
            ("account_name", "Evil"),
            ("setup_code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&r)
        .iter()
        .all(|c| !c.starts_with("greenlight_session=")));
    let created = app
        .services
        .accounts
        .sign_in("eve@example.com", PASSWORD, "t", app::i18n::Locale::en)
        .await;
    assert!(created.is_err(), "no second administrator via first run");
    // Visitors asking for a page are sent to sign in, keeping where they wanted to go.
    let r = visitor
        .get(app.url("/accounts/1/inboxes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Faccounts%2F1%2Finboxes"
    );
}

#[tokio::test]
async fn signed_in_pages_render_the_shell_on_the_server() {
    let app = spawn_app().await;
    let u = app
        .user("ada@example.com", "Acme <Shop>", "administrator")
        .await;
    app.login(&app.client, "ada@example.com", PASSWORD).await;
    let r = app
        .get(&format!("/accounts/{}/inboxes", u.account_id))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Acme &lt;Shop&gt;"),
        "account name escaped: {html}"
    );
    assert!(html.contains("Sign out"));
    // This page's own content, and the scripts that hydrate it.
    assert!(html.contains("id=\"no-inboxes\""), "{html}");
    assert!(
        html.contains("id=\"add-inbox-form\""),
        "administrators may add one: {html}"
    );
    assert!(html.contains("/pkg/greenlight.js"), "{html}");
    // Another account's pages show not found, not its data.
    let r = app
        .get(&format!("/accounts/{}/settings", u.account_id + 100))
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Not found"));
    assert!(!html.contains("Acme &lt;Shop&gt;") && !html.contains("id=\"members\""));
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_nothing_is_half_written() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "administrator").await;
    let cases = [
        (
            "ada@example.com",
            "Ada",
            PASSWORD,
            "Other Co",
            "agent",
            "email",
        ),
        (
            "not-an-email",
            "Ada",
            PASSWORD,
            "Other Co",
            "agent",
            "email",
        ),
        (
            "bob@example.com",
            "  ",
            PASSWORD,
            "Other Co",
            "agent",
            "name",
        ),
        (
            "bob@example.com",
            "Bob",
            "short",
            "Other Co",
            "agent",
            "password",
        ),
        ("bob@example.com", "Bob", PASSWORD, "", "agent", "account"),
        (
            "bob@example.com",
            "Bob",
            PASSWORD,
            "Other Co",
            "owner",
            "role",
        ),
    ];
    for (email, name, pw, account, role, field) in cases {
        let err = app
            .services
            .accounts
            .create_user(greenlight::accounts::service::NewUser {
                email: email.into(),
                name: name.into(),
                password: pw.into(),
                account: account.into(),
                role: role.into(),
            })
            .await
            .unwrap_err();
        let err: app::error::AppError = err.into();
        assert_eq!(err.field(), Some(field), "{email} {name} {account} {role}");
    }
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&app.services.db)
        .await
        .unwrap();
    assert_eq!(accounts, 1, "no account created by a refused user");
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.services.db)
        .await
        .unwrap();
    assert_eq!(users, 1);
}
