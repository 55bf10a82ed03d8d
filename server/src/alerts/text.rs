//! The words of an alert in any language. A rule records what it saw as [`AlertParams`] (stored as
//! JSON beside the alert); [`AlertParams::text`] writes the title and body from them. The English
//! text stored with the alert (what outgoing webhooks send) and the text shown to each reader in
//! their language come from that one function, so they cannot drift apart.
use app::i18n::Locale;
use app::meta::TokenRefusal;
use app::tr;
use serde::{Deserialize, Serialize};

use super::rules::kind;
use crate::signals::model;

/// What a rule saw, enough to write its alert again in any language. Meta's values are kept raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum AlertParams {
    TokenRefused {
        name: String,
        refusal: TokenRefusal,
    },
    QualityDropped {
        name: String,
        from: String,
        to: String,
    },
    StatusLeftConnected {
        name: String,
        status: String,
    },
    /// `from`/`to` are Meta's tiers (`TIER_2K`).
    MessagingLimitDown {
        name: String,
        from: String,
        to: String,
    },
    MessagingLimitUp {
        name: String,
        from: String,
        to: String,
    },
    /// `reason`: Meta's `rejection_reason`, when its webhook said it.
    DisplayNameRejected {
        name: String,
        reason: Option<String>,
    },
    RegistrationActionRequired {
        name: String,
    },
    RegistrationQuotaUsed {
        name: String,
    },
    RegistrationSucceeded {
        name: String,
    },
    TokenRefusedEverywhere {
        count: usize,
    },
    EnforcementLifted {
        name: String,
        what: Lifted,
    },
    /// What is in force, worst first (never empty).
    Enforcement {
        name: String,
        items: Vec<Enforced>,
    },
    /// Meta's `account_alerts` alert: its `alert_type` and `alert_description`.
    AccountAlert {
        name: String,
        alert_type: String,
        description: Option<String>,
    },
    /// `ready`: ready to register but not registered; else waiting for the name review.
    Stuck {
        name: String,
        ready: bool,
        hours: i64,
    },
    /// `event`: Meta's `security` event (`PIN_CHANGED`, ...).
    PinPossiblyStale {
        name: String,
        event: String,
    },
}

/// What Meta lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifted {
    Restriction,
    Ban,
    Disconnection,
}

