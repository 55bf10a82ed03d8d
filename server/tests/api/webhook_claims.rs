//! Several instances on one database: a queued webhook event is processed by exactly one of
//! them, an event held by an instance that stopped is taken over after its lease, and an event
//! that keeps failing is retried and then marked failed.
use clap::Parser;
use greenlight::cli::{Cli, Command};
use greenlight::db::now_secs;
use greenlight::services::Services;
use greenlight::simulator::webhooks::quality_update_legacy_value;
use greenlight::simulator::Scenario;
use greenlight::startup::Application;
use greenlight::webhooks::{payload, processor, store as queue};

use crate::health::create_inbox;
use crate::helpers::{spawn_app, TestApp};
use crate::webhooks::eventually;

/// A second, running instance on the first one's data directory and database (same sealing key),
/// talking to the same simulator.
async fn second_instance(app: &TestApp) -> Services {
    let dir = app._data_dir.path();
    let db_url = app.db_url.clone();
    let cli = Cli::parse_from([
        "greenlight",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().expect("utf-8 temp path"),
        "--database-url",
        &db_url,
        "--graph-api-base-url",
        &app.sim.base_url,
    ]);
    let Command::Serve(args) = cli.command else {
        unreachable!()
    };
    let second = Application::build(&args)
        .await
        .expect("second instance builds");
    let services = second.services.clone();
    tokio::spawn(second.run_until_stopped());
    services
}

/// Queues one quality change for the number of `scenario` and answers the event id.
async fn queue_quality_change(app: &TestApp, scenario: Scenario, time: i64) -> i64 {
    let n = app.number(scenario);
    let body = greenlight::simulator::webhooks::envelope(
        &n.waba_id,
        time,
        &[(
            "phone_number_quality_update".into(),
            quality_update_legacy_value(
                &payload::digits(&n.display_phone_number),
                "FLAGGED",
                "TIER_1K",
                None,
            ),
        )],
    );
    let change = payload::parse(&body).unwrap().remove(0);
    assert!(app
        .services
        .stores
        .queue
        .insert(&change, now_secs())
        .await
        .unwrap());
    sqlx::query_scalar("SELECT id FROM webhook_events WHERE dedup_key = $1")
        .bind(change.dedup_key())
        .fetch_one(&app.services.db)
        .await
        .unwrap()
}

async fn event(app: &TestApp, id: i64) -> queue::EventRow {
    app.services
        .stores
        .queue
        .all()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .expect("event stored")
}

fn number_reads(app: &TestApp, phone_number_id: &str) -> usize {
    app.sim
        .sim
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with(phone_number_id))
        .count()
}

async fn webhook_snapshots(app: &TestApp, inbox_id: i64) -> usize {
    app.services
        .stores
        .snapshots
        .since(inbox_id, 0, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.source.as_str() == "webhook")
        .count()
}

#[tokio::test]
async fn two_instances_on_one_database_process_a_queued_event_exactly_once() {
    let app = spawn_app().await;
    let other = second_instance(&app).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::QualityRed);
    let inbox = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    let reads_before = number_reads(&app, &n.id);

    let id = queue_quality_change(&app, Scenario::QualityRed, 1_700_000_001).await;
    // Both instances run a pass at the same moment, and both are woken as the receiver would.
    app.services.meta_webhooks.wake.notify_one();
    other.meta_webhooks.wake.notify_one();
    let (mine, theirs) = (app.services.webhook_processor(), other.webhook_processor());
    let (a, b) = tokio::join!(processor::run_once(&mine), processor::run_once(&theirs));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a + b <= 1, "one instance finished it: {a} + {b}");
    assert!(
        eventually(10, || async {
            event(&app, id).await.status == queue::status::PROCESSED
        })
        .await
    );
    let ev = event(&app, id).await;
    assert_eq!(ev.attempts, 1, "{ev:?}");
    assert_eq!(
        webhook_snapshots(&app, inbox).await,
        1,
        "one re-read stored"
    );
    assert_eq!(
        number_reads(&app, &n.id) - reads_before,
        1,
        "Meta was asked once"
    );
}

#[tokio::test]
async fn an_event_held_by_a_stopped_instance_is_taken_over_after_its_lease() {
    let app = spawn_app().await;
    let other = second_instance(&app).await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let inbox = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    let stale = queue_quality_change(&app, Scenario::QualityRed, 1_700_000_001).await;
    let held = queue_quality_change(&app, Scenario::QualityRed, 1_700_000_002).await;
    // `stale` was claimed by an instance that stopped (its lease ran out); `held` is being
    // processed right now by a live one.
    for (id, by, until) in [
        (stale, "stopped", now_secs() - 1),
        (held, "alive", now_secs() + queue::CLAIM_LEASE_SECS),
    ] {
        sqlx::query(
            "UPDATE webhook_events SET status = 'processing', claimed_by = $1, claimed_until = $2
             WHERE id = $3",
        )
        .bind(by)
        .bind(until)
        .bind(id)
        .execute(&app.services.db)
        .await
        .unwrap();
    }

    assert_eq!(
        processor::run_once(&other.webhook_processor())
            .await
            .unwrap(),
        1
    );
    assert_eq!(event(&app, stale).await.status, queue::status::PROCESSED);
    let held_row = event(&app, held).await;
    assert_eq!(held_row.status, queue::status::PROCESSING, "{held_row:?}");
    assert_eq!(held_row.attempts, 0);
    let claimed_by: Option<String> =
        sqlx::query_scalar("SELECT claimed_by FROM webhook_events WHERE id = $1")
            .bind(held)
            .fetch_one(&app.services.db)
            .await
            .unwrap();
    assert_eq!(claimed_by.as_deref(), Some("alive"));
    assert_eq!(webhook_snapshots(&app, inbox).await, 1);
}

