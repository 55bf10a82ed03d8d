//! Meta's paths: `/{version}/{phone-number-id}[/register|/deregister|/request_code|/verify_code]`,
//! `/{version}/{waba-id}[/phone_numbers|/subscribed_apps]`, `/{version}/app` (the token's app) and
//! `/{version}/oauth/access_token`.
//!
//! One fallback handler parses the path itself, so unknown paths, objects and methods get Meta's
//! error bodies instead of axum's.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{json, Value};

use std::collections::VecDeque;

use super::errors::{self, ErrorBuilder, GraphError};
use super::faults::LostAnswer;
use super::nodes::{self, Ordered, PHONE_NODE, WABA_NODE};
use super::params::GraphRequest;
use super::scenarios::{preset, Scenario, APP_ID, APP_NAME, APP_SECRET};
use super::state::SimState;
use super::{RecordedCall, Simulator};

/// The version assumed for calls without a `/vXX.X` prefix (Meta uses its oldest usable one).
const UNVERSIONED: (u32, u32) = (21, 0);

/// What to answer.
struct Outcome {
    status: u16,
    body: String,
    delay: Option<Duration>,
    /// Extra response headers (rate-limit usage, `Retry-After`).
    headers: Vec<(&'static str, String)>,
}

impl From<GraphError> for Outcome {
    fn from(e: GraphError) -> Self {
        Outcome {
            status: e.status,
            body: e.body.to_string(),
            delay: None,
            headers: Vec::new(),
        }
    }
}

fn ok_json<T: serde::Serialize>(value: &T) -> Outcome {
    Outcome {
        status: 200,
        body: serde_json::to_string(value).expect("JSON values serialize"),
        delay: None,
        headers: Vec::new(),
    }
}

fn ok(result: Result<Value, GraphError>) -> Outcome {
    match result {
        Ok(v) => ok_json(&v),
        Err(e) => e.into(),
    }
}

/// `v24.0` → (24, 0).
fn parse_version(seg: &str) -> Option<(u32, u32)> {
    let rest = seg.strip_prefix('v')?;
    let (major, minor) = rest.split_once('.').unwrap_or((rest, "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

pub(crate) async fn graph(
    State(sim): State<Simulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = GraphRequest::parse(&method, &uri, &headers, &body);
    // A held call waits here, before Meta applies it or records it.
    let gate = {
        let mut st = sim.lock();
        st.gates.retain(|g| !g.is_open());
        st.gates
            .iter()
            .find(|g| g.matches(req.method.as_str(), &req.path))
            .cloned()
    };
    if let Some(gate) = gate {
        gate.pass().await;
    }
    let (outcome, version) = {
        let mut st = sim.lock();
        let version = req
            .segments
            .first()
            .filter(|s| parse_version(s).is_some())
            .cloned();
        let outcome = dispatch(&mut st, &req);
        let call = RecordedCall {
            method: req.method.to_string(),
            path: req.path.clone(),
            query: req.redacted_query(),
            token_in_query: req.token_in_query,
            token_in_body: req.token_in_body,
            had_bearer: req.had_bearer,
            body: req.redacted_body(),
            at: st.now(),
            status: outcome.status,
        };
        st.calls.push(call);
        (outcome, version)
    };
    if let Some(delay) = outcome.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = (
        StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        outcome.body.clone(),
    )
        .into_response();
    let h = response.headers_mut();
    for (name, value) in &outcome.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(*name, v);
        }
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    let version = version.unwrap_or_else(|| format!("v{}.{}", UNVERSIONED.0, UNVERSIONED.1));
    if let Ok(v) = HeaderValue::from_str(&version) {
        h.insert("facebook-api-version", v);
    }
    if let Ok(v) = HeaderValue::from_str(&errors::fbtrace_id()) {
        h.insert("x-fb-trace-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&errors::fbtrace_id()) {
        h.insert("x-fb-request-id", v);
    }
    if outcome.status == 401 {
        let message = serde_json::from_str::<Value>(&outcome.body)
            .ok()
            .and_then(|b| b["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_default()
            .replace('"', "'");
        let value = format!("OAuth \"Facebook Platform\" \"invalid_token\" \"{message}\"");
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}

enum Object {
    Phone(String),
    Waba(String),
}

fn dispatch(st: &mut SimState, req: &GraphRequest) -> Outcome {
    let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let (version, rest) = match segs.first().and_then(|s| parse_version(s)) {
        Some(v) => (v, &segs[1..]),
        None => (UNVERSIONED, &segs[..]),
    };
    let Some((&id, edge)) = rest.split_first() else {
        return errors::unknown_path("/").into();
    };
    if id == "oauth" {
        return match (edge, &req.method) {
            (["access_token"], &Method::GET | &Method::POST) => oauth_access_token(st, req),
            _ => errors::unknown_path(&format!("/{}", edge.join("/"))).into(),
        };
    }

    // Authentication.
    let Some(token) = req.token.as_deref() else {
        return errors::missing_token().into();
    };
    let Some(token_state) = st.tokens.get(token) else {
        return errors::invalid_token().into();
    };
    let now = st.now();
    if let Some(expired_at) = token_state.expires_at.filter(|at| *at <= now) {
        return errors::expired_token(expired_at, now).into();
    }

    if id == "app" {
        return match (edge, &req.method) {
            ([], &Method::GET) => token_app(req),
            ([], _) => errors::unsupported_request(req.method.as_str(), id).into(),
            _ => errors::unknown_path(&format!("/{}", edge.join("/"))).into(),
        };
    }

    // The object, then whether this token may touch it.
    let object = if st.numbers.contains_key(id) {
        Object::Phone(id.to_string())
    } else if st.wabas.contains_key(id) {
        Object::Waba(id.to_string())
    } else {
        return errors::unsupported_request(req.method.as_str(), id).into();
    };
    let waba_of_object = match &object {
        Object::Phone(pn) => st.numbers[pn].waba_id.clone(),
        Object::Waba(w) => w.clone(),
    };
    if !st.token_owns(token, &waba_of_object) {
        return errors::permission_denied().into();
    }

    let slow = match &object {
        Object::Phone(pn) => st.numbers[pn].slow,
        Object::Waba(_) => false,
    };

    // Meta's business-use-case limit (register and deregister have their own budget).
    let mut usage_headers = Vec::new();
    if !matches!(edge, ["register" | "deregister"]) {
        let verdict = st.usage.check(&waba_of_object, now);
        usage_headers.push(("x-business-use-case-usage", verdict.header));
        if let Some(refusal) = verdict.refusal {
            let mut outcome = Outcome::from(refusal);
            if outcome.status == 429 {
                if let Some(secs) = verdict.retry_after_secs {
                    usage_headers.push(("retry-after", secs.to_string()));
                }
            }
            outcome.headers = usage_headers;
            return outcome;
        }
    }

    let mut outcome = answer(st, req, version, &object, id, edge);
    if slow {
        outcome.delay = Some(st.slow_delay);
    }
    // Applied above; now the answer is lost on the way back.
    if req.method == Method::POST {
        if let Some(lost) = st.lost_answers.get_mut(id).and_then(VecDeque::pop_front) {
            outcome = match lost {
                LostAnswer::ServerError(status) => errors::service_unavailable(status).into(),
                LostAnswer::Timeout => Outcome {
                    delay: Some(st.slow_delay),
                    ..outcome
                },
            };
        }
    }
    outcome.headers.extend(usage_headers);
    outcome
}

/// Faults, flakiness, then the operation itself.
fn answer(
    st: &mut SimState,
    req: &GraphRequest,
    version: (u32, u32),
    object: &Object,
    id: &str,
    edge: &[&str],
) -> Outcome {
    if let Some((status, body)) = st.faults.get_mut(id).and_then(|q| q.pop_front()) {
        if body.is_null() {
            return errors::service_unavailable(status).into();
        }
        return Outcome {
            status,
            body: body.to_string(),
            delay: None,
            headers: Vec::new(),
        };
    }
    if let Object::Phone(pn) = object {
        let n = st.numbers.get_mut(pn).expect("resolved above");
        if n.flaky_remaining > 0 {
            n.flaky_remaining -= 1;
            let status = if n.flaky_remaining == 1 { 500 } else { 503 };
            return errors::service_unavailable(status).into();
        }
    }

    let method = &req.method;
    match (object, edge) {
        (Object::Phone(pn), []) if method == Method::GET => read_phone(st, req, version, pn),
        (Object::Phone(pn), []) if method == Method::POST => ok(st.update_number(pn, &req.params)),
        (Object::Phone(pn), ["register"]) if method == Method::POST => {
            ok(st.register(pn, &req.params))
        }
        (Object::Phone(pn), ["deregister"]) if method == Method::POST => ok(st.deregister(pn)),
        (Object::Phone(pn), ["request_code"]) if method == Method::POST => {
            ok(st.request_code(pn, &req.params))
        }
        (Object::Phone(pn), ["verify_code"]) if method == Method::POST => {
            ok(st.verify_code(pn, &req.params))
        }
        (Object::Waba(w), []) if method == Method::GET => read_waba(st, req, version, w),
        (Object::Waba(w), ["phone_numbers"]) if method == Method::GET => {
            list_phone_numbers(st, req, version, w)
        }
        (Object::Waba(w), ["subscribed_apps"]) => subscribed_apps(st, req, w),
        (Object::Phone(_), [] | ["register" | "deregister" | "request_code" | "verify_code"])
        | (Object::Waba(_), [] | ["phone_numbers"]) => {
            errors::unsupported_request(method.as_str(), id).into()
        }
        (_, edge) => errors::unknown_path(&format!("/{}", edge.join("/"))).into(),
    }
}

fn requested_fields(
    req: &GraphRequest,
    default: &[&str],
    node_type: &str,
    version: (u32, u32),
) -> Result<Vec<String>, GraphError> {
    let fields = match req.param("fields") {
        Some(raw) => nodes::parse_fields(&raw),
        None => default.iter().map(|f| f.to_string()).collect(),
    };
    nodes::check_fields(&fields, node_type, version)?;
    Ok(fields)
}

fn read_phone(st: &SimState, req: &GraphRequest, version: (u32, u32), pn: &str) -> Outcome {
    let fields = match requested_fields(req, nodes::PHONE_DEFAULT, PHONE_NODE, version) {
        Ok(f) => f,
        Err(e) => return e.into(),
    };
    let n = &st.numbers[pn];
    let waba = &st.wabas[&n.waba_id];
    let app_callback = st.webhook.as_ref().map(|w| w.url.as_str());
    ok_json(&nodes::render_phone(n, waba, app_callback, &fields))
}

fn read_waba(st: &SimState, req: &GraphRequest, version: (u32, u32), w: &str) -> Outcome {
    match requested_fields(req, nodes::WABA_DEFAULT, WABA_NODE, version) {
        Ok(fields) => ok_json(&nodes::render_waba(&st.wabas[w], &fields)),
        Err(e) => e.into(),
    }
}

fn encode_cursor(index: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("sim-cursor:{index}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("sim-cursor:")?
        .parse()
        .ok()
}

fn list_phone_numbers(st: &SimState, req: &GraphRequest, version: (u32, u32), w: &str) -> Outcome {
    let fields = match requested_fields(req, nodes::PHONE_LIST_DEFAULT, PHONE_NODE, version) {
        Ok(f) => f,
        Err(e) => return e.into(),
    };
    let ascending = req
        .param("sort")
        .is_some_and(|s| s.contains("ascending") || s.contains(".asc"));
    let mut numbers: Vec<_> = st.numbers_of_waba(w).collect();
    // By last_onboarded_time, newest first (never-onboarded numbers count as oldest).
    numbers.sort_by(|a, b| {
        a.last_onboarded_time
            .cmp(&b.last_onboarded_time)
            .then_with(|| a.id.cmp(&b.id))
    });
    if !ascending {
        numbers.reverse();
    }
    let limit = req
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let bad_cursor = || errors::invalid_parameter("(#100) The cursor is invalid").into();
    let (start, end) = if let Some(after) = req.param("after") {
        let Some(i) = decode_cursor(&after) else {
            return bad_cursor();
        };
        let start = (i + 1).min(numbers.len());
        (start, (start + limit).min(numbers.len()))
    } else if let Some(before) = req.param("before") {
        let Some(i) = decode_cursor(&before) else {
            return bad_cursor();
        };
        let end = i.min(numbers.len());
        (end.saturating_sub(limit), end)
    } else {
        (0, limit.min(numbers.len()))
    };
    let app_callback = st.webhook.as_ref().map(|t| t.url.as_str());
    let data: Vec<Ordered> = numbers[start..end]
        .iter()
        .map(|n| nodes::render_phone(n, &st.wabas[&n.waba_id], app_callback, &fields))
        .collect();
    let paging = (start < end).then(|| {
        let mut paging = serde_json::Map::new();
        paging.insert(
            "cursors".into(),
            json!({"before": encode_cursor(start), "after": encode_cursor(end - 1)}),
        );
        let link = |key: &str, cursor: String| {
            let mut query: Vec<(String, String)> = req
                .query
                .iter()
                .filter(|(k, _)| k != "after" && k != "before")
                .cloned()
                .collect();
            query.push((key.to_string(), cursor));
            let qs = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            let host = req.host.as_deref().unwrap_or("graph.facebook.com");
            format!("http://{host}{}?{qs}", req.path)
        };
        if end < numbers.len() {
            paging.insert("next".into(), json!(link("after", encode_cursor(end - 1))));
        }
        if start > 0 {
            paging.insert(
                "previous".into(),
                json!(link("before", encode_cursor(start))),
            );
        }
        Value::Object(paging)
    });
    // Serialize `data` from `Ordered` directly so each entry keeps Meta's key order.
    let data = serde_json::to_string(&data).expect("serializable");
    let body = match paging {
        Some(p) => format!("{{\"data\":{data},\"paging\":{p}}}"),
        None => format!("{{\"data\":{data}}}"),
    };
    Outcome {
        status: 200,
        body,
        delay: None,
        headers: Vec::new(),
    }
}

fn subscribed_apps(st: &mut SimState, req: &GraphRequest, w: &str) -> Outcome {
    match req.method {
        Method::GET => {
            let waba = &st.wabas[w];
            let data: Vec<Value> = if waba.subscribed {
                let mut app = json!({"whatsapp_business_api_data": {
                    "id": APP_ID,
                    "link": format!("https://www.facebook.com/games/?app_id={APP_ID}"),
                    "name": APP_NAME,
                }});
                if let Some(uri) = &waba.override_callback_uri {
                    app["override_callback_uri"] = json!(uri);
                }
                vec![app]
            } else {
                Vec::new()
            };
            ok_json(&json!({ "data": data }))
        }
        Method::POST => ok(st.subscribe(w, &req.params)),
        Method::DELETE => {
            let waba = st.wabas.get_mut(w).expect("resolved");
            waba.subscribed = false;
            waba.override_callback_uri = None;
            ok_json(&json!({"success": true}))
        }
        _ => errors::unsupported_request(req.method.as_str(), w).into(),
    }
}

/// `GET /{v}/app`: the app the token belongs to. Every simulated token is the simulator's app;
/// Meta's default fields are `link`, `name`, `id` (in that order), `fields` narrows them.
fn token_app(req: &GraphRequest) -> Outcome {
    let fields = req
        .param("fields")
        .map(|raw| nodes::parse_fields(&raw))
        .unwrap_or_else(|| vec!["link".into(), "name".into(), "id".into()]);
    let mut app = serde_json::Map::new();
    for field in fields {
        let value = match field.as_str() {
            "id" => json!(APP_ID),
            "name" => json!(APP_NAME),
            "link" => json!(format!("https://www.facebook.com/games/?app_id={APP_ID}")),
            other => {
                return errors::invalid_parameter(&format!(
                    "(#100) Tried accessing nonexisting field ({other}) on node type (Application)"
                ))
                .into()
            }
        };
        app.insert(field, value);
    }
    ok_json(&Value::Object(app))
}

/// `GET /{v}/oauth/access_token?client_id&client_secret&code`: embedded-signup code exchange.
fn oauth_access_token(st: &mut SimState, req: &GraphRequest) -> Outcome {
    let Some(client_id) = req.param("client_id") else {
        return ErrorBuilder::new(400, "Missing client_id parameter.", "OAuthException", 101)
            .build()
            .into();
    };
    if client_id != APP_ID {
        return ErrorBuilder::new(
            400,
            "Error validating application. Invalid application ID.",
            "OAuthException",
            101,
        )
        .build()
        .into();
    }
    if req.param("client_secret").as_deref() != Some(APP_SECRET) {
        return ErrorBuilder::new(400, "Error validating client secret.", "OAuthException", 1)
            .build()
            .into();
    }
    let Some(code) = req.param("code") else {
        return errors::invalid_parameter("(#100) The parameter code is required").into();
    };
    let fixed = code
        .strip_prefix("sim-signup-")
        .and_then(|s| s.parse::<Scenario>().ok())
        .and_then(|sc| st.numbers.get(&preset(sc).phone_number_id))
        .map(|n| n.token.clone());
    let now = st.now();
    let token = match (fixed, st.signup_codes.get_mut(&code)) {
        (Some(token), _) => token,
        (None, Some(c)) if c.used => {
            return ErrorBuilder::new(
                400,
                "This authorization code has been used.",
                "OAuthException",
                100,
            )
            .subcode(36009)
            .build()
            .into()
        }
        (None, Some(c)) if c.expires_at <= now => {
            return ErrorBuilder::new(
                400,
                "This authorization code has expired.",
                "OAuthException",
                100,
            )
            .subcode(36007)
            .build()
            .into()
        }
        (None, Some(c)) => {
            c.used = true;
            c.token.clone()
        }
        (None, None) => {
            return ErrorBuilder::new(
                400,
                "Invalid verification code format.",
                "OAuthException",
                100,
            )
            .subcode(36007)
            .build()
            .into()
        }
    };
    ok_json(&json!({"access_token": token, "token_type": "bearer"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_cursors() {
        assert_eq!(parse_version("v24.0"), Some((24, 0)));
        assert_eq!(parse_version("v9"), Some((9, 0)));
        assert_eq!(parse_version("1065"), None);
        assert_eq!(parse_version("vx.1"), None);
        for i in [0, 7, 123] {
            assert_eq!(decode_cursor(&encode_cursor(i)), Some(i));
        }
        assert_eq!(decode_cursor("garbage"), None);
    }
}
