//! Secrets at rest: file permissions of the data directory, the database and the key file.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::crypto::{Binding, KeyType, RowKey, SealedColumn};
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
        .accounts
        .create_user(greenlight::accounts::service::NewUser {
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

/// The primary key of a row holding a sealed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    fn row_key(&self) -> RowKey<'_> {
        match self {
            Key::Int(id) => RowKey::Int(*id),
            Key::Text(key) => RowKey::Text(key),
        }
    }
}

/// One stored sealed value: where it is (column and primary key) and the value.
#[derive(Debug, Clone)]
pub struct Stored {
    pub column: SealedColumn,
    pub key: Key,
    pub sealed: String,
}

impl Stored {
    /// Where the value is bound to.
    pub fn binding(&self) -> Binding<'_> {
        self.column.at(self.key.row_key())
    }

    fn what(&self) -> String {
        format!(
            "{}.{} at {} {:?}",
            self.column.table, self.column.column, self.column.key, self.key
        )
    }
}

/// Every sealed value in the database, by column and primary key (no `rowid`: PostgreSQL has none).
pub async fn sealed_values(db: &greenlight::db::Db) -> Vec<Stored> {
    let mut all = Vec::new();
    for column in greenlight::key_rotation::SEALED_COLUMNS {
        let SealedColumn {
            table,
            column: name,
            key,
            ..
        } = column;
        let sql =
            format!("SELECT {key}, {name} FROM {table} WHERE {name} IS NOT NULL ORDER BY {key}");
        let rows: Vec<(Key, String)> = match column.key_type {
            KeyType::Integer => sqlx::query_as::<_, (i64, String)>(&sql)
                .fetch_all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|(id, v)| (Key::Int(id), v))
                .collect(),
            KeyType::Text => sqlx::query_as::<_, (String, String)>(&sql)
                .fetch_all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|(k, v)| (Key::Text(k), v))
                .collect(),
        };
        all.extend(rows.into_iter().map(|(key, sealed)| Stored {
            column: *column,
            key,
            sealed,
        }));
    }
    all
}

