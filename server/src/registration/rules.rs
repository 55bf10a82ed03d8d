//! The registration rules around [`decide`]: which trigger may call Meta, when a name-approval
//! webhook waives the back-off, how Meta's answer to a register call is classified, what the read
//! after an accepted call means, and whether the retrier reads a number again or lets it wait.
//!
//! Like [`decide`], these are pure: no I/O and no wall clock. The engine
//! ([`super::engine`]) and the retrier ([`super::retrier`]) gather the inputs (the read, the ledger
//! summary, `now`), call a rule, and carry out its typed answer. [`super::decision`] re-exports
//! every rule, so "the decision module" stays the one place that decides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{decide, Decision, LedgerSummary, ReasonCode, RegistrationState};
use super::ledger::Trigger;
use crate::graph::{GraphError, GraphErrorKind, NameStatus, PhoneNumberHealth};

/// What an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptResult {
    /// Meta accepted the call and the number now shows as registered.
    Registered,
    /// Meta accepted the call; the number does not show as registered yet (Meta provisions asynchronously).
    Accepted,
    /// Meta refused the call (see `meta_error`); the attempt is recorded and the state updated.
    Failed,
    /// Meta's answer was lost (a timeout, a dropped connection or a 5xx): Meta may or may not have
    /// applied the call. Recorded as `unknown`; the next attempt sends the same PIN.
    Unknown,
    /// The number is already registered: nothing to do, no call.
    AlreadyRegistered,
    /// No call: the decision says calling Meta cannot help now (see `reason`).
    NotAttempted,
}

impl AttemptResult {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptResult::Registered => "registered",
            AttemptResult::Accepted => "accepted",
            AttemptResult::Failed => "failed",
            AttemptResult::Unknown => "unknown",
            AttemptResult::AlreadyRegistered => "already_registered",
            AttemptResult::NotAttempted => "not_attempted",
        }
    }
}

/// Meta's answer to a register call that failed, safe to show (no raw body, no `fbtrace_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetaError {
    pub kind: GraphErrorKind,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: String,
}

