//! [`GraphClient`]: the calls Greenlight makes to Meta's Graph API.
//!
//! - The access token travels only in `Authorization: Bearer …`; never in a URL, a log line or an error.
//! - Every call has a connect timeout and a total timeout ([`GraphConfig`]).
//! - Reads (GET) retry on throttling and transient errors with jittered exponential back-off, at most
//!   `read_retries` times. Writes never retry: `register`/`deregister` spend Meta's 10-per-72-hours budget, and the
//!   caller (the registration engine) decides about every attempt.
//! - Redirects are not followed (a redirect must not carry the token elsewhere).

use std::collections::HashSet;
use std::time::Duration;

use rand::Rng;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::config::GraphConfig;
use super::error::{describe_json_error, parse_error_body, GraphError, GraphErrorKind};
use super::phone_number::{PhoneNumberHealth, PHONE_NUMBER_FIELDS};
use super::token::AccessToken;
use super::token_app::{TokenApp, TOKEN_APP_FIELDS};
use super::waba::{ListPage, SubscribedApp, Waba, WABA_FIELDS};
use super::webhook_config::{
    WebhookConfiguration, WebhookConfigurationNode, WEBHOOK_CONFIGURATION_FIELDS,
};
use super::wire::{from_object, lenient, JsonObject};

/// Largest answer body the client reads (Graph answers are a few KB).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Page size asked for on `phone_numbers`.
const PAGE_LIMIT: &str = "100";
/// Upper bound on pages followed in one list call.
pub const MAX_PAGES: usize = 50;
/// Upper bound on one back-off sleep between read retries.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// A cheap-to-clone Graph API client (wraps one `reqwest::Client` connection pool).
#[derive(Clone, Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    /// `base_url` with the version segment appended, e.g. `https://graph.facebook.com/v24.0`.
    root: Url,
    config: GraphConfig,
}

impl GraphClient {
    /// Builds a client. Fails on an unusable base URL or version.
    pub fn new(config: GraphConfig) -> Result<GraphClient, GraphError> {
        let mut root = Url::parse(config.base_url.trim()).map_err(|_| {
            GraphError::InvalidConfig("the Graph API base URL is not a valid URL".to_owned())
        })?;
        if !matches!(root.scheme(), "http" | "https")
            || root.cannot_be_a_base()
            || root.host().is_none()
        {
            return Err(GraphError::InvalidConfig(
                "the Graph API base URL must be an http:// or https:// URL".to_owned(),
            ));
        }
        if root.query().is_some() || root.fragment().is_some() || !root.username().is_empty() {
            return Err(GraphError::InvalidConfig(
                "the Graph API base URL must not carry a query, fragment or credentials".to_owned(),
            ));
        }
        let version = config.version.trim();
        if !is_safe_segment(version) {
            return Err(GraphError::InvalidConfig(
                "the Graph API version must look like v24.0".to_owned(),
            ));
        }
        root.path_segments_mut()
            .map_err(|_| {
                GraphError::InvalidConfig("the Graph API base URL cannot take a path".to_owned())
            })?
            .pop_if_empty()
            .push(version);

        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("greenlight/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| {
                GraphError::InvalidConfig("the HTTP client could not be built".to_owned())
            })?;
        Ok(GraphClient { http, root, config })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &GraphConfig {
        &self.config
    }

