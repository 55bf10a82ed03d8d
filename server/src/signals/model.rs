//! Pure parts of the WABA signals: what an `account_update` event changes
//! ([`updates_from_account_update`]), and what is in force at a given time ([`active`]), in plain
//! words, with the verdict it feeds.
use app::health::Verdict;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

/// Signal kinds (the `kind` column).
pub mod kind {
    /// `ACCOUNT_RESTRICTION`: `{"restrictions":[{"restriction_type","expiration"}]}`.
    pub const RESTRICTION: &str = "restriction";
    /// `ACCOUNT_VIOLATION`: `{"violation_type"}`.
    pub const VIOLATION: &str = "violation";
    /// `DISABLED_UPDATE`: `{"state","date"}` (`REINSTATE` clears it).
    pub const BAN: &str = "ban";
    /// `ACCOUNT_OFFBOARDED` (`ACCOUNT_RECONNECTED` clears it).
    pub const OFFBOARDED: &str = "offboarded";
    /// `PARTNER_REMOVED`: `{"reason","initiated_by"}` from `disconnection_info` (`PARTNER_ADDED` and
    /// `ACCOUNT_RECONNECTED` clear it).
    pub const PARTNER_REMOVED: &str = "partner_removed";
}

/// A policy violation is shown this long after Meta reported it (Meta sends no end).
pub const VIOLATION_SHOWN_FOR_SECS: i64 = 30 * 24 * 3600;

/// Meta's page where a business sees and appeals enforcement ("Business Support Home").
pub const REMEDIATION_URL: &str = "https://business.facebook.com/accountquality";

/// One change an event makes to a WABA's state: `detail` is the new state of `kind`, `None` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalUpdate {
    pub kind: &'static str,
    pub detail: Option<Value>,
}

fn set(kind: &'static str, detail: Value) -> SignalUpdate {
    SignalUpdate {
        kind,
        detail: Some(detail),
    }
}

fn clear(kind: &'static str) -> SignalUpdate {
    SignalUpdate { kind, detail: None }
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What an `account_update` value changes. Events that are not enforcement change nothing.
pub fn updates_from_account_update(value: &Value) -> Vec<SignalUpdate> {
    let event = text(value, &["event"]).unwrap_or_default();
    match event.as_str() {
        "ACCOUNT_RESTRICTION" => {
            let restrictions: Vec<Value> = value
                .get("restriction_info")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|r| {
                            Some(json!({
                                "restriction_type": text(r, &["restriction_type"])?,
                                "expiration": r.get("expiration").and_then(int),
                            }))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if restrictions.is_empty() {
                vec![clear(kind::RESTRICTION)]
            } else {
                vec![set(
                    kind::RESTRICTION,
                    json!({ "restrictions": restrictions }),
                )]
            }
        }
        "ACCOUNT_VIOLATION" => vec![set(
            kind::VIOLATION,
            json!({"violation_type": text(value, &["violation_info", "violation_type"])}),
        )],
        "DISABLED_UPDATE" => {
            let state = text(value, &["ban_info", "waba_ban_state"]);
            if state.as_deref() == Some("REINSTATE") {
                vec![clear(kind::BAN)]
            } else {
                vec![set(
                    kind::BAN,
                    json!({"state": state, "date": text(value, &["ban_info", "waba_ban_date"])}),
                )]
            }
        }
        "ACCOUNT_OFFBOARDED" => vec![set(kind::OFFBOARDED, json!({}))],
        "ACCOUNT_RECONNECTED" => vec![clear(kind::OFFBOARDED), clear(kind::PARTNER_REMOVED)],
        "PARTNER_REMOVED" => vec![set(
            kind::PARTNER_REMOVED,
            json!({
                "reason": text(value, &["disconnection_info", "reason"]),
                "initiated_by": text(value, &["disconnection_info", "initiated_by"]),
            }),
        )],
        "PARTNER_ADDED" => vec![clear(kind::PARTNER_REMOVED)],
        _ => Vec::new(),
    }
}

/// The WABA whose state an `account_update` changes: `waba_info.waba_id` when Meta names one
/// (partner events), else the entry's id.
pub fn waba_of(entry_waba_id: &str, value: &Value) -> String {
    text(value, &["waba_info", "waba_id"]).unwrap_or_else(|| entry_waba_id.to_owned())
}

/// One stored signal of a WABA.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub kind: String,
    /// Meta's time of the event (unix seconds).
    pub event_time: i64,
    pub detail: Value,
}

/// Something in force on a WABA at a given time, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Active {
    /// The signal kind (`restriction`, `ban`, ...).
    pub kind: &'static str,
    /// Meta's value: the restriction type, the ban state, the violation type, the disconnection reason.
    pub code: Option<String>,
    /// What it is, in plain words.
    pub title: String,
    /// What it means and what to do.
    pub explanation: String,
    /// When it ends by itself (a restriction's expiration) or takes effect (a scheduled ban).
    pub until: Option<DateTime<Utc>>,
    /// The verdict it gives the WABA's numbers.
    pub verdict: Verdict,
}

