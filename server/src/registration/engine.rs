//! The registration engine: the one place every door (the **Complete registration** button, the REST
//! endpoint, the background retrier, Meta's webhooks) goes through to call `POST /{phone}/register`.
//!
//! One attempt, in order:
//! 1. take the number's lease ([`lease`]); if another attempt holds it, answer "already running" and make no
//!    call;
//! 2. read the number once ([`Services::read_health`]); that read also resolves any attempt a crash left
//!    unfinished (marked `success` when the number now shows as registered, else `unknown`) before any new
//!    call;
//! 3. decide ([`decide`](super::decision::decide)) and refuse in plain words when calling Meta cannot help
//!    (manual clicks need `may_register_now`, the retrier `may_auto_register_now`);
//! 4. otherwise: PIN ([`pin::ensure`], stored before the call) → renew the lease → [`ledger::start`] →
//!    `graph.register` (never retried) → [`ledger::finish`] with Meta's code, subcode and safe message;
//! 5. read the number again: Meta provisions asynchronously, so a number that does not show as registered yet
//!    stays `ready` (awaiting confirmation), never "disconnected";
//! 6. release the lease and answer with the new state.
use std::sync::Arc;

use app::auth::CurrentUser;
use app::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{decide, Decision, ReasonCode, RegistrationState};
use super::ledger::{self, AttemptOutcome, Outcome, Trigger};
use super::{lease, pin};
use crate::error::{ServiceError, ServiceResult};
use crate::graph::{GraphError, GraphErrorKind, NameStatus, PhoneNumberHealth};
use crate::health::service::{source, Snapshot};
use crate::inboxes::store::{self as inboxes, InboxRow};
use crate::services::Services;

/// What Greenlight answers when another attempt holds the number's lease.
/// Refusal when the inbox's setup has not proven that its token manages the number: the number's PIN
/// is never sent on behalf of an inbox that may not own it (a second account adding someone else's
/// number).
pub const ACCESS_NOT_PROVEN: &str = "Greenlight has not yet proven that this inbox's access token manages the number (its setup did not complete). Fix the token or the ids and press Retry setup; until then Greenlight does not register the number for this inbox.";

pub const ALREADY_RUNNING: &str =
    "A registration attempt for this number is already running. Wait a moment and look at the number's state again.";

/// What an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaError {
    pub kind: GraphErrorKind,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: String,
}

/// The answer of one registration attempt: what happened and the number's state afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationOutcome {
    pub inbox_id: i64,
    pub result: AttemptResult,
    /// `POST /{phone}/register` was called during this attempt.
    pub called_meta: bool,
    /// The number shows as registered now.
    pub registered: bool,
    /// The state after the attempt.
    pub state: RegistrationState,
    pub reason_code: ReasonCode,
    /// The decision's plain words: what is wrong and what happens next.
    pub reason: String,
    /// What this attempt did, in plain words.
    pub message: String,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempts_left_in_window: u32,
    /// Whether pressing **Complete registration** again can call Meta now.
    pub may_register_now: bool,
    /// The ledger row of the call, when one was made.
    pub attempt_id: Option<i64>,
    pub meta_error: Option<MetaError>,
    /// When the number was last read.
    pub checked_at: DateTime<Utc>,
}

impl RegistrationOutcome {
    fn new(
        inbox_id: i64,
        result: AttemptResult,
        snap: &Snapshot,
        decision: &Decision,
        message: String,
    ) -> Self {
        RegistrationOutcome {
            inbox_id,
            result,
            called_meta: false,
            registered: decision.state == RegistrationState::Registered,
            state: decision.state,
            reason_code: decision.reason_code,
            reason: decision.reason.clone(),
            message,
            next_attempt_at: decision.next_attempt_at,
            attempts_left_in_window: decision.attempts_left_in_window,
            may_register_now: decision.may_register_now,
            attempt_id: None,
            meta_error: None,
            checked_at: snap.checked_at,
        }
    }
}

/// Which rule lets a trigger call Meta.
fn allowed(trigger: Trigger, decision: &Decision) -> bool {
    match trigger {
        Trigger::User(_) => decision.may_register_now,
        Trigger::Auto | Trigger::Webhook => decision.may_auto_register_now,
    }
}

