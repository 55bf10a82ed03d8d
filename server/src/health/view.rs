//! Turns a health report into what the Account Health tab shows: one card per metric with a
//! label, a one-line explanation and a badge (labels and levels come from `app::format`).
use app::format;
use app::health::{
    BadgeLevel, HealthView, MetricGroup, MetricView, RegistrationState, RegistrationView,
};
use app::i18n::Locale;

use super::service::HealthReport;
use super::store::HealthSnapshot;
use crate::graph::{MessagingLimit, PhoneNumberHealth, QualityRating, Rank};

/// A coloured health signal.
fn signal(
    key: &str,
    (label, explanation): (String, String),
    group: MetricGroup,
    (value, level): (String, BadgeLevel),
) -> MetricView {
    MetricView {
        key: key.into(),
        label,
        explanation,
        value,
        level,
        group,
        signal: true,
    }
}

/// A plain fact: shown as text, its level kept only for the API.
fn fact(
    key: &str,
    words: (String, String),
    group: MetricGroup,
    value: (String, BadgeLevel),
) -> MetricView {
    MetricView {
        signal: false,
        ..signal(key, words, group, value)
    }
}

/// A card's label and explanation, in the page's language.
macro_rules! words {
    ($l:expr, $key:ident) => {
        (
            app::tr!($l, health.metric.$key.label),
            app::tr!($l, health.metric.$key.explanation),
        )
    };
}

/// The quality card: the label from `app::format`, the level from the one quality ranking
/// ([`QualityRating::rank`]): high is good, medium needs attention, low blocks, anything else is unknown.
fn quality_card(q: Option<&QualityRating>, lang: Locale) -> (String, BadgeLevel) {
    let (label, _) = format::quality_rating(q.map(QualityRating::as_str), lang);
    let rank = q.map_or(Rank::Unknown, QualityRating::rank);
    let level = if rank == Rank::Unknown {
        BadgeLevel::Unknown
    } else if rank >= QualityRating::Green.rank() {
        BadgeLevel::Good
    } else if rank >= QualityRating::Yellow.rank() {
        BadgeLevel::Attention
    } else {
        BadgeLevel::Blocked
    };
    (label, level)
}

/// The messaging-limit card: the label from `app::format`, the level from the one limit ranking
/// ([`MessagingLimit::rank`]): below `TIER_250` (where every new number starts) needs attention,
/// the rest is good. A tier the ranking cannot place
/// (one Meta adds later) keeps the level `app::format` reads from its shape, so `TIER_5K` still shows as a number
/// of customers rather than as unknown.
fn messaging_limit_card(l: Option<&MessagingLimit>, lang: Locale) -> (String, BadgeLevel) {
    let (label, shape_level) = format::messaging_limit(l.map(MessagingLimit::as_str), lang);
    let level = match l.map(MessagingLimit::rank) {
        None => BadgeLevel::Unknown,
        Some(Rank::Unknown) => shape_level,
        Some(rank) if rank < MessagingLimit::Tier250.rank() => BadgeLevel::Attention,
        Some(_) => BadgeLevel::Good,
    };
    (label, level)
}

/// Quality's height on the history chart from the one quality ranking: 3 high, 2 medium, 1 low, 0 unknown (or
/// no read).
pub fn quality_height(q: Option<&QualityRating>) -> u8 {
    match q.map_or(Rank::Unknown, QualityRating::rank) {
        Rank::Unknown => 0,
        Rank::Known(place) => place + 1,
    }
}

fn text(v: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => (s.to_string(), BadgeLevel::Good),
        None => (app::tr!(l, format.not_reported), BadgeLevel::Unknown),
    }
}

