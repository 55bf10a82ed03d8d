//! Wire types of the activity log (audit trail) and of in-app notifications, shared by the
//! server and the UI, with their pure formatting helpers.
use serde::{Deserialize, Serialize};

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
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        self::kind::REGISTRATION_ATTEMPT => "Registration",
        self::kind::WEBHOOK => "Webhook",
        self::kind::STATE_CHANGE => "Change",
        self::kind::ALERT => "Alert",
        _ => "Event",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_badges() {
        assert_eq!(kind_label(kind::REGISTRATION_ATTEMPT), "Registration");
        assert_eq!(kind_label("other"), "Event");
        assert_eq!(severity_level("critical"), "blocked");
        assert_eq!(severity_level("nope"), "info");
        assert_eq!(unread_badge(0), "");
        assert_eq!(unread_badge(7), "7");
        assert_eq!(unread_badge(250), "99+");
    }
}
