//! Meta-style webhooks: the `whatsapp_business_account` envelope, value shapes of the health
//! fields, and signed delivery (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact body
//! bytes, keyed with the app secret>`).

use std::future::Future;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{Simulator, WebhookDelivery};

/// Delivery attempts per webhook (the first try plus retries) and the pause before each retry.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(2)];

/// `phone_number_name_update` value. `rejection_reason` is `null` unless rejected.
pub fn name_update_value(
    display_digits: &str,
    decision: &str,
    requested_verified_name: &str,
    rejection_reason: Option<&str>,
) -> Value {
    json!({
        "display_phone_number": display_digits,
        "decision": decision,
        "requested_verified_name": requested_verified_name,
        "rejection_reason": rejection_reason,
    })
}

/// `phone_number_quality_update` value carrying both shapes Meta has sent: the legacy
/// `current_limit` and the current `max_daily_conversations_per_business`.
pub fn quality_update_value(display_digits: &str, event: &str, limit: &str) -> Value {
    json!({
        "display_phone_number": display_digits,
        "event": event,
        "current_limit": limit,
        "max_daily_conversations_per_business": limit,
    })
}

/// Legacy `phone_number_quality_update` value (`old_limit` only for limit changes).
pub fn quality_update_legacy_value(
    display_digits: &str,
    event: &str,
    current_limit: &str,
    old_limit: Option<&str>,
) -> Value {
    let mut v = json!({"display_phone_number": display_digits, "event": event,
                       "current_limit": current_limit});
    if let Some(old) = old_limit {
        v["old_limit"] = json!(old);
    }
    v
}

/// `account_update` value: `{"event": event, ...extra}`, e.g. event `ACCOUNT_RESTRICTION` with
/// `{"restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":1641330498}]}`
/// or `DISABLED_UPDATE` with `{"ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"April 17, 2025"}}`.
pub fn account_update_value(event: &str, extra: Value) -> Value {
    let mut v = json!({ "event": event });
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
}

/// The envelope Meta posts, as the exact bytes sent: non-ASCII characters are escaped as
/// `\uXXXX` the way Meta's JSON encoder does, so a receiver must hash the raw bytes.
pub fn envelope(waba_id: &str, time: i64, changes: &[(String, Value)]) -> Vec<u8> {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(field, value)| json!({"value": value, "field": field}))
        .collect();
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "time": time, "changes": changes}],
    });
    escape_non_ascii(&body.to_string()).into_bytes()
}

fn escape_non_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `sha256=<lower-case hex HMAC-SHA256(app_secret, body)>`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Runs `fut` on the current tokio runtime, or on a short-lived one when called outside tokio.
fn spawn_background<F>(fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(fut);
        }
        Err(_) => {
            std::thread::spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(fut),
                    Err(e) => tracing::warn!(error = %e, "simulator: no runtime for webhooks"),
                }
            });
        }
    }
}

/// How the simulator delivers webhooks, beyond Meta's happy path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebhookOptions {
    /// Send every webhook twice (Meta delivers at least once).
    pub duplicate: bool,
    /// Keep webhooks back until [`Simulator::release_webhooks`] sends them, in the order it is
    /// given (e.g. newest first: out of order).
    pub hold: bool,
}

/// A signed webhook ready to send.
#[derive(Clone, Debug)]
pub(crate) struct HeldWebhook {
    url: String,
    fields: Vec<String>,
    body: Vec<u8>,
    signature: String,
}

/// In which order held webhooks go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseOrder {
    /// Oldest first.
    AsEmitted,
    /// Newest first.
    Reversed,
}

