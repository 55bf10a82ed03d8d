//! Upgrades: a database made by the oldest migration set, with rows in every table, opens with the
//! current migrator and its rows stay readable through the services.
//!
//! The fixture `tests/fixtures/db/oldest.sql` is a `sqlite3 .dump` of migrations 0001-0003 (with
//! their `_sqlx_migrations` rows, checksums included) plus one or two rows per table; its header
//! says how it was made.
use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::simulator::{Scenario, Simulator};
use greenlight::startup::Application;
use serde_json::Value;
use sqlx::{Connection, SqliteConnection};

use crate::helpers::{new_client, TestApp, TestDatabase, PASSWORD};

const FIXTURE: &str = include_str!("../fixtures/db/oldest.sql");
/// The key the fixture's sealed access token and PIN were sealed with.
const FIXTURE_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
/// The plain API token whose digest the fixture stores for ada@example.com.
const FIXTURE_API_TOKEN: &str = "fixture-api-token-ada-0123456789abcdef";

/// Starts Greenlight on a data directory whose database is the fixture.
async fn spawn_on_fixture() -> (TestApp, usize) {
    let simulator = Simulator::with_presets();
    simulator.set_provisioning_delay(std::time::Duration::ZERO);
    let sim = simulator
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let db_path = data_dir.path().join("greenlight.db");
    let db_url = format!("sqlite://{}", db_path.display());
    let mut conn = SqliteConnection::connect(&format!("{db_url}?mode=rwc"))
        .await
        .unwrap();
    sqlx::raw_sql(FIXTURE).execute(&mut conn).await.unwrap();
    let applied_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let cli = Cli::parse_from([
        "greenlight",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.path().to_str().unwrap(),
        "--database-url",
        &db_url,
        "--graph-api-base-url",
        &sim.base_url,
        "--secret-key",
        FIXTURE_KEY,
    ]);
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let app = Application::build(&args)
        .await
        .expect("the oldest database upgrades");
    let address = format!("http://{}", app.addr);
    let services = app.services.clone();
    let sessions = app.sessions.clone();
    tokio::spawn(app.run_until_stopped());
    (
        TestApp {
            address,
            client: new_client(),
            services,
            sessions,
            db_url: db_url.clone(),
            _database: TestDatabase::sqlite(data_dir.path()),
            _data_dir: data_dir,
            sim,
            metrics_address: None,
        },
        applied_before as usize,
    )
}

