//! Graph nodes as Meta renders them: only the requested fields, in the requested order, fields
//! without a value omitted, `id` last, ids as strings, datetimes as `2025-10-14T10:13:11+0000`.

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use super::errors::{self, GraphError};
use super::scenarios::APP_ID;
use super::state::{NumberState, WabaState};

/// A JSON object that keeps its key order when serialized.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ordered(pub Vec<(String, Value)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Graph's datetime format.
pub(crate) fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// The node type names Meta uses in error messages.
pub(crate) const PHONE_NODE: &str = "WhatsAppBusinessPhoneNumber";
pub(crate) const WABA_NODE: &str = "WhatsAppBusinessAccount";

/// Fields a phone number node has (whether or not they have a value).
const PHONE_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "code_verification_status",
    "name_status",
    "new_display_name",
    "new_name_status",
    "quality_rating",
    "quality_score",
    "status",
    "messaging_limit_tier",
    "whatsapp_business_manager_messaging_limit",
    "platform_type",
    "throughput",
    "account_mode",
    "health_status",
    "is_official_business_account",
    "official_business_account",
    "is_pin_enabled",
    "is_preverified_number",
    "is_on_biz_app",
    "last_onboarded_time",
    "eligibility_for_api_business_global_search",
    "search_visibility",
    "webhook_configuration",
    "certificate",
    "new_certificate",
    "conversational_automation",
];

const WABA_FIELDS: &[&str] = &[
    "id",
    "name",
    "owner_business_info",
    "owner_business",
    "account_review_status",
    "business_verification_status",
    "country",
    "currency",
    "health_status",
    "message_template_namespace",
    "on_behalf_of_business_info",
    "ownership_type",
    "primary_funding_id",
    "purchase_order_number",
    "status",
    "timezone_id",
    "creation_time",
    "is_enabled_for_insights",
    "whatsapp_business_manager_messaging_limit",
];

/// Fields only served from this Graph version on.
fn min_version(field: &str) -> Option<(u32, u32)> {
    (field == "whatsapp_business_manager_messaging_limit").then_some((24, 0))
}

/// Default fields of `GET /{pn}` without `fields`.
pub(crate) const PHONE_DEFAULT: &[&str] =
    &["display_phone_number", "verified_name", "quality_rating"];
/// Default fields of each entry of `GET /{waba}/phone_numbers` without `fields`.
pub(crate) const PHONE_LIST_DEFAULT: &[&str] = &[
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "webhook_configuration",
];
/// Default fields of `GET /{waba}` without `fields`.
pub(crate) const WABA_DEFAULT: &[&str] = &["name", "timezone_id", "message_template_namespace"];

/// Splits `a,b{c},d` into top-level field names (sub-selections are accepted and ignored).
pub(crate) fn parse_fields(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in raw.chars() {
        match ch {
            '{' | '(' => {
                depth += 1;
            }
            '}' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                push_field(&mut out, &current);
                current.clear();
            }
            _ if depth == 0 => current.push(ch),
            _ => {}
        }
    }
    push_field(&mut out, &current);
    out
}

fn push_field(out: &mut Vec<String>, raw: &str) {
    // `.limit(5)` style modifiers are stripped too.
    let name = raw.split('.').next().unwrap_or("").trim();
    if !name.is_empty() && !out.iter().any(|f| f == name) {
        out.push(name.to_string());
    }
}

/// Validates the requested field names against a node type and version.
pub(crate) fn check_fields(
    fields: &[String],
    node_type: &str,
    version: (u32, u32),
) -> Result<(), GraphError> {
    let known = if node_type == PHONE_NODE {
        PHONE_FIELDS
    } else {
        WABA_FIELDS
    };
    for f in fields {
        let too_old = min_version(f).is_some_and(|min| version < min);
        if !known.contains(&f.as_str()) || too_old {
            return Err(errors::nonexisting_field(f, node_type));
        }
    }
    Ok(())
}

fn health_status(entities: Vec<Value>) -> Value {
    let worst = entities
        .iter()
        .map(|e| e["can_send_message"].as_str().unwrap_or("AVAILABLE"))
        .fold("AVAILABLE", |acc, v| match (acc, v) {
            ("BLOCKED", _) | (_, "BLOCKED") => "BLOCKED",
            ("LIMITED", _) | (_, "LIMITED") => "LIMITED",
            _ => "AVAILABLE",
        });
    json!({"can_send_message": worst, "entities": entities})
}

