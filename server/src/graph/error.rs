//! [`GraphError`]: what went wrong talking to Meta, classified into a [`GraphErrorKind`] the rest of Greenlight
//! acts on.
//!
//! Rules: the `Display` of an error and [`GraphError::user_message`] never contain Meta's raw body, Meta's
//! `message`, the `fbtrace_id`, a token or a URL. The structured fields ([`ApiError`]) keep what Meta said for the
//! attempt log and for support; `fbtrace_id` goes to the server log at `warn` (see the client).

use std::fmt;

use app::meta::TokenRefusal;
use serde::{Deserialize, Serialize};

use super::wire::{from_object, lenient, lenient_object, JsonObject};

/// A Graph API error answer (`{"error": {...}}`), field by field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// HTTP status of the answer. Informational only: Meta is not consistent (190 comes as 400 or 401).
    pub http_status: u16,
    /// `error.code`, e.g. 190, 100, 133016.
    pub code: i64,
    /// `error.error_subcode`, e.g. 2388001, 33, 463 (dropped by Meta on most WhatsApp codes since v16).
    pub subcode: Option<i64>,
    /// `error.type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    /// `error.message`, e.g. `(#133005) Two step verification PIN Mismatch`. Meta's words: not for the UI.
    pub message: String,
    /// `error.error_user_title`, e.g. `Cannot Create Certificate`.
    pub user_title: Option<String>,
    /// `error.error_user_msg`.
    pub user_msg: Option<String>,
    /// `error.fbtrace_id`: for Meta support; logged, never shown.
    pub fbtrace_id: Option<String>,
    /// `error.error_data.details`.
    pub details: Option<String>,
    /// `error.is_transient`, when Meta sends it.
    pub is_transient: Option<bool>,
}

impl ApiError {
    /// The [`GraphErrorKind`] of this answer.
    pub fn kind(&self) -> GraphErrorKind {
        let kind = GraphErrorKind::classify(Some(self.http_status), Some(self.code), self.subcode);
        if kind == GraphErrorKind::Other && self.is_transient == Some(true) {
            GraphErrorKind::Transient
        } else {
            kind
        }
    }
}

impl fmt::Display for ApiError {
    /// `Graph API error 100/2388001 (HTTP 400): display name not ready` — codes and our own label only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph API error {}", self.code)?;
        if let Some(subcode) = self.subcode {
            write!(f, "/{subcode}")?;
        }
        write!(f, " (HTTP {}): {}", self.http_status, self.kind().label())
    }
}

/// Everything that can go wrong with a Graph API call.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Meta answered with an error envelope.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No complete answer within the total timeout.
    #[error("the Graph API did not answer in time")]
    Timeout,
    /// The connection (TCP/TLS) could not be opened.
    #[error("could not connect to the Graph API")]
    Connect,
    /// The request failed on the way (connection reset, body cut off, …).
    #[error("the Graph API request failed in transit")]
    Transport,
    /// Meta (or something in between) answered with a body that is not the JSON we expect. `description` is
    /// ours (e.g. "not JSON: syntax error at line 1 column 1"), never a snippet of the body.
    #[error("unexpected answer from the Graph API (HTTP {http_status}): {description}")]
    MalformedResponse {
        http_status: u16,
        description: String,
    },
    /// A caller passed an argument Greenlight refuses to send (e.g. an id with a `/`).
    #[error("invalid Graph API request: {0}")]
    InvalidRequest(String),
    /// The [`GraphConfig`](super::GraphConfig) is unusable (bad base URL, …).
    #[error("invalid Graph API configuration: {0}")]
    InvalidConfig(String),
    /// A paged list did not end within the page bound.
    #[error("the Graph API list did not end after {pages} pages")]
    TooManyPages { pages: usize },
}

/// What an error means for Greenlight. Stored in the attempt log (`as_str`), so names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GraphErrorKind {
    /// 190 (also 102, 104): the token expired, was revoked or is missing.
    TokenInvalid,
    /// 133016: 10 register/deregister calls per 72 h used up; Meta locks registration for 72 h.
    RegisterQuotaExhausted,
    /// 100 with subcode 2388001: display name not ready, or the number still tied to a WhatsApp app account.
    DisplayNameNotReady,
    /// 133005: the number already has a different two-step verification PIN.
    PinMismatch,
    /// 133006: the number must be verified again by SMS/voice code.
    ReverificationNeeded,
    /// 4, 17, 32, 613, 80000–80014, 130429, 133008, 133009, 133015, HTTP 429.
    Throttled,
    /// 1, 2, 131000, 131016, 133004, `is_transient`, HTTP 5xx, timeouts, connection errors.
    Transient,
    /// 100 with subcode 33, 803: unknown id, or an object the token cannot see.
    NotFound,
    /// 10, 200–299: the token lacks a permission or access to the asset.
    Permission,
    /// Anything else.
    Other,
}

