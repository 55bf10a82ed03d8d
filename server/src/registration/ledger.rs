//! The attempt ledger: every `/register` call Greenlight makes, and the summary of it that the
//! decision needs (budget, back-off, last failure). The budget is counted from here, never from
//! memory, so it holds across restarts and server instances.
use chrono::{DateTime, TimeZone, Utc};

use super::decision::{AttemptFailure, LedgerSummary, META_LOCKOUT, WINDOW};
use crate::db::Db;
use crate::graph::GraphErrorKind;

/// Who or what started an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An administrator pressed Complete registration (their user id).
    User(i64),
    /// The background retrier.
    Auto,
    /// A Meta webhook (e.g. display name approved).
    Webhook,
}

impl Trigger {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::User(_) => "user",
            Trigger::Auto => "auto",
            Trigger::Webhook => "webhook",
        }
    }
    fn user_id(self) -> Option<i64> {
        match self {
            Trigger::User(id) => Some(id),
            _ => None,
        }
    }
}

/// One ledger row.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AttemptRow {
    pub id: i64,
    /// `None` once the inbox was deleted: the attempt still counts for the number.
    pub inbox_id: Option<i64>,
    pub trigger: String,
    pub user_id: Option<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub error_kind: Option<String>,
    pub meta_code: Option<i64>,
    pub meta_subcode: Option<i64>,
    pub meta_message: Option<String>,
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Records the start of a call, before it is made (so a crash leaves an unfinished row).
pub async fn start(
    db: &Db,
    inbox_id: i64,
    phone_number_id: &str,
    trigger: Trigger,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO registration_attempts (inbox_id, phone_number_id, trigger, user_id, started_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(inbox_id)
    .bind(phone_number_id)
    .bind(trigger.as_str())
    .bind(trigger.user_id())
    .bind(now)
    .fetch_one(db)
    .await
}

/// How a call ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `success`, `failed` or `unknown` (resolved after a crash without knowing Meta's answer).
    pub outcome: &'static str,
    pub error_kind: Option<GraphErrorKind>,
    pub meta_code: Option<i64>,
    pub meta_subcode: Option<i64>,
    /// A message safe to show (never Meta's raw body).
    pub message: Option<String>,
}

/// Records how a call ended.
pub async fn finish(db: &Db, attempt_id: i64, o: &Outcome, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE registration_attempts SET finished_at = $1, outcome = $2, error_kind = $3, meta_code = $4,
         meta_subcode = $5, meta_message = $6 WHERE id = $7",
    )
    .bind(now)
    .bind(o.outcome)
    .bind(o.error_kind.map(|k| k.as_str()))
    .bind(o.meta_code)
    .bind(o.meta_subcode)
    .bind(&o.message)
    .bind(attempt_id)
    .execute(db)
    .await
    .map(|_| ())
}

/// The columns of an [`AttemptRow`].
const SELECT_ATTEMPTS: &str =
    "SELECT id, inbox_id, trigger, user_id, started_at, finished_at, outcome, \
     error_kind, meta_code, meta_subcode, meta_message FROM registration_attempts";