/// A `phone_number_name_update` webhook is the event the back-off after a 2388001 failure waits for: when the
/// read now shows the name approved, the webhook may try at once (still within the automatic budget).
fn webhook_decision(
    health: &PhoneNumberHealth,
    summary: &super::decision::LedgerSummary,
    now: DateTime<Utc>,
) -> Option<Decision> {
    let waiting_for_name = summary
        .last_failure
        .as_ref()
        .is_some_and(|f| f.kind == GraphErrorKind::DisplayNameNotReady);
    let name_ready = matches!(
        health.name_status,
        Some(NameStatus::Approved | NameStatus::AvailableWithoutReview)
    );
    if !(waiting_for_name && name_ready) {
        return None;
    }
    let waived = super::decision::LedgerSummary {
        last_failure: None,
        last_attempt_at: None,
        consecutive_auto_failures: 0,
        ..summary.clone()
    };
    Some(decide(Ok(health), &waived, now))
}

/// A register call whose answer does not tell whether Meta applied it: no answer in time, a
/// connection cut mid-call, or a server error (Meta may fail after applying the call).
fn answer_lost(error: &GraphError) -> bool {
    match error {
        GraphError::Timeout | GraphError::Transport => true,
        GraphError::MalformedResponse { http_status, .. } => *http_status >= 500,
        GraphError::Api(api) => api.http_status >= 500 && api.kind() == GraphErrorKind::Transient,
        _ => false,
    }
}

fn now_secs() -> i64 {
    Utc::now().timestamp()
}