impl GraphErrorKind {
    /// Every kind, for exhaustive tests and UI tables.
    pub const ALL: [GraphErrorKind; 10] = [
        GraphErrorKind::TokenInvalid,
        GraphErrorKind::RegisterQuotaExhausted,
        GraphErrorKind::DisplayNameNotReady,
        GraphErrorKind::PinMismatch,
        GraphErrorKind::ReverificationNeeded,
        GraphErrorKind::Throttled,
        GraphErrorKind::Transient,
        GraphErrorKind::NotFound,
        GraphErrorKind::Permission,
        GraphErrorKind::Other,
    ];

    /// Classifies by Meta's `code` (+ `error_subcode`) first, then by HTTP status. Public so that a stored
    /// attempt (code, subcode) can be classified again.
    pub fn classify(
        http_status: Option<u16>,
        code: Option<i64>,
        subcode: Option<i64>,
    ) -> GraphErrorKind {
        let by_code = match (code, subcode) {
            (Some(190 | 102 | 104), _) => Some(GraphErrorKind::TokenInvalid),
            (Some(133016), _) => Some(GraphErrorKind::RegisterQuotaExhausted),
            (Some(100), Some(2388001)) => Some(GraphErrorKind::DisplayNameNotReady),
            (Some(133005), _) => Some(GraphErrorKind::PinMismatch),
            (Some(133006), _) => Some(GraphErrorKind::ReverificationNeeded),
            (Some(4 | 17 | 32 | 613 | 80000..=80014 | 130429 | 133008 | 133009 | 133015), _) => {
                Some(GraphErrorKind::Throttled)
            }
            (Some(1 | 2 | 131000 | 131016 | 133004), _) => Some(GraphErrorKind::Transient),
            (Some(100), Some(33)) | (Some(803), _) => Some(GraphErrorKind::NotFound),
            (Some(10 | 200..=299), _) => Some(GraphErrorKind::Permission),
            _ => None,
        };
        by_code.unwrap_or(match http_status {
            Some(429) => GraphErrorKind::Throttled,
            Some(500..=599) => GraphErrorKind::Transient,
            _ => GraphErrorKind::Other,
        })
    }

    /// Stable snake_case name (same as serde).
    pub fn as_str(self) -> &'static str {
        match self {
            GraphErrorKind::TokenInvalid => "token_invalid",
            GraphErrorKind::RegisterQuotaExhausted => "register_quota_exhausted",
            GraphErrorKind::DisplayNameNotReady => "display_name_not_ready",
            GraphErrorKind::PinMismatch => "pin_mismatch",
            GraphErrorKind::ReverificationNeeded => "reverification_needed",
            GraphErrorKind::Throttled => "throttled",
            GraphErrorKind::Transient => "transient",
            GraphErrorKind::NotFound => "not_found",
            GraphErrorKind::Permission => "permission",
            GraphErrorKind::Other => "other",
        }
    }

    /// Parses [`GraphErrorKind::as_str`]; unknown names read as `Other`.
    pub fn from_str_lossy(value: &str) -> GraphErrorKind {
        GraphErrorKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .unwrap_or(GraphErrorKind::Other)
    }

    /// `true` for the kinds a read may be retried on (throttling, transient failures).
    pub fn is_retryable(self) -> bool {
        matches!(self, GraphErrorKind::Throttled | GraphErrorKind::Transient)
    }

    /// A short lower-case label for logs and `Display`.
    pub fn label(self) -> &'static str {
        match self {
            GraphErrorKind::TokenInvalid => "access token refused",
            GraphErrorKind::RegisterQuotaExhausted => "registration rate limit exceeded",
            GraphErrorKind::DisplayNameNotReady => "display name not ready",
            GraphErrorKind::PinMismatch => "two-step verification PIN mismatch",
            GraphErrorKind::ReverificationNeeded => "phone number re-verification needed",
            GraphErrorKind::Throttled => "throttled",
            GraphErrorKind::Transient => "temporary failure",
            GraphErrorKind::NotFound => "object not found",
            GraphErrorKind::Permission => "permission denied",
            GraphErrorKind::Other => "request rejected",
        }
    }
}