impl MetaError {
    /// The safe part of `error`: its kind, Meta's code and subcode, and a sentence for people.
    pub fn from_error(error: &GraphError) -> MetaError {
        MetaError {
            kind: error.kind(),
            code: error.code(),
            subcode: error.subcode(),
            message: error.user_message(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Which trigger may call, and the webhook waiver.
// ---------------------------------------------------------------------------------------------

/// Which of the decision's permissions a trigger needs before it may call Meta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallRule {
    /// An administrator's click: [`Decision::may_register_now`] (the whole budget; no back-off, since a
    /// person chose to try now).
    Manual,
    /// The retrier or a webhook: [`Decision::may_auto_register_now`] (the automatic budget and the
    /// back-off), so no automatic door can spend the calls an administrator may still need.
    Automatic,
}

impl CallRule {
    /// The rule `trigger` calls under.
    pub fn of(trigger: Trigger) -> CallRule {
        match trigger {
            Trigger::User(_) => CallRule::Manual,
            Trigger::Auto | Trigger::Webhook => CallRule::Automatic,
        }
    }

    /// `decision` lets a trigger under this rule call Meta now.
    pub fn allows(self, decision: &Decision) -> bool {
        match self {
            CallRule::Manual => decision.may_register_now,
            CallRule::Automatic => decision.may_auto_register_now,
        }
    }
}

/// Whether a webhook waives the back-off (see [`webhook_waiver`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookWaiver {
    /// The webhook is the event the back-off was waiting for: this decision, made as if the failed
    /// attempt's back-off had not started (its call still counts against both budgets), replaces the
    /// usual one.
    Waived(Decision),
    /// The usual decision stands: not a webhook, the read failed, the last attempt did not fail with
    /// 2388001, or the name is not approved yet.
    NotWaived,
}

/// A `phone_number_name_update` webhook is the event the back-off after a 2388001 failure waits for:
/// when the read now shows the name approved, the webhook may try at once (still within the
/// automatic budget). Any other trigger, read or failure keeps the back-off.
pub fn webhook_waiver(
    trigger: Trigger,
    read: Result<&PhoneNumberHealth, GraphErrorKind>,
    summary: &LedgerSummary,
    now: DateTime<Utc>,
) -> WebhookWaiver {
    let (Trigger::Webhook, Ok(health)) = (trigger, read) else {
        return WebhookWaiver::NotWaived;
    };
    let waiting_for_name = summary
        .last_failure
        .as_ref()
        .is_some_and(|f| f.kind == GraphErrorKind::DisplayNameNotReady);
    let name_ready = matches!(
        health.name_status,
        Some(NameStatus::Approved | NameStatus::AvailableWithoutReview)
    );
    if !(waiting_for_name && name_ready) {
        return WebhookWaiver::NotWaived;
    }
    let waived = LedgerSummary {
        last_failure: None,
        last_attempt_at: None,
        consecutive_auto_failures: 0,
        ..summary.clone()
    };
    WebhookWaiver::Waived(decide(Ok(health), &waived, now))
}

/// After Meta approved a *changed* display name of a registered number, Meta wants the number
/// registered again (within 14 days) before the new name shows. The decision alone never calls for a
/// registered number, so this renewal is its own rule: the read shows the number registered with an
/// approved name, Meta is not locking registration out, and the automatic budget is not spent (the
/// administrator's calls stay theirs).
pub fn renewal_permitted(
    read: Result<&PhoneNumberHealth, GraphErrorKind>,
    summary: &LedgerSummary,
    now: DateTime<Utc>,
) -> bool {
    let Ok(health) = read else {
        return false;
    };
    health.is_registered()
        && matches!(health.name_status, Some(NameStatus::Approved))
        && summary.auto_attempts_in_window < super::decision::AUTO_BUDGET_PER_WINDOW
        && summary.attempts_in_window < super::decision::REGISTER_BUDGET_PER_WINDOW
        && summary.rate_limited_until.is_none_or(|until| until <= now)
}

/// Whether a trigger may call Meta now (see [`call_permission`]); each answer carries the decision
/// that says why, which the engine reports to the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallPermission {
    /// Call `POST /{phone}/register` now.
    Call(Decision),
    /// No call: the number shows as registered.
    AlreadyRegistered(Decision),
    /// No call: calling Meta cannot help now, or not for this trigger (the decision's reason says why).
    NotNow(Decision),
}

impl CallPermission {
    /// The decision behind the answer.
    pub fn decision(&self) -> &Decision {
        match self {
            CallPermission::Call(d)
            | CallPermission::AlreadyRegistered(d)
            | CallPermission::NotNow(d) => d,
        }
    }
}

/// Whether `trigger` may call Meta for a number, from the read just made, the ledger summary and
/// `now`: the number's [`decide`] (or, for a name-approval webhook, the [`webhook_waiver`]'s
/// decision), gated by the trigger's [`CallRule`].
pub fn call_permission(
    trigger: Trigger,
    read: Result<&PhoneNumberHealth, GraphErrorKind>,
    summary: &LedgerSummary,
    now: DateTime<Utc>,
) -> CallPermission {
    let decision = match webhook_waiver(trigger, read, summary, now) {
        WebhookWaiver::Waived(decision) => decision,
        WebhookWaiver::NotWaived => decide(read, summary, now),
    };
    if CallRule::of(trigger).allows(&decision) {
        CallPermission::Call(decision)
    } else if decision.state == RegistrationState::Registered {
        CallPermission::AlreadyRegistered(decision)
    } else {
        CallPermission::NotNow(decision)
    }
}

// ---------------------------------------------------------------------------------------------
// Meta's answer, and the read after it.
// ---------------------------------------------------------------------------------------------

/// Meta's answer to one register call, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallAnswer {
    /// Meta accepted the call.
    Accepted,
    /// Meta refused the call: it was not applied.
    Refused(MetaError),
    /// The answer was lost: no answer in time, a connection cut mid-call, or a server error (Meta
    /// may fail after applying the call). Meta may or may not have applied it.
    Lost(MetaError),
}

