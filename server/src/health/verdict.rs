//! The verdict: one answer per number to "can it send, and what do I do?", derived here and
//! nowhere else. The Account Health tab shows it first, the overview sorts, counts and filters by
//! it, the health API answers it.
//!
//! Every signal that is not plainly fine becomes a [`Signal`] with its own verdict; the number's
//! verdict is the worst of them, and the reason lists them worst first. A number with no signal
//! at all is healthy only when Greenlight read it and it is registered.
use app::health::{RegistrationState, Verdict, VerdictView};
use app::i18n::Locale;
use app::meta::TokenRefusal;
use app::tr;

use crate::graph::{
    CanSendMessage, GraphErrorKind, HealthEntityType, HealthStatus, NameStatus, NumberStatus,
    PhoneNumberHealth, QualityRating,
};
use crate::registration::decision::ReasonCode;

/// What a verdict is made of.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The newest good read (possibly older than a failed one).
    pub health: Option<&'a PhoneNumberHealth>,
    /// Why the newest read failed, when it did.
    pub read_error: Option<GraphErrorKind>,
    /// Which kind of refusal, when the newest read failed because Meta refused the token.
    pub token_refusal: Option<TokenRefusal>,
    /// The registration state decided from the newest read; `None` before the first read.
    pub state: Option<RegistrationState>,
    /// Why, when the caller knows (the health report does; the overview reads only the state).
    pub reason: Option<ReasonCode>,
    /// Enforcement in force on the number's WABA (restrictions, a ban, ...), from `account_update`.
    pub enforcement: &'a [crate::signals::Active],
}

/// One signal behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signal {
    verdict: Verdict,
    words: Words,
}

fn signal(verdict: Verdict, words: Words) -> Signal {
    Signal { verdict, words }
}

/// What a signal says, before it is put in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Words {
    /// Meta refuses the token, by kind.
    Refusal(TokenRefusal),
    /// An enforcement's title, as the signals store words it.
    Enforcement(String),
    TokenLacksPermission,
    UnknownNumber,
    PinDiffers,
    VerifyAgain,
    AccountLocked,
    NameDeclined,
    NameExpired,
    NoName,
    Coexistence,
    RegistrationNeedsAction,
    NoAttemptsLeft,
    NameNotReady,
    NameInReview,
    Registering,
    NotRegistered,
    Banned,
    Restricted,
    Disconnected,
    Deleted,
    Offline,
    Flagged,
    RateLimited,
    Unverified,
    Migrated,
    Pending,
    QualityLow,
    QualityMedium,
    /// Meta's raw entity type (`WABA`, `PHONE_NUMBER`, ...) blocked by Meta.
    EntityBlocked(String),
    /// Meta's raw entity type limited by Meta.
    EntityLimited(String),
    MetaBlocks,
    MetaLimits,
}

/// An entity type as people read it (`WABA` -> "WhatsApp Business account").
fn entity(raw: &str, l: Locale) -> String {
    match raw {
        "PHONE_NUMBER" => tr!(l, health.reason.entity.phone_number),
        "WABA" => tr!(l, health.reason.entity.waba),
        "BUSINESS" => tr!(l, health.reason.entity.business),
        "APP" => tr!(l, health.reason.entity.app),
        "MESSAGE_TEMPLATE" => tr!(l, health.reason.entity.message_template),
        "FLOW" => tr!(l, health.reason.entity.flow),
        "" => tr!(l, health.reason.entity.unnamed),
        other => app::format::title_case(other),
    }
}

