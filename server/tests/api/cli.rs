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
