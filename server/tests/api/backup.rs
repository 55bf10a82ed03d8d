//! Backups and upgrades: `backup` while the server runs, `restore` into a fresh data directory
//! (the sealed token reads back with the same key), the refusals of `restore`, and a database
//! newer than the binary refusing to start.
use std::process::Command as Process;

use clap::Parser;
use greenlight::backup::{self, BackupError};
use greenlight::cli::{Cli, Command};
use greenlight::crypto::SecretBox;
use greenlight::simulator::Scenario;

use crate::health::create_inbox;
use crate::helpers::{
    note_sqlite_only, spawn_app_on, spawn_app_with, spawn_sqlite_app_with, TestDatabase,
};

const KEY: &str = "5f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff1";

fn backup_args(args: &[&str]) -> backup::BackupArgs {
    let cli = Cli::parse_from(["greenlight", "backup"].iter().chain(args));
    let Command::Backup(a) = cli.command else {
        unreachable!()
    };
    a
}

fn restore_args(args: &[&str]) -> backup::RestoreArgs {
    let cli = Cli::parse_from(["greenlight", "restore"].iter().chain(args));
    let Command::Restore(a) = cli.command else {
        unreachable!()
    };
    a
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_fresh_data_dir_and_the_token_reads_back() {
    note_sqlite_only("backup and restore are SQLite's (PostgreSQL has pg_dump)");
    let app = spawn_sqlite_app_with(&["--secret-key", KEY]).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::Healthy);
    let id = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;

    // The server is running: the copy is taken beside it.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("gl.db");
    let data_dir = app._data_dir.path().to_str().unwrap().to_owned();
    let made = backup::backup(&backup_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        &data_dir,
        "--secret-key",
        KEY,
    ]))
    .await
    .expect("a backup while the server runs");
    let key_id = SecretBox::load(Some(KEY), out.path())
        .unwrap()
        .key_id()
        .to_owned();
    assert_eq!(made.key_id.as_deref(), Some(key_id.as_str()));
    assert!(made.bytes > 0 && made.migration > 0);
    let note = std::fs::read_to_string(&made.note).unwrap();
    assert!(note.contains(&format!("key with id {key_id}")), "{note}");
    assert!(note.contains("GREENLIGHT_SECRET_KEY"), "{note}");
    assert!(!note.contains(KEY), "the note never holds the key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the copy holds sealed secrets: private");
    }
    // A second backup to the same file is refused, not overwritten.
    let again = backup::backup(&backup_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        &data_dir,
    ]))
    .await
    .unwrap_err();
    assert!(matches!(again, BackupError::Exists(_)), "{again}");

    // Restore into a fresh data directory and start a server there with the same key.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_dir = fresh.path().to_str().unwrap().to_owned();
    let restored = backup::restore(&restore_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        &fresh_dir,
    ]))
    .await
    .expect("restore into an empty data dir");
    assert_eq!(restored.restored, fresh.path().join("greenlight.db"));
    // Now it holds data: a second restore needs --force.
    let e = backup::restore(&restore_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        &fresh_dir,
    ]))
    .await
    .unwrap_err();
    assert!(matches!(e, BackupError::NotEmpty(_)), "{e}");
    assert!(e.to_string().contains("--force"));
    backup::restore(&restore_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        &fresh_dir,
        "--force",
    ]))
    .await
    .expect("--force replaces a database no server holds");

    let database = TestDatabase::sqlite(fresh.path());
    let restored_app = spawn_app_on(fresh, database, &["--secret-key", KEY]).await;
    let row = restored_app
        .services
        .stores
        .inboxes
        .get_unscoped(id)
        .await
        .unwrap()
        .expect("the inbox is in the restored database");
    let token = restored_app
        .services
        .inboxes
        .access_token(&row)
        .expect("the sealed token opens with the same key");
    assert_eq!(token.expose_secret(), n.token);
    // And through the REST API: the admin's token works and a forced read reaches Meta.
    let r = restored_app
        .get_with_token(
            &format!(
                "/api/v1/accounts/{}/inboxes/{id}/health?refresh=true",
                admin.account_id
            ),
            &admin.access_token,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(
        !restored_app.sim.sim.calls_to("GET", &n.id).is_empty(),
        "the restored token was sent to Meta"
    );

    // While that server holds the database, even --force is refused.
    let e = backup::restore(&restore_args(&[
        file.to_str().unwrap(),
        "--data-dir",
        restored_app._data_dir.path().to_str().unwrap(),
        "--force",
    ]))
    .await
    .unwrap_err();
    assert!(matches!(e, BackupError::InUse(_)), "{e}");
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_greenlight_backup() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes to read").unwrap();
    let target = tempfile::tempdir().unwrap();
    let e = backup::restore(&restore_args(&[
        junk.to_str().unwrap(),
        "--data-dir",
        target.path().to_str().unwrap(),
    ]))
    .await
    .unwrap_err();
    assert!(matches!(e, BackupError::NotABackup { .. }), "{e}");
    assert!(
        !target.path().join("greenlight.db").exists(),
        "nothing written"
    );
}

#[tokio::test]
async fn on_postgres_backup_says_pg_dump_and_fails() {
    let out = Process::new(env!("CARGO_BIN_EXE_greenlight"))
        .env_remove("GREENLIGHT_DATA_DIR")
        .args([
            "backup",
            "/tmp/never-written.db",
            "--database-url",
            "postgres://gl@127.0.0.1:1/greenlight",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pg_dump"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[tokio::test]
async fn a_binary_older_than_the_database_refuses_to_start() {
    let app = spawn_app_with(&[]).await;
    let future = match greenlight::db::Backend::of(&app.services.db) {
        greenlight::db::Backend::Sqlite => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99991231000000, 'from a newer Greenlight', 1, X'00', 0)"
        }
        greenlight::db::Backend::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99991231000000, 'from a newer Greenlight', TRUE, '\\x00'::bytea, 0)"
        }
    };
    sqlx::query(future).execute(&app.services.db).await.unwrap();

    let e = greenlight::db::open(&app.db_url).await.unwrap_err();
    let message = e.to_string();
    assert!(message.contains("newer Greenlight"), "{message}");
    assert!(message.contains("99991231000000"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");

    // The binary: exit 2 and that one line, nothing applied.
    let out = Process::new(env!("CARGO_BIN_EXE_greenlight"))
        .env_remove("GREENLIGHT_DATA_DIR")
        .args(["migrate", "--database-url", &app.db_url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer Greenlight"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("greenlight:")).count(),
        1,
        "{err}"
    );
}
