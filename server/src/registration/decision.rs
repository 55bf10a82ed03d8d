//! The registration decision: one pure function, [`decide`], that turns the latest health read and the attempt
//! log into a [`RegistrationState`] and says whether Greenlight may call `POST /{phone}/register` now.
//!
//! No I/O and no wall clock: the caller passes `now`. The contract is DESIGN.md's table:
//!
//! | state | when |
//! |---|---|
//! | `registered` | `platform_type = CLOUD_API` with a throughput level other than `NOT_APPLICABLE`, or `status = CONNECTED` |
//! | `action_required` | name `DECLINED`/`REJECTED`/`EXPIRED`/`NONE`; token refused (190); PIN mismatch (133005); re-verification needed (133006); account locked (131031); coexistence number not registered |
//! | `rate_limited` | Meta answered 133016 less than 72 h ago, or Greenlight's own budget (10 per 72 h) is spent |
//! | `awaiting_display_name` | `name_status = PENDING_REVIEW`, or the last attempt failed with 2388001 |
//! | `ready` | none of the above: register now, or at `next_attempt_at` under the back-off |
//! | `unknown` | the health read failed: never write to Meta |
//!
//! When several rows match, the first row of this list wins (so a declined name is reported before a spent
//! budget, and a spent budget before a display name in review).

use app::i18n::Locale;
use app::tr;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::graph::{
    CodeVerificationStatus, GraphError, GraphErrorKind, NameStatus, PhoneNumberHealth,
};

// The rules around `decide` (which trigger may call, the webhook waiver, Meta's answer and the read
// after it, the retrier's "read again or wait") live in their own pure module; they are part of the
// decision, so they are reachable from here too.
pub use super::rules::{
    attempt_result, call_permission, confirmation, retrier_step, webhook_waiver, AttemptResult,
    CallAnswer, CallPermission, CallRule, Confirmation, MetaError, ReadAgainBecause, RetrierStep,
    WaitFor, WebhookWaiver,
};

/// Register calls per number per moving window, manual and automatic together (Meta's limit).
pub const REGISTER_BUDGET_PER_WINDOW: u32 = 10;
/// Of those, how many the automatic retrier may use.
pub const AUTO_BUDGET_PER_WINDOW: u32 = 6;
/// Meta's moving window for the register budget.
pub const WINDOW: TimeDelta = TimeDelta::hours(72);
/// How long Meta blocks registration after answering 133016.
pub const META_LOCKOUT: TimeDelta = TimeDelta::hours(72);
/// Delay of the next automatic attempt after the last attempt, indexed by consecutive automatic failures
/// (the last entry repeats).
pub const BACKOFF: [TimeDelta; 6] = [
    TimeDelta::zero(),
    TimeDelta::minutes(10),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(6),
    TimeDelta::hours(12),
];
/// After a call Meta accepted, how long to wait for the read to show the number as registered before trying
/// again automatically.
pub const CONFIRMATION_WAIT: TimeDelta = TimeDelta::minutes(10);

/// The registration state of one number (shown by the UI and the API; drives the banner). One type for the
/// server and the wire: it lives in `app` because it crosses the wire.
pub use app::health::RegistrationState;

/// Why the decision came out as it did: a stable code next to the plain-words `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    // registered
    Registered,
    RegisteredCoexistence,
    // action_required
    TokenInvalid,
    TokenLacksPermission,
    PinMismatch,
    ReverificationNeeded,
    /// Meta answered 131031: the WhatsApp Business Account is locked.
    AccountLocked,
    NameDeclined,
    NameExpired,
    NameMissing,
    Coexistence,
    // rate_limited
    MetaRateLimited,
    BudgetSpent,
    // awaiting_display_name
    NamePendingReview,
    NameNotReady,
    // ready
    Ready,
    RetryScheduled,
    AutoBudgetSpent,
    AwaitingConfirmation,
    // unknown
    ReadFailed,
}

impl ReasonCode {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Registered => "registered",
            ReasonCode::RegisteredCoexistence => "registered_coexistence",
            ReasonCode::TokenInvalid => "token_invalid",
            ReasonCode::TokenLacksPermission => "token_lacks_permission",
            ReasonCode::PinMismatch => "pin_mismatch",
            ReasonCode::ReverificationNeeded => "reverification_needed",
            ReasonCode::AccountLocked => "account_locked",
            ReasonCode::NameDeclined => "name_declined",
            ReasonCode::NameExpired => "name_expired",
            ReasonCode::NameMissing => "name_missing",
            ReasonCode::Coexistence => "coexistence",
            ReasonCode::MetaRateLimited => "meta_rate_limited",
            ReasonCode::BudgetSpent => "budget_spent",
            ReasonCode::NamePendingReview => "name_pending_review",
            ReasonCode::NameNotReady => "name_not_ready",
            ReasonCode::Ready => "ready",
            ReasonCode::RetryScheduled => "retry_scheduled",
            ReasonCode::AutoBudgetSpent => "auto_budget_spent",
            ReasonCode::AwaitingConfirmation => "awaiting_confirmation",
            ReasonCode::ReadFailed => "read_failed",
        }
    }
}

/// How the most recent register attempt failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptFailure {
    pub kind: GraphErrorKind,
    /// Meta's `error.code`, when Meta answered.
    pub code: Option<i64>,
    /// Meta's `error.error_subcode`, when sent.
    pub subcode: Option<i64>,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
}

impl AttemptFailure {
    /// The failure record of an attempt that ended with `error` at `at`.
    pub fn from_error(error: &GraphError, at: DateTime<Utc>) -> AttemptFailure {
        AttemptFailure {
            kind: error.kind(),
            code: error.code(),
            subcode: error.subcode(),
            at,
        }
    }
}

