//! The verdict: one answer per number to "can it send, and what do I do?", derived here and
//! nowhere else. The Account Health tab shows it first, the overview sorts, counts and filters by
//! it, the health API answers it.
//!
//! Every signal that is not plainly fine becomes a [`Signal`] with its own verdict; the number's
//! verdict is the worst of them, and the reason lists them worst first. A number with no signal
//! at all is healthy only when Greenlight read it and it is registered.
use app::health::{RegistrationState, Verdict, VerdictView};
use app::meta::TokenRefusal;

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
    words: String,
    /// What a person does about it; `None` when Meta (or time) has the next move.
    fix: Option<&'static str>,
}

fn signal(verdict: Verdict, words: impl Into<String>) -> Signal {
    let words = words.into();
    Signal {
        verdict,
        fix: fix_for(&words),
        words,
    }
}

/// The fix for a signal, keyed by its words so every signal that reads the same gets the same fix.
fn fix_for(words: &str) -> Option<&'static str> {
    if let Some(refusal) = TokenRefusal::ALL.into_iter().find(|r| r.title() == words) {
        return Some(refusal.fix());
    }
    Some(match words {
        "Token lacks permission" => {
            "Give the token the whatsapp_business_management and whatsapp_business_messaging permissions, then update it."
        }
        "Meta does not know this number" => {
            "Check in WhatsApp Manager that the number still belongs to this business account."
        }
        "Two-step PIN differs" => {
            "Set the PIN: enter the number's current two-step verification PIN, or reset it in WhatsApp Manager."
        }
        "Number must be verified again" => {
            "Verify the number again with an SMS or voice code, then complete registration."
        }
        "Business account locked" => "Ask Meta's support to unlock the business account.",
        "Display name declined" | "Display name expired" | "No display name" => {
            "Submit a new display name in WhatsApp Manager."
        }
        "Used in the WhatsApp Business app" => {
            "Finish the move from the WhatsApp Business app in WhatsApp Manager."
        }
        "Registration needs action" => "Read Meta's last answer in the registration box above.",
        "No registration attempts left" => {
            "Nothing to press: Greenlight registers on its own once Meta's 72-hour window allows it."
        }
        "Not registered" => "Press Complete registration.",
        "Banned" | "Restricted" => "Read Meta's notice in WhatsApp Manager and request a review there.",
        "Disconnected" | "Offline" | "Deleted" => {
            "Check the number in WhatsApp Manager; reconnect or register it again."
        }
        "Flagged" | "Quality Low" | "Quality Medium" => {
            "Send fewer unexpected messages: check templates and opt-ins in WhatsApp Manager until quality recovers."
        }
        "Unverified" => "Verify the number with an SMS or voice code in WhatsApp Manager.",
        "Migrated" => "Check in WhatsApp Manager where the number was moved to.",
        "Meta blocks sending" | "Meta limits sending" | "Rate limited" => {
            "Open WhatsApp Manager to see what Meta asks for."
        }
        _ => return None,
    })
}

/// At most this many signals are named in the one-line reason.
const MAX_REASONS: usize = 3;

