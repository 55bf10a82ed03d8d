//! Browser-facing hardening: where sign-in may send people, JSON errors for bad bodies, CSRF,
//! security headers, and claiming a fresh instance.
use serde_json::Value;

use crate::helpers::{new_client, spawn_app, PASSWORD};

/// `next` values that must not be followed after sign-in: the user lands on their home page.
#[tokio::test]
async fn sign_in_never_follows_a_foreign_or_malformed_next() {
    let app = spawn_app().await;
    for (i, bad) in [
        "/\n",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "//evil",
        "/\\evil",
        "https://evil",
        "javascript:alert(1)",
    ]
    .into_iter()
    .enumerate()
    {
        // One user per attempt: the per-e-mail login limiter must not interfere.
        let email = format!("user{i}@example.com");
        let created = app.user(&email, "Acme", "agent").await;
        let home = format!("/accounts/{}/inboxes", created.account_id);
        let r = new_client()
            .post(app.url("/sfn/login"))
            .form(&[
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("next", bad),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302, "{bad:?}");
        // The form decoder may already drop a lone trailing newline ("/\n" arrives as "/").
        let to = r.headers()["location"].to_str().unwrap();
        assert!(to == home || to == "/", "{bad:?} -> {to:?}");
    }
    let r = new_client()
        .post(app.url("/sfn/login"))
        .form(&[
            ("email", "user0@example.com"),
            ("password", PASSWORD),
            ("next", "/accounts/1/inboxes?tab=health"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/accounts/1/inboxes?tab=health");
}

/// Sends `body` with `content_type` to `path` with the token; answers status and JSON body.
async fn post_raw(
    app: &crate::helpers::TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(path))
        .header("api_access_token", token)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{path} {body}: {ct}");
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn rest_body_rejections_are_json_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let t = &admin.access_token;
    let hooks = format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id);
    let members = format!("/api/v1/accounts/{}/inbox_members", admin.account_id);
    let json = "application/json";

    let (s, b) = post_raw(&app, t, &hooks, json, r#"{"url": "https://example.com/h"}"#).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("secret")), "{b}");
    assert!(b["error"].as_str().unwrap().contains("secret"), "{b}");

    let (s, b) = post_raw(&app, t, &hooks, json, r#"{"url": 5, "secret": "s"}"#).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("url")), "{b}");

    let (s, b) = post_raw(&app, t, &members, json, r#"{"user_ids": [1]}"#).await;
    assert_eq!((s, b["field"].as_str()), (422, Some("inbox_id")), "{b}");

    let (s, b) = post_raw(
        &app,
        t,
        &members,
        json,
        r#"{"inbox_id": 1, "user_ids": "x"}"#,
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (422, Some("user_ids")), "{b}");

    let (s, b) = post_raw(&app, t, &hooks, json, r#"{"url": "#).await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["error"].as_str().unwrap().contains("not valid JSON"),
        "{b}"
    );
    assert!(b["field"].is_null(), "{b}");

    let (s, b) = post_raw(
        &app,
        t,
        &hooks,
        "text/plain",
        r#"{"url": "x", "secret": "s"}"#,
    )
    .await;
    assert_eq!(s, 415, "{b}");
    assert!(
        b["error"].as_str().unwrap().contains("application/json"),
        "{b}"
    );

    // Nothing was stored by any of these.
    let r = app.get_with_token(&hooks, t).await;
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["payload"].as_array().unwrap().len(), 0, "{list}");
}

#[tokio::test]
async fn rest_path_and_method_rejections_are_json_too() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let r = app
        .get_with_token("/api/v1/accounts/abc/inboxes", &admin.access_token)
        .await;
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(b["error"].is_string() && b["field"].is_null(), "{b}");
    let r = app
        .client
        .delete(app.url("/api/v1/profile"))
        .header("api_access_token", &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().contains_key("allow"));
    let b: Value = r.json().await.unwrap();
    assert!(b["error"].is_string(), "{b}");
}

/// Signs `email` in and answers the `Cookie` header value of the new session.
async fn session_cookie(app: &crate::helpers::TestApp, email: &str) -> String {
    let r = app.login(&new_client(), email, PASSWORD).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    crate::helpers::set_cookies(&r)
        .iter()
        .find(|c| c.starts_with("greenlight_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

/// A client that adds no header of its own: each test says what the "browser" sends.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn signed_in(app: &crate::helpers::TestApp, cookie: &str) -> bool {
    let r = bare_client()
        .get(app.url("/api/v1/profile"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    r.status() == 200
}

#[tokio::test]
async fn cookie_writes_need_proof_of_same_origin() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    let cookie = session_cookie(&app, "ada@example.com").await;
    let logout = |headers: &[(&'static str, String)]| {
        let mut req = bare_client()
            .post(app.url("/sfn/logout"))
            .header("cookie", &cookie)
            .header("accept", "text/html");
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.send()
    };
    let refused: [&[(&'static str, String)]; 6] = [
        &[("origin", "https://evil.example".into())],
        &[("origin", "null".into())],
        &[],
        &[("referer", "https://evil.example/page".into())],
        &[("sec-fetch-site", "cross-site".into())],
        &[("sec-fetch-site", "same-site".into())],
    ];
    for headers in refused {
        let r = logout(headers).await.unwrap();
        assert_eq!(r.status(), 403, "{headers:?}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["error"], "Cross-site request refused.");
        assert!(
            signed_in(&app, &cookie).await,
            "{headers:?} must not sign out"
        );
    }
    // A server function that changes state is not reachable by GET (a link or an <img>).
    let r = bare_client()
        .get(app.url("/sfn/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        !r.status().is_success() && !r.status().is_redirection(),
        "{}",
        r.status()
    );
    assert!(signed_in(&app, &cookie).await);

    // Same origin, proven by Origin, by Referer, or by Sec-Fetch-Site alone.
    let own_origin = app.address.clone();
    let accepted: [&[(&'static str, String)]; 3] = [
        &[("origin", own_origin.clone())],
        &[("referer", app.url("/accounts/1/inboxes"))],
        &[("sec-fetch-site", "same-origin".into())],
    ];
    for headers in accepted {
        let cookie = session_cookie(&app, "ada@example.com").await;
        let mut req = bare_client()
            .post(app.url("/sfn/logout"))
            .header("cookie", &cookie)
            .header("accept", "text/html");
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 302, "{headers:?}");
        assert!(!signed_in(&app, &cookie).await, "{headers:?} signs out");
    }
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    let r = bare_client()
        .post(app.url("/sfn/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(crate::helpers::set_cookies(&r).is_empty());
}

#[tokio::test]
async fn token_authenticated_rest_writes_need_no_origin() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let r = bare_client()
        .post(app.url(&format!(
            "/api/v1/accounts/{}/alert_webhooks",
            admin.account_id
        )))
        .header("api_access_token", &admin.access_token)
        .json(&serde_json::json!({"url": "https://example.com/hook", "secret": "0123456789abcdef"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn pages_carry_a_nonced_csp_and_the_other_security_headers() {
    let app = spawn_app().await;
    app.user("ada@example.com", "Acme", "agent").await;
    let r = app.get("/login").await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-frame-options"], "DENY");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in script-src")
        .to_string();
    let html = r.text().await.unwrap();
    // Every inline script and style of the page carries the header's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts >= 1, "{html}");
    assert_eq!(
        html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
            .count()
            + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );
    assert!(
        html.contains(&format!("<style id=\"stylers\" nonce=\"{nonce}\"")),
        "{html}"
    );
    // A fresh nonce per answer; the REST API gets the headers too.
    let again = app.get("/login").await;
    assert_ne!(again.headers()["content-security-policy"], csp.as_str());
    let api = app.get("/api/v1/profile").await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed_and_secure() {
    let app = crate::helpers::spawn_app_with(&["--public-url", "https://gl.example.com"]).await;
    app.user("ada@example.com", "Acme", "agent").await;
    let r = app.login(&new_client(), "ada@example.com", PASSWORD).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let cookies = crate::helpers::set_cookies(&r);
    let c = cookies
        .iter()
        .find(|c| c.starts_with("__Host-greenlight_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(
        c.contains("Secure") && c.contains("Path=/") && !c.contains("Domain"),
        "{c}"
    );
}

#[tokio::test]
async fn two_simultaneous_first_runs_create_one_administrator() {
    let app = spawn_app().await;
    let code = app.setup_code();
    let post = |n: usize| {
        new_client()
            .post(app.url("/sfn/first_run"))
            .form(&[
                ("name", format!("Admin {n}")),
                ("email", format!("admin{n}@example.com")),
                ("password", PASSWORD.to_string()),
                ("account_name", format!("Acme {n}")),
                ("setup_code", code.clone()),
            ])
            .send()
    };
    let results = futures::future::join_all((0..4).map(post)).await;
    let signed_in = results
        .iter()
        .filter(|r| {
            let r = r.as_ref().unwrap();
            crate::helpers::set_cookies(r)
                .iter()
                .any(|c| c.starts_with("greenlight_session="))
                && r.headers()
                    .get("location")
                    .is_some_and(|l| l.to_str().unwrap().starts_with("/accounts/"))
        })
        .count();
    assert_eq!(signed_in, 1);
    let mut admins = 0;
    for n in 0..4 {
        let email = format!("admin{n}@example.com");
        let ip = format!("10.0.0.{n}");
        if app
            .services
            .accounts
            .sign_in(&email, PASSWORD, &ip, app::i18n::Locale::en)
            .await
            .is_ok()
        {
            admins += 1;
        }
    }
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn an_unknown_api_path_answers_json_too() {
    let app = spawn_app().await;
    for path in ["/api/v1/nope", "/api/v2/accounts/1/inboxes"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "No such API endpoint.");
    }
}
