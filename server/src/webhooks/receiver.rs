//! `GET /webhooks/whatsapp` (Meta's verification handshake) and `POST /webhooks/whatsapp` (signed
//! event delivery: verified, stored in the queue, answered 200 at once, processed later).
use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::signature::{self, tokens_equal};
use super::{payload, store as queue};
use crate::db::now_secs;
use crate::metrics::WebhookRejection;

/// What Meta's webhook doors need: the queue, the inboxes (their handshake tokens) and Meta's webhook settings (secret,
/// handshake token, the processor's wake-up). Taken from the router's state.
#[derive(Clone)]
pub struct Inbound {
    pub queue: queue::WebhookStore,
    pub inboxes: crate::inboxes::store::InboxStore,
    pub meta_webhooks: super::MetaWebhooks,
}

/// The handshake: `hub.mode=subscribe` and a known `hub.verify_token` (the configured
/// `META_WEBHOOK_VERIFY_TOKEN` or an inbox's own token) → 200 with `hub.challenge` as plain text;
/// anything else 403.
pub async fn verify(
    State(services): State<Inbound>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let forbidden = || (StatusCode::FORBIDDEN, "Forbidden").into_response();
    if q.get("hub.mode").map(String::as_str) != Some("subscribe") {
        return forbidden();
    }
    let (Some(token), Some(challenge)) = (q.get("hub.verify_token"), q.get("hub.challenge")) else {
        return forbidden();
    };
    if handshake_budget().check().is_err() {
        tracing::warn!("webhooks: too many handshakes, refused");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "10")],
            "Too many requests",
        )
            .into_response();
    }
    if token.is_empty() || !known_token(&services, token).await {
        tracing::warn!("webhooks: handshake with an unknown verify token refused");
        return forbidden();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        challenge.clone(),
    )
        .into_response()
}

async fn known_token(services: &Inbound, token: &str) -> bool {
    let configured = services
        .meta_webhooks
        .verify_token
        .as_deref()
        .is_some_and(|t| tokens_equal(t, token));
    // An inbox's own token (set by versions that used per-number overrides), by digest: the
    // index answers without reading any token, and a digest says nothing about the others.
    let inbox = match services.inboxes.has_verify_token(token).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "webhooks: looking up a verify token failed");
            false
        }
    };
    configured || inbox
}

/// Handshakes are rare (Meta sends one when the callback URL is saved): a small budget for the
/// whole process stops anyone from using the endpoint to guess verify tokens.
fn handshake_budget() -> &'static governor::DefaultDirectRateLimiter {
    static BUDGET: std::sync::OnceLock<governor::DefaultDirectRateLimiter> =
        std::sync::OnceLock::new();
    BUDGET.get_or_init(|| {
        governor::RateLimiter::direct(
            governor::Quota::per_minute(std::num::NonZeroU32::new(30).expect("non-zero"))
                .allow_burst(std::num::NonZeroU32::new(10).expect("non-zero")),
        )
    })
}

/// Event delivery. 503 without `META_APP_SECRET`; 401 without a valid signature (nothing
/// stored); 400 for a body that is not the envelope; else every change of a handled field is
/// stored (duplicates once; other fields are dropped unread), the processor is woken, and Meta
/// gets 200 at once.
pub async fn receive(State(services): State<Inbound>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = services.meta_webhooks.app_secret.clone() else {
        tracing::warn!(
            "webhooks: a webhook arrived but META_APP_SECRET is not set, so its signature cannot be checked; refused"
        );
        crate::metrics::webhook_rejected(WebhookRejection::NotConfigured);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "Webhooks are not configured (META_APP_SECRET is missing).",
        )
            .into_response();
    };
    let sig = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    if !signature::verify(&secret, &body, sig) {
        tracing::warn!(
            signature_present = sig.is_some(),
            bytes = body.len(),
            "webhooks: invalid or missing X-Hub-Signature-256; refused"
        );
        crate::metrics::webhook_rejected(WebhookRejection::Signature);
        return (StatusCode::UNAUTHORIZED, "Invalid signature").into_response();
    }
    let mut changes = match payload::parse(&body) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(reason = %e, bytes = body.len(), "webhooks: malformed webhook body");
            crate::metrics::webhook_rejected(WebhookRejection::Malformed);
            return (StatusCode::BAD_REQUEST, "Malformed JSON").into_response();
        }
    };
    // Customer content (messages, statuses, echoes…) goes no further than this point: not stored,
    // not logged (only how many), never shown.
    let before = changes.len();
    changes.retain(|c| payload::is_handled(&c.field));
    let dropped = before - changes.len();
    let now = now_secs();
    let (mut stored, mut duplicates) = (0usize, 0usize);
    for c in &changes {
        match services.queue.insert(c, now).await {
            Ok(true) => stored += 1,
            Ok(false) => duplicates += 1,
            Err(e) => {
                tracing::error!(error = %e, "webhooks: storing an event failed");
                // Meta retries on anything but 200: nothing is lost.
                crate::metrics::webhook_rejected(WebhookRejection::Storage);
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again").into_response();
            }
        }
    }
    tracing::info!(stored, duplicates, dropped, "webhooks: received");
    crate::metrics::webhook_received(stored, duplicates, dropped);
    if stored > 0 {
        services.meta_webhooks.wake.notify_one();
    }
    StatusCode::OK.into_response()
}
