//! The shapes of Meta's webhook payloads (reference section 5): the
//! `whatsapp_business_account` envelope and what Greenlight reads from each field's `value`:
//! which number it concerns and a one-line summary in words. Everything is lenient: unknown
//! fields and values are kept, ids may come as strings or numbers.
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fields Greenlight acts on: account-level fields without customer content. Every other
/// field (`messages`, `statuses` inside it, `message_echoes`, `calls`, `history`, …) may carry
/// customers' phone numbers, names and texts, and is dropped on receipt, before anything is
/// stored or logged (migration 0007 lists the same fields).
pub const HANDLED_FIELDS: &[&str] = &[
    "phone_number_name_update",
    "phone_number_quality_update",
    "account_update",
    "account_alerts",
    "business_capability_update",
    "account_review_update",
    "security",
];

/// `true` for a field Greenlight stores and acts on.
pub fn is_handled(field: &str) -> bool {
    HANDLED_FIELDS.contains(&field)
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    time: Option<Value>,
    #[serde(default)]
    changes: Vec<ChangeWire>,
}

#[derive(Debug, Deserialize)]
struct ChangeWire {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: Value,
}

/// One `entry[].changes[]` item with its entry's WABA id and time.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub waba_id: String,
    pub time: Option<i64>,
    pub field: String,
    pub value: Value,
}

/// What Meta's `security` webhook reports about a number's two-step PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityEvent {
    /// Someone changed the PIN (in WhatsApp Manager, or through the API).
    PinChanged,
    /// Someone asked Meta to reset the PIN.
    PinResetRequest,
    /// A PIN reset went through.
    PinRequestSuccess,
    /// An event this version does not know.
    Other(String),
}

impl SecurityEvent {
    fn parse(s: &str) -> SecurityEvent {
        match s {
            "PIN_CHANGED" => SecurityEvent::PinChanged,
            "PIN_RESET_REQUEST" => SecurityEvent::PinResetRequest,
            "PIN_REQUEST_SUCCESS" => SecurityEvent::PinRequestSuccess,
            other => SecurityEvent::Other(other.to_owned()),
        }
    }

    /// Meta's name.
    pub fn as_str(&self) -> &str {
        match self {
            SecurityEvent::PinChanged => "PIN_CHANGED",
            SecurityEvent::PinResetRequest => "PIN_RESET_REQUEST",
            SecurityEvent::PinRequestSuccess => "PIN_REQUEST_SUCCESS",
            SecurityEvent::Other(s) => s,
        }
    }

    /// Whether the PIN Greenlight holds may no longer be Meta's after this event.
    pub fn makes_pin_stale(&self) -> bool {
        !matches!(self, SecurityEvent::Other(_))
    }
}

/// Why a body is not a webhook Greenlight can store.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    #[error("not JSON of the webhook envelope's shape ({0})")]
    Malformed(String),
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
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

