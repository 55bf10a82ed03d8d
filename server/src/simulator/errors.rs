//! Meta-shaped error bodies: `{"error":{message,type,code,error_subcode?,error_user_title?,
//! error_user_msg?,error_data?,is_transient?,fbtrace_id}}` with the HTTP status Meta uses.

use chrono::{DateTime, FixedOffset, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

/// An error answer: HTTP status plus Meta's JSON envelope.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GraphError {
    pub status: u16,
    pub body: Value,
}

/// A random trace id like Meta's (`AbX9...`, base64-ish, 23 characters).
pub(crate) fn fbtrace_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::thread_rng();
    let mut id = String::from("A");
    for _ in 0..22 {
        id.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    id
}

/// Builder for one error envelope.
pub(crate) struct ErrorBuilder {
    status: u16,
    fields: Map<String, Value>,
}

impl ErrorBuilder {
    pub fn new(status: u16, message: impl Into<String>, kind: &str, code: i64) -> Self {
        let mut fields = Map::new();
        fields.insert("message".into(), Value::String(message.into()));
        fields.insert("type".into(), Value::String(kind.into()));
        fields.insert("code".into(), json!(code));
        ErrorBuilder { status, fields }
    }

    pub fn subcode(mut self, subcode: i64) -> Self {
        self.fields.insert("error_subcode".into(), json!(subcode));
        self
    }

    pub fn transient(mut self, is_transient: bool) -> Self {
        self.fields
            .insert("is_transient".into(), Value::Bool(is_transient));
        self
    }

    pub fn user(mut self, title: &str, msg: &str) -> Self {
        self.fields
            .insert("error_user_title".into(), Value::String(title.into()));
        self.fields
            .insert("error_user_msg".into(), Value::String(msg.into()));
        self
    }

    pub fn details(mut self, details: &str) -> Self {
        self.fields.insert(
            "error_data".into(),
            json!({"messaging_product": "whatsapp", "details": details}),
        );
        self
    }

    pub fn build(mut self) -> GraphError {
        self.fields
            .insert("fbtrace_id".into(), Value::String(fbtrace_id()));
        GraphError {
            status: self.status,
            body: json!({ "error": Value::Object(self.fields) }),
        }
    }
}

/// HTTP status Meta's error-code table gives for a WhatsApp code.
pub(crate) fn http_status_for(code: i64) -> u16 {
    match code {
        0 | 190 => 401,
        2 | 133004 => 503,
        3 | 131000 | 131016 | 131045 | 131057 | 133000 => 500,
        10 | 200..=299 | 368 | 130497 | 131005 | 131031 => 403,
        _ => 400,
    }
}

/// A WhatsApp-flavoured error: `(#code) Title` plus `error_data.details`.
pub(crate) fn whatsapp(code: i64, title: &str, details: &str) -> GraphError {
    ErrorBuilder::new(
        http_status_for(code),
        format!("(#{code}) {title}"),
        "OAuthException",
        code,
    )
    .details(details)
    .build()
}

pub(crate) fn missing_token() -> GraphError {
    ErrorBuilder::new(
        400,
        "An access token is required to request this resource.",
        "OAuthException",
        104,
    )
    .build()
}

/// A token the simulator has never issued.
pub(crate) fn invalid_token() -> GraphError {
    ErrorBuilder::new(
        401,
        "Invalid OAuth access token - Cannot parse access token",
        "OAuthException",
        190,
    )
    .subcode(463)
    .build()
}

/// Meta's wording: "Session has expired on Tuesday, 01-Jul-25 10:00:00 PDT. The current time is ...".
pub(crate) fn expired_token(expired_at: DateTime<Utc>, now: DateTime<Utc>) -> GraphError {
    let pacific = FixedOffset::west_opt(7 * 3600).expect("valid offset");
    let fmt = |t: DateTime<Utc>| {
        t.with_timezone(&pacific)
            .format("%A, %d-%b-%y %H:%M:%S PDT")
            .to_string()
    };
    ErrorBuilder::new(
        401,
        format!(
            "Error validating access token: Session has expired on {}. The current time is {}.",
            fmt(expired_at),
            fmt(now)
        ),
        "OAuthException",
        190,
    )
    .subcode(463)
    .build()
}

pub(crate) fn permission_denied() -> GraphError {
    ErrorBuilder::new(403, "(#200) Permissions error", "OAuthException", 200).build()
}

