//! Wire types of the activity log (audit trail) and of in-app notifications, shared by the
//! server and the UI, with their pure formatting helpers.
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::tr;

/// What an activity item records.
pub mod kind {
    /// A `/register` call (who started it, the outcome, Meta's answer in words).
    pub const REGISTRATION_ATTEMPT: &str = "registration_attempt";
    /// A webhook Meta sent about the number.
    pub const WEBHOOK: &str = "webhook";
    /// The registration state or a health value changed between two checks.
    pub const STATE_CHANGE: &str = "state_change";
    /// An alert Greenlight raised.
    pub const ALERT: &str = "alert";
}

/// One line of an inbox's activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityItem {
    /// Unique within the log, e.g. `attempt-12`.
    pub id: String,
    /// One of [`kind`].
    pub kind: String,
    /// Unix seconds.
    pub at: i64,
    pub title: String,
    pub detail: Option<String>,
    /// Who or what: a user's name, "Automatic retry", "Meta webhook", "Greenlight".
    pub actor: Option<String>,
    /// `good`, `attention`, `blocked` or `info` (the badge colour; the text says it too).
    pub level: String,
}

/// One in-app notification of an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: i64,
    pub alert_id: i64,
    pub kind: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    pub title: String,
    pub body: String,
    pub inbox_id: Option<i64>,
    pub inbox_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub read: bool,
}

/// The bell: unread count and the latest notifications.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    pub unread: i64,
    pub items: Vec<NotificationItem>,
}

/// Human label of an activity kind.
pub fn kind_label(kind: &str, l: Locale) -> String {
    match kind {
        self::kind::REGISTRATION_ATTEMPT => tr!(l, activity.kind.registration),
        self::kind::WEBHOOK => tr!(l, activity.kind.webhook),
        self::kind::STATE_CHANGE => tr!(l, activity.kind.change),
        self::kind::ALERT => tr!(l, activity.kind.alert),
        _ => tr!(l, activity.kind.event),
    }
}

/// Human label of an alert severity (`critical` -> "Critical"); unknown ones title-cased.
pub fn severity_label(severity: &str, l: Locale) -> String {
    match severity {
        "critical" => tr!(l, activity.severity.critical),
        "warning" => tr!(l, activity.severity.warning),
        "info" => tr!(l, activity.severity.info),
        other => crate::format::title_case(other),
    }
}

/// A delivery's status (`delivered`, `pending`, `failed`) in words; unknown ones as they are.
pub fn delivery_status_label(status: &str, l: Locale) -> String {
    match status {
        "delivered" => tr!(l, activity.alerts_page.delivery.delivered),
        "pending" => tr!(l, activity.alerts_page.delivery.pending),
        "failed" => tr!(l, activity.alerts_page.delivery.failed),
        other => other.to_owned(),
    }
}

/// The badge level of an alert severity.
pub fn severity_level(severity: &str) -> &'static str {
    match severity {
        "critical" => "blocked",
        "warning" => "attention",
        "info" => "good",
        _ => "info",
    }
}

/// "99+" above 99; empty for zero (the bell shows no badge then).
pub fn unread_badge(n: i64) -> String {
    match n {
        i64::MIN..=0 => String::new(),
        1..=99 => n.to_string(),
        _ => "99+".to_string(),
    }
}

/// The badge level of an activity item's `level`.
pub fn badge_level(level: &str) -> crate::health::BadgeLevel {
    use crate::health::BadgeLevel;
    match level {
        "good" => BadgeLevel::Good,
        "attention" => BadgeLevel::Attention,
        "blocked" => BadgeLevel::Blocked,
        _ => BadgeLevel::Unknown,
    }
}

/// Unix seconds → `2026-11-22 01:02 UTC` (proleptic Gregorian, no time-zone database needed).
pub fn utc_minutes(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = crate::format::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_read_as_utc_minutes() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minutes(1_739_321_024), "2025-02-12 00:43 UTC");
        assert_eq!(utc_minutes(1_795_309_323), "2026-11-22 01:02 UTC");
        assert_eq!(utc_minutes(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn labels_and_badges() {
        assert_eq!(
            kind_label(kind::REGISTRATION_ATTEMPT, Locale::en),
            "Registration"
        );
        assert_eq!(kind_label("other", Locale::en), "Event");
        assert_eq!(kind_label(kind::ALERT, Locale::pt_BR), "Alerta");
        assert_eq!(severity_label("critical", Locale::en), "Critical");
        assert_eq!(severity_label("warning", Locale::es), "Advertencia");
        assert_eq!(severity_label("fatal", Locale::es), "Fatal");
        assert_eq!(delivery_status_label("pending", Locale::en), "pending");
        assert_eq!(severity_level("critical"), "blocked");
        assert_eq!(severity_level("nope"), "info");
        assert_eq!(unread_badge(0), "");
        assert_eq!(unread_badge(7), "7");
        assert_eq!(unread_badge(250), "99+");
    }
}

/// Where Meta sends a number's account-level events (name, quality, account updates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebhookRoute {
    /// The check could not tell (Meta did not answer).
    #[default]
    Unknown,
    /// The token is Greenlight's own app (`META_APP_ID`) and it is subscribed to the WABA.
    Greenlight,
    /// The token is another app (e.g. the help desk's), subscribed to the WABA: events go there
    /// and Greenlight polls the number instead.
    OtherApp,
    /// The token's app is not subscribed to the WABA: Meta sends this number's events nowhere.
    NotSubscribed,
}

/// Whether Meta sends this number's webhooks to Greenlight (the self-check on the health tab).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookCheckView {
    /// Greenlight's receiver: `<GREENLIGHT_PUBLIC_URL>/webhooks/whatsapp`, to enter as the
    /// callback URL of Greenlight's own app in Meta's App Dashboard.
    pub expected_url: String,
    /// The URL Meta uses for this number's message fields (number override, else WABA override,
    /// else the app's). Shown only; Greenlight never changes an override.
    pub effective_url: Option<String>,
    /// Which level `effective_url` comes from: `phone_number`, `whatsapp_business_account`,
    /// `application`.
    pub effective_level: Option<String>,
    /// Meta sends this number's events to Greenlight (`route` is `Greenlight`).
    pub points_here: bool,
    /// The token's app is subscribed to the WABA's webhooks.
    pub app_subscribed: bool,
    /// Which case applies.
    pub route: WebhookRoute,
    /// The name of the token's Meta app, when Meta told it.
    pub token_app_name: Option<String>,
    /// The answer in plain words.
    pub message: String,
    /// How to connect Greenlight's own Meta app (when events go to another app), in order.
    pub steps: Vec<String>,
    /// Why the check could not be completed (Meta failed), in words.
    pub error: Option<String>,
    /// Meta had not answered within a second: nothing is known yet, the check goes on.
    #[serde(default)]
    pub checking: bool,
    pub viewer_is_admin: bool,
}

impl WebhookCheckView {
    /// Nothing to repair: the token's app is subscribed (events reach Greenlight or the app the
    /// token belongs to, and Greenlight polls in the latter case).
    pub fn healthy(&self) -> bool {
        self.error.is_none() && self.app_subscribed
    }
}

/// An outgoing alert webhook of the account (never its secret).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertWebhookView {
    pub id: i64,
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// The latest deliveries, newest first.
    pub recent: Vec<AlertDeliveryView>,
}

/// One delivery of an alert webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDeliveryView {
    pub id: i64,
    /// `delivered`, `pending` (retried later) or `failed` (gave up).
    pub status: String,
    pub attempts: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    /// Unix seconds.
    pub updated_at: i64,
}