/// What the attempt log says about one number, computed by the ledger for the same `now` passed to [`decide`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerSummary {
    /// Register calls (manual and automatic, any outcome) in the window `(now - WINDOW, now]`.
    pub attempts_in_window: u32,
    /// Of those, the automatic ones.
    pub auto_attempts_in_window: u32,
    /// The failure of the most recent attempt; `None` when it succeeded or there was none.
    pub last_failure: Option<AttemptFailure>,
    /// When the most recent attempt (manual or automatic) was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The oldest attempt in the window: when it leaves the window, one call is available again.
    pub oldest_in_window: Option<DateTime<Utc>>,
    /// The oldest automatic attempt in the window: when it leaves, one automatic call is available again.
    pub oldest_auto_in_window: Option<DateTime<Utc>>,
    /// Automatic attempts that failed in a row since the last success (manual attempts neither count nor
    /// reset it). Drives [`BACKOFF`].
    pub consecutive_auto_failures: u32,
    /// End of a lock-out Meta imposed (133016), as recorded by the ledger.
    pub rate_limited_until: Option<DateTime<Utc>>,
    /// The most recent finished attempt's answer was lost (`unknown`): Meta may or may not have
    /// applied it.
    pub last_answer_lost: bool,
}

/// The outcome of [`decide`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub state: RegistrationState,
    pub reason_code: ReasonCode,
    /// Plain words for people: what is wrong, what happens next, what an admin must do (in
    /// English, for logs and answers; [`Decision::reason_in`] gives it in a page's language).
    pub reason: String,
    /// The sentences `reason` is made of, to be put in another language.
    #[serde(skip)]
    pub words: Vec<Sentence>,
    /// When Greenlight will (or may) call Meta next; `None` when it waits for something else (a name review,
    /// an admin).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// An admin's **Complete registration** click may call Meta now.
    pub may_register_now: bool,
    /// The automatic retrier may call Meta now.
    pub may_auto_register_now: bool,
    /// Register calls left in the current window (manual and automatic together).
    pub attempts_left_in_window: u32,
}

/// One sentence of a decision's reason, before it is put in a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sentence {
    Registered,
    RegisteredCoexistence,
    Coexistence,
    /// The verified name, when Meta gave one.
    NameInReview(Option<String>),
    NameNotReady,
    /// Meta accepted the attempt at the first time; Greenlight checks again at the second.
    Accepted(DateTime<Utc>, DateTime<Utc>),
    /// Meta's answer to the attempt at the first time was lost; Greenlight checks again at the second.
    AnswerLost(DateTime<Utc>, DateTime<Utc>),
    LastAttemptFailed(GraphErrorKind),
    /// Meta's raw code verification status.
    NotVerified(String),
    NotRegistered,
    TokenRefusedOnRead,
    ReadFailed(GraphErrorKind),
    NameDeclined(Option<String>),
    NameExpired,
    NameMissing,
    TokenRefusedOnAttempt,
    TokenLacksPermission,
    PinMismatch,
    ReverificationNeeded,
    AccountLocked,
    PossibleAgainFrom(DateTime<Utc>),
    MetaLocked(DateTime<Utc>),
    BudgetSpent(DateTime<Utc>),
    /// Attempts left for an admin, and when automatic attempts resume.
    AutoBudgetSpent(u32, DateTime<Utc>),
    RegisterNow,
    TryAgainAt(DateTime<Utc>),
}

impl Sentence {
    /// The sentence in `l`.
    pub fn text(&self, l: Locale) -> String {
        use Sentence::*;
        let at = |t: &DateTime<Utc>| {
            app::format::short_time(&t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), l)
        };
        let name = |n: &Option<String>| match n {
            Some(n) => tr!(l, health.reg.quoted_name, name = n),
            None => String::new(),
        };
        match self {
            Registered => tr!(l, health.reg.registered),
            RegisteredCoexistence => tr!(l, health.reg.registered_coexistence),
            Coexistence => tr!(l, health.reg.coexistence),
            NameInReview(n) => tr!(l, health.reg.name_in_review, name = name(n)),
            NameNotReady => tr!(l, health.reg.name_not_ready),
            Accepted(a, b) => tr!(l, health.reg.accepted, at = at(a), check = at(b)),
            AnswerLost(a, b) => tr!(l, health.reg.answer_lost, at = at(a), check = at(b)),
            LastAttemptFailed(kind) => {
                tr!(
                    l,
                    health.reg.last_attempt_failed,
                    why = kind_words(*kind, l)
                )
            }
            NotVerified(status) => tr!(l, health.reg.not_verified, status = status),
            NotRegistered => tr!(l, health.reg.not_registered),
            TokenRefusedOnRead => tr!(l, health.reg.token_refused_read),
            ReadFailed(kind) => {
                let what = match kind {
                    GraphErrorKind::Permission => tr!(l, health.reg.read.permission),
                    GraphErrorKind::NotFound => tr!(l, health.reg.read.not_found),
                    GraphErrorKind::Throttled => tr!(l, health.reg.read.throttled),
                    GraphErrorKind::Transient => tr!(l, health.reg.read.transient),
                    _ => tr!(l, health.reg.read.other),
                };
                tr!(l, health.reg.read_failed, what = what)
            }
            NameDeclined(n) => tr!(l, health.reg.name_declined, name = name(n)),
            NameExpired => tr!(l, health.reg.name_expired),
            NameMissing => tr!(l, health.reg.name_missing),
            TokenRefusedOnAttempt => tr!(l, health.reg.token_refused_attempt),
            TokenLacksPermission => tr!(l, health.reg.token_lacks_permission),
            PinMismatch => tr!(l, health.reg.pin_mismatch),
            ReverificationNeeded => tr!(l, health.reg.reverification_needed),
            AccountLocked => tr!(l, health.reg.account_locked),
            PossibleAgainFrom(t) => tr!(l, health.reg.possible_again_from, at = at(t)),
            MetaLocked(t) => tr!(l, health.reg.meta_locked, at = at(t)),
            BudgetSpent(t) => tr!(
                l,
                health.reg.budget_spent,
                n = REGISTER_BUDGET_PER_WINDOW,
                at = at(t)
            ),
            AutoBudgetSpent(left, t) => tr!(
                l,
                health.reg.auto_budget_spent,
                n = AUTO_BUDGET_PER_WINDOW,
                left = left,
                at = at(t)
            ),
            RegisterNow => tr!(l, health.reg.register_now),
            TryAgainAt(t) => tr!(l, health.reg.try_again_at, at = at(t)),
        }
    }
}

