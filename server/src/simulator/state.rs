//! The simulator's world: numbers, WABAs, tokens, the register budget, PINs, the call log and the
//! controllable clock. Everything here is synchronous and lives behind one mutex.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

use super::errors::{self, GraphError};
use super::faults::{LostAnswer, RegisterRefusal};
use super::gate::Gate;
use super::scenarios::{preset, Scenario};
use super::throttle::Usage;
use super::webhooks::{HeldWebhook, WebhookOptions};
use super::{RecordedCall, SimNumber, WebhookDelivery};

/// Meta's register budget: 10 calls per number per moving 72 hours (deregister has its own).
pub(crate) const REGISTER_LIMIT: usize = 10;
pub(crate) fn register_window() -> Duration {
    Duration::hours(72)
}

/// Codes the simulator sends per number within [`code_request_window`] before answering 136024.
pub(crate) const CODE_REQUEST_LIMIT: usize = 3;

/// The window of [`CODE_REQUEST_LIMIT`].
pub(crate) fn code_request_window() -> Duration {
    Duration::hours(1)
}

/// Name statuses with which `/register` cannot succeed (Meta answers 100/2388001).
const NAME_NOT_READY: [&str; 4] = ["PENDING_REVIEW", "DECLINED", "EXPIRED", "NONE"];

#[derive(Clone, Debug)]
pub(crate) struct NumberState {
    pub scenario: Scenario,
    pub id: String,
    pub waba_id: String,
    /// The access token issued with this number (its owner's business token).
    pub token: String,
    pub display_phone_number: String,
    pub verified_name: String,
    pub name_status: String,
    pub new_display_name: Option<String>,
    pub new_name_status: Option<String>,
    pub code_verification_status: String,
    pub quality_rating: String,
    pub status: String,
    pub platform_type: String,
    pub throughput: Option<String>,
    pub account_mode: String,
    pub messaging_limit: Option<String>,
    /// Deprecated field: `None` is answered as JSON `null` (as Meta does on newer numbers).
    pub messaging_limit_tier: Option<String>,
    pub last_onboarded_time: Option<DateTime<Utc>>,
    pub is_on_biz_app: bool,
    pub is_official_business_account: bool,
    /// `official_business_account.oba_status`.
    pub oba_status: String,
    pub pin: Option<String>,
    pub register_attempts: Vec<DateTime<Utc>>,
    pub deregister_attempts: Vec<DateTime<Utc>>,
    /// When the asynchronous provisioning after a successful `/register` completes.
    pub provision_at: Option<DateTime<Utc>>,
    pub webhook_override: Option<String>,
    pub pending_verification_code: Option<String>,
    /// When codes were asked for (`request_code`), for Meta's limit on them.
    pub code_requests: Vec<DateTime<Utc>>,
    pub flaky_remaining: u32,
    pub slow: bool,
}

impl NumberState {
    /// Registered on Cloud API with a usable throughput level.
    pub fn is_registered(&self) -> bool {
        self.platform_type == "CLOUD_API"
            && self
                .throughput
                .as_deref()
                .is_some_and(|t| t != "NOT_APPLICABLE")
    }

    /// `display_phone_number` as digits only, the way webhooks carry it.
    pub fn display_digits(&self) -> String {
        self.display_phone_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }

    pub fn attempts_in_window(&self, now: DateTime<Utc>) -> usize {
        let from = now - register_window();
        self.register_attempts.iter().filter(|t| **t > from).count()
    }

    fn provision(&mut self, at: DateTime<Utc>) {
        self.platform_type = "CLOUD_API".into();
        self.throughput = Some("STANDARD".into());
        self.status = "CONNECTED".into();
        self.last_onboarded_time = Some(at);
        self.provision_at = None;
    }
}