impl Words {
    /// The signal in words.
    fn text(&self, l: Locale) -> String {
        use Words::*;
        match self {
            Refusal(r) => match r {
                TokenRefusal::Expired => tr!(l, health.reason.token_expired),
                TokenRefusal::PasswordChanged => tr!(l, health.reason.token_password_changed),
                TokenRefusal::Revoked => tr!(l, health.reason.token_revoked),
                TokenRefusal::InvalidSession => tr!(l, health.reason.token_invalid_session),
                TokenRefusal::Refused => tr!(l, health.reason.token_refused),
            },
            Enforcement(title) => title.clone(),
            TokenLacksPermission => tr!(l, health.reason.token_lacks_permission),
            UnknownNumber => tr!(l, health.reason.unknown_number),
            PinDiffers => tr!(l, health.reason.pin_differs),
            VerifyAgain => tr!(l, health.reason.verify_again),
            AccountLocked => tr!(l, health.reason.account_locked),
            NameDeclined => tr!(l, health.reason.name_declined),
            NameExpired => tr!(l, health.reason.name_expired),
            NoName => tr!(l, health.reason.no_name),
            Coexistence => tr!(l, health.reason.coexistence),
            RegistrationNeedsAction => tr!(l, health.reason.registration_needs_action),
            NoAttemptsLeft => tr!(l, health.reason.no_attempts_left),
            NameNotReady => tr!(l, health.reason.name_not_ready),
            NameInReview => tr!(l, health.reason.name_in_review),
            Registering => tr!(l, health.reason.registering),
            NotRegistered => tr!(l, health.reason.not_registered),
            Banned => tr!(l, health.reason.banned),
            Restricted => tr!(l, health.reason.restricted),
            Disconnected => tr!(l, health.reason.disconnected),
            Deleted => tr!(l, health.reason.deleted),
            Offline => tr!(l, health.reason.offline),
            Flagged => tr!(l, health.reason.flagged),
            RateLimited => tr!(l, health.reason.rate_limited),
            Unverified => tr!(l, health.reason.unverified),
            Migrated => tr!(l, health.reason.migrated),
            Pending => tr!(l, health.reason.pending),
            QualityLow => tr!(l, health.reason.quality_low),
            QualityMedium => tr!(l, health.reason.quality_medium),
            EntityBlocked(raw) => tr!(l, health.reason.entity_blocked, what = entity(raw, l)),
            EntityLimited(raw) => tr!(l, health.reason.entity_limited, what = entity(raw, l)),
            MetaBlocks => tr!(l, health.reason.meta_blocks),
            MetaLimits => tr!(l, health.reason.meta_limits),
        }
    }

    /// What a person does about it; `None` when Meta (or time) has the next move. Signals that
    /// read the same get the same fix.
    fn fix(&self, l: Locale) -> Option<String> {
        use Words::*;
        Some(match self {
            Refusal(r) => match r {
                TokenRefusal::Expired => tr!(l, health.fix.token_expired),
                TokenRefusal::PasswordChanged => tr!(l, health.fix.token_password_changed),
                TokenRefusal::Revoked => tr!(l, health.fix.token_revoked),
                TokenRefusal::InvalidSession => tr!(l, health.fix.token_invalid_session),
                TokenRefusal::Refused => tr!(l, health.fix.token_refused),
            },
            TokenLacksPermission => tr!(l, health.fix.token_lacks_permission),
            UnknownNumber => tr!(l, health.fix.unknown_number),
            PinDiffers => tr!(l, health.fix.pin_differs),
            VerifyAgain => tr!(l, health.fix.verify_again),
            AccountLocked => tr!(l, health.fix.account_locked),
            NameDeclined | NameExpired | NoName => tr!(l, health.fix.new_name),
            Coexistence => tr!(l, health.fix.coexistence),
            RegistrationNeedsAction => tr!(l, health.fix.registration_needs_action),
            NoAttemptsLeft => tr!(l, health.fix.no_attempts_left),
            NotRegistered => tr!(l, health.fix.not_registered),
            Banned | Restricted => tr!(l, health.fix.review),
            Disconnected | Offline | Deleted => tr!(l, health.fix.reconnect),
            Flagged | QualityLow | QualityMedium => tr!(l, health.fix.quality),
            Unverified => tr!(l, health.fix.unverified),
            Migrated => tr!(l, health.fix.migrated),
            MetaBlocks | MetaLimits | RateLimited => tr!(l, health.fix.open_manager),
            Enforcement(_) | NameNotReady | NameInReview | Registering | Pending
            | EntityBlocked(_) | EntityLimited(_) => return None,
        })
    }
}

/// At most this many signals are named in the one-line reason.
const MAX_REASONS: usize = 3;

/// The verdict of a number, in English (the metrics' counts read only the verdict).
pub fn verdict(i: Inputs<'_>) -> VerdictView {
    verdict_in(i, Locale::en)
}

