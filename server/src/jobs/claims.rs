//! Claims on background work, shared by every instance on one database: before the health
//! refresh or the registration retrier reads a number, it claims `(job, number)` until a time.
//! Another instance's claim that is still running means "someone else reads this one"; a claim
//! whose time ran out (its instance stopped mid-cycle) can be taken by anyone, so nothing is lost.
//!
//! One atomic upsert per claim (it only overwrites an expired row): the same on SQLite and
//! PostgreSQL, and across processes, unlike an in-process lock.
use crate::db::Db;

/// The background jobs that claim work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// [`crate::health::refresh`]: keeps snapshots younger than the maximum age.
    HealthRefresh,
    /// [`crate::registration::retrier`]: reads unregistered numbers and registers them when allowed.
    RegistrationRetrier,
}

impl Job {
    /// The name stored in `work_claims.job`.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::HealthRefresh => "health_refresh",
            Job::RegistrationRetrier => "registration_retrier",
        }
    }
}

/// Who claims: one value per running job loop (process id and a random part), so two instances
/// in one process (tests) are told apart like two machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder(String);

impl Holder {
    /// A holder name nobody else uses.
    pub fn new() -> Self {
        Holder(format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Holder {
    fn default() -> Self {
        Holder::new()
    }
}

/// Every SQL statement on `work_claims`.
#[derive(Clone)]
pub struct ClaimStore {
    db: Db,
}

impl ClaimStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        ClaimStore { db }
    }

    /// Claims `item` of `job` for `holder` until `expires_at` when nobody holds a running claim on it
    /// at `now`. `true` when the claim is ours now (also when we already held it).
    pub async fn try_claim(
        &self,
        job: Job,
        item: &str,
        holder: &Holder,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
        "INSERT INTO work_claims (job, item, holder, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job, item) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE work_claims.expires_at <= $5 OR work_claims.holder = excluded.holder",
    )
    .bind(job.as_str())
    .bind(item)
    .bind(holder.as_str())
    .bind(expires_at)
    .bind(now)
    .execute(&self.db)
    .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes claims that ran out before `now` (they only block nobody; this keeps the table small).
    pub async fn prune(&self, now: i64) -> sqlx::Result<u64> {
        sqlx::query("DELETE FROM work_claims WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.db)
            .await
            .map(|r| r.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::test_db;

    #[tokio::test]
    async fn of_two_holders_one_wins_until_the_claim_runs_out() {
        let (_dir, db) = test_db::open().await;
        let store = ClaimStore::new(db.clone());
        let (a, b) = (Holder::new(), Holder::new());
        let now = 1_800_000_000;
        let job = Job::HealthRefresh;
        let (x, y) = tokio::join!(
            store.try_claim(job, "7", &a, now, now + 120),
            store.try_claim(job, "7", &b, now, now + 120)
        );
        assert!(x.unwrap() != y.unwrap(), "exactly one holder wins");
        // Re-claiming one's own claim succeeds, so this tells who won.
        let loser = if ClaimStore::new(db.clone())
            .try_claim(job, "7", &a, now, now + 120)
            .await
            .unwrap()
        {
            &b
        } else {
            &a
        };
        assert!(!ClaimStore::new(db.clone())
            .try_claim(job, "7", loser, now + 119, now + 239)
            .await
            .unwrap());
        // Another job, or another item, is another claim.
        assert!(ClaimStore::new(db.clone())
            .try_claim(Job::RegistrationRetrier, "7", loser, now, now + 60)
            .await
            .unwrap());
        assert!(ClaimStore::new(db.clone())
            .try_claim(job, "8", loser, now, now + 60)
            .await
            .unwrap());
        // Ran out: anyone may take it.
        assert!(ClaimStore::new(db.clone())
            .try_claim(job, "7", loser, now + 120, now + 240)
            .await
            .unwrap());
        assert_eq!(store.prune(now + 61).await.unwrap(), 2);
    }
}
