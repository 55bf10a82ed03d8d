//! Keeps the database bounded: health snapshots older than `GREENLIGHT_HEALTH_RETENTION` are
//! deleted and, beyond [`FULL_DETAIL`], only the last snapshot of each inbox per day is kept
//! (the history chart needs no more), state changes excepted (see [`snapshots`]); expired sessions are deleted; finished webhook events and
//! outgoing alert deliveries go after [`processor::RETENTION_SECS`]. Runs hourly.
use std::time::Duration;

use tower_sessions::ExpiredDeletion;

use crate::db::now_secs;
use crate::services::stores::Stores;
use crate::sessions::Sessions;
use crate::webhooks::processor;

/// Snapshots younger than this are all kept.
pub const FULL_DETAIL: Duration = Duration::from_secs(30 * 24 * 3600);
/// The default of `GREENLIGHT_HEALTH_RETENTION`.
pub const DEFAULT_HEALTH_RETENTION: Duration = Duration::from_secs(400 * 24 * 3600);
const INTERVAL: Duration = Duration::from_secs(3600);
const DAY_SECS: i64 = 24 * 3600;

/// How long what is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Health snapshots older than this are deleted.
    pub health: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            health: DEFAULT_HEALTH_RETENTION,
        }
    }
}

/// What one run deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Snapshots older than the retention.
    pub expired_snapshots: u64,
    /// Snapshots beyond the full-detail window that were not their inbox's last of the day.
    pub thinned_snapshots: u64,
    /// Finished webhook events and outgoing deliveries.
    pub events_and_deliveries: u64,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("sessions: {0}")]
    Sessions(#[from] tower_sessions::session_store::Error),
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Deletes old snapshots: every snapshot older than the retention, and beyond [`FULL_DETAIL`] all but
/// each inbox's last of the day (the rules of what is never deleted are
/// [`crate::health::store::prune`]'s). Answers (expired, thinned).
pub async fn snapshots(
    store: &crate::health::store::SnapshotStore,
    retention: Retention,
    now: i64,
) -> sqlx::Result<(u64, u64)> {
    store
        .prune(
            now.saturating_sub(secs(retention.health)),
            now.saturating_sub(secs(FULL_DETAIL)),
            DAY_SECS,
        )
        .await
}

/// One pruning run at `now` (unix seconds).
pub async fn run_once(
    stores: &Stores,
    sessions: &Sessions,
    retention: Retention,
    now: i64,
) -> Result<Pruned, PruneError> {
    let (expired_snapshots, thinned_snapshots) =
        snapshots(&stores.snapshots, retention, now).await?;
    let events_and_deliveries = processor::prune(
        &stores.queue,
        &stores.alerts,
        now - processor::RETENTION_SECS,
    )
    .await?;
    // Run-out claims block nobody; they only take room.
    stores.claims.prune(now).await?;
    // The session store's own deletion: it knows how it stores expiry dates.
    sessions.delete_expired().await?;
    Ok(Pruned {
        expired_snapshots,
        thinned_snapshots,
        events_and_deliveries,
    })
}

/// Starts the hourly pruning.
pub fn spawn(
    stores: Stores,
    sessions: Sessions,
    retention: Retention,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        loop {
            tick.tick().await;
            match run_once(&stores, &sessions, retention, now_secs()).await {
                Ok(p) if p == Pruned::default() => {}
                Ok(p) => tracing::info!(
                    expired_snapshots = p.expired_snapshots,
                    thinned_snapshots = p.thinned_snapshots,
                    events_and_deliveries = p.events_and_deliveries,
                    "pruned old rows"
                ),
                Err(e) => tracing::warn!(error = %e, "pruning old rows failed; will retry"),
            }
        }
    })
}