/// Parses the body into its changes. Bodies for other objects, or without changes, give none.
pub fn parse(body: &[u8]) -> Result<Vec<Change>, PayloadError> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        // Position and category only: never a piece of the body.
        PayloadError::Malformed(format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    if env
        .object
        .as_deref()
        .is_some_and(|o| o != "whatsapp_business_account")
    {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in env.entry {
        let waba_id = id_string(&entry.id).unwrap_or_default();
        let time = entry.time.as_ref().and_then(int);
        for c in entry.changes {
            let Some(field) = c.field.filter(|f| !f.is_empty()) else {
                continue;
            };
            out.push(Change {
                waba_id: waba_id.clone(),
                time,
                field,
                value: c.value,
            });
        }
    }
    Ok(out)
}

impl Change {
    /// The same event delivered twice (Meta's retries, several subscribed apps) has the same key.
    pub fn dedup_key(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.waba_id.as_bytes());
        h.update([0]);
        h.update(self.field.as_bytes());
        h.update([0]);
        h.update(canonical(&self.value).as_bytes());
        h.update([0]);
        h.update(
            self.time
                .map(|t| t.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        hex::encode(h.finalize())
    }

    fn str_at(&self, path: &[&str]) -> Option<String> {
        let mut v = &self.value;
        for p in path {
            v = v.get(p)?;
        }
        id_string(v)
    }

    /// Digits of the number's display phone number, when the value names one.
    pub fn display_digits(&self) -> Option<String> {
        [
            &["display_phone_number"][..],
            &["phone_number"],
            &["metadata", "display_phone_number"],
        ]
        .iter()
        .find_map(|p| self.str_at(p))
        .map(|s| digits(&s))
        .filter(|d| !d.is_empty())
    }

    /// The phone number id, when the value names one.
    pub fn phone_number_id(&self) -> Option<String> {
        if let Some(id) = self
            .str_at(&["phone_number_id"])
            .or_else(|| self.str_at(&["metadata", "phone_number_id"]))
        {
            return Some(id);
        }
        (self.field == "account_alerts"
            && self.str_at(&["entity_type"]).as_deref() == Some("PHONE_NUMBER"))
        .then(|| self.str_at(&["entity_id"]))
        .flatten()
    }

    /// WABA ids the change concerns: the entry's, and `waba_info.waba_id` when present.
    pub fn waba_ids(&self) -> Vec<String> {
        let mut ids = vec![self.waba_id.clone()];
        if let Some(other) = self.str_at(&["waba_info", "waba_id"]) {
            if !ids.contains(&other) {
                ids.push(other);
            }
        }
        ids.retain(|s| !s.is_empty());
        ids
    }

    /// The `security` event (`PIN_CHANGED`, `PIN_RESET_REQUEST`, `PIN_REQUEST_SUCCESS`), for that
    /// field only.
    pub fn security_event(&self) -> Option<SecurityEvent> {
        (self.field == "security")
            .then(|| self.str_at(&["event"]))
            .flatten()
            .map(|e| SecurityEvent::parse(&e))
    }

    /// `true` for a display-name approval: the moment to register.
    pub fn is_name_approval(&self) -> bool {
        self.field == "phone_number_name_update"
            && self.str_at(&["decision"]).as_deref() == Some("APPROVED")
    }

    /// A one-line summary in words for the activity log (no secrets: values are Meta's enums and names).
    pub fn summary(&self) -> String {
        let s = |p: &[&str]| self.str_at(p);
        let or = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
        match self.field.as_str() {
            "phone_number_name_update" => {
                let decision = or(s(&["decision"]));
                let name = s(&["requested_verified_name"])
                    .map(|n| format!(" for \u{201c}{n}\u{201d}"))
                    .unwrap_or_default();
                // Meta's reason in plain words; an accepted name's `NONE` says nothing.
                let reason = s(&["rejection_reason"])
                    .filter(|r| decision == "REJECTED" || r != "NONE")
                    .map(|r| format!(". {}", app::meta::name_rejection_words(&r)))
                    .unwrap_or_default();
                format!("Display name decision{name}: {}{reason}", words(&decision))
            }
            "phone_number_quality_update" => {
                let event = or(s(&["event"]));
                let limit =
                    s(&["max_daily_conversations_per_business"]).or_else(|| s(&["current_limit"]));
                let old = s(&["old_limit"]);
                let mut out = format!("Quality/limit update: {}", words(&event));
                if let Some(l) = limit {
                    out.push_str(&format!(", limit {l}"));
                }
                if let Some(o) = old {
                    out.push_str(&format!(" (was {o})"));
                }
                out
            }
            "account_update" => {
                let event = or(s(&["event"]));
                let detail = s(&["ban_info", "waba_ban_state"])
                    .or_else(|| s(&["violation_info", "violation_type"]))
                    .or_else(|| s(&["disconnection_info", "reason"]))
                    .or_else(|| {
                        self.value
                            .get("restriction_info")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|r| r.get("restriction_type").and_then(id_string))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                    })
                    .filter(|d| !d.is_empty())
                    .map(|d| format!(" ({})", words(&d)))
                    .unwrap_or_default();
                format!("Account update: {}{detail}", words(&event))
            }
            "account_alerts" => {
                let sev = or(s(&["alert_info", "alert_severity"]));
                let kind = or(s(&["alert_info", "alert_type"]));
                let status = s(&["alert_info", "alert_status"])
                    .map(|st| format!(", {}", words(&st)))
                    .unwrap_or_default();
                format!("Account alert ({}): {}{status}", words(&sev), words(&kind))
            }
            "business_capability_update" => {
                let mut parts = Vec::new();
                for key in [
                    "max_daily_conversations_per_business",
                    "max_daily_conversation_per_phone",
                    "max_phone_numbers_per_business",
                    "max_phone_numbers_per_waba",
                ] {
                    if let Some(v) = s(&[key]) {
                        parts.push(format!("{} {v}", key.replace('_', " ")));
                    }
                }
                format!("Business capability update: {}", parts.join(", "))
            }
            "account_review_update" => format!("Account review: {}", words(&or(s(&["decision"])))),
            "security" => format!("Security: {}", words(&or(s(&["event"])))),
            other => format!("Webhook {}", other.replace('_', " ")),
        }
    }
}

/// `SOME_ENUM_VALUE` → `some enum value`.
pub fn words(s: &str) -> String {
    s.replace('_', " ").to_lowercase()
}

/// Only the digits of a phone number.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// JSON with object keys sorted, so key order does not change the dedup key.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = r#"{"entry":[{"id":"102290129340398","time":1739321024,"changes":[{"value":{"display_phone_number":"15550783881","decision":"APPROVED","requested_verified_name":"Lucky Shrub","rejection_reason":null},"field":"phone_number_name_update"}]}],"object":"whatsapp_business_account"}"#;

    #[test]
    fn name_update_names_the_number_by_display_digits() {
        let c = parse(NAME.as_bytes()).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].waba_id, "102290129340398");
        assert_eq!(c[0].time, Some(1739321024));
        assert_eq!(c[0].display_digits().as_deref(), Some("15550783881"));
        assert!(c[0].is_name_approval());
        assert_eq!(
            c[0].summary(),
            "Display name decision for \u{201c}Lucky Shrub\u{201d}: approved"
        );
    }

    #[test]
    fn a_rejected_name_says_why_in_plain_words() {
        let rejected = NAME
            .replace("\"APPROVED\"", "\"REJECTED\"")
            .replace("null", "\"NAME_INDIVIDUAL_ISSUE\"");
        let c = &parse(rejected.as_bytes()).unwrap()[0];
        assert_eq!(
            c.summary(),
            format!(
                "Display name decision for \u{201c}Lucky Shrub\u{201d}: rejected. {}",
                app::meta::name_rejection_words("NAME_INDIVIDUAL_ISSUE")
            )
        );
        assert!(c.summary().contains("person's name"), "{}", c.summary());
    }

    #[test]
    fn quality_update_legacy_and_current_shapes() {
        let legacy = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":1700000000,"changes":[{"field":"phone_number_quality_update","value":{"display_phone_number":"1 650-555-1111","event":"DOWNGRADE","old_limit":"TIER_10K","current_limit":"TIER_1K"}}]}]}"#;
        let c = &parse(legacy.as_bytes()).unwrap()[0];
        assert_eq!(c.display_digits().as_deref(), Some("16505551111"));
        assert_eq!(
            c.summary(),
            "Quality/limit update: downgrade, limit TIER_1K (was TIER_10K)"
        );
        let current = r#"{"entry":[{"id":"1","time":1748454394,"changes":[{"value":{"display_phone_number":"15550783881","event":"THROUGHPUT_UPGRADE","max_daily_conversations_per_business":2000},"field":"phone_number_quality_update"}]}],"object":"whatsapp_business_account"}"#;
        let c = &parse(current.as_bytes()).unwrap()[0];
        assert_eq!(
            c.summary(),
            "Quality/limit update: throughput upgrade, limit 2000"
        );
    }

    #[test]
    fn account_alerts_for_a_phone_number_name_its_id_and_partner_removed_names_a_second_waba() {
        let aa = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":1,"changes":[{"field":"account_alerts","value":{"entity_type":"PHONE_NUMBER","entity_id":"106540352242922","alert_info":{"alert_severity":"WARNING","alert_status":"ACTIVE","alert_type":"PROFILE_PICTURE_LOST","alert_description":"x"}}}]}]}"#;
        let c = &parse(aa.as_bytes()).unwrap()[0];
        assert_eq!(c.phone_number_id().as_deref(), Some("106540352242922"));
        assert_eq!(
            c.summary(),
            "Account alert (warning): profile picture lost, active"
        );
        let pr = r#"{"object":"whatsapp_business_account","entry":[{"id":"2949482758682047","time":1748477359,"changes":[{"value":{"event":"PARTNER_REMOVED","waba_info":{"waba_id":"980198427658004","owner_business_id":"2329417887457253"},"disconnection_info":{"reason":"PRIMARY_INACTIVITY","initiated_by":"SYSTEM"}},"field":"account_update"}]}]}"#;
        let c = &parse(pr.as_bytes()).unwrap()[0];
        assert_eq!(c.waba_ids(), vec!["2949482758682047", "980198427658004"]);
        assert_eq!(
            c.summary(),
            "Account update: partner removed (primary inactivity)"
        );
    }

    #[test]
    fn capability_update_accepts_integers_and_key_order_does_not_change_the_dedup_key() {
        let a = r#"{"entry":[{"id":"524126980791429","time":1739321024,"changes":[{"value":{"max_daily_conversations_per_business":2000,"max_phone_numbers_per_waba":25},"field":"business_capability_update"}]}],"object":"whatsapp_business_account"}"#;
        let b = r#"{"object":"whatsapp_business_account","entry":[{"time":1739321024,"id":"524126980791429","changes":[{"field":"business_capability_update","value":{"max_phone_numbers_per_waba":25,"max_daily_conversations_per_business":2000}}]}]}"#;
        let (a, b) = (
            &parse(a.as_bytes()).unwrap()[0],
            &parse(b.as_bytes()).unwrap()[0],
        );
        assert_eq!(a.dedup_key(), b.dedup_key());
        assert!(a
            .summary()
            .contains("max daily conversations per business 2000"));
        let later = Change {
            time: Some(1739321025),
            ..a.clone()
        };
        assert_ne!(a.dedup_key(), later.dedup_key());
    }

    #[test]
    fn malformed_bodies_are_errors_without_the_body_and_other_objects_are_empty() {
        let err = parse(b"{\"entry\": [secret-token").unwrap_err();
        assert!(!err.to_string().contains("secret"));
        assert!(parse(b"[1,2]").is_err());
        assert!(parse(
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"x","value":{}}]}]}"#
        )
        .unwrap()
        .is_empty());
    }
}

#[cfg(test)]
#[path = "payload_fuzz_tests.rs"]
mod fuzz_tests;