#[derive(Clone, Debug)]
pub(crate) struct WabaState {
    pub id: String,
    pub name: String,
    pub business_id: String,
    pub business_name: String,
    pub subscribed: bool,
    pub override_callback_uri: Option<String>,
    pub messaging_limit: String,
    pub currency: String,
    pub timezone_id: String,
    pub namespace: String,
    /// What `health_status` says of this WABA's entities (`WABA`, `BUSINESS`, `APP`) when not plainly
    /// `AVAILABLE`: the fields merged into the entity (`can_send_message`, `errors`, ...).
    pub entity_health: BTreeMap<String, Value>,
    /// The `account_update` values that put this WABA in its preset state (a restriction, a
    /// ban), sent again by [`super::Simulator::replay_account_updates`].
    pub account_updates: Vec<Value>,
    /// The `account_alerts` values Meta sent about the WABA's portfolio or numbers, sent again by
    /// [`super::Simulator::replay_account_alerts`].
    pub account_alerts: Vec<Value>,
}

#[derive(Clone, Debug)]
pub(crate) struct TokenState {
    /// The WABAs this token may act on (a set: one token may own thousands of simulated WABAs).
    pub wabas: BTreeSet<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub(crate) struct WebhookTarget {
    pub url: String,
    pub app_secret: String,
}

/// An embedded-signup code issued by the simulator (valid 30 s, single use).
#[derive(Clone, Debug)]
pub(crate) struct SignupCode {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

pub(crate) struct SimState {
    pub clock_offset: Duration,
    /// Add numbers with [`SimState::insert_number`], which keeps `numbers_by_waba` up to date.
    pub numbers: BTreeMap<String, NumberState>,
    pub wabas: BTreeMap<String, WabaState>,
    /// The ids of each WABA's numbers (a number's `waba_id` never changes), so that listing a
    /// WABA does not walk every number.
    pub numbers_by_waba: HashMap<String, BTreeSet<String>>,
    /// The ids of the numbers whose `provision_at` is set, so that [`SimState::apply_due`] (run
    /// on every lock) does not walk every number.
    pub provisioning: BTreeSet<String>,
    pub tokens: HashMap<String, TokenState>,
    pub signup_codes: HashMap<String, SignupCode>,
    pub calls: Vec<RecordedCall>,
    pub deliveries: Vec<WebhookDelivery>,
    pub webhook: Option<WebhookTarget>,
    pub slow_delay: StdDuration,
    pub provisioning_delay: StdDuration,
    /// One-shot faults per object id (phone number or WABA).
    pub faults: HashMap<String, VecDeque<(u16, Value)>>,
    /// Per object id: the next writes are applied, then their answers lost.
    pub lost_answers: HashMap<String, VecDeque<LostAnswer>>,
    /// Per phone number: what `/register` answers instead of succeeding, until cleared.
    pub register_refusals: HashMap<String, RegisterRefusal>,
    /// Holds the tests placed on calls (see `gate`); opened ones are dropped lazily.
    pub gates: Vec<std::sync::Arc<Gate>>,
    /// Business-use-case call counting and the optional throttle.
    pub usage: Usage,
    pub webhook_options: WebhookOptions,
    /// Webhooks kept back (while `webhook_options.hold`) to be sent later in any order.
    pub held_webhooks: Vec<HeldWebhook>,
}

/// Default provisioning delay after a successful `/register` (Meta provisions asynchronously).
pub(crate) const DEFAULT_PROVISIONING_DELAY: StdDuration = StdDuration::from_millis(1500);
/// Default answer delay of the `slow` scenario.
pub(crate) const DEFAULT_SLOW_DELAY: StdDuration = StdDuration::from_secs(20);

impl SimState {
    pub fn with_presets() -> SimState {
        let now = Utc::now();
        let mut state = SimState {
            clock_offset: Duration::zero(),
            numbers: BTreeMap::new(),
            wabas: BTreeMap::new(),
            numbers_by_waba: HashMap::new(),
            provisioning: BTreeSet::new(),
            tokens: HashMap::new(),
            signup_codes: HashMap::new(),
            calls: Vec::new(),
            deliveries: Vec::new(),
            webhook: None,
            slow_delay: DEFAULT_SLOW_DELAY,
            provisioning_delay: DEFAULT_PROVISIONING_DELAY,
            faults: HashMap::new(),
            lost_answers: HashMap::new(),
            register_refusals: HashMap::new(),
            gates: Vec::new(),
            usage: Usage::default(),
            webhook_options: WebhookOptions::default(),
            held_webhooks: Vec::new(),
        };
        for scenario in Scenario::ALL {
            let p = preset(scenario);
            state
                .wabas
                .entry(p.waba_id.clone())
                .or_insert_with(|| WabaState {
                    id: p.waba_id.clone(),
                    name: p.waba_name.clone(),
                    business_id: p.business_id.clone(),
                    business_name: p.business_name.clone(),
                    subscribed: true,
                    override_callback_uri: None,
                    messaging_limit: p.messaging_limit.to_string(),
                    currency: "USD".into(),
                    timezone_id: "1".into(),
                    namespace: format!("ba30dd89_2ebd_41e4_b805_{}", &p.phone_number_id[4..16]),
                    entity_health: p
                        .entity_health
                        .iter()
                        .map(|(t, v)| (t.to_string(), v.clone()))
                        .collect(),
                    account_updates: super::scenarios::account_updates(scenario, now),
                    account_alerts: super::scenarios::account_alerts(scenario),
                });
            state.tokens.insert(
                p.token.clone(),
                TokenState {
                    wabas: BTreeSet::from([p.waba_id.clone()]),
                    expires_at: (scenario == Scenario::TokenExpired)
                        .then(|| now - Duration::hours(2)),
                },
            );
            let register_attempts = if scenario == Scenario::QuotaExhausted {
                (0..REGISTER_LIMIT as i64)
                    .map(|k| now - Duration::minutes(60) + Duration::minutes(5 * k))
                    .collect()
            } else {
                Vec::new()
            };
            state.insert_number(NumberState {
                scenario,
                id: p.phone_number_id.clone(),
                waba_id: p.waba_id.clone(),
                token: p.token.clone(),
                display_phone_number: p.display_phone_number.clone(),
                verified_name: p.verified_name.clone(),
                name_status: p.name_status.into(),
                new_display_name: p.name_change.map(|(name, _)| name.into()),
                new_name_status: p.name_change.map(|(_, status)| status.into()),
                code_verification_status: p.code_verification_status.into(),
                quality_rating: p.quality_rating.into(),
                status: p.status.into(),
                platform_type: p.platform_type.into(),
                throughput: p.throughput.map(Into::into),
                account_mode: "LIVE".into(),
                messaging_limit: Some(p.messaging_limit.into()),
                messaging_limit_tier: p.messaging_limit_tier.map(Into::into),
                last_onboarded_time: p.onboarded_days_ago.map(|d| now - Duration::days(d)),
                is_on_biz_app: p.is_on_biz_app,
                is_official_business_account: p.oba_status == "APPROVED",
                oba_status: p.oba_status.into(),
                pin: p.pin.map(Into::into),
                register_attempts,
                deregister_attempts: Vec::new(),
                provision_at: None,
                webhook_override: None,
                pending_verification_code: None,
                code_requests: Vec::new(),
                flaky_remaining: if scenario == Scenario::Flaky { 2 } else { 0 },
                slow: scenario == Scenario::Slow,
            });
        }
        state
    }

