//! What health reads keep in memory: the latest snapshot per inbox, the count of views waiting
//! for one, and the gate on forced reads. No database, no Graph: a leaf the composition root
//! can hold without importing the health service.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::graph::{GraphErrorKind, PhoneNumberHealth};
use crate::registration::decision::Decision;

/// Why a health read failed, safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    pub kind: GraphErrorKind,
    pub message: String,
    /// Meta's `error_subcode`, when it sent one.
    pub subcode: Option<i64>,
}

impl ReadFailure {
    /// Which kind of refusal, when Meta refused the token.
    pub fn token_refusal(&self) -> Option<app::meta::TokenRefusal> {
        crate::graph::token_refusal(self.kind, self.subcode)
    }
}

/// One health check: the read (or why it failed) and the decision made from it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub inbox_id: i64,
    pub checked_at: DateTime<Utc>,
    pub read: Result<PhoneNumberHealth, ReadFailure>,
    pub decision: Decision,
}

/// The per-inbox cache of the latest snapshot; concurrent misses share one read.
pub type HealthCache = moka::future::Cache<i64, Arc<Snapshot>>;

/// How many views are waiting for a health snapshot right now. Lets a test see that every
/// concurrent view has arrived while the one shared read is still out.
#[derive(Clone, Debug, Default)]
pub struct WaitingViews(Arc<std::sync::atomic::AtomicUsize>);

impl WaitingViews {
    /// Views currently inside `cached_health`.
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(super) fn enter(&self) -> WaitingView {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        WaitingView(self.0.clone())
    }
}

/// One waiting view; leaves the count when dropped (also when the caller goes away).
pub(super) struct WaitingView(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for WaitingView {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A cache whose entries live `ttl`.
pub fn new_cache(ttl: Duration) -> HealthCache {
    moka::future::Cache::builder()
        .time_to_live(ttl)
        .max_capacity(100_000)
        .build()
}

/// How often one inbox may be force-refreshed; more often serves the cached snapshot.
pub const REFRESH_MIN_INTERVAL: Duration = Duration::from_secs(10);

/// Admits one forced read from Meta per inbox per [`REFRESH_MIN_INTERVAL`]; cheap to clone.
#[derive(Clone)]
pub struct ForcedReadGate(moka::future::Cache<i64, ()>);

impl Default for ForcedReadGate {
    fn default() -> Self {
        ForcedReadGate(
            moka::future::Cache::builder()
                .time_to_live(REFRESH_MIN_INTERVAL)
                .build(),
        )
    }
}

impl ForcedReadGate {
    /// `true` for the first caller per inbox in the interval (atomically: of two callers at the
    /// same moment, one is admitted).
    pub async fn admit(&self, inbox_id: i64) -> bool {
        self.0.entry(inbox_id).or_insert(()).await.is_fresh()
    }
}
