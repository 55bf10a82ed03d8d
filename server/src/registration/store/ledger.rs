//! The attempt ledger: every `/register` call Greenlight makes, and the summary of it that the
//! decision needs (budget, back-off, last failure). The budget is counted from here, never from
//! memory, so it holds across restarts and server instances.
use chrono::{DateTime, TimeZone, Utc};

use crate::db::Db;
use crate::graph::GraphErrorKind;
use crate::registration::decision::{AttemptFailure, LedgerSummary, META_LOCKOUT, WINDOW};

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

    /// What the ledger keeps of it: the kind (the user is the row's `user_id`).
    pub fn kind(self) -> TriggerKind {
        match self {
            Trigger::User(_) => TriggerKind::User,
            Trigger::Auto => TriggerKind::Auto,
            Trigger::Webhook => TriggerKind::Webhook,
        }
    }

    /// The trigger a stored row names: its `trigger` column with its `user_id`. `None` for a user's attempt
    /// whose user was deleted since (`user_id` is set to `NULL`) and for a name this version does not know.
    pub fn from_stored(kind: &TriggerKind, user_id: Option<i64>) -> Option<Trigger> {
        match kind {
            TriggerKind::User => user_id.map(Trigger::User),
            TriggerKind::Auto => Some(Trigger::Auto),
            TriggerKind::Webhook => Some(Trigger::Webhook),
            TriggerKind::Other(_) => None,
        }
    }
}

/// A stored `trigger`: which kind of caller started the attempt. Unlike [`Trigger`] it carries no user id, since
/// the user may be deleted while the attempt stays in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TriggerKind {
    /// `user`: an administrator's click.
    User,
    /// `auto`: the background retrier.
    Auto,
    /// `webhook`: a Meta webhook.
    Webhook,
    /// A stored name this version does not know, kept as stored.
    Other(String),
}

impl TriggerKind {
    /// The stored name.
    pub fn as_str(&self) -> &str {
        match self {
            TriggerKind::User => "user",
            TriggerKind::Auto => "auto",
            TriggerKind::Webhook => "webhook",
            TriggerKind::Other(stored) => stored,
        }
    }

    /// Parses a stored name; never fails (unknown names become `Other`).
    pub fn parse(stored: &str) -> TriggerKind {
        [TriggerKind::User, TriggerKind::Auto, TriggerKind::Webhook]
            .into_iter()
            .find(|k| k.as_str() == stored)
            .unwrap_or_else(|| TriggerKind::Other(stored.to_owned()))
    }
}

/// How a register call ended, as the ledger stores it. The default is `Unknown`: an end nobody described is one
/// whose answer is not known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// `success`: Meta registered the number (or it showed as registered after a crash).
    Success,
    /// `failed`: Meta refused the call.
    Failed,
    /// `unknown`: Meta's answer was lost (a timeout, a crash mid-call).
    #[default]
    Unknown,
    /// A stored name this version does not know, kept as stored.
    Other(String),
}

impl AttemptOutcome {
    /// The stored name.
    pub fn as_str(&self) -> &str {
        match self {
            AttemptOutcome::Success => "success",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Unknown => "unknown",
            AttemptOutcome::Other(stored) => stored,
        }
    }

    /// Parses a stored name; never fails (unknown names become `Other`).
    pub fn parse(stored: &str) -> AttemptOutcome {
        match stored {
            "success" => AttemptOutcome::Success,
            "failed" => AttemptOutcome::Failed,
            "unknown" => AttemptOutcome::Unknown,
            other => AttemptOutcome::Other(other.to_owned()),
        }
    }
}

macro_rules! stored_name_traits {
    ($($name:ident),+) => {$(
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(stored: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(stored))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )+};
}
stored_name_traits!(TriggerKind, AttemptOutcome);

/// One ledger row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttemptRow {
    pub id: i64,
    /// `None` once the inbox was deleted: the attempt still counts for the number.
    pub inbox_id: Option<i64>,
    pub trigger: TriggerKind,
    pub user_id: Option<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `None` while the call is unfinished.
    pub outcome: Option<AttemptOutcome>,
    pub error_kind: Option<String>,
    pub meta_code: Option<i64>,
    pub meta_subcode: Option<i64>,
    pub meta_message: Option<String>,
}

