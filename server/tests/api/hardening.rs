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
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "/accounts/1/inboxes?tab=health"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/accounts/1/inboxes?tab=health");
}
