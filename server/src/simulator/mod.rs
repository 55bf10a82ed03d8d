//! A faithful simulator of the parts of Meta's Graph API that Greenlight uses.
//!
//! It powers `greenlight serve --demo` and the integration tests: a real HTTP server that speaks
//! raw JSON like `graph.facebook.com` (field projection, Meta's error envelopes, the register
//! budget, PINs, asynchronous provisioning, signed webhooks) with preset numbers in every
//! interesting state ([`Scenario`]) and a control API under `/__sim/` to drive it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use greenlight::simulator::{Scenario, Simulator};
//! let running = Simulator::with_presets().spawn("127.0.0.1:0".parse().unwrap()).await?;
//! let number = running.sim.number(Scenario::PendingReview);
//! // point the Graph client at running.base_url, version v24.0, token number.token ...
//! running.sim.approve_name(&number.id);
//! # Ok(()) }
//! ```
//!
//! Module map: `scenarios` (the presets), `state` (numbers, budget, PIN, clock), `nodes` (field
//! projection), `params` (request parsing), `routes` (Meta's paths), `errors` (Meta-shaped
//! errors), `control` (the `/__sim/` API), `webhooks` (signed webhook emitter), `faults` (lost
//! answers, register refusals), `gate` (holding calls open), `throttle` (Meta's call-rate limit).

mod control;
mod errors;
mod faults;
mod gate;
mod nodes;
mod params;
mod routes;
mod scenarios;
mod state;
mod throttle;
pub mod webhooks;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use faults::{LostAnswer, RegisterRefusal};
pub use gate::Hold;
pub use scenarios::{Scenario, APP_ID, APP_NAME, APP_SECRET};
use state::{SimState, WebhookTarget};
pub use throttle::{Throttle, ThrottleAnswer};
pub use webhooks::{ReleaseOrder, WebhookOptions};

/// The simulated Graph API. Cheap to clone: all clones share one state.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Mutex<SimState>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").finish_non_exhaustive()
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::with_presets()
    }
}

/// A preset number as Greenlight would be configured with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimNumber {
    /// Phone number id.
    pub id: String,
    pub waba_id: String,
    /// Business portfolio (Business Manager) id.
    pub business_id: String,
    /// An access token that may act on this number's WABA.
    pub token: String,
    pub display_phone_number: String,
    /// The current verified name (changes when a display-name change is approved).
    pub verified_name: String,
    pub scenario: Scenario,
}

/// One request the simulator received on Meta's routes (the control API is not recorded).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedCall {
    pub method: String,
    /// Path without the query, e.g. `/v24.0/1065403522429001/register`.
    pub path: String,
    /// Query parameters; the values of `access_token` and `client_secret` are `[redacted]`.
    pub query: Vec<(String, String)>,
    /// An `access_token` came in the URL query (Greenlight must never do this).
    pub token_in_query: bool,
    /// An `access_token` came in the request body.
    pub token_in_body: bool,
    /// An `Authorization: Bearer` (or `OAuth`) header was sent.
    pub had_bearer: bool,
    /// The parsed body (JSON as sent, forms as an object of strings, `null` when empty),
    /// with `access_token` / `client_secret` redacted.
    pub body: Value,
    /// When, by the simulator's clock.
    pub at: DateTime<Utc>,
    /// HTTP status answered.
    pub status: u16,
}

impl RecordedCall {
    /// A query parameter's value.
    pub fn query_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A body parameter (or, failing that, a query parameter) as a string.
    pub fn param(&self, key: &str) -> Option<String> {
        match self.body.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) if !v.is_null() => Some(v.to_string()),
            _ => self.query_param(key).map(str::to_string),
        }
    }
}

/// One attempt to deliver a webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub url: String,
    /// The `changes[].field` values in the payload.
    pub fields: Vec<String>,
    /// The exact bytes sent (UTF-8, non-ASCII escaped as `\uXXXX` like Meta).
    pub body: String,
    /// The `X-Hub-Signature-256` header sent.
    pub signature: String,
    /// 1 for the first try, then retries.
    pub attempt: u32,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    /// When it was sent, by the simulator's clock.
    pub at: DateTime<Utc>,
}

impl Simulator {
    /// A simulator with every [`Scenario`] preset, real-time clock, provisioning delay 1.5 s,
    /// slow delay 20 s and no webhook target.
    pub fn with_presets() -> Simulator {
        Simulator {
            inner: Arc::new(Mutex::new(SimState::with_presets())),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves consistent data; keep serving.
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.apply_due();
        guard
    }

    /// Meta's routes (`/{version}/...`) and the control API under `/__sim/`.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .nest("/__sim", control::router())
            .fallback(routes::graph)
            .with_state(self.clone())
    }