/// Metric cards of a health read, in the order the tab shows them: group by group, the signals
/// that answer "can it send?" first.
pub fn metrics(
    h: Option<&PhoneNumberHealth>,
    checked_at: Option<&str>,
    l: Locale,
) -> Vec<MetricView> {
    use MetricGroup::{CanSend, Details, Limits};
    let s = |f: fn(&PhoneNumberHealth) -> Option<&str>| h.and_then(f);
    vec![
        signal(
            "status",
            words!(l, status),
            CanSend,
            format::number_status(s(|h| h.status.as_ref().map(|v| v.as_str())), l),
        ),
        signal(
            "quality_rating",
            words!(l, quality_rating),
            CanSend,
            quality_card(h.and_then(|h| h.quality_rating.as_ref()), l),
        ),
        signal(
            "name_status",
            words!(l, name_status),
            CanSend,
            format::name_status(s(|h| h.name_status.as_ref().map(|v| v.as_str())), l),
        ),
        signal(
            "code_verification_status",
            words!(l, code_verification_status),
            CanSend,
            format::code_verification(
                s(|h| h.code_verification_status.as_ref().map(|v| v.as_str())),
                l,
            ),
        ),
        signal(
            "messaging_limit",
            words!(l, messaging_limit),
            Limits,
            messaging_limit_card(h.and_then(|h| h.messaging_limit.as_ref()), l),
        ),
        fact(
            "throughput",
            words!(l, throughput),
            Limits,
            format::throughput(s(|h| h.throughput_level().map(|v| v.as_str())), l),
        ),
        fact(
            "display_phone_number",
            words!(l, display_phone_number),
            Details,
            text(
                s(|h| h.display_phone_number.as_deref())
                    .map(format::phone)
                    .as_deref(),
                l,
            ),
        ),
        fact(
            "verified_name",
            words!(l, verified_name),
            Details,
            text(s(|h| h.verified_name.as_deref()), l),
        ),
        fact(
            "platform_type",
            words!(l, platform_type),
            Details,
            format::platform(s(|h| h.platform_type.as_ref().map(|v| v.as_str())), l),
        ),
        fact(
            "account_mode",
            words!(l, account_mode),
            Details,
            format::account_mode(s(|h| h.account_mode.as_ref().map(|v| v.as_str())), l),
        ),
        fact(
            "last_onboarded_time",
            words!(l, last_onboarded_time),
            Details,
            text(
                s(|h| h.last_onboarded_time.as_deref())
                    .map(|t| format::short_time(t, l))
                    .as_deref(),
                l,
            ),
        ),
        fact(
            "checked_at",
            words!(l, checked_at),
            Details,
            text(checked_at.map(|t| format::short_time(t, l)).as_deref(), l),
        ),
    ]
}

/// The tab's data, as of `now`.
pub fn health_view(r: &HealthReport, now: chrono::DateTime<chrono::Utc>, l: Locale) -> HealthView {
    let checked_at = r.shown.as_ref().map(|(t, _)| super::service::rfc3339(*t));
    let d = &r.decision;
    let mut metrics = metrics(r.shown.as_ref().map(|(_, h)| h), checked_at.as_deref(), l);
    // Without a good read (a refused token, say) the number is still the one stored at setup.
    if let Some(phone) = metrics
        .iter_mut()
        .find(|m| m.key == "display_phone_number" && m.level == BadgeLevel::Unknown)
    {
        if !r.inbox.phone_number.is_empty() {
            phone.value = format::phone(&r.inbox.phone_number);
        }
    }
    HealthView {
        account_id: r.inbox.account_id,
        inbox_id: r.inbox.id,
        inbox_name: r.inbox.name.clone(),
        verdict: r.verdict.clone(),
        metrics,
        registration: RegistrationView {
            state: RegistrationState::parse(d.state.as_str()).unwrap_or(RegistrationState::Unknown),
            reason_code: d.reason_code.as_str().into(),
            reason: d.reason_in(l),
            attempts_in_window: r.attempts_in_window,
            attempts_left_in_window: d.attempts_left_in_window,
            next_attempt_at: d.next_attempt_at.map(super::service::rfc3339),
            next_attempt_due: d.next_attempt_at.is_some_and(|t| t <= now),
            last_error: r.last_error.clone(),
            may_register_now: d.may_register_now,
            fixes: fixes_view(r),
        },
        whatsapp_manager_url: format::whatsapp_manager_url(
            r.inbox.business_id.as_deref(),
            Some(&r.inbox.business_account_id),
        ),
        checked_at,
        stale: r.stale,
        checking: r.checking,
        refresh_error: r.refresh_error.as_ref().map(|f| f.message.clone()),
        viewer_is_admin: r.viewer_is_admin,
        meta: super::picture::meta_picture(r, l),
    }
}

/// The fixes the banner may offer: the PIN's state, and whether Meta wants the number verified.
pub fn fixes_view(r: &HealthReport) -> app::fixes::FixesView {
    use crate::graph::CodeVerificationStatus;
    use crate::registration::pin::PinState;
    let h = r.shown.as_ref().map(|(_, h)| h);
    app::fixes::FixesView {
        pin_state: match r.pin {
            PinState::Stored => app::fixes::PinStateView::Stored,
            PinState::PossiblyStale => app::fixes::PinStateView::PossiblyStale,
            PinState::Missing => app::fixes::PinStateView::Missing,
        },
        new_display_name: h.and_then(|h| h.new_display_name.clone()),
        new_name_status: h
            .and_then(|h| h.new_name_status.as_ref())
            .map(|s| s.as_str().to_owned()),
        name_rejection: None,
        verification_needed: h.is_some_and(|h| {
            !h.is_registered()
                && matches!(
                    h.code_verification_status,
                    Some(CodeVerificationStatus::NotVerified | CodeVerificationStatus::Expired)
                )
        }),
    }
}

