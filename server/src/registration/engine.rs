//! The registration engine: the one place every door (the **Complete registration** button, the REST
//! endpoint, the background retrier, Meta's webhooks) goes through to call `POST /{phone}/register`.
//!
//! One attempt, in order:
//! 1. take the number's lease ([`lease`]); if another attempt holds it, answer "already running" and make no
//!    call;
//! 2. read the number once ([`HealthService::read_health`]); that read also resolves any attempt a crash left
//!    unfinished (marked `success` when the number now shows as registered, else `unknown`) before any new
//!    call;
//! 3. ask the decision module whether this trigger may call ([`call_permission`]: the decision, the
//!    webhook waiver, manual clicks need `may_register_now`, the retrier and webhooks
//!    `may_auto_register_now`) and refuse in plain words when calling Meta cannot help;
//! 4. otherwise: PIN ([`pin::ensure`], stored before the call) → renew the lease → [`ledger::start`] →
//!    **call** (`graph.register`, never retried; Meta's answer classified) → **record** ([`ledger::finish`]
//!    with Meta's code, subcode and safe message) → **confirm** (read the number again: Meta provisions
//!    asynchronously, so a number that does not show as registered yet stays `ready`, awaiting
//!    confirmation, never "disconnected");
//! 5. release the lease and answer with the new state.
//!
//! The rules (who may call, what Meta's answer and the read after it mean) are pure functions in
//! [`super::rules`]; this module only gathers their inputs and carries out their answers.
use std::sync::Arc;

use app::auth::CurrentUser;
use app::error::AppError;
use app::i18n::Locale;
use app::tr;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{
    attempt_result, call_permission, confirmation, decide, CallAnswer, CallPermission,
    Confirmation, Decision, LedgerSummary, ReasonCode, RegistrationState,
};
use super::ledger::{self, AttemptOutcome, Outcome, Trigger};
use super::{lease, pin};
use crate::cache::reads::ReadCaches;
use crate::error::{ServiceError, ServiceResult};
use crate::graph::{AccessToken, PhoneNumberHealth};
use crate::health::service::HealthService;
use crate::health::service::{source, Snapshot};
use crate::inboxes::access::{require_whatsapp_cloud, InboxAccess};
use crate::inboxes::credentials::Credentials;
use crate::inboxes::store::InboxRow;

pub use super::rules::{AttemptResult, MetaError};

/// What Greenlight answers (in `l`) when another attempt holds the number's lease.
pub fn already_running(l: Locale) -> ServiceError {
    AppError::Conflict(tr!(l, errors.registration.already_running)).into()
}

/// Refusal (in `l`) when the inbox's setup has not proven that its token manages the number: the
/// number's PIN is never sent on behalf of an inbox that may not own it (a second account adding
/// someone else's number).
pub fn access_not_proven(l: Locale) -> ServiceError {
    AppError::Conflict(tr!(l, errors.registration.access_not_proven)).into()
}

/// The answer of one registration attempt: what happened and the number's state afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

pub(super) fn now_secs() -> i64 {
    Utc::now().timestamp()
}

/// The stores the [`RegistrationService`] (and its retrier) use.
#[derive(Clone)]
pub struct RegistrationStores {
    pub leases: lease::LeaseStore,
    pub pins: pin::PinStore,
    pub verifications: super::verification::VerificationStore,
    pub ledger: ledger::LedgerStore,
    pub inboxes: crate::inboxes::store::InboxStore,
    pub snapshots: crate::health::store::SnapshotStore,
    pub claims: crate::jobs::claims::ClaimStore,
}

/// The registration engine. Holds only what an attempt needs: the lease, ledger and PIN stores,
/// the key ring (the PIN is sealed), the Graph client, the inboxes' credentials and access rule,
/// the read caches (to forget the ledger) and the health service (its one read per decision).
/// Cheap to clone.
#[derive(Clone)]
pub struct RegistrationService {
    pub(super) leases: lease::LeaseStore,
    pub(super) pins: pin::PinStore,
    pub(super) verifications: super::verification::VerificationStore,
    /// The retrier (`super::retrier`) lists, reads and claims through these too.
    pub(super) ledger: ledger::LedgerStore,
    pub(super) inboxes: crate::inboxes::store::InboxStore,
    pub(super) snapshots: crate::health::store::SnapshotStore,
    pub(super) claims: crate::jobs::claims::ClaimStore,
    pub(super) secrets: crate::crypto::SecretBox,
    pub(super) graph: crate::graph::GraphClient,
    pub(super) credentials: Credentials,
    pub(super) access: InboxAccess,
    pub(super) reads: ReadCaches,
    pub(super) health: HealthService,
}