    /// The simulator's clock: real time plus everything `advance` added.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    pub fn advance(&mut self, by: Duration) {
        self.clock_offset += by;
        self.apply_due();
    }

    /// Completes provisioning that is due by the simulator's clock. Walks only the numbers being
    /// provisioned (usually none).
    pub fn apply_due(&mut self) {
        if self.provisioning.is_empty() {
            return;
        }
        let now = self.now();
        let numbers = &mut self.numbers;
        self.provisioning.retain(|id| {
            let Some(n) = numbers.get_mut(id) else {
                return false;
            };
            match n.provision_at {
                Some(at) if at <= now => {
                    n.provision(at);
                    false
                }
                Some(_) => true,
                None => false,
            }
        });
    }

    /// Adds (or replaces) a number, keeping the index of each WABA's numbers.
    pub fn insert_number(&mut self, n: NumberState) {
        if let Some(old) = self.numbers.get(&n.id) {
            if let Some(ids) = self.numbers_by_waba.get_mut(&old.waba_id) {
                ids.remove(&n.id);
            }
        }
        self.numbers_by_waba
            .entry(n.waba_id.clone())
            .or_default()
            .insert(n.id.clone());
        if n.provision_at.is_some() {
            self.provisioning.insert(n.id.clone());
        }
        self.numbers.insert(n.id.clone(), n);
    }

