//! The verification-code ledger: every `request_code` and `verify_code` call Greenlight made for a
//! number (never the code), and the budget of code requests counted from it.
//!
//! Meta limits how often a number may be sent a code but does not document the figures; Greenlight
//! keeps below a cautious budget of its own ([`CODE_REQUESTS_PER_DAY`], one request per
//! [`CODE_REQUEST_SPACING_SECS`]) and, once Meta refused a request as limited, waits
//! [`HOLD_AFTER_LIMITED_SECS`] before asking again.
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::graph::CodeRefusal;
use crate::graph::GraphErrorKind;

/// Code requests per number in [`DAY_SECS`].
pub const CODE_REQUESTS_PER_DAY: u32 = 5;
/// Seconds between two code requests for one number (an SMS can take a minute to arrive).
pub const CODE_REQUEST_SPACING_SECS: i64 = 60;
/// Seconds Greenlight waits after Meta refused a code request as limited.
pub const HOLD_AFTER_LIMITED_SECS: i64 = 3600;
const DAY_SECS: i64 = 24 * 3600;

/// Which call a row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `POST /{phone}/request_code`.
    Request,
    /// `POST /{phone}/verify_code`.
    Verify,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Request => "request",
            Step::Verify => "verify",
        }
    }
}

/// How Meta answered one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    Success,
    /// Refused; with what the refusal means for the flow.
    Failed(CodeRefusal),
    /// The answer was lost.
    Unknown,
}

/// One call to record.
pub struct NewCall<'a> {
    pub inbox_id: i64,
    pub phone_number_id: &'a str,
    pub user_id: i64,
    pub step: Step,
    /// `SMS` or `VOICE` for a request.
    pub code_method: Option<&'a str>,
    pub at: i64,
    pub outcome: CallOutcome,
    pub error_kind: Option<GraphErrorKind>,
    pub meta_code: Option<i64>,
    pub meta_subcode: Option<i64>,
    /// Safe words (never Meta's raw body, never the code).
    pub message: Option<&'a str>,
}

/// A code request as the budget counts it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestRow {
    pub at: i64,
    pub outcome: String,
    /// `request_limited` when Meta refused it as limited.
    pub refusal: Option<String>,
}

/// What the budget allows now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBudget {
    /// Code requests Greenlight still makes in the current 24 hours.
    pub requests_left: u32,
    /// When the next request may be made (unix seconds); `None` when it may be made now.
    pub next_request_at: Option<i64>,
}

impl CodeBudget {
    /// A request may be made at `now`.
    pub fn allows(&self, now: i64) -> bool {
        self.next_request_at.is_none_or(|t| t <= now)
    }
}

/// The budget at `now` from the number's code requests of the last 24 hours (any order).
pub fn budget(requests: &[RequestRow], now: i64) -> CodeBudget {
    let recent: Vec<&RequestRow> = requests.iter().filter(|r| r.at > now - DAY_SECS).collect();
    // A request Meta refused did not send a code, and counts only through the hold below.
    let sent: Vec<i64> = recent
        .iter()
        .filter(|r| r.outcome != "failed")
        .map(|r| r.at)
        .collect();
    let requests_left = CODE_REQUESTS_PER_DAY.saturating_sub(sent.len() as u32);
    let mut next: Option<i64> = None;
    let mut later = |t: i64| {
        if t > now {
            next = Some(next.map_or(t, |n: i64| n.max(t)));
        }
    };
    if let Some(last) = sent.iter().max() {
        later(last + CODE_REQUEST_SPACING_SECS);
    }
    if requests_left == 0 {
        // The oldest counted request leaves the window first.
        if let Some(oldest) = sent.iter().min() {
            later(oldest + DAY_SECS);
        }
    }
    if let Some(limited) = recent
        .iter()
        .filter(|r| r.refusal.as_deref() == Some("request_limited"))
        .map(|r| r.at)
        .max()
    {
        later(limited + HOLD_AFTER_LIMITED_SECS);
    }
    CodeBudget {
        requests_left,
        next_request_at: next,
    }
}