impl RegistrationService {
    /// The engine over these dependencies.
    pub fn new(
        stores: RegistrationStores,
        secrets: crate::crypto::SecretBox,
        graph: crate::graph::GraphClient,
        credentials: Credentials,
        access: InboxAccess,
        reads: ReadCaches,
        health: HealthService,
    ) -> Self {
        RegistrationService {
            leases: stores.leases,
            pins: stores.pins,
            verifications: stores.verifications,
            ledger: stores.ledger,
            inboxes: stores.inboxes,
            snapshots: stores.snapshots,
            claims: stores.claims,
            secrets,
            graph,
            credentials,
            access,
            reads,
            health,
        }
    }

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
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        crate::accounts::service::require_admin(user, account_id)?;
        require_whatsapp_cloud(&row, user.locale)?;
        let outcome = self
            .attempt_registration(&row, Trigger::User(user.id), user.locale)
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
    /// between the call and its record, and the lease is always released. Refusals speak `l` (the
    /// pressing user's language; English for the retrier and webhooks).
    pub async fn attempt_registration(
        &self,
        row: &InboxRow,
        trigger: Trigger,
        l: Locale,
    ) -> ServiceResult<RegistrationOutcome> {
        self.attempt(row, trigger, false, l).await
    }

    /// The registration Meta asks for after it approved a changed display name (the
    /// `phone_number_name_update` webhook with `APPROVED`): like [`attempt_registration`] for a
    /// webhook, and for a number that is registered already, one renewal within the automatic budget
    /// ([`super::rules::renewal_permitted`]).
    ///
    /// [`attempt_registration`]: Self::attempt_registration
    pub async fn attempt_after_name_approval(
        &self,
        row: &InboxRow,
    ) -> ServiceResult<RegistrationOutcome> {
        self.attempt(row, Trigger::Webhook, true, Locale::en).await
    }

    async fn attempt(
        &self,
        row: &InboxRow,
        trigger: Trigger,
        renew: bool,
        l: Locale,
    ) -> ServiceResult<RegistrationOutcome> {
        require_whatsapp_cloud(row, l)?;
        let this = self.clone();
        let (inbox_id, number) = (row.id, row.phone_number_id.clone());
        tokio::spawn(async move {
            this.attempt_with_lease(inbox_id, &number, trigger, renew, l)
                .await
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("registration attempt task: {e}")))?
    }

    async fn attempt_with_lease(
        &self,
        inbox_id: i64,
        number: &str,
        trigger: Trigger,
        renew: bool,
        l: Locale,
    ) -> ServiceResult<RegistrationOutcome> {
        // The lease is the number's (an inbox's number never changes): two inboxes or accounts with
        // one number never call at once.
        let Some(mut held) = self
            .leases
            .try_acquire(number, lease::LEASE_TTL, now_secs())
            .await?
        else {
            tracing::info!(
                inbox_id,
                trigger = trigger.as_str(),
                "registration: lease held elsewhere, no call"
            );
            crate::metrics::registration_attempt(trigger.as_str(), "lease_held");
            return Err(already_running(l));
        };
        let result = self
            .attempt_under_lease(inbox_id, trigger, renew, &mut held, l)
            .await;
        if let Err(e) = self.leases.release(&held).await {
            tracing::warn!(inbox_id, error = %e, "registration: lease not released; it expires by itself");
        }
        crate::metrics::registration_attempt(
            trigger.as_str(),
            match &result {
                Ok(outcome) => outcome.result.as_str(),
                Err(_) => "error",
            },
        );
        result
    }