/// Why a call to Meta failed, in a few words (the English ones are [`GraphErrorKind::label`]).
fn kind_words(kind: GraphErrorKind, l: Locale) -> String {
    match kind {
        GraphErrorKind::TokenInvalid => tr!(l, health.reg.kind.token_invalid),
        GraphErrorKind::RegisterQuotaExhausted => tr!(l, health.reg.kind.quota_exhausted),
        GraphErrorKind::DisplayNameNotReady => tr!(l, health.reg.kind.name_not_ready),
        GraphErrorKind::PinMismatch => tr!(l, health.reg.kind.pin_mismatch),
        GraphErrorKind::ReverificationNeeded => tr!(l, health.reg.kind.reverification_needed),
        GraphErrorKind::Throttled => tr!(l, health.reg.kind.throttled),
        GraphErrorKind::Transient => tr!(l, health.reg.kind.transient),
        GraphErrorKind::NotFound => tr!(l, health.reg.kind.not_found),
        GraphErrorKind::Permission => tr!(l, health.reg.kind.permission),
        GraphErrorKind::Other => tr!(l, health.reg.kind.other),
    }
}

/// Sentences in `l`, one after the other.
fn say(words: &[Sentence], l: Locale) -> String {
    words
        .iter()
        .map(|w| w.text(l))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Decision {
    /// The reason in `l` (the English `reason` when the sentences are not known).
    pub fn reason_in(&self, l: Locale) -> String {
        if self.words.is_empty() {
            self.reason.clone()
        } else {
            say(&self.words, l)
        }
    }
}

/// Decides what Greenlight does with one number.
///
/// `read` is the latest health read (or the kind of error it failed with); `ledger` summarises the attempt log
/// at `now`.
pub fn decide(
    read: Result<&PhoneNumberHealth, GraphErrorKind>,
    ledger: &LedgerSummary,
    now: DateTime<Utc>,
) -> Decision {
    let budget = Budget::new(ledger, now);
    let health = match read {
        Ok(health) => health,
        Err(kind) => return decide_on_failed_read(kind, &budget),
    };

    // 1. Registered: nothing to do.
    if health.is_registered() {
        return if health.is_coexistence() {
            budget.hold(
                RegistrationState::Registered,
                ReasonCode::RegisteredCoexistence,
                vec![Sentence::RegisteredCoexistence],
            )
        } else {
            budget.hold(
                RegistrationState::Registered,
                ReasonCode::Registered,
                vec![Sentence::Registered],
            )
        };
    }

    // 2. Action required: only a person can unblock these.
    if health.is_coexistence() {
        return budget.hold(
            RegistrationState::ActionRequired,
            ReasonCode::Coexistence,
            vec![Sentence::Coexistence],
        );
    }
    if let Some(decision) = decide_on_unusable_name(health, &budget) {
        return decision;
    }
    if let Some(decision) = decide_on_failure_needing_admin(ledger, &budget) {
        return decision;
    }

    // 3. Rate limited: Meta's lock-out or Greenlight's own budget.
    if let Some(decision) = budget.rate_limited() {
        return decision;
    }

    // 4. Awaiting the display name.
    if health.name_status == Some(NameStatus::PendingReview) {
        return budget.hold(
            RegistrationState::AwaitingDisplayName,
            ReasonCode::NamePendingReview,
            vec![Sentence::NameInReview(quoted_name(health))],
        );
    }
    let last_failure_kind = ledger.last_failure.as_ref().map(|failure| failure.kind);
    if last_failure_kind == Some(GraphErrorKind::DisplayNameNotReady) {
        let mut decision = budget.schedule(
            RegistrationState::AwaitingDisplayName,
            ReasonCode::NameNotReady,
            Sentence::NameNotReady,
        );
        // Re-checked at once on a `phone_number_name_update` webhook; otherwise on the back-off schedule.
        if decision.reason_code == ReasonCode::AutoBudgetSpent {
            decision.reason_code = ReasonCode::NameNotReady;
        }
        return decision;
    }

    // 5. Ready.
    if let (Some(last), None) = (ledger.last_attempt_at, &ledger.last_failure) {
        let confirm_by = last + CONFIRMATION_WAIT;
        if now < confirm_by {
            let words = vec![if ledger.last_answer_lost {
                Sentence::AnswerLost(last, confirm_by)
            } else {
                Sentence::Accepted(last, confirm_by)
            }];
            return Decision {
                state: RegistrationState::Ready,
                reason_code: ReasonCode::AwaitingConfirmation,
                reason: say(&words, Locale::en),
                words,
                next_attempt_at: Some(confirm_by),
                // Still allowed: the ledger cannot tell "accepted, never shown registered" from
                // "shown registered, then moved back by Meta" (a number deleted and added again),
                // and the second needs the press. The page disables the button after a press.
                may_register_now: budget.may_call(),
                may_auto_register_now: false,
                attempts_left_in_window: budget.left,
            };
        }
    }
    let intro = match (&ledger.last_failure, &health.code_verification_status) {
        (Some(failure), _) => Sentence::LastAttemptFailed(failure.kind),
        (
            None,
            Some(
                status @ (CodeVerificationStatus::NotVerified
                | CodeVerificationStatus::Expired
                | CodeVerificationStatus::Unverified),
            ),
        ) => Sentence::NotVerified(status.as_str().to_owned()),
        (None, _) => Sentence::NotRegistered,
    };
    let code = if ledger.last_failure.is_some() {
        ReasonCode::RetryScheduled
    } else {
        ReasonCode::Ready
    };
    budget.schedule(RegistrationState::Ready, code, intro)
}

fn decide_on_failed_read(kind: GraphErrorKind, budget: &Budget) -> Decision {
    if kind == GraphErrorKind::TokenInvalid {
        return budget.hold(
            RegistrationState::ActionRequired,
            ReasonCode::TokenInvalid,
            vec![Sentence::TokenRefusedOnRead],
        );
    }
    budget.hold(
        RegistrationState::Unknown,
        ReasonCode::ReadFailed,
        vec![Sentence::ReadFailed(kind)],
    )
}

fn decide_on_unusable_name(health: &PhoneNumberHealth, budget: &Budget) -> Option<Decision> {
    let (code, reason) = match health.name_status.as_ref()? {
        NameStatus::Declined | NameStatus::Rejected => (
            ReasonCode::NameDeclined,
            Sentence::NameDeclined(quoted_name(health)),
        ),
        NameStatus::Expired => (ReasonCode::NameExpired, Sentence::NameExpired),
        NameStatus::None => (ReasonCode::NameMissing, Sentence::NameMissing),
        _ => return None,
    };
    Some(budget.hold(RegistrationState::ActionRequired, code, vec![reason]))
}

/// 190, permission errors, 133005, 133006 and 131031 on the last attempt: a person must fix something, then press
/// **Complete registration** (allowed while the budget lasts; the next attempt's outcome replaces this state).
fn decide_on_failure_needing_admin(ledger: &LedgerSummary, budget: &Budget) -> Option<Decision> {
    let failure = ledger.last_failure.as_ref()?;
    let (code, reason) = match failure.kind {
        GraphErrorKind::TokenInvalid => (ReasonCode::TokenInvalid, Sentence::TokenRefusedOnAttempt),
        GraphErrorKind::Permission => (
            ReasonCode::TokenLacksPermission,
            Sentence::TokenLacksPermission,
        ),
        GraphErrorKind::PinMismatch => (ReasonCode::PinMismatch, Sentence::PinMismatch),
        GraphErrorKind::ReverificationNeeded => (
            ReasonCode::ReverificationNeeded,
            Sentence::ReverificationNeeded,
        ),
        // 131031 has no kind of its own (Meta sends it as a plain 403), but retrying cannot help.
        _ if failure.code == Some(131031) => (ReasonCode::AccountLocked, Sentence::AccountLocked),
        _ => return None,
    };
    let mut words = vec![reason];
    if let Some(until) = budget.blocked_until {
        words.push(Sentence::PossibleAgainFrom(until));
    }
    Some(Decision {
        state: RegistrationState::ActionRequired,
        reason_code: code,
        reason: say(&words, Locale::en),
        words,
        next_attempt_at: budget.blocked_until,
        may_register_now: budget.may_call(),
        may_auto_register_now: false,
        attempts_left_in_window: budget.left,
    })
}

/// The budget arithmetic of one decision.
struct Budget<'a> {
    ledger: &'a LedgerSummary,
    now: DateTime<Utc>,
    /// Calls left in the window (manual + automatic).
    left: u32,
    /// Automatic calls left in the window (never more than `left`).
    auto_left: u32,
    /// Meta's 133016 lock-out, while it lasts.
    meta_lock_until: Option<DateTime<Utc>>,
    /// When the spent budget allows one call again, while it is spent.
    refill_at: Option<DateTime<Utc>>,
    /// The later of the two: no call before this.
    blocked_until: Option<DateTime<Utc>>,
}