/// One enforcement in force: the signal kind (`restriction`, `ban`, ...), Meta's value (restriction
/// type, ban state, violation type, disconnection reason) and who disconnected (`initiated_by`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforced {
    pub kind: String,
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl AlertParams {
    /// The alert kind (`rules::kind`) these parameters belong to.
    pub fn kind(&self) -> &'static str {
        match self {
            AlertParams::TokenRefused { .. } => kind::TOKEN_REFUSED,
            AlertParams::QualityDropped { .. } => kind::QUALITY_DROPPED,
            AlertParams::StatusLeftConnected { .. } => kind::STATUS_LEFT_CONNECTED,
            AlertParams::MessagingLimitDown { .. } => kind::MESSAGING_LIMIT_DOWN,
            AlertParams::MessagingLimitUp { .. } => kind::MESSAGING_LIMIT_UP,
            AlertParams::DisplayNameRejected { .. } => kind::DISPLAY_NAME_REJECTED,
            AlertParams::RegistrationActionRequired { .. } => kind::REGISTRATION_ACTION_REQUIRED,
            AlertParams::RegistrationQuotaUsed { .. } => kind::REGISTRATION_QUOTA_USED,
            AlertParams::RegistrationSucceeded { .. } => kind::REGISTRATION_SUCCEEDED,
            AlertParams::TokenRefusedEverywhere { .. } => kind::TOKEN_REFUSED_EVERYWHERE,
            AlertParams::EnforcementLifted { .. } => kind::ENFORCEMENT_LIFTED,
            AlertParams::Enforcement { .. } => kind::ENFORCEMENT,
            AlertParams::AccountAlert { .. } => kind::ACCOUNT_ALERT,
            AlertParams::Stuck { .. } => kind::STUCK,
            AlertParams::PinPossiblyStale { .. } => kind::PIN_POSSIBLY_STALE,
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("alert parameters serialise")
    }

    /// The alert's title and body in `l`.
    pub fn text(&self, l: Locale) -> (String, String) {
        // Names and Meta's texts go in last: a brace in them is never taken for a placeholder.
        match self {
            AlertParams::TokenRefused { name, refusal } => (
                tr!(l, alerts.token_refused.title, name = name),
                tr!(
                    l,
                    alerts.token_refused.body,
                    why = refusal_words(*refusal, l)
                ),
            ),
            AlertParams::QualityDropped { name, from, to } => (
                tr!(l, alerts.quality_dropped.title, to = to, name = name),
                tr!(l, alerts.quality_dropped.body, from = from, to = to),
            ),
            AlertParams::StatusLeftConnected { name, status } => (
                tr!(
                    l,
                    alerts.status_left_connected.title,
                    status = status,
                    name = name
                ),
                tr!(l, alerts.status_left_connected.body, status = status),
            ),
            AlertParams::MessagingLimitDown { name, from, to } => (
                tr!(
                    l,
                    alerts.limit_down.title,
                    to = limit_words(to, l),
                    name = name
                ),
                tr!(
                    l,
                    alerts.limit_down.body,
                    from_tier = from,
                    to_tier = to,
                    from = limit_words(from, l),
                    to = limit_words(to, l)
                ),
            ),
            AlertParams::MessagingLimitUp { name, from, to } => (
                tr!(
                    l,
                    alerts.limit_up.title,
                    to = limit_words(to, l),
                    name = name
                ),
                tr!(
                    l,
                    alerts.limit_up.body,
                    from_tier = from,
                    to_tier = to,
                    from = limit_words(from, l),
                    to = limit_words(to, l)
                ),
            ),
            AlertParams::DisplayNameRejected { name, reason } => (
                tr!(l, alerts.name_rejected.title, name = name),
                tr!(
                    l,
                    alerts.name_rejected.body,
                    why = reason
                        .as_deref()
                        .map(|r| format!(" {}", name_rejection_words(r, l)))
                        .unwrap_or_default()
                ),
            ),
            AlertParams::RegistrationActionRequired { name } => (
                tr!(l, alerts.action_required.title, name = name),
                tr!(l, alerts.action_required.body),
            ),
            AlertParams::RegistrationQuotaUsed { name } => (
                tr!(l, alerts.quota_used.title, name = name),
                tr!(l, alerts.quota_used.body),
            ),
            AlertParams::RegistrationSucceeded { name } => (
                tr!(l, alerts.registered.title, name = name),
                tr!(l, alerts.registered.body),
            ),
            AlertParams::TokenRefusedEverywhere { count } => (
                tr!(l, alerts.token_refused_everywhere.title, count = count),
                tr!(l, alerts.token_refused_everywhere.body),
            ),
            AlertParams::EnforcementLifted { name, what } => {
                let what = match what {
                    Lifted::Restriction => tr!(l, alerts.lifted.restriction),
                    Lifted::Ban => tr!(l, alerts.lifted.ban),
                    Lifted::Disconnection => tr!(l, alerts.lifted.disconnection),
                };
                (
                    tr!(l, alerts.lifted.title, what = what, name = name),
                    tr!(l, alerts.lifted.body, what = what),
                )
            }
            AlertParams::Enforcement { name, items } => {
                let worst = items.first().map(|e| enforced_words(e, l));
                let titles: Vec<String> = items.iter().map(|e| enforced_words(e, l).0).collect();
                let (title, explanation) = worst.unwrap_or_default();
                (
                    format!("{name}: {title}"),
                    tr!(
                        l,
                        alerts.enforcement.body,
                        url = model::REMEDIATION_URL,
                        explanation = explanation,
                        titles = titles.join("; ")
                    ),
                )
            }
            AlertParams::AccountAlert {
                name,
                alert_type,
                description,
            } => (
                format!("{name}: {}", account_alert_title(alert_type, l)),
                format!(
                    "{} {}",
                    account_alert_advice(alert_type, l),
                    description
                        .as_deref()
                        .map(|d| tr!(l, alerts.account_alert.meta_says, text = d))
                        .unwrap_or_default()
                )
                .trim()
                .to_owned(),
            ),
            AlertParams::Stuck { name, ready, hours } => {
                if *ready {
                    (
                        tr!(l, alerts.stuck.ready.title, hours = hours, name = name),
                        tr!(l, alerts.stuck.ready.body, hours = hours),
                    )
                } else {
                    (
                        tr!(l, alerts.stuck.awaiting.title, hours = hours, name = name),
                        tr!(l, alerts.stuck.awaiting.body, hours = hours),
                    )
                }
            }
            AlertParams::PinPossiblyStale { name, event } => {
                let what = match event.as_str() {
                    "PIN_RESET_REQUEST" => tr!(l, alerts.pin_stale.reset_request),
                    "PIN_REQUEST_SUCCESS" => tr!(l, alerts.pin_stale.reset_done),
                    _ => tr!(l, alerts.pin_stale.changed),
                };
                (
                    format!("{name}: {what}"),
                    tr!(l, alerts.pin_stale.body, what = what),
                )
            }
        }
    }
}

/// A stored alert's title and body in `l`, from its kind and stored parameters; `None` for an
/// alert stored without them (or with parameters of another kind), which is shown as stored.
pub fn localized(kind: &str, params: Option<&str>, l: Locale) -> Option<(String, String)> {
    let params: AlertParams = serde_json::from_str(params?).ok()?;
    (params.kind() == kind).then(|| params.text(l))
}

/// A stored alert's title and body in `l`, else as stored.
pub fn title_body(
    kind: &str,
    params: Option<&str>,
    title: String,
    body: String,
    l: Locale,
) -> (String, String) {
    localized(kind, params, l).unwrap_or((title, body))
}

