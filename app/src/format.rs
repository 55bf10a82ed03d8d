//! Pure formatting of Meta's values into labels and badge levels. Unknown values are title-cased,
//! never shown as raw keys, and rated "unknown" rather than guessed.
use crate::health::BadgeLevel;
use crate::i18n::Locale;

/// `SOMETHING_NEW` -> `Something New`.
pub fn title_case(raw: &str) -> String {
    raw.split(['_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// Keys are compile-time paths, so each of Meta's values has its arm.
use crate::tr as label;

/// Meta sent nothing (or an empty value).
fn not_reported(l: Locale) -> (String, BadgeLevel) {
    (label!(l, format.not_reported), BadgeLevel::Unknown)
}

/// Display-name review status.
pub fn name_status(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("APPROVED") => (label!(l, format.name_status.approved), Good),
        Some("AVAILABLE_WITHOUT_REVIEW") => {
            (label!(l, format.name_status.available_without_review), Good)
        }
        Some("PENDING_REVIEW") => (label!(l, format.name_status.pending_review), Attention),
        Some("DECLINED") => (label!(l, format.name_status.declined), Blocked),
        Some("REJECTED") => (label!(l, format.name_status.rejected), Blocked),
        Some("EXPIRED") => (label!(l, format.name_status.expired), Blocked),
        Some("NONE") => (label!(l, format.name_status.none), Blocked),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Quality rating.
pub fn quality_rating(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("GREEN") => (label!(l, format.quality.green), Good),
        Some("YELLOW") => (label!(l, format.quality.yellow), Attention),
        Some("RED") => (label!(l, format.quality.red), Blocked),
        Some("NA") => (label!(l, format.quality.na), Unknown),
        Some("UNKNOWN") => (label!(l, format.quality.unknown), Unknown),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Messaging limit tiers, e.g. `TIER_1K` -> "1K customers per 24h".
pub fn messaging_limit(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    match raw {
        None | Some("") => not_reported(l),
        Some("TIER_UNLIMITED") => (label!(l, format.limit.unlimited), BadgeLevel::Good),
        Some(v) => match v.strip_prefix("TIER_") {
            Some(n) if !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                // Every new number starts at 250 a day: that is normal, not a warning.
                let level = if n == "50" {
                    BadgeLevel::Attention
                } else {
                    BadgeLevel::Good
                };
                (label!(l, format.limit.tier, n = n), level)
            }
            _ => (title_case(v), BadgeLevel::Unknown),
        },
    }
}

/// Account mode.
pub fn account_mode(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("LIVE") => (label!(l, format.mode.live), Good),
        Some("SANDBOX") => (label!(l, format.mode.sandbox), Attention),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Code (OTP) verification status.
pub fn code_verification(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("VERIFIED") => (label!(l, format.verification.verified), Good),
        Some("NOT_VERIFIED" | "UNVERIFIED") => {
            (label!(l, format.verification.not_verified), Attention)
        }
        Some("EXPIRED") => (label!(l, format.verification.expired), Attention),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Platform type.
pub fn platform(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("CLOUD_API") => (label!(l, format.platform.cloud_api), Good),
        Some("ON_PREMISE") => (label!(l, format.platform.on_premise), Attention),
        Some("NOT_APPLICABLE") => (label!(l, format.platform.not_applicable), Blocked),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Throughput level.
pub fn throughput(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("STANDARD") => (label!(l, format.throughput.standard), Good),
        Some("HIGH") => (label!(l, format.throughput.high), Good),
        Some("NOT_APPLICABLE") => (label!(l, format.throughput.not_applicable), Blocked),
        Some(v) => (title_case(v), Unknown),
    }
}

/// Number status.
pub fn number_status(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    match raw {
        None | Some("") => not_reported(l),
        Some("CONNECTED") => (label!(l, format.status.connected), Good),
        Some("PENDING") => (label!(l, format.status.pending), Attention),
        Some("FLAGGED") => (label!(l, format.status.flagged), Attention),
        Some("RATE_LIMITED") => (label!(l, format.status.rate_limited), Attention),
        Some("RESTRICTED") => (label!(l, format.status.restricted), Blocked),
        Some("BANNED") => (label!(l, format.status.banned), Blocked),
        Some("DISCONNECTED") => (label!(l, format.status.disconnected), Blocked),
        Some("DELETED") => (label!(l, format.status.deleted), Blocked),
        Some("MIGRATED") => (label!(l, format.status.migrated), Attention),
        Some("UNVERIFIED") => (label!(l, format.status.unverified), Attention),
        Some("OFFLINE") => (label!(l, format.status.offline), Blocked),
        Some("UNKNOWN") => (label!(l, format.status.unknown), Unknown),
        Some(v) => (title_case(v), Unknown),
    }
}

/// `s` percent-encoded for a URL's query (everything but RFC 3986's unreserved characters).
pub fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The WhatsApp Manager page of the number's portfolio and WABA; the generic page when an id is missing.
pub fn whatsapp_manager_url(business_id: Option<&str>, waba_id: Option<&str>) -> String {
    let enc = query_value;
    match (business_id.filter(|s| !s.is_empty()), waba_id.filter(|s| !s.is_empty())) {
        (Some(b), Some(w)) => format!(
            "https://business.facebook.com/latest/whatsapp_manager/phone_numbers/?business_id={}&asset_id={}",
            enc(b),
            enc(w)
        ),
        _ => "https://business.facebook.com/".to_string(),
    }
}

/// Seconds since 1970 of an RFC 3339 time (`2026-11-22T01:00:00Z`; fractions, `±HH:MM` and
/// Meta's `+0000` allowed); `None` for anything else. The app carries no date library (it would
/// weigh on the wasm); the chart and the activity times need no more than this.
pub fn epoch_secs(rfc3339: &str) -> Option<i64> {
    let b = rfc3339.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |s: Option<&str>| -> Option<i64> {
        let s = s?;
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let field = |a: usize, z: usize| num(rfc3339.get(a..z));
    let (y, mo, d) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (h, mi, s) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = rfc3339.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let hm = rest.get(1..)?.replacen(':', "", 1);
            if hm.len() != 4 {
                return None;
            }
            sign * (num(hm.get(0..2))? * 3_600 + num(hm.get(2..4))? * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use BadgeLevel::*;
    const EN: Locale = Locale::en;

    #[test]
    fn unknown_values_are_title_cased_and_grey() {
        assert_eq!(
            name_status(Some("SOMETHING_NEW"), EN),
            ("Something New".into(), Unknown)
        );
        assert_eq!(
            number_status(Some("ON_HOLIDAY"), EN),
            ("On Holiday".into(), Unknown)
        );
        assert_eq!(quality_rating(None, EN), ("Not reported".into(), Unknown));
    }

    #[test]
    fn every_known_value_has_a_meaningful_level() {
        assert_eq!(name_status(Some("APPROVED"), EN).1, Good);
        assert_eq!(name_status(Some("PENDING_REVIEW"), EN).1, Attention);
        assert_eq!(name_status(Some("DECLINED"), EN).1, Blocked);
        assert_eq!(quality_rating(Some("GREEN"), EN).1, Good);
        assert_eq!(quality_rating(Some("YELLOW"), EN).1, Attention);
        assert_eq!(quality_rating(Some("RED"), EN).1, Blocked);
        assert_eq!(platform(Some("NOT_APPLICABLE"), EN).1, Blocked);
        assert_eq!(throughput(Some("NOT_APPLICABLE"), EN).1, Blocked);
        assert_eq!(number_status(Some("CONNECTED"), EN).1, Good);
        assert_eq!(number_status(Some("OFFLINE"), EN).1, Blocked);
        assert_eq!(code_verification(Some("EXPIRED"), EN).1, Attention);
        assert_eq!(account_mode(Some("SANDBOX"), EN).1, Attention);
    }

    #[test]
    fn messaging_limits_read_as_customers_per_day() {
        assert_eq!(
            messaging_limit(Some("TIER_1K"), EN).0,
            "1K customers per 24h"
        );
        assert_eq!(
            messaging_limit(Some("TIER_2K"), EN),
            ("2K customers per 24h".into(), Good)
        );
        assert_eq!(messaging_limit(Some("TIER_250"), EN).1, Good);
        assert_eq!(messaging_limit(Some("TIER_50"), EN).1, Attention);
        assert_eq!(
            messaging_limit(Some("TIER_UNLIMITED"), EN).0,
            "Unlimited customers per 24h"
        );
        assert_eq!(messaging_limit(Some("TIER_FANCY"), EN).1, Unknown);
        assert_eq!(
            messaging_limit(Some("TIER_2K"), Locale::pt_BR).0,
            "2K clientes por 24 h"
        );
    }

    #[test]
    fn manager_links_put_each_id_where_it_belongs() {
        assert_eq!(
            whatsapp_manager_url(Some("111"), Some("222")),
            "https://business.facebook.com/latest/whatsapp_manager/phone_numbers/?business_id=111&asset_id=222"
        );
        assert_eq!(
            whatsapp_manager_url(None, Some("222")),
            "https://business.facebook.com/"
        );
        assert!(whatsapp_manager_url(Some("1&x=2"), Some("3")).contains("business_id=1%26x%3D2"));
    }
}

/// The badge level a registration state carries in lists.
pub fn state_level(state: crate::health::RegistrationState) -> BadgeLevel {
    use crate::health::RegistrationState::*;
    match state {
        Registered => BadgeLevel::Good,
        AwaitingDisplayName | Ready | RateLimited => BadgeLevel::Attention,
        ActionRequired => BadgeLevel::Blocked,
        Unknown => BadgeLevel::Unknown,
    }
}

/// The state as people read it.
pub fn state_label(state: crate::health::RegistrationState, l: Locale) -> String {
    use crate::health::RegistrationState::*;
    match state {
        Registered => label!(l, format.state.registered),
        AwaitingDisplayName => label!(l, format.state.awaiting_display_name),
        ActionRequired => label!(l, format.state.action_required),
        Ready => label!(l, format.state.ready),
        RateLimited => label!(l, format.state.rate_limited),
        Unknown => label!(l, format.state.unknown),
    }
}

#[cfg(test)]
mod state_tests {
    use super::*;
    use crate::health::RegistrationState;

    #[test]
    fn states_have_labels_and_levels() {
        assert_eq!(state_level(RegistrationState::Registered), BadgeLevel::Good);
        assert_eq!(
            state_level(RegistrationState::ActionRequired),
            BadgeLevel::Blocked
        );
        assert_eq!(state_level(RegistrationState::Unknown), BadgeLevel::Unknown);
        assert_eq!(
            state_label(RegistrationState::RateLimited, Locale::en),
            "Registration paused (Meta's limit)"
        );
        assert_eq!(
            state_label(RegistrationState::RateLimited, Locale::pt_BR),
            "Registro pausado (limite da Meta)"
        );
    }
}

/// `2026-11-22T01:02:03Z` (or Meta's `+0000`) -> `2026-11-22 01:02 UTC` in English, and the day
/// first in Portuguese and Spanish (`22/11/2026 01:02 UTC`); other offsets are kept; anything else
/// is returned unchanged.
pub fn short_time(rfc3339: &str, l: Locale) -> String {
    let iso = iso_short_time(rfc3339);
    match (l, iso.get(0..10), iso.get(10..)) {
        (Locale::en, _, _) | (_, None, _) | (_, _, None) => iso,
        (_, Some(d), Some(rest)) if d.len() == 10 && d.as_bytes()[4] == b'-' => {
            format!("{}/{}/{}{rest}", &d[8..10], &d[5..7], &d[0..4])
        }
        _ => iso,
    }
}

/// The locale-free form of [`short_time`] (`2026-11-22 01:02 UTC`).
fn iso_short_time(rfc3339: &str) -> String {
    let (Some(d), Some(t)) = (rfc3339.get(0..10), rfc3339.get(11..16)) else {
        return rfc3339.to_string();
    };
    if rfc3339.as_bytes().get(10) != Some(&b'T') {
        return rfc3339.to_string();
    }
    let rest = rfc3339.get(16..).unwrap_or("");
    let offset = rest.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit() || c == '.');
    match offset {
        "" | "Z" | "+0000" | "+00:00" => format!("{d} {t} UTC"),
        other => format!("{d} {t} {other}"),
    }
}

/// An age in words, coarse enough to read at a glance: `just now`, `4 min ago`, `3 h ago`,
/// `2 days ago` (a clock running behind reads as `just now`).
pub fn ago(secs: i64, l: Locale) -> String {
    match secs {
        ..60 => label!(l, format.ago.just_now),
        60..3_600 => label!(l, format.ago.minutes, n = secs / 60),
        3_600..86_400 => label!(l, format.ago.hours, n = secs / 3_600),
        86_400..172_800 => label!(l, format.ago.one_day),
        _ => label!(l, format.ago.days, n = secs / 86_400),
    }
}

/// A near time, short: `2026-12-05T14:00:00Z` -> `12-05 14:00 UTC` in English, `05/12 14:00 UTC`
/// in Portuguese and Spanish (the year is this one or the next, within Meta's 72-hour windows);
/// anything else falls back to [`short_time`].
pub fn month_day_time(rfc3339: &str, l: Locale) -> String {
    let full = iso_short_time(rfc3339);
    match full.get(5..) {
        Some(rest) if full.ends_with(" UTC") && full.len() == 20 => match l {
            Locale::en => rest.to_string(),
            _ => format!("{}/{}{}", &rest[3..5], &rest[0..2], &rest[5..]),
        },
        _ => short_time(rfc3339, l),
    }
}

#[cfg(test)]
mod time_tests {
    use crate::i18n::Locale;

    #[test]
    fn near_times_drop_the_year() {
        assert_eq!(
            super::month_day_time("2026-12-05T14:00:00Z", Locale::en),
            "12-05 14:00 UTC"
        );
        assert_eq!(
            super::month_day_time("2026-12-05T14:00:00Z", Locale::es),
            "05/12 14:00 UTC"
        );
        assert_eq!(super::month_day_time("soon", Locale::en), "soon");
    }

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(
            super::short_time("2026-11-22T01:02:03Z", Locale::en),
            "2026-11-22 01:02 UTC"
        );
        assert_eq!(super::short_time("soon", Locale::en), "soon");
        assert_eq!(
            super::short_time("2026-07-12T01:13:43+0000", Locale::en),
            "2026-07-12 01:13 UTC"
        );
        assert_eq!(
            super::short_time("2026-07-12T01:13:43+0200", Locale::en),
            "2026-07-12 01:13 +0200"
        );
        assert_eq!(
            super::short_time("2026-11-22T01:02:03Z", Locale::pt_BR),
            "22/11/2026 01:02 UTC"
        );
    }
}

/// The one way Greenlight writes a phone number, on every page and in every alert: E.164, a `+`
/// and the digits (`+1 631-555-0101` and Meta's `16315550101` both read `+16315550101`). Text
/// without digits is returned unchanged.
pub fn phone(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        raw.to_string()
    } else {
        format!("+{digits}")
    }
}

#[cfg(test)]
mod phone_tests {
    use crate::i18n::Locale;

    #[test]
    fn every_spelling_of_a_number_reads_the_same() {
        for raw in [
            "+16315550101",
            "+1 631-555-0101",
            "16315550101",
            "+1 (631) 555 0101",
        ] {
            assert_eq!(super::phone(raw), "+16315550101", "{raw}");
        }
        assert_eq!(super::phone("Not reported"), "Not reported");
    }

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(super::ago(-5, Locale::en), "just now");
        assert_eq!(super::ago(59, Locale::en), "just now");
        assert_eq!(super::ago(60, Locale::en), "1 min ago");
        assert_eq!(super::ago(4 * 60 + 59, Locale::en), "4 min ago");
        assert_eq!(super::ago(3_600, Locale::en), "1 h ago");
        assert_eq!(super::ago(86_399, Locale::en), "23 h ago");
        assert_eq!(super::ago(86_400, Locale::en), "1 day ago");
        assert_eq!(super::ago(3 * 86_400 + 10, Locale::en), "3 days ago");
        assert_eq!(super::ago(4 * 60, Locale::pt_BR), "há 4 min");
        assert_eq!(super::ago(3 * 86_400, Locale::es), "hace 3 días");
    }
}