/// Posts one webhook to the configured target in the background, retrying on failure; every
/// attempt is recorded. Like Meta, sends nothing when there is no target or when the app is not
/// subscribed to the WABA (`subscribed_apps`).
pub(crate) fn deliver(sim: &Simulator, waba_id: &str, changes: Vec<(String, Value)>) {
    let (target, time, subscribed, options) = {
        let st = sim.lock();
        (
            st.webhook.clone(),
            st.now().timestamp(),
            st.wabas.get(waba_id).is_some_and(|w| w.subscribed),
            st.webhook_options,
        )
    };
    let Some(target) = target else {
        tracing::debug!(waba_id, "simulator: no webhook target; webhook not sent");
        return;
    };
    if !subscribed {
        tracing::debug!(
            waba_id,
            "simulator: app not subscribed to the WABA; webhook not sent"
        );
        return;
    }
    let body = envelope(waba_id, time, &changes);
    let hook = HeldWebhook {
        url: target.url.clone(),
        fields: changes.iter().map(|(f, _)| f.clone()).collect(),
        signature: signature(&target.app_secret, &body),
        body,
    };
    let copies = if options.duplicate { 2 } else { 1 };
    let batch = vec![hook; copies];
    if options.hold {
        sim.lock().held_webhooks.extend(batch);
        return;
    }
    send_in_order(sim, batch);
}

/// Sends the held webhooks, one after the other in `order`; returns how many.
pub(crate) fn release(sim: &Simulator, order: ReleaseOrder) -> usize {
    let mut held = std::mem::take(&mut sim.lock().held_webhooks);
    if order == ReleaseOrder::Reversed {
        held.reverse();
    }
    let count = held.len();
    send_in_order(sim, held);
    count
}

/// One background task sends `hooks` in order (each with its retries) so that the order is kept.
fn send_in_order(sim: &Simulator, hooks: Vec<HeldWebhook>) {
    if hooks.is_empty() {
        return;
    }
    let sim = sim.clone();
    spawn_background(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "simulator: cannot build HTTP client");
                return;
            }
        };
        for hook in hooks {
            send_with_retries(&sim, &client, &hook).await;
        }
    });
}

async fn send_with_retries(sim: &Simulator, client: &reqwest::Client, hook: &HeldWebhook) {
    for attempt in 1..=(RETRY_DELAYS.len() as u32 + 1) {
        let result = client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &hook.signature)
            .header("user-agent", "facebookexternalua")
            .body(hook.body.clone())
            .send()
            .await;
        let (status, error) = match result {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        {
            let mut st = sim.lock();
            let at = st.now();
            st.deliveries.push(WebhookDelivery {
                url: hook.url.clone(),
                fields: hook.fields.clone(),
                body: String::from_utf8_lossy(&hook.body).into_owned(),
                signature: hook.signature.clone(),
                attempt,
                status,
                error,
                at,
            });
        }
        if delivered {
            return;
        }
        if let Some(pause) = RETRY_DELAYS.get(attempt as usize - 1) {
            tokio::time::sleep(*pause).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_meta_shape() {
        let body = envelope(
            "102290129340398",
            1739321024,
            &[(
                "phone_number_name_update".into(),
                name_update_value("15550783881", "APPROVED", "Café Ünïcode 🌵", None),
            )],
        );
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.is_ascii());
        assert!(text.contains(r"Caf\u00e9"));
        assert!(text.contains(r"\ud83c\udf35"));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["object"], "whatsapp_business_account");
        assert_eq!(v["entry"][0]["id"], "102290129340398");
        assert_eq!(v["entry"][0]["time"], 1739321024);
        let change = &v["entry"][0]["changes"][0];
        assert_eq!(change["field"], "phone_number_name_update");
        assert_eq!(
            change["value"]["requested_verified_name"],
            "Café Ünïcode 🌵"
        );
        assert!(change["value"]["rejection_reason"].is_null());
    }

    #[test]
    fn signature_is_hex_hmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published vector.
        assert_eq!(
            signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn account_update_merges_extra() {
        let v = account_update_value(
            "DISABLED_UPDATE",
            json!({"ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "April 17, 2025"}}),
        );
        assert_eq!(v["event"], "DISABLED_UPDATE");
        assert_eq!(v["ban_info"]["waba_ban_state"], "DISABLE");
    }
}
