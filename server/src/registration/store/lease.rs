//! Per-number leases: one registration attempt at a time per phone number (whichever inbox or account it is
//! in), across concurrent clicks, the background retrier and several server instances sharing one database.
//!
//! A lease is a row of `registration_leases` with an expiry, taken with one atomic statement (an upsert that
//! only overwrites an expired row) and released after the attempt. A holder that crashes loses its lease when
//! it expires. Not an in-process lock: it works the same with two processes on one database.
use chrono::TimeDelta;

use crate::db::Db;

/// How long a lease lives unless renewed. An attempt renews it right before it calls Meta, so the call
/// itself (bounded by the Graph client's total timeout) always runs under a fresh lease.
pub const LEASE_TTL: TimeDelta = TimeDelta::minutes(2);

/// A held lease. Release it with [`release`]; dropping it without releasing leaves it to expire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub phone_number_id: String,
    /// Unique per taker (process id + random id).
    pub holder: String,
    pub expires_at: i64,
}

/// A holder name unique to this taker.
fn new_holder() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::new_v4())
}

/// Every SQL statement on `registration_leases`.
#[derive(Clone)]
pub struct LeaseStore {
    db: Db,
}

impl LeaseStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        LeaseStore { db }
    }

    /// Takes the lease of the number until `now + ttl` if nobody holds it (or the holder's lease expired).
    /// `None` when someone else holds it.
    pub async fn try_acquire(
        &self,
        phone_number_id: &str,
        ttl: TimeDelta,
        now: i64,
    ) -> sqlx::Result<Option<Lease>> {
        let holder = new_holder();
        let expires_at = now + ttl.num_seconds().max(1);
        let taken = sqlx::query(
        "INSERT INTO registration_leases (phone_number_id, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (phone_number_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE registration_leases.expires_at <= $4",
    )
    .bind(phone_number_id)
    .bind(&holder)
    .bind(expires_at)
    .bind(now)
    .execute(&self.db)
    .await?
    .rows_affected()
        == 1;
        Ok(taken.then_some(Lease {
            phone_number_id: phone_number_id.to_owned(),
            holder,
            expires_at,
        }))
    }

    /// Extends a held lease to `now + ttl`. `false` when the lease is no longer ours (it expired and someone
    /// else took it): the caller must then not call Meta. While the holder is still ours nobody else took it,
    /// so even an expired lease can be renewed.
    pub async fn renew(&self, lease: &mut Lease, ttl: TimeDelta, now: i64) -> sqlx::Result<bool> {
        let expires_at = now + ttl.num_seconds().max(1);
        let renewed = sqlx::query(
        "UPDATE registration_leases SET expires_at = $1 WHERE phone_number_id = $2 AND holder = $3",
    )
    .bind(expires_at)
    .bind(&lease.phone_number_id)
    .bind(&lease.holder)
    .execute(&self.db)
    .await?
    .rows_affected()
        == 1;
        if renewed {
            lease.expires_at = expires_at;
        }
        Ok(renewed)
    }

    /// Gives the lease back (only if it is still ours).
    pub async fn release(&self, lease: &Lease) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM registration_leases WHERE phone_number_id = $1 AND holder = $2")
            .bind(&lease.phone_number_id)
            .bind(&lease.holder)
            .execute(&self.db)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::test_db;

    #[tokio::test]
    async fn of_two_takers_one_wins_until_release() {
        let (_dir, db) = test_db::open().await;
        let store = LeaseStore::new(db.clone());
        let inbox = "1065403522429001";
        let other = "1065403522429002";
        let now = 1_800_000_000;
        let (a, b) = tokio::join!(
            store.try_acquire(inbox, LEASE_TTL, now),
            store.try_acquire(inbox, LEASE_TTL, now)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(
            a.is_some() != b.is_some(),
            "exactly one taker wins: {a:?} {b:?}"
        );
        let held = a.or(b).unwrap();
        assert_eq!(held.expires_at, now + 120);
        assert!(LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now + 60)
            .await
            .unwrap()
            .is_none());
        // Leases are per number.
        assert!(LeaseStore::new(db.clone())
            .try_acquire(other, LEASE_TTL, now)
            .await
            .unwrap()
            .is_some());
        store.release(&held).await.unwrap();
        assert!(LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now + 61)
            .await
            .unwrap()
            .is_some());
    }

    #[tokio::test]
    async fn an_expired_lease_can_be_retaken_and_its_old_holder_cannot_renew_or_release_it() {
        let (_dir, db) = test_db::open().await;
        let store = LeaseStore::new(db.clone());
        let inbox = "1065403522429001";
        let now = 1_800_000_000;
        let mut crashed = LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now)
            .await
            .unwrap()
            .unwrap();
        assert!(LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now + 119)
            .await
            .unwrap()
            .is_none());
        let mut next = LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now + 120)
            .await
            .unwrap()
            .expect("expired lease is retaken");
        assert_ne!(next.holder, crashed.holder);
        assert!(!LeaseStore::new(db.clone())
            .renew(&mut crashed, LEASE_TTL, now + 121)
            .await
            .unwrap());
        store.release(&crashed).await.unwrap();
        assert!(
            LeaseStore::new(db.clone())
                .try_acquire(inbox, LEASE_TTL, now + 122)
                .await
                .unwrap()
                .is_none(),
            "the old holder's release does not free the new holder's lease"
        );
        assert!(LeaseStore::new(db.clone())
            .renew(&mut next, LEASE_TTL, now + 200)
            .await
            .unwrap());
        assert_eq!(next.expires_at, now + 320);
        assert!(LeaseStore::new(db.clone())
            .try_acquire(inbox, LEASE_TTL, now + 300)
            .await
            .unwrap()
            .is_none());
    }
}
