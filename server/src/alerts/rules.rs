//! The alert rules: pure functions over what two health checks observed. Each rule fires on a
//! transition only, never again while the condition holds.
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use app::health::RegistrationState;

use super::text::{AlertParams, Enforced, Lifted};
use crate::graph::{GraphErrorKind, MessagingLimit, NameStatus, NumberStatus, QualityRating};
use crate::health::store::HealthSnapshot;

/// What one health check observed (the fields the rules look at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub registration_state: RegistrationState,
    /// Why the read failed (`TokenInvalid`, `Transient`...); `None` for a good read.
    pub error_kind: Option<GraphErrorKind>,
    pub quality_rating: Option<QualityRating>,
    pub status: Option<NumberStatus>,
    pub messaging_limit: Option<MessagingLimit>,
    pub name_status: Option<NameStatus>,
    /// Meta's `rejection_reason` of a declined name, when its webhook said it (reads do not).
    pub name_rejection_reason: Option<String>,
    /// Which kind of refusal, when the read failed because Meta refused the token.
    pub token_refusal: Option<app::meta::TokenRefusal>,
}

/// Nothing observed: state `unknown`, no values, not a failure.
impl Default for Observed {
    fn default() -> Self {
        Observed {
            registration_state: RegistrationState::Unknown,
            error_kind: None,
            quality_rating: None,
            status: None,
            messaging_limit: None,
            name_status: None,
            name_rejection_reason: None,
            token_refusal: None,
        }
    }
}

impl Observed {
    /// From a stored snapshot.
    pub fn from_snapshot(s: &HealthSnapshot) -> Observed {
        let health = s.health.as_ref();
        Observed {
            registration_state: s.registration_state,
            error_kind: s.error_kind,
            quality_rating: health.and_then(|h| h.quality_rating.clone()),
            status: health.and_then(|h| h.status.clone()),
            messaging_limit: health.and_then(|h| h.messaging_limit.clone()),
            name_status: health.and_then(|h| h.name_status.clone()),
            name_rejection_reason: None,
            token_refusal: s.token_refusal(),
        }
    }

    /// `true` when Meta declined (rejected) the display name.
    pub fn name_rejected(&self) -> bool {
        rejected(self.name_status.as_ref())
    }

    fn is_good_read(&self) -> bool {
        self.error_kind.is_none()
    }
}

/// How urgent an alert is (stored with it, sent to outgoing webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `critical`: the number cannot work (or is about to stop).
    Critical,
    /// `warning`: worse than before, still working.
    Warning,
    /// `info`: good news.
    Info,
    /// A stored name this version does not know, kept as stored.
    Other(String),
}

impl Severity {
    /// The stored name.
    pub fn as_str(&self) -> &str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Other(stored) => stored,
        }
    }

    /// Parses a stored name; never fails (unknown names become `Other`).
    pub fn parse(stored: &str) -> Severity {
        match stored {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            other => Severity::Other(other.to_owned()),
        }
    }
}

impl FromStr for Severity {
    type Err = Infallible;
    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        Ok(Severity::parse(stored))
    }
}

impl From<&str> for Severity {
    fn from(stored: &str) -> Self {
        Severity::parse(stored)
    }
}

