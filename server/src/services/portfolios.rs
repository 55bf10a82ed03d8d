//! The account's numbers grouped by business portfolio (issue 12 §6). Since Graph v24 the
//! messaging limit belongs to the portfolio: every number of it shares one tier, and Meta
//! announces changes (`business_capability_update`) and advice (`account_alerts`) per WABA. This
//! module is pure: it groups numbers already judged from stored reads and the stored signals.
use app::i18n::Locale;
use std::collections::BTreeMap;

use app::format;
use app::portfolio::{AccountAlertView, PortfolioNumberView, PortfolioView};

use super::ui::Judged;
use crate::health::service::{rfc3339, time};
use crate::signals::model;
use crate::signals::store::ByWaba;

/// The numbers grouped by portfolio, worst number first in each; portfolios ordered by their
/// worst number, then name, and the numbers of no known portfolio last. Meta's signals of a WABA
/// count only through an inbox whose setup proved access to it (an account that merely typed a
/// WABA id learns nothing about it).
pub(crate) fn group(judged: &[Judged], signals: &ByWaba, l: Locale) -> Vec<PortfolioView> {
    let mut groups: BTreeMap<Option<&str>, Vec<&Judged>> = BTreeMap::new();
    for j in judged {
        groups
            .entry(j.inbox.business_id.as_deref())
            .or_default()
            .push(j);
    }
    let mut out: Vec<PortfolioView> = groups
        .into_iter()
        .map(|(id, members)| portfolio(id, &members, signals, l))
        .collect();
    out.sort_by(|a, b| {
        let worst = |p: &PortfolioView| p.numbers.first().map(|n| n.verdict);
        (a.id.is_none(), worst(a), &a.name, &a.id).cmp(&(b.id.is_none(), worst(b), &b.name, &b.id))
    });
    out
}

fn portfolio(id: Option<&str>, members: &[&Judged], signals: &ByWaba, l: Locale) -> PortfolioView {
    // WABAs whose signals may be shown: one of their inboxes proved access.
    let mut wabas: Vec<&str> = members
        .iter()
        .filter(|j| j.inbox.access_proven_at.is_some())
        .map(|j| j.inbox.business_account_id.as_str())
        .collect();
    wabas.sort_unstable();
    wabas.dedup();
    let stored = |waba: &&str| signals.get(*waba).map_or(&[][..], Vec::as_slice);

    // The newest word on the shared limit: a number's read or Meta's capability event.
    let read = members
        .iter()
        .filter_map(|j| j.limit.as_ref().map(|(l, at)| (*at, Some(l.to_string()))));
    let capabilities: Vec<model::Capability> = wabas
        .iter()
        .filter_map(|w| model::capability(stored(w)))
        .collect();
    let announced = capabilities
        .iter()
        .filter(|c| c.tier.is_some())
        .map(|c| (c.event_time, c.tier.clone()));
    let (limit_at, limit) = read
        .chain(announced)
        .max_by_key(|(at, _)| *at)
        .map_or((None, None), |(at, l)| (Some(at), l));
    let max_phone_numbers = capabilities
        .iter()
        .filter(|c| c.max_phone_numbers.is_some())
        .max_by_key(|c| c.event_time)
        .and_then(|c| c.max_phone_numbers);

    let mut seen = std::collections::HashSet::new();
    let alerts = {
        let mut all: Vec<model::AccountAlert> = wabas
            .iter()
            .flat_map(|w| model::account_alerts(stored(w)))
            .collect();
        all.sort_by_key(|a| std::cmp::Reverse(a.event_time));
        // The same alert Meta sent to two WABAs of the portfolio is one alert.
        all.retain(|a| seen.insert((a.alert_type.clone(), a.entity_id.clone())));
        all.into_iter()
            .map(|a| AccountAlertView {
                title: app::portfolio::account_alert_title_in(&a.alert_type, l),
                advice: app::portfolio::account_alert_advice_in(&a.alert_type, l).to_owned(),
                level: app::portfolio::account_alert_level(a.severity.as_deref()),
                severity: a.severity,
                description: a.description,
                entity_type: a.entity_type,
                entity_id: a.entity_id,
                since: rfc3339(time(a.event_time)),
                alert_type: a.alert_type,
            })
            .collect()
    };

    let mut numbers: Vec<PortfolioNumberView> = members
        .iter()
        .map(|j| PortfolioNumberView {
            inbox_id: j.inbox.id,
            name: j.inbox.name.clone(),
            phone_number: j.inbox.phone_number.clone(),
            business_account_id: j.inbox.business_account_id.clone(),
            verdict: j.row.verdict.verdict,
            reason: j.row.verdict.reason.clone(),
        })
        .collect();
    numbers.sort_by(|a, b| (a.verdict, &a.name).cmp(&(b.verdict, &b.name)));

    PortfolioView {
        id: id.map(str::to_owned),
        name: members.iter().find_map(|j| j.inbox.business_name.clone()),
        messaging_limit_label: format::messaging_limit(limit.as_deref(), l).0,
        messaging_limit: limit,
        messaging_limit_as_of: limit_at.map(|t| rfc3339(time(t))),
        max_phone_numbers,
        alerts,
        whatsapp_manager_url: format::whatsapp_manager_url(
            id,
            members
                .first()
                .map(|j| j.inbox.business_account_id.as_str()),
        ),
        numbers,
    }
}
