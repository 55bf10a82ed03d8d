//! The fixes an administrator makes without leaving Greenlight (issue 12): a new two-step PIN,
//! re-verification by code, a new display name. Each is one service method that every door (REST,
//! server function) calls, and each answers like **Complete registration**: what Meta said
//! (sanitized) and the number's state afterwards.
//!
//! Every fix that changes the number holds the number's registration lease while it calls Meta,
//! so a register call never runs with a PIN that is being replaced, and two fixes never overlap.
use app::auth::CurrentUser;
use app::error::AppError;
use app::i18n::Locale;
use app::tr;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decision::{CallAnswer, ReasonCode, RegistrationState};
use super::engine::{
    access_not_proven, already_running, now_secs, RegistrationOutcome, RegistrationService,
};
use super::ledger::Trigger;
use super::pin::PinStatus;
use super::rules::MetaError;
use super::verification::{CallOutcome, CodeBudget, NewCall, Step};
use super::{lease, AttemptResult};
use crate::error::ServiceResult;
use crate::graph::CodeRefusal;
use crate::health::service::source;
use crate::inboxes::access::require_whatsapp_cloud;
use crate::inboxes::store::InboxRow;

/// Which fix an answer is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixAction {
    /// A new two-step verification PIN (`POST /{phone}` with `pin`).
    TwoStepPin,
    /// A verification code sent to the phone (`POST /{phone}/request_code`).
    VerificationRequest,
    /// The code entered (`POST /{phone}/verify_code`).
    VerificationVerify,
    /// A new display name sent for review (`POST /{phone}` with `new_display_name`).
    DisplayName,
}

/// What Meta did with the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixResult {
    /// Meta accepted it.
    Applied,
    /// Meta refused it: nothing changed at Meta.
    Refused,
    /// Meta's answer was lost: it may or may not have applied it (doing the fix again is safe).
    Unknown,
    /// Greenlight did not call Meta (a limit, or nothing to do); `message` says why.
    NotAttempted,
}

impl FixResult {
    fn of(answer: &CallAnswer) -> FixResult {
        match answer {
            CallAnswer::Accepted => FixResult::Applied,
            CallAnswer::Refused(_) => FixResult::Refused,
            CallAnswer::Lost(_) => FixResult::Unknown,
        }
    }
}

/// The answer of a fix: what Meta said and the number's state afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FixOutcome {
    pub inbox_id: i64,
    pub action: FixAction,
    pub result: FixResult,
    /// Meta was called during this fix.
    pub called_meta: bool,
    /// What the fix did, in plain words.
    pub message: String,
    /// Meta's refusal, sanitized (kind, code, subcode, a sentence for people).
    pub meta_error: Option<MetaError>,
    /// The number's registration state after the fix.
    pub state: RegistrationState,
    pub reason_code: ReasonCode,
    pub reason: String,
    /// What Greenlight knows of the number's PIN (never the PIN).
    pub pin: PinStatus,
    /// The registration attempt the fix went on to make (after a new PIN or a verified code).
    pub registration: Option<RegistrationOutcome>,
    /// The budget of verification-code requests (re-verification fixes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_requests: Option<CodeRequests>,
    pub checked_at: DateTime<Utc>,
}

/// Why a fix was refused before calling Meta.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FixRefusal {
    /// Meta reviews one display name change at a time.
    #[error("Meta is already reviewing a new display name for this number (\"{name}\"). Meta reviews one change at a time: wait for its decision, then submit another.")]
    NameChangeInReview { name: String },
    /// The new display name is empty, too long or has control characters.
    #[error("The new display name must be 1 to {max} characters, without line breaks.")]
    BadName { max: usize },
}

impl FixRefusal {
    /// The refusal for a reader of `l` (`Display` stays English, for logs).
    pub fn for_reader(self, l: Locale) -> crate::error::ServiceError {
        match self {
            FixRefusal::NameChangeInReview { name } => AppError::Conflict(tr!(
                l,
                errors.registration.name_change_in_review,
                name = name
            ))
            .into(),
            FixRefusal::BadName { max } => AppError::invalid(
                "new_display_name",
                tr!(l, errors.registration.bad_display_name, max = max),
            )
            .into(),
        }
    }
}

/// Longest display name Greenlight sends (Meta's display names are short brand names).
pub const MAX_DISPLAY_NAME: usize = 120;

/// How a verification code is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeMethod {
    #[serde(rename = "SMS")]
    Sms,
    #[serde(rename = "VOICE")]
    Voice,
}