impl CallAnswer {
    /// Classifies the result of `graph.register`.
    pub fn classify(result: &Result<(), GraphError>) -> CallAnswer {
        match result {
            Ok(()) => CallAnswer::Accepted,
            Err(error) if answer_lost(error) => CallAnswer::Lost(MetaError::from_error(error)),
            Err(error) => CallAnswer::Refused(MetaError::from_error(error)),
        }
    }

    /// Meta's error, unless Meta accepted.
    pub fn meta_error(&self) -> Option<&MetaError> {
        match self {
            CallAnswer::Accepted => None,
            CallAnswer::Refused(e) | CallAnswer::Lost(e) => Some(e),
        }
    }
}

/// A register call whose answer does not tell whether Meta applied it. A connection that could not
/// be opened (`Connect`) sent nothing, and a 4xx is Meta's definite refusal.
fn answer_lost(error: &GraphError) -> bool {
    match error {
        GraphError::Timeout | GraphError::Transport => true,
        GraphError::MalformedResponse { http_status, .. } => *http_status >= 500,
        GraphError::Api(api) => api.http_status >= 500 && api.kind() == GraphErrorKind::Transient,
        _ => false,
    }
}

/// What the read after a call shows (see [`confirmation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The number shows as registered: done.
    Registered,
    /// Not registered yet (or the read failed): Meta provisions asynchronously, so the number is
    /// awaiting confirmation and is read again later, never reported as "disconnected".
    AwaitingConfirmation,
}

/// What the read made after a register call means: `read` is that read (`None` when it failed).
pub fn confirmation(read: Option<&PhoneNumberHealth>) -> Confirmation {
    if read.is_some_and(PhoneNumberHealth::is_registered) {
        Confirmation::Registered
    } else {
        Confirmation::AwaitingConfirmation
    }
}

/// What an attempt that called Meta came to, from Meta's answer and the read after it. A refusal
/// stays a failure whatever the read shows (the call did not do it); a lost answer is settled by
/// the read when the number shows as registered, and stays unknown otherwise.
pub fn attempt_result(answer: &CallAnswer, after: Confirmation) -> AttemptResult {
    match (answer, after) {
        (CallAnswer::Accepted, Confirmation::Registered) => AttemptResult::Registered,
        (CallAnswer::Accepted, Confirmation::AwaitingConfirmation) => AttemptResult::Accepted,
        (CallAnswer::Lost(_), Confirmation::Registered) => AttemptResult::Registered,
        (CallAnswer::Lost(_), Confirmation::AwaitingConfirmation) => AttemptResult::Unknown,
        (CallAnswer::Refused(_), _) => AttemptResult::Failed,
    }
}

// ---------------------------------------------------------------------------------------------
// The retrier: read again, or wait.
// ---------------------------------------------------------------------------------------------

/// What the retrier does with one unregistered number (see [`retrier_step`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetrierStep {
    /// Read the number again and let the engine decide on the fresh read.
    ReadAgain(ReadAgainBecause),
    /// Do not read: a fresh read cannot lead to an automatic call now.
    Wait(WaitFor),
}

/// Why the retrier reads a number again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadAgainBecause {
    /// The last read failed, or there is none: nothing to decide on.
    NoStoredRead,
    /// The stored read, decided again now, allows an automatic call.
    MayCallNow,
    /// Only Meta can move the number on (a name in review, a call awaiting confirmation, a declined
    /// name or a refused token an administrator may have fixed meanwhile): a fresh read shows it.
    MetaMayHaveMovedOn,
}