/// Unknown (or unreadable) object: 400, code 100, subcode 33.
pub(crate) fn unsupported_request(method: &str, id: &str) -> GraphError {
    ErrorBuilder::new(
        400,
        format!(
            "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to \
             missing permissions, or does not support this operation. Please read the Graph API \
             documentation at https://developers.facebook.com/docs/graph-api",
            method.to_ascii_lowercase()
        ),
        "GraphMethodException",
        100,
    )
    .subcode(33)
    .build()
}

pub(crate) fn nonexisting_field(field: &str, node_type: &str) -> GraphError {
    ErrorBuilder::new(
        400,
        format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"),
        "OAuthException",
        100,
    )
    .build()
}

pub(crate) fn unknown_path(components: &str) -> GraphError {
    ErrorBuilder::new(
        400,
        format!("Unknown path components: {components}"),
        "OAuthException",
        2500,
    )
    .build()
}

pub(crate) fn invalid_parameter(message: &str) -> GraphError {
    ErrorBuilder::new(400, message, "OAuthException", 100).build()
}

/// `/register` while the display name cannot be used yet (in review, declined, ...).
pub(crate) fn cannot_create_certificate() -> GraphError {
    ErrorBuilder::new(400, "Invalid parameter", "OAuthException", 100)
        .subcode(2388001)
        .transient(false)
        .user(
            "Cannot Create Certificate",
            "Your display name could not be processed. Please edit your display name and try again.",
        )
        .build()
}

pub(crate) fn pin_mismatch() -> GraphError {
    whatsapp(
        133005,
        "Two step verification PIN Mismatch",
        "Two-step verification PIN incorrect.",
    )
}

pub(crate) fn reverification_needed() -> GraphError {
    whatsapp(
        133006,
        "Phone number re-verification needed",
        "Phone number needs to be verified before registering.",
    )
}

pub(crate) fn register_rate_limited() -> GraphError {
    whatsapp(
        133016,
        "Account register deregister rate limit exceeded",
        "Registration or Deregistration failed because there were too many attempts for this \
         phone number in a short period of time",
    )
}

/// Meta's answer when it will not send another code now (its limits are undocumented).
pub(crate) fn request_code_error() -> GraphError {
    whatsapp(
        136024,
        "Request code error",
        "Too many verification codes were requested for this phone number. Try again later.",
    )
}

pub(crate) fn verify_code_error() -> GraphError {
    whatsapp(136025, "Verify code error", "Code couldn't be verified.")
}

/// Meta's generic transient failure (code 2) with the given HTTP status (500 or 503).
pub(crate) fn service_unavailable(status: u16) -> GraphError {
    let message = if status == 503 {
        "(#2) Service temporarily unavailable"
    } else {
        "An unexpected error has occurred. Please retry your request later."
    };
    ErrorBuilder::new(status, message, "OAuthException", 2)
        .transient(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_meta_shape() {
        let e = cannot_create_certificate();
        assert_eq!(e.status, 400);
        let err = &e.body["error"];
        assert_eq!(err["code"], 100);
        assert_eq!(err["error_subcode"], 2388001);
        assert_eq!(err["error_user_title"], "Cannot Create Certificate");
        assert_eq!(err["type"], "OAuthException");
        assert_eq!(err["fbtrace_id"].as_str().unwrap().len(), 23);

        let e = register_rate_limited();
        assert_eq!(e.body["error"]["code"], 133016);
        assert_eq!(
            e.body["error"]["message"],
            "(#133016) Account register deregister rate limit exceeded"
        );
        assert_eq!(
            e.body["error"]["error_data"]["messaging_product"],
            "whatsapp"
        );
        assert!(e.body["error"].get("error_subcode").is_none());
    }

    #[test]
    fn trace_ids_differ() {
        assert_ne!(fbtrace_id(), fbtrace_id());
    }

    #[test]
    fn expired_message_names_both_times() {
        let at = DateTime::parse_from_rfc3339("2025-07-01T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = expired_token(at, at + chrono::Duration::hours(1));
        assert_eq!(
            e.body["error"]["message"],
            "Error validating access token: Session has expired on Tuesday, 01-Jul-25 10:00:00 PDT. \
             The current time is Tuesday, 01-Jul-25 11:00:00 PDT."
        );
        assert_eq!(e.status, 401);
    }
}
