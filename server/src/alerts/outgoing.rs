//! Per-account outgoing webhooks: every alert is POSTed as JSON (or a Slack-compatible
//! `{"text": ...}`) signed with HMAC-SHA256 of the body in `X-Greenlight-Signature-256:
//! sha256=<hex>`, retried with back-off, each try logged with its status code.
//!
//! Webhook URLs are credentials (a Slack URL is enough to post into a channel): they are stored
//! sealed and shown only masked (scheme, host, `/…`). Where a request may go is decided in
//! [`super::address`]; test sends are rate limited per webhook and an account has at most
//! [`MAX_WEBHOOKS_PER_ACCOUNT`] webhooks.

use app::auth::CurrentUser;
use app::error::AppError;
use app::i18n::Locale;
use app::tr;
use chrono::{TimeZone, Utc};
use serde::Serialize;
use serde_json::json;

use super::address::{self, Refused};
use super::http::TIMEOUT;
pub use super::http::{OutgoingHttp, TEST_SEND_PERIOD};
use super::rules::Severity;
use super::store::{AlertRow, DeliveryRow, OutgoingWebhookRow, SealedWebhook};
use super::AlertJobs;
use super::AlertService;
use crate::crypto::{CryptoError, WEBHOOK_SECRET, WEBHOOK_URL};
use crate::db::now_secs;
use crate::error::ServiceResult;
use crate::webhooks::signature;

/// The signature header of Greenlight's outgoing webhooks.
pub const SIGNATURE_HEADER: &str = "x-greenlight-signature-256";
/// Pause before each retry; after the last one the delivery is marked failed.
pub const BACKOFF: [i64; 5] = [30, 120, 600, 3600, 6 * 3600];
/// At most this many outgoing webhooks per account (each alert fans out to all of them).
pub const MAX_WEBHOOKS_PER_ACCOUNT: i64 = 20;

/// The form of a webhook URL that may be shown: scheme, host and port, then `/…`.
pub fn masked(url: &url::Url) -> String {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{}://{}{port}/…",
        url.scheme(),
        url.host_str().unwrap_or_default()
    )
}

/// Escapes the three characters Slack's `mrkdwn` treats as control characters, so an inbox name
/// or Meta's text cannot inject links or mentions (`<!channel>`).
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An outgoing webhook as the API shows it (never the secret; the URL masked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: i64,
    /// Masked: scheme, host, `/…` (see [`masked`]).
    pub url: String,
    pub format: String,
    pub enabled: bool,
    pub created_at: i64,
}

impl From<&OutgoingWebhookRow> for WebhookView {
    fn from(r: &OutgoingWebhookRow) -> Self {
        WebhookView {
            id: r.id,
            url: r.url.clone(),
            format: r.format.clone(),
            enabled: r.enabled,
            created_at: r.created_at,
        }
    }
}

/// One delivery as the delivery log shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub alert_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&DeliveryRow> for DeliveryView {
    fn from(r: &DeliveryRow) -> Self {
        DeliveryView {
            id: r.id,
            alert_id: r.alert_id,
            status: r.status.clone(),
            attempts: r.attempts,
            status_code: r.status_code,
            error: r.error.clone(),
            next_attempt_at: (r.status == "pending").then_some(r.next_attempt_at),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The body sent for an alert in the webhook's format.
pub fn payload(format: &str, alert: &AlertRow, inbox_name: Option<&str>) -> String {
    if format == "slack" {
        let icon = match alert.severity {
            Severity::Critical => ":red_circle:",
            Severity::Warning => ":large_yellow_circle:",
            Severity::Info | Severity::Other(_) => ":large_green_circle:",
        };
        let text = format!(
            "{icon} *{}*\n{}",
            slack_escape(&alert.title),
            slack_escape(&alert.body)
        );
        return json!({ "text": text }).to_string();
    }
    let at = Utc
        .timestamp_opt(alert.created_at, 0)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "event": "alert",
        "alert": {
            "id": alert.id,
            "kind": alert.kind,
            "severity": alert.severity.as_str(),
            "title": alert.title,
            "body": alert.body,
            "created_at": at,
        },
        "account_id": alert.account_id,
        "inbox": alert.inbox_id.map(|id| json!({"id": id, "name": inbox_name})),
    })
    .to_string()
}

