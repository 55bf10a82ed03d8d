//! The durable queue of received webhook changes (`webhook_events`): stored on receipt before
//! Meta gets its 200, processed asynchronously, deduplicated by [`Change::dedup_key`], and linked
//! to the inboxes each change concerned (`webhook_event_inboxes`) for the activity log.
use std::sync::Arc;

use super::payload::Change;
use crate::db::Db;

/// Status of a stored event.
pub mod status {
    pub const PENDING: &str = "pending";
    /// Claimed by one instance, which is processing it now (see [`super::claim`]).
    pub const PROCESSING: &str = "processing";
    pub const PROCESSED: &str = "processed";
    pub const IGNORED: &str = "ignored";
    pub const FAILED: &str = "failed";
}

/// A stored event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub dedup_key: String,
    pub received_at: i64,
    pub waba_id: String,
    pub field: String,
    pub event_time: Option<i64>,
    pub value_json: String,
    pub status: String,
    pub attempts: i64,
    pub processed_at: Option<i64>,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, dedup_key, received_at, waba_id, field, event_time, value_json, status, attempts, processed_at, note";

/// How many times a failing event is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

impl EventRow {
    /// The change back from its stored form.
    pub fn change(&self) -> Change {
        Change {
            waba_id: self.waba_id.clone(),
            time: self.event_time,
            field: self.field.clone(),
            value: serde_json::from_str(&self.value_json).unwrap_or_default(),
        }
    }
}

/// Every SQL statement on Meta's inbound webhook events.
#[derive(Clone)]
pub struct WebhookStore {
    db: Db,
}