#[tokio::test]
async fn a_database_of_the_oldest_migrations_with_rows_everywhere_upgrades_and_stays_readable() {
    let (app, applied_before) = spawn_on_fixture().await;
    let db = &app.services.db;

    // Every migration in the repository is now applied, and the fixture had only the oldest.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(applied_before, 3, "the fixture is migrations 0001-0003");
    assert_eq!(applied as usize, files);

    // Users: password sign-in and the API token still work.
    let ada = app
        .services
        .accounts
        .sign_in("ada@example.com", PASSWORD, "test", app::i18n::Locale::en)
        .await
        .expect("the stored password hash still verifies");
    let by_token = app
        .services
        .accounts
        .user_by_api_token(FIXTURE_API_TOKEN)
        .await
        .unwrap()
        .expect("the stored API token digest still matches");
    assert_eq!(by_token.id, ada.id);

    // Accounts, roles and inbox members, through the REST API.
    let r = app
        .get_with_token("/api/v1/profile", FIXTURE_API_TOKEN)
        .await;
    assert_eq!(r.status(), 200);
    let profile: Value = r.json().await.unwrap();
    assert_eq!(profile["accounts"][0]["name"], "Acme");
    assert_eq!(profile["accounts"][0]["role"], "administrator");
    let account = profile["accounts"][0]["id"].as_i64().unwrap();
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account}/inboxes"),
            FIXTURE_API_TOKEN,
        )
        .await;
    let inboxes: Value = r.json().await.unwrap();
    let inbox = &inboxes["payload"][0];
    assert_eq!(inbox["name"], "Front desk", "{inboxes}");
    let inbox_id = inbox["id"].as_i64().unwrap();
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account}/inboxes/{inbox_id}/members"),
            FIXTURE_API_TOKEN,
        )
        .await;
    let members: Value = r.json().await.unwrap();
    let bob = app
        .services
        .accounts
        .sign_in("bob@example.com", PASSWORD, "test", app::i18n::Locale::en)
        .await
        .unwrap();
    assert_eq!(
        members["payload"],
        serde_json::json!([{"id": bob.id}]),
        "the agent is still the inbox's member"
    );

    // The stored snapshot is still there (the background refresh may have added a newer one).
    let snapshots = greenlight::services::stores::Stores::new(db)
        .snapshots
        .since(inbox_id, 0, 10)
        .await
        .unwrap();
    assert_eq!(snapshots[0].id, 1, "{snapshots:?}");
    assert_eq!(snapshots[0].checked_at, 1767225700);
    assert!(snapshots[0].health.is_some());

    // The register ledger moved to the per-number table with its row; leases were dropped by design.
    let attempts: Vec<(Option<i64>, String, Option<String>)> = sqlx::query_as(
        "SELECT inbox_id, phone_number_id, outcome FROM registration_attempts ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let healthy = app.number(Scenario::Healthy);
    assert_eq!(
        attempts,
        vec![(Some(inbox_id), healthy.id.clone(), Some("success".into()))]
    );
    let leases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registration_leases")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(leases, 0);

    // The sealed access token still opens: a forced read reaches Meta with it.
    let r = app
        .get_with_token(
            &format!("/api/v1/accounts/{account}/inboxes/{inbox_id}/health?refresh=true"),
            FIXTURE_API_TOKEN,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let reads = app.sim.sim.calls_to("GET", &format!("/{}", healthy.id));
    assert!(!reads.is_empty(), "Meta was read with the stored token");
    assert!(reads.iter().all(|c| c.had_bearer));

    // The inbox's PIN moved to its number (0009) and still opens.
    let pin = greenlight::services::stores::Stores::new(db)
        .pins
        .stored(&healthy.id)
        .await
        .unwrap()
        .expect("the PIN follows the number");
    let pin = app
        .services
        .secrets
        .open_bound(&pin, greenlight::crypto::NUMBER_PIN.at(healthy.id.as_str()))
        .unwrap();
    assert!(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()));
    // The old inbox's own verify token still passes Meta's handshake, found by its digest (0011).
    let r = app
        .client
        .get(app.url(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=fixture-verify-token-3c1d&hub.challenge=4242",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "4242");
}

#[tokio::test]
async fn keys_rotate_turns_legacy_values_into_bound_ones_and_runs_again() {
    use greenlight::crypto::{self, SecretBox};
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();
    let db_url = format!("sqlite://{}", dir.join("greenlight.db").display());
    let mut conn = SqliteConnection::connect(&format!("{db_url}?mode=rwc"))
        .await
        .unwrap();
    sqlx::raw_sql(FIXTURE).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let db = greenlight::db::open(&db_url).await.unwrap();
    // The fixture predates alert webhooks: one stored as the versions of its time did.
    sqlx::query(
        "INSERT INTO outgoing_webhooks (account_id, url, url_sealed, secret_sealed, format, created_at)
         VALUES ((SELECT MIN(id) FROM accounts), 'https://hooks.example.com/…', $1, $2, 'json', 0)",
    )
    .bind(crate::secrets::legacy_seal(
        FIXTURE_KEY,
        "https://hooks.example.com/T0/SECRETPATH",
    ))
    .bind(crate::secrets::legacy_seal(FIXTURE_KEY, "hook-secret-0123456789"))
    .execute(&db)
    .await
    .unwrap();
    let fixture_key: [u8; 32] = hex::decode(FIXTURE_KEY).unwrap().try_into().unwrap();
    crypto::write_key_file(&dir.join(crypto::KEY_FILE), &fixture_key).unwrap();
    let fixture_box = SecretBox::from_key(fixture_key);

    let before = crate::secrets::sealed_values(&db).await;
    for column in greenlight::key_rotation::SEALED_COLUMNS {
        assert!(
            before.iter().any(|v| v.column == *column),
            "{column:?} holds a value: {before:?}"
        );
    }
    assert!(
        before.iter().all(|v| !v.sealed.starts_with("gl1.")),
        "{before:?}"
    );
    let plain: Vec<String> = before
        .iter()
        .map(|v| fixture_box.open_bound(&v.sealed, v.binding()).unwrap())
        .collect();

    let mut old_key_id = fixture_box.key_id().to_string();
    for round in 1..=2 {
        let rotated = greenlight::key_rotation::rotate(&db, dir).await.unwrap();
        assert_eq!(rotated.resealed, before.len(), "round {round}");
        assert_eq!(rotated.old_key_id, old_key_id, "round {round}");
        // Only the new key, without the previous one: every value is bound and opens with it.
        let key = crypto::read_key_file(&dir.join(crypto::KEY_FILE))
            .unwrap()
            .unwrap();
        let only_new = SecretBox::from_key(key);
        assert_eq!(only_new.key_id(), rotated.new_key_id);
        let after = crate::secrets::sealed_values(&db).await;
        assert_eq!(after.len(), before.len());
        for ((old, new), plain) in before.iter().zip(&after).zip(&plain) {
            assert_eq!((new.column, &new.key), (old.column, &old.key));
            assert!(
                new.sealed
                    .starts_with(&format!("gl1.{}.", rotated.new_key_id)),
                "round {round}: {new:?}"
            );
            assert_eq!(
                &only_new.open_bound(&new.sealed, new.binding()).unwrap(),
                plain,
                "round {round}: {new:?}"
            );
            assert!(fixture_box.open_bound(&new.sealed, new.binding()).is_err());
        }
        old_key_id = rotated.new_key_id;
    }
}

/// Prints the secret-bearing values of the fixture (run by hand when regenerating it).
#[tokio::test]
#[ignore]
async fn print_fixture_values() {
    // The fixture is a SQLite dump.
    let app = crate::helpers::spawn_sqlite_app_with(&["--secret-key", FIXTURE_KEY]).await;
    let u = app.user("ada@example.com", "Acme", "administrator").await;
    let id =
        crate::health::create_inbox(&app, &u.access_token, u.account_id, Scenario::Healthy).await;
    let n = app.number(Scenario::Healthy);
    // The fixture is of versions before the bound format: its values are legacy ones.
    println!(
        "TOKEN_SEALED={}",
        crate::secrets::legacy_seal(FIXTURE_KEY, &n.token)
    );
    println!(
        "PIN_SEALED={}",
        crate::secrets::legacy_seal(FIXTURE_KEY, "424242")
    );
    println!(
        "API_DIGEST={}",
        greenlight::auth::api_token::digest(FIXTURE_API_TOKEN)
    );
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users LIMIT 1")
        .fetch_one(&app.services.db)
        .await
        .unwrap();
    println!("PASSWORD_HASH={hash}");
    let row = app
        .services
        .stores
        .snapshots
        .latest(id)
        .await
        .unwrap()
        .unwrap();
    // The stored JSON reads back to what it serialized from (a stored snapshot round-trips).
    println!(
        "HEALTH_JSON={}",
        serde_json::to_string(&row.health.unwrap()).unwrap()
    );
    println!("REG_STATE={}", row.registration_state);
    println!("SOURCE={}", row.source);
    println!("NUMBER={} {} {}", n.id, n.waba_id, n.business_id);
}