impl fmt::Display for GraphErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl GraphError {
    /// What this error means for Greenlight.
    pub fn kind(&self) -> GraphErrorKind {
        match self {
            GraphError::Api(api) => api.kind(),
            GraphError::Timeout | GraphError::Connect | GraphError::Transport => {
                GraphErrorKind::Transient
            }
            GraphError::MalformedResponse { http_status, .. } => {
                GraphErrorKind::classify(Some(*http_status), None, None)
            }
            GraphError::InvalidRequest(_)
            | GraphError::InvalidConfig(_)
            | GraphError::TooManyPages { .. } => GraphErrorKind::Other,
        }
    }

    /// Meta's error fields, when Meta answered with an error envelope.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(api) => Some(api),
            _ => None,
        }
    }

    /// HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            GraphError::Api(api) => Some(api.http_status),
            GraphError::MalformedResponse { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    /// Meta's `error.code`.
    pub fn code(&self) -> Option<i64> {
        self.api().map(|api| api.code)
    }

    /// Meta's `error.error_subcode`.
    pub fn subcode(&self) -> Option<i64> {
        self.api().and_then(|api| api.subcode)
    }

    /// Which kind of token refusal this is, when Meta refused the token.
    pub fn token_refusal(&self) -> Option<TokenRefusal> {
        token_refusal(self.kind(), self.subcode())
    }

    /// Meta's `fbtrace_id` (for logs and support tickets only; never shown to users).
    pub fn fbtrace_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.fbtrace_id.as_deref())
    }

    /// A plain-language sentence that is safe to show to people: no raw body, no `fbtrace_id`, no token.
    pub fn user_message(&self) -> String {
        match self {
            GraphError::Timeout => "Meta's Graph API did not answer in time. Greenlight will try again.".to_owned(),
            GraphError::Connect => "Greenlight could not reach Meta's Graph API. Greenlight will try again.".to_owned(),
            GraphError::Transport => {
                "The connection to Meta's Graph API broke off. Greenlight will try again.".to_owned()
            }
            GraphError::MalformedResponse { http_status, .. } if *http_status >= 500 => {
                format!("Meta's Graph API is having trouble (HTTP {http_status}). Greenlight will try again.")
            }
            GraphError::MalformedResponse { http_status, .. } => {
                format!("Meta's Graph API sent an answer Greenlight does not understand (HTTP {http_status}).")
            }
            GraphError::InvalidRequest(_) => {
                "Greenlight refused to send the request: an id or setting is not valid.".to_owned()
            }
            GraphError::InvalidConfig(_) => {
                "The Graph API settings of this Greenlight server are not valid (check GRAPH_API_BASE_URL)."
                    .to_owned()
            }
            GraphError::TooManyPages { .. } => {
                "Meta's list of phone numbers did not end; Greenlight stopped reading it.".to_owned()
            }
            GraphError::Api(api) => api_user_message(api),
        }
    }
}

/// What Meta's refusal of `request_code` or `verify_code` means for the re-verification flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeRefusal {
    /// Meta limits code requests for the number (136024 "Request code error", 133016, or any
    /// throttling code or HTTP 429 on `request_code`): wait before asking again.
    RequestLimited,
    /// The code was wrong or has expired (136025 "Verify code error", or 100 on `verify_code`).
    WrongCode,
    /// Any other refusal, by its general kind.
    Other,
}

impl CodeRefusal {
    /// Classifies Meta's answer to `request_code` (`verify == false`) or `verify_code`.
    pub fn classify(error: &GraphError, verify: bool) -> CodeRefusal {
        let code = error.code();
        match (verify, code) {
            (false, Some(136024 | 133016)) => CodeRefusal::RequestLimited,
            (false, _) if error.kind() == GraphErrorKind::Throttled => CodeRefusal::RequestLimited,
            (true, Some(136025 | 100)) => CodeRefusal::WrongCode,
            _ => CodeRefusal::Other,
        }
    }
}

