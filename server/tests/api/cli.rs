use std::process::Command;

fn greenlight() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_greenlight"));
    c.env_remove("DATABASE_URL")
        .env_remove("GREENLIGHT_DATA_DIR");
    c
}

#[test]
fn users_create_prints_one_json_line_and_reuses_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let run = |email: &str, role: &str| {
        greenlight()
            .args([
                "users",
                "create",
                "--email",
                email,
                "--name",
                "Ada",
                "--password",
                "correct horse battery",
            ])
            .args(["--account", "Acme", "--role", role, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = run("ada@example.com", "administrator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert!(v["user_id"].as_i64().unwrap() > 0);
    assert_eq!(v["access_token"].as_str().unwrap().len(), 64);
    let second: serde_json::Value =
        serde_json::from_slice(&run("bob@example.com", "agent").stdout).unwrap();
    assert_eq!(second["account_id"], v["account_id"]);

    let dup = run("ada@example.com", "agent");
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("--email"));
}

#[test]
fn bad_flags_and_unknown_roles_exit_2_with_one_clear_line() {
    let out = greenlight()
        .args(["serve", "--addr", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = greenlight()
        .args([
            "users",
            "create",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--password",
            "0123456789",
            "--account",
            "X",
            "--role",
            "owner",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("owner"));
    let out = greenlight()
        .args(["serve", "--registration-check-interval", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unopenable_database_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    // A path *under a regular file* cannot be created.
    let url = format!("sqlite://{}/sub/greenlight.db", file.display());
    let out = greenlight()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{}/sub/greenlight.db", file.display())),
        "{err}"
    );
}

#[test]
fn migrate_creates_the_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = greenlight()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("greenlight.db").exists());
}

/// `users create` without `--password`, the account and role fixed.
fn create_without_password(dir: &std::path::Path, email: &str) -> Command {
    let mut c = greenlight();
    c.env_remove("GREENLIGHT_USER_PASSWORD")
        .args(["users", "create", "--email", email, "--name", "Ada"])
        .args(["--account", "Acme", "--role", "administrator", "--data-dir"])
        .arg(dir);
    c
}

/// The stored password hash of a user, read straight from the database.
async fn password_hash(dir: &std::path::Path, email: &str) -> String {
    let db = greenlight::db::open(&format!("sqlite://{}/greenlight.db", dir.display()))
        .await
        .unwrap();
    greenlight::accounts::store::AccountStore::new(db)
        .user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .password_hash
}

#[tokio::test]
async fn users_create_reads_the_password_from_stdin_or_the_environment() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = create_without_password(dir.path(), "stdin@example.com")
        .arg("--password-stdin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped password 1234\nignored second line\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = password_hash(dir.path(), "stdin@example.com").await;
    assert!(greenlight::auth::password::verify("piped password 1234".into(), hash.clone()).await);
    assert!(!greenlight::auth::password::verify("ignored second line".into(), hash).await);

    let out = create_without_password(dir.path(), "env@example.com")
        .env("GREENLIGHT_USER_PASSWORD", "environment password 99")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = password_hash(dir.path(), "env@example.com").await;
    assert!(greenlight::auth::password::verify("environment password 99".into(), hash).await);
}

#[test]
fn users_create_without_any_password_source_says_where_to_put_one() {
    let dir = tempfile::tempdir().unwrap();
    // Not a terminal: no prompt, one clear line instead.
    let out = create_without_password(dir.path(), "none@example.com")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--password-stdin"), "{err}");
    assert!(
        !dir.path().join("greenlight.db").exists(),
        "nothing was written"
    );
}

#[tokio::test]
async fn tokens_rotate_and_revoke_from_the_command_line() {
    use greenlight::auth::api_token::digest;
    let dir = tempfile::tempdir().unwrap();
    let out = create_without_password(dir.path(), "ada@example.com")
        .env("GREENLIGHT_USER_PASSWORD", "correct horse battery")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = created["access_token"].as_str().unwrap().to_string();
    let user_id = created["user_id"].as_i64().unwrap();

    let token_cmd = |action: &str, email: &str| {
        greenlight()
            .args(["users", action, "--email", email, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = token_cmd("rotate-token", "ADA@example.com");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let rotated: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let second = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(second.len(), 64);
    assert_ne!(second, first);

    let db = greenlight::db::open(&format!("sqlite://{}/greenlight.db", dir.path().display()))
        .await
        .unwrap();
    assert_eq!(
        greenlight::accounts::store::AccountStore::new(db.clone())
            .id_by_token_hash(&digest(&first))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        greenlight::accounts::store::AccountStore::new(db.clone())
            .id_by_token_hash(&digest(&second))
            .await
            .unwrap(),
        Some(user_id)
    );

    let out = token_cmd("revoke-token", "ada@example.com");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&second));
    assert_eq!(
        greenlight::accounts::store::AccountStore::new(db.clone())
            .id_by_token_hash(&digest(&second))
            .await
            .unwrap(),
        None
    );

    let out = token_cmd("rotate-token", "nobody@example.com");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody@example.com"));
}

#[test]
fn keys_rotate_leaves_a_configured_key_to_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    let out = greenlight()
        .env("GREENLIGHT_SECRET_KEY", "ab".repeat(32))
        .args(["keys", "rotate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("GREENLIGHT_SECRET_KEY"), "{err}");
    assert!(!err.contains(&"ab".repeat(32)), "{err}");
    assert!(!dir.path().join("secret.key").exists());
}

#[tokio::test]
async fn team_commands_list_set_roles_disable_and_print_a_reset_link() {
    let dir = tempfile::tempdir().unwrap();
    for (email, role) in [
        ("ada@example.com", "administrator"),
        ("bob@example.com", "agent"),
    ] {
        let out = greenlight()
            .env("GREENLIGHT_USER_PASSWORD", "correct horse battery")
            .args(["users", "create", "--email", email, "--name", "Someone"])
            .args(["--account", "Acme", "--role", role, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let users = |args: &[&str]| {
        greenlight()
            .arg("users")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let listed = |out: std::process::Output| -> Vec<serde_json::Value> {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let list = listed(users(&["list"]));
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["email"], "ada@example.com");
    assert_eq!(list[0]["accounts"][0]["role"], "administrator");
    assert_eq!(list[1]["accounts"][0]["role"], "agent");
    assert_eq!(list[1]["status"], "active");

    // Ada is the last administrator: she can be neither demoted nor disabled.
    for args in [
        &["set-role", "--email", "ada@example.com", "--role", "agent"][..],
        &["disable", "--email", "ada@example.com"][..],
    ] {
        let out = users(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("administrator"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let out = users(&[
        "set-role",
        "--email",
        "bob@example.com",
        "--role",
        "administrator",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = users(&["disable", "--email", "ADA@example.com"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = listed(users(&["list"]));
    assert_eq!(list[0]["status"], "disabled");
    assert_eq!(list[1]["accounts"][0]["role"], "administrator");
    let out = users(&["disable", "--email", "nobody@example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody@example.com"));

    // A reset link, never a password on the command line; it works once.
    let out = users(&[
        "reset-password",
        "--email",
        "bob@example.com",
        "--public-url",
        "https://greenlight.example.com",
    ]);
    let printed = listed(out);
    let url = printed[0]["reset_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://greenlight.example.com/join?token="),
        "{url}"
    );
    let token = url.split_once("?token=").unwrap().1;
    let db = greenlight::db::open(&format!("sqlite://{}/greenlight.db", dir.path().display()))
        .await
        .unwrap();
    let stores = greenlight::services::stores::Stores::new(&db);
    let accounts = greenlight::accounts::service::AccountService::new(
        stores.account_service(),
        greenlight::auth::login_limiter::LoginLimiter::default(),
    );
    let bob = accounts
        .accept_link(token, "", "a new long password", app::i18n::Locale::en)
        .await
        .unwrap();
    assert_eq!(bob.email, "bob@example.com");
    assert!(accounts
        .sign_in(
            "bob@example.com",
            "a new long password",
            "test",
            app::i18n::Locale::en
        )
        .await
        .is_ok());
    assert!(accounts
        .accept_link(token, "", "yet another password", app::i18n::Locale::en)
        .await
        .is_err());
}