    /// `GET /{v}/{phone_number_id}?fields=…`: one health read of a business phone number.
    #[tracing::instrument(name = "graph.phone_number", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn phone_number(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
    ) -> Result<PhoneNumberHealth, GraphError> {
        let mut url = self.url(&[("phone number id", phone_number_id)])?;
        url.query_pairs_mut()
            .append_pair("fields", PHONE_NUMBER_FIELDS);
        self.get_json("phone_number", token, url).await
    }

    /// `GET /{v}/{phone_number_id}?fields=webhook_configuration`: where Meta sends this number's
    /// webhooks (`None` when no callback is configured at any level).
    #[tracing::instrument(name = "graph.webhook_configuration", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn webhook_configuration(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
    ) -> Result<Option<WebhookConfiguration>, GraphError> {
        let mut url = self.url(&[("phone number id", phone_number_id)])?;
        url.query_pairs_mut()
            .append_pair("fields", WEBHOOK_CONFIGURATION_FIELDS);
        let node: WebhookConfigurationNode =
            self.get_json("webhook_configuration", token, url).await?;
        Ok(node.0)
    }

    /// `GET /{v}/{waba_id}?fields=id,name,owner_business_info`.
    #[tracing::instrument(name = "graph.waba", skip_all, fields(waba_id = %waba_id))]
    pub async fn waba(&self, token: &AccessToken, waba_id: &str) -> Result<Waba, GraphError> {
        let mut url = self.url(&[("WABA id", waba_id)])?;
        url.query_pairs_mut().append_pair("fields", WABA_FIELDS);
        self.get_json("waba", token, url).await
    }

    /// `GET /{v}/{waba_id}/phone_numbers?fields=…`, following the paging cursors (at most [`MAX_PAGES`] pages).
    #[tracing::instrument(name = "graph.phone_numbers", skip_all, fields(waba_id = %waba_id))]
    pub async fn phone_numbers(
        &self,
        token: &AccessToken,
        waba_id: &str,
    ) -> Result<Vec<PhoneNumberHealth>, GraphError> {
        let mut url = self.url(&[("WABA id", waba_id), ("edge", "phone_numbers")])?;
        url.query_pairs_mut()
            .append_pair("fields", PHONE_NUMBER_FIELDS)
            .append_pair("limit", PAGE_LIMIT);
        self.get_all_pages("phone_numbers", token, url).await
    }

    /// `GET /{v}/{waba_id}/subscribed_apps`: the apps receiving this WABA's webhooks (empty = none).
    #[tracing::instrument(name = "graph.subscribed_apps", skip_all, fields(waba_id = %waba_id))]
    pub async fn subscribed_apps(
        &self,
        token: &AccessToken,
        waba_id: &str,
    ) -> Result<Vec<SubscribedApp>, GraphError> {
        let url = self.url(&[("WABA id", waba_id), ("edge", "subscribed_apps")])?;
        self.get_all_pages("subscribed_apps", token, url).await
    }

    /// `POST /{v}/{waba_id}/subscribed_apps`: subscribes the token's app to the WABA's webhooks. Not retried.
    #[tracing::instrument(name = "graph.subscribe_app", skip_all, fields(waba_id = %waba_id))]
    pub async fn subscribe_app(
        &self,
        token: &AccessToken,
        waba_id: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[("WABA id", waba_id), ("edge", "subscribed_apps")])?;
        self.post_expect_success("subscribe_app", token, url, None)
            .await
    }

    /// `POST /{v}/{phone_number_id}` with an empty `webhook_configuration.override_callback_uri`:
    /// removes the number's callback override (Meta's documented way to delete it). Greenlight
    /// never sets an override; this only undoes the one older versions set. Not retried.
    #[tracing::instrument(name = "graph.clear_webhook_override", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn clear_webhook_override(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[("phone number id", phone_number_id)])?;
        let body = serde_json::json!({
            "webhook_configuration": { "override_callback_uri": "" }
        });
        self.post_expect_success("clear_webhook_override", token, url, Some(&body))
            .await
    }

    /// `GET /{v}/app`: the Meta app the access token belongs to (its id and name). Tells whether
    /// the token is Greenlight's own app or another one (e.g. a help desk's).
    #[tracing::instrument(name = "graph.token_app", skip_all)]
    pub async fn token_app(&self, token: &AccessToken) -> Result<TokenApp, GraphError> {
        let mut url = self.url(&[("edge", "app")])?;
        url.query_pairs_mut()
            .append_pair("fields", TOKEN_APP_FIELDS);
        self.get_json("token_app", token, url).await
    }

    /// `POST /{v}/{phone_number_id}/register` with the 6-digit two-step verification PIN.
    ///
    /// **Never retried here**: every call counts against Meta's 10 calls per number per 72 hours, whatever the
    /// outcome. The PIN is never logged or put in an error.
    #[tracing::instrument(name = "graph.register", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn register(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
        pin: &str,
    ) -> Result<(), GraphError> {
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GraphError::InvalidRequest(
                "the PIN must be exactly 6 digits".to_owned(),
            ));
        }
        let url = self.url(&[("phone number id", phone_number_id), ("edge", "register")])?;
        let body = serde_json::json!({ "messaging_product": "whatsapp", "pin": pin });
        self.post_expect_success("register", token, url, Some(&body))
            .await
    }

    /// `POST /{v}/{phone_number_id}` with `pin`: sets the number's two-step verification PIN (Meta
    /// needs no old PIN). Not retried: the caller stored the new PIN before the call and decides about a
    /// lost answer. The PIN is never logged or put in an error.
    #[tracing::instrument(name = "graph.set_two_step_pin", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn set_two_step_pin(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
        pin: &str,
    ) -> Result<(), GraphError> {
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GraphError::InvalidRequest(
                "the PIN must be exactly 6 digits".to_owned(),
            ));
        }
        let url = self.url(&[("phone number id", phone_number_id)])?;
        let body = serde_json::json!({ "pin": pin });
        self.post_expect_success("set_two_step_pin", token, url, Some(&body))
            .await
    }

    /// `POST /{v}/{phone_number_id}/request_code` with `code_method` (`SMS` or `VOICE`) and
    /// `language`: Meta sends a verification code to the phone. Not retried (Meta limits code
    /// requests; the caller counts them).
    #[tracing::instrument(name = "graph.request_code", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn request_code(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
        code_method: &str,
        language: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[
            ("phone number id", phone_number_id),
            ("edge", "request_code"),
        ])?;
        let body = serde_json::json!({ "code_method": code_method, "language": language });
        self.post_expect_success("request_code", token, url, Some(&body))
            .await
    }

    /// `POST /{v}/{phone_number_id}/verify_code` with the `code` the phone received. Not retried.
    /// The code is never logged or put in an error.
    #[tracing::instrument(name = "graph.verify_code", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn verify_code(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
        code: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[
            ("phone number id", phone_number_id),
            ("edge", "verify_code"),
        ])?;
        let body = serde_json::json!({ "code": code });
        self.post_expect_success("verify_code", token, url, Some(&body))
            .await
    }

    /// `POST /{v}/{phone_number_id}` with `new_display_name`: asks Meta to review a new display name.
    /// Not retried.
    #[tracing::instrument(name = "graph.request_display_name", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn request_display_name(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
        new_display_name: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[("phone number id", phone_number_id)])?;
        let body = serde_json::json!({ "new_display_name": new_display_name });
        self.post_expect_success("request_display_name", token, url, Some(&body))
            .await
    }

    /// `POST /{v}/{phone_number_id}/deregister`. Never retried (same 10-per-72-hours budget as `register`).
    #[tracing::instrument(name = "graph.deregister", skip_all, fields(phone_number_id = %phone_number_id))]
    pub async fn deregister(
        &self,
        token: &AccessToken,
        phone_number_id: &str,
    ) -> Result<(), GraphError> {
        let url = self.url(&[("phone number id", phone_number_id), ("edge", "deregister")])?;
        self.post_expect_success("deregister", token, url, None)
            .await
    }

    /// `GET /{v}/oauth/access_token?client_id=…&client_secret=…&code=…`: exchanges an Embedded Signup code for a
    /// business token.
    ///
    /// Meta wants these three in the query, so this URL is never logged (no log line or error of this client
    /// contains a URL). Not retried: the code is single-use and lives 30 seconds.
    #[tracing::instrument(name = "graph.exchange_code", skip_all)]
    pub async fn exchange_code(
        &self,
        app_id: &str,
        app_secret: &str,
        code: &str,
    ) -> Result<AccessToken, GraphError> {
        check_segment("app id", app_id)?;
        if app_secret.trim().is_empty() {
            return Err(GraphError::InvalidRequest(
                "the app secret is empty".to_owned(),
            ));
        }
        if code.trim().is_empty() {
            return Err(GraphError::InvalidRequest(
                "the authorization code is empty".to_owned(),
            ));
        }
        let mut url = self.url(&[("edge", "oauth"), ("edge", "access_token")])?;
        url.query_pairs_mut()
            .append_pair("client_id", app_id)
            .append_pair("client_secret", app_secret.trim())
            .append_pair("code", code.trim());
        let (status, body) = self.send("exchange_code", self.http.get(url)).await?;
        if !(200..300).contains(&status) {
            return Err(error_from_answer("exchange_code", status, &body));
        }
        parse_token_answer(status, &body)
    }

    // ----- plumbing -------------------------------------------------------------------------------------------

    /// `{root}/{segment}/{segment}…`, each segment checked to be a plain id-like string.
    fn url(&self, segments: &[(&str, &str)]) -> Result<Url, GraphError> {
        let mut url = self.root.clone();
        {
            let mut path = url.path_segments_mut().map_err(|_| {
                GraphError::InvalidConfig("the Graph API base URL cannot take a path".to_owned())
            })?;
            for (what, segment) in segments {
                check_segment(what, segment)?;
                path.push(segment);
            }
        }
        Ok(url)
    }

    /// GET with the bearer token, retrying throttled/transient failures.
    async fn get_json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        token: &AccessToken,
        url: Url,
    ) -> Result<T, GraphError> {
        let (status, body) = self.get_with_retries(operation, token, url).await?;
        parse_success(status, &body)
    }

    async fn get_with_retries(
        &self,
        operation: &'static str,
        token: &AccessToken,
        url: Url,
    ) -> Result<(u16, Vec<u8>), GraphError> {
        check_token(token)?;
        let mut retries_done = 0u32;
        loop {
            let request = self
                .http
                .get(url.clone())
                .bearer_auth(token.expose_secret());
            let result = match self.send(operation, request).await {
                Ok((status, body)) if (200..300).contains(&status) => return Ok((status, body)),
                Ok((status, body)) => error_from_answer(operation, status, &body),
                Err(error) => error,
            };
            let kind = result.kind();
            if !kind.is_retryable() || retries_done >= self.config.read_retries {
                return Err(result);
            }
            let delay = retry_delay(self.config.retry_base_delay, retries_done);
            tracing::debug!(
                operation,
                retry = retries_done + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                kind = %kind,
                "retrying Graph API read"
            );
            tokio::time::sleep(delay).await;
            retries_done += 1;
        }
    }

    /// Follows `after` cursors until Meta stops sending `paging.next`.
    async fn get_all_pages<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        token: &AccessToken,
        first: Url,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut seen_cursors = HashSet::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = first.clone();
            if let Some(cursor) = &after {
                url.query_pairs_mut().append_pair("after", cursor);
            }
            let (status, body) = self.get_with_retries(operation, token, url).await?;
            let page =
                ListPage::<T>::parse(&body).map_err(|error| GraphError::MalformedResponse {
                    http_status: status,
                    description: describe_json_error(&error),
                })?;
            items.extend(page.data);
            match page.next_after {
                None => return Ok(items),
                Some(cursor) => {
                    if !seen_cursors.insert(cursor.clone()) {
                        return Err(GraphError::MalformedResponse {
                            http_status: status,
                            description: "the paging cursor repeated".to_owned(),
                        });
                    }
                    after = Some(cursor);
                }
            }
        }
        Err(GraphError::TooManyPages { pages: MAX_PAGES })
    }

    /// POST once (never retried); the answer must be `{"success": true}`.
    async fn post_expect_success(
        &self,
        operation: &'static str,
        token: &AccessToken,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<(), GraphError> {
        check_token(token)?;
        let mut request = self.http.post(url).bearer_auth(token.expose_secret());
        request = match body {
            Some(body) => request.json(body),
            None => request.header(reqwest::header::CONTENT_LENGTH, "0"),
        };
        let (status, answer) = self.send(operation, request).await?;
        if !(200..300).contains(&status) {
            return Err(error_from_answer(operation, status, &answer));
        }
        let success: SuccessAnswer = parse_success(status, &answer)?;
        if success.success == Some(true) {
            Ok(())
        } else {
            Err(GraphError::MalformedResponse {
                http_status: status,
                description: "the answer did not say \"success\": true".to_owned(),
            })
        }
    }

    /// Sends one request and reads the body (bounded), counted and timed in the metrics under its
    /// operation and outcome. Transport failures become typed errors without any URL.
    async fn send(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), GraphError> {
        let start = std::time::Instant::now();
        let result = self.send_unmeasured(operation, request).await;
        let outcome = match &result {
            Ok((status, _)) if (200..300).contains(status) => "ok",
            Ok((status, body)) => parse_error_body(*status, body)
                .map(|api| api.kind())
                .unwrap_or_else(|| GraphErrorKind::classify(Some(*status), None, None))
                .as_str(),
            Err(e) => e.kind().as_str(),
        };
        crate::metrics::graph_call(operation, outcome, start.elapsed());
        result
    }

    async fn send_unmeasured(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), GraphError> {
        let mut response = request
            .send()
            .await
            .map_err(|error| transport_error(operation, error))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport_error(operation, error))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(GraphError::MalformedResponse {
                    http_status: status,
                    description: format!(
                        "the answer is larger than {} MiB",
                        MAX_BODY_BYTES / (1024 * 1024)
                    ),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

#[derive(Deserialize)]
struct SuccessAnswer {
    #[serde(default, deserialize_with = "lenient")]
    success: Option<bool>,
}

/// No `Debug`: it holds a fresh token.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

/// `{"access_token": "...", "token_type": "bearer"}`; Meta's docs also show the bare token as the body.
fn parse_token_answer(status: u16, body: &[u8]) -> Result<AccessToken, GraphError> {
    let parsed = serde_json::from_slice::<JsonObject>(body).and_then(from_object::<TokenAnswer>);
    if let Ok(answer) = parsed {
        let token = AccessToken::new(answer.access_token);
        if !token.is_empty() {
            return Ok(token);
        }
    } else if let Ok(text) = std::str::from_utf8(body) {
        let text = text.trim();
        let looks_like_token = !text.is_empty()
            && text.len() <= 4096
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'|'));
        if looks_like_token {
            return Ok(AccessToken::new(text));
        }
    }
    Err(GraphError::MalformedResponse {
        http_status: status,
        description: "the answer carried no access token".to_owned(),
    })
}

/// Parses a 2xx body as `T`. A 2xx carrying an error envelope is an API error.
fn parse_success<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, GraphError> {
    // Answers are JSON objects; reading through a map refuses arrays, which serde would otherwise read
    // positionally into a struct.
    let parsed = serde_json::from_slice::<JsonObject>(body).and_then(from_object::<T>);
    match parsed {
        Ok(value) => Ok(value),
        Err(error) => match parse_error_body(status, body) {
            Some(api) => Err(GraphError::Api(Box::new(api))),
            None if body.is_empty() => Err(GraphError::MalformedResponse {
                http_status: status,
                description: "the answer was empty".to_owned(),
            }),
            None => Err(GraphError::MalformedResponse {
                http_status: status,
                description: describe_json_error(&error),
            }),
        },
    }
}

/// The error for a non-2xx answer: Meta's envelope when there is one, else a malformed-response error.
fn error_from_answer(operation: &'static str, status: u16, body: &[u8]) -> GraphError {
    match parse_error_body(status, body) {
        Some(api) => {
            tracing::warn!(
                operation,
                http_status = api.http_status,
                code = api.code,
                subcode = api.subcode,
                kind = %api.kind(),
                fbtrace_id = api.fbtrace_id.as_deref().unwrap_or("-"),
                meta_message = %api.message,
                "Graph API answered with an error"
            );
            GraphError::Api(Box::new(api))
        }
        None => {
            let description = if body.is_empty() {
                "the error answer was empty".to_owned()
            } else {
                match serde_json::from_slice::<serde_json::Value>(body) {
                    Ok(_) => "the error answer is JSON but not a Graph error".to_owned(),
                    Err(error) => describe_json_error(&error),
                }
            };
            tracing::warn!(operation, http_status = status, %description, "Graph API answered with an unexpected body");
            GraphError::MalformedResponse {
                http_status: status,
                description,
            }
        }
    }
}

fn transport_error(operation: &'static str, error: reqwest::Error) -> GraphError {
    let typed = if error.is_timeout() {
        GraphError::Timeout
    } else if error.is_connect() {
        GraphError::Connect
    } else if error.is_builder() {
        GraphError::InvalidRequest("the request could not be built".to_owned())
    } else {
        GraphError::Transport
    };
    // `without_url`: a URL may carry the app secret (exchange_code).
    let error = error.without_url();
    tracing::warn!(operation, error = %error, "Graph API request failed");
    typed
}

/// Back-off before retry number `retries_done + 1`: `base · 2^retries_done`, jittered into `[½, 1]` of that,
/// capped at 30 s.
fn retry_delay(base: Duration, retries_done: u32) -> Duration {
    let factor = 2u32.saturating_pow(retries_done.min(16));
    let full = base.saturating_mul(factor).min(MAX_RETRY_DELAY);
    let full_nanos = u64::try_from(full.as_nanos()).unwrap_or(u64::MAX);
    if full_nanos == 0 {
        return Duration::ZERO;
    }
    let jittered = rand::thread_rng().gen_range(full_nanos / 2..=full_nanos);
    Duration::from_nanos(jittered)
}

fn check_token(token: &AccessToken) -> Result<(), GraphError> {
    if token.is_empty() {
        Err(GraphError::InvalidRequest(
            "the access token is empty".to_owned(),
        ))
    } else {
        Ok(())
    }
}

/// Ids and path words: 1–128 characters of `A–Z a–z 0–9 _ - .`, not `.`/`..`.
fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 128
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check_segment(what: &str, segment: &str) -> Result<(), GraphError> {
    if is_safe_segment(segment) {
        Ok(())
    } else {
        Err(GraphError::InvalidRequest(format!(
            "the {what} is not a valid Graph id"
        )))
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "client_fuzz_tests.rs"]
mod fuzz_tests;
