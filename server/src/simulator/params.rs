//! How Graph reads a request: parameters from the query string, a JSON body, a form body or a
//! multipart body (all accepted, as Meta does), and the access token from the `Authorization`
//! header, the `access_token` query parameter or the body.

use axum::http::{header, HeaderMap, Method, Uri};
use serde_json::{Map, Value};

#[derive(Clone, Debug)]
pub(crate) struct GraphRequest {
    pub method: Method,
    pub path: String,
    pub segments: Vec<String>,
    /// Query pairs as sent (the secret values included; redact before logging).
    pub query: Vec<(String, String)>,
    /// The body as parsed (JSON as is, forms as an object of strings, `null` when empty).
    pub body: Value,
    /// Query and body parameters merged (the body wins).
    pub params: Map<String, Value>,
    pub token: Option<String>,
    pub had_bearer: bool,
    pub token_in_query: bool,
    pub token_in_body: bool,
    pub host: Option<String>,
}

impl GraphRequest {
    pub fn parse(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> GraphRequest {
        let path = uri.path().to_string();
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let query: Vec<(String, String)> = uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let body = parse_body(content_type, body);

        let mut params = Map::new();
        for (k, v) in &query {
            params.insert(k.clone(), Value::String(v.clone()));
        }
        if let Value::Object(fields) = &body {
            for (k, v) in fields {
                params.insert(k.clone(), v.clone());
            }
        }

        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
                    .then(|| token.trim().to_string())
            })
            .filter(|t| !t.is_empty());
        let query_token = query
            .iter()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.clone());
        let body_token = body
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        // The header wins over the query, the query over the body.
        let token = bearer
            .clone()
            .or_else(|| query_token.clone())
            .or_else(|| body_token.clone());
        GraphRequest {
            method: method.clone(),
            path,
            segments,
            had_bearer: bearer.is_some(),
            token_in_query: query_token.is_some(),
            token_in_body: body_token.is_some(),
            query,
            body,
            params,
            token,
            host: headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }

    pub fn param(&self, key: &str) -> Option<String> {
        super::state::param_str(&self.params, key)
    }

    /// The query with secrets blanked, for the call log.
    pub fn redacted_query(&self) -> Vec<(String, String)> {
        self.query
            .iter()
            .map(|(k, v)| {
                let secret = matches!(k.as_str(), "access_token" | "client_secret");
                (
                    k.clone(),
                    if secret {
                        "[redacted]".into()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }

    /// The body with secrets blanked, for the call log.
    pub fn redacted_body(&self) -> Value {
        let mut body = self.body.clone();
        if let Value::Object(fields) = &mut body {
            for key in ["access_token", "client_secret"] {
                if let Some(v) = fields.get_mut(key) {
                    *v = Value::String("[redacted]".into());
                }
            }
        }
        body
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// `content_type` as sent: the media type is matched case-insensitively, the multipart
/// boundary is case-sensitive.
fn parse_body(content_type: &str, body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    let raw_type = content_type;
    let content_type = content_type.to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        if let Some(boundary) = raw_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()
        {
            return parse_multipart(body, boundary.trim_matches('"'));
        }
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form(body);
    }
    // JSON by content type, or by sniffing when the client sent none.
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => v,
        Err(_) if content_type.contains("json") => Value::String("<invalid json>".into()),
        Err(_) => form(body),
    }
}

fn form(body: &[u8]) -> Value {
    Value::Object(
        url::form_urlencoded::parse(body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// Enough of multipart/form-data for `curl -F key=value`.
fn parse_multipart(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut fields = Map::new();
    for part in text.split(delimiter.as_str()) {
        let part = part.trim_start_matches("\r\n");
        if part.starts_with("--") || part.trim().is_empty() {
            continue;
        }
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("name="))
            .next()
            .map(|n| n.trim_matches('"').to_string());
        if let Some(name) = name {
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            fields.insert(name, Value::String(value.to_string()));
        }
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn req(uri: &str, ct: Option<&str>, auth: Option<&str>, body: &str) -> GraphRequest {
        let mut h = HeaderMap::new();
        if let Some(ct) = ct {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        if let Some(a) = auth {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(a).unwrap());
        }
        GraphRequest::parse(&Method::POST, &uri.parse().unwrap(), &h, body.as_bytes())
    }

    #[test]
    fn reads_json_form_multipart_and_query() {
        let r = req(
            "/v24.0/1/register",
            Some("application/json"),
            Some("Bearer T"),
            r#"{"messaging_product":"whatsapp","pin":"123456"}"#,
        );
        assert_eq!(r.param("pin").as_deref(), Some("123456"));
        assert!(r.had_bearer && !r.token_in_query);
        assert_eq!(r.segments, vec!["v24.0", "1", "register"]);

        let r = req(
            "/v24.0/1/register?access_token=Q",
            Some("application/x-www-form-urlencoded"),
            None,
            "messaging_product=whatsapp&pin=654321",
        );
        assert_eq!(r.param("pin").as_deref(), Some("654321"));
        assert_eq!(r.token.as_deref(), Some("Q"));
        assert!(r.token_in_query && !r.had_bearer);
        assert_eq!(r.redacted_query()[0].1, "[redacted]");

        let mp = "--XyZ\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n111222\r\n--XyZ\r\n\
                  Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--XyZ--\r\n";
        let r = req(
            "/v24.0/1/register",
            Some("multipart/form-data; boundary=XyZ"),
            None,
            mp,
        );
        assert_eq!(r.param("pin").as_deref(), Some("111222"));
        assert_eq!(r.param("messaging_product").as_deref(), Some("whatsapp"));

        let r = req(
            "/v24.0/1/register?messaging_product=whatsapp&pin=000111",
            None,
            None,
            "",
        );
        assert_eq!(r.param("pin").as_deref(), Some("000111"));
        assert_eq!(r.body, Value::Null);
    }
}
