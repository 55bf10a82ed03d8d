//! The test control API under `/__sim/` (not Meta's): the same operations as the Rust API, as
//! JSON over HTTP for Playwright and the demo.
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/__sim/numbers` | | every number with its simulated state |
//! | GET | `/__sim/numbers/{id}` | | one number |
//! | POST | `/__sim/numbers/{id}/approve_name` | | the number |
//! | POST | `/__sim/numbers/{id}/decline_name` | `{"reason"?}` | the number |
//! | POST | `/__sim/numbers/{id}/quality` | `{"rating":"RED"}` | the number |
//! | POST | `/__sim/numbers/{id}/entity_health` | `{"entity_type":"WABA","health":{"can_send_message":"BLOCKED",...}}` (`null` clears) | the number |
//! | POST | `/__sim/numbers/{id}/fail_next` | `{"status":500,"body"?:{...}}` | `{"queued":true}` |
//! | POST | `/__sim/numbers/{id}/signup_code` | | `{"code":"AQ..."}` |
//! | POST | `/__sim/numbers/{id}/lose_next` | `{"server_error":502}` or `"timeout"` | `{"queued":true}` |
//! | POST | `/__sim/numbers/{id}/refuse_register` | `{"refusal":"pin_mismatch"}` (`null` clears) | the number |
//! | POST | `/__sim/businesses/{id}/messaging_limit` | `{"tier":"TIER_10K"}` | `{"business_id","tier"}`; every number of the portfolio reports the tier and each of its WABAs gets `business_capability_update` |
//! | GET / POST | `/__sim/throttle` | `{"calls_per_hour":n,"answer":"waba80007"}` or `null` | the throttle |
//! | POST | `/__sim/webhooks/options` | `{"duplicate":bool,"hold":bool}` | the options |
//! | POST | `/__sim/webhooks/release` | `{"order":"as_emitted"}` or `{"order":"reversed"}` | `{"sent":n}` |
//! | GET / DELETE | `/__sim/calls` | | the call log / clears it (also `POST /__sim/calls/clear`) |
//! | GET | `/__sim/clock` | | `{"now":...}` |
//! | POST | `/__sim/clock/advance` | `{"seconds":n}` or `{"by":"72h"}` | `{"now":...}` |
//! | GET / PUT / POST / DELETE | `/__sim/webhook_target` | `{"url","app_secret"}` | |
//! | GET | `/__sim/webhooks` | | delivery attempts |
//! | POST | `/__sim/webhooks/emit` | `{"waba_id" or "phone_number_id","field","value"}` | `{"sent":bool}` |
//! | GET / POST | `/__sim/settings` | `{"slow_delay_ms"?,"provisioning_delay_ms"?}` | the settings |
//! | POST | `/__sim/reset` | | `{"reset":true}` |

use std::time::Duration as StdDuration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::nodes::graph_time;
use super::state::{NumberState, SimState};
use super::{LostAnswer, RegisterRefusal, ReleaseOrder, Simulator, Throttle, WebhookOptions};

pub(crate) fn router() -> Router<Simulator> {
    Router::new()
        .route("/numbers", get(list_numbers))
        .route("/numbers/{id}", get(get_number))
        .route("/numbers/{id}/approve_name", post(approve_name))
        .route("/numbers/{id}/decline_name", post(decline_name))
        .route("/numbers/{id}/quality", post(set_quality))
        .route("/numbers/{id}/entity_health", post(set_entity_health))
        .route("/numbers/{id}/fail_next", post(fail_next))
        .route("/numbers/{id}/signup_code", post(signup_code))
        .route("/numbers/{id}/lose_next", post(lose_next))
        .route("/numbers/{id}/refuse_register", post(refuse_register))
        .route(
            "/businesses/{id}/messaging_limit",
            post(set_portfolio_limit),
        )
        .route("/throttle", get(throttle).post(set_throttle))
        .route("/webhooks/options", post(webhook_options))
        .route("/webhooks/release", post(release_webhooks))
        .route("/calls", get(calls).delete(clear_calls))
        .route("/calls/clear", post(clear_calls))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route(
            "/webhook_target",
            get(get_webhook_target)
                .put(set_webhook_target)
                .post(set_webhook_target)
                .delete(clear_webhook_target),
        )
        .route("/webhooks", get(deliveries))
        .route("/webhooks/emit", post(emit))
        .route("/settings", get(settings).post(update_settings))
        .route("/reset", post(reset))
}

/// What the control API shows about a number: identity plus its simulated state.
pub(crate) fn number_view(st: &SimState, n: &NumberState) -> Value {
    let now = st.now();
    let sim_number = st.sim_number(n);
    json!({
        "id": n.id,
        "waba_id": n.waba_id,
        "business_id": sim_number.business_id,
        "token": n.token,
        "display_phone_number": n.display_phone_number,
        "verified_name": n.verified_name,
        "scenario": n.scenario,
        "label": n.scenario.label(),
        "state": {
            "name_status": n.name_status,
            "new_display_name": n.new_display_name,
            "new_name_status": n.new_name_status,
            "code_verification_status": n.code_verification_status,
            "quality_rating": n.quality_rating,
            "status": n.status,
            "platform_type": n.platform_type,
            "throughput": n.throughput,
            "messaging_limit": n.messaging_limit,
            "pin_set": n.pin.is_some(),
            "registered": n.is_registered(),
            "register_attempts_in_window": n.attempts_in_window(now),
            "provisioning_completes_at": n.provision_at.map(graph_time),
            "pending_verification_code": n.pending_verification_code,
            "webhook_override": n.webhook_override,
            "slow": n.slow,
            "flaky_failures_left": n.flaky_remaining,
        },
    })
}

fn not_found(id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": format!("unknown phone number id {id}")})),
    )
        .into_response()
}

fn bad_request(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response()
}

fn view(sim: &Simulator, id: &str) -> Response {
    match sim.number_state(id) {
        Some(v) => Json(v).into_response(),
        None => not_found(id),
    }
}

fn exists(sim: &Simulator, id: &str) -> bool {
    sim.lock().numbers.contains_key(id)
}

async fn list_numbers(State(sim): State<Simulator>) -> Json<Value> {
    let st = sim.lock();
    let mut numbers: Vec<&NumberState> = st.numbers.values().collect();
    numbers.sort_by_key(|n| n.scenario);
    Json(Value::Array(
        numbers.into_iter().map(|n| number_view(&st, n)).collect(),
    ))
}

async fn get_number(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    view(&sim, &id)
}

async fn approve_name(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    sim.approve_name(&id);
    view(&sim, &id)
}

#[derive(Deserialize, Default)]
struct DeclineBody {
    reason: Option<String>,
}

async fn decline_name(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Option<Json<DeclineBody>>,
) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    let reason = body
        .and_then(|Json(b)| b.reason)
        .unwrap_or_else(|| "NAME_FORMAT_UNACCEPTABLE".into());
    sim.decline_name(&id, &reason);
    view(&sim, &id)
}

#[derive(Deserialize)]
struct QualityBody {
    rating: String,
}

async fn set_quality(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(body): Json<QualityBody>,
) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    sim.set_quality(&id, &body.rating);
    view(&sim, &id)
}

#[derive(Deserialize)]
struct PortfolioLimitBody {
    /// `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`.
    tier: String,
}

/// Moves a business portfolio's shared messaging limit (every number of it, and a
/// `business_capability_update` webhook per WABA): see [`Simulator::set_portfolio_limit`].
async fn set_portfolio_limit(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(body): Json<PortfolioLimitBody>,
) -> Response {
    if !sim.has_business(&id) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("unknown business id {id}")})),
        )
            .into_response();
    }
    sim.set_portfolio_limit(&id, &body.tier);
    Json(json!({"business_id": id, "tier": body.tier})).into_response()
}

#[derive(Deserialize)]
struct EntityHealthBody {
    entity_type: String,
    #[serde(default)]
    health: Option<Value>,
}

async fn set_entity_health(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(body): Json<EntityHealthBody>,
) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    if body.health.as_ref().is_some_and(|h| !h.is_object()) {
        return bad_request("health must be an object or null");
    }
    sim.set_entity_health(&id, &body.entity_type, body.health);
    view(&sim, &id)
}

#[derive(Deserialize)]
struct FaultBody {
    status: u16,
    #[serde(default)]
    body: Value,
}

async fn fail_next(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(body): Json<FaultBody>,
) -> Response {
    let known = {
        let st = sim.lock();
        st.numbers.contains_key(&id) || st.wabas.contains_key(&id)
    };
    if !known {
        return not_found(&id);
    }
    if !(100..=599).contains(&body.status) {
        return bad_request("status must be an HTTP status code");
    }
    sim.fail_next(&id, body.status, body.body);
    Json(json!({"queued": true})).into_response()
}

async fn signup_code(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    Json(json!({"code": sim.issue_signup_code(&id)})).into_response()
}

async fn calls(State(sim): State<Simulator>) -> Json<Value> {
    Json(serde_json::to_value(sim.calls()).unwrap_or_default())
}

async fn clear_calls(State(sim): State<Simulator>) -> Json<Value> {
    sim.clear_calls();
    Json(json!({"cleared": true}))
}

fn now_json(sim: &Simulator) -> Json<Value> {
    let now = sim.now();
    Json(json!({"now": now.to_rfc3339(), "unix": now.timestamp()}))
}

async fn clock(State(sim): State<Simulator>) -> Json<Value> {
    now_json(&sim)
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: Option<i64>,
    /// A humantime duration such as `72h` or `1h 30m`.
    by: Option<String>,
}

async fn advance_clock(State(sim): State<Simulator>, Json(body): Json<AdvanceBody>) -> Response {
    let by = match (body.seconds, body.by) {
        (Some(s), _) if s >= 0 => chrono::Duration::seconds(s),
        (None, Some(text)) => match humantime::parse_duration(&text)
            .ok()
            .and_then(|d| chrono::Duration::from_std(d).ok())
        {
            Some(d) => d,
            None => return bad_request("`by` must be a duration such as 72h"),
        },
        _ => return bad_request("give `seconds` (>= 0) or `by` (e.g. \"72h\")"),
    };
    sim.advance_clock(by);
    now_json(&sim).into_response()
}

fn target_json(sim: &Simulator) -> Json<Value> {
    let st = sim.lock();
    Json(json!({"url": st.webhook.as_ref().map(|t| t.url.clone())}))
}

async fn get_webhook_target(State(sim): State<Simulator>) -> Json<Value> {
    target_json(&sim)
}

#[derive(Deserialize)]
struct TargetBody {
    url: String,
    app_secret: String,
}

async fn set_webhook_target(
    State(sim): State<Simulator>,
    Json(body): Json<TargetBody>,
) -> Response {
    if reqwest::Url::parse(&body.url).is_err() {
        return bad_request("url must be an absolute URL");
    }
    sim.set_webhook_target(body.url, body.app_secret);
    target_json(&sim).into_response()
}

async fn clear_webhook_target(State(sim): State<Simulator>) -> Json<Value> {
    sim.clear_webhook_target();
    target_json(&sim)
}

async fn deliveries(State(sim): State<Simulator>) -> Json<Value> {
    Json(serde_json::to_value(sim.webhook_deliveries()).unwrap_or_default())
}

#[derive(Deserialize)]
struct EmitBody {
    waba_id: Option<String>,
    phone_number_id: Option<String>,
    field: String,
    value: Value,
}

async fn emit(State(sim): State<Simulator>, Json(body): Json<EmitBody>) -> Response {
    let (waba_id, has_target) = {
        let st = sim.lock();
        let waba = match (&body.waba_id, &body.phone_number_id) {
            (Some(w), _) if st.wabas.contains_key(w) => Some(w.clone()),
            (None, Some(p)) => st.numbers.get(p).map(|n| n.waba_id.clone()),
            _ => None,
        };
        (waba, st.webhook.is_some())
    };
    let Some(waba_id) = waba_id else {
        return bad_request("give a known `waba_id` or `phone_number_id`");
    };
    sim.emit_webhook(&waba_id, &body.field, body.value);
    Json(json!({"sent": has_target, "waba_id": waba_id})).into_response()
}

fn settings_json(sim: &Simulator) -> Json<Value> {
    let st = sim.lock();
    Json(json!({
        "slow_delay_ms": st.slow_delay.as_millis() as u64,
        "provisioning_delay_ms": st.provisioning_delay.as_millis() as u64,
    }))
}

async fn settings(State(sim): State<Simulator>) -> Json<Value> {
    settings_json(&sim)
}

#[derive(Deserialize)]
struct SettingsBody {
    slow_delay_ms: Option<u64>,
    provisioning_delay_ms: Option<u64>,
}

async fn update_settings(
    State(sim): State<Simulator>,
    Json(body): Json<SettingsBody>,
) -> Json<Value> {
    if let Some(ms) = body.slow_delay_ms {
        sim.set_slow_delay(StdDuration::from_millis(ms));
    }
    if let Some(ms) = body.provisioning_delay_ms {
        sim.set_provisioning_delay(StdDuration::from_millis(ms));
    }
    settings_json(&sim)
}

async fn reset(State(sim): State<Simulator>) -> Json<Value> {
    sim.reset();
    Json(json!({"reset": true}))
}

async fn lose_next(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(lost): Json<LostAnswer>,
) -> Response {
    let known = {
        let st = sim.lock();
        st.numbers.contains_key(&id) || st.wabas.contains_key(&id)
    };
    if !known {
        return not_found(&id);
    }
    sim.lose_next_answer(&id, lost);
    Json(json!({"queued": true})).into_response()
}

#[derive(Deserialize)]
struct RefusalBody {
    refusal: Option<RegisterRefusal>,
}

async fn refuse_register(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Json(body): Json<RefusalBody>,
) -> Response {
    if !exists(&sim, &id) {
        return not_found(&id);
    }
    sim.refuse_register(&id, body.refusal);
    view(&sim, &id)
}

async fn throttle(State(sim): State<Simulator>) -> Json<Value> {
    Json(json!(sim.lock().usage.throttle))
}

async fn set_throttle(
    State(sim): State<Simulator>,
    Json(body): Json<Option<Throttle>>,
) -> Json<Value> {
    sim.set_throttle(body);
    Json(json!(body))
}

async fn webhook_options(
    State(sim): State<Simulator>,
    Json(options): Json<WebhookOptions>,
) -> Json<Value> {
    sim.set_webhook_options(options);
    Json(json!(options))
}

#[derive(Deserialize)]
struct ReleaseBody {
    order: ReleaseOrder,
}

async fn release_webhooks(
    State(sim): State<Simulator>,
    Json(body): Json<ReleaseBody>,
) -> Json<Value> {
    Json(json!({"sent": sim.release_webhooks(body.order)}))
}