impl From<String> for Severity {
    fn from(stored: String) -> Self {
        Severity::parse(&stored)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An alert to raise, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDraft {
    /// Stable machine name (`quality_dropped`, ...).
    pub kind: &'static str,
    pub severity: Severity,
    /// In English (stored, and sent to outgoing webhooks).
    pub title: String,
    pub body: String,
    /// What the rule saw: writes the alert again in each reader's language.
    pub params: AlertParams,
}

impl AlertDraft {
    /// The alert these parameters describe, its stored text in English.
    pub fn new(severity: Severity, params: AlertParams) -> AlertDraft {
        let (title, body) = params.text(app::i18n::Locale::en);
        AlertDraft {
            kind: params.kind(),
            severity,
            title,
            body,
            params,
        }
    }
}

/// Alert kinds.
pub mod kind {
    pub const QUALITY_DROPPED: &str = "quality_dropped";
    pub const STATUS_LEFT_CONNECTED: &str = "status_left_connected";
    pub const MESSAGING_LIMIT_DOWN: &str = "messaging_limit_down";
    pub const DISPLAY_NAME_REJECTED: &str = "display_name_rejected";
    pub const TOKEN_REFUSED: &str = "token_refused";
    pub const REGISTRATION_SUCCEEDED: &str = "registration_succeeded";
    /// Registration stopped on something only an administrator can fix (PIN, re-verification, token).
    pub const REGISTRATION_ACTION_REQUIRED: &str = "registration_action_required";
    /// Meta's registration budget for the number is used up (133016, or Greenlight's own count).
    pub const REGISTRATION_QUOTA_USED: &str = "registration_quota_used";
    pub const STUCK: &str = "stuck";
    pub const PIN_POSSIBLY_STALE: &str = "pin_possibly_stale";
    /// Meta put enforcement on the number's WABA (restriction, ban, violation, offboarding, ...).
    pub const ENFORCEMENT: &str = "enforcement";
    /// Meta lifted it.
    pub const ENFORCEMENT_LIFTED: &str = "enforcement_lifted";
    /// Every number of the account had its token refused (190): a system user lost access.
    pub const TOKEN_REFUSED_EVERYWHERE: &str = "token_refused_everywhere";
    /// The portfolio's messaging limit went up (good news: listed, not counted).
    pub const MESSAGING_LIMIT_UP: &str = "messaging_limit_up";
    /// Meta raised one of its `account_alerts` (OBA decision, limit eligibility, profile picture).
    pub const ACCOUNT_ALERT: &str = "account_alert";
    pub const TEST: &str = "test";
}

/// Meta declined (or rejected) the display name.
pub(crate) fn rejected(name_status: Option<&NameStatus>) -> bool {
    matches!(
        name_status,
        Some(NameStatus::Declined | NameStatus::Rejected)
    )
}

/// Alerts for the change from `prev` to `cur` of the number called `name`. `prev` is the
/// previous check (for the read's own outcome) and `prev_good` the previous *successful* check
/// (for what Meta said), so a failed read in between neither hides nor invents a transition.
pub fn on_transition(
    name: &str,
    prev: Option<&Observed>,
    prev_good: Option<&Observed>,
    cur: &Observed,
) -> Vec<AlertDraft> {
    let mut out = Vec::new();
    // Token refused: the read failed with 190, and the check before did not.
    if cur.error_kind == Some(GraphErrorKind::TokenInvalid)
        && prev.is_none_or(|p| p.error_kind != Some(GraphErrorKind::TokenInvalid))
    {
        out.push(AlertDraft::new(
            Severity::Critical,
            AlertParams::TokenRefused {
                name: name.to_owned(),
                refusal: cur
                    .token_refusal
                    .unwrap_or(app::meta::TokenRefusal::Refused),
            },
        ));
    }
    let (Some(before), true) = (prev_good, cur.is_good_read()) else {
        return out;
    };
    if let (Some(b), Some(c)) = (&before.quality_rating, &cur.quality_rating) {
        // Unknown ratings (`NA`, new values) are not compared.
        if c.rank().is_below(b.rank()) == Some(true) {
            out.push(AlertDraft::new(
                if *c == QualityRating::Red {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                AlertParams::QualityDropped {
                    name: name.to_owned(),
                    from: b.to_string(),
                    to: c.to_string(),
                },
            ));
        }
    }
    if before.status == Some(NumberStatus::Connected) {
        if let Some(c) = cur
            .status
            .as_ref()
            .filter(|c| **c != NumberStatus::Connected)
        {
            out.push(AlertDraft::new(
                Severity::Critical,
                AlertParams::StatusLeftConnected {
                    name: name.to_owned(),
                    status: c.to_string(),
                },
            ));
        }
    }
    if let (Some(b), Some(c)) = (&before.messaging_limit, &cur.messaging_limit) {
        // Unknown tiers (`TIER_NOT_SET`, new values) are not compared. The limit belongs to the
        // business portfolio: every number of it moves together.
        let (name, from, to) = (name.to_owned(), b.to_string(), c.to_string());
        if c.rank().is_below(b.rank()) == Some(true) {
            out.push(AlertDraft::new(
                Severity::Warning,
                AlertParams::MessagingLimitDown { name, from, to },
            ));
        } else if b.rank().is_below(c.rank()) == Some(true) {
            out.push(AlertDraft::new(
                Severity::Info,
                AlertParams::MessagingLimitUp { name, from, to },
            ));
        }
    }
    if rejected(cur.name_status.as_ref()) && !rejected(before.name_status.as_ref()) {
        out.push(AlertDraft::new(
            Severity::Critical,
            AlertParams::DisplayNameRejected {
                name: name.to_owned(),
                reason: cur.name_rejection_reason.clone(),
            },
        ));
    }
    // Entering a registration state that needs someone: once per entry, not while it holds, and
    // not beside a more precise alert of the same change (a declined name).
    let said_why = out.iter().any(|d| d.kind == kind::DISPLAY_NAME_REJECTED);
    if cur.registration_state != before.registration_state && !said_why {
        match cur.registration_state {
            RegistrationState::ActionRequired => out.push(AlertDraft::new(
                Severity::Critical,
                AlertParams::RegistrationActionRequired {
                    name: name.to_owned(),
                },
            )),
            RegistrationState::RateLimited => out.push(AlertDraft::new(
                Severity::Warning,
                AlertParams::RegistrationQuotaUsed {
                    name: name.to_owned(),
                },
            )),
            _ => {}
        }
    }
    if cur.registration_state == RegistrationState::Registered
        && !matches!(
            before.registration_state,
            RegistrationState::Registered | RegistrationState::Unknown
        )
    {
        out.push(AlertDraft::new(
            Severity::Info,
            AlertParams::RegistrationSucceeded {
                name: name.to_owned(),
            },
        ));
    }
    out
}

/// The account-wide alert when the last of the account's `count` (two or more) numbers has its
/// token refused: one person's or system user's access was removed, not one number's token.
pub fn token_refused_everywhere(count: usize) -> Option<AlertDraft> {
    (count >= 2).then(|| {
        AlertDraft::new(
            Severity::Critical,
            AlertParams::TokenRefusedEverywhere { count },
        )
    })
}

/// The alert for one change of a WABA's state (a recorded change is a transition: a repeated
/// event records none). `detail` is the new state (`null` when lifted or cleared), `previous` the
/// state before, judged at Meta's `event_time`.
pub fn on_signal_change(
    name: &str,
    kind_name: &str,
    detail: &serde_json::Value,
    previous: Option<&serde_json::Value>,
    event_time: i64,
) -> Option<AlertDraft> {
    use crate::signals::model::{self, Stored};
    if kind_name.starts_with(model::kind::ACCOUNT_ALERT_PREFIX) {
        return account_alert(name, kind_name, detail, previous, event_time);
    }
    if detail.is_null() {
        let what = match kind_name {
            model::kind::RESTRICTION => Lifted::Restriction,
            model::kind::BAN => Lifted::Ban,
            model::kind::OFFBOARDED | model::kind::PARTNER_REMOVED => Lifted::Disconnection,
            _ => return None,
        };
        return Some(AlertDraft::new(
            Severity::Info,
            AlertParams::EnforcementLifted {
                name: name.to_owned(),
                what,
            },
        ));
    }
    let at = chrono::DateTime::from_timestamp(event_time, 0)?;
    let stored = [Stored {
        kind: kind_name.to_owned(),
        event_time,
        detail: detail.clone(),
    }];
    let active = model::active(&stored, at);
    let worst = active.first()?;
    Some(AlertDraft::new(
        if worst.verdict == app::health::Verdict::Blocked {
            Severity::Critical
        } else {
            Severity::Warning
        },
        AlertParams::Enforcement {
            name: name.to_owned(),
            items: active.iter().map(|a| enforced(a, detail)).collect(),
        },
    ))
}

/// What the alert texts need of an enforcement in force: its kind, Meta's value and, for a
/// disconnection, who started it (`initiated_by` of the signal's `detail`).
pub(crate) fn enforced(a: &crate::signals::model::Active, detail: &serde_json::Value) -> Enforced {
    let by = (a.kind == crate::signals::model::kind::PARTNER_REMOVED)
        .then(|| match detail.get("initiated_by") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .flatten();
    Enforced {
        kind: a.kind.to_owned(),
        code: a.code.clone(),
        by,
    }
}

/// An `account_alerts` alert, once when it becomes active (a changed description of an alert
/// already in force, or its clearing, raises none). Meta's severity is kept.
fn account_alert(
    name: &str,
    kind_name: &str,
    detail: &serde_json::Value,
    previous: Option<&serde_json::Value>,
    event_time: i64,
) -> Option<AlertDraft> {
    use crate::signals::model::{self, Stored};
    if detail.is_null() || previous.is_some_and(|p| !p.is_null()) {
        return None;
    }
    let alert = model::account_alerts(&[Stored {
        kind: kind_name.to_owned(),
        event_time,
        detail: detail.clone(),
    }])
    .pop()?;
    let severity = match alert.severity.as_deref() {
        Some("CRITICAL") => Severity::Critical,
        Some("WARNING") => Severity::Warning,
        _ => Severity::Info,
    };
    Some(AlertDraft::new(
        severity,
        AlertParams::AccountAlert {
            name: name.to_owned(),
            alert_type: alert.alert_type,
            description: alert.description,
        },
    ))
}

/// States in which a number may be stuck.
pub const STUCK_STATES: &[RegistrationState] = &[
    RegistrationState::AwaitingDisplayName,
    RegistrationState::Ready,
];

/// A number in `state` since `since` (unix seconds) for at least `after` seconds at `now`.
pub fn stuck(
    name: &str,
    state: RegistrationState,
    since: i64,
    now: i64,
    after: i64,
) -> Option<AlertDraft> {
    if !STUCK_STATES.contains(&state) || now - since < after {
        return None;
    }
    Some(AlertDraft::new(
        Severity::Warning,
        AlertParams::Stuck {
            name: name.to_owned(),
            ready: state == RegistrationState::Ready,
            hours: (now - since) / 3600,
        },
    ))
}

/// Meta's `security` webhook (`event`, e.g. `PIN_CHANGED`) says the two-step PIN of the number
/// called `name` changed outside Greenlight: the next registration would fail with 133005.
pub fn pin_possibly_stale(name: &str, event: &str) -> AlertDraft {
    AlertDraft::new(
        Severity::Warning,
        AlertParams::PinPossiblyStale {
            name: name.to_owned(),
            event: event.to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(name: &str) -> RegistrationState {
        RegistrationState::parse(name).expect("a state name")
    }

    fn good(state_name: &str, quality: &str, status: &str, limit: &str, name: &str) -> Observed {
        Observed {
            registration_state: state(state_name),
            error_kind: None,
            quality_rating: Some(quality.into()),
            status: Some(status.into()),
            messaging_limit: Some(limit.into()),
            name_status: Some(name.into()),
            name_rejection_reason: None,
            token_refusal: None,
        }
    }

    fn failed(kind: &str) -> Observed {
        Observed {
            registration_state: state("unknown"),
            error_kind: Some(GraphErrorKind::from_str_lossy(kind)),
            ..Observed::default()
        }
    }

    fn kinds(v: &[AlertDraft]) -> Vec<&'static str> {
        v.iter().map(|a| a.kind).collect()
    }

    /// Feeds a sequence of checks through the rule like the evaluator does.
    fn run(seq: &[Observed]) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut prev: Option<&Observed> = None;
        let mut prev_good: Option<&Observed> = None;
        for cur in seq {
            out.extend(kinds(&on_transition("N", prev, prev_good, cur)));
            prev = Some(cur);
            if cur.error_kind.is_none() {
                prev_good = Some(cur);
            }
        }
        out
    }

    #[test]
    fn quality_drops_fire_once_per_step_and_not_while_it_holds() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_2K", "APPROVED");
        let y = good("registered", "YELLOW", "CONNECTED", "TIER_2K", "APPROVED");
        let r = good("registered", "RED", "CONNECTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[
                g.clone(),
                y.clone(),
                y.clone(),
                r.clone(),
                r.clone(),
                g.clone()
            ]),
            vec![kind::QUALITY_DROPPED, kind::QUALITY_DROPPED]
        );
        let first = on_transition("Shop", Some(&g), Some(&g), &r);
        assert_eq!(first[0].severity.as_str(), "critical");
        assert_eq!(first[0].title, "Shop: quality rating dropped to RED");
        // A failed read in between neither hides nor repeats the drop.
        assert_eq!(
            run(&[
                g.clone(),
                failed("transient"),
                y.clone(),
                failed("transient"),
                y
            ]),
            vec![kind::QUALITY_DROPPED]
        );
    }

    #[test]
    fn status_leaving_connected_and_the_limit_going_down_or_up() {
        let a = good("registered", "GREEN", "CONNECTED", "TIER_10K", "APPROVED");
        let b = good("registered", "GREEN", "FLAGGED", "TIER_2K", "APPROVED");
        let c = good("registered", "GREEN", "RESTRICTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[a.clone(), b.clone(), b.clone(), c]),
            vec![kind::STATUS_LEFT_CONNECTED, kind::MESSAGING_LIMIT_DOWN]
        );
        let up = good("registered", "GREEN", "CONNECTED", "TIER_100K", "APPROVED");
        // The portfolio's limit going up is good news: listed once, as information.
        assert_eq!(
            run(&[a.clone(), up.clone()]),
            vec![kind::MESSAGING_LIMIT_UP]
        );
        let raised = on_transition("Shop", Some(&a), Some(&a), &up);
        assert_eq!(raised[0].severity.as_str(), "info");
        assert_eq!(
            raised[0].title,
            "Shop: messaging limit went up to 100K customers per 24h"
        );
        assert!(run(&[up.clone(), up]).is_empty(), "no change, no alert");
        let odd = good("registered", "GREEN", "CONNECTED", "TIER_9K", "APPROVED");
        assert!(run(&[a, odd]).is_empty(), "unknown tiers are not compared");
    }

    #[test]
    fn token_refused_fires_once_until_it_recovers() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[
                g.clone(),
                failed("token_invalid"),
                failed("token_invalid"),
                g.clone(),
                failed("token_invalid")
            ]),
            vec![kind::TOKEN_REFUSED, kind::TOKEN_REFUSED]
        );
        assert!(run(&[g, failed("transient")]).is_empty());
    }

    #[test]
    fn entering_action_required_or_a_used_up_quota_alerts_once_per_entry() {
        let ready = good("ready", "GREEN", "CONNECTED", "TIER_1K", "APPROVED");
        let action = good(
            "action_required",
            "GREEN",
            "CONNECTED",
            "TIER_1K",
            "APPROVED",
        );
        let limited = good("rate_limited", "GREEN", "CONNECTED", "TIER_1K", "APPROVED");
        assert_eq!(
            run(&[
                ready.clone(),
                action.clone(),
                action.clone(),
                ready.clone(),
                action.clone()
            ]),
            vec![
                kind::REGISTRATION_ACTION_REQUIRED,
                kind::REGISTRATION_ACTION_REQUIRED
            ]
        );
        assert_eq!(
            run(&[ready.clone(), limited.clone(), limited.clone(), limited]),
            vec![kind::REGISTRATION_QUOTA_USED]
        );
        // A failed read in between (Meta down) is not a new entry.
        assert_eq!(
            run(&[action.clone(), failed("transient"), action]),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_rejected_name_alert_says_why_when_the_webhook_said_it() {
        let pending = good(
            "awaiting_display_name",
            "GREEN",
            "PENDING",
            "TIER_250",
            "PENDING_REVIEW",
        );
        let declined = good(
            "action_required",
            "GREEN",
            "PENDING",
            "TIER_250",
            "DECLINED",
        );
        let body = |cur: &Observed| {
            on_transition("Shop", Some(&pending), Some(&pending), cur)
                .into_iter()
                .find(|d| d.kind == kind::DISPLAY_NAME_REJECTED)
                .unwrap()
                .body
        };
        assert!(!body(&declined).contains("Meta gave no reason"));
        let with_reason = Observed {
            name_rejection_reason: Some("NAME_CONTAINS_WHATSAPP".into()),
            ..declined
        };
        let said = body(&with_reason);
        assert!(
            said.contains(&app::meta::name_rejection_words("NAME_CONTAINS_WHATSAPP")),
            "{said}"
        );
        assert!(!said.contains("NAME_CONTAINS_WHATSAPP"), "{said}");
    }

    #[test]
    fn name_rejected_and_registration_succeeded() {
        let pending = good(
            "awaiting_display_name",
            "GREEN",
            "PENDING",
            "TIER_250",
            "PENDING_REVIEW",
        );
        let declined = good(
            "action_required",
            "GREEN",
            "PENDING",
            "TIER_250",
            "DECLINED",
        );
        assert_eq!(
            run(&[pending.clone(), declined.clone(), declined]),
            vec![kind::DISPLAY_NAME_REJECTED]
        );
        let ready = good("ready", "GREEN", "PENDING", "TIER_250", "APPROVED");
        let registered = good("registered", "GREEN", "CONNECTED", "TIER_250", "APPROVED");
        assert_eq!(
            run(&[
                pending,
                ready,
                failed("transient"),
                registered.clone(),
                registered.clone()
            ]),
            vec![kind::REGISTRATION_SUCCEEDED]
        );
        assert!(
            run(&[registered]).is_empty(),
            "the first check has nothing to compare"
        );
    }

    #[test]
    fn severities_keep_the_stored_names_and_unknown_ones_are_kept() {
        for (severity, name) in [
            (Severity::Critical, "critical"),
            (Severity::Warning, "warning"),
            (Severity::Info, "info"),
        ] {
            assert_eq!(severity.as_str(), name);
            assert_eq!(name.parse::<Severity>(), Ok(severity.clone()));
            assert_eq!(Severity::from(name), severity);
        }
        assert_eq!(Severity::parse("fatal"), Severity::Other("fatal".into()));
        assert_eq!(Severity::parse("fatal").to_string(), "fatal");
        assert_eq!(
            serde_json::to_value(Severity::Warning).unwrap(),
            serde_json::json!("warning")
        );
    }

    #[test]
    fn unknown_quality_and_limit_values_are_not_compared() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_2K", "APPROVED");
        for cur in [
            good("registered", "NA", "CONNECTED", "TIER_2K", "APPROVED"),
            good(
                "registered",
                "SOMETHING_NEW",
                "CONNECTED",
                "TIER_NOT_SET",
                "APPROVED",
            ),
            good("registered", "GREEN", "CONNECTED", "TIER_5K", "APPROVED"),
        ] {
            assert!(
                run(&[g.clone(), cur.clone(), g.clone()]).is_empty(),
                "{cur:?}"
            );
        }
    }

    #[test]
    fn enforcement_changes_alert_with_the_worst_first_and_lifting_is_good_news() {
        let restriction = serde_json::json!({"restrictions": [
            {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": 2_000},
            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 2_000}]});
        let a = on_signal_change("Shop", "restriction", &restriction, None, 1_000).unwrap();
        assert_eq!(
            (a.kind, a.severity.clone()),
            (kind::ENFORCEMENT, Severity::Critical)
        );
        assert_eq!(
            a.title,
            "Shop: Restricted: The business cannot start conversations"
        );
        assert!(a
            .body
            .contains("https://business.facebook.com/accountquality"));
        let v = serde_json::json!({"violation_type": "SCAM"});
        assert_eq!(
            on_signal_change("Shop", "violation", &v, None, 1_000)
                .unwrap()
                .severity,
            Severity::Warning
        );
        let lifted =
            on_signal_change("Shop", "ban", &serde_json::Value::Null, None, 1_000).unwrap();
        assert_eq!(
            (lifted.kind, lifted.severity),
            (kind::ENFORCEMENT_LIFTED, Severity::Info)
        );
        assert!(
            on_signal_change("Shop", "violation", &serde_json::Value::Null, None, 1_000).is_none()
        );
        // A restriction that had already ended when Meta sent it says nothing.
        assert!(on_signal_change("Shop", "restriction", &restriction, None, 2_000).is_none());
    }

    #[test]
    fn all_tokens_refused_is_an_account_alert_only_with_several_numbers() {
        assert!(token_refused_everywhere(1).is_none());
        let a = token_refused_everywhere(3).unwrap();
        assert_eq!(
            (a.kind, a.severity),
            (kind::TOKEN_REFUSED_EVERYWHERE, Severity::Critical)
        );
        assert!(a.title.contains("all 3 numbers"));
    }

    /// The stored English text (what outgoing webhooks send) is word for word what it was
    /// before alerts kept their parameters.
    #[test]
    fn the_english_text_is_unchanged() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_10K", "APPROVED");
        let r = good("registered", "RED", "FLAGGED", "TIER_2K", "APPROVED");
        let drafts = on_transition("Shop", Some(&g), Some(&g), &r);
        let texts: Vec<(&str, &str)> = drafts
            .iter()
            .map(|d| (d.title.as_str(), d.body.as_str()))
            .collect();
        assert_eq!(texts, vec![
            ("Shop: quality rating dropped to RED", "The quality rating went from GREEN to RED. Customers are blocking or reporting messages; review recent templates and message frequency."),
            ("Shop: number status is now FLAGGED", "The number's status went from CONNECTED to FLAGGED."),
            ("Shop: messaging limit went down to 2K customers per 24h", "The business portfolio's shared messaging limit went from 10K customers per 24h (TIER_10K) to 2K customers per 24h (TIER_2K). Every number of the portfolio can now start conversations with fewer customers a day; quality problems usually cause this."),
        ]);
        let refused = Observed {
            token_refusal: Some(app::meta::TokenRefusal::Expired),
            ..failed("token_invalid")
        };
        let d = &on_transition("Shop", Some(&g), Some(&g), &refused)[0];
        assert_eq!(d.title, "Shop: Meta refused the access token");
        assert_eq!(d.body, "Meta refused the access token: it has expired. Greenlight cannot read or register the number until an administrator reconnects it with a new token.");
        let pending = good(
            "awaiting_display_name",
            "GREEN",
            "PENDING",
            "TIER_250",
            "PENDING_REVIEW",
        );
        let declined = Observed {
            name_rejection_reason: Some("NAME_HAS_EMOJI".into()),
            ..good(
                "action_required",
                "GREEN",
                "PENDING",
                "TIER_250",
                "DECLINED",
            )
        };
        let d = &on_transition("Shop", Some(&pending), Some(&pending), &declined)[0];
        assert_eq!(d.body, "Meta declined the display name. The name contains emoji, which Meta does not allow: remove them. Change it in WhatsApp Manager and submit it again; Greenlight registers the number once a name is approved.");
        let d = token_refused_everywhere(3).unwrap();
        assert_eq!(d.title, "Meta refuses the access token of all 3 numbers");
        let d = on_signal_change("Shop", "ban", &serde_json::Value::Null, None, 1).unwrap();
        assert_eq!(
            (d.title.as_str(), d.body.as_str()),
            (
                "Shop: Meta lifted the ban",
                "Meta reports that the ban on the WhatsApp Business account is over."
            )
        );
        let restriction = serde_json::json!({"restrictions": [
            {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": 2_000},
            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 2_000}]});
        let d = on_signal_change("Shop", "restriction", &restriction, None, 1_000).unwrap();
        assert_eq!(d.body, "Restricted: The business cannot start conversations; Restricted: No phone numbers can be added Meta restricted the WhatsApp Business account after policy or quality problems. The restriction ends by itself at its expiration; see Meta's page for the reason and to request a review. Details and appeals: https://business.facebook.com/accountquality");
        let removed = serde_json::json!({"reason": "CHANGE_NUMBER", "initiated_by": "USER"});
        let d = on_signal_change("Shop", "partner_removed", &removed, None, 1_000).unwrap();
        assert_eq!(
            d.title,
            "Shop: Disconnected: the number was changed in the WhatsApp Business app (by user)"
        );
        let oba = serde_json::json!({"alert_type": "OBA_APPROVED", "alert_severity": "INFORMATIONAL", "alert_description": "Approved."});
        let d = on_signal_change("Shop", "account_alert:OBA_APPROVED", &oba, None, 1_000).unwrap();
        assert_eq!((d.title.as_str(), d.body.as_str()), ("Shop: Official Business Account approved", "Nothing to do: the numbers show the blue badge. Meta says: \u{201c}Approved.\u{201d}"));
        let day = 24 * 3600;
        let d = stuck("N", state("ready"), 0, day + 7200, day).unwrap();
        assert_eq!((d.title.as_str(), d.body.as_str()), ("N: ready to register but not registered for 26 h", "The number has been ready to register but not registered for 26 hours. Open its Account Health tab to see why and what to do."));
        let d = stuck("N", state("awaiting_display_name"), 0, day + 7200, day).unwrap();
        assert_eq!(
            d.title,
            "N: waiting for Meta's display-name review for 26 h"
        );
        let d = pin_possibly_stale("N", "PIN_RESET_REQUEST");
        assert_eq!((d.title.as_str(), d.body.as_str()), ("N: someone asked Meta to reset its two-step verification PIN", "Meta reports that someone asked Meta to reset its two-step verification PIN. The PIN Greenlight holds may no longer be the number's, so the next registration would fail (error 133005). Open the number's Account Health tab and press Set the PIN: Greenlight sets a new PIN with Meta and keeps it."));
        // The same words come back from the stored parameters.
        assert_eq!(
            super::super::text::localized(d.kind, Some(&d.params.to_json()), app::i18n::Locale::en),
            Some((d.title.clone(), d.body.clone()))
        );
    }

    #[test]
    fn stuck_after_the_threshold_only_in_waiting_states() {
        let day = 24 * 3600;
        assert!(stuck("N", state("ready"), 0, day - 1, day).is_none());
        let a = stuck("N", state("awaiting_display_name"), 0, day + 7200, day).unwrap();
        assert_eq!(a.kind, kind::STUCK);
        assert!(a.title.contains("26 h"));
        assert!(stuck("N", state("registered"), 0, 10 * day, day).is_none());
        assert!(stuck("N", state("action_required"), 0, 10 * day, day).is_none());
    }
}