/// Which kind of token refusal an error is: `None` unless Meta refused the token (code 190 and
/// its kin); then the kind from Meta's `error_subcode` ([`TokenRefusal::from_subcode`]).
pub fn token_refusal(kind: GraphErrorKind, subcode: Option<i64>) -> Option<TokenRefusal> {
    (kind == GraphErrorKind::TokenInvalid).then(|| TokenRefusal::from_subcode(subcode))
}

fn api_user_message(api: &ApiError) -> String {
    match api.kind() {
        GraphErrorKind::TokenInvalid => format!(
            "Meta refused the access token: {}. Paste a new access token in the inbox's \
Settings so Greenlight can read the number again.",
            TokenRefusal::from_subcode(api.subcode).words()
        ),
        GraphErrorKind::RegisterQuotaExhausted => "Meta's limit of 10 registration attempts per 72 hours for this \
number is used up; Meta blocks registration of this number for 72 hours."
            .to_owned(),
        GraphErrorKind::DisplayNameNotReady => "Meta cannot register the number yet: the display name is not ready \
(still in review or could not be processed), or the number is still connected to a WhatsApp app account."
            .to_owned(),
        GraphErrorKind::PinMismatch => "The number already has a different two-step verification PIN. Press Set \
the PIN: Greenlight sets a new PIN with Meta and registers the number with it."
            .to_owned(),
        GraphErrorKind::ReverificationNeeded => "Meta wants the phone number verified again with an SMS or voice \
code before it can be registered. Request a code, enter it, and Greenlight registers the number."
            .to_owned(),
        GraphErrorKind::Throttled => {
            "Meta is limiting how often Greenlight may call it right now. Greenlight will try again later.".to_owned()
        }
        GraphErrorKind::Transient => {
            "Meta's Graph API had a temporary problem. Greenlight will try again.".to_owned()
        }
        GraphErrorKind::NotFound => "Meta does not know this phone number or WhatsApp Business Account, or the \
access token cannot see it."
            .to_owned(),
        GraphErrorKind::Permission => "The access token is not allowed to do this: it needs the \
whatsapp_business_management permission and access to this WhatsApp Business Account."
            .to_owned(),
        GraphErrorKind::Other => match api.subcode {
            Some(subcode) => format!("Meta rejected the request (error {}, subcode {subcode}).", api.code),
            None => format!("Meta rejected the request (error {}).", api.code),
        },
    }
}

/// Meta's error envelope on the wire.
#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(default, deserialize_with = "lenient_object")]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "lenient")]
    message: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    error_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_code")]
    code: Option<i64>,
    #[serde(default, deserialize_with = "lenient_code")]
    error_subcode: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    error_user_title: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    error_user_msg: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    fbtrace_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_object")]
    error_data: Option<ErrorData>,
    #[serde(default, deserialize_with = "lenient")]
    is_transient: Option<bool>,
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default, deserialize_with = "lenient")]
    details: Option<String>,
}

/// A code as a number, or as a numeric string (seen in some proxies).
fn lenient_code<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Number(number) => number.as_i64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// Parses an error envelope. `None` when the body is not one (no `error` object with a `code`).
pub(crate) fn parse_error_body(http_status: u16, body: &[u8]) -> Option<ApiError> {
    let object: JsonObject = serde_json::from_slice(body).ok()?;
    let envelope: ErrorEnvelope = from_object(object).ok()?;
    let error = envelope.error?;
    Some(ApiError {
        http_status,
        code: error.code?,
        subcode: error.error_subcode,
        error_type: error.error_type,
        message: error.message.unwrap_or_default(),
        user_title: error.error_user_title,
        user_msg: error.error_user_msg,
        fbtrace_id: error.fbtrace_id,
        details: error.error_data.and_then(|data| data.details),
        is_transient: error.is_transient,
    })
}