/// Meta's `waba_ban_date` ("April 17, 2025") as the start of that day, UTC.
pub fn ban_date(raw: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%B %d, %Y")
        .or_else(|_| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d"))
        .ok()?;
    Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?))
}

/// A restriction type in words, and whether it stops the number from messaging.
pub fn restriction_words(raw: &str) -> (String, bool) {
    let (words, blocks) = match raw {
        "RESTRICTED_BIZ_INITIATED_MESSAGING" => ("The business cannot start conversations", true),
        "RESTRICTED_CUSTOMER_INITIATED_MESSAGING" => {
            ("The business cannot answer customers' messages", true)
        }
        "RESTRICTED_ADD_PHONE_NUMBER_ACTION" => ("No phone numbers can be added", false),
        "RESTRICTED_UTILITY_TEMPLATES" => ("Utility templates cannot be sent", false),
        "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES" => {
            ("Utility templates cannot be sent directly", false)
        }
        "RESTRICTED_BUSINESS_INITIATED_CALLING" => ("The business cannot start calls", false),
        "RESTRICTED_USER_INITIATED_CALLING" => ("Customers cannot call the business", false),
        "RESTRICTED_USER_INITIATED_CALLING_CALL_BUTTON_HIDDEN" => (
            "Customers cannot call the business (call button hidden)",
            false,
        ),
        "RESTRICTED_BIZ_INITIATED_AND_USER_INITIATED_CALLING" => {
            ("No calls can be made in either direction", false)
        }
        other => return (app::format::title_case(other), false),
    };
    (words.to_owned(), blocks)
}