/// What a number the retrier leaves alone is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// An administrator must act and then press Complete registration (PIN mismatch,
    /// re-verification, a token without permission): no read can change that.
    Admin,
    /// A time: Meta's lock-out, the spent budget, or the back-off (`until`, when known).
    Time { until: Option<DateTime<Utc>> },
}

impl RetrierStep {
    /// The snake_case name, for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            RetrierStep::ReadAgain(ReadAgainBecause::NoStoredRead) => "read_again_no_stored_read",
            RetrierStep::ReadAgain(ReadAgainBecause::MayCallNow) => "read_again_may_call_now",
            RetrierStep::ReadAgain(ReadAgainBecause::MetaMayHaveMovedOn) => {
                "read_again_meta_may_have_moved_on"
            }
            RetrierStep::Wait(WaitFor::Admin) => "wait_for_admin",
            RetrierStep::Wait(WaitFor::Time { .. }) => "wait_for_time",
        }
    }
}

/// Whether the retrier reads an unregistered number again at `now`, from its stored read (`None`
/// when the last read failed or there is none) and the current ledger summary. A number that is
/// only waiting for time or for an administrator is not read: the read could not lead to a call.
pub fn retrier_step(
    stored: Option<&PhoneNumberHealth>,
    summary: &LedgerSummary,
    now: DateTime<Utc>,
) -> RetrierStep {
    let Some(health) = stored else {
        return RetrierStep::ReadAgain(ReadAgainBecause::NoStoredRead);
    };
    let decision = decide(Ok(health), summary, now);
    if decision.may_auto_register_now {
        return RetrierStep::ReadAgain(ReadAgainBecause::MayCallNow);
    }
    let needs_admin = matches!(
        decision.reason_code,
        ReasonCode::PinMismatch
            | ReasonCode::ReverificationNeeded
            | ReasonCode::TokenLacksPermission
    );
    if needs_admin {
        return RetrierStep::Wait(WaitFor::Admin);
    }
    // A call awaiting confirmation has a `next_attempt_at` too, but Meta may show the number as
    // registered before it: read it.
    let waits_for_time = decision.state == RegistrationState::RateLimited
        || (decision.reason_code != ReasonCode::AwaitingConfirmation
            && decision.next_attempt_at.is_some_and(|at| at > now));
    if waits_for_time {
        return RetrierStep::Wait(WaitFor::Time {
            until: decision.next_attempt_at,
        });
    }
    RetrierStep::ReadAgain(ReadAgainBecause::MetaMayHaveMovedOn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_fixtures::phone_fixture;
    use crate::graph::ApiError;
    use crate::registration::decision::{AttemptFailure, CONFIRMATION_WAIT};
    use chrono::TimeDelta;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-07-01T12:00:00Z")
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn health(name: NameStatus) -> PhoneNumberHealth {
        PhoneNumberHealth {
            name_status: Some(name),
            code_verification_status: Some(crate::graph::CodeVerificationStatus::Verified),
            platform_type: Some(crate::graph::PlatformType::NotApplicable),
            ..PhoneNumberHealth::default()
        }
    }

    /// A ledger whose last attempt, `ago` before `now()`, failed with `kind` (automatic unless
    /// `manual`).
    fn failed(kind: GraphErrorKind, code: i64, ago: TimeDelta, manual: bool) -> LedgerSummary {
        let last = now() - ago;
        LedgerSummary {
            attempts_in_window: 1,
            auto_attempts_in_window: u32::from(!manual),
            last_failure: Some(AttemptFailure {
                kind,
                code: Some(code),
                subcode: None,
                at: last,
            }),
            last_attempt_at: Some(last),
            oldest_in_window: Some(last),
            oldest_auto_in_window: (!manual).then_some(last),
            consecutive_auto_failures: u32::from(!manual),
            rate_limited_until: None,
            last_answer_lost: false,
        }
    }

    fn api_error(http_status: u16, code: i64, subcode: Option<i64>) -> GraphError {
        GraphError::Api(Box::new(ApiError {
            http_status,
            code,
            subcode,
            error_type: None,
            message: "(#0) Meta's own words".to_owned(),
            user_title: None,
            user_msg: None,
            fbtrace_id: Some("AbCdEf".to_owned()),
            details: None,
            is_transient: None,
        }))
    }

    #[test]
    fn a_name_webhook_waives_the_back_off_after_2388001_only() {
        let now = now();
        let last = now - TimeDelta::minutes(2);
        let summary = LedgerSummary {
            attempts_in_window: 1,
            auto_attempts_in_window: 1,
            last_failure: Some(AttemptFailure {
                kind: GraphErrorKind::DisplayNameNotReady,
                code: Some(100),
                subcode: Some(2388001),
                at: last,
            }),
            last_attempt_at: Some(last),
            oldest_in_window: Some(last),
            oldest_auto_in_window: Some(last),
            consecutive_auto_failures: 1,
            rate_limited_until: None,
            last_answer_lost: false,
        };
        let approved = health(NameStatus::Approved);
        assert!(
            !decide(Ok(&approved), &summary, now).may_auto_register_now,
            "back-off"
        );
        let WebhookWaiver::Waived(waived) =
            webhook_waiver(Trigger::Webhook, Ok(&approved), &summary, now)
        else {
            panic!("waived");
        };
        assert!(waived.may_auto_register_now);
        assert_eq!(
            waived.attempts_left_in_window, 9,
            "the budget still counts the failed call"
        );
        assert_eq!(
            webhook_waiver(
                Trigger::Webhook,
                Ok(&health(NameStatus::PendingReview)),
                &summary,
                now
            ),
            WebhookWaiver::NotWaived
        );
        let transient = LedgerSummary {
            last_failure: Some(AttemptFailure {
                kind: GraphErrorKind::Transient,
                code: Some(2),
                subcode: None,
                at: last,
            }),
            ..summary.clone()
        };
        assert_eq!(
            webhook_waiver(Trigger::Webhook, Ok(&approved), &transient, now),
            WebhookWaiver::NotWaived
        );
        // Only the webhook is the awaited event, and only a successful read shows the approval.
        for trigger in [Trigger::Auto, Trigger::User(7)] {
            assert_eq!(
                webhook_waiver(trigger, Ok(&approved), &summary, now),
                WebhookWaiver::NotWaived,
                "{trigger:?}"
            );
        }
        assert_eq!(
            webhook_waiver(
                Trigger::Webhook,
                Err(GraphErrorKind::Transient),
                &summary,
                now
            ),
            WebhookWaiver::NotWaived
        );
    }

    #[test]
    fn results_have_snake_case_names() {
        for r in [
            AttemptResult::Registered,
            AttemptResult::Accepted,
            AttemptResult::Failed,
            AttemptResult::Unknown,
            AttemptResult::AlreadyRegistered,
            AttemptResult::NotAttempted,
        ] {
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::Value::from(r.as_str())
            );
        }
    }

    #[test]
    fn a_click_needs_the_manual_permission_and_the_automatic_doors_the_automatic_one() {
        assert_eq!(CallRule::of(Trigger::User(1)), CallRule::Manual);
        assert_eq!(CallRule::of(Trigger::Auto), CallRule::Automatic);
        assert_eq!(CallRule::of(Trigger::Webhook), CallRule::Automatic);

        // A manual failure 3 minutes ago: the admin may try again, the automatic doors wait the
        // first pause of the back-off.
        let health = phone_fixture("phone_approved_unregistered.json");
        let ledger = failed(
            GraphErrorKind::Transient,
            131000,
            TimeDelta::minutes(3),
            true,
        );
        let decision = decide(Ok(&health), &ledger, now());
        assert!(decision.may_register_now && !decision.may_auto_register_now);
        assert!(CallRule::Manual.allows(&decision));
        assert!(!CallRule::Automatic.allows(&decision));

        assert_eq!(
            call_permission(Trigger::User(1), Ok(&health), &ledger, now()),
            CallPermission::Call(decision.clone())
        );
        for trigger in [Trigger::Auto, Trigger::Webhook] {
            assert_eq!(
                call_permission(trigger, Ok(&health), &ledger, now()),
                CallPermission::NotNow(decision.clone()),
                "{trigger:?}"
            );
        }
        // With no attempt yet, every door may call.
        for trigger in [Trigger::User(1), Trigger::Auto, Trigger::Webhook] {
            let permission =
                call_permission(trigger, Ok(&health), &LedgerSummary::default(), now());
            assert!(
                matches!(permission, CallPermission::Call(_)),
                "{trigger:?}: {permission:?}"
            );
        }
    }

    #[test]
    fn no_door_calls_for_a_registered_number_or_on_a_failed_read() {
        let registered = phone_fixture("phone_healthy_cloud_api.json");
        for trigger in [Trigger::User(1), Trigger::Auto, Trigger::Webhook] {
            let permission =
                call_permission(trigger, Ok(&registered), &LedgerSummary::default(), now());
            assert!(
                matches!(permission, CallPermission::AlreadyRegistered(_)),
                "{trigger:?}: {permission:?}"
            );
            assert_eq!(permission.decision().state, RegistrationState::Registered);

            let permission = call_permission(
                trigger,
                Err(GraphErrorKind::Transient),
                &LedgerSummary::default(),
                now(),
            );
            assert!(
                matches!(permission, CallPermission::NotNow(_)),
                "{trigger:?}: {permission:?}"
            );
            assert_eq!(permission.decision().state, RegistrationState::Unknown);
        }
    }

    #[test]
    fn a_name_webhook_may_call_at_once_where_the_retrier_waits() {
        let health = health(NameStatus::Approved);
        let ledger = failed(
            GraphErrorKind::DisplayNameNotReady,
            100,
            TimeDelta::minutes(2),
            false,
        );
        let retrier = call_permission(Trigger::Auto, Ok(&health), &ledger, now());
        assert!(matches!(retrier, CallPermission::NotNow(_)), "{retrier:?}");
        let webhook = call_permission(Trigger::Webhook, Ok(&health), &ledger, now());
        let WebhookWaiver::Waived(waived) =
            webhook_waiver(Trigger::Webhook, Ok(&health), &ledger, now())
        else {
            panic!("waived");
        };
        assert_eq!(webhook, CallPermission::Call(waived));
    }

    #[test]
    fn meta_s_answer_is_accepted_refused_or_lost() {
        assert_eq!(CallAnswer::classify(&Ok(())), CallAnswer::Accepted);
        assert_eq!(CallAnswer::Accepted.meta_error(), None);

        // No answer, or one that does not tell whether Meta applied the call.
        for lost in [
            GraphError::Timeout,
            GraphError::Transport,
            GraphError::MalformedResponse {
                http_status: 502,
                description: "not JSON".to_owned(),
            },
            api_error(500, 1, None),
            api_error(503, 2, None),
        ] {
            let answer = CallAnswer::classify(&Err(lost));
            assert!(matches!(answer, CallAnswer::Lost(_)), "{answer:?}");
            let meta = answer.meta_error().expect("an error");
            assert_eq!(meta.kind, GraphErrorKind::Transient);
        }

        // Meta's definite refusals, and a connection that never opened (nothing was sent).
        for refused in [
            GraphError::Connect,
            GraphError::MalformedResponse {
                http_status: 400,
                description: "not JSON".to_owned(),
            },
            api_error(400, 133005, None),
            api_error(500, 190, None),
            GraphError::InvalidRequest("pin".to_owned()),
        ] {
            let answer = CallAnswer::classify(&Err(refused));
            assert!(matches!(answer, CallAnswer::Refused(_)), "{answer:?}");
        }

        let answer = CallAnswer::classify(&Err(api_error(400, 100, Some(2388001))));
        let CallAnswer::Refused(meta) = answer else {
            panic!("refused: {answer:?}");
        };
        assert_eq!(meta.kind, GraphErrorKind::DisplayNameNotReady);
        assert_eq!((meta.code, meta.subcode), (Some(100), Some(2388001)));
        assert!(!meta.message.contains("AbCdEf"), "{}", meta.message);
        assert!(
            !meta.message.contains("Meta's own words"),
            "{}",
            meta.message
        );
    }

    #[test]
    fn the_read_after_a_call_confirms_or_leaves_it_awaiting_confirmation() {
        let registered = phone_fixture("phone_healthy_cloud_api.json");
        let provisioning = phone_fixture("phone_approved_unregistered.json");
        assert_eq!(confirmation(Some(&registered)), Confirmation::Registered);
        assert_eq!(
            confirmation(Some(&provisioning)),
            Confirmation::AwaitingConfirmation
        );
        assert_eq!(confirmation(None), Confirmation::AwaitingConfirmation);
    }

    #[test]
    fn an_attempt_s_result_comes_from_the_answer_and_the_read_after_it() {
        use Confirmation::{AwaitingConfirmation as Waiting, Registered as Shows};
        let meta = MetaError::from_error(&GraphError::Timeout);
        let lost = CallAnswer::Lost(meta.clone());
        let refused = CallAnswer::Refused(meta);
        let cases = [
            (&CallAnswer::Accepted, Shows, AttemptResult::Registered),
            (&CallAnswer::Accepted, Waiting, AttemptResult::Accepted),
            (&lost, Shows, AttemptResult::Registered),
            (&lost, Waiting, AttemptResult::Unknown),
            (&refused, Shows, AttemptResult::Failed),
            (&refused, Waiting, AttemptResult::Failed),
        ];
        for (answer, after, want) in cases {
            assert_eq!(attempt_result(answer, after), want, "{answer:?} {after:?}");
        }
    }

    #[test]
    fn the_retrier_reads_again_without_a_stored_read_or_when_it_may_call() {
        assert_eq!(
            retrier_step(None, &LedgerSummary::default(), now()),
            RetrierStep::ReadAgain(ReadAgainBecause::NoStoredRead)
        );
        let spent = LedgerSummary {
            attempts_in_window: 10,
            oldest_in_window: Some(now() - TimeDelta::hours(1)),
            ..LedgerSummary::default()
        };
        assert_eq!(
            retrier_step(None, &spent, now()),
            RetrierStep::ReadAgain(ReadAgainBecause::NoStoredRead),
            "without a read there is nothing to wait on"
        );
        let health = phone_fixture("phone_approved_unregistered.json");
        assert_eq!(
            retrier_step(Some(&health), &LedgerSummary::default(), now()),
            RetrierStep::ReadAgain(ReadAgainBecause::MayCallNow)
        );
    }

    #[test]
    fn the_retrier_reads_again_when_only_meta_can_move_the_number_on() {
        let cases = [
            (
                "phone_pending_review_unregistered.json",
                LedgerSummary::default(),
            ),
            ("phone_name_declined.json", LedgerSummary::default()),
            (
                "phone_approved_unregistered.json",
                failed(
                    GraphErrorKind::TokenInvalid,
                    190,
                    TimeDelta::hours(1),
                    false,
                ),
            ),
        ];
        for (name, ledger) in cases {
            let health = phone_fixture(name);
            assert_eq!(
                retrier_step(Some(&health), &ledger, now()),
                RetrierStep::ReadAgain(ReadAgainBecause::MetaMayHaveMovedOn),
                "{name}"
            );
        }

        // A call Meta accepted 2 minutes ago: the number may show as registered any moment.
        let last = now() - TimeDelta::minutes(2);
        let accepted = LedgerSummary {
            attempts_in_window: 1,
            auto_attempts_in_window: 1,
            last_attempt_at: Some(last),
            oldest_in_window: Some(last),
            oldest_auto_in_window: Some(last),
            ..LedgerSummary::default()
        };
        let health = phone_fixture("phone_approved_unregistered.json");
        let decision = decide(Ok(&health), &accepted, now());
        assert_eq!(decision.reason_code, ReasonCode::AwaitingConfirmation);
        assert_eq!(decision.next_attempt_at, Some(last + CONFIRMATION_WAIT));
        assert_eq!(
            retrier_step(Some(&health), &accepted, now()),
            RetrierStep::ReadAgain(ReadAgainBecause::MetaMayHaveMovedOn)
        );
    }

    #[test]
    fn the_retrier_leaves_numbers_waiting_for_an_admin_or_for_time() {
        let health = phone_fixture("phone_approved_unregistered.json");
        for (kind, code) in [
            (GraphErrorKind::PinMismatch, 133005),
            (GraphErrorKind::ReverificationNeeded, 133006),
            (GraphErrorKind::Permission, 200),
        ] {
            let ledger = failed(kind, code, TimeDelta::hours(1), false);
            assert_eq!(
                retrier_step(Some(&health), &ledger, now()),
                RetrierStep::Wait(WaitFor::Admin),
                "{kind:?}"
            );
        }

        // The back-off after an automatic failure 1 minute ago: the first pause is 10 minutes.
        let backoff = failed(
            GraphErrorKind::Transient,
            131000,
            TimeDelta::minutes(1),
            false,
        );
        assert_eq!(
            retrier_step(Some(&health), &backoff, now()),
            RetrierStep::Wait(WaitFor::Time {
                until: Some(now() - TimeDelta::minutes(1) + TimeDelta::minutes(10))
            })
        );
        // Once the pause is over, the retrier reads and may call.
        assert_eq!(
            retrier_step(Some(&health), &backoff, now() + TimeDelta::minutes(9)),
            RetrierStep::ReadAgain(ReadAgainBecause::MayCallNow)
        );

        // Meta's lock-out (133016) and Greenlight's spent budget.
        let locked = failed(
            GraphErrorKind::RegisterQuotaExhausted,
            133016,
            TimeDelta::hours(1),
            false,
        );
        let locked_until =
            now() - TimeDelta::hours(1) + crate::registration::decision::META_LOCKOUT;
        assert_eq!(
            retrier_step(Some(&health), &locked, now()),
            RetrierStep::Wait(WaitFor::Time {
                until: Some(locked_until)
            })
        );
        let oldest = now() - TimeDelta::hours(70);
        let spent = LedgerSummary {
            attempts_in_window: 10,
            auto_attempts_in_window: 6,
            oldest_in_window: Some(oldest),
            oldest_auto_in_window: Some(oldest),
            ..failed(
                GraphErrorKind::Transient,
                131000,
                TimeDelta::hours(13),
                false,
            )
        };
        assert_eq!(
            retrier_step(Some(&health), &spent, now()),
            RetrierStep::Wait(WaitFor::Time {
                until: Some(oldest + crate::registration::decision::WINDOW)
            })
        );
    }

    #[test]
    fn retrier_steps_have_names_for_the_logs() {
        let steps = [
            RetrierStep::ReadAgain(ReadAgainBecause::NoStoredRead),
            RetrierStep::ReadAgain(ReadAgainBecause::MayCallNow),
            RetrierStep::ReadAgain(ReadAgainBecause::MetaMayHaveMovedOn),
            RetrierStep::Wait(WaitFor::Admin),
            RetrierStep::Wait(WaitFor::Time { until: None }),
        ];
        let names: std::collections::BTreeSet<_> = steps.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), steps.len());
    }
}