    /// The numbers of the WABA `waba_id`, by id.
    pub fn numbers_of_waba<'a>(&'a self, waba_id: &str) -> impl Iterator<Item = &'a NumberState> {
        self.numbers_by_waba
            .get(waba_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.numbers.get(id))
    }

    pub fn sim_number(&self, n: &NumberState) -> SimNumber {
        let waba = &self.wabas[&n.waba_id];
        SimNumber {
            id: n.id.clone(),
            waba_id: n.waba_id.clone(),
            business_id: waba.business_id.clone(),
            token: n.token.clone(),
            display_phone_number: n.display_phone_number.clone(),
            verified_name: n.verified_name.clone(),
            scenario: n.scenario,
        }
    }

    pub fn number_mut(&mut self, id: &str) -> Option<&mut NumberState> {
        self.numbers.get_mut(id)
    }

    /// Does `token` give access to the WABA `waba_id`?
    pub fn token_owns(&self, token: &str, waba_id: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|t| t.wabas.contains(waba_id))
    }

    /// `POST /{pn}/register`.
    pub fn register(&mut self, id: &str, params: &Map<String, Value>) -> Result<Value, GraphError> {
        let now = self.now();
        let delay = self.provisioning_delay;
        let n = self
            .numbers
            .get_mut(id)
            .expect("caller resolved the number");
        let from = now - register_window();
        n.register_attempts.retain(|t| *t > from);
        if n.register_attempts.len() >= REGISTER_LIMIT {
            return Err(errors::register_rate_limited());
        }
        // Every admitted attempt counts, whatever its outcome.
        n.register_attempts.push(now);
        if let Some(refusal) = self.register_refusals.get(id) {
            return Err(refusal.error(now + Duration::minutes(5)));
        }

        let product = param_str(params, "messaging_product");
        let pin = param_str(params, "pin");
        match product.as_deref() {
            None => {
                return Err(errors::invalid_parameter(
                    "(#100) The parameter messaging_product is required",
                ))
            }
            Some(p) if !p.eq_ignore_ascii_case("whatsapp") => {
                return Err(errors::invalid_parameter(&format!(
                    "(#100) Param messaging_product must be one of {{WHATSAPP}} - got \"{p}\""
                )))
            }
            Some(_) => {}
        }
        let Some(pin) = pin else {
            return Err(errors::invalid_parameter(
                "(#100) The parameter pin is required",
            ));
        };
        if n.is_on_biz_app {
            return Err(errors::invalid_parameter(
                "(#100) Register endpoint is not available for phone numbers in use with the WhatsApp Business app.",
            ));
        }
        if n.code_verification_status != "VERIFIED" {
            return Err(errors::reverification_needed());
        }
        if NAME_NOT_READY.contains(&n.name_status.as_str()) {
            return Err(errors::cannot_create_certificate());
        }
        if !is_pin(&pin) {
            return Err(errors::invalid_parameter(
                "Invalid PIN format. PIN must be exactly 6 digits",
            ));
        }
        if n.pin.as_deref().is_some_and(|existing| existing != pin) {
            return Err(errors::pin_mismatch());
        }
        n.pin = Some(pin);
        if !n.is_registered() && n.provision_at.is_none() {
            let at = now + Duration::from_std(delay).unwrap_or_else(|_| Duration::zero());
            if delay.is_zero() {
                n.provision(at);
            } else {
                n.provision_at = Some(at);
                self.provisioning.insert(id.to_string());
            }
        }
        Ok(json!({"success": true}))
    }

    /// `POST /{pn}/deregister`.
    pub fn deregister(&mut self, id: &str) -> Result<Value, GraphError> {
        let now = self.now();
        let n = self
            .numbers
            .get_mut(id)
            .expect("caller resolved the number");
        let from = now - register_window();
        n.deregister_attempts.retain(|t| *t > from);
        if n.deregister_attempts.len() >= REGISTER_LIMIT {
            return Err(errors::register_rate_limited());
        }
        n.deregister_attempts.push(now);
        if n.is_on_biz_app {
            return Err(errors::invalid_parameter(
                "(#100) Deregister endpoint is not available for API solution for SMB businesses.",
            ));
        }
        n.platform_type = "NOT_APPLICABLE".into();
        n.throughput = Some("NOT_APPLICABLE".into());
        n.status = "DISCONNECTED".into();
        n.provision_at = None;
        self.provisioning.remove(id);
        Ok(json!({"success": true}))
    }

    /// `POST /{pn}`: two-step PIN, webhook override, display-name change.
    pub fn update_number(
        &mut self,
        id: &str,
        params: &Map<String, Value>,
    ) -> Result<Value, GraphError> {
        let n = self
            .numbers
            .get_mut(id)
            .expect("caller resolved the number");
        let mut touched = false;
        if let Some(pin) = param_str(params, "pin") {
            if !is_pin(&pin) {
                return Err(errors::invalid_parameter(
                    "Invalid PIN format. PIN must be exactly 6 digits",
                ));
            }
            n.pin = Some(pin);
            touched = true;
        }
        if let Some(config) = params.get("webhook_configuration") {
            let config = match config {
                Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                other => other.clone(),
            };
            let Some(uri) = config.get("override_callback_uri").and_then(Value::as_str) else {
                return Err(errors::invalid_parameter(
                    "(#100) Param webhook_configuration[override_callback_uri] must be a string",
                ));
            };
            n.webhook_override = check_callback_uri(uri)?;
            touched = true;
        }
        if let Some(name) = param_str(params, "new_display_name") {
            n.new_display_name = Some(name);
            n.new_name_status = Some("PENDING_REVIEW".into());
            touched = true;
        }
        if !touched {
            return Err(errors::invalid_parameter("(#100) Invalid parameter"));
        }
        Ok(json!({"success": true}))
    }

    /// `POST /{pn}/request_code`: the "SMS" is visible in the control API's number list.
    pub fn request_code(
        &mut self,
        id: &str,
        params: &Map<String, Value>,
    ) -> Result<Value, GraphError> {
        let method = param_str(params, "code_method").unwrap_or_default();
        if !matches!(method.as_str(), "SMS" | "VOICE") {
            return Err(errors::invalid_parameter(
                "(#100) Param code_method must be one of {SMS, VOICE}",
            ));
        }
        if param_str(params, "language").is_none() {
            return Err(errors::invalid_parameter(
                "(#100) The parameter language is required",
            ));
        }
        let now = self.now();
        let n = self
            .numbers
            .get_mut(id)
            .expect("caller resolved the number");
        // Meta does not document its limit; the simulator allows a few codes per hour, and a
        // refused request does not count.
        n.code_requests.retain(|t| *t > now - code_request_window());
        if n.code_requests.len() >= CODE_REQUEST_LIMIT {
            return Err(errors::request_code_error());
        }
        n.code_requests.push(now);
        let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
        n.pending_verification_code = Some(code);
        Ok(json!({"success": true}))
    }

    /// `POST /{pn}/verify_code`.
    pub fn verify_code(
        &mut self,
        id: &str,
        params: &Map<String, Value>,
    ) -> Result<Value, GraphError> {
        let given = param_str(params, "code")
            .ok_or_else(|| errors::invalid_parameter("(#100) The parameter code is required"))?;
        let n = self
            .numbers
            .get_mut(id)
            .expect("caller resolved the number");
        match &n.pending_verification_code {
            Some(code) if *code == given.replace('-', "") => {
                n.code_verification_status = "VERIFIED".into();
                n.pending_verification_code = None;
                Ok(json!({"success": true}))
            }
            _ => Err(errors::verify_code_error()),
        }
    }

    /// `POST /{waba}/subscribed_apps`.
    pub fn subscribe(
        &mut self,
        waba_id: &str,
        params: &Map<String, Value>,
    ) -> Result<Value, GraphError> {
        let waba = self
            .wabas
            .get_mut(waba_id)
            .expect("caller resolved the WABA");
        match param_str(params, "override_callback_uri") {
            None => {
                waba.subscribed = true;
                waba.override_callback_uri = None;
            }
            Some(uri) => {
                if !waba.subscribed {
                    return Err(errors::invalid_parameter(
                        "(#100) Before override the current callback uri, your app must be subscribed to receive messages for WhatsApp Business Account",
                    ));
                }
                waba.override_callback_uri = check_callback_uri(&uri)?;
            }
        }
        Ok(json!({"success": true}))
    }

    /// Issues a fresh embedded-signup code for the token of `phone_number_id`'s scenario.
    pub fn issue_signup_code(&mut self, token: String) -> String {
        let code = format!("AQ{}", hex::encode(rand::thread_rng().gen::<[u8; 16]>()));
        let expires_at = self.now() + Duration::seconds(30);
        self.signup_codes.insert(
            code.clone(),
            SignupCode {
                token,
                expires_at,
                used: false,
            },
        );
        code
    }
}

