//! The REST API's JSON body extractor: every way a body can be wrong is answered as JSON
//! `{"error", "field"}` (axum's own `Json` answers such rejections in plain text).
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// A JSON request body of type `T`; rejections are [`BodyError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

/// Why a request body was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("Send the body as JSON (Content-Type: application/json).")]
    NotJson,
    #[error("The request body is not valid JSON: {0}")]
    Syntax(String),
    #[error("{message}")]
    Data {
        field: Option<String>,
        message: String,
    },
    #[error("The request body is too large.")]
    TooLarge,
    #[error("The request body could not be read.")]
    Unreadable,
}

impl BodyError {
    fn status(&self) -> StatusCode {
        match self {
            BodyError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BodyError::Syntax(_) | BodyError::Unreadable => StatusCode::BAD_REQUEST,
            BodyError::Data { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            BodyError::Data { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.to_string(), "field": self.field()});
        (self.status(), axum::Json(body)).into_response()
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = BodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let typed = req.headers().contains_key(header::CONTENT_TYPE);
        if typed && !is_json(req.headers()) {
            return Err(BodyError::NotJson);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                BodyError::TooLarge
            } else {
                BodyError::Unreadable
            }
        })?;
        match (typed, bytes.is_empty()) {
            // No body at all is a missing field of the request, like any other.
            (false, true) => Err(BodyError::Data {
                field: Some("body".into()),
                message: "The request needs a JSON body.".into(),
            }),
            (false, false) => Err(BodyError::NotJson),
            (true, _) => parse(&bytes).map(ApiJson),
        }
    }
}

/// An optional JSON body: `None` when the request has no body at all, else like [`ApiJson`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionalApiJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalApiJson<T> {
    type Rejection = BodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // As axum's `Option<Json<T>>`: no Content-Type means no body.
        let empty = !req.headers().contains_key(header::CONTENT_TYPE)
            || req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() == b"0");
        if empty {
            return Ok(OptionalApiJson(None));
        }
        ApiJson::from_request(req, state)
            .await
            .map(|ApiJson(v)| OptionalApiJson(Some(v)))
    }
}

/// Rewrites any error the API's handlers did not answer themselves (path and query rejections,
/// 405, ...) as JSON `{"error", "field": null}`, keeping the status.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(resp.headers()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_string());
    let mut out = (status, axum::Json(json!({"error": text, "field": null}))).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// `application/json` or any `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
    else {
        return false;
    };
    mime.type_() == mime::APPLICATION
        && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
}

/// Deserializes, naming the field at fault: the path to a value of the wrong type, or the name
/// of a missing field (serde reports that one only in its message).
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            data_error(&path, &inner)
        } else {
            BodyError::Syntax(inner.to_string())
        }
    })?;
    de.end().map_err(|e| BodyError::Syntax(e.to_string()))?;
    Ok(value)
}

fn data_error(path: &str, e: &serde_json::Error) -> BodyError {
    let text = e.to_string();
    // serde_json appends " at line L column C"; people reading a field error don't need it.
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_string();
    let parent = (path != ".").then_some(path);
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let field = match (parent, missing) {
        (Some(p), Some(m)) => Some(format!("{p}.{m}")),
        (None, Some(m)) => Some(m.to_string()),
        (Some(p), None) => Some(p.to_string()),
        (None, None) => None,
    };
    BodyError::Data { field, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Hook {
        url: String,
        retries: Option<u32>,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        id: i64,
    }

    fn field(body: &str) -> Option<String> {
        match parse::<Hook>(body.as_bytes()).unwrap_err() {
            BodyError::Data { field, .. } => field,
            other => panic!("not a data error: {other:?}"),
        }
    }

    #[test]
    fn data_errors_name_the_field() {
        assert_eq!(field("{}").as_deref(), Some("url"));
        assert_eq!(field(r#"{"url": 5}"#).as_deref(), Some("url"));
        assert_eq!(
            field(r#"{"url": "x", "retries": "many"}"#).as_deref(),
            Some("retries")
        );
        assert_eq!(
            field(r#"{"url": "x", "inner": {}}"#).as_deref(),
            Some("inner.id")
        );
        assert_eq!(field("[]"), None);
    }

    #[test]
    fn bad_json_is_a_syntax_error_not_a_data_error() {
        assert!(matches!(
            parse::<Hook>(b"{\"url\":"),
            Err(BodyError::Syntax(_))
        ));
        assert!(matches!(
            parse::<Hook>(br#"{"url": "x"} x"#),
            Err(BodyError::Syntax(_))
        ));
        assert!(parse::<Hook>(br#"{"url": "x"}"#).is_ok());
    }
}