/// The verdict of a number, its reason and fix in `l`.
pub fn verdict_in(i: Inputs<'_>, l: Locale) -> VerdictView {
    let mut signals = Vec::new();
    // A refused token reads as its kind (expired, revoked, ...) wherever it is named.
    let refusal = i.token_refusal.unwrap_or(TokenRefusal::Refused);
    signals.extend(from_read_error(i.read_error, refusal));
    signals.extend(from_registration(i.state, i.reason, refusal));
    signals.extend(
        i.enforcement
            .iter()
            .map(|a| signal(a.verdict, Words::Enforcement(a.title.clone()))),
    );
    if let Some(h) = i.health {
        signals.extend(from_health(
            h,
            i.state == Some(RegistrationState::Registered),
        ));
    }
    let worst = signals.iter().map(|s| s.verdict).min();
    let verdict = match worst {
        Some(v) => v,
        None if i.state == Some(RegistrationState::Registered) => Verdict::Healthy,
        None => Verdict::Unknown,
    };
    signals.sort_by_key(|s| s.verdict);
    let fix = signals.iter().find_map(|s| s.words.fix(l));
    let mut words: Vec<String> = Vec::new();
    for s in signals {
        let text = s.words.text(l);
        if !words.contains(&text) {
            words.push(text);
        }
    }
    words.truncate(MAX_REASONS);
    let reason = if words.is_empty() {
        match verdict {
            Verdict::Healthy => healthy_reason(i.health, l),
            _ => tr!(l, health.reason.not_checked),
        }
    } else {
        words.join(" · ")
    };
    VerdictView {
        verdict,
        reason,
        fix,
    }
}

fn healthy_reason(h: Option<&PhoneNumberHealth>, l: Locale) -> String {
    let mut parts = vec![tr!(l, health.reason.registered)];
    if let Some(q) = h.and_then(|h| h.quality_rating.as_ref()) {
        if *q == QualityRating::Green {
            parts.push(tr!(l, health.reason.quality_high));
        }
    }
    parts.join(" · ")
}

fn from_read_error(kind: Option<GraphErrorKind>, refusal: TokenRefusal) -> Option<Signal> {
    Some(match kind? {
        GraphErrorKind::TokenInvalid => signal(Verdict::Blocked, Words::Refusal(refusal)),
        GraphErrorKind::Permission => signal(Verdict::Blocked, Words::TokenLacksPermission),
        GraphErrorKind::NotFound => signal(Verdict::Blocked, Words::UnknownNumber),
        // A read that failed for a passing reason says nothing about the number itself.
        _ => return None,
    })
}

fn from_registration(
    state: Option<RegistrationState>,
    reason: Option<ReasonCode>,
    refusal: TokenRefusal,
) -> Option<Signal> {
    use RegistrationState as S;
    Some(match (state?, reason) {
        (S::Registered, _) | (S::Unknown, _) => return None,
        (S::ActionRequired, Some(ReasonCode::TokenInvalid)) => {
            signal(Verdict::Blocked, Words::Refusal(refusal))
        }
        (S::ActionRequired, Some(r)) => signal(Verdict::Blocked, action_words(r)),
        (S::ActionRequired, None) => signal(Verdict::Blocked, Words::RegistrationNeedsAction),
        (S::RateLimited, _) => signal(Verdict::Blocked, Words::NoAttemptsLeft),
        (S::AwaitingDisplayName, Some(ReasonCode::NameNotReady)) => {
            signal(Verdict::WaitingOnMeta, Words::NameNotReady)
        }
        (S::AwaitingDisplayName, _) => signal(Verdict::WaitingOnMeta, Words::NameInReview),
        (S::Ready, Some(ReasonCode::RetryScheduled | ReasonCode::AwaitingConfirmation)) => {
            signal(Verdict::WaitingOnMeta, Words::Registering)
        }
        (S::Ready, _) => signal(Verdict::NeedsAttention, Words::NotRegistered),
    })
}

fn action_words(r: ReasonCode) -> Words {
    match r {
        ReasonCode::TokenLacksPermission => Words::TokenLacksPermission,
        ReasonCode::PinMismatch => Words::PinDiffers,
        ReasonCode::ReverificationNeeded => Words::VerifyAgain,
        ReasonCode::AccountLocked => Words::AccountLocked,
        ReasonCode::NameDeclined => Words::NameDeclined,
        ReasonCode::NameExpired => Words::NameExpired,
        ReasonCode::NameMissing => Words::NoName,
        ReasonCode::Coexistence => Words::Coexistence,
        _ => Words::RegistrationNeedsAction,
    }
}

