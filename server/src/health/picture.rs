//! The Meta part of a health report as the tab shows it ([`app::meta::MetaPicture`]): Meta's
//! `health_status` per entity, read from the stored phone read, and the enforcement on its WABA.
use app::i18n::Locale;
use app::meta::{CanSendView, EnforcementView, EntityErrorView, EntityView, MetaPicture};
use chrono::{DateTime, Utc};

use super::service::HealthReport;
use crate::graph::{CanSendMessage, HealthEntity, PhoneNumberHealth};
use crate::signals::model::{countdown, REMEDIATION_URL};
use crate::signals::Active;

/// The answer to "can it send?": `AVAILABLE`, `LIMITED`, `BLOCKED`, or `UNKNOWN` when there is no
/// read or Meta sent no `health_status`. Computed from the entities (see
/// [`crate::graph::HealthStatus::computed_can_send_message`]).
pub fn can_send_message(h: Option<&PhoneNumberHealth>) -> &str {
    match h
        .and_then(|h| h.health_status.as_ref())
        .and_then(|s| s.computed_can_send_message())
    {
        Some(CanSendMessage::Available) => "AVAILABLE",
        Some(CanSendMessage::Limited) => "LIMITED",
        Some(CanSendMessage::Blocked) => "BLOCKED",
        // `computed_can_send_message` folds unknown values into LIMITED; Meta's own field may not.
        Some(CanSendMessage::Other(_)) => "LIMITED",
        None => "UNKNOWN",
    }
}

/// Meta's entities, blocked first, then limited, then the rest (Meta's order within each).
pub fn entities_worst_first(h: Option<&PhoneNumberHealth>) -> Vec<&HealthEntity> {
    let mut out: Vec<&HealthEntity> = h
        .and_then(|h| h.health_status.as_ref())
        .map(|s| s.entities.iter().collect())
        .unwrap_or_default();
    out.sort_by_key(|e| match e.can_send_message {
        Some(CanSendMessage::Blocked) => 0,
        Some(CanSendMessage::Limited) | Some(CanSendMessage::Other(_)) => 1,
        _ => 2,
    });
    out
}

fn entity_view(e: &HealthEntity) -> EntityView {
    EntityView {
        entity_type: e
            .entity_type
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        id: e.id.clone(),
        can_send_message: e.can_send_message.as_ref().map(|c| c.as_str().to_owned()),
        errors: e
            .errors
            .iter()
            .map(|x| EntityErrorView {
                error_code: x.error_code,
                error_description: x.error_description.clone(),
                possible_solution: x.possible_solution.clone(),
            })
            .collect(),
        additional_info: e.additional_info.clone(),
    }
}

/// "Can this number send?" for the tab.
pub fn can_send(h: Option<&PhoneNumberHealth>) -> CanSendView {
    CanSendView {
        can_send_message: can_send_message(h).to_owned(),
        entities: entities_worst_first(h)
            .into_iter()
            .map(entity_view)
            .collect(),
    }
}

/// Enforcement in words (in `l`) with its countdown from `now`.
pub fn enforcement_view(a: &Active, now: DateTime<Utc>, l: Locale) -> EnforcementView {
    let (title, explanation) = a.words(l);
    EnforcementView {
        kind: a.kind.to_owned(),
        code: a.code.clone(),
        title,
        explanation,
        until: a.until.map(super::service::rfc3339),
        countdown: a.until.map(|u| countdown(u, now, l)),
        level: a.verdict.level(),
        remediation_url: REMEDIATION_URL.to_owned(),
    }
}

/// The whole Meta picture of a report, its words in `l`.
pub fn meta_picture(r: &HealthReport, l: Locale) -> MetaPicture {
    let h = r.shown.as_ref().map(|(_, h)| h);
    MetaPicture {
        can_send: can_send(h),
        enforcement: r
            .enforcement
            .iter()
            .map(|a| enforcement_view(a, r.now, l))
            .collect(),
        affected_numbers: r.affected_numbers.clone(),
        oba_status: h
            .and_then(|h| h.oba_status())
            .map(|s| s.as_str().to_owned()),
        throughput_level: h
            .and_then(|h| h.throughput_level())
            .map(|l| l.as_str().to_owned()),
        coexistence: h.is_some_and(|h| h.is_coexistence()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_fixtures::phone_fixture;

    #[test]
    fn a_waba_blocked_for_payment_comes_first_with_its_error_and_solution() {
        let h = phone_fixture("phone_not_verified_connected.json");
        let v = can_send(Some(&h));
        assert_eq!(v.can_send_message, "BLOCKED");
        let first = &v.entities[0];
        assert_eq!(first.entity_type, "WABA");
        assert_eq!(first.can_send_message.as_deref(), Some("BLOCKED"));
        assert_eq!(first.errors[0].error_code, Some(141006));
        assert!(first.errors[0]
            .possible_solution
            .as_deref()
            .unwrap()
            .contains("payment method"));
        assert_eq!(v.entities.len(), 4, "every entity Meta names is shown");
    }

    #[test]
    fn a_limited_number_keeps_metas_explanation() {
        let h = phone_fixture("phone_pending_review_unregistered.json");
        let v = can_send(Some(&h));
        assert_eq!(v.can_send_message, "LIMITED");
        assert_eq!(v.entities[0].entity_type, "PHONE_NUMBER");
        assert_eq!(v.entities[0].additional_info.len(), 1);
    }

    #[test]
    fn no_read_or_no_health_status_is_unknown() {
        assert_eq!(can_send(None).can_send_message, "UNKNOWN");
        let h = phone_fixture("phone_nulls_and_missing.json");
        assert_eq!(can_send(Some(&h)).can_send_message, "UNKNOWN");
        assert!(can_send(Some(&h)).entities.is_empty());
    }

    #[test]
    fn enforcement_reads_in_the_viewer_s_language() {
        let now = chrono::TimeZone::timestamp_opt(&Utc, 1_800_000_000, 0).unwrap();
        let a = Active {
            kind: "ban",
            code: Some("SCHEDULE_FOR_DISABLE".into()),
            by: None,
            title: "The business account is scheduled to be disabled".into(),
            explanation: String::new(),
            until: Some(now + chrono::Duration::hours(26)),
            verdict: app::health::Verdict::NeedsAttention,
        };
        let en = enforcement_view(&a, now, Locale::en);
        assert_eq!(en.title, a.title);
        assert_eq!(en.countdown.as_deref(), Some("in 1 d 2 h"));
        let pt = enforcement_view(&a, now, Locale::pt_BR);
        assert_eq!(pt.title, "A conta comercial será desativada");
        assert_eq!(pt.countdown.as_deref(), Some("em 1 d 2 h"));
        let es = enforcement_view(&a, now, Locale::es);
        assert!(
            es.explanation.starts_with("Meta desactivará"),
            "{}",
            es.explanation
        );
    }
}