fn waba_entities(waba: &WabaState) -> Vec<Value> {
    let mut entities = vec![
        json!({"entity_type": "WABA", "id": waba.id, "can_send_message": "AVAILABLE"}),
        json!({"entity_type": "BUSINESS", "id": waba.business_id, "can_send_message": "AVAILABLE"}),
        json!({"entity_type": "APP", "id": APP_ID, "can_send_message": "AVAILABLE",
               "can_receive_call_sip": "AVAILABLE"}),
    ];
    for entity in &mut entities {
        let kind = entity["entity_type"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let (Some(Value::Object(over)), Some(target)) =
            (waba.entity_health.get(&kind), entity.as_object_mut())
        {
            for (k, v) in over {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    entities
}

/// The value of one phone-number field; `None` when the number has no value for it.
fn phone_field(
    n: &NumberState,
    waba: &WabaState,
    app_callback: Option<&str>,
    field: &str,
) -> Option<Value> {
    let s = |v: &str| Some(Value::String(v.to_string()));
    match field {
        "id" => s(&n.id),
        "display_phone_number" => s(&n.display_phone_number),
        "verified_name" => s(&n.verified_name),
        "code_verification_status" => s(&n.code_verification_status),
        "name_status" => s(&n.name_status),
        "new_display_name" => n.new_display_name.as_deref().and_then(s),
        "new_name_status" => n.new_name_status.as_deref().and_then(s),
        "quality_rating" => s(&n.quality_rating),
        "quality_score" => Some(json!({"score": n.quality_rating})),
        "status" => s(&n.status),
        // Deprecated: Meta answers `null` on newer numbers rather than omitting it.
        "messaging_limit_tier" => Some(
            n.messaging_limit_tier
                .as_deref()
                .map_or(Value::Null, |t| Value::String(t.into())),
        ),
        "whatsapp_business_manager_messaging_limit" => n.messaging_limit.as_deref().and_then(s),
        "platform_type" => s(&n.platform_type),
        "throughput" => n.throughput.as_ref().map(|l| json!({"level": l})),
        "account_mode" => s(&n.account_mode),
        "health_status" => {
            let mut phone = json!({"entity_type": "PHONE_NUMBER", "id": n.id,
                                   "can_send_message": "AVAILABLE", "can_receive_call_sip": "AVAILABLE"});
            if n.name_status != "APPROVED" && n.name_status != "AVAILABLE_WITHOUT_REVIEW" {
                phone["can_send_message"] = json!("LIMITED");
                phone["additional_info"] = json!(["Your display name has not been approved yet. \
                    Your message limit will increase after the display name is approved."]);
            }
            let mut entities = vec![phone];
            entities.extend(waba_entities(waba));
            Some(health_status(entities))
        }
        "is_official_business_account" => Some(Value::Bool(n.is_official_business_account)),
        "official_business_account" => Some(json!({"oba_status": n.oba_status})),
        "is_pin_enabled" => Some(Value::Bool(n.pin.is_some())),
        "is_preverified_number" => Some(Value::Bool(false)),
        "is_on_biz_app" => Some(Value::Bool(n.is_on_biz_app)),
        "last_onboarded_time" => n.last_onboarded_time.map(|t| Value::String(graph_time(t))),
        "eligibility_for_api_business_global_search" => s("NON_ELIGIBLE_UNDEFINED_COUNTRY"),
        "search_visibility" => s("NON_VISIBLE"),
        "webhook_configuration" => {
            let mut cfg = serde_json::Map::new();
            if let Some(o) = &n.webhook_override {
                cfg.insert("phone_number".into(), json!(o));
            }
            if let Some(o) = &waba.override_callback_uri {
                cfg.insert("whatsapp_business_account".into(), json!(o));
            }
            if let Some(a) = app_callback {
                cfg.insert("application".into(), json!(a));
            }
            (!cfg.is_empty()).then_some(Value::Object(cfg))
        }
        _ => None,
    }
}

/// Renders a phone number with the given (already validated) fields; `id` always comes last.
pub(crate) fn render_phone(
    n: &NumberState,
    waba: &WabaState,
    app_callback: Option<&str>,
    fields: &[String],
) -> Ordered {
    let mut out: Vec<(String, Value)> = fields
        .iter()
        .filter(|f| *f != "id")
        .filter_map(|f| phone_field(n, waba, app_callback, f).map(|v| (f.clone(), v)))
        .collect();
    out.push(("id".into(), Value::String(n.id.clone())));
    Ordered(out)
}

fn waba_field(waba: &WabaState, field: &str) -> Option<Value> {
    let s = |v: &str| Some(Value::String(v.to_string()));
    match field {
        "id" => s(&waba.id),
        "name" => s(&waba.name),
        "owner_business_info" | "owner_business" => {
            Some(json!({"name": waba.business_name, "id": waba.business_id}))
        }
        "account_review_status" => s("APPROVED"),
        "business_verification_status" => s("verified"),
        "country" => s("US"),
        "currency" => s(&waba.currency),
        "health_status" => Some(health_status(waba_entities(waba))),
        "message_template_namespace" => s(&waba.namespace),
        "ownership_type" => s("CLIENT_OWNED"),
        "status" => s("ACTIVE"),
        "timezone_id" => s(&waba.timezone_id),
        "is_enabled_for_insights" => Some(Value::Bool(true)),
        "whatsapp_business_manager_messaging_limit" => s(&waba.messaging_limit),
        _ => None,
    }
}

pub(crate) fn render_waba(waba: &WabaState, fields: &[String]) -> Ordered {
    let mut out: Vec<(String, Value)> = fields
        .iter()
        .filter(|f| *f != "id")
        .filter_map(|f| waba_field(waba, f).map(|v| (f.clone(), v)))
        .collect();
    out.push(("id".into(), Value::String(waba.id.clone())));
    Ordered(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_field_lists() {
        assert_eq!(
            parse_fields(" id, status,throughput{level},status,,health_status.limit(2)"),
            vec!["id", "status", "throughput", "health_status"]
        );
    }

    #[test]
    fn version_gate() {
        let f = vec!["whatsapp_business_manager_messaging_limit".to_string()];
        assert!(check_fields(&f, PHONE_NODE, (24, 0)).is_ok());
        assert!(check_fields(&f, PHONE_NODE, (25, 0)).is_ok());
        let e = check_fields(&f, PHONE_NODE, (23, 0)).unwrap_err();
        assert_eq!(
            e.body["error"]["message"],
            "(#100) Tried accessing nonexisting field (whatsapp_business_manager_messaging_limit) \
             on node type (WhatsAppBusinessPhoneNumber)"
        );
        let e = check_fields(&["nope".to_string()], WABA_NODE, (24, 0)).unwrap_err();
        assert!(e.body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("(nope) on node type (WhatsAppBusinessAccount)"));
    }

    #[test]
    fn ordered_keeps_order() {
        let o = Ordered(vec![("z".into(), json!(1)), ("a".into(), json!(2))]);
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"z":1,"a":2}"#);
    }
}