/// Everything in force on a WABA at `now`, worst first. A restriction past its expiration, a
/// violation older than [`VIOLATION_SHOWN_FOR_SECS`] and a scheduled ban whose date passed (Meta
/// then sends `DISABLE`) are not shown.
pub fn active(stored: &[Stored], now: DateTime<Utc>) -> Vec<Active> {
    let mut out = Vec::new();
    for s in stored {
        match s.kind.as_str() {
            kind::RESTRICTION => {
                let list = s.detail.get("restrictions").and_then(Value::as_array);
                for r in list.into_iter().flatten() {
                    let code = text(r, &["restriction_type"]);
                    let until = r
                        .get("expiration")
                        .and_then(int)
                        .and_then(|t| Utc.timestamp_opt(t, 0).single());
                    if until.is_some_and(|u| u <= now) {
                        continue;
                    }
                    let (title, blocks) = restriction_words(code.as_deref().unwrap_or(""));
                    out.push(Active {
                        kind: kind::RESTRICTION,
                        code,
                        title: format!("Restricted: {title}"),
                        explanation: "Meta restricted the WhatsApp Business account after policy or quality problems. The restriction ends by itself at its expiration; see Meta's page for the reason and to request a review.".into(),
                        until,
                        verdict: if blocks { Verdict::Blocked } else { Verdict::NeedsAttention },
                    });
                }
            }
            kind::VIOLATION => {
                if now.timestamp() - s.event_time > VIOLATION_SHOWN_FOR_SECS {
                    continue;
                }
                let code = text(&s.detail, &["violation_type"]);
                out.push(Active {
                    kind: kind::VIOLATION,
                    title: format!(
                        "Policy violation: {}",
                        code.as_deref().map(app::format::title_case).unwrap_or_else(|| "unspecified".into())
                    ),
                    code,
                    explanation: "Meta found content that breaks its WhatsApp Business policies. Further violations lead to restrictions or a ban; review the flagged messages on Meta's page.".into(),
                    until: None,
                    verdict: Verdict::NeedsAttention,
                });
            }
            kind::BAN => {
                let code = text(&s.detail, &["state"]);
                let date = text(&s.detail, &["date"]).as_deref().and_then(ban_date);
                let scheduled = code.as_deref() == Some("SCHEDULE_FOR_DISABLE");
                if scheduled && date.is_some_and(|d| d <= now) {
                    continue;
                }
                let (title, explanation, verdict) = if scheduled {
                    (
                        "The business account is scheduled to be disabled",
                        "Meta will disable the WhatsApp Business account on the date shown unless the problem is fixed or the decision is appealed.",
                        Verdict::NeedsAttention,
                    )
                } else {
                    (
                        "The business account is disabled",
                        "Meta disabled (banned) the WhatsApp Business account: none of its numbers can send. Appeal the decision on Meta's page.",
                        Verdict::Blocked,
                    )
                };
                out.push(Active {
                    kind: kind::BAN,
                    code,
                    title: title.into(),
                    explanation: explanation.into(),
                    until: date,
                    verdict,
                });
            }
            kind::OFFBOARDED => out.push(Active {
                kind: kind::OFFBOARDED,
                code: None,
                title: "The business account was offboarded".into(),
                explanation: "Meta offboarded the WhatsApp Business account from the Cloud API; its numbers cannot send until it is reconnected.".into(),
                until: None,
                verdict: Verdict::Blocked,
            }),
            kind::PARTNER_REMOVED => {
                let reason = text(&s.detail, &["reason"]);
                let by = text(&s.detail, &["initiated_by"])
                    .map(|b| format!(" (by {})", b.to_lowercase()))
                    .unwrap_or_default();
                out.push(Active {
                    kind: kind::PARTNER_REMOVED,
                    title: match &reason {
                        Some(r) => format!("Disconnected: {}{by}", disconnection_words(r)),
                        None => format!("The partner was removed from the business account{by}"),
                    },
                    code: reason,
                    explanation: "The app Greenlight uses no longer has access to this WhatsApp Business account; the numbers must be connected again through embedded signup.".into(),
                    until: None,
                    verdict: Verdict::Blocked,
                });
            }
            _ => {}
        }
    }
    out.sort_by_key(|a| a.verdict);
    out
}

/// A coexistence `disconnection_info.reason` in words.
pub fn disconnection_words(raw: &str) -> String {
    match raw {
        "ACCOUNT_DISCONNECTED" => "the account was disconnected".into(),
        "BUSINESS_DOWNGRADE" => "the business was downgraded".into(),
        "CHANGE_NUMBER" => "the number was changed in the WhatsApp Business app".into(),
        "COMPANION_INACTIVITY" => "the companion device was inactive too long".into(),
        "PRIMARY_INACTIVITY" => "the WhatsApp Business app was inactive too long".into(),
        "USER_RE_REGISTERED" => "the number was registered again in the app".into(),
        other => app::format::title_case(other).to_lowercase(),
    }
}