impl WebhookStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        WebhookStore { db }
    }

    /// Stores a change; `false` when the same event was stored before (a duplicate delivery).
    pub async fn insert(&self, c: &Change, now: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
        "INSERT INTO webhook_events (dedup_key, received_at, waba_id, field, event_time, value_json)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(c.dedup_key())
    .bind(now)
    .bind(&c.waba_id)
    .bind(&c.field)
    .bind(c.time)
    .bind(c.value.to_string())
    .execute(&self.db)
    .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Claims up to `limit` events for `instance`, oldest first: pending ones, and ones whose claim ran
    /// out (the instance that held them stopped). One statement, so two instances sharing the database
    /// never claim the same event: SQLite serialises writers; on PostgreSQL the subquery locks the rows
    /// it picks and skips those another claim holds (a concurrent UPDATE re-checks only `id IN …`).
    pub async fn claim(
        &self,
        instance: &InstanceId,
        now: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<EventRow>> {
        let skip_locked = match crate::db::Backend::of(&self.db) {
            crate::db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::db::Backend::Sqlite => "",
        };
        let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
            "UPDATE webhook_events SET status = 'processing', claimed_by = $1, claimed_until = $2
         WHERE id IN (
             SELECT id FROM webhook_events
             WHERE status = 'pending' OR (status = 'processing' AND claimed_until < $3)
             ORDER BY id LIMIT $4{skip_locked}
         )
         RETURNING {COLUMNS}"
        ))
        .bind(instance.as_str())
        .bind(now + CLAIM_LEASE_SECS)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        // RETURNING gives no order guarantee.
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// The queue as a scraper sees it: how many events wait (pending or being processed) and when
    /// the oldest of them arrived. One aggregate over the status index.
    pub async fn backlog(&self) -> sqlx::Result<(i64, Option<i64>)> {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(received_at) FROM webhook_events
             WHERE status IN ('pending', 'processing')",
        )
        .fetch_one(&self.db)
        .await
    }

    /// Every stored event (tests, diagnostics), oldest first.
    pub async fn all(&self) -> sqlx::Result<Vec<EventRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM webhook_events ORDER BY id"))
            .fetch_all(&self.db)
            .await
    }

    /// Marks an event done (`processed` or `ignored`) with a note.
    pub async fn finish(
        &self,
        id: i64,
        status: &str,
        note: Option<&str>,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
        "UPDATE webhook_events SET status = $1, note = $2, processed_at = $3, attempts = attempts + 1,
         claimed_by = NULL, claimed_until = NULL
         WHERE id = $4",
    )
    .bind(status)
    .bind(note)
    .bind(now)
    .bind(id)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    /// Counts a failed try and releases the claim: the event is pending again, and after
    /// [`MAX_ATTEMPTS`] tries it is marked failed.
    pub async fn retry_later(&self, id: i64, note: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE webhook_events SET attempts = attempts + 1, note = $1,
         claimed_by = NULL, claimed_until = NULL,
         status = CASE WHEN attempts + 1 >= $2 THEN 'failed' ELSE 'pending' END,
         processed_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE processed_at END
         WHERE id = $4",
        )
        .bind(note)
        .bind(MAX_ATTEMPTS)
        .bind(now)
        .bind(id)
        .execute(&self.db)
        .await
        .map(|_| ())
    }

    /// Links an event to an inbox it concerned.
    pub async fn link(&self, event_id: i64, inbox_id: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO webhook_event_inboxes (event_id, inbox_id) VALUES ($1, $2)
         ON CONFLICT (event_id, inbox_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(inbox_id)
        .execute(&self.db)
        .await
        .map(|_| ())
    }

    /// Events linked to an inbox, newest first.
    pub async fn for_inbox(&self, inbox_id: i64, limit: i64) -> sqlx::Result<Vec<EventRow>> {
        sqlx::query_as(&format!(
            "SELECT {cols} FROM webhook_events e JOIN webhook_event_inboxes l ON l.event_id = e.id
         WHERE l.inbox_id = $1 ORDER BY e.received_at DESC, e.id DESC LIMIT $2",
            cols = COLUMNS
                .split(", ")
                .map(|c| format!("e.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(inbox_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await
    }

    /// Meta's `rejection_reason` (e.g. `NAME_FORMAT_UNACCEPTABLE`) of the newest display-name
    /// rejection among the latest events linked to an inbox; `None` when there is none or the
    /// newest name decision was not a rejection. Only the webhook carries the reason: a read of
    /// the number says DECLINED without it.
    pub async fn latest_name_rejection_reason(
        &self,
        inbox_id: i64,
    ) -> sqlx::Result<Option<String>> {
        let values: Vec<(String,)> = sqlx::query_as(
            "SELECT e.value_json FROM webhook_events e JOIN webhook_event_inboxes l ON l.event_id = e.id
             WHERE l.inbox_id = $1 AND e.field = 'phone_number_name_update'
             ORDER BY e.received_at DESC, e.id DESC LIMIT 1",
        )
        .bind(inbox_id)
        .fetch_all(&self.db)
        .await?;
        Ok(values.first().and_then(|(raw,)| {
            let v: serde_json::Value = serde_json::from_str(raw).ok()?;
            (v.get("decision")?.as_str()? == "REJECTED")
                .then(|| v.get("rejection_reason")?.as_str().map(str::to_owned))
                .flatten()
        }))
    }

    /// Inboxes (any account) of a WABA, for background processing only.
    pub async fn inboxes_of_waba(
        &self,
        waba_id: &str,
    ) -> sqlx::Result<Vec<crate::inboxes::store::InboxRow>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM inboxes WHERE business_account_id = $1 ORDER BY id")
                .bind(waba_id)
                .fetch_all(&self.db)
                .await?;
        self.rows(ids).await
    }

    /// Inboxes (any account) of a phone number id, for background processing only.
    pub async fn inboxes_of_phone_number_id(
        &self,
        phone_number_id: &str,
    ) -> sqlx::Result<Vec<crate::inboxes::store::InboxRow>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM inboxes WHERE phone_number_id = $1 ORDER BY id")
                .bind(phone_number_id)
                .fetch_all(&self.db)
                .await?;
        self.rows(ids).await
    }

    async fn rows(&self, ids: Vec<i64>) -> sqlx::Result<Vec<crate::inboxes::store::InboxRow>> {
        let inboxes = crate::inboxes::store::InboxStore::new(self.db.clone());
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = inboxes.get_unscoped(id).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Deletes events that are done (not pending, not being processed) received before `before`.
    pub async fn prune_finished(&self, before: i64) -> sqlx::Result<u64> {
        Ok(sqlx::query(
        "DELETE FROM webhook_events WHERE status NOT IN ('pending', 'processing') AND received_at < $1",
    )
    .bind(before)
    .execute(&self.db)
    .await?
    .rows_affected())
    }
}

/// Names one running Greenlight instance in the claims it takes (diagnostics: which instance
/// holds an event). Every process (every [`crate::startup::Application`]) gets its own.
#[derive(Clone, Debug)]
pub struct InstanceId(Arc<str>);

impl Default for InstanceId {
    fn default() -> Self {
        InstanceId(Arc::from(uuid::Uuid::new_v4().to_string()))
    }
}

impl InstanceId {
    /// The id as stored in `claimed_by`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a claim holds: longer than any processing pass (a registration attempt waits on Meta
/// for at most a minute); after it, another instance takes the event over.
pub const CLAIM_LEASE_SECS: i64 = 10 * 60;