/// Queues a delivery of `alert` to every enabled webhook of its account.
pub async fn enqueue(
    services: &AlertJobs,
    alert: &AlertRow,
    inbox_name: Option<&str>,
) -> ServiceResult<usize> {
    let mut n = 0;
    for hook in services.store.webhooks(alert.account_id).await? {
        if !hook.enabled {
            continue;
        }
        let body = payload(&hook.format, alert, inbox_name);
        let now = now_secs();
        services
            .store
            .insert_delivery(hook.id, Some(alert.id), &body, now, now)
            .await?;
        n += 1;
    }
    if n > 0 {
        services.alert_wake.notify_one();
    }
    Ok(n)
}

/// Sends every due delivery once (claiming each first, so two passes never send one twice).
pub async fn deliver_due(services: &AlertJobs) -> ServiceResult<usize> {
    let now = now_secs();
    let due = services.store.due_deliveries(now, 50).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let http = services.alerts.http.client.clone();
    let mut sent = 0;
    for d in due {
        let claimed = services
            .store
            .claim_delivery(d.id, d.next_attempt_at, now + TIMEOUT.as_secs() as i64 * 3)
            .await?;
        if claimed {
            try_once(&services.alerts, &http, &d).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// One try of a delivery; records the outcome and schedules the retry.
async fn try_once(
    alerts: &AlertService,
    http: &reqwest::Client,
    d: &DeliveryRow,
) -> ServiceResult<()> {
    let Some(hook) = alerts.store.webhook_unscoped(d.webhook_id).await? else {
        return Ok(());
    };
    let outcome = match open_webhook(alerts, &hook) {
        // Not retried: the row cannot open later either (another key sealed it, or it was copied
        // from another webhook); one such row must not stop the deliveries of the others.
        Err(e) => {
            tracing::warn!(webhook_id = hook.id, error = %e, "alerts: the webhook's stored URL or secret does not open");
            Outcome::Refused(
                "refused: the stored URL or secret cannot be opened; add the webhook again"
                    .to_string(),
            )
        }
        Ok((secret, url)) => match url::Url::parse(&url) {
            Err(_) => Outcome::Refused("refused: the stored URL is not valid".to_string()),
            Ok(target) => {
                match address::check_url(&target, alerts.http.allows_private_networks()) {
                    Err(r) => Outcome::Refused(format!("refused: {r}")),
                    Ok(()) => {
                        let sig = signature::sign(&secret, d.payload.as_bytes());
                        let result = http
                            .post(target)
                            .header("content-type", "application/json")
                            .header("user-agent", "Greenlight-Webhooks/1")
                            .header(SIGNATURE_HEADER, sig)
                            .header("x-greenlight-delivery", d.id.to_string())
                            .body(d.payload.clone())
                            .send()
                            .await;
                        match result {
                            Ok(r) => Outcome::Answered(r.status().as_u16() as i64),
                            Err(e) => match address::refusal_in(&e) {
                                Some(r) => Outcome::Refused(format!("refused: {r}")),
                                None if e.is_timeout() => Outcome::Failed("timed out"),
                                None if e.is_connect() => Outcome::Failed("could not connect"),
                                None => Outcome::Failed("request failed"),
                            },
                        }
                    }
                }
            }
        },
    };
    let (code, error) = match &outcome {
        Outcome::Answered(c) => (Some(*c), None),
        Outcome::Failed(e) => (None, Some(e.to_string())),
        Outcome::Refused(e) => (None, Some(e.clone())),
    };
    let ok = code.is_some_and(|c| (200..300).contains(&c));
    let now = now_secs();
    let attempt = d.attempts as usize; // tries before this one
    let (status, next) = if ok {
        ("delivered", now)
    } else if matches!(outcome, Outcome::Refused(_)) {
        // Retrying an address the policy forbids cannot succeed: give up at once.
        ("failed", now)
    } else if let Some(delay) = BACKOFF.get(attempt) {
        ("pending", now + delay)
    } else {
        ("failed", now)
    };
    crate::metrics::alert_delivery(match status {
        "pending" => "retry",
        other => other,
    });
    let error = error.or_else(|| (!ok).then(|| format!("HTTP {}", code.unwrap_or_default())));
    alerts
        .store
        .record_try(d.id, status, code, error.as_deref(), next, now)
        .await?;
    tracing::info!(
        delivery_id = d.id,
        webhook_id = hook.id,
        status,
        status_code = code,
        "alerts: outgoing webhook try"
    );
    Ok(())
}

/// The webhook's signing secret and full URL, opened (an empty URL for a row whose plain URL is
/// not sealed yet: `seal_stored_urls` seals those at start-up, and an empty URL is not sent).
fn open_webhook(
    alerts: &AlertService,
    hook: &OutgoingWebhookRow,
) -> Result<(String, String), CryptoError> {
    let secret = alerts
        .secrets
        .open_bound(&hook.secret_sealed, WEBHOOK_SECRET.at(hook.id))?;
    let url = match &hook.url_sealed {
        Some(sealed) => alerts.secrets.open_bound(sealed, WEBHOOK_URL.at(hook.id))?,
        None => String::new(),
    };
    Ok((secret, url))
}

/// How one try ended.
enum Outcome {
    /// The receiver answered with this status code.
    Answered(i64),
    /// No answer (timeout, connection refused…).
    Failed(&'static str),
    /// Not sent: the URL or the address it resolves to is not allowed.
    Refused(String),
}

fn valid_url(raw: &str, l: Locale) -> Result<url::Url, AppError> {
    let bad = || AppError::invalid("url", tr!(l, errors.alerts.url_invalid));
    let url = url::Url::parse(raw.trim()).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    if url.as_str().len() > 500 {
        return Err(AppError::invalid("url", tr!(l, errors.alerts.url_too_long)));
    }
    Ok(url)
}

/// Refuses, at creation, a URL whose literal host or resolved addresses are not allowed (the
/// same rule is applied again at every connect: DNS answers can change). Refused in `l`.
async fn allowed_destination(
    url: &url::Url,
    allow_private: bool,
    l: Locale,
) -> Result<(), AppError> {
    let refused = |r: Refused| {
        AppError::invalid("url", tr!(l, errors.alerts.destination_refused, reason = r))
    };
    address::check_url(url, allow_private).map_err(refused)?;
    if allow_private {
        return Ok(());
    }
    if let Some(url::Host::Domain(host)) = url.host() {
        // A name that does not resolve yet is accepted: each delivery resolves it again.
        if let Err(address::ResolveError::Refused(r)) = address::resolve_allowed(host).await {
            return Err(refused(r));
        }
    }
    Ok(())
}

impl AlertService {
    /// The account's outgoing webhooks (administrators).
    pub async fn alert_webhooks(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<Vec<WebhookView>> {
        crate::accounts::service::require_admin(user, account_id)?;
        Ok(self
            .store
            .webhooks(account_id)
            .await?
            .iter()
            .map(WebhookView::from)
            .collect())
    }

    /// Adds an outgoing webhook (administrators). `format` is `json` (default) or `slack`; the
    /// secret (at least 16 characters) is stored sealed and never shown again.
    pub async fn create_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        url: &str,
        secret: &str,
        format: Option<&str>,
    ) -> ServiceResult<WebhookView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let l = user.locale;
        let url = valid_url(url, l)?;
        allowed_destination(&url, self.http.allows_private_networks(), l).await?;
        if self.store.count_webhooks(account_id).await? >= MAX_WEBHOOKS_PER_ACCOUNT {
            return Err(AppError::Conflict(tr!(
                l,
                errors.alerts.too_many,
                max = MAX_WEBHOOKS_PER_ACCOUNT
            ))
            .into());
        }
        let format = match format.unwrap_or("json") {
            f @ ("json" | "slack") => f,
            _ => {
                return Err(
                    AppError::invalid("format", tr!(l, errors.alerts.format_invalid)).into(),
                )
            }
        };
        if secret.chars().count() < 16 || secret.chars().count() > 200 {
            return Err(AppError::invalid("secret", tr!(l, errors.alerts.secret_length)).into());
        }
        let id = self
            .store
            .insert_webhook(account_id, &masked(&url), format, now_secs(), |id| {
                SealedWebhook {
                    url_sealed: self.secrets.seal_bound(url.as_str(), WEBHOOK_URL.at(id)),
                    secret_sealed: self.secrets.seal_bound(secret, WEBHOOK_SECRET.at(id)),
                }
            })
            .await?;
        let row = self
            .store
            .webhook(account_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(WebhookView::from(&row))
    }

    /// Removes an outgoing webhook (administrators).
    pub async fn delete_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> ServiceResult<()> {
        crate::accounts::service::require_admin(user, account_id)?;
        if self.store.delete_webhook(account_id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound.into())
        }
    }

    /// Sends a test alert now and answers with the delivery (retried later like any other when it
    /// fails). One test per webhook per [`TEST_SEND_PERIOD`].
    pub async fn test_alert_webhook(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> ServiceResult<DeliveryView> {
        crate::accounts::service::require_admin(user, account_id)?;
        let hook = self
            .store
            .webhook(account_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.http
            .take_test_send(hook.id)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let alert = AlertRow {
            id: 0,
            account_id,
            inbox_id: None,
            kind: super::rules::kind::TEST.into(),
            severity: "info".into(),
            title: "Greenlight test alert".into(),
            body: "This is a test: Greenlight can reach this webhook.".into(),
            params: None,
            created_at: now_secs(),
        };
        let body = payload(&hook.format, &alert, None);
        let now = now_secs();
        let delivery_id = self
            .store
            .insert_delivery(hook.id, None, &body, now, now + 3600)
            .await?;
        let row = self
            .store
            .delivery(delivery_id)
            .await?
            .ok_or(AppError::NotFound)?;
        try_once(self, &self.http.client, &row).await?;
        let row = self
            .store
            .delivery(delivery_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(DeliveryView::from(&row))
    }

    /// The delivery log of an outgoing webhook, newest first (administrators).
    pub async fn alert_webhook_deliveries(
        &self,
        user: &CurrentUser,
        account_id: i64,
        id: i64,
    ) -> ServiceResult<Vec<DeliveryView>> {
        crate::accounts::service::require_admin(user, account_id)?;
        self.store
            .webhook(account_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(self
            .store
            .deliveries(id, 100)
            .await?
            .iter()
            .map(DeliveryView::from)
            .collect())
    }
}

/// Seals the URLs stored in plain text before migration 0008 (once, at start-up): the full URL
/// moves to `url_sealed` and `url` keeps only the masked form.
pub async fn seal_stored_urls(services: &AlertJobs) -> ServiceResult<usize> {
    let plain = services.store.unsealed_urls().await?;
    for (id, url) in &plain {
        let shown = url::Url::parse(url)
            .map(|u| masked(&u))
            .unwrap_or_else(|_| "(invalid URL)".to_string());
        let sealed = services.secrets.seal_bound(url, WEBHOOK_URL.at(*id));
        services.store.set_sealed_url(*id, &shown, &sealed).await?;
    }
    if !plain.is_empty() {
        tracing::info!(count = plain.len(), "alerts: sealed stored webhook URLs");
    }
    Ok(plain.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(title: &str, body: &str) -> AlertRow {
        AlertRow {
            id: 1,
            account_id: 1,
            inbox_id: None,
            kind: "test".into(),
            severity: "critical".into(),
            title: title.into(),
            body: body.into(),
            params: None,
            created_at: 0,
        }
    }

    #[test]
    fn slack_payloads_escape_control_characters() {
        let a = alert(
            "Inbox <!channel> & co",
            "Quality <https://evil.example|click> > red",
        );
        let body: serde_json::Value = serde_json::from_str(&payload("slack", &a, None)).unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(text.contains("Inbox &lt;!channel&gt; &amp; co"), "{text}");
        assert!(
            text.contains("Quality &lt;https://evil.example|click&gt; &gt; red"),
            "{text}"
        );
        assert!(!text.contains('<') && !text.contains("> red"), "{text}");
        // JSON payloads carry the text as it is.
        let json: serde_json::Value = serde_json::from_str(&payload("json", &a, None)).unwrap();
        assert_eq!(json["alert"]["title"], "Inbox <!channel> & co");
    }

    #[test]
    fn masked_urls_keep_only_scheme_host_and_port() {
        let m = |u: &str| masked(&url::Url::parse(u).unwrap());
        assert_eq!(
            m("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            m("http://127.0.0.1:8080/hook?k=v"),
            "http://127.0.0.1:8080/…"
        );
        assert_eq!(m("https://user:pw@[::1]/x"), "https://[::1]/…");
    }
}
