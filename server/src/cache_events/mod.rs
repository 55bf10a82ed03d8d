//! Keeps the in-memory caches of several instances on one database in step. A write that makes
//! a cached entry stale records a [`CacheEvent`] in the database besides forgetting the entry
//! here; every instance reads the new events every [`POLL`] and forgets the same entries, so a
//! write on one instance is seen by all within about one second ([`BOUND`]), on PostgreSQL and
//! on a SQLite file shared by several processes alike. The caches' time-to-live stays the
//! backstop should an event be lost (the database was unreachable for a moment).
//!
//! Polling a small indexed table suits both backends (SQLite has no LISTEN/NOTIFY) and costs one
//! query per second per instance. Events are read by time window rather than by last id, because
//! PostgreSQL may commit a lower id after a higher one; applying an event twice only forgets an
//! entry twice.
pub mod store;

use std::collections::HashSet;
use std::time::Duration;

use crate::db::now_secs;
use store::EventStore;

/// How often each instance reads new events.
pub const POLL: Duration = Duration::from_secs(1);
/// How long after a write the other instances have forgotten what it made stale (poll interval
/// plus one query), documented in the README.
pub const BOUND: Duration = Duration::from_secs(2);
/// Events are read again for this long (clock differences between instances, late commits).
const WINDOW_SECS: i64 = 30;
/// Events are kept this long, then pruned by whichever instance gets there.
const KEEP_SECS: i64 = 600;

/// What became stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheEvent {
    /// The latest health snapshot of an inbox.
    Health(i64),
    /// An inbox's row, members and webhook self-check.
    Inbox(i64),
    /// The registration ledger and the PIN state of a phone number (stored as `attempts`, the
    /// name earlier versions gave it, so instances of both versions understand each other).
    Number(String),
    /// The enforcement signals in force on a WABA.
    Waba(String),
    /// An inbox's webhook self-check.
    WebhookCheck(i64),
    /// Users, memberships and API tokens.
    Identities,
}

impl CacheEvent {
    fn kind(&self) -> &'static str {
        match self {
            CacheEvent::Health(_) => "health",
            CacheEvent::Inbox(_) => "inbox",
            CacheEvent::Number(_) => "attempts",
            CacheEvent::Waba(_) => "waba",
            CacheEvent::WebhookCheck(_) => "webhook_check",
            CacheEvent::Identities => "identities",
        }
    }

    fn key(&self) -> String {
        match self {
            CacheEvent::Health(id) | CacheEvent::Inbox(id) | CacheEvent::WebhookCheck(id) => {
                id.to_string()
            }
            CacheEvent::Number(number) | CacheEvent::Waba(number) => number.clone(),
            CacheEvent::Identities => String::new(),
        }
    }

    /// The event a stored row names; `None` for a kind this version does not know (a newer
    /// instance during a rolling upgrade).
    pub fn parse(kind: &str, key: &str) -> Option<CacheEvent> {
        let id = || key.parse().ok();
        Some(match kind {
            "health" => CacheEvent::Health(id()?),
            "inbox" => CacheEvent::Inbox(id()?),
            "attempts" => CacheEvent::Number(key.to_owned()),
            "waba" => CacheEvent::Waba(key.to_owned()),
            "webhook_check" => CacheEvent::WebhookCheck(id()?),
            "identities" => CacheEvent::Identities,
            _ => return None,
        })
    }
}

/// Records `event` for the other instances. Never fails the write that caused it: a lost event
/// leaves the entry to its time-to-live, which is logged.
pub async fn publish(events: &EventStore, event: CacheEvent) {
    if let Err(e) = events.insert(event.kind(), &event.key(), now_secs()).await {
        tracing::warn!(error = %e, kind = event.kind(), "cache event not recorded; other instances rely on the cache's time-to-live");
    }
}

/// Reads events for one instance: remembers which it has applied within the window.
#[derive(Debug)]
pub struct Follower {
    seen: HashSet<i64>,
    seen_at: Vec<(i64, i64)>,
}

impl Follower {
    /// Starts after the events already stored (they concern caches this instance never filled).
    pub async fn start(events: &EventStore) -> sqlx::Result<Follower> {
        let mut f = Follower {
            seen: HashSet::new(),
            seen_at: Vec::new(),
        };
        let now = now_secs();
        for (id, _, _) in events.since(now - WINDOW_SECS).await? {
            f.seen.insert(id);
            f.seen_at.push((now, id));
        }
        Ok(f)
    }

    /// The events not applied yet, as of `now`.
    pub async fn poll(&mut self, events: &EventStore, now: i64) -> sqlx::Result<Vec<CacheEvent>> {
        let rows = events.since(now - WINDOW_SECS).await?;
        let mut out = Vec::new();
        for (id, kind, key) in rows {
            if self.seen.insert(id) {
                self.seen_at.push((now, id));
                out.extend(CacheEvent::parse(&kind, &key));
            }
        }
        // Ids older than twice the window cannot come back.
        let keep_after = now - 2 * WINDOW_SECS;
        let seen = &mut self.seen;
        self.seen_at.retain(|(at, id)| {
            let keep = *at > keep_after;
            if !keep {
                seen.remove(id);
            }
            keep
        });
        Ok(out)
    }
}

/// Prunes events nobody needs any more.
pub async fn prune(events: &EventStore, now: i64) -> sqlx::Result<u64> {
    events.prune(now - KEEP_SECS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_survives_its_stored_form() {
        for ev in [
            CacheEvent::Health(7),
            CacheEvent::Inbox(8),
            CacheEvent::Number("1065403522429001".into()),
            CacheEvent::Waba("102290129340398".into()),
            CacheEvent::WebhookCheck(9),
            CacheEvent::Identities,
        ] {
            assert_eq!(CacheEvent::parse(ev.kind(), &ev.key()), Some(ev));
        }
        assert_eq!(CacheEvent::parse("from_the_future", "1"), None);
        assert_eq!(CacheEvent::parse("health", "not a number"), None);
    }

    #[tokio::test]
    async fn a_follower_sees_each_new_event_once_even_when_a_lower_id_lands_late() {
        let (_dir, db) = crate::registration::test_db::open().await;
        let events = store::EventStore::new(db);
        let now = now_secs();
        events.insert("health", "1", now).await.unwrap();
        let mut f = Follower::start(&events).await.unwrap();
        assert!(
            f.poll(&events, now).await.unwrap().is_empty(),
            "older events are not replayed"
        );
        events.insert("inbox", "2", now).await.unwrap();
        assert_eq!(
            f.poll(&events, now).await.unwrap(),
            vec![CacheEvent::Inbox(2)]
        );
        assert!(f.poll(&events, now + 1).await.unwrap().is_empty());
        // Committed late with an earlier stamp (PostgreSQL can commit ids out of order).
        events.insert("identities", "", now - 5).await.unwrap();
        assert_eq!(
            f.poll(&events, now + 2).await.unwrap(),
            vec![CacheEvent::Identities]
        );
        assert_eq!(prune(&events, now + KEEP_SECS + 10).await.unwrap(), 3);
    }
}
