//! Pure parts of the WABA signals: what an `account_update` event changes
//! ([`updates_from_account_update`]), and what is in force at a given time ([`active`]), in plain
//! words, with the verdict it feeds.
use app::health::Verdict;
use app::i18n::Locale;
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
    /// `business_capability_update`: the portfolio's limits as Meta last announced them
    /// (`{"max_daily_conversations_per_business": "TIER_2K", "max_phone_numbers_per_business": 25}`).
    pub const CAPABILITY: &str = "capability";
    /// `account_alerts`: one signal per alert type and entity, `account_alert:{type}:{entity id}`,
    /// so a second alert never overwrites the first and `alert_status: NONE` clears only its own.
    pub const ACCOUNT_ALERT_PREFIX: &str = "account_alert:";
}

/// A policy violation is shown this long after Meta reported it (Meta sends no end).
pub const VIOLATION_SHOWN_FOR_SECS: i64 = 30 * 24 * 3600;

/// Meta's page where a business sees and appeals enforcement ("Business Support Home").
pub const REMEDIATION_URL: &str = "https://business.facebook.com/accountquality";

/// One change an event makes to a WABA's state: `detail` is the new state of `kind`, `None` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalUpdate {
    pub kind: String,
    pub detail: Option<Value>,
    /// `detail` carries only the keys Meta sent: they go over the stored object's (merged where
    /// the state is stored, in the same transaction, so two events never lose each other's keys).
    pub merge: bool,
}

impl SignalUpdate {
    /// The state after this update, given the `stored` one.
    pub fn resolved(&self, stored: Option<&Value>) -> Option<Value> {
        match (&self.detail, self.merge) {
            (Some(Value::Object(sent)), true) => {
                let mut merged = stored
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                merged.extend(sent.iter().map(|(k, v)| (k.clone(), v.clone())));
                Some(Value::Object(merged))
            }
            (detail, _) => detail.clone(),
        }
    }
}

fn set(kind: impl Into<String>, detail: Value) -> SignalUpdate {
    SignalUpdate {
        kind: kind.into(),
        detail: Some(detail),
        merge: false,
    }
}

fn clear(kind: impl Into<String>) -> SignalUpdate {
    SignalUpdate {
        kind: kind.into(),
        detail: None,
        merge: false,
    }
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

/// Meta's `max_daily_conversations_per_business` as a tier name: documented as `TIER_2K`, but
/// Meta's own example sends the integer `2000` (and `-1` for unlimited).
pub fn tier_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(match n.as_i64()? {
            -1 => "TIER_UNLIMITED".to_owned(),
            n if n >= 1000 && n % 1000 == 0 => format!("TIER_{}K", n / 1000),
            n => format!("TIER_{n}"),
        }),
        _ => None,
    }
}

/// What a `business_capability_update` value changes: the keys it carries of the portfolio's
/// capability, merged over the stored ones ([`SignalUpdate::merge`]), because Meta may send only
/// the key that changed (a new phone-number cap says nothing about the messaging limit). Nothing
/// changes when it carries no known key.
pub fn updates_from_capability(value: &Value) -> Vec<SignalUpdate> {
    let mut sent = serde_json::Map::new();
    if let Some(tier) = value
        .get("max_daily_conversations_per_business")
        .and_then(tier_name)
    {
        sent.insert("max_daily_conversations_per_business".into(), json!(tier));
    }
    for key in [
        "max_phone_numbers_per_business",
        "max_phone_numbers_per_waba",
    ] {
        if let Some(n) = value.get(key).and_then(int) {
            sent.insert(key.into(), json!(n));
        }
    }
    if sent.is_empty() {
        Vec::new()
    } else {
        vec![SignalUpdate {
            merge: true,
            ..set(kind::CAPABILITY, Value::Object(sent))
        }]
    }
}