impl CodeMethod {
    /// Meta's name (`SMS`, `VOICE`).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeMethod::Sms => "SMS",
            CodeMethod::Voice => "VOICE",
        }
    }

    /// Parses Meta's name (any case).
    pub fn parse(s: &str) -> Option<CodeMethod> {
        match s.trim().to_ascii_uppercase().as_str() {
            "SMS" => Some(CodeMethod::Sms),
            "VOICE" => Some(CodeMethod::Voice),
            _ => None,
        }
    }
}

/// The budget of verification-code requests, as answers show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CodeRequests {
    /// Requests Greenlight still makes for the number in the current 24 hours.
    pub left: u32,
    /// When the next code may be requested; `None`: now.
    pub next_request_at: Option<DateTime<Utc>>,
}

impl CodeRequests {
    fn of(b: &CodeBudget) -> CodeRequests {
        CodeRequests {
            left: b.requests_left,
            next_request_at: b
                .next_request_at
                .and_then(|t| DateTime::from_timestamp(t, 0)),
        }
    }
}

/// A language tag Meta takes for the code message (`en_US`, `en`, `pt_BR`); refused in `l`.
fn check_language(language: &str, l: Locale) -> ServiceResult<()> {
    let ok = (2..=8).contains(&language.len())
        && language
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_')
        && language
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("language", tr!(l, errors.registration.language_code)).into())
    }
}

/// The six digits of a code as people type it (`123-456`, `123 456` or `123456`).
pub fn normalize_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

fn code_refusal(
    answer: &CallAnswer,
    result: &Result<(), crate::graph::GraphError>,
    verify: bool,
) -> CallOutcome {
    match (answer, result) {
        (CallAnswer::Accepted, _) => CallOutcome::Success,
        (CallAnswer::Lost(_), _) => CallOutcome::Unknown,
        (CallAnswer::Refused(_), Err(e)) => CallOutcome::Failed(CodeRefusal::classify(e, verify)),
        (CallAnswer::Refused(_), Ok(())) => CallOutcome::Failed(CodeRefusal::Other),
    }
}