/// The verdict of a number.
pub fn verdict(i: Inputs<'_>) -> VerdictView {
    let mut signals = Vec::new();
    // A refused token reads as its kind (expired, revoked, ...) wherever it is named.
    let refusal = i.token_refusal.unwrap_or(TokenRefusal::Refused);
    signals.extend(from_read_error(i.read_error, refusal));
    signals.extend(from_registration(i.state, i.reason, refusal));
    signals.extend(
        i.enforcement
            .iter()
            .map(|a| signal(a.verdict, a.title.clone())),
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
    let fix = signals.iter().find_map(|s| s.fix).map(str::to_owned);
    let mut words: Vec<String> = Vec::new();
    for s in signals {
        if !words.contains(&s.words) {
            words.push(s.words);
        }
    }
    words.truncate(MAX_REASONS);
    let reason = if words.is_empty() {
        match verdict {
            Verdict::Healthy => healthy_reason(i.health),
            _ => "Not checked yet".to_owned(),
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

fn healthy_reason(h: Option<&PhoneNumberHealth>) -> String {
    let mut parts = vec!["Registered".to_owned()];
    if let Some(q) = h.and_then(|h| h.quality_rating.as_ref()) {
        if *q == QualityRating::Green {
            parts.push("Quality High".to_owned());
        }
    }
    parts.join(" · ")
}

fn from_read_error(kind: Option<GraphErrorKind>, refusal: TokenRefusal) -> Option<Signal> {
    Some(match kind? {
        GraphErrorKind::TokenInvalid => signal(Verdict::Blocked, refusal.title()),
        GraphErrorKind::Permission => signal(Verdict::Blocked, "Token lacks permission"),
        GraphErrorKind::NotFound => signal(Verdict::Blocked, "Meta does not know this number"),
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
            signal(Verdict::Blocked, refusal.title())
        }
        (S::ActionRequired, Some(r)) => signal(Verdict::Blocked, action_words(r)),
        (S::ActionRequired, None) => signal(Verdict::Blocked, "Registration needs action"),
        (S::RateLimited, _) => signal(Verdict::Blocked, "No registration attempts left"),
        (S::AwaitingDisplayName, Some(ReasonCode::NameNotReady)) => {
            signal(Verdict::WaitingOnMeta, "Display name not ready")
        }
        (S::AwaitingDisplayName, _) => signal(Verdict::WaitingOnMeta, "Display name in review"),
        (S::Ready, Some(ReasonCode::RetryScheduled | ReasonCode::AwaitingConfirmation)) => {
            signal(Verdict::WaitingOnMeta, "Registering")
        }
        (S::Ready, _) => signal(Verdict::NeedsAttention, "Not registered"),
    })
}

fn action_words(r: ReasonCode) -> &'static str {
    match r {
        ReasonCode::TokenLacksPermission => "Token lacks permission",
        ReasonCode::PinMismatch => "Two-step PIN differs",
        ReasonCode::ReverificationNeeded => "Number must be verified again",
        ReasonCode::AccountLocked => "Business account locked",
        ReasonCode::NameDeclined => "Display name declined",
        ReasonCode::NameExpired => "Display name expired",
        ReasonCode::NameMissing => "No display name",
        ReasonCode::Coexistence => "Used in the WhatsApp Business app",
        _ => "Registration needs action",
    }
}

/// `registered`: Meta limits (and calls `PENDING`) every number that is not registered yet; the
/// registration signal already says why, so those two only count for a registered number.
fn from_health(h: &PhoneNumberHealth, registered: bool) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(status) = &h.status {
        let s = match status {
            NumberStatus::Banned => Some(signal(Verdict::Blocked, "Banned")),
            NumberStatus::Restricted => Some(signal(Verdict::Blocked, "Restricted")),
            NumberStatus::Disconnected => Some(signal(Verdict::Blocked, "Disconnected")),
            NumberStatus::Deleted => Some(signal(Verdict::Blocked, "Deleted")),
            NumberStatus::Offline => Some(signal(Verdict::Blocked, "Offline")),
            NumberStatus::Flagged => Some(signal(Verdict::NeedsAttention, "Flagged")),
            NumberStatus::RateLimited => Some(signal(Verdict::NeedsAttention, "Rate limited")),
            NumberStatus::Unverified => Some(signal(Verdict::NeedsAttention, "Unverified")),
            NumberStatus::Migrated => Some(signal(Verdict::NeedsAttention, "Migrated")),
            // Every number is `PENDING` until it is registered; the registration signal says why.
            NumberStatus::Pending => registered.then(|| signal(Verdict::WaitingOnMeta, "Pending")),
            NumberStatus::Connected | NumberStatus::Unknown | NumberStatus::Other(_) => None,
        };
        out.extend(s);
    }
    match &h.quality_rating {
        Some(QualityRating::Red) => out.push(signal(Verdict::NeedsAttention, "Quality Low")),
        Some(QualityRating::Yellow) => out.push(signal(Verdict::NeedsAttention, "Quality Medium")),
        _ => {}
    }
    match &h.name_status {
        Some(NameStatus::Declined | NameStatus::Rejected) => {
            out.push(signal(Verdict::Blocked, "Display name declined"))
        }
        Some(NameStatus::Expired) => out.push(signal(Verdict::Blocked, "Display name expired")),
        Some(NameStatus::PendingReview) => {
            out.push(signal(Verdict::WaitingOnMeta, "Display name in review"))
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
        let what = || app::meta::entity_label(e.entity_type.as_ref().map_or("", |t| t.as_str()));
        match &e.can_send_message {
            Some(CanSendMessage::Blocked) => out.push(signal(
                Verdict::Blocked,
                format!("{} blocked by Meta", what()),
            )),
            Some(CanSendMessage::Limited | CanSendMessage::Other(_))
                if registered || e.entity_type != Some(HealthEntityType::PhoneNumber) =>
            {
                out.push(signal(
                    Verdict::NeedsAttention,
                    format!("{} limited by Meta", what()),
                ))
            }
            _ => {}
        }
    }
    // Meta's overall answer without an entity that explains it.
    if out.is_empty() && hs.entities.iter().all(|e| e.can_send_message.is_none()) {
        match hs.can_send_message {
            Some(CanSendMessage::Blocked) => {
                out.push(signal(Verdict::Blocked, "Meta blocks sending"))
            }
            Some(CanSendMessage::Limited) if registered => {
                out.push(signal(Verdict::NeedsAttention, "Meta limits sending"))
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