fn limit_words(tier: &str, l: Locale) -> String {
    app::format::messaging_limit(Some(tier), l).0
}

/// Why Meta refuses the token, to follow "Meta refused the access token: ".
fn refusal_words(r: TokenRefusal, l: Locale) -> String {
    r.words_in(l).to_string()
}

/// Why Meta rejected a display name.
fn name_rejection_words(raw: &str, l: Locale) -> String {
    app::meta::name_rejection_words_in(raw, l)
}

/// An `account_alerts` type as people read it.
fn account_alert_title(raw: &str, l: Locale) -> String {
    app::portfolio::account_alert_title_in(raw, l)
}

/// What to do about an `account_alerts` type.
fn account_alert_advice(raw: &str, l: Locale) -> String {
    app::portfolio::account_alert_advice_in(raw, l).to_string()
}

/// An enforcement's title and explanation, as the Account Health tab writes them.
fn enforced_words(e: &Enforced, l: Locale) -> (String, String) {
    let by = e.by.as_deref().map(str::to_lowercase);
    app::meta::enforcement_words(&e.kind, e.code.as_deref(), by.as_deref(), l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALL: [Locale; 3] = [Locale::en, Locale::pt_BR, Locale::es];

    /// The English title and explanation of each enforcement are [`model::active`]'s.
    #[test]
    fn english_enforcement_words_match_the_signal_model() {
        let cases = [
            (
                "restriction",
                json!({"restrictions": [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING"}]}),
            ),
            ("violation", json!({"violation_type": "SCAM"})),
            ("violation", json!({})),
            ("ban", json!({"state": "DISABLE"})),
            (
                "ban",
                json!({"state": "SCHEDULE_FOR_DISABLE", "date": "April 17, 2099"}),
            ),
            ("offboarded", json!({})),
            (
                "partner_removed",
                json!({"reason": "CHANGE_NUMBER", "initiated_by": "USER"}),
            ),
            ("partner_removed", json!({"initiated_by": "BUSINESS"})),
            ("partner_removed", json!({})),
        ];
        for (kind_name, detail) in cases {
            let stored = [model::Stored {
                kind: kind_name.into(),
                event_time: 1_000,
                detail: detail.clone(),
            }];
            let now = chrono::DateTime::from_timestamp(1_000, 0).unwrap();
            let active = model::active(&stored, now);
            let a = active.first().expect("in force");
            let e = super::super::rules::enforced(a, &detail);
            assert_eq!(
                enforced_words(&e, Locale::en),
                (a.title.clone(), a.explanation.clone()),
                "{kind_name} {detail}"
            );
        }
    }

    #[test]
    fn every_alert_reads_in_every_language_and_round_trips() {
        let name = "Shop".to_string();
        let all = vec![
            AlertParams::TokenRefused {
                name: name.clone(),
                refusal: TokenRefusal::Expired,
            },
            AlertParams::QualityDropped {
                name: name.clone(),
                from: "GREEN".into(),
                to: "RED".into(),
            },
            AlertParams::MessagingLimitDown {
                name: name.clone(),
                from: "TIER_10K".into(),
                to: "TIER_2K".into(),
            },
            AlertParams::DisplayNameRejected {
                name: name.clone(),
                reason: Some("NAME_HAS_EMOJI".into()),
            },
            AlertParams::TokenRefusedEverywhere { count: 3 },
            AlertParams::EnforcementLifted {
                name: name.clone(),
                what: Lifted::Ban,
            },
            AlertParams::Enforcement {
                name: name.clone(),
                items: vec![Enforced {
                    kind: "restriction".into(),
                    code: Some("RESTRICTED_UTILITY_TEMPLATES".into()),
                    by: None,
                }],
            },
            AlertParams::AccountAlert {
                name: name.clone(),
                alert_type: "OBA_APPROVED".into(),
                description: Some("Done".into()),
            },
            AlertParams::Stuck {
                name: name.clone(),
                ready: true,
                hours: 26,
            },
            AlertParams::PinPossiblyStale {
                name: name.clone(),
                event: "PIN_CHANGED".into(),
            },
        ];
        for p in all {
            let stored = p.to_json();
            for l in ALL {
                let (title, body) = localized(p.kind(), Some(&stored), l).expect("parses");
                assert!(!title.is_empty() && !body.is_empty(), "{p:?}");
                assert!(
                    !title.contains('{') && !body.contains('{'),
                    "{title} {body}"
                );
            }
            let (pt, _) = p.text(Locale::pt_BR);
            assert_ne!(pt, p.text(Locale::en).0, "{p:?} reads in Portuguese");
        }
        assert_eq!(localized(kind::STUCK, None, Locale::es), None);
        assert_eq!(localized(kind::STUCK, Some("not json"), Locale::es), None);
        let stuck = AlertParams::Stuck {
            name,
            ready: false,
            hours: 1,
        };
        assert_eq!(
            localized(kind::QUALITY_DROPPED, Some(&stuck.to_json()), Locale::es),
            None,
            "parameters of another kind are not used"
        );
    }
}
