//! Short-lived read caches shared by the features: bounded, with a time-to-live, and never
//! caching absence (so guessing ids or tokens cannot fill memory).
use std::time::Duration;

use moka::future::Cache;

use crate::error::ServiceResult;

/// How long a view (a page, the health API, Refresh, the webhook self-check) waits for a live
/// read from Meta before it answers from what is stored: pages never wait on Meta (a hanging
/// read retries for up to a minute). The read goes on and lands in its cache.
pub const VIEW_WAIT: Duration = Duration::from_secs(1);

/// Waits at most [`VIEW_WAIT`] for a spawned live read: `Some` with its answer when it landed,
/// `None` when it is still out (it goes on without the view). A read task that panicked is an
/// internal error.
pub async fn within_view_wait<T>(
    live: tokio::task::JoinHandle<T>,
) -> Result<Option<T>, crate::error::ServiceError> {
    match tokio::time::timeout(VIEW_WAIT, live).await {
        Ok(joined) => joined
            .map(Some)
            .map_err(|e| crate::error::ServiceError::Internal(format!("a live read stopped: {e}"))),
        Err(_) => Ok(None),
    }
}

/// How long identities, inbox rows and ledgers are trusted without a write seen here.
pub const READ_TTL: Duration = Duration::from_secs(10);

/// Entries kept per cache at most (moka evicts the least used beyond this).
const CAPACITY: u64 = 50_000;

/// A bounded cache whose entries live `ttl`.
pub(crate) fn cache<K, V>(ttl: Duration) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .time_to_live(ttl)
        .max_capacity(CAPACITY)
        .build()
}

/// The cached value, else `load`'s, kept only when there is one: absent keys are not cached, so
/// guessing ids or tokens cannot fill memory.
pub(crate) async fn get_or_load<K, V>(
    cache: &Cache<K, V>,
    key: K,
    load: impl std::future::Future<Output = sqlx::Result<Option<V>>>,
) -> ServiceResult<Option<V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    if let Some(v) = cache.get(&key).await {
        return Ok(Some(v));
    }
    let v = load.await?;
    if let Some(v) = &v {
        cache.insert(key, v.clone()).await;
    }
    Ok(v)
}
/// The cached value, else `load`'s, run once for every caller waiting on the same key and kept
/// (for rows whose absence is itself the answer: an empty list, a missing PIN).
pub(crate) async fn get_or_load_shared<K, V>(
    cache: &Cache<K, V>,
    key: K,
    load: impl std::future::Future<Output = sqlx::Result<V>>,
) -> ServiceResult<V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    cache
        .try_get_with(key, async move {
            load.await.map_err(crate::error::ServiceError::from)
        })
        .await
        .map_err(crate::error::ServiceError::from_shared)
}
pub mod reads;