#[tokio::test]
async fn an_event_that_keeps_failing_is_retried_then_marked_failed() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let n = app.number(Scenario::QualityRed);
    let inbox = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::QualityRed,
    )
    .await;
    // The stored token can no longer be opened (as after a lost key): every re-read fails before
    // Meta is asked, so processing fails on every try.
    sqlx::query("UPDATE inboxes SET access_token_sealed = 'not-a-sealed-token' WHERE id = $1")
        .bind(inbox)
        .execute(&app.services.db)
        .await
        .unwrap();
    let reads_before = number_reads(&app, &n.id);
    let id = queue_quality_change(&app, Scenario::QualityRed, 1_700_000_001).await;

    let mut passes = 0;
    while event(&app, id).await.status != queue::status::FAILED {
        passes += 1;
        assert!(
            passes <= queue::MAX_ATTEMPTS,
            "failed after at most MAX_ATTEMPTS passes"
        );
        processor::run_once(&app.services.webhook_processor())
            .await
            .unwrap();
        let ev = event(&app, id).await;
        if ev.status != queue::status::FAILED {
            assert_eq!(
                ev.status,
                queue::status::PENDING,
                "released for the next try: {ev:?}"
            );
        }
    }
    let ev = event(&app, id).await;
    assert_eq!(ev.attempts, queue::MAX_ATTEMPTS, "{ev:?}");
    assert!(ev.processed_at.is_some());
    assert_eq!(number_reads(&app, &n.id), reads_before);
    // A failed event is not claimed again.
    assert_eq!(
        processor::run_once(&app.services.webhook_processor())
            .await
            .unwrap(),
        0
    );
    assert_eq!(event(&app, id).await.attempts, queue::MAX_ATTEMPTS);
}

#[tokio::test]
async fn migration_0010_keeps_stored_events_and_their_links() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let data = tempfile::tempdir().unwrap();
    // Foreign keys on, as Greenlight opens its database: dropping the old table must not
    // cascade to the links.
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(data.path().join("g.db"))
                .create_if_missing(true)
                .foreign_keys(true),
        )
        .await
        .unwrap();
    for file in files.iter().filter(|p| name(p).as_str() < "0010_") {
        sqlx::raw_sql(&std::fs::read_to_string(file).unwrap())
            .execute(&db)
            .await
            .unwrap();
    }
    sqlx::raw_sql(
        "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 1);
         INSERT INTO inboxes (id, account_id, name, phone_number, phone_number_id, business_account_id,
             access_token_sealed, webhook_verify_token, created_at, updated_at)
         VALUES (7, 1, 'A', '+1', '11', '22', 's', 'v', 1, 1);
         INSERT INTO webhook_events (id, dedup_key, received_at, waba_id, field, value_json, status, attempts)
         VALUES (3, 'k3', 1, '22', 'account_update', '{}', 'processed', 1),
                (4, 'k4', 2, '22', 'security', '{}', 'pending', 0);
         INSERT INTO webhook_event_inboxes (event_id, inbox_id) VALUES (3, 7), (4, 7);",
    )
    .execute(&db)
    .await
    .unwrap();
    let migration = files.iter().find(|p| name(p).starts_with("0010_")).unwrap();
    sqlx::raw_sql(&std::fs::read_to_string(migration).unwrap())
        .execute(&db)
        .await
        .unwrap();

    let events: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, status, claimed_by FROM webhook_events ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        events,
        vec![(3, "processed".into(), None), (4, "pending".into(), None)]
    );
    let links: Vec<(i64, i64)> =
        sqlx::query_as("SELECT event_id, inbox_id FROM webhook_event_inboxes ORDER BY event_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(links, vec![(3, 7), (4, 7)]);
    // The links still cascade from the rebuilt table, and 'processing' is a valid status.
    sqlx::query("UPDATE webhook_events SET status = 'processing' WHERE id = 4")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM webhook_events WHERE id = 3")
        .execute(&db)
        .await
        .unwrap();
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_event_inboxes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(links, 1);
    let fk_problems: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(fk_problems.is_empty(), "{fk_problems:?}");
}
