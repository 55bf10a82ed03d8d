//! Pruning: old health snapshots thinned then deleted, expired sessions deleted, finished webhook
//! events and alert deliveries deleted after 90 days; nothing recent is touched.
use greenlight::db::now_secs;
use greenlight::graph::GraphErrorKind;
use greenlight::health::store::NewSnapshot;
use greenlight::jobs::prune::{self, Retention};
use greenlight::registration::decision::RegistrationState;
use greenlight::simulator::Scenario;
use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

use crate::health::create_inbox;
use crate::helpers::spawn_app;

const DAY: i64 = 24 * 3600;

#[tokio::test]
async fn old_snapshots_are_thinned_to_one_a_day_then_deleted_and_expired_sessions_go() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let inbox = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let db = &app.services.db;
    let now = now_secs();
    // Midday of a UTC day, so the three reads of a day stay in that day.
    let day = |ago: i64| (now / DAY - ago) * DAY + DAY / 2;
    let mut ids = Vec::new();
    for (at, good) in [
        (day(500), true), // beyond the retention
        (day(45), true),  // beyond 30 days: three reads, the last of the day stays
        (day(45) + 60, false),
        (day(45) + 120, true),
        (day(10), true), // within 30 days: all stay
        (day(10) + 60, true),
    ] {
        let health = greenlight::graph::PhoneNumberHealth::default();
        let json = good.then_some(&health);
        ids.push(
            greenlight::services::stores::Stores::new(db)
                .snapshots
                .insert(NewSnapshot {
                    inbox_id: inbox,
                    checked_at: at,
                    source: greenlight::health::service::source::BACKGROUND,
                    health: json,
                    error_kind: (!good).then_some(GraphErrorKind::Transient),
                    error_message: None,
                    error_subcode: None,
                    registration_state: RegistrationState::Registered,
                })
                .await
                .unwrap(),
        );
    }
    let before: Vec<i64> = greenlight::services::stores::Stores::new(db)
        .snapshots
        .since(inbox, 0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();

    // Sessions: one expired a minute ago, one valid for a week.
    let store = app.sessions.clone();
    for (id, expiry) in [
        (1, OffsetDateTime::now_utc() - TimeDuration::minutes(1)),
        (2, OffsetDateTime::now_utc() + TimeDuration::days(7)),
    ] {
        let mut record = Record {
            id: Id(id),
            data: Default::default(),
            expiry_date: expiry,
        };
        store.create(&mut record).await.unwrap();
    }
    let sessions_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(db)
        .await
        .unwrap();

    let pruned = prune::run_once(
        &app.services.stores,
        &app.sessions,
        Retention::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(pruned.expired_snapshots, 1, "{pruned:?}");
    assert_eq!(pruned.thinned_snapshots, 2, "{pruned:?}");

    let after: Vec<i64> = greenlight::services::stores::Stores::new(db)
        .snapshots
        .since(inbox, 0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let gone: Vec<i64> = before
        .iter()
        .filter(|i| !after.contains(i))
        .copied()
        .collect();
    assert_eq!(
        gone,
        vec![ids[0], ids[1], ids[2]],
        "{before:?} -> {after:?}"
    );
    for kept in &ids[3..] {
        assert!(after.contains(kept));
    }
    let sessions_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(
        sessions_after,
        sessions_before - 1,
        "only the expired session"
    );
    let valid: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sessions WHERE id = $1")
        .bind(Id(2).to_string())
        .fetch_optional(db)
        .await
        .unwrap();
    assert!(valid.is_some(), "the valid session stays");

    // A second run finds nothing more.
    let again = prune::run_once(
        &app.services.stores,
        &app.sessions,
        Retention::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(again, prune::Pruned::default());
}

#[tokio::test]
async fn an_inboxs_newest_snapshots_are_kept_however_old() {
    let app = spawn_app().await;
    let admin = app.user("ada@example.com", "Acme", "administrator").await;
    let inbox = create_inbox(
        &app,
        &admin.access_token,
        admin.account_id,
        Scenario::Healthy,
    )
    .await;
    let db = &app.services.db;
    // Only very old snapshots: the setup read is moved 600 days back, with an older good read
    // and a newer failed one.
    sqlx::query("UPDATE health_snapshots SET checked_at = $1 WHERE inbox_id = $2")
        .bind(now_secs() - 600 * DAY)
        .bind(inbox)
        .execute(db)
        .await
        .unwrap();
    let failed = greenlight::services::stores::Stores::new(db)
        .snapshots
        .insert(NewSnapshot {
            inbox_id: inbox,
            checked_at: now_secs() - 550 * DAY,
            source: greenlight::health::service::source::BACKGROUND,
            health: None,
            error_kind: Some(GraphErrorKind::Transient),
            error_message: None,
            error_subcode: None,
            registration_state: RegistrationState::Registered,
        })
        .await
        .unwrap();
    let good = greenlight::services::stores::Stores::new(db)
        .snapshots
        .latest_good(inbox)
        .await
        .unwrap()
        .unwrap()
        .id;

    prune::run_once(
        &app.services.stores,
        &app.sessions,
        Retention::default(),
        now_secs(),
    )
    .await
    .unwrap();
    assert_eq!(
        greenlight::services::stores::Stores::new(db)
            .snapshots
            .latest(inbox)
            .await
            .unwrap()
            .unwrap()
            .id,
        failed
    );
    assert_eq!(
        greenlight::services::stores::Stores::new(db)
            .snapshots
            .latest_good(inbox)
            .await
            .unwrap()
            .unwrap()
            .id,
        good
    );
}

#[tokio::test]
async fn the_retention_is_a_serve_flag_defaulting_to_400_days() {
    use clap::Parser;
    let cli = greenlight::cli::Cli::parse_from(["greenlight", "serve"]);
    let greenlight::cli::Command::Serve(args) = cli.command else {
        unreachable!()
    };
    assert_eq!(args.health_retention, prune::DEFAULT_HEALTH_RETENTION);
    let cli =
        greenlight::cli::Cli::parse_from(["greenlight", "serve", "--health-retention", "90d"]);
    let greenlight::cli::Command::Serve(args) = cli.command else {
        unreachable!()
    };
    assert_eq!(args.health_retention.as_secs(), 90 * DAY as u64);
}