/// "in 2 d 3 h", "in 45 min", "now": the time left until `until` at `now`.
pub fn countdown(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (until - now).num_seconds();
    if secs <= 0 {
        return "now".into();
    }
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    match (d, h, m) {
        (0, 0, m) => format!("in {} min", m.max(1)),
        (0, h, m) => format!("in {h} h {m} min"),
        (d, h, _) => format!("in {d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/webhooks/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let body: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        body["entry"][0]["changes"][0]["value"].clone()
    }

    fn stored(value: &Value, time: i64) -> Vec<Stored> {
        updates_from_account_update(value)
            .into_iter()
            .filter_map(|u| {
                Some(Stored {
                    kind: u.kind.to_owned(),
                    event_time: time,
                    detail: u.detail?,
                })
            })
            .collect()
    }

    #[test]
    fn a_restriction_is_in_force_until_its_expiration_and_then_clears_by_itself() {
        let v = fixture("account_update_restriction.json");
        let s = stored(&v, 1_641_330_000);
        assert_eq!(s.len(), 1);
        let before = active(&s, at(1_641_330_000));
        assert_eq!(before.len(), 2);
        assert_eq!(
            before[0].verdict,
            Verdict::Blocked,
            "messaging restriction first"
        );
        assert_eq!(
            before[0].code.as_deref(),
            Some("RESTRICTED_BIZ_INITIATED_MESSAGING")
        );
        assert_eq!(
            before[0].title,
            "Restricted: The business cannot start conversations"
        );
        assert_eq!(before[0].until, Some(at(1_641_330_498)));
        assert_eq!(before[1].verdict, Verdict::NeedsAttention);
        assert!(
            active(&s, at(1_641_330_498)).is_empty(),
            "expired at its expiration"
        );
    }

    #[test]
    fn a_ban_is_blocked_a_scheduled_one_counts_down_and_reinstate_clears() {
        let disable = json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "April 17, 2025"}});
        let a = active(&stored(&disable, 0), at(1_800_000_000));
        assert_eq!((a[0].kind, a[0].verdict), (kind::BAN, Verdict::Blocked));
        let scheduled = json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "SCHEDULE_FOR_DISABLE", "waba_ban_date": "April 17, 2025"}});
        let day = ban_date("April 17, 2025").unwrap();
        assert_eq!(day, Utc.with_ymd_and_hms(2025, 4, 17, 0, 0, 0).unwrap());
        let a = active(&stored(&scheduled, 0), day - chrono::Duration::days(2));
        assert_eq!(
            (a[0].verdict, a[0].until),
            (Verdict::NeedsAttention, Some(day))
        );
        assert!(active(&stored(&scheduled, 0), day).is_empty());
        let reinstate = fixture("account_update_disabled_reinstate.json");
        assert_eq!(
            updates_from_account_update(&reinstate),
            vec![clear(kind::BAN)]
        );
    }

    #[test]
    fn violations_offboarding_and_partner_removal_read_in_words() {
        let v = fixture("account_update_violation.json");
        let a = active(&stored(&v, 100), at(200));
        assert_eq!(a[0].title, "Policy violation: Adult");
        assert!(active(&stored(&v, 100), at(100 + VIOLATION_SHOWN_FOR_SECS + 1)).is_empty());
        let p = fixture("account_update_partner_removed.json");
        assert_eq!(waba_of("2949482758682047", &p), "980198427658004");
        let a = active(&stored(&p, 0), at(0));
        assert_eq!(a[0].verdict, Verdict::Blocked);
        assert_eq!(
            a[0].title,
            "Disconnected: the WhatsApp Business app was inactive too long (by system)"
        );
        assert_eq!(
            updates_from_account_update(&json!({"event": "ACCOUNT_RECONNECTED"})),
            vec![clear(kind::OFFBOARDED), clear(kind::PARTNER_REMOVED)]
        );
        assert!(updates_from_account_update(&json!({"event": "MM_LITE_TERMS_SIGNED"})).is_empty());
        assert_eq!(
            updates_from_account_update(
                &json!({"event": "ACCOUNT_RESTRICTION", "restriction_info": []})
            ),
            vec![clear(kind::RESTRICTION)]
        );
    }

    #[test]
    fn countdowns_read_in_days_hours_and_minutes() {
        assert_eq!(countdown(at(200_000), at(0)), "in 2 d 7 h");
        assert_eq!(countdown(at(3_700), at(0)), "in 1 h 1 min");
        assert_eq!(countdown(at(30), at(0)), "in 1 min");
        assert_eq!(countdown(at(0), at(10)), "now");
    }
}