impl Services {
    /// **Complete registration**, pressed by `user`: administrators of the account only (agents 403, another
    /// account's inbox 404), WhatsApp Cloud inboxes only. Answers `Conflict` with the reason in plain words when
    /// calling Meta cannot help now (name in review or declined, token refused, budget spent — with when it
    /// refills —, read failed) or when another attempt is running; otherwise the outcome of the call.
    pub async fn complete_registration(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<RegistrationOutcome> {
        let row = self.inbox_for(user, account_id, inbox_id).await?;
        self.require_admin(user, account_id)?;
        self.require_whatsapp_cloud(&row)?;
        let outcome = self
            .attempt_registration(&row, Trigger::User(user.id))
            .await?;
        if outcome.result == AttemptResult::NotAttempted {
            return Err(AppError::Conflict(outcome.reason).into());
        }
        Ok(outcome)
    }

    /// One registration attempt for `row`, for any door (the retrier and webhooks call it directly; they act
    /// for no user). `Conflict` when another attempt holds the number's lease; an outcome otherwise, with
    /// [`AttemptResult::NotAttempted`] when the decision forbids calling Meta for this `trigger`.
    ///
    /// The attempt runs in its own task: a caller that goes away (a closed browser tab) does not cut it off
    /// between the call and its record, and the lease is always released.
    pub async fn attempt_registration(
        &self,
        row: &InboxRow,
        trigger: Trigger,
    ) -> ServiceResult<RegistrationOutcome> {
        self.require_whatsapp_cloud(row)?;
        let this = self.clone();
        let (inbox_id, number) = (row.id, row.phone_number_id.clone());
        tokio::spawn(async move { this.attempt_with_lease(inbox_id, &number, trigger).await })
            .await
            .map_err(|e| ServiceError::Internal(format!("registration attempt task: {e}")))?
    }

    async fn attempt_with_lease(
        &self,
        inbox_id: i64,
        number: &str,
        trigger: Trigger,
    ) -> ServiceResult<RegistrationOutcome> {
        // The lease is the number's (an inbox's number never changes): two inboxes or accounts with
        // one number never call at once.
        let Some(mut held) =
            lease::try_acquire(&self.db, number, lease::LEASE_TTL, now_secs()).await?
        else {
            tracing::info!(
                inbox_id,
                trigger = trigger.as_str(),
                "registration: lease held elsewhere, no call"
            );
            return Err(AppError::Conflict(ALREADY_RUNNING.to_owned()).into());
        };
        let result = self.attempt_under_lease(inbox_id, trigger, &mut held).await;
        if let Err(e) = lease::release(&self.db, &held).await {
            tracing::warn!(inbox_id, error = %e, "registration: lease not released; it expires by itself");
        }
        result
    }

    async fn attempt_under_lease(
        &self,
        inbox_id: i64,
        trigger: Trigger,
        held: &mut lease::Lease,
    ) -> ServiceResult<RegistrationOutcome> {
        // The stored row, not the caller's copy: the token may have been rotated, a PIN stored meanwhile.
        let row = inboxes::get_unscoped(&self.db, inbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let unfinished = ledger::unfinished(&self.db, &row.phone_number_id).await?;

        // ONE read of the number for this decision.
        let snap = self.read_health(&row, source::REGISTRATION).await?;
        let now = snap.checked_at;
        let mut decision = snap.decision.clone();
        if let (false, Ok(health)) = (unfinished.is_empty(), &snap.read) {
            decision = self
                .resolve_unfinished(&row, &unfinished, health, &snap)
                .await?;
        }
        if let (Trigger::Webhook, Ok(health)) = (trigger, &snap.read) {
            let summary = ledger::summary(&self.db, &row.phone_number_id, now).await?;
            if let Some(waived) = webhook_decision(health, &summary, now) {
                decision = waived;
            }
        }

        if !allowed(trigger, &decision) {
            let result = if decision.state == RegistrationState::Registered {
                AttemptResult::AlreadyRegistered
            } else {
                AttemptResult::NotAttempted
            };
            tracing::info!(
                inbox_id = row.id,
                trigger = trigger.as_str(),
                state = decision.state.as_str(),
                reason_code = decision.reason_code.as_str(),
                "registration: no call"
            );
            let message = decision.reason.clone();
            return Ok(RegistrationOutcome::new(
                row.id, result, &snap, &decision, message,
            ));
        }

        if row.access_proven_at.is_none() {
            tracing::info!(
                inbox_id = row.id,
                "registration: access not proven, no call"
            );
            return Err(AppError::Conflict(ACCESS_NOT_PROVEN.to_owned()).into());
        }
        let pin = pin::ensure(&self.db, &self.secrets, &row.phone_number_id).await?;
        let token = self.access_token(&row)?;
        // Last check before spending Meta's budget: the lease must still be ours.
        if !lease::renew(&self.db, held, lease::LEASE_TTL, now_secs()).await? {
            tracing::warn!(
                inbox_id = row.id,
                "registration: lease lost before the call, no call"
            );
            return Err(AppError::Conflict(ALREADY_RUNNING.to_owned()).into());
        }
        let attempt_id =
            ledger::start(&self.db, row.id, &row.phone_number_id, trigger, now_secs()).await?;
        self.forget_attempts(&row.phone_number_id).await;
        tracing::info!(
            inbox_id = row.id,
            phone_number_id = %row.phone_number_id,
            trigger = trigger.as_str(),
            attempt_id,
            "registration: calling Meta"
        );
        let call = self
            .graph
            .register(&token, &row.phone_number_id, pin.expose_secret())
            .await;
        let (record, meta_error) = match &call {
            Ok(()) => (
                Outcome {
                    outcome: AttemptOutcome::Success,
                    ..Outcome::default()
                },
                None,
            ),
            Err(e) => {
                let message = e.user_message();
                (
                    Outcome {
                        outcome: if answer_lost(e) {
                            AttemptOutcome::Unknown
                        } else {
                            AttemptOutcome::Failed
                        },
                        error_kind: Some(e.kind()),
                        meta_code: e.code(),
                        meta_subcode: e.subcode(),
                        message: Some(message.clone()),
                    },
                    Some(MetaError {
                        kind: e.kind(),
                        code: e.code(),
                        subcode: e.subcode(),
                        message,
                    }),
                )
            }
        };
        ledger::finish(&self.db, attempt_id, &record, now_secs()).await?;
        self.forget_attempts(&row.phone_number_id).await;
        match &call {
            Ok(()) => tracing::info!(
                inbox_id = row.id,
                attempt_id,
                "registration: Meta accepted the call"
            ),
            Err(e) => tracing::warn!(
                inbox_id = row.id,
                attempt_id,
                kind = e.kind().as_str(),
                code = ?e.code(),
                subcode = ?e.subcode(),
                fbtrace_id = ?e.fbtrace_id(),
                "registration: Meta refused the call"
            ),
        }

        // Meta provisions asynchronously: read again; not registered yet means awaiting confirmation.
        self.invalidate_health(row.id).await;
        let after = self.read_health(&row, source::REGISTRATION).await?;
        let lost = call.as_ref().err().is_some_and(answer_lost);
        let (result, message) = match (&meta_error, after.decision.state) {
            (None, RegistrationState::Registered) => (
                AttemptResult::Registered,
                "Meta registered the number with the WhatsApp Cloud API.".to_owned(),
            ),
            (None, _) => (
                AttemptResult::Accepted,
                "Meta accepted the registration. It can take a few minutes before Meta shows the number as \
                 registered; Greenlight checks again."
                    .to_owned(),
            ),
            (Some(_), RegistrationState::Registered) if lost => (
                AttemptResult::Registered,
                "Meta's answer was lost, but the number now shows as registered.".to_owned(),
            ),
            (Some(e), _) if lost => (
                AttemptResult::Unknown,
                format!(
                    "Meta's answer was lost ({}): Greenlight cannot tell whether Meta registered the number. \
                     It checks again, and any next attempt sends the same PIN.",
                    e.message
                ),
            ),
            (Some(e), _) => (
                AttemptResult::Failed,
                format!("Meta did not register the number: {}", e.message),
            ),
        };
        tracing::info!(
            inbox_id = row.id,
            attempt_id,
            result = result.as_str(),
            state = after.decision.state.as_str(),
            "registration: attempt done"
        );
        let mut outcome =
            RegistrationOutcome::new(row.id, result, &after, &after.decision, message);
        outcome.called_meta = true;
        outcome.attempt_id = Some(attempt_id);
        outcome.meta_error = meta_error;
        Ok(outcome)
    }

    /// Finishes the attempts a crash left open, from the read just made (no other Graph call): `success` when
    /// the number shows as registered, `unknown` otherwise. Returns the decision with the resolved ledger and
    /// puts it into the cache.
    async fn resolve_unfinished(
        &self,
        row: &InboxRow,
        unfinished: &[ledger::AttemptRow],
        health: &PhoneNumberHealth,
        snap: &Snapshot,
    ) -> ServiceResult<Decision> {
        let registered = health.is_registered();
        let record = Outcome {
            outcome: if registered {
                AttemptOutcome::Success
            } else {
                AttemptOutcome::Unknown
            },
            message: Some(if registered {
                "Greenlight stopped during this attempt; the number showed as registered afterwards.".to_owned()
            } else {
                "Greenlight stopped during this attempt; Meta's answer is not known.".to_owned()
            }),
            ..Outcome::default()
        };
        for attempt in unfinished {
            ledger::finish(&self.db, attempt.id, &record, now_secs()).await?;
            tracing::warn!(
                inbox_id = row.id,
                attempt_id = attempt.id,
                outcome = record.outcome.as_str(),
                "registration: resolved an attempt left unfinished"
            );
        }
        let summary = ledger::summary(&self.db, &row.phone_number_id, snap.checked_at).await?;
        let decision = decide(Ok(health), &summary, snap.checked_at);
        let resolved = Snapshot {
            decision: decision.clone(),
            ..snap.clone()
        };
        self.health_cache.insert(row.id, Arc::new(resolved)).await;
        self.forget_attempts(&row.phone_number_id).await;
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::decision::{AttemptFailure, LedgerSummary};
    use chrono::TimeDelta;

    fn health(name: NameStatus) -> PhoneNumberHealth {
        PhoneNumberHealth {
            name_status: Some(name),
            code_verification_status: Some(crate::graph::CodeVerificationStatus::Verified),
            platform_type: Some(crate::graph::PlatformType::NotApplicable),
            ..PhoneNumberHealth::default()
        }
    }

    #[test]
    fn a_name_webhook_waives_the_back_off_after_2388001_only() {
        let now = Utc::now();
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
        let waived = webhook_decision(&approved, &summary, now).expect("waived");
        assert!(waived.may_auto_register_now);
        assert_eq!(
            waived.attempts_left_in_window, 9,
            "the budget still counts the failed call"
        );
        assert!(webhook_decision(&health(NameStatus::PendingReview), &summary, now).is_none());
        let transient = LedgerSummary {
            last_failure: Some(AttemptFailure {
                kind: GraphErrorKind::Transient,
                code: Some(2),
                subcode: None,
                at: last,
            }),
            ..summary
        };
        assert!(webhook_decision(&approved, &transient, now).is_none());
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
}