impl AttemptRow {
    /// The trigger, when the row still names one (see [`Trigger::from_stored`]).
    pub fn trigger(&self) -> Option<Trigger> {
        Trigger::from_stored(&self.trigger, self.user_id)
    }
}

/// A ledger row as stored (names as text); converted at this boundary so it reads the same from any database.
#[derive(sqlx::FromRow)]
struct StoredAttempt {
    id: i64,
    inbox_id: Option<i64>,
    trigger: String,
    user_id: Option<i64>,
    started_at: i64,
    finished_at: Option<i64>,
    outcome: Option<String>,
    error_kind: Option<String>,
    meta_code: Option<i64>,
    meta_subcode: Option<i64>,
    meta_message: Option<String>,
}

impl From<StoredAttempt> for AttemptRow {
    fn from(r: StoredAttempt) -> Self {
        AttemptRow {
            id: r.id,
            inbox_id: r.inbox_id,
            trigger: TriggerKind::parse(&r.trigger),
            user_id: r.user_id,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome.as_deref().map(AttemptOutcome::parse),
            error_kind: r.error_kind,
            meta_code: r.meta_code,
            meta_subcode: r.meta_subcode,
            meta_message: r.meta_message,
        }
    }
}

fn rows(stored: Vec<StoredAttempt>) -> Vec<AttemptRow> {
    stored.into_iter().map(AttemptRow::from).collect()
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Every SQL statement on `registration_attempts`: the register budget ledger.
#[derive(Clone)]
pub struct LedgerStore {
    db: Db,
}

impl LedgerStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        LedgerStore { db }
    }

    /// Records the start of a call, before it is made (so a crash leaves an unfinished row).
    pub async fn start(
        &self,
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
    .fetch_one(&self.db)
    .await
    }

    /// Records how a call ended.
    pub async fn finish(&self, attempt_id: i64, o: &Outcome, now: i64) -> sqlx::Result<()> {
        sqlx::query(
        "UPDATE registration_attempts SET finished_at = $1, outcome = $2, error_kind = $3, meta_code = $4,
         meta_subcode = $5, meta_message = $6 WHERE id = $7",
    )
    .bind(now)
    .bind(o.outcome.as_str())
    .bind(o.error_kind.map(|k| k.as_str()))
    .bind(o.meta_code)
    .bind(o.meta_subcode)
    .bind(&o.message)
    .bind(attempt_id)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    /// Attempts made through one inbox, newest first (its Activity tab).
    pub async fn attempts(&self, inbox_id: i64, limit: i64) -> sqlx::Result<Vec<AttemptRow>> {
        let stored: Vec<StoredAttempt> = sqlx::query_as(&format!(
            "{SELECT_ATTEMPTS} WHERE inbox_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
        ))
        .bind(inbox_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows(stored))
    }

    /// Attempts on one phone number through any inbox, newest first: what Meta's budget counts.
    pub async fn attempts_on_number(
        &self,
        phone_number_id: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<AttemptRow>> {
        let stored: Vec<StoredAttempt> = sqlx::query_as(&format!(
        "{SELECT_ATTEMPTS} WHERE phone_number_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
        .bind(phone_number_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows(stored))
    }

    /// Unfinished attempts on the number (a crash mid-call), oldest first.
    pub async fn unfinished(&self, phone_number_id: &str) -> sqlx::Result<Vec<AttemptRow>> {
        let stored: Vec<StoredAttempt> = sqlx::query_as(&format!(
        "{SELECT_ATTEMPTS} WHERE phone_number_id = $1 AND outcome IS NULL ORDER BY started_at, id"
    ))
        .bind(phone_number_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows(stored))
    }

    /// The ledger summary of one phone number at `now`, over every inbox it is or was in.
    pub async fn summary(
        &self,
        phone_number_id: &str,
        now: DateTime<Utc>,
    ) -> sqlx::Result<LedgerSummary> {
        Ok(summarize(
            &self
                .attempts_on_number(phone_number_id, SUMMARY_ROWS)
                .await?,
            now,
        ))
    }
}

/// How a call ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `Success`, `Failed` or `Unknown` (also resolved after a crash without knowing Meta's answer).
    pub outcome: AttemptOutcome,
    pub error_kind: Option<GraphErrorKind>,
    pub meta_code: Option<i64>,
    pub meta_subcode: Option<i64>,
    /// A message safe to show (never Meta's raw body).
    pub message: Option<String>,
}

/// The columns of an [`AttemptRow`].
const SELECT_ATTEMPTS: &str =
    "SELECT id, inbox_id, trigger, user_id, started_at, finished_at, outcome, \
     error_kind, meta_code, meta_subcode, meta_message FROM registration_attempts";

/// The summary the decision needs, from the rows of one inbox (newest first) at `now`.
pub fn summarize(rows: &[AttemptRow], now: DateTime<Utc>) -> LedgerSummary {
    let window_start = now - WINDOW;
    let in_window: Vec<&AttemptRow> = rows
        .iter()
        .filter(|r| at(r.started_at) > window_start)
        .collect();
    let is_auto = |r: &AttemptRow| r.trigger != TriggerKind::User;
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
        s.last_answer_lost = last.outcome == Some(AttemptOutcome::Unknown);
        if last.outcome == Some(AttemptOutcome::Failed) {
            s.last_failure = Some(AttemptFailure {
                kind: GraphErrorKind::from_str_lossy(last.error_kind.as_deref().unwrap_or("other")),
                code: last.meta_code,
                subcode: last.meta_subcode,
                at: at(last.started_at),
            });
        }
    }
    for r in rows.iter().filter(|r| is_auto(r)) {
        match r.outcome {
            Some(AttemptOutcome::Failed) => s.consecutive_auto_failures += 1,
            Some(AttemptOutcome::Success) => break,
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
            trigger: TriggerKind::parse(trigger),
            user_id: None,
            started_at: started,
            finished_at: outcome.map(|_| started + 1),
            outcome: outcome.map(AttemptOutcome::parse),
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
    fn stored_names_parse_back_and_unknown_ones_are_kept() {
        for (outcome, name) in [
            (AttemptOutcome::Success, "success"),
            (AttemptOutcome::Failed, "failed"),
            (AttemptOutcome::Unknown, "unknown"),
        ] {
            assert_eq!(outcome.as_str(), name);
            assert_eq!(AttemptOutcome::parse(name), outcome);
            assert_eq!(name.parse::<AttemptOutcome>(), Ok(outcome));
        }
        assert_eq!(
            AttemptOutcome::parse("abandoned"),
            AttemptOutcome::Other("abandoned".into())
        );
        assert_eq!(AttemptOutcome::parse("abandoned").as_str(), "abandoned");
        for trigger in [Trigger::User(7), Trigger::Auto, Trigger::Webhook] {
            let kind = TriggerKind::parse(trigger.as_str());
            assert_eq!(kind, trigger.kind());
            assert_eq!(kind.as_str(), trigger.as_str());
            assert_eq!(
                Trigger::from_stored(&kind, trigger.user_id()),
                Some(trigger)
            );
        }
        assert_eq!(
            Trigger::from_stored(&TriggerKind::User, None),
            None,
            "the user was deleted"
        );
        let other = TriggerKind::parse("cron");
        assert_eq!(other, TriggerKind::Other("cron".into()));
        assert_eq!(Trigger::from_stored(&other, None), None);
        assert_eq!(
            serde_json::to_value(&AttemptOutcome::Failed).unwrap(),
            serde_json::json!("failed")
        );
    }

    #[test]
    fn an_unfinished_attempt_counts_against_the_budget_but_is_no_failure() {
        let rows = vec![row(1, "user", 999_990, None, None)];
        let s = summarize(&rows, at(1_000_000));
        assert_eq!(s.attempts_in_window, 1);
        assert!(s.last_failure.is_none());
    }
}