/// The worst badge of a set of cards' health signals (the overview sorts by it).
pub fn worst(metrics: &[MetricView]) -> BadgeLevel {
    metrics
        .iter()
        .filter(|m| m.signal)
        .map(|m| m.level)
        .min()
        .unwrap_or(BadgeLevel::Unknown)
}

/// A stored snapshot as a history point.
pub fn history_point(r: &HealthSnapshot) -> app::health::HistoryPoint {
    let h = r.health.as_ref();
    let quality = h.and_then(|h| h.quality_rating.as_ref());
    app::health::HistoryPoint {
        checked_at: super::service::rfc3339(super::service::time(r.checked_at)),
        source: r.source.as_str().to_string(),
        state: r.registration_state,
        quality_rating: quality.map(|v| v.as_str().to_string()),
        quality_height: quality_height(quality),
        messaging_limit: h
            .and_then(|h| h.messaging_limit.as_ref())
            .map(|v| v.as_str().to_string()),
        ok: h.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const EN: Locale = Locale::en;

    #[test]
    fn quality_cards_rank_like_the_app_table_for_every_value() {
        let values = QualityRating::KNOWN
            .iter()
            .cloned()
            .chain([QualityRating::Other("SOMETHING_NEW".into())]);
        for q in values {
            assert_eq!(
                quality_card(Some(&q), EN),
                format::quality_rating(Some(q.as_str()), EN),
                "{q:?}"
            );
        }
        assert_eq!(quality_card(None, EN), format::quality_rating(None, EN));
    }

    #[test]
    fn messaging_limit_cards_rank_like_the_app_table_for_every_value() {
        let values = MessagingLimit::KNOWN
            .iter()
            .cloned()
            .chain(["TIER_5K", "TIER_FANCY", ""].map(|raw| MessagingLimit::Other(raw.into())));
        for l in values {
            assert_eq!(
                messaging_limit_card(Some(&l), EN),
                format::messaging_limit(Some(l.as_str()), EN),
                "{l:?}"
            );
        }
        assert_eq!(
            messaging_limit_card(None, EN),
            format::messaging_limit(None, EN)
        );
    }

    #[test]
    fn the_chart_height_follows_the_quality_ranking() {
        use QualityRating::*;
        assert_eq!(quality_height(Some(&Green)), 3);
        assert_eq!(quality_height(Some(&Yellow)), 2);
        assert_eq!(quality_height(Some(&Red)), 1);
        for unknown in [Na, Unknown, Other("SOMETHING_NEW".into())] {
            assert_eq!(quality_height(Some(&unknown)), 0, "{unknown:?}");
        }
        assert_eq!(quality_height(None), 0);
    }

    #[test]
    fn a_history_point_of_a_failed_read_has_no_values() {
        let failed = HealthSnapshot {
            id: 1,
            inbox_id: 1,
            checked_at: 1_767_225_700,
            source: super::super::store::Source::Background,
            health: None,
            error_kind: Some(crate::graph::GraphErrorKind::Transient),
            error_message: Some("Meta did not answer.".into()),
            error_subcode: None,
            registration_state: RegistrationState::Unknown,
        };
        let p = history_point(&failed);
        assert!(!p.ok);
        assert_eq!((p.quality_rating, p.quality_height), (None, 0));
        assert_eq!(p.source, "background");
        let good = HealthSnapshot {
            health: Some(PhoneNumberHealth {
                quality_rating: Some(QualityRating::Red),
                messaging_limit: Some(MessagingLimit::Tier250),
                ..PhoneNumberHealth::default()
            }),
            error_kind: None,
            error_message: None,
            error_subcode: None,
            registration_state: RegistrationState::Registered,
            ..failed
        };
        let p = history_point(&good);
        assert!(p.ok);
        assert_eq!(p.quality_rating.as_deref(), Some("RED"));
        assert_eq!(p.quality_height, 1);
        assert_eq!(p.messaging_limit.as_deref(), Some("TIER_250"));
        assert_eq!(p.state, RegistrationState::Registered);
    }
}
