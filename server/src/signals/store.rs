//! Every SQL statement on the WABA signals (`waba_signals`, `waba_signal_changes`, migration 0015).
use serde_json::Value;

use super::model::{SignalUpdate, Stored};
use crate::db::Db;

/// One recorded change of a signal (the alert evaluator walks them in order).
#[derive(Debug, Clone, PartialEq)]
pub struct SignalChange {
    pub id: i64,
    pub waba_id: String,
    pub kind: String,
    /// The new state; JSON `null` when the signal was cleared.
    pub detail: Value,
    /// The state before; `None` when there was none.
    pub previous: Option<Value>,
    pub event_time: i64,
}

/// The WABA signals' store.
#[derive(Clone)]
pub struct SignalStore {
    db: Db,
}

fn json(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or(Value::Null)
}

impl SignalStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        SignalStore { db }
    }

    /// Applies one update of an event Meta timed `event_time` to `waba_id`. Answers `true` when the
    /// state changed (and records the change); an older event than the stored one, or one that
    /// repeats the stored state, changes nothing.
    pub async fn apply(
        &self,
        waba_id: &str,
        update: &SignalUpdate,
        event_time: i64,
        now: i64,
    ) -> sqlx::Result<bool> {
        let mut tx = self.db.begin().await?;
        // Two instances applying events of one signal at once: the second waits for the first,
        // then reads what it wrote (a merge never loses the other's keys). SQLite has one
        // writer, and refuses a stale reader's write instead.
        if crate::db::Backend::of_connection(&tx) == crate::db::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("waba_signal/{waba_id}/{}", update.kind))
                .execute(&mut *tx)
                .await?;
        }
        let current: Option<(i64, String)> = sqlx::query_as(
            "SELECT event_time, detail FROM waba_signals WHERE waba_id = $1 AND kind = $2",
        )
        .bind(waba_id)
        .bind(&update.kind)
        .fetch_optional(&mut *tx)
        .await?;
        if current.as_ref().is_some_and(|(t, _)| *t > event_time) {
            // Ended now, not when the connection is next used: the lock above goes with it.
            tx.rollback().await?;
            return Ok(false);
        }
        // A cleared signal stays as a `null` row, so that its time still orders later events.
        let previous = current
            .as_ref()
            .map(|(_, d)| json(d))
            .filter(|d| !d.is_null());
        let detail = update.resolved(previous.as_ref());
        if previous == detail {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO waba_signals (waba_id, kind, event_time, detail, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (waba_id, kind) DO UPDATE
             SET event_time = excluded.event_time, detail = excluded.detail, updated_at = excluded.updated_at",
        )
        .bind(waba_id)
        .bind(&update.kind)
        .bind(event_time)
        .bind(detail.clone().unwrap_or(Value::Null).to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO waba_signal_changes (waba_id, kind, detail, previous, event_time, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(waba_id)
        .bind(&update.kind)
        .bind(detail.clone().unwrap_or(Value::Null).to_string())
        .bind(previous.map(|p| p.to_string()))
        .bind(event_time)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every signal in force on a WABA (cleared ones left out).
    pub async fn of_waba(&self, waba_id: &str) -> sqlx::Result<Vec<Stored>> {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT kind, event_time, detail FROM waba_signals
             WHERE waba_id = $1 AND detail <> 'null' ORDER BY kind",
        )
        .bind(waba_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, event_time, detail)| Stored {
                kind,
                event_time,
                detail: json(&detail),
            })
            .collect())
    }

    /// Every signal in force on the WABAs of an account's inboxes, by WABA id, in one query.
    pub async fn of_account_wabas(&self, account_id: i64) -> sqlx::Result<ByWaba> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT waba_id, kind, event_time, detail FROM waba_signals
             WHERE detail <> 'null'
               AND waba_id IN (SELECT business_account_id FROM inboxes WHERE account_id = $1)
             ORDER BY waba_id, kind",
        )
        .bind(account_id)
        .fetch_all(&self.db)
        .await?;
        Ok(by_waba(rows))
    }

    /// Every signal in force on any WABA, by WABA id, in one query (the metrics' gauges).
    pub async fn in_force_everywhere(&self) -> sqlx::Result<ByWaba> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT waba_id, kind, event_time, detail FROM waba_signals
             WHERE detail <> 'null' ORDER BY waba_id, kind",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(by_waba(rows))
    }

    /// Changes recorded after `after` (an id), oldest first, at most `limit`.
    pub async fn changes_after(&self, after: i64, limit: i64) -> sqlx::Result<Vec<SignalChange>> {
        let rows: Vec<(i64, String, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT id, waba_id, kind, detail, previous, event_time FROM waba_signal_changes
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, waba_id, kind, detail, previous, event_time)| SignalChange {
                    id,
                    waba_id,
                    kind,
                    detail: json(&detail),
                    previous: previous.as_deref().map(json),
                    event_time,
                },
            )
            .collect())
    }

    /// The newest change id (where the alert evaluator starts on an upgraded database).
    pub async fn max_change_id(&self) -> sqlx::Result<i64> {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM waba_signal_changes")
            .fetch_one(&self.db)
            .await?;
        Ok(max.unwrap_or(0))
    }
}

/// Signals in force, by WABA id.
pub type ByWaba = std::collections::HashMap<String, Vec<Stored>>;

/// Rows of (waba_id, kind, event_time, detail) grouped by WABA.
fn by_waba(rows: Vec<(String, String, i64, String)>) -> ByWaba {
    let mut out = ByWaba::new();
    for (waba_id, kind, event_time, detail) in rows {
        out.entry(waba_id).or_default().push(Stored {
            kind,
            event_time,
            detail: json(&detail),
        });
    }
    out
}