/// What an `account_alerts` value changes: `alert_status: NONE` clears that alert, any other
/// status keeps it (type, severity, Meta's description and the entity it is about).
pub fn updates_from_account_alert(value: &Value) -> Vec<SignalUpdate> {
    let Some(alert_type) = text(value, &["alert_info", "alert_type"]) else {
        return Vec::new();
    };
    let entity_id = text(value, &["entity_id"]).unwrap_or_default();
    let kind = format!("{}{alert_type}:{entity_id}", kind::ACCOUNT_ALERT_PREFIX);
    if text(value, &["alert_info", "alert_status"]).as_deref() == Some("NONE") {
        return vec![clear(kind)];
    }
    vec![set(
        kind,
        json!({
            "alert_type": alert_type,
            "alert_severity": text(value, &["alert_info", "alert_severity"]),
            "alert_status": text(value, &["alert_info", "alert_status"]),
            "alert_description": text(value, &["alert_info", "alert_description"]),
            "entity_type": text(value, &["entity_type"]),
            "entity_id": text(value, &["entity_id"]),
        }),
    )]
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
    /// Who started a disconnection (Meta's `initiated_by`, lower case).
    pub by: Option<String>,
    /// What it is, in plain words (English; [`Active::words`] in another language).
    pub title: String,
    /// What it means and what to do (English).
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

/// A restriction type in words (English), and whether it stops the number from messaging.
pub fn restriction_words(raw: &str) -> (String, bool) {
    let blocks = matches!(
        raw,
        "RESTRICTED_BIZ_INITIATED_MESSAGING" | "RESTRICTED_CUSTOMER_INITIATED_MESSAGING"
    );
    (app::meta::restriction_words(raw, Locale::en), blocks)
}

impl Active {
    /// The title and the explanation in `l` (the fields hold English).
    pub fn words(&self, l: Locale) -> (String, String) {
        app::meta::enforcement_words(self.kind, self.code.as_deref(), self.by.as_deref(), l)
    }
}

/// English title and explanation of an enforcement (see [`app::meta::enforcement_words`]).
fn english(kind: &str, code: Option<&str>, by: Option<&str>) -> (String, String) {
    app::meta::enforcement_words(kind, code, by, Locale::en)
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
                    let (_, blocks) = restriction_words(code.as_deref().unwrap_or(""));
                    let (title, explanation) = english(kind::RESTRICTION, code.as_deref(), None);
                    out.push(Active {
                        kind: kind::RESTRICTION,
                        code,
                        by: None,
                        title,
                        explanation,
                        until,
                        verdict: if blocks {
                            Verdict::Blocked
                        } else {
                            Verdict::NeedsAttention
                        },
                    });
                }
            }
            kind::VIOLATION => {
                if now.timestamp() - s.event_time > VIOLATION_SHOWN_FOR_SECS {
                    continue;
                }
                let code = text(&s.detail, &["violation_type"]);
                let (title, explanation) = english(kind::VIOLATION, code.as_deref(), None);
                out.push(Active {
                    kind: kind::VIOLATION,
                    code,
                    by: None,
                    title,
                    explanation,
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
                let verdict = if scheduled {
                    Verdict::NeedsAttention
                } else {
                    Verdict::Blocked
                };
                let (title, explanation) = english(kind::BAN, code.as_deref(), None);
                out.push(Active {
                    kind: kind::BAN,
                    code,
                    by: None,
                    title,
                    explanation,
                    until: date,
                    verdict,
                });
            }
            kind::OFFBOARDED => {
                let (title, explanation) = english(kind::OFFBOARDED, None, None);
                out.push(Active {
                    kind: kind::OFFBOARDED,
                    code: None,
                    by: None,
                    title,
                    explanation,
                    until: None,
                    verdict: Verdict::Blocked,
                })
            }
            kind::PARTNER_REMOVED => {
                let reason = text(&s.detail, &["reason"]);
                let by = text(&s.detail, &["initiated_by"]).map(|b| b.to_lowercase());
                let (title, explanation) =
                    english(kind::PARTNER_REMOVED, reason.as_deref(), by.as_deref());
                out.push(Active {
                    kind: kind::PARTNER_REMOVED,
                    code: reason,
                    by,
                    title,
                    explanation,
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

/// The portfolio's capability as Meta last announced it on a WABA (`business_capability_update`).
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    /// `max_daily_conversations_per_business` as a tier name (`TIER_2K`).
    pub tier: Option<String>,
    /// `max_phone_numbers_per_business` (or the older `max_phone_numbers_per_waba`).
    pub max_phone_numbers: Option<i64>,
    /// Meta's time of the event (unix seconds).
    pub event_time: i64,
}

/// The capability among a WABA's stored signals, if Meta announced one.
pub fn capability(stored: &[Stored]) -> Option<Capability> {
    let s = stored.iter().find(|s| s.kind == kind::CAPABILITY)?;
    Some(Capability {
        tier: text(&s.detail, &["max_daily_conversations_per_business"]),
        max_phone_numbers: [
            "max_phone_numbers_per_business",
            "max_phone_numbers_per_waba",
        ]
        .iter()
        .find_map(|k| s.detail.get(k).and_then(int)),
        event_time: s.event_time,
    })
}

/// An `account_alerts` alert in force on a WABA's portfolio or number.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountAlert {
    /// `alert_type` (`OBA_APPROVED`, `PROFILE_PICTURE_LOST`, ...).
    pub alert_type: String,
    /// `alert_severity`: `CRITICAL`, `WARNING` or `INFORMATIONAL`.
    pub severity: Option<String>,
    /// Meta's `alert_description`, as Meta wrote it.
    pub description: Option<String>,
    /// `BUSINESS`, `PHONE_NUMBER`, ...
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Meta's time of the event (unix seconds).
    pub event_time: i64,
}

/// The `account_alerts` alerts among a WABA's stored signals, newest first.
pub fn account_alerts(stored: &[Stored]) -> Vec<AccountAlert> {
    let mut out: Vec<AccountAlert> = stored
        .iter()
        .filter(|s| s.kind.starts_with(kind::ACCOUNT_ALERT_PREFIX) && !s.detail.is_null())
        .filter_map(|s| {
            Some(AccountAlert {
                alert_type: text(&s.detail, &["alert_type"])?,
                severity: text(&s.detail, &["alert_severity"]),
                description: text(&s.detail, &["alert_description"]),
                entity_type: text(&s.detail, &["entity_type"]),
                entity_id: text(&s.detail, &["entity_id"]),
                event_time: s.event_time,
            })
        })
        .collect();
    out.sort_by_key(|a| std::cmp::Reverse(a.event_time));
    out
}

/// "in 2 d 3 h", "in 45 min", "now": the time left until `until` at `now`, in `l`.
pub fn countdown(until: DateTime<Utc>, now: DateTime<Utc>, l: Locale) -> String {
    app::meta::countdown((until - now).num_seconds(), l)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_capability_update_takes_meta_s_integer_or_tier_and_keeps_what_it_does_not_repeat() {
        // Meta's documented example: the integer 2000 and a per-WABA number cap.
        let first = super::updates_from_capability(
            &serde_json::json!({"max_daily_conversations_per_business": 2000, "max_phone_numbers_per_waba": 25}),
        );
        let detail = first[0].resolved(None).unwrap();
        assert_eq!(detail["max_daily_conversations_per_business"], "TIER_2K");
        // A later event with only a new number cap keeps the limit.
        let second = super::updates_from_capability(
            &serde_json::json!({"max_phone_numbers_per_business": 50}),
        );
        let stored = [super::Stored {
            kind: super::kind::CAPABILITY.into(),
            event_time: 7,
            detail: second[0].resolved(Some(&detail)).unwrap(),
        }];
        let c = super::capability(&stored).unwrap();
        assert_eq!(c.tier.as_deref(), Some("TIER_2K"));
        assert_eq!(c.max_phone_numbers, Some(50));
        assert_eq!(
            super::tier_name(&serde_json::json!(-1)).as_deref(),
            Some("TIER_UNLIMITED")
        );
        assert_eq!(
            super::tier_name(&serde_json::json!("TIER_10K")).as_deref(),
            Some("TIER_10K")
        );
        assert!(super::updates_from_capability(&serde_json::json!({"x": 1})).is_empty());
    }

    #[test]
    fn account_alerts_are_kept_per_type_and_entity_and_status_none_clears_only_its_own() {
        let value = |t: &str, status: &str| {
            serde_json::json!({"entity_type": "BUSINESS", "entity_id": "506914307656634",
                "alert_info": {"alert_severity": "WARNING", "alert_status": status, "alert_type": t,
                    "alert_description": "Limits cannot be increased for your business."}})
        };
        let deferred = super::updates_from_account_alert(&value(
            "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
            "ACTIVE",
        ));
        let oba = super::updates_from_account_alert(&value("OBA_APPROVED", "ACTIVE"));
        assert_ne!(deferred[0].kind, oba[0].kind);
        let cleared = super::updates_from_account_alert(&value(
            "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
            "NONE",
        ));
        assert_eq!(cleared[0].kind, deferred[0].kind);
        assert!(cleared[0].detail.is_none());
        let stored: Vec<super::Stored> = [&deferred[0], &oba[0]]
            .iter()
            .enumerate()
            .map(|(i, u)| super::Stored {
                kind: u.kind.clone(),
                event_time: i as i64,
                detail: u.detail.clone().unwrap(),
            })
            .collect();
        let alerts = super::account_alerts(&stored);
        assert_eq!(alerts[0].alert_type, "OBA_APPROVED", "newest first");
        assert_eq!(alerts[1].severity.as_deref(), Some("WARNING"));
        assert!(super::account_alerts(&stored[..0]).is_empty());
    }

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
        assert_eq!(countdown(at(200_000), at(0), Locale::en), "in 2 d 7 h");
        assert_eq!(countdown(at(3_700), at(0), Locale::en), "in 1 h 1 min");
        assert_eq!(countdown(at(30), at(0), Locale::en), "in 1 min");
        assert_eq!(countdown(at(0), at(10), Locale::en), "now");
    }
}