/// A snippet-free description of a JSON parse failure: category and position only.
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not JSON (syntax error)",
        serde_json::error::Category::Data => "JSON of an unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "{category} at line {} column {}",
        error.line(),
        error.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_fixtures::fixture;

    fn api_error(name: &str, http_status: u16) -> GraphError {
        let body = fixture(name);
        let api = parse_error_body(http_status, body.as_bytes())
            .unwrap_or_else(|| panic!("{name} is an envelope"));
        GraphError::Api(Box::new(api))
    }

    /// Display, user_message and the kind label must never carry Meta's trace id, Meta's message or a token.
    fn assert_safe(error: &GraphError) {
        let shown = [error.to_string(), error.user_message()];
        let mut forbidden: Vec<String> = vec!["EAAG".to_owned(), "fbtrace".to_owned()];
        if let Some(api) = error.api() {
            forbidden.extend(api.fbtrace_id.clone());
            if !api.message.is_empty() {
                forbidden.push(api.message.clone());
            }
            forbidden.extend(api.details.clone());
            forbidden.extend(api.user_msg.clone());
        }
        for text in &shown {
            assert!(!text.is_empty());
            for needle in &forbidden {
                assert!(
                    !text.contains(needle.as_str()),
                    "{text:?} contains {needle:?}"
                );
            }
            assert!(
                !text.contains('{') && !text.contains("<html"),
                "{text:?} looks like a raw body"
            );
        }
    }

    #[test]
    fn classifies_every_fixture_error() {
        let cases: [(&str, u16, GraphErrorKind, i64, Option<i64>); 11] = [
            (
                "error_190_463_token_expired.json",
                401,
                GraphErrorKind::TokenInvalid,
                190,
                Some(463),
            ),
            (
                "error_133016_register_rate_limit.json",
                400,
                GraphErrorKind::RegisterQuotaExhausted,
                133016,
                None,
            ),
            (
                "error_100_2388001_cannot_create_certificate.json",
                400,
                GraphErrorKind::DisplayNameNotReady,
                100,
                Some(2388001),
            ),
            (
                "error_133005_pin_mismatch.json",
                400,
                GraphErrorKind::PinMismatch,
                133005,
                None,
            ),
            (
                "error_133006_reverification.json",
                400,
                GraphErrorKind::ReverificationNeeded,
                133006,
                None,
            ),
            (
                "error_100_33_not_found.json",
                400,
                GraphErrorKind::NotFound,
                100,
                Some(33),
            ),
            (
                "error_130429_rate_limit_hit.json",
                400,
                GraphErrorKind::Throttled,
                130429,
                Some(2494055),
            ),
            (
                "error_4_app_throttled.json",
                400,
                GraphErrorKind::Throttled,
                4,
                Some(2446079),
            ),
            (
                "error_200_permission.json",
                403,
                GraphErrorKind::Permission,
                200,
                None,
            ),
            (
                "error_100_nonexisting_field.json",
                400,
                GraphErrorKind::Other,
                100,
                None,
            ),
            (
                "error_133004_unavailable.json",
                503,
                GraphErrorKind::Transient,
                133004,
                None,
            ),
        ];
        for (name, status, kind, code, subcode) in cases {
            let error = api_error(name, status);
            assert_eq!(error.kind(), kind, "{name}");
            assert_eq!(error.code(), Some(code), "{name}");
            assert_eq!(error.subcode(), subcode, "{name}");
            assert_eq!(error.http_status(), Some(status), "{name}");
            assert!(error.fbtrace_id().is_some(), "{name}");
            assert_safe(&error);
        }
    }

    #[test]
    fn keeps_meta_fields_for_the_attempt_log() {
        let error = api_error("error_100_2388001_cannot_create_certificate.json", 400);
        let api = error.api().expect("api error");
        assert_eq!(api.user_title.as_deref(), Some("Cannot Create Certificate"));
        assert!(api
            .user_msg
            .as_deref()
            .unwrap_or_default()
            .starts_with("This number is registered"));
        assert_eq!(api.error_type.as_deref(), Some("OAuthException"));
        assert_eq!(api.fbtrace_id.as_deref(), Some("AH-Bv9JhFkPNcgNtFoEib-z"));
        assert_eq!(api.is_transient, Some(false));

        let pin = api_error("error_133005_pin_mismatch.json", 400);
        assert_eq!(
            pin.api().and_then(|api| api.details.as_deref()),
            Some("Two-step verification PIN incorrect.")
        );
    }

    #[test]
    fn classifies_by_code_then_http_status() {
        use GraphErrorKind as K;
        let classify = |status: u16, code: i64, subcode: Option<i64>| {
            K::classify(Some(status), Some(code), subcode)
        };
        assert_eq!(classify(400, 190, Some(460)), K::TokenInvalid);
        assert_eq!(classify(500, 190, None), K::TokenInvalid);
        assert_eq!(classify(400, 80007, None), K::Throttled);
        assert_eq!(classify(400, 80008, None), K::Throttled);
        assert_eq!(classify(400, 80014, None), K::Throttled);
        assert_eq!(classify(400, 133015, None), K::Throttled);
        assert_eq!(classify(503, 2, None), K::Transient);
        assert_eq!(classify(500, 131000, None), K::Transient);
        assert_eq!(classify(500, 131016, None), K::Transient);
        assert_eq!(classify(404, 803, None), K::NotFound);
        assert_eq!(classify(403, 10, None), K::Permission);
        assert_eq!(classify(403, 299, None), K::Permission);
        assert_eq!(classify(400, 100, None), K::Other);
        assert_eq!(classify(400, 100, Some(2388092)), K::Other);
        assert_eq!(classify(429, 999_999, None), K::Throttled);
        assert_eq!(classify(502, 999_999, None), K::Transient);
        assert_eq!(K::classify(Some(429), None, None), K::Throttled);
        assert_eq!(K::classify(None, None, None), K::Other);
        for kind in K::ALL {
            assert_eq!(K::from_str_lossy(kind.as_str()), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }

    #[test]
    fn is_transient_flag_upgrades_an_unclassified_error() {
        let body = br#"{"error":{"message":"x","type":"OAuthException","code":99999,"is_transient":true}}"#;
        let api = parse_error_body(400, body).expect("envelope");
        assert_eq!(api.kind(), GraphErrorKind::Transient);
    }

    #[test]
    fn non_envelopes_are_not_api_errors() {
        let html = fixture("error_500.html");
        assert!(parse_error_body(500, html.as_bytes()).is_none());
        assert!(parse_error_body(500, b"").is_none());
        assert!(parse_error_body(400, br#"{"error":"oops"}"#).is_none());
        assert!(parse_error_body(400, br#"{"error":{"message":"no code"}}"#).is_none());
        // A string code (seen behind proxies) still classifies.
        let api = parse_error_body(401, br#"{"error":{"code":"190","message":"m"}}"#)
            .expect("string code");
        assert_eq!(api.kind(), GraphErrorKind::TokenInvalid);
    }

    #[test]
    fn malformed_and_transport_errors_classify_and_stay_safe() {
        let html = fixture("error_500.html");
        let json_error = serde_json::from_str::<serde_json::Value>(&html).unwrap_err();
        let description = describe_json_error(&json_error);
        assert!(!description.contains("Sorry"), "{description}");
        let error = GraphError::MalformedResponse {
            http_status: 500,
            description,
        };
        assert_eq!(error.kind(), GraphErrorKind::Transient);
        assert_safe(&error);

        let throttled = GraphError::MalformedResponse {
            http_status: 429,
            description: "x".to_owned(),
        };
        assert_eq!(throttled.kind(), GraphErrorKind::Throttled);
        let ok_but_odd = GraphError::MalformedResponse {
            http_status: 200,
            description: "x".to_owned(),
        };
        assert_eq!(ok_but_odd.kind(), GraphErrorKind::Other);

        for error in [
            GraphError::Timeout,
            GraphError::Connect,
            GraphError::Transport,
        ] {
            assert_eq!(error.kind(), GraphErrorKind::Transient);
            assert_safe(&error);
        }
        assert_eq!(
            GraphError::InvalidRequest("x".into()).kind(),
            GraphErrorKind::Other
        );
    }

    #[test]
    fn display_shows_codes_and_a_label_only() {
        assert!(api_error("error_190_463_token_expired.json", 401)
            .user_message()
            .starts_with("Meta refused the access token: it has expired."));
        let error = api_error("error_190_463_token_expired.json", 401);
        assert_eq!(error.token_refusal(), Some(TokenRefusal::Expired));
        assert_eq!(
            token_refusal(GraphErrorKind::TokenInvalid, Some(460)),
            Some(TokenRefusal::PasswordChanged)
        );
        assert_eq!(token_refusal(GraphErrorKind::Permission, Some(463)), None);
        assert_eq!(
            error.to_string(),
            "Graph API error 190/463 (HTTP 401): access token refused"
        );
        assert!(error.user_message().contains("Paste a new access token"));
        let other = api_error("error_100_nonexisting_field.json", 400);
        assert_eq!(
            other.user_message(),
            "Meta rejected the request (error 100)."
        );
    }
}