/// Attempts made through one inbox, newest first (its Activity tab).
pub async fn attempts(db: &Db, inbox_id: i64, limit: i64) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ATTEMPTS} WHERE inbox_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
    .bind(inbox_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Attempts on one phone number through any inbox, newest first: what Meta's budget counts.
pub async fn attempts_on_number(
    db: &Db,
    phone_number_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ATTEMPTS} WHERE phone_number_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
    .bind(phone_number_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Unfinished attempts on the number (a crash mid-call), oldest first.
pub async fn unfinished(db: &Db, phone_number_id: &str) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as(&format!(
        "{SELECT_ATTEMPTS} WHERE phone_number_id = $1 AND outcome IS NULL ORDER BY started_at, id"
    ))
    .bind(phone_number_id)
    .fetch_all(db)
    .await
}

/// The summary the decision needs, from the rows of one inbox (newest first) at `now`.
pub fn summarize(rows: &[AttemptRow], now: DateTime<Utc>) -> LedgerSummary {
    let window_start = now - WINDOW;
    let in_window: Vec<&AttemptRow> = rows
        .iter()
        .filter(|r| at(r.started_at) > window_start)
        .collect();
    let is_auto = |r: &AttemptRow| r.trigger != "user";
    let mut s = LedgerSummary {
        attempts_in_window: in_window.len() as u32,
        auto_attempts_in_window: in_window.iter().filter(|r| is_auto(r)).count() as u32,
        last_attempt_at: rows.first().map(|r| at(r.started_at)),
        oldest_in_window: in_window.iter().map(|r| at(r.started_at)).min(),
        oldest_auto_in_window: in_window
            .iter()
            .filter(|r| is_auto(r))
            .map(|r| at(r.started_at))
            .min(),
        ..LedgerSummary::default()
    };
    if let Some(last) = rows.iter().find(|r| r.outcome.is_some()) {
        s.last_answer_lost = last.outcome.as_deref() == Some("unknown");
        if last.outcome.as_deref() == Some("failed") {
            s.last_failure = Some(AttemptFailure {
                kind: GraphErrorKind::from_str_lossy(last.error_kind.as_deref().unwrap_or("other")),
                code: last.meta_code,
                subcode: last.meta_subcode,
                at: at(last.started_at),
            });
        }
    }
    for r in rows.iter().filter(|r| is_auto(r)) {
        match r.outcome.as_deref() {
            Some("failed") => s.consecutive_auto_failures += 1,
            Some("success") => break,
            _ => {}
        }
    }
    s.rate_limited_until = rows
        .iter()
        .find(|r| r.error_kind.as_deref() == Some(GraphErrorKind::RegisterQuotaExhausted.as_str()))
        .map(|r| at(r.started_at) + META_LOCKOUT)
        .filter(|until| *until > now);
    s
}

/// How many of the newest attempts a summary reads (far more than a 72 h window can hold).
pub const SUMMARY_ROWS: i64 = 200;

/// The ledger summary of one phone number at `now`, over every inbox it is or was in.
pub async fn summary(
    db: &Db,
    phone_number_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<LedgerSummary> {
    Ok(summarize(
        &attempts_on_number(db, phone_number_id, SUMMARY_ROWS).await?,
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        id: i64,
        trigger: &str,
        started: i64,
        outcome: Option<&str>,
        kind: Option<&str>,
    ) -> AttemptRow {
        AttemptRow {
            id,
            inbox_id: Some(1),
            trigger: trigger.into(),
            user_id: None,
            started_at: started,
            finished_at: outcome.map(|_| started + 1),
            outcome: outcome.map(str::to_string),
            error_kind: kind.map(str::to_string),
            meta_code: None,
            meta_subcode: None,
            meta_message: None,
        }
    }

    #[test]
    fn the_window_moves_and_counts_manual_and_automatic_together() {
        let now = at(1_000_000);
        let h = 3600;
        let rows = vec![
            row(
                4,
                "user",
                1_000_000 - h,
                Some("failed"),
                Some("display_name_not_ready"),
            ),
            row(
                3,
                "auto",
                1_000_000 - 2 * h,
                Some("failed"),
                Some("transient"),
            ),
            row(
                2,
                "auto",
                1_000_000 - 3 * h,
                Some("failed"),
                Some("transient"),
            ),
            row(
                1,
                "auto",
                1_000_000 - 73 * h,
                Some("failed"),
                Some("transient"),
            ),
        ];
        let s = summarize(&rows, now);
        assert_eq!(s.attempts_in_window, 3);
        assert_eq!(s.auto_attempts_in_window, 2);
        assert_eq!(s.oldest_in_window, Some(at(1_000_000 - 3 * h)));
        assert_eq!(
            s.consecutive_auto_failures, 3,
            "manual attempts neither count nor reset"
        );
        assert_eq!(
            s.last_failure.unwrap().kind,
            GraphErrorKind::DisplayNameNotReady
        );
        assert_eq!(s.rate_limited_until, None);
    }

    #[test]
    fn a_success_resets_the_back_off_and_a_quota_error_locks_out_for_72_hours() {
        let now = at(1_000_000);
        let rows = vec![
            row(
                3,
                "auto",
                999_000,
                Some("failed"),
                Some("register_quota_exhausted"),
            ),
            row(2, "auto", 998_000, Some("success"), None),
            row(1, "auto", 997_000, Some("failed"), Some("transient")),
        ];
        let s = summarize(&rows, now);
        assert_eq!(s.consecutive_auto_failures, 1);
        assert_eq!(s.rate_limited_until, Some(at(999_000) + META_LOCKOUT));
        assert!(summarize(&rows, at(999_000) + META_LOCKOUT)
            .rate_limited_until
            .is_none());
    }

    #[test]
    fn an_unfinished_attempt_counts_against_the_budget_but_is_no_failure() {
        let rows = vec![row(1, "user", 999_990, None, None)];
        let s = summarize(&rows, at(1_000_000));
        assert_eq!(s.attempts_in_window, 1);
        assert!(s.last_failure.is_none());
    }
}
