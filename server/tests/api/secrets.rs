//! Secrets at rest: file permissions of the data directory, the database and the key file.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::startup::Application;

use crate::logs::{capturing_subscriber, Captured};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Builds (opens the database, loads or creates the key) with `data_dir` and no explicit URL.
async fn build(data_dir: &Path) -> Application {
    let cli = Cli::parse_from([
        "greenlight",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().unwrap(),
        // Nothing calls Meta here: no inbox exists.
        "--graph-api-base-url",
        "http://127.0.0.1:9",
    ]);
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    Application::build(&args).await.expect("app builds")
}

#[tokio::test(flavor = "current_thread")]
async fn a_fresh_data_dir_is_0700_and_its_files_0600() {
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = root.path().join("data");
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(capturing_subscriber(&captured));

    let app = build(&data_dir).await;
    // A write makes SQLite create the WAL and shared-memory files.
    app.services
        .create_user(greenlight::services::accounts::NewUser {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            password: crate::helpers::PASSWORD.into(),
            account: "Acme".into(),
            role: "administrator".into(),
        })
        .await
        .unwrap();

    assert_eq!(mode(&data_dir), 0o700);
    for file in [
        "greenlight.db",
        "greenlight.db-wal",
        "greenlight.db-shm",
        "secret.key",
    ] {
        let path = data_dir.join(file);
        assert!(path.exists(), "{file} exists");
        assert_eq!(mode(&path), 0o600, "{file}");
    }
    assert!(
        !captured.text().contains("INSECURE PERMISSIONS"),
        "{}",
        captured.text()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_loose_key_file_is_kept_but_loudly_reported() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = data_dir.join("secret.key");
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(capturing_subscriber(&captured));

    let _app = build(&data_dir).await;

    let logs = captured.text();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("INSECURE PERMISSIONS"))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|l| l.contains(&key.display().to_string()) && l.contains("0644")),
        "{logs}"
    );
    assert!(
        warnings
            .iter()
            .any(|l| l.contains(&format!("{} has mode 0755", data_dir.display()))),
        "{logs}"
    );
    // Existing paths are the operator's: reported, never changed.
    assert_eq!(mode(&key), 0o644);
    assert_eq!(mode(&data_dir), 0o755);
    // The database Greenlight created itself is private all the same.
    assert_eq!(mode(&data_dir.join("greenlight.db")), 0o600);
}

#[tokio::test]
async fn rotating_the_api_token_answers_the_new_one_once_and_retires_the_old() {
    let app = crate::helpers::spawn_app().await;
    let created = app.user("ada@example.com", "Acme", "administrator").await;
    let old = created.access_token.clone();
    // Warm the token cache: rotation must not leave the old token working from it.
    assert_eq!(
        app.get_with_token("/api/v1/profile", &old).await.status(),
        200
    );

    let response = app
        .client
        .post(app.url("/api/v1/profile/access_token"))
        .header("api_access_token", &old)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    let new = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(new.len(), 64);
    assert_ne!(new, old);

    assert_eq!(
        app.get_with_token("/api/v1/profile", &old).await.status(),
        401
    );
    let profile = app.get_with_token("/api/v1/profile", &new).await;
    assert_eq!(profile.status(), 200);
    let profile: serde_json::Value = profile.json().await.unwrap();
    assert_eq!(profile["email"], "ada@example.com");
    // The profile never shows the token again.
    assert!(!profile.to_string().contains(&new));

    // Without a token or session: 401, and nothing rotated.
    let anonymous = app
        .client
        .post(app.url("/api/v1/profile/access_token"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        app.get_with_token("/api/v1/profile", &new).await.status(),
        200
    );
}