    /// Binds `addr` (port 0 picks a free port) and serves in a tokio task until the returned
    /// handle is dropped or shut down.
    pub async fn spawn(self, addr: SocketAddr) -> std::io::Result<RunningSimulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let router = self.router();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "graph simulator stopped");
            }
        });
        tracing::info!(%local, "graph simulator listening");
        Ok(RunningSimulator {
            base_url: format!("http://{local}"),
            addr: local,
            sim: self,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Every preset number, in [`Scenario::ALL`] order.
    pub fn numbers(&self) -> Vec<SimNumber> {
        let st = self.lock();
        let mut out: Vec<SimNumber> = st.numbers.values().map(|n| st.sim_number(n)).collect();
        out.sort_by_key(|n| n.scenario);
        out
    }

    /// The preset number of a scenario.
    pub fn number(&self, scenario: Scenario) -> SimNumber {
        let st = self.lock();
        let n = st
            .numbers
            .get(&scenarios::preset(scenario).phone_number_id)
            .expect("every scenario has a preset number");
        st.sim_number(n)
    }

    /// Adds `count` numbers behaving like `scenario`'s preset (same WABA and token, their own ids
    /// and phone numbers): fleets for scale tests and benchmarks.
    pub fn add_copies(&self, scenario: Scenario, count: usize) -> Vec<SimNumber> {
        self.add_copies_in(scenario, count, None)
    }

    /// Adds `count` numbers behaving like `scenario`'s preset, `per_waba` (at least 1) to a WABA
    /// of their own: each such WABA is a copy of the preset's (same business portfolio, same
    /// subscription) with its own id, and the preset's token may act on it. A fleet spread over
    /// many WABAs, as a real one is (Meta lets a WABA hold a few numbers, not thousands), so
    /// that listing a copy's WABA reads one short page.
    pub fn add_copies_in_own_wabas(
        &self,
        scenario: Scenario,
        count: usize,
        per_waba: usize,
    ) -> Vec<SimNumber> {
        self.add_copies_in(scenario, count, Some(per_waba.max(1)))
    }

    fn add_copies_in(
        &self,
        scenario: Scenario,
        count: usize,
        per_waba: Option<usize>,
    ) -> Vec<SimNumber> {
        let mut st = self.lock();
        let template = st
            .numbers
            .get(&scenarios::preset(scenario).phone_number_id)
            .expect("every scenario has a preset number")
            .clone();
        let template_waba = st.wabas[&template.waba_id].clone();
        let mut added = Vec::with_capacity(count);
        let mut waba_id = template.waba_id.clone();
        for i in 0..count {
            if per_waba.is_some_and(|per| i.is_multiple_of(per)) {
                let w = st.wabas.len() as u64;
                waba_id = (1_800_000_000_000_000 + w).to_string();
                let mut waba = template_waba.clone();
                waba.id = waba_id.clone();
                waba.name = format!("{} {w}", template_waba.name);
                waba.namespace = format!("ba30dd89_2ebd_41e4_b805_{w:012}");
                st.wabas.insert(waba_id.clone(), waba);
                if let Some(t) = st.tokens.get_mut(&template.token) {
                    t.wabas.insert(waba_id.clone());
                }
            }
            let k = st.numbers.len() as u64;
            let mut n = template.clone();
            n.id = (1_900_000_000_000_000 + k).to_string();
            n.display_phone_number = format!("+1 632-{:03}-{:04}", k / 10_000, k % 10_000);
            n.waba_id = waba_id.clone();
            added.push(n.id.clone());
            st.insert_number(n);
        }
        added
            .iter()
            .map(|id| st.sim_number(&st.numbers[id]))
            .collect()
    }

    /// Every call received on Meta's routes, oldest first.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.lock().calls.clone()
    }

    /// Calls with this method whose path ends with `path_suffix`, e.g. `("POST", "/1234/register")`.
    pub fn calls_to(&self, method: &str, path_suffix: &str) -> Vec<RecordedCall> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method) && c.path.ends_with(path_suffix))
            .cloned()
            .collect()
    }

    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    /// The simulator's clock (real time plus every `advance_clock`).
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// Moves the simulator's clock forward (register window, provisioning, signup-code expiry).
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.lock().advance(by);
    }

    /// Register calls counted against the number's budget in the current 72 h window.
    pub fn register_attempts_in_window(&self, phone_number_id: &str) -> usize {
        let st = self.lock();
        let now = st.now();
        st.numbers
            .get(phone_number_id)
            .map_or(0, |n| n.attempts_in_window(now))
    }

    /// The two-step verification PIN Meta holds for the number (what `/register` or `POST /{pn}`
    /// set), `None` when none or the id is unknown.
    pub fn pin(&self, phone_number_id: &str) -> Option<String> {
        self.lock()
            .numbers
            .get(phone_number_id)
            .and_then(|n| n.pin.clone())
    }

    /// Meta approves the display name (a pending name change, or the name under review); sends
    /// `phone_number_name_update` (decision APPROVED) if a webhook target is set.
    ///
    /// Panics on an unknown phone number id.
    pub fn approve_name(&self, phone_number_id: &str) {
        self.decide_name(phone_number_id, None);
    }

    /// Meta rejects the display name (`name_status` DECLINED); sends `phone_number_name_update`
    /// (decision REJECTED with `reason`, e.g. `NAME_FORMAT_UNACCEPTABLE`) if a target is set.
    ///
    /// Panics on an unknown phone number id.
    pub fn decline_name(&self, phone_number_id: &str, reason: &str) {
        self.decide_name(phone_number_id, Some(reason));
    }

    fn decide_name(&self, phone_number_id: &str, rejection: Option<&str>) {
        let (waba_id, value) = {
            let mut st = self.lock();
            let n = st
                .number_mut(phone_number_id)
                .unwrap_or_else(|| panic!("simulator: unknown phone number id {phone_number_id}"));
            let requested = n
                .new_display_name
                .clone()
                .unwrap_or_else(|| n.verified_name.clone());
            match rejection {
                None => {
                    n.verified_name = requested.clone();
                    n.name_status = "APPROVED".into();
                    n.new_display_name = None;
                    n.new_name_status = None;
                }
                Some(_) if n.new_display_name.is_some() => {
                    n.new_name_status = Some("DECLINED".into());
                }
                Some(_) => n.name_status = "DECLINED".into(),
            }
            let decision = if rejection.is_some() {
                "REJECTED"
            } else {
                "APPROVED"
            };
            let value =
                webhooks::name_update_value(&n.display_digits(), decision, &requested, rejection);
            (n.waba_id.clone(), value)
        };
        self.emit_webhook(&waba_id, "phone_number_name_update", value);
    }

    /// Sets `quality_rating` (RED also flags the number; leaving RED un-flags it) and sends
    /// `phone_number_quality_update` (event FLAGGED when worse, UNFLAGGED otherwise, with both the
    /// legacy `current_limit` and `max_daily_conversations_per_business`) if a target is set.
    ///
    /// Panics on an unknown phone number id.
    pub fn set_quality(&self, phone_number_id: &str, rating: &str) {
        let (waba_id, value) = {
            let mut st = self.lock();
            let n = st
                .number_mut(phone_number_id)
                .unwrap_or_else(|| panic!("simulator: unknown phone number id {phone_number_id}"));
            let rank = |r: &str| match r {
                "GREEN" => 0,
                "YELLOW" => 1,
                "RED" => 2,
                _ => -1,
            };
            let event = if rank(rating) > rank(&n.quality_rating) {
                "FLAGGED"
            } else {
                "UNFLAGGED"
            };
            n.quality_rating = rating.to_string();
            if rating == "RED" && n.status == "CONNECTED" {
                n.status = "FLAGGED".into();
            } else if rating != "RED" && n.status == "FLAGGED" {
                n.status = "CONNECTED".into();
            }
            let limit = n
                .messaging_limit
                .clone()
                .unwrap_or_else(|| "TIER_250".into());
            let value = webhooks::quality_update_value(&n.display_digits(), event, &limit);
            (n.waba_id.clone(), value)
        };
        self.emit_webhook(&waba_id, "phone_number_quality_update", value);
    }

    /// True when a WABA of the simulator belongs to the business portfolio `business_id`.
    pub fn has_business(&self, business_id: &str) -> bool {
        self.lock()
            .wabas
            .values()
            .any(|w| w.business_id == business_id)
    }

    /// Moves a business portfolio's shared messaging limit (`TIER_2K`, ...), as Meta does since
    /// v24: every number of the portfolio's WABAs reports the new tier, and each of those WABAs
    /// gets `business_capability_update` with `max_daily_conversations_per_business` in the form
    /// Meta's own example sends (an integer: 2000; -1 for unlimited).
    ///
    /// Panics on an unknown business id.
    pub fn set_portfolio_limit(&self, business_id: &str, tier: &str) {
        let wabas: Vec<String> = {
            let mut st = self.lock();
            let wabas: Vec<String> = st
                .wabas
                .values()
                .filter(|w| w.business_id == business_id)
                .map(|w| w.id.clone())
                .collect();
            assert!(
                !wabas.is_empty(),
                "simulator: unknown business id {business_id}"
            );
            for w in st
                .wabas
                .values_mut()
                .filter(|w| w.business_id == business_id)
            {
                w.messaging_limit = tier.to_string();
            }
            for n in st
                .numbers
                .values_mut()
                .filter(|n| wabas.contains(&n.waba_id))
            {
                n.messaging_limit = Some(tier.to_string());
            }
            wabas
        };
        let conversations = match tier {
            "TIER_UNLIMITED" => json!(-1),
            t => t
                .strip_prefix("TIER_")
                .and_then(|n| match n.strip_suffix('K') {
                    Some(k) => k.parse::<i64>().ok().map(|k| k * 1000),
                    None => n.parse::<i64>().ok(),
                })
                .map_or_else(|| json!(t), |n| json!(n)),
        };
        for waba_id in wabas {
            self.emit_webhook(
                &waba_id,
                "business_capability_update",
                json!({"max_daily_conversations_per_business": conversations, "max_phone_numbers_per_business": 25}),
            );
        }
    }

    /// Sets what `health_status` says of one entity (`WABA`, `BUSINESS` or `APP`) of the number's
    /// WABA: the fields merged over `AVAILABLE` (`{"can_send_message":"BLOCKED","errors":[...]}`);
    /// `None` makes it plainly available again.
    ///
    /// Panics on an unknown phone number id.
    pub fn set_entity_health(
        &self,
        phone_number_id: &str,
        entity_type: &str,
        health: Option<Value>,
    ) {
        let mut st = self.lock();
        let waba_id = st
            .numbers
            .get(phone_number_id)
            .unwrap_or_else(|| panic!("simulator: unknown phone number id {phone_number_id}"))
            .waba_id
            .clone();
        if let Some(waba) = st.wabas.get_mut(&waba_id) {
            match health {
                Some(h) => waba.entity_health.insert(entity_type.to_owned(), h),
                None => waba.entity_health.remove(entity_type),
            };
        }
    }

    /// Queues a one-shot fault: the next Graph call addressed to this object (phone number or
    /// WABA id) answers `http_status` with `body` (a Meta error body; `null` → a generic one),
    /// after authentication and without touching the number's state.
    pub fn fail_next(&self, phone_number_id: &str, http_status: u16, body: Value) {
        self.lock()
            .faults
            .entry(phone_number_id.to_string())
            .or_default()
            .push_back((http_status, body));
    }

    /// Queues a fault that strikes *after* Meta applied the call: the next write (`POST`) to this
    /// object (phone number or WABA) takes full effect — a `/register` counts against the budget
    /// and sets the PIN — and then its answer is lost as `lost` says.
    pub fn lose_next_answer(&self, object_id: &str, lost: LostAnswer) {
        self.lock()
            .lost_answers
            .entry(object_id.to_string())
            .or_default()
            .push_back(lost);
    }

    /// From now on `/register` on this number answers `refusal` (still counting against the
    /// budget); `None` lets it succeed again.
    pub fn refuse_register(&self, phone_number_id: &str, refusal: Option<RegisterRefusal>) {
        let mut st = self.lock();
        match refusal {
            Some(r) => st.register_refusals.insert(phone_number_id.to_string(), r),
            None => st.register_refusals.remove(phone_number_id),
        };
    }

    /// Holds calls with this method whose path ends with `path_suffix` (e.g. `("POST",
    /// "/1234/register")` or `("GET", "/1234")`) before Meta applies them, until `release_at` of
    /// them are waiting or the returned [`Hold`] is released (or dropped). Held calls enter the
    /// call log only once let go.
    pub fn hold(&self, method: &str, path_suffix: &str, release_at: usize) -> Hold {
        let (hold, gate) = Hold::new(method, path_suffix, release_at);
        self.lock().gates.push(gate);
        hold
    }

    /// Meta's business-use-case limit per WABA: `None` (the default) never refuses.
    pub fn set_throttle(&self, throttle: Option<Throttle>) {
        self.lock().usage.throttle = throttle;
    }

    /// Duplicate or hold back webhooks (see [`WebhookOptions`]).
    pub fn set_webhook_options(&self, options: WebhookOptions) {
        self.lock().webhook_options = options;
    }

    /// Sends the webhooks held back under [`WebhookOptions::hold`] in `order`; returns how many.
    pub fn release_webhooks(&self, order: ReleaseOrder) -> usize {
        webhooks::release(self, order)
    }

    /// Where Meta-style webhooks go, signed with `app_secret` (`X-Hub-Signature-256`). This is
    /// also the app's callback URL shown as `webhook_configuration.application`.
    pub fn set_webhook_target(&self, url: String, app_secret: String) {
        self.lock().webhook = Some(WebhookTarget { url, app_secret });
    }

    /// Stops sending webhooks.
    pub fn clear_webhook_target(&self) {
        self.lock().webhook = None;
    }

    /// Every webhook delivery attempt so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.lock().deliveries.clone()
    }

    /// Sends a webhook with one change (`field`, `value`) for the WABA `waba_id` to the target,
    /// e.g. `account_update` built with [`webhooks::account_update_value`]. No-op without target
    /// or when the app is not subscribed to the WABA.
    pub fn emit_webhook(&self, waba_id: &str, field: &str, value: Value) {
        webhooks::deliver(self, waba_id, vec![(field.to_string(), value)]);
    }

    /// The `account_update` values that put the WABA `waba_id` in its preset state (a
    /// restriction, a ban); empty for a WABA without enforcement or an unknown id.
    pub fn account_updates(&self, waba_id: &str) -> Vec<Value> {
        self.lock()
            .wabas
            .get(waba_id)
            .map(|w| w.account_updates.clone())
            .unwrap_or_default()
    }

    /// Sends the WABA's [`Simulator::account_updates`] as Meta would have when the enforcement
    /// happened: one signed `account_update` webhook each (no-op without a target or when the
    /// app is not subscribed). Answers how many were handed for delivery. The values are the same
    /// at every call (the expiration was fixed at the simulator's start), so a receiver that
    /// already holds that state sees a repeat.
    pub fn replay_account_updates(&self, waba_id: &str) -> usize {
        let updates = self.account_updates(waba_id);
        for value in &updates {
            self.emit_webhook(waba_id, "account_update", value.clone());
        }
        updates.len()
    }

    /// How long the `slow` scenario waits before answering (default 20 s).
    pub fn set_slow_delay(&self, d: std::time::Duration) {
        self.lock().slow_delay = d;
    }

    /// How long after a successful `/register` the number becomes CLOUD_API / STANDARD /
    /// CONNECTED, by the simulator's clock (default 1.5 s; zero = at once).
    pub fn set_provisioning_delay(&self, d: std::time::Duration) {
        self.lock().provisioning_delay = d;
    }

    /// Issues an embedded-signup `code` (valid 30 s, single use) that
    /// `GET /{v}/oauth/access_token` exchanges for this number's token. The codes
    /// `sim-signup-<scenario>` (e.g. `sim-signup-pending_review`) are always valid too.
    ///
    /// Panics on an unknown phone number id.
    pub fn issue_signup_code(&self, phone_number_id: &str) -> String {
        let mut st = self.lock();
        let token = st
            .numbers
            .get(phone_number_id)
            .unwrap_or_else(|| panic!("simulator: unknown phone number id {phone_number_id}"))
            .token
            .clone();
        st.issue_signup_code(token)
    }

    /// Puts every number back into its preset state; clears calls, faults, deliveries and the
    /// clock offset. Keeps the webhook target and the delays.
    pub fn reset(&self) {
        let mut st = self.lock();
        let mut fresh = SimState::with_presets();
        fresh.webhook = st.webhook.take();
        fresh.slow_delay = st.slow_delay;
        fresh.provisioning_delay = st.provisioning_delay;
        *st = fresh;
    }

    /// A JSON view of one number's full simulated state (what the control API lists).
    pub fn number_state(&self, phone_number_id: &str) -> Option<Value> {
        let st = self.lock();
        st.numbers
            .get(phone_number_id)
            .map(|n| control::number_view(&st, n))
    }
}

/// A simulator serving on a local port.
#[derive(Debug)]
pub struct RunningSimulator {
    /// e.g. `http://127.0.0.1:41234` — without the Graph version.
    pub base_url: String,
    pub addr: SocketAddr,
    pub sim: Simulator,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSimulator {
    /// `base_url` plus a path, e.g. `url("/v24.0/123")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
