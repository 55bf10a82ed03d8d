//! Turns a health report into what the Account Health tab shows: one card per metric with a
//! label, a one-line explanation and a badge (labels and levels come from `app::format`).
use app::format;
use app::health::{BadgeLevel, HealthView, MetricView, RegistrationState, RegistrationView};

use super::service::HealthReport;
use crate::graph::PhoneNumberHealth;

fn metric(
    key: &str,
    label: &str,
    explanation: &str,
    (value, level): (String, BadgeLevel),
) -> MetricView {
    MetricView {
        key: key.into(),
        label: label.into(),
        explanation: explanation.into(),
        value,
        level,
    }
}

fn text(v: Option<&str>) -> (String, BadgeLevel) {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => (s.to_string(), BadgeLevel::Good),
        None => ("Not reported".into(), BadgeLevel::Unknown),
    }
}

/// Metric cards of a health read, in the order the tab shows them.
pub fn metrics(h: Option<&PhoneNumberHealth>, checked_at: Option<&str>) -> Vec<MetricView> {
    let s = |f: fn(&PhoneNumberHealth) -> Option<&str>| h.and_then(f);
    vec![
        metric(
            "display_phone_number",
            "Phone number",
            "The number customers message.",
            text(s(|h| h.display_phone_number.as_deref())),
        ),
        metric(
            "verified_name",
            "Verified name",
            "The display name customers see; its review status is separate.",
            text(s(|h| h.verified_name.as_deref())),
        ),
        metric(
            "name_status",
            "Display name status",
            "Meta's review of the display name; registration needs it approved.",
            format::name_status(s(|h| h.name_status.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "quality_rating",
            "Quality rating",
            "How customers received recent messages; low quality limits sending.",
            format::quality_rating(s(|h| h.quality_rating.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "messaging_limit",
            "Messaging limit",
            "How many customers the business can start conversations with per day.",
            format::messaging_limit(s(|h| h.messaging_limit.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "account_mode",
            "Account mode",
            "Live numbers can message anyone; sandbox numbers only test numbers.",
            format::account_mode(s(|h| h.account_mode.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "code_verification_status",
            "Code verification",
            "Whether the number was verified by SMS or voice code.",
            format::code_verification(s(|h| {
                h.code_verification_status.as_ref().map(|v| v.as_str())
            })),
        ),
        metric(
            "platform_type",
            "Platform",
            "Where the number is registered: the Cloud API, or nowhere yet.",
            format::platform(s(|h| h.platform_type.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "throughput",
            "Throughput",
            "Messages per second the number may send; set once registered.",
            format::throughput(s(|h| h.throughput_level().map(|v| v.as_str()))),
        ),
        metric(
            "status",
            "Number status",
            "Meta's operating status; it must be Connected to send and receive.",
            format::number_status(s(|h| h.status.as_ref().map(|v| v.as_str()))),
        ),
        metric(
            "last_onboarded_time",
            "Last onboarded",
            "When the number was last onboarded to the API.",
            text(
                s(|h| h.last_onboarded_time.as_deref())
                    .map(format::short_time)
                    .as_deref(),
            ),
        ),
        metric(
            "checked_at",
            "Last checked",
            "When Greenlight last read this number from Meta.",
            text(checked_at.map(format::short_time).as_deref()),
        ),
    ]
}

/// The tab's data.
pub fn health_view(r: &HealthReport) -> HealthView {
    let checked_at = r.shown.as_ref().map(|(t, _)| super::service::rfc3339(*t));
    let d = &r.decision;
    HealthView {
        account_id: r.inbox.account_id,
        inbox_id: r.inbox.id,
        inbox_name: r.inbox.name.clone(),
        metrics: metrics(r.shown.as_ref().map(|(_, h)| h), checked_at.as_deref()),
        registration: RegistrationView {
            state: RegistrationState::parse(d.state.as_str()).unwrap_or(RegistrationState::Unknown),
            reason_code: d.reason_code.as_str().into(),
            reason: d.reason.clone(),
            attempts_in_window: r.attempts_in_window,
            attempts_left_in_window: d.attempts_left_in_window,
            next_attempt_at: d.next_attempt_at.map(super::service::rfc3339),
            last_error: r.last_error.clone(),
            may_register_now: d.may_register_now,
        },
        whatsapp_manager_url: format::whatsapp_manager_url(
            r.inbox.business_id.as_deref(),
            Some(&r.inbox.business_account_id),
        ),
        checked_at,
        stale: r.stale,
        refresh_error: r.refresh_error.as_ref().map(|f| f.message.clone()),
        viewer_is_admin: r.viewer_is_admin,
    }
}

/// The worst badge of a set of cards (the overview sorts by it).
pub fn worst(metrics: &[MetricView]) -> BadgeLevel {
    metrics
        .iter()
        .filter(|m| m.key != "checked_at")
        .map(|m| m.level)
        .min()
        .unwrap_or(BadgeLevel::Unknown)
}

/// A stored snapshot as a history point.
pub fn history_point(r: &crate::health::store::SnapshotRow) -> app::health::HistoryPoint {
    let h: Option<PhoneNumberHealth> = r
        .health_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    app::health::HistoryPoint {
        checked_at: super::service::rfc3339(super::service::time(r.checked_at)),
        source: r.source.clone(),
        state: RegistrationState::parse(&r.registration_state)
            .unwrap_or(RegistrationState::Unknown),
        quality_rating: h
            .as_ref()
            .and_then(|h| h.quality_rating.as_ref())
            .map(|v| v.as_str().to_string()),
        messaging_limit: h
            .as_ref()
            .and_then(|h| h.messaging_limit.as_ref())
            .map(|v| v.as_str().to_string()),
        ok: h.is_some(),
    }
}