/// Every SQL statement on `verification_requests`.
#[derive(Clone)]
pub struct VerificationStore {
    db: Db,
}

impl VerificationStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        VerificationStore { db }
    }

    /// Records one call.
    pub async fn record(&self, c: NewCall<'_>) -> sqlx::Result<()> {
        let (outcome, refusal) = match c.outcome {
            CallOutcome::Success => ("success", None),
            CallOutcome::Unknown => ("unknown", None),
            CallOutcome::Failed(r) => ("failed", Some(r)),
        };
        // The refusal's meaning is kept in `error_kind` when it is a code refusal of its own.
        let error_kind = match refusal {
            Some(CodeRefusal::RequestLimited) => Some("request_limited".to_owned()),
            Some(CodeRefusal::WrongCode) => Some("wrong_code".to_owned()),
            _ => c.error_kind.map(|k| k.as_str().to_owned()),
        };
        sqlx::query(
            "INSERT INTO verification_requests (inbox_id, phone_number_id, user_id, step, code_method, at,
               outcome, error_kind, meta_code, meta_subcode, meta_message)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(c.inbox_id)
        .bind(c.phone_number_id)
        .bind(c.user_id)
        .bind(c.step.as_str())
        .bind(c.code_method)
        .bind(c.at)
        .bind(outcome)
        .bind(error_kind)
        .bind(c.meta_code)
        .bind(c.meta_subcode)
        .bind(c.message)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// The number's code requests since `since` (unix seconds), across inboxes and accounts: Meta's
    /// limit is the number's.
    pub async fn requests_since(
        &self,
        phone_number_id: &str,
        since: i64,
    ) -> sqlx::Result<Vec<RequestRow>> {
        sqlx::query_as(
            "SELECT at, outcome, error_kind AS refusal FROM verification_requests
             WHERE phone_number_id = $1 AND step = 'request' AND at > $2 ORDER BY at",
        )
        .bind(phone_number_id)
        .bind(since)
        .fetch_all(&self.db)
        .await
    }

    /// The budget of code requests for the number at `now`.
    pub async fn budget(&self, phone_number_id: &str, now: i64) -> sqlx::Result<CodeBudget> {
        Ok(budget(
            &self.requests_since(phone_number_id, now - DAY_SECS).await?,
            now,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: i64, outcome: &str, refusal: Option<&str>) -> RequestRow {
        RequestRow {
            at,
            outcome: outcome.into(),
            refusal: refusal.map(Into::into),
        }
    }

    #[test]
    fn requests_are_spaced_counted_per_day_and_held_after_meta_limits_them() {
        let now = 1_000_000;
        assert_eq!(
            budget(&[], now),
            CodeBudget {
                requests_left: CODE_REQUESTS_PER_DAY,
                next_request_at: None
            }
        );
        let b = budget(&[row(now - 10, "success", None)], now);
        assert_eq!(b.requests_left, CODE_REQUESTS_PER_DAY - 1);
        assert_eq!(b.next_request_at, Some(now + 50));
        assert!(!b.allows(now) && b.allows(now + 50));

        let day: Vec<RequestRow> = (0..5)
            .map(|k| row(now - 20_000 + k * 1000, "success", None))
            .collect();
        let b = budget(&day, now);
        assert_eq!(b.requests_left, 0);
        assert_eq!(b.next_request_at, Some(now - 20_000 + DAY_SECS));
        // A day later the oldest has left the window.
        assert!(budget(&day, now - 20_000 + DAY_SECS + 1).allows(now - 20_000 + DAY_SECS + 1));

        let limited = [row(now - 100, "failed", Some("request_limited"))];
        let b = budget(&limited, now);
        assert_eq!(
            b.requests_left, CODE_REQUESTS_PER_DAY,
            "a refused request sent no code"
        );
        assert_eq!(b.next_request_at, Some(now - 100 + HOLD_AFTER_LIMITED_SECS));
        // Another refusal (not a limit) does not hold.
        assert!(budget(&[row(now - 100, "failed", Some("other"))], now).allows(now));
    }
}