/// A parameter as a string, whichever way it arrived (JSON string or number, form, query).
pub(crate) fn param_str(params: &Map<String, Value>, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_pin(pin: &str) -> bool {
    pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit())
}

/// `""` removes an override; anything else must be an http(s) URL of at most 200 characters.
fn check_callback_uri(uri: &str) -> Result<Option<String>, GraphError> {
    if uri.is_empty() {
        return Ok(None);
    }
    if uri.len() > 200 || !(uri.starts_with("https://") || uri.starts_with("http://")) {
        return Err(errors::invalid_parameter(
            "(#100) Param override_callback_uri must be a valid URL of at most 200 characters",
        ));
    }
    Ok(Some(uri.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(state: &SimState, scenario: Scenario) -> String {
        state
            .numbers
            .values()
            .find(|n| n.scenario == scenario)
            .unwrap()
            .id
            .clone()
    }

    fn body(pin: &str) -> Map<String, Value> {
        json!({"messaging_product": "whatsapp", "pin": pin})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn register_window_moves_with_the_clock() {
        let mut s = SimState::with_presets();
        s.provisioning_delay = StdDuration::ZERO;
        let id = id_of(&s, Scenario::ApprovedUnregistered);
        for _ in 0..REGISTER_LIMIT {
            s.register(&id, &body("12345")).unwrap_err(); // bad PIN format, still counts
        }
        let e = s.register(&id, &body("123456")).unwrap_err();
        assert_eq!(e.body["error"]["code"], 133016);
        s.advance(Duration::hours(72));
        s.register(&id, &body("123456")).unwrap();
        assert!(s.numbers[&id].is_registered());
    }

    #[test]
    fn only_numbers_being_provisioned_are_walked_and_each_leaves_when_done() {
        let mut s = SimState::with_presets();
        s.provisioning_delay = StdDuration::from_secs(60);
        let a = id_of(&s, Scenario::ApprovedUnregistered);
        let b = id_of(&s, Scenario::PinMismatch);
        assert!(s.provisioning.is_empty());
        s.register(&a, &body("123456")).unwrap();
        s.register(&b, &body("918273")).unwrap();
        assert_eq!(s.provisioning.len(), 2);
        s.deregister(&b).unwrap();
        assert_eq!(s.provisioning.iter().collect::<Vec<_>>(), vec![&a]);
        s.advance(Duration::seconds(59));
        assert!(!s.numbers[&a].is_registered());
        s.advance(Duration::seconds(1));
        assert!(s.numbers[&a].is_registered());
        assert!(!s.numbers[&b].is_registered());
        assert!(s.provisioning.is_empty());
    }

    #[test]
    fn quota_exhausted_starts_spent() {
        let s = SimState::with_presets();
        let n = &s.numbers[&id_of(&s, Scenario::QuotaExhausted)];
        assert_eq!(n.attempts_in_window(s.now()), REGISTER_LIMIT);
    }
}