    /// One attempt while holding the number's lease: gather the inputs, ask whether this trigger may
    /// call, then [`call`](Self::call) → [`record`](Self::record) → [`confirm`](Self::confirm).
    async fn attempt_under_lease(
        &self,
        inbox_id: i64,
        trigger: Trigger,
        renew: bool,
        held: &mut lease::Lease,
        l: Locale,
    ) -> ServiceResult<RegistrationOutcome> {
        // The stored row, not the caller's copy: the token may have been rotated, a PIN stored meanwhile.
        let row = self
            .inboxes
            .get_unscoped(inbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let unfinished = self.ledger.unfinished(&row.phone_number_id).await?;

        // ONE read of the number for this decision.
        let snap = self.health.read_health(&row, source::REGISTRATION).await?;
        let now = snap.checked_at;
        let read = snap.read.as_ref().map_err(|f| f.kind);
        // The ledger as of the read (with what a crash left open resolved): the lease keeps every other
        // attempt from adding to it meanwhile, so the decision is the one the read's snapshot shows.
        let summary = match (unfinished.is_empty(), read) {
            (false, Ok(health)) => {
                self.resolve_unfinished(&row, &unfinished, health, &snap)
                    .await?
            }
            _ => self.ledger.summary(&row.phone_number_id, now).await?,
        };

        let result = match call_permission(trigger, read, &summary, now) {
            CallPermission::Call(_) => None,
            CallPermission::AlreadyRegistered(_)
                if renew && super::rules::renewal_permitted(read, &summary, now) =>
            {
                tracing::info!(
                    inbox_id = row.id,
                    "registration: renewing after a display name change was approved"
                );
                None
            }
            CallPermission::AlreadyRegistered(decision) => {
                Some((AttemptResult::AlreadyRegistered, decision))
            }
            CallPermission::NotNow(decision) => Some((AttemptResult::NotAttempted, decision)),
        };
        if let Some((result, decision)) = result {
            tracing::info!(
                inbox_id = row.id,
                trigger = trigger.as_str(),
                state = decision.state.as_str(),
                reason_code = decision.reason_code.as_str(),
                "registration: no call"
            );
            let message = decision.reason_in(l);
            return Ok(RegistrationOutcome::new(
                row.id, result, &snap, &decision, message,
            ));
        }

        if row.access_proven_at.is_none() {
            tracing::info!(
                inbox_id = row.id,
                "registration: access not proven, no call"
            );
            return Err(access_not_proven(l));
        }
        let pin = self
            .pins
            .ensure(&self.secrets, &row.phone_number_id, l)
            .await?;
        let token = self.credentials.access_token(&row)?;
        // Last check before spending Meta's budget: the lease must still be ours.
        if !self
            .leases
            .renew(held, lease::LEASE_TTL, now_secs())
            .await?
        {
            tracing::warn!(
                inbox_id = row.id,
                "registration: lease lost before the call, no call"
            );
            return Err(already_running(l));
        }
        // Recorded before the call: the call counts against the budget even if Greenlight stops
        // before Meta answers (the next attempt resolves the unfinished row).
        let attempt_id = self
            .ledger
            .start(row.id, &row.phone_number_id, trigger, now_secs())
            .await?;
        self.reads.forget_number(&row.phone_number_id).await;
        tracing::info!(
            inbox_id = row.id,
            phone_number_id = %row.phone_number_id,
            trigger = trigger.as_str(),
            attempt_id,
            "registration: calling Meta"
        );
        let answer = self.call(&row, attempt_id, &token, &pin).await;
        self.record(&row, attempt_id, &answer).await?;
        self.confirm(&row, attempt_id, answer, l).await
    }

    /// **Call**: sends `POST /{phone}/register` with the number's PIN, once, and classifies Meta's
    /// answer ([`CallAnswer::classify`]). Never retried here: every call spends one of Meta's 10 per
    /// 72 hours, and a call whose answer was lost may have been applied; the retrier and the
    /// ledger's `unknown` outcome deal with that, with the same PIN.
    async fn call(
        &self,
        row: &InboxRow,
        attempt_id: i64,
        token: &AccessToken,
        pin: &pin::Pin,
    ) -> CallAnswer {
        let result = self
            .graph
            .register(token, &row.phone_number_id, pin.expose_secret())
            .await;
        match &result {
            Ok(()) => tracing::info!(
                inbox_id = row.id,
                attempt_id,
                "registration: Meta accepted the call"
            ),
            // Meta's `fbtrace_id` is for Meta support: logged here; the classified answer drops it.
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
        CallAnswer::classify(&result)
    }

    /// **Record**: writes Meta's answer to the attempt's ledger row, which the budget, the back-off
    /// and the next decision are counted from. A lost answer is recorded as `unknown`, not `failed`:
    /// it is no failure to back off from, and the next read settles it (registered → done; not
    /// registered → the next attempt sends the same PIN), so lost answers converge.
    async fn record(
        &self,
        row: &InboxRow,
        attempt_id: i64,
        answer: &CallAnswer,
    ) -> ServiceResult<()> {
        let record = match answer {
            CallAnswer::Accepted => Outcome {
                outcome: AttemptOutcome::Success,
                ..Outcome::default()
            },
            CallAnswer::Refused(e) | CallAnswer::Lost(e) => Outcome {
                outcome: if matches!(answer, CallAnswer::Lost(_)) {
                    AttemptOutcome::Unknown
                } else {
                    AttemptOutcome::Failed
                },
                error_kind: Some(e.kind),
                meta_code: e.code,
                meta_subcode: e.subcode,
                message: Some(e.message.clone()),
            },
        };
        self.ledger.finish(attempt_id, &record, now_secs()).await?;
        self.reads.forget_number(&row.phone_number_id).await;
        Ok(())
    }

    /// **Confirm**: reads the number again after the call and answers with what the attempt came
    /// to. Meta provisions asynchronously: a number it accepted may not show as registered for a
    /// few minutes, so "not yet" means awaiting confirmation (the state stays `ready`, and later
    /// reads confirm it), never "disconnected". The same read settles a lost answer when the number
    /// shows as registered.
    async fn confirm(
        &self,
        row: &InboxRow,
        attempt_id: i64,
        answer: CallAnswer,
        l: Locale,
    ) -> ServiceResult<RegistrationOutcome> {
        self.health.invalidate_health(row.id).await;
        let after = self.health.read_health(row, source::REGISTRATION).await?;
        let confirmed = confirmation(after.read.as_ref().ok());
        let result = attempt_result(&answer, confirmed);
        // The answer to whoever pressed (the ledger keeps Meta's error, not this sentence).
        let message = match (&answer, confirmed) {
            (CallAnswer::Accepted, Confirmation::Registered) => {
                tr!(l, health.result.registration.registered)
            }
            (CallAnswer::Accepted, Confirmation::AwaitingConfirmation) => {
                tr!(l, health.result.registration.accepted)
            }
            (CallAnswer::Lost(_), Confirmation::Registered) => {
                tr!(l, health.result.registration.lost_registered)
            }
            (CallAnswer::Lost(e), Confirmation::AwaitingConfirmation) => {
                tr!(l, health.result.registration.lost, error = e.message)
            }
            (CallAnswer::Refused(e), _) => {
                tr!(l, health.result.registration.refused, error = e.message)
            }
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
        outcome.meta_error = answer.meta_error().cloned();
        Ok(outcome)
    }

    /// Finishes the attempts a crash left open, from the read just made (no other Graph call): `success` when
    /// the number shows as registered, `unknown` otherwise. Puts the decision with the resolved ledger into
    /// the cache and returns the resolved ledger summary at the read's time.
    async fn resolve_unfinished(
        &self,
        row: &InboxRow,
        unfinished: &[ledger::AttemptRow],
        health: &PhoneNumberHealth,
        snap: &Snapshot,
    ) -> ServiceResult<LedgerSummary> {
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
            self.ledger.finish(attempt.id, &record, now_secs()).await?;
            tracing::warn!(
                inbox_id = row.id,
                attempt_id = attempt.id,
                outcome = record.outcome.as_str(),
                "registration: resolved an attempt left unfinished"
            );
        }
        let summary = self
            .ledger
            .summary(&row.phone_number_id, snap.checked_at)
            .await?;
        let decision = decide(Ok(health), &summary, snap.checked_at);
        let resolved = Snapshot {
            decision,
            ..snap.clone()
        };
        self.health.remember(Arc::new(resolved)).await;
        self.reads.forget_number(&row.phone_number_id).await;
        Ok(summary)
    }
}