/// `plain` sealed as versions before the bound format stored secrets: base64 of a 24-byte nonce
/// followed by the XChaCha20-Poly1305 ciphertext, no associated data, under the hex key `key`.
/// Written out here (the server only opens this format) so tests can hold databases from then.
pub fn legacy_seal(key: &str, plain: &str) -> String {
    use base64::Engine;
    use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
    use chacha20poly1305::XChaCha20Poly1305;
    let key: [u8; 32] = hex::decode(key.trim()).unwrap().try_into().unwrap();
    let cipher = XChaCha20Poly1305::new(&key.into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(cipher.encrypt(&nonce, plain.as_bytes()).unwrap());
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// The hex key of a test app's key file.
pub fn key_of(app: &crate::helpers::TestApp) -> String {
    std::fs::read_to_string(app._data_dir.path().join("secret.key")).unwrap()
}

#[tokio::test]
async fn keys_rotate_reseals_every_secret_and_keeps_the_old_key_readable() {
    use greenlight::crypto::SecretBox;
    // The command below finds the database through the data directory: the SQLite file there.
    crate::helpers::note_sqlite_only(
        "`keys rotate --data-dir` opens the data directory's SQLite file",
    );
    let app = crate::helpers::spawn_sqlite_app_with(&["--alert-allow-private-networks"]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(greenlight::simulator::Scenario::Healthy);
    let inbox = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{}/inboxes", admin.account_id)))
        .header("api_access_token", &admin.access_token)
        .json(&serde_json::json!({
            "name": "Support",
            "channel": {"type": "whatsapp", "provider": "whatsapp_cloud",
                "phone_number": n.display_phone_number,
                "provider_config": {"api_key": n.token, "phone_number_id": n.id,
                    "business_account_id": n.waba_id}},
        }))
        .send()
        .await
        .unwrap();
    assert!(
        inbox.status().is_success(),
        "{}",
        inbox.text().await.unwrap()
    );
    let hook = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{}/alert_webhooks", admin.account_id)))
        .header("api_access_token", &admin.access_token)
        .json(&serde_json::json!({"url": "http://127.0.0.1:9/hook", "secret": "hook-secret-123456789"}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 201, "{}", hook.text().await.unwrap());

    let dir = app._data_dir.path();
    let old_key = std::fs::read_to_string(dir.join("secret.key")).unwrap();
    let old_box = SecretBox::load(None, dir).unwrap();
    let before = sealed_values(&app.services.db).await;
    assert!(
        before.len() >= 3,
        "token, hook secret and URL are sealed: {before:?}"
    );
    let plain: Vec<String> = before
        .iter()
        .map(|v| old_box.open_bound(&v.sealed, v.binding()).unwrap())
        .collect();
    assert!(plain.contains(&n.token));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .env_remove("GREENLIGHT_SECRET_KEY")
        .env_remove("DATABASE_URL")
        .args(["keys", "rotate", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["resealed"].as_u64().unwrap() as usize, before.len());
    assert_eq!(report["old_key_id"].as_str().unwrap(), old_box.key_id());

    // The key files moved: the new one is current, the old one kept, both private.
    assert_eq!(
        std::fs::read_to_string(dir.join("secret.key.previous")).unwrap(),
        old_key
    );
    assert_ne!(
        std::fs::read_to_string(dir.join("secret.key")).unwrap(),
        old_key
    );
    assert!(!dir.join("secret.key.new").exists());
    for file in ["secret.key", "secret.key.previous"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }

    let after = sealed_values(&app.services.db).await;
    let new_box = SecretBox::load(None, dir).unwrap();
    assert_eq!(new_box.key_id(), report["new_key_id"].as_str().unwrap());
    // The new key alone (no previous file) opens everything: nothing was left under the old one.
    let fresh = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("secret.key"), fresh.path().join("secret.key")).unwrap();
    let only_new = SecretBox::load(None, fresh.path()).unwrap();
    assert_eq!(after.len(), before.len());
    for ((old, new), plain) in before.iter().zip(&after).zip(&plain) {
        let what = old.what();
        assert_eq!(new.what(), what, "the same rows, in the same order");
        assert_ne!(old.sealed, new.sealed, "{what} was re-sealed");
        assert!(
            new.sealed
                .starts_with(&format!("gl1.{}.", new_box.key_id())),
            "{what}: bound, under the new key"
        );
        assert!(
            old_box.open_bound(&new.sealed, new.binding()).is_err(),
            "{what}: not under the old key"
        );
        assert_eq!(
            &only_new.open_bound(&new.sealed, new.binding()).unwrap(),
            plain,
            "{what}"
        );
        assert_eq!(
            &new_box.open_bound(&new.sealed, new.binding()).unwrap(),
            plain
        );
    }
}

#[tokio::test]
async fn an_access_token_copied_into_another_inbox_does_not_open_and_the_api_says_so() {
    use greenlight::simulator::Scenario;
    let app = crate::helpers::spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let db = &app.services.db;
    let (token, account) = (&admin.access_token, admin.account_id);
    let own = crate::health::create_inbox(&app, token, account, Scenario::Healthy).await;
    let other = crate::health::create_inbox(&app, token, account, Scenario::QualityRed).await;
    // Both tokens are stored bound to their own rows.
    let tokens: Vec<Stored> = sealed_values(db)
        .await
        .into_iter()
        .filter(|v| v.column == greenlight::crypto::INBOX_ACCESS_TOKEN)
        .collect();
    assert_eq!(
        tokens.iter().map(|v| v.key.clone()).collect::<Vec<_>>(),
        vec![Key::Int(own), Key::Int(other)]
    );
    for v in &tokens {
        assert!(v.sealed.starts_with("gl1."), "{}", v.what());
        app.services
            .secrets
            .open_bound(&v.sealed, v.binding())
            .unwrap();
    }

    sqlx::query(
        "UPDATE inboxes SET access_token_sealed =
           (SELECT access_token_sealed FROM inboxes WHERE id = $1) WHERE id = $2",
    )
    .bind(own)
    .bind(other)
    .execute(db)
    .await
    .unwrap();
    let row = greenlight::services::stores::Stores::new(db)
        .inboxes
        .get_unscoped(other)
        .await
        .unwrap()
        .unwrap();
    match app.services.inboxes.access_token(&row) {
        Err(greenlight::error::ServiceError::App(app::error::AppError::TokenUnusable)) => {}
        unexpected => panic!("the copy must not open, and say so: {unexpected:?}"),
    }

    // Through the API: a forced read answers 409 in words, not 500.
    let inbox = format!("/api/v1/accounts/{account}/inboxes/{other}");
    let r = app
        .get_with_token(&format!("{inbox}/health?refresh=true"), token)
        .await;
    assert_eq!(r.status(), 409);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        app::error::AppError::TokenUnusable.to_string(),
        "{body}"
    );
    // Retrying setup saves the same words as the inbox's setup error.
    let r = app
        .client
        .post(app.url(&format!("{inbox}/setup")))
        .header("api_access_token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["setup_error"],
        app::error::AppError::TokenUnusable.to_string(),
        "{body}"
    );
    // The inbox the token belongs to is unaffected.
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account}/inboxes/{own}/health?refresh=true"),
            token,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Entering the token again is the cure: it is sealed for this inbox and setup passes.
    let n = app.number(Scenario::QualityRed);
    let r = app
        .client
        .patch(app.url(&inbox))
        .header("api_access_token", token)
        .json(&serde_json::json!({"channel": {"provider_config": {"api_key": n.token}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["setup_error"].is_null(), "{body}");
    let row = greenlight::services::stores::Stores::new(db)
        .inboxes
        .get_unscoped(other)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.services
            .inboxes
            .access_token(&row)
            .unwrap()
            .expose_secret(),
        n.token
    );
}

#[tokio::test]
async fn the_settings_page_rotates_the_users_api_token_and_shows_it_once() {
    let app = crate::helpers::spawn_app().await;
    let ada = app.user("ada@example.com", "Acme", "agent").await;
    let browser = crate::helpers::new_client();
    app.login(&browser, "ada@example.com", crate::helpers::PASSWORD)
        .await;
    let page = browser
        .get(app.url(&format!("/accounts/{}/settings", ada.account_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"rotate-token-form\""), "{page}");
    assert!(
        !page.contains(&ada.access_token),
        "the current token is never shown"
    );

    let r = browser
        .post(app.url("/sfn/rotate_api_token"))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let fresh: String = r.json().await.unwrap();
    assert_ne!(fresh, ada.access_token);
    assert_eq!(
        app.get_with_token("/api/v1/profile", &ada.access_token)
            .await
            .status(),
        401,
        "the old token stops working at once"
    );
    assert_eq!(
        app.get_with_token("/api/v1/profile", &fresh).await.status(),
        200
    );
    // From another site, nothing rotates.
    let r = browser
        .post(app.url("/sfn/rotate_api_token"))
        .header("accept", "application/json")
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.get_with_token("/api/v1/profile", &fresh).await.status(),
        200
    );
}
