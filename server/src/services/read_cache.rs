//! Keeps this instance's read caches in step with the others on the database: the follower of
//! [`crate::cache_events`], started by `serve`.
use super::Services;
use crate::cache_events;

/// Forgets here what the events recorded since `follower`'s last poll made stale; answers how
/// many there were.
pub async fn apply_new_events(
    services: &Services,
    follower: &mut cache_events::Follower,
    now: i64,
) -> sqlx::Result<usize> {
    let events = follower.poll(&services.stores.events, now).await?;
    for event in &events {
        services.reads.drop_cached(event).await;
    }
    Ok(events.len())
}

/// Starts following the other instances' cache events (see [`crate::cache_events`]): every
/// [`cache_events::POLL`], forgets here what they made stale.
pub fn spawn_follower(services: Services) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut follower = loop {
            match cache_events::Follower::start(&services.stores.events).await {
                Ok(f) => break f,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read cache events yet; retrying");
                    tokio::time::sleep(cache_events::POLL * 5).await;
                }
            }
        };
        let mut tick = tokio::time::interval(cache_events::POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut polls: u64 = 0;
        loop {
            tick.tick().await;
            polls += 1;
            let now = crate::db::now_secs();
            if let Err(e) = apply_new_events(&services, &mut follower, now).await {
                tracing::warn!(error = %e, "cannot read cache events");
            }
            if polls.is_multiple_of(60) {
                if let Err(e) = cache_events::prune(&services.stores.events, now).await {
                    tracing::warn!(error = %e, "cannot prune cache events");
                }
            }
        }
    })
}