/// `registered`: Meta limits (and calls `PENDING`) every number that is not registered yet; the
/// registration signal already says why, so those two only count for a registered number.
fn from_health(h: &PhoneNumberHealth, registered: bool) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(status) = &h.status {
        let s = match status {
            NumberStatus::Banned => Some(signal(Verdict::Blocked, Words::Banned)),
            NumberStatus::Restricted => Some(signal(Verdict::Blocked, Words::Restricted)),
            NumberStatus::Disconnected => Some(signal(Verdict::Blocked, Words::Disconnected)),
            NumberStatus::Deleted => Some(signal(Verdict::Blocked, Words::Deleted)),
            NumberStatus::Offline => Some(signal(Verdict::Blocked, Words::Offline)),
            NumberStatus::Flagged => Some(signal(Verdict::NeedsAttention, Words::Flagged)),
            NumberStatus::RateLimited => Some(signal(Verdict::NeedsAttention, Words::RateLimited)),
            NumberStatus::Unverified => Some(signal(Verdict::NeedsAttention, Words::Unverified)),
            NumberStatus::Migrated => Some(signal(Verdict::NeedsAttention, Words::Migrated)),
            // Every number is `PENDING` until it is registered; the registration signal says why.
            NumberStatus::Pending => {
                registered.then(|| signal(Verdict::WaitingOnMeta, Words::Pending))
            }
            NumberStatus::Connected | NumberStatus::Unknown | NumberStatus::Other(_) => None,
        };
        out.extend(s);
    }
    match &h.quality_rating {
        Some(QualityRating::Red) => out.push(signal(Verdict::NeedsAttention, Words::QualityLow)),
        Some(QualityRating::Yellow) => {
            out.push(signal(Verdict::NeedsAttention, Words::QualityMedium))
        }
        _ => {}
    }
    match &h.name_status {
        Some(NameStatus::Declined | NameStatus::Rejected) => {
            out.push(signal(Verdict::Blocked, Words::NameDeclined))
        }
        Some(NameStatus::Expired) => out.push(signal(Verdict::Blocked, Words::NameExpired)),
        Some(NameStatus::PendingReview) => {
            out.push(signal(Verdict::WaitingOnMeta, Words::NameInReview))
        }
        _ => {}
    }
    if let Some(hs) = &h.health_status {
        out.extend(from_health_status(hs, registered));
    }
    out
}