impl<'a> Budget<'a> {
    fn new(ledger: &'a LedgerSummary, now: DateTime<Utc>) -> Budget<'a> {
        let left = REGISTER_BUDGET_PER_WINDOW.saturating_sub(ledger.attempts_in_window);
        let auto_left = AUTO_BUDGET_PER_WINDOW
            .saturating_sub(ledger.auto_attempts_in_window)
            .min(left);
        let lock_from_failure = ledger
            .last_failure
            .as_ref()
            .filter(|failure| failure.kind == GraphErrorKind::RegisterQuotaExhausted)
            .map(|failure| failure.at + META_LOCKOUT);
        let meta_lock_until = ledger
            .rate_limited_until
            .max(lock_from_failure)
            .filter(|until| *until > now);
        let refill_at = (left == 0).then(|| {
            ledger
                .oldest_in_window
                .or(ledger.last_attempt_at)
                .map_or(now + WINDOW, |oldest| oldest + WINDOW)
                .max(now)
        });
        let blocked_until = meta_lock_until.max(refill_at);
        Budget {
            ledger,
            now,
            left,
            auto_left,
            meta_lock_until,
            refill_at,
            blocked_until,
        }
    }

    /// A manual call is allowed by the budget and Meta's lock-out.
    fn may_call(&self) -> bool {
        self.blocked_until.is_none()
    }

    /// A decision that makes no call and schedules none.
    fn hold(
        &self,
        state: RegistrationState,
        reason_code: ReasonCode,
        words: Vec<Sentence>,
    ) -> Decision {
        Decision {
            state,
            reason_code,
            reason: say(&words, Locale::en),
            words,
            next_attempt_at: None,
            may_register_now: false,
            may_auto_register_now: false,
            attempts_left_in_window: self.left,
        }
    }

    /// `rate_limited` when Meta's lock-out or the spent budget forbids calling now.
    fn rate_limited(&self) -> Option<Decision> {
        let until = self.blocked_until?;
        let meta_is_later =
            self.meta_lock_until.is_some() && self.meta_lock_until >= self.refill_at;
        let (code, words) = if meta_is_later {
            (
                ReasonCode::MetaRateLimited,
                vec![Sentence::MetaLocked(until)],
            )
        } else {
            (ReasonCode::BudgetSpent, vec![Sentence::BudgetSpent(until)])
        };
        Some(Decision {
            state: RegistrationState::RateLimited,
            reason_code: code,
            reason: say(&words, Locale::en),
            words,
            next_attempt_at: Some(until),
            may_register_now: false,
            may_auto_register_now: false,
            attempts_left_in_window: self.left,
        })
    }

    /// When the automatic retrier may try next: the back-off after the last attempt, and (if its own budget is
    /// spent) when its oldest attempt leaves the window.
    fn next_auto_attempt_at(&self) -> DateTime<Utc> {
        let ledger = self.ledger;
        let mut step = ledger.consecutive_auto_failures as usize;
        if ledger.last_failure.is_some() {
            // Any failed attempt, even a manual one, is followed by at least the first pause.
            step = step.max(1);
        }
        let backoff_at = ledger
            .last_attempt_at
            .map_or(self.now, |last| last + BACKOFF[step.min(BACKOFF.len() - 1)]);
        let auto_refill_at = (self.auto_left == 0).then(|| {
            ledger
                .oldest_auto_in_window
                .or(ledger.oldest_in_window)
                .map_or(self.now + WINDOW, |oldest| oldest + WINDOW)
        });
        backoff_at
            .max(auto_refill_at.unwrap_or(backoff_at))
            .max(self.now)
    }

    /// A decision that registers now or at the back-off time (the budget is known not to be spent).
    fn schedule(&self, state: RegistrationState, code: ReasonCode, intro: Sentence) -> Decision {
        let next = self.next_auto_attempt_at();
        let auto_now = self.auto_left > 0 && next <= self.now;
        let (code, outcome) = if self.auto_left == 0 {
            (
                ReasonCode::AutoBudgetSpent,
                Sentence::AutoBudgetSpent(self.left, next),
            )
        } else if auto_now {
            (code, Sentence::RegisterNow)
        } else {
            (code, Sentence::TryAgainAt(next))
        };
        let words = vec![intro, outcome];
        Decision {
            state,
            reason_code: code,
            reason: say(&words, Locale::en),
            words,
            next_attempt_at: Some(next),
            may_register_now: self.may_call(),
            may_auto_register_now: auto_now && self.may_call(),
            attempts_left_in_window: self.left,
        }
    }
}

fn quoted_name(health: &PhoneNumberHealth) -> Option<String> {
    match health.verified_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Some(name.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_fixtures::phone_fixture;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn now() -> DateTime<Utc> {
        at("2025-07-01T12:00:00Z")
    }

    fn failure(
        kind: GraphErrorKind,
        code: i64,
        subcode: Option<i64>,
        when: DateTime<Utc>,
    ) -> AttemptFailure {
        AttemptFailure {
            kind,
            code: Some(code),
            subcode,
            at: when,
        }
    }

    fn decide_fixture(name: &str, ledger: &LedgerSummary) -> Decision {
        let health = phone_fixture(name);
        decide(Ok(&health), ledger, now())
    }

    /// A ledger whose last (automatic) attempt failed with `kind` at `last`.
    fn failed_ledger(
        kind: GraphErrorKind,
        code: i64,
        subcode: Option<i64>,
        last: DateTime<Utc>,
    ) -> LedgerSummary {
        LedgerSummary {
            attempts_in_window: 1,
            auto_attempts_in_window: 1,
            last_failure: Some(failure(kind, code, subcode, last)),
            last_attempt_at: Some(last),
            oldest_in_window: Some(last),
            oldest_auto_in_window: Some(last),
            consecutive_auto_failures: 1,
            rate_limited_until: None,
            last_answer_lost: false,
        }
    }

    #[test]
    fn decision_table_from_fixtures_with_an_empty_ledger() {
        use ReasonCode as R;
        use RegistrationState as S;
        let cases: [(&str, S, R, bool); 15] = [
            (
                "phone_healthy_cloud_api.json",
                S::Registered,
                R::Registered,
                false,
            ),
            (
                "phone_connected_code_expired.json",
                S::Registered,
                R::Registered,
                false,
            ),
            (
                "phone_not_verified_connected.json",
                S::Registered,
                R::Registered,
                false,
            ),
            (
                "phone_extra_fields.json",
                S::Registered,
                R::Registered,
                false,
            ),
            (
                "phone_coexistence.json",
                S::Registered,
                R::RegisteredCoexistence,
                false,
            ),
            (
                "phone_coexistence_pending.json",
                S::ActionRequired,
                R::Coexistence,
                false,
            ),
            (
                "phone_pending_review_unregistered.json",
                S::AwaitingDisplayName,
                R::NamePendingReview,
                false,
            ),
            (
                "phone_name_declined.json",
                S::ActionRequired,
                R::NameDeclined,
                false,
            ),
            (
                "phone_name_expired.json",
                S::ActionRequired,
                R::NameExpired,
                false,
            ),
            (
                "phone_name_none.json",
                S::ActionRequired,
                R::NameMissing,
                false,
            ),
            ("phone_approved_unregistered.json", S::Ready, R::Ready, true),
            (
                "phone_throughput_not_applicable.json",
                S::Ready,
                R::Ready,
                true,
            ),
            (
                "phone_not_verified_unregistered.json",
                S::Ready,
                R::Ready,
                true,
            ),
            ("phone_unknown_values.json", S::Ready, R::Ready, true),
            ("phone_nulls_and_missing.json", S::Ready, R::Ready, true),
        ];
        for (name, state, code, registers) in cases {
            let decision = decide_fixture(name, &LedgerSummary::default());
            assert_eq!(
                (decision.state, decision.reason_code),
                (state, code),
                "{name}: {decision:?}"
            );
            assert_eq!(decision.may_register_now, registers, "{name}");
            assert_eq!(decision.may_auto_register_now, registers, "{name}");
            assert_eq!(decision.next_attempt_at, registers.then(now), "{name}");
            assert_eq!(
                decision.attempts_left_in_window, REGISTER_BUDGET_PER_WINDOW,
                "{name}"
            );
            assert!(!decision.reason.is_empty(), "{name}");
        }
    }

    #[test]
    fn throughput_only_not_applicable_registers_now() {
        let decision = decide_fixture(
            "phone_throughput_not_applicable.json",
            &LedgerSummary::default(),
        );
        assert_eq!(decision.state, RegistrationState::Ready);
        assert!(decision.may_auto_register_now);
        assert!(
            decision.reason.contains("register it now"),
            "{}",
            decision.reason
        );
    }

    #[test]
    fn not_verified_is_ready_until_meta_answers_133006() {
        let decision = decide_fixture(
            "phone_not_verified_unregistered.json",
            &LedgerSummary::default(),
        );
        assert_eq!(decision.state, RegistrationState::Ready);
        assert!(
            decision.reason.contains("NOT_VERIFIED"),
            "{}",
            decision.reason
        );

        let ledger = failed_ledger(
            GraphErrorKind::ReverificationNeeded,
            133006,
            None,
            now() - TimeDelta::minutes(5),
        );
        let decision = decide_fixture("phone_not_verified_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::ActionRequired);
        assert_eq!(decision.reason_code, ReasonCode::ReverificationNeeded);
        assert!(
            decision
                .reason
                .contains("Request a code by SMS or voice call"),
            "{}",
            decision.reason
        );
        assert!(
            decision.may_register_now,
            "an admin may retry after verifying again"
        );
        assert!(!decision.may_auto_register_now);
    }

    #[test]
    fn pending_review_never_registers_whatever_the_ledger() {
        let ledgers = [
            LedgerSummary::default(),
            failed_ledger(
                GraphErrorKind::DisplayNameNotReady,
                100,
                Some(2388001),
                now() - TimeDelta::hours(13),
            ),
            failed_ledger(
                GraphErrorKind::Transient,
                131000,
                None,
                now() - TimeDelta::days(2),
            ),
        ];
        for ledger in &ledgers {
            let decision = decide_fixture("phone_pending_review_unregistered.json", ledger);
            assert_eq!(
                decision.state,
                RegistrationState::AwaitingDisplayName,
                "{ledger:?}"
            );
            assert_eq!(decision.reason_code, ReasonCode::NamePendingReview);
            assert!(!decision.may_register_now && !decision.may_auto_register_now);
            assert_eq!(decision.next_attempt_at, None);
            assert!(
                decision.reason.contains("Lucky Shrub"),
                "{}",
                decision.reason
            );
        }
    }

    #[test]
    fn a_2388001_failure_after_approval_still_waits_with_back_off() {
        let last = now() - TimeDelta::minutes(5);
        let ledger = failed_ledger(
            GraphErrorKind::DisplayNameNotReady,
            100,
            Some(2388001),
            last,
        );
        let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::AwaitingDisplayName);
        assert_eq!(decision.reason_code, ReasonCode::NameNotReady);
        assert_eq!(
            decision.next_attempt_at,
            Some(last + TimeDelta::minutes(10))
        );
        assert!(!decision.may_auto_register_now);
        assert!(decision.may_register_now);

        let later = LedgerSummary {
            consecutive_auto_failures: 1,
            ..ledger.clone()
        };
        let decision = decide(
            Ok(&phone_fixture("phone_approved_unregistered.json")),
            &later,
            last + BACKOFF[1],
        );
        assert_eq!(decision.state, RegistrationState::AwaitingDisplayName);
        assert!(decision.may_auto_register_now);
    }

    #[test]
    fn a_failed_read_is_unknown_and_never_writes() {
        let health_ledgers = [
            LedgerSummary::default(),
            failed_ledger(
                GraphErrorKind::Transient,
                2,
                None,
                now() - TimeDelta::days(1),
            ),
        ];
        for ledger in &health_ledgers {
            for kind in GraphErrorKind::ALL {
                let decision = decide(Err(kind), ledger, now());
                let expected = if kind == GraphErrorKind::TokenInvalid {
                    RegistrationState::ActionRequired
                } else {
                    RegistrationState::Unknown
                };
                assert_eq!(decision.state, expected, "{kind:?}");
                assert!(!decision.may_register_now, "{kind:?}");
                assert!(!decision.may_auto_register_now, "{kind:?}");
                assert_eq!(decision.next_attempt_at, None);
            }
        }
        let decision = decide(
            Err(GraphErrorKind::TokenInvalid),
            &LedgerSummary::default(),
            now(),
        );
        assert_eq!(decision.reason_code, ReasonCode::TokenInvalid);
        assert!(
            decision.reason.contains("Paste a new"),
            "{}",
            decision.reason
        );
        let decision = decide(
            Err(GraphErrorKind::Permission),
            &LedgerSummary::default(),
            now(),
        );
        assert!(
            decision.reason.contains("whatsapp_business_management"),
            "{}",
            decision.reason
        );
    }

    #[test]
    fn connected_with_expired_verification_is_registered() {
        let ledger = failed_ledger(
            GraphErrorKind::PinMismatch,
            133005,
            None,
            now() - TimeDelta::hours(1),
        );
        let decision = decide_fixture("phone_connected_code_expired.json", &ledger);
        assert_eq!(decision.state, RegistrationState::Registered);
        assert!(!decision.may_register_now && !decision.may_auto_register_now);
    }

    #[test]
    fn a_spent_budget_is_rate_limited_until_the_oldest_attempt_leaves_the_window() {
        let oldest = now() - TimeDelta::hours(70);
        let ledger = LedgerSummary {
            attempts_in_window: 10,
            auto_attempts_in_window: 6,
            last_failure: Some(failure(
                GraphErrorKind::Transient,
                131000,
                None,
                now() - TimeDelta::hours(1),
            )),
            last_attempt_at: Some(now() - TimeDelta::hours(1)),
            oldest_in_window: Some(oldest),
            oldest_auto_in_window: Some(oldest),
            consecutive_auto_failures: 6,
            rate_limited_until: None,
            last_answer_lost: false,
        };
        for name in [
            "phone_approved_unregistered.json",
            "phone_pending_review_unregistered.json",
        ] {
            let decision = decide_fixture(name, &ledger);
            assert_eq!(decision.state, RegistrationState::RateLimited, "{name}");
            assert_eq!(decision.reason_code, ReasonCode::BudgetSpent);
            assert_eq!(decision.next_attempt_at, Some(oldest + WINDOW));
            assert_eq!(decision.next_attempt_at, Some(now() + TimeDelta::hours(2)));
            assert!(!decision.may_register_now && !decision.may_auto_register_now);
            assert_eq!(decision.attempts_left_in_window, 0);
            assert!(
                decision.reason.contains("2025-07-01 14:00 UTC"),
                "{}",
                decision.reason
            );
        }
        // A declined name is still reported first: waiting cannot fix it.
        let decision = decide_fixture("phone_name_declined.json", &ledger);
        assert_eq!(decision.state, RegistrationState::ActionRequired);
        // Registered numbers stay registered.
        assert_eq!(
            decide_fixture("phone_healthy_cloud_api.json", &ledger).state,
            RegistrationState::Registered
        );
    }

    #[test]
    fn six_automatic_attempts_stop_the_retrier_but_not_the_admin() {
        let oldest_auto = now() - TimeDelta::hours(20);
        let ledger = LedgerSummary {
            attempts_in_window: 6,
            auto_attempts_in_window: 6,
            last_failure: Some(failure(
                GraphErrorKind::Transient,
                131000,
                None,
                now() - TimeDelta::hours(13),
            )),
            last_attempt_at: Some(now() - TimeDelta::hours(13)),
            oldest_in_window: Some(oldest_auto),
            oldest_auto_in_window: Some(oldest_auto),
            consecutive_auto_failures: 6,
            rate_limited_until: None,
            last_answer_lost: false,
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::Ready);
        assert_eq!(decision.reason_code, ReasonCode::AutoBudgetSpent);
        assert!(decision.may_register_now);
        assert!(!decision.may_auto_register_now);
        assert_eq!(decision.attempts_left_in_window, 4);
        assert_eq!(decision.next_attempt_at, Some(oldest_auto + WINDOW));
        assert!(
            decision.reason.contains("4 attempts left"),
            "{}",
            decision.reason
        );
    }

    #[test]
    fn manual_attempts_shrink_the_automatic_budget_too() {
        // 9 calls in the window (3 automatic): one call left, which the retrier may use.
        let last = now() - TimeDelta::hours(1);
        let ledger = LedgerSummary {
            attempts_in_window: 9,
            auto_attempts_in_window: 3,
            last_failure: Some(failure(GraphErrorKind::Transient, 131000, None, last)),
            last_attempt_at: Some(last),
            oldest_in_window: Some(now() - TimeDelta::hours(50)),
            oldest_auto_in_window: Some(now() - TimeDelta::hours(50)),
            consecutive_auto_failures: 1,
            rate_limited_until: None,
            last_answer_lost: false,
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::Ready);
        assert!(decision.may_auto_register_now);
        assert_eq!(decision.attempts_left_in_window, 1);
    }

    #[test]
    fn meta_133016_is_rate_limited_for_72_hours() {
        let hit = now() - TimeDelta::hours(1);
        let ledger = LedgerSummary {
            attempts_in_window: 3,
            ..failed_ledger(GraphErrorKind::RegisterQuotaExhausted, 133016, None, hit)
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::RateLimited);
        assert_eq!(decision.reason_code, ReasonCode::MetaRateLimited);
        assert_eq!(decision.next_attempt_at, Some(hit + META_LOCKOUT));
        assert!(!decision.may_register_now && !decision.may_auto_register_now);
        assert!(decision.reason.contains("133016"), "{}", decision.reason);

        // The ledger's own record of the lock-out counts too (e.g. after a later attempt).
        let until = now() + TimeDelta::hours(30);
        let recorded = LedgerSummary {
            rate_limited_until: Some(until),
            ..LedgerSummary::default()
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &recorded);
        assert_eq!(decision.state, RegistrationState::RateLimited);
        assert_eq!(decision.next_attempt_at, Some(until));

        // After 72 hours the lock-out is over: back to the back-off schedule.
        let old = failed_ledger(
            GraphErrorKind::RegisterQuotaExhausted,
            133016,
            None,
            now() - TimeDelta::hours(73),
        );
        let decision = decide_fixture("phone_approved_unregistered.json", &old);
        assert_eq!(decision.state, RegistrationState::Ready);
        assert_eq!(decision.reason_code, ReasonCode::RetryScheduled);
        assert!(decision.may_auto_register_now);
    }

    #[test]
    fn back_off_follows_the_schedule() {
        let last = now() - TimeDelta::minutes(1);
        let expected = [
            (1, TimeDelta::minutes(10)),
            (2, TimeDelta::minutes(30)),
            (3, TimeDelta::hours(2)),
            (4, TimeDelta::hours(6)),
            (5, TimeDelta::hours(12)),
            (9, TimeDelta::hours(12)),
        ];
        for (failures, delay) in expected {
            let ledger = LedgerSummary {
                consecutive_auto_failures: failures,
                auto_attempts_in_window: 1,
                ..failed_ledger(GraphErrorKind::Transient, 131000, None, last)
            };
            let health = phone_fixture("phone_approved_unregistered.json");
            let before = decide(Ok(&health), &ledger, last + delay - TimeDelta::seconds(1));
            assert_eq!(before.state, RegistrationState::Ready);
            assert_eq!(before.reason_code, ReasonCode::RetryScheduled);
            assert_eq!(before.next_attempt_at, Some(last + delay), "{failures}");
            assert!(!before.may_auto_register_now, "{failures}");
            assert!(before.may_register_now, "{failures}");
            let due = decide(Ok(&health), &ledger, last + delay);
            assert!(due.may_auto_register_now, "{failures}");
            assert_eq!(due.next_attempt_at, Some(last + delay));
        }
        assert_eq!(BACKOFF[0], TimeDelta::zero());
    }

    #[test]
    fn no_attempt_yet_registers_now_and_a_manual_failure_waits_the_first_pause() {
        let decision = decide_fixture(
            "phone_approved_unregistered.json",
            &LedgerSummary::default(),
        );
        assert_eq!(decision.next_attempt_at, Some(now()));
        assert!(decision.may_auto_register_now);

        let last = now() - TimeDelta::minutes(3);
        let manual = LedgerSummary {
            auto_attempts_in_window: 0,
            oldest_auto_in_window: None,
            consecutive_auto_failures: 0,
            ..failed_ledger(GraphErrorKind::Transient, 131000, None, last)
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &manual);
        assert_eq!(decision.next_attempt_at, Some(last + BACKOFF[1]));
        assert!(!decision.may_auto_register_now);
    }

    #[test]
    fn pin_mismatch_reverification_and_token_failures_need_an_admin() {
        let last = now() - TimeDelta::hours(1);
        let cases = [
            (
                GraphErrorKind::PinMismatch,
                133005,
                ReasonCode::PinMismatch,
                "two-step verification",
            ),
            (
                GraphErrorKind::ReverificationNeeded,
                133006,
                ReasonCode::ReverificationNeeded,
                "SMS or voice call",
            ),
            (
                GraphErrorKind::TokenInvalid,
                190,
                ReasonCode::TokenInvalid,
                "Paste a new",
            ),
            (
                GraphErrorKind::Permission,
                200,
                ReasonCode::TokenLacksPermission,
                "whatsapp_business_management",
            ),
        ];
        for (kind, code, reason_code, words) in cases {
            let ledger = failed_ledger(kind, code, None, last);
            let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
            assert_eq!(
                decision.state,
                RegistrationState::ActionRequired,
                "{kind:?}"
            );
            assert_eq!(decision.reason_code, reason_code);
            assert!(decision.reason.contains(words), "{}", decision.reason);
            // The reason names the action that fixes it: the fix in the banner, else the button.
            let action = match reason_code {
                ReasonCode::PinMismatch => "Set the PIN",
                ReasonCode::ReverificationNeeded => "Request a code",
                _ => "Complete registration",
            };
            assert!(decision.reason.contains(action), "{}", decision.reason);
            assert!(
                decision.may_register_now,
                "{kind:?}: the admin retries after fixing it"
            );
            assert!(!decision.may_auto_register_now, "{kind:?}");
            assert_eq!(decision.next_attempt_at, None);

            // With the budget spent, the admin is told when the click will work again.
            let spent = LedgerSummary {
                attempts_in_window: 10,
                oldest_in_window: Some(now() - TimeDelta::hours(71)),
                ..ledger
            };
            let decision = decide_fixture("phone_approved_unregistered.json", &spent);
            assert_eq!(decision.state, RegistrationState::ActionRequired);
            assert!(!decision.may_register_now);
            assert_eq!(decision.next_attempt_at, Some(now() + TimeDelta::hours(1)));
        }
    }

    #[test]
    fn a_declined_name_needs_an_admin_and_never_registers() {
        let decision = decide_fixture("phone_name_declined.json", &LedgerSummary::default());
        assert_eq!(decision.state, RegistrationState::ActionRequired);
        assert!(
            decision.reason.contains("John Smith"),
            "{}",
            decision.reason
        );
        assert!(
            decision.reason.contains("WhatsApp Manager"),
            "{}",
            decision.reason
        );
        assert!(!decision.may_register_now && !decision.may_auto_register_now);

        let mut rejected = phone_fixture("phone_name_declined.json");
        rejected.name_status = Some(NameStatus::Rejected);
        let decision = decide(Ok(&rejected), &LedgerSummary::default(), now());
        assert_eq!(decision.reason_code, ReasonCode::NameDeclined);
    }

    #[test]
    fn coexistence_numbers_are_never_registered() {
        let ledgers = [
            LedgerSummary::default(),
            failed_ledger(
                GraphErrorKind::Transient,
                131000,
                None,
                now() - TimeDelta::days(1),
            ),
            failed_ledger(
                GraphErrorKind::PinMismatch,
                133005,
                None,
                now() - TimeDelta::days(1),
            ),
        ];
        for ledger in &ledgers {
            for name in ["phone_coexistence.json", "phone_coexistence_pending.json"] {
                let decision = decide_fixture(name, ledger);
                assert!(
                    !decision.may_register_now && !decision.may_auto_register_now,
                    "{name}"
                );
                assert!(
                    decision.reason.contains("WhatsApp Business app"),
                    "{}",
                    decision.reason
                );
            }
        }
    }

    #[test]
    fn a_call_meta_accepted_is_given_time_to_show() {
        let last = now() - TimeDelta::minutes(2);
        let ledger = LedgerSummary {
            attempts_in_window: 1,
            auto_attempts_in_window: 1,
            last_failure: None,
            last_attempt_at: Some(last),
            oldest_in_window: Some(last),
            oldest_auto_in_window: Some(last),
            consecutive_auto_failures: 0,
            rate_limited_until: None,
            last_answer_lost: false,
        };
        let decision = decide_fixture("phone_approved_unregistered.json", &ledger);
        assert_eq!(decision.state, RegistrationState::Ready);
        assert_eq!(decision.reason_code, ReasonCode::AwaitingConfirmation);
        assert_eq!(decision.next_attempt_at, Some(last + CONFIRMATION_WAIT));
        assert!(!decision.may_auto_register_now);

        let health = phone_fixture("phone_approved_unregistered.json");
        let later = decide(Ok(&health), &ledger, last + CONFIRMATION_WAIT);
        assert_eq!(later.reason_code, ReasonCode::Ready);
        assert!(later.may_auto_register_now);
    }

    #[test]
    fn names_on_the_wire_are_snake_case() {
        for state in [
            RegistrationState::Registered,
            RegistrationState::AwaitingDisplayName,
            RegistrationState::ActionRequired,
            RegistrationState::Ready,
            RegistrationState::RateLimited,
            RegistrationState::Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::from(state.as_str())
            );
        }
        assert_eq!(
            RegistrationState::AwaitingDisplayName.as_str(),
            "awaiting_display_name"
        );
        for code in [
            ReasonCode::NameNotReady,
            ReasonCode::AutoBudgetSpent,
            ReasonCode::RegisteredCoexistence,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
        let decision = decide_fixture(
            "phone_approved_unregistered.json",
            &LedgerSummary::default(),
        );
        let json = serde_json::to_value(&decision).unwrap();
        assert_eq!(json["state"], "ready");
        assert_eq!(json["reason_code"], "ready");
    }

    #[test]
    fn attempt_failure_from_a_graph_error() {
        let api = crate::graph::ApiError {
            http_status: 400,
            code: 100,
            subcode: Some(2388001),
            error_type: None,
            message: String::new(),
            user_title: None,
            user_msg: None,
            fbtrace_id: None,
            details: None,
            is_transient: None,
        };
        let failure = AttemptFailure::from_error(&GraphError::Api(Box::new(api)), now());
        assert_eq!(failure.kind, GraphErrorKind::DisplayNameNotReady);
        assert_eq!((failure.code, failure.subcode), (Some(100), Some(2388001)));
        let timeout = AttemptFailure::from_error(&GraphError::Timeout, now());
        assert_eq!(
            (timeout.kind, timeout.code),
            (GraphErrorKind::Transient, None)
        );
    }
}