/// When, in words (UTC).
fn at_words(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

impl RegistrationService {
    /// Runs `work` while holding the number's registration lease; `Conflict` when another attempt
    /// or fix holds it (refused in `l`). The lease is released whatever `work` answers.
    pub(super) async fn with_lease<T, F, Fut>(
        &self,
        number: &str,
        l: Locale,
        work: F,
    ) -> ServiceResult<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = ServiceResult<T>>,
    {
        let Some(held) = self
            .leases
            .try_acquire(number, lease::LEASE_TTL, now_secs())
            .await?
        else {
            return Err(already_running(l));
        };
        let result = work().await;
        if let Err(e) = self.leases.release(&held).await {
            tracing::warn!(error = %e, "fix: lease not released; it expires by itself");
        }
        result
    }

    /// The inbox of a fix: administrators of the account only (agents 403, another account's inbox
    /// 404), WhatsApp Cloud inboxes whose setup proved the token manages the number.
    pub(super) async fn fix_target(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<InboxRow> {
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        crate::accounts::service::require_admin(user, account_id)?;
        require_whatsapp_cloud(&row, user.locale)?;
        if row.access_proven_at.is_none() {
            return Err(access_not_proven(user.locale));
        }
        Ok(row)
    }

    /// The outcome of a fix, with the number read again (the fix may have changed what Meta shows).
    pub(super) async fn fix_outcome(
        &self,
        row: &InboxRow,
        action: FixAction,
        answer: Option<&CallAnswer>,
        message: String,
        registration: Option<RegistrationOutcome>,
    ) -> ServiceResult<FixOutcome> {
        let (state, reason_code, reason, checked_at) = match &registration {
            Some(r) => (r.state, r.reason_code, r.reason.clone(), r.checked_at),
            None => {
                self.health.invalidate_health(row.id).await;
                let snap = self.health.read_health(row, source::REGISTRATION).await?;
                (
                    snap.decision.state,
                    snap.decision.reason_code,
                    snap.decision.reason.clone(),
                    snap.checked_at,
                )
            }
        };
        Ok(FixOutcome {
            inbox_id: row.id,
            action,
            result: answer.map_or(FixResult::NotAttempted, FixResult::of),
            called_meta: answer.is_some(),
            message,
            meta_error: answer.and_then(CallAnswer::meta_error).cloned(),
            state,
            reason_code,
            reason,
            pin: PinStatus {
                state: self.pins.state(&row.phone_number_id).await?,
            },
            registration,
            code_requests: None,
            checked_at,
        })
    }

    /// Registers the number through the engine after a fix removed what stopped it, when the last
    /// decision says registration failed for that reason (`after` lists the reasons this fix
    /// addresses). The attempt counts against Meta's budget like a click on **Complete
    /// registration** (same lease, ledger and rules); no attempt when the decision forbids it.
    pub(super) async fn register_after_fix(
        &self,
        user: &CurrentUser,
        row: &InboxRow,
        after: Option<&[ReasonCode]>,
    ) -> ServiceResult<Option<RegistrationOutcome>> {
        self.health.invalidate_health(row.id).await;
        let snap = self.health.read_health(row, source::REGISTRATION).await?;
        if after.is_some_and(|reasons| !reasons.contains(&snap.decision.reason_code))
            || snap.decision.state == RegistrationState::Registered
        {
            return Ok(None);
        }
        let outcome = self
            .attempt_registration(row, Trigger::User(user.id), user.locale)
            .await?;
        Ok((outcome.result != AttemptResult::NotAttempted).then_some(outcome))
    }

    /// **Set the PIN** (`POST …/inboxes/{id}/two_step_pin`): Greenlight makes a new six-digit PIN,
    /// stores it sealed *before* the call (the old one stays until Meta confirms), and sets it with
    /// `POST /{phone}` — Meta needs no old PIN. Then:
    /// - Meta accepted: the new PIN is the number's; a registration that failed on the PIN (133005)
    ///   is attempted again through the engine.
    /// - Meta refused: the old PIN stays, nothing changed.
    /// - The answer was lost: both are kept and the PIN shows as possibly stale; pressing **Set the
    ///   PIN** again sends the *same* new PIN, so Meta and Greenlight agree whichever way the lost
    ///   call went.
    ///
    /// No answer contains the PIN.
    pub async fn set_two_step_pin(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<FixOutcome> {
        let row = self.fix_target(user, account_id, inbox_id).await?;
        let token = self.credentials.access_token(&row)?;
        let number = row.phone_number_id.clone();
        let answer = self
            .with_lease(&number, user.locale, || async {
                let pending = self
                    .pins
                    .pending_or_new(&self.secrets, &number, user.locale)
                    .await?;
                let result = self
                    .graph
                    .set_two_step_pin(&token, &number, pending.pin.expose_secret())
                    .await;
                let answer = CallAnswer::classify(&result);
                match &answer {
                    CallAnswer::Accepted => self.pins.confirm_pending(&number, &pending).await?,
                    CallAnswer::Refused(_) => self.pins.drop_pending(&number, &pending).await?,
                    CallAnswer::Lost(_) => {}
                }
                // Whichever way it went, the PIN's state changed (a pending PIN is possibly stale).
                self.reads.forget_number(&number).await;
                if let Err(e) = &result {
                    tracing::warn!(
                        inbox_id = row.id,
                        kind = e.kind().as_str(),
                        code = ?e.code(),
                        fbtrace_id = ?e.fbtrace_id(),
                        "fix: Meta did not confirm the new PIN"
                    );
                } else {
                    tracing::info!(inbox_id = row.id, "fix: Meta set the new PIN");
                }
                Ok(answer)
            })
            .await?;
        let l = user.locale;
        let (message, registration) = match &answer {
            CallAnswer::Accepted => {
                let registration = self
                    .register_after_fix(user, &row, Some(&[ReasonCode::PinMismatch]))
                    .await?;
                let message = match &registration {
                    Some(r) => tr!(l, health.result.pin_set_registered, result = r.message),
                    None => tr!(l, health.result.pin_set),
                };
                (message, registration)
            }
            CallAnswer::Refused(e) => (tr!(l, health.result.pin_refused, error = e.message), None),
            CallAnswer::Lost(e) => (tr!(l, health.result.pin_lost, error = e.message), None),
        };
        self.fix_outcome(
            &row,
            FixAction::TwoStepPin,
            Some(&answer),
            message,
            registration,
        )
        .await
    }

    /// **Request a code** (`POST …/inboxes/{id}/verification/request`): Meta sends a verification
    /// code to the phone by SMS or voice call (`POST /{phone}/request_code`). Greenlight keeps to its
    /// budget of code requests ([`super::verification`]) and answers `Conflict` with when the next
    /// code may be asked for, without calling Meta, when it is spent. Every call is recorded.
    pub async fn request_verification_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        method: CodeMethod,
        language: &str,
    ) -> ServiceResult<FixOutcome> {
        let row = self.fix_target(user, account_id, inbox_id).await?;
        check_language(language, user.locale)?;
        let token = self.credentials.access_token(&row)?;
        let number = row.phone_number_id.clone();
        let called = self
            .with_lease(&number, user.locale, || async {
                let now = now_secs();
                let budget = self.verifications.budget(&number, now).await?;
                if !budget.allows(now) {
                    return Ok(Err(budget));
                }
                let result = self
                    .graph
                    .request_code(&token, &number, method.as_str(), language)
                    .await;
                let answer = CallAnswer::classify(&result);
                let outcome = code_refusal(&answer, &result, false);
                let error = answer.meta_error();
                self.verifications
                    .record(NewCall {
                        inbox_id: row.id,
                        phone_number_id: &number,
                        user_id: user.id,
                        step: Step::Request,
                        code_method: Some(method.as_str()),
                        at: now,
                        outcome,
                        error_kind: error.map(|e| e.kind),
                        meta_code: error.and_then(|e| e.code),
                        meta_subcode: error.and_then(|e| e.subcode),
                        message: error.map(|e| e.message.as_str()),
                    })
                    .await?;
                tracing::info!(inbox_id = row.id, method = method.as_str(), outcome = ?outcome, "fix: verification code requested");
                Ok(Ok((answer, outcome)))
            })
            .await?;
        let (answer, outcome) = match called {
            Ok(done) => done,
            Err(budget) => {
                let when = budget.next_request_at.map(at_words).unwrap_or_default();
                return Err(AppError::Conflict(tr!(
                    user.locale,
                    errors.registration.code_budget_spent,
                    max = super::verification::CODE_REQUESTS_PER_DAY,
                    when = when
                ))
                .into());
            }
        };
        let l = user.locale;
        let how = match method {
            CodeMethod::Sms => tr!(l, health.result.by_sms),
            CodeMethod::Voice => tr!(l, health.result.by_voice),
        };
        let message = match (&answer, outcome) {
            (CallAnswer::Accepted, _) => tr!(l, health.result.code_sending, how = how),
            (_, CallOutcome::Failed(CodeRefusal::RequestLimited)) => tr!(
                l,
                health.result.code_limited,
                minutes = super::verification::HOLD_AFTER_LIMITED_SECS / 60
            ),
            (CallAnswer::Refused(e), _) => tr!(l, health.result.code_refused, error = e.message),
            (CallAnswer::Lost(e), _) => tr!(l, health.result.code_lost, error = e.message),
        };
        self.verification_outcome(&row, FixAction::VerificationRequest, &answer, message, None)
            .await
    }

    /// **Enter the code** (`POST …/inboxes/{id}/verification/verify`): sends the code to Meta
    /// (`POST /{phone}/verify_code`; the code is never stored or logged). When Meta accepts it,
    /// Greenlight registers the number through the engine (same lease rules, ledger and budget as
    /// **Complete registration**), unless it is registered already.
    pub async fn verify_code(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        code: &str,
    ) -> ServiceResult<FixOutcome> {
        let row = self.fix_target(user, account_id, inbox_id).await?;
        let Some(code) = normalize_code(code) else {
            return Err(AppError::invalid(
                "code",
                tr!(user.locale, errors.registration.code_format),
            )
            .into());
        };
        let token = self.credentials.access_token(&row)?;
        let number = row.phone_number_id.clone();
        let (answer, outcome) = self
            .with_lease(&number, user.locale, || async {
                let now = now_secs();
                let result = self.graph.verify_code(&token, &number, &code).await;
                let answer = CallAnswer::classify(&result);
                let outcome = code_refusal(&answer, &result, true);
                let error = answer.meta_error();
                self.verifications
                    .record(NewCall {
                        inbox_id: row.id,
                        phone_number_id: &number,
                        user_id: user.id,
                        step: Step::Verify,
                        code_method: None,
                        at: now,
                        outcome,
                        error_kind: error.map(|e| e.kind),
                        meta_code: error.and_then(|e| e.code),
                        meta_subcode: error.and_then(|e| e.subcode),
                        message: error.map(|e| e.message.as_str()),
                    })
                    .await?;
                tracing::info!(inbox_id = row.id, outcome = ?outcome, "fix: verification code entered");
                Ok((answer, outcome))
            })
            .await?;
        let l = user.locale;
        let (message, registration) = match (&answer, outcome) {
            (CallAnswer::Accepted, _) => {
                let registration = self.register_after_fix(user, &row, None).await?;
                let message = match &registration {
                    Some(r) => tr!(l, health.result.verified_registered, result = r.message),
                    None => tr!(l, health.result.verified),
                };
                (message, registration)
            }
            (_, CallOutcome::Failed(CodeRefusal::WrongCode)) => {
                (tr!(l, health.result.wrong_code), None)
            }
            (CallAnswer::Refused(e), _) => (
                tr!(l, health.result.verify_refused, error = e.message),
                None,
            ),
            (CallAnswer::Lost(e), _) => {
                (tr!(l, health.result.verify_lost, error = e.message), None)
            }
        };
        self.verification_outcome(
            &row,
            FixAction::VerificationVerify,
            &answer,
            message,
            registration,
        )
        .await
    }

    /// A re-verification fix's answer: the fix's outcome with the number's code-request budget.
    async fn verification_outcome(
        &self,
        row: &InboxRow,
        action: FixAction,
        answer: &CallAnswer,
        message: String,
        registration: Option<RegistrationOutcome>,
    ) -> ServiceResult<FixOutcome> {
        let mut outcome = self
            .fix_outcome(row, action, Some(answer), message, registration)
            .await?;
        outcome.code_requests = Some(CodeRequests::of(
            &self
                .verifications
                .budget(&row.phone_number_id, now_secs())
                .await?,
        ));
        Ok(outcome)
    }

    /// **Change the display name** (`POST …/inboxes/{id}/display_name`): sends the new name for
    /// Meta's review (`POST /{phone}` with `new_display_name`). One change in review at a time: when
    /// the number's read shows a change `PENDING_REVIEW`, the answer is [`FixRefusal::NameChangeInReview`]
    /// and Meta is not called. Meta's decision arrives with the `phone_number_name_update` webhook; an
    /// approved change of a registered number is followed by the registration Meta asks for
    /// ([`RegistrationService::attempt_after_name_approval`]).
    pub async fn request_display_name(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
        new_display_name: &str,
    ) -> ServiceResult<FixOutcome> {
        let row = self.fix_target(user, account_id, inbox_id).await?;
        let name = new_display_name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_DISPLAY_NAME
            || name.chars().any(char::is_control)
        {
            return Err(FixRefusal::BadName {
                max: MAX_DISPLAY_NAME,
            }
            .for_reader(user.locale));
        }
        let token = self.credentials.access_token(&row)?;
        let number = row.phone_number_id.clone();
        let answer = self
            .with_lease(&number, user.locale, || async {
                self.health.invalidate_health(row.id).await;
                let snap = self.health.read_health(&row, source::REGISTRATION).await?;
                if let Ok(h) = &snap.read {
                    if h.new_name_status == Some(crate::graph::NameStatus::PendingReview) {
                        return Err(FixRefusal::NameChangeInReview {
                            name: h.new_display_name.clone().unwrap_or_default(),
                        }
                        .for_reader(user.locale));
                    }
                }
                let result = self.graph.request_display_name(&token, &number, name).await;
                if let Err(e) = &result {
                    tracing::warn!(inbox_id = row.id, kind = e.kind().as_str(), code = ?e.code(), fbtrace_id = ?e.fbtrace_id(), "fix: Meta did not take the new display name");
                }
                Ok(CallAnswer::classify(&result))
            })
            .await?;
        let message = match &answer {
            CallAnswer::Accepted => tr!(user.locale, health.result.name_reviewing, name = name),
            CallAnswer::Refused(e) => {
                tr!(user.locale, health.result.name_refused, error = e.message)
            }
            CallAnswer::Lost(e) => tr!(user.locale, health.result.name_lost, error = e.message),
        };
        self.fix_outcome(&row, FixAction::DisplayName, Some(&answer), message, None)
            .await
    }
}

/// A fix's answer as the banner shows it.
pub fn view(outcome: &FixOutcome) -> app::fixes::FixResultView {
    let result = serde_json::to_value(outcome.result)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    app::fixes::FixResultView {
        result,
        state: app::health::RegistrationState::parse(outcome.state.as_str())
            .unwrap_or(app::health::RegistrationState::Unknown),
        message: outcome.message.clone(),
    }
}