/// Meta's `health_status`: one signal per blocked or limited entity, naming it ("WhatsApp
/// Business account blocked by Meta"), so a WABA blocked for payment blocks every number of it. Meta limits
/// every unregistered number itself; the registration signal already says why, so a limited
/// `PHONE_NUMBER` counts only once the number is registered.
fn from_health_status(hs: &HealthStatus, registered: bool) -> Vec<Signal> {
    let mut out = Vec::new();
    for e in &hs.entities {
        let what = || e.entity_type.as_ref().map_or("", |t| t.as_str()).to_owned();
        match &e.can_send_message {
            Some(CanSendMessage::Blocked) => {
                out.push(signal(Verdict::Blocked, Words::EntityBlocked(what())))
            }
            Some(CanSendMessage::Limited | CanSendMessage::Other(_))
                if registered || e.entity_type != Some(HealthEntityType::PhoneNumber) =>
            {
                out.push(signal(
                    Verdict::NeedsAttention,
                    Words::EntityLimited(what()),
                ))
            }
            _ => {}
        }
    }
    // Meta's overall answer without an entity that explains it.
    if out.is_empty() && hs.entities.iter().all(|e| e.can_send_message.is_none()) {
        match hs.can_send_message {
            Some(CanSendMessage::Blocked) => out.push(signal(Verdict::Blocked, Words::MetaBlocks)),
            Some(CanSendMessage::Limited) if registered => {
                out.push(signal(Verdict::NeedsAttention, Words::MetaLimits))
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(json: serde_json::Value) -> PhoneNumberHealth {
        serde_json::from_value(json).unwrap()
    }

    fn of(h: Option<&PhoneNumberHealth>, state: RegistrationState) -> VerdictView {
        verdict(Inputs {
            health: h,
            read_error: None,
            token_refusal: None,
            state: Some(state),
            reason: None,
            enforcement: &[],
        })
    }

    #[test]
    fn a_registered_connected_green_number_is_healthy() {
        let h = health(
            serde_json::json!({"status": "CONNECTED", "quality_rating": "GREEN",
            "name_status": "APPROVED", "platform_type": "CLOUD_API"}),
        );
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(v.verdict, Verdict::Healthy);
        assert_eq!(v.reason, "Registered · Quality High");
    }

    #[test]
    fn a_flagged_low_quality_number_is_not_green_even_when_registered() {
        let h = health(serde_json::json!({"status": "FLAGGED", "quality_rating": "RED"}));
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(v.verdict, Verdict::NeedsAttention);
        assert_eq!(v.reason, "Flagged · Quality Low");
        assert!(v.fix.unwrap().contains("quality recovers"));
    }

    #[test]
    fn the_fix_answers_the_worst_signal_and_a_healthy_number_has_none() {
        let h = health(serde_json::json!({"status": "OFFLINE", "quality_rating": "YELLOW"}));
        let offline = of(Some(&h), RegistrationState::Registered);
        assert_eq!(
            offline.fix.as_deref(),
            Some("Check the number in WhatsApp Manager; reconnect or register it again.")
        );
        let pin = verdict(Inputs {
            health: None,
            read_error: None,
            token_refusal: None,
            state: Some(RegistrationState::ActionRequired),
            reason: Some(ReasonCode::PinMismatch),
            enforcement: &[],
        });
        assert!(pin.fix.unwrap().starts_with("Set the PIN"));
        let h = health(serde_json::json!({"status": "CONNECTED", "quality_rating": "GREEN"}));
        assert_eq!(of(Some(&h), RegistrationState::Registered).fix, None);
        let review = verdict(Inputs {
            health: None,
            read_error: None,
            token_refusal: None,
            state: Some(RegistrationState::AwaitingDisplayName),
            reason: Some(ReasonCode::NamePendingReview),
            enforcement: &[],
        });
        assert_eq!(review.fix, None, "Meta has the next move");
    }

    #[test]
    fn an_offline_number_is_blocked_and_the_blocking_reason_comes_first() {
        let h = health(serde_json::json!({"status": "OFFLINE", "quality_rating": "YELLOW"}));
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(v.verdict, Verdict::Blocked);
        assert_eq!(v.reason, "Offline · Quality Medium");
    }

    #[test]
    fn meta_health_status_blocked_blocks() {
        let h = health(serde_json::json!({"status": "CONNECTED", "health_status": {
            "can_send_message": "BLOCKED",
            "entities": [{"entity_type": "WABA", "id": "1", "can_send_message": "BLOCKED",
                "errors": [{"error_code": 141006, "error_description": "Payment method problem"}]}]}}));
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(v.verdict, Verdict::Blocked);
        assert_eq!(v.reason, "WhatsApp Business account blocked by Meta");
    }

    #[test]
    fn a_blocked_waba_blocks_even_an_unregistered_number_and_a_limited_business_warns() {
        let h = health(serde_json::json!({"status": "PENDING", "health_status": {
            "entities": [
                {"entity_type": "PHONE_NUMBER", "id": "1", "can_send_message": "LIMITED"},
                {"entity_type": "WABA", "id": "2", "can_send_message": "BLOCKED"}]}}));
        let v = of(Some(&h), RegistrationState::Ready);
        assert_eq!(v.verdict, Verdict::Blocked);
        assert!(
            v.reason
                .starts_with("WhatsApp Business account blocked by Meta"),
            "{}",
            v.reason
        );
        assert!(!v.reason.contains("Phone number limited"), "{}", v.reason);

        let h = health(serde_json::json!({"status": "CONNECTED", "health_status": {
            "entities": [
                {"entity_type": "PHONE_NUMBER", "id": "1", "can_send_message": "AVAILABLE"},
                {"entity_type": "BUSINESS", "id": "3", "can_send_message": "LIMITED",
                 "errors": [{"error_code": 141010}]}]}}));
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(
            (v.verdict, v.reason.as_str()),
            (
                Verdict::NeedsAttention,
                "Business portfolio limited by Meta"
            )
        );
    }

    #[test]
    fn metas_overall_answer_counts_only_when_no_entity_says_anything() {
        let h = health(serde_json::json!({"health_status": {"can_send_message": "BLOCKED"}}));
        let v = of(Some(&h), RegistrationState::Registered);
        assert_eq!(
            (v.verdict, v.reason.as_str()),
            (Verdict::Blocked, "Meta blocks sending")
        );
        // Meta's documented SIP example says BLOCKED over entities that all say AVAILABLE.
        let h = health(
            serde_json::json!({"health_status": {"can_send_message": "BLOCKED",
            "entities": [{"entity_type": "PHONE_NUMBER", "id": "1", "can_send_message": "AVAILABLE"}]}}),
        );
        assert_eq!(
            of(Some(&h), RegistrationState::Registered).verdict,
            Verdict::Healthy
        );
    }

    #[test]
    fn registration_states_map_to_verdicts_with_their_reason() {
        let cases = [
            (
                RegistrationState::ActionRequired,
                Some(ReasonCode::PinMismatch),
                Verdict::Blocked,
                "Two-step PIN differs",
            ),
            (
                RegistrationState::RateLimited,
                Some(ReasonCode::BudgetSpent),
                Verdict::Blocked,
                "No registration attempts left",
            ),
            (
                RegistrationState::AwaitingDisplayName,
                Some(ReasonCode::NamePendingReview),
                Verdict::WaitingOnMeta,
                "Display name in review",
            ),
            (
                RegistrationState::Ready,
                Some(ReasonCode::Ready),
                Verdict::NeedsAttention,
                "Not registered",
            ),
            (
                RegistrationState::Ready,
                Some(ReasonCode::AwaitingConfirmation),
                Verdict::WaitingOnMeta,
                "Registering",
            ),
        ];
        for (state, reason, want, words) in cases {
            let v = verdict(Inputs {
                health: None,
                read_error: None,
                token_refusal: None,
                state: Some(state),
                reason,
                enforcement: &[],
            });
            assert_eq!(
                (v.verdict, v.reason.as_str()),
                (want, words),
                "{state:?} {reason:?}"
            );
        }
    }

    #[test]
    fn a_refused_token_blocks_but_a_passing_read_failure_says_nothing() {
        let refused = verdict(Inputs {
            health: None,
            read_error: Some(GraphErrorKind::TokenInvalid),
            token_refusal: None,
            state: Some(RegistrationState::ActionRequired),
            reason: Some(ReasonCode::TokenInvalid),
            enforcement: &[],
        });
        assert_eq!(refused.verdict, Verdict::Blocked);
        assert_eq!(refused.reason, "Access token refused");
        let expired = verdict(Inputs {
            health: None,
            read_error: Some(GraphErrorKind::TokenInvalid),
            token_refusal: Some(TokenRefusal::Expired),
            state: Some(RegistrationState::ActionRequired),
            reason: Some(ReasonCode::TokenInvalid),
            enforcement: &[],
        });
        assert_eq!(
            (expired.verdict, expired.reason.as_str()),
            (Verdict::Blocked, "Access token expired")
        );
        assert_eq!(expired.fix.as_deref(), Some(TokenRefusal::Expired.fix()));
        let passing = verdict(Inputs {
            health: None,
            read_error: Some(GraphErrorKind::Transient),
            token_refusal: None,
            state: Some(RegistrationState::Unknown),
            reason: Some(ReasonCode::ReadFailed),
            enforcement: &[],
        });
        assert_eq!(passing.verdict, Verdict::Unknown);
        let never = verdict(Inputs {
            health: None,
            read_error: None,
            token_refusal: None,
            state: None,
            reason: None,
            enforcement: &[],
        });
        assert_eq!(
            (never.verdict, never.reason.as_str()),
            (Verdict::Unknown, "Not checked yet")
        );
    }

    #[test]
    fn an_unregistered_number_is_not_also_limited_but_a_registered_one_is() {
        let h = health(serde_json::json!({"status": "CONNECTED", "health_status": {
            "entities": [{"entity_type": "PHONE_NUMBER", "id": "1", "can_send_message": "LIMITED"}]}}));
        let waiting = of(Some(&h), RegistrationState::AwaitingDisplayName);
        assert_eq!(
            (waiting.verdict, waiting.reason.as_str()),
            (Verdict::WaitingOnMeta, "Display name in review")
        );
        let registered = of(Some(&h), RegistrationState::Registered);
        assert_eq!(
            (registered.verdict, registered.reason.as_str()),
            (Verdict::NeedsAttention, "Phone number limited by Meta")
        );
    }

    #[test]
    fn a_new_number_on_250_a_day_is_not_a_warning() {
        let h = health(
            serde_json::json!({"status": "CONNECTED", "quality_rating": "NA",
            "whatsapp_business_manager_messaging_limit": "TIER_250"}),
        );
        assert_eq!(
            of(Some(&h), RegistrationState::Registered).verdict,
            Verdict::Healthy
        );
    }
}
