//! Pure formatting of Meta's values into labels and badge levels. Unknown values are title-cased,
//! never shown as raw keys, and rated "unknown" rather than guessed.
use crate::health::BadgeLevel;

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

/// A label and level for a value, or title-case and `Unknown` for values Meta adds later.
fn known(raw: Option<&str>, table: &[(&str, &str, BadgeLevel)]) -> (String, BadgeLevel) {
    match raw {
        None | Some("") => ("Not reported".into(), BadgeLevel::Unknown),
        Some(v) => table
            .iter()
            .find(|(k, _, _)| *k == v)
            .map(|(_, l, b)| (l.to_string(), *b))
            .unwrap_or_else(|| (title_case(v), BadgeLevel::Unknown)),
    }
}

/// Display-name review status.
pub fn name_status(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("APPROVED", "Approved", Good),
            ("AVAILABLE_WITHOUT_REVIEW", "Available without review", Good),
            ("PENDING_REVIEW", "In review", Attention),
            ("DECLINED", "Declined", Blocked),
            ("REJECTED", "Rejected", Blocked),
            ("EXPIRED", "Expired", Blocked),
            ("NONE", "No display name", Blocked),
        ],
    )
}

/// Quality rating.
pub fn quality_rating(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("GREEN", "High", Good),
            ("YELLOW", "Medium", Attention),
            ("RED", "Low", Blocked),
            ("NA", "Not yet rated", Unknown),
            ("UNKNOWN", "Unknown", Unknown),
        ],
    )
}

/// Messaging limit tiers, e.g. `TIER_1K` -> "1K customers per 24h".
pub fn messaging_limit(raw: Option<&str>) -> (String, BadgeLevel) {
    match raw {
        None | Some("") => ("Not reported".into(), BadgeLevel::Unknown),
        Some("TIER_UNLIMITED") => ("Unlimited customers per 24h".into(), BadgeLevel::Good),
        Some(v) => match v.strip_prefix("TIER_") {
            Some(n) if !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                // Every new number starts at 250 a day: that is normal, not a warning.
                let level = if n == "50" {
                    BadgeLevel::Attention
                } else {
                    BadgeLevel::Good
                };
                (format!("{n} customers per 24h"), level)
            }
            _ => (title_case(v), BadgeLevel::Unknown),
        },
    }
}

/// Account mode.
pub fn account_mode(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[("LIVE", "Live", Good), ("SANDBOX", "Sandbox", Attention)],
    )
}

/// Code (OTP) verification status.
pub fn code_verification(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("VERIFIED", "Verified", Good),
            ("NOT_VERIFIED", "Not verified", Attention),
            ("UNVERIFIED", "Not verified", Attention),
            ("EXPIRED", "Verification expired", Attention),
        ],
    )
}

/// Platform type.
pub fn platform(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("CLOUD_API", "Cloud API", Good),
            ("ON_PREMISE", "On-Premises API", Attention),
            ("NOT_APPLICABLE", "Not registered", Blocked),
        ],
    )
}

/// Throughput level.
pub fn throughput(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("STANDARD", "Standard (80 msg/s)", Good),
            ("HIGH", "High (up to 1,000 msg/s)", Good),
            ("NOT_APPLICABLE", "Not applicable (not registered)", Blocked),
        ],
    )
}

/// Number status.
pub fn number_status(raw: Option<&str>) -> (String, BadgeLevel) {
    use BadgeLevel::*;
    known(
        raw,
        &[
            ("CONNECTED", "Connected", Good),
            ("PENDING", "Pending", Attention),
            ("FLAGGED", "Flagged", Attention),
            ("RATE_LIMITED", "Rate limited", Attention),
            ("RESTRICTED", "Restricted", Blocked),
            ("BANNED", "Banned", Blocked),
            ("DISCONNECTED", "Disconnected", Blocked),
            ("DELETED", "Deleted", Blocked),
            ("MIGRATED", "Migrated", Attention),
            ("UNVERIFIED", "Unverified", Attention),
            ("OFFLINE", "Offline", Blocked),
            ("UNKNOWN", "Unknown", Unknown),
        ],
    )
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

    #[test]
    fn unknown_values_are_title_cased_and_grey() {
        assert_eq!(
            name_status(Some("SOMETHING_NEW")),
            ("Something New".into(), Unknown)
        );
        assert_eq!(
            number_status(Some("ON_HOLIDAY")),
            ("On Holiday".into(), Unknown)
        );
        assert_eq!(quality_rating(None), ("Not reported".into(), Unknown));
    }

    #[test]
    fn every_known_value_has_a_meaningful_level() {
        assert_eq!(name_status(Some("APPROVED")).1, Good);
        assert_eq!(name_status(Some("PENDING_REVIEW")).1, Attention);
        assert_eq!(name_status(Some("DECLINED")).1, Blocked);
        assert_eq!(quality_rating(Some("GREEN")).1, Good);
        assert_eq!(quality_rating(Some("YELLOW")).1, Attention);
        assert_eq!(quality_rating(Some("RED")).1, Blocked);
        assert_eq!(platform(Some("NOT_APPLICABLE")).1, Blocked);
        assert_eq!(throughput(Some("NOT_APPLICABLE")).1, Blocked);
        assert_eq!(number_status(Some("CONNECTED")).1, Good);
        assert_eq!(number_status(Some("OFFLINE")).1, Blocked);
        assert_eq!(code_verification(Some("EXPIRED")).1, Attention);
        assert_eq!(account_mode(Some("SANDBOX")).1, Attention);
    }

    #[test]
    fn messaging_limits_read_as_customers_per_day() {
        assert_eq!(messaging_limit(Some("TIER_1K")).0, "1K customers per 24h");
        assert_eq!(
            messaging_limit(Some("TIER_2K")),
            ("2K customers per 24h".into(), Good)
        );
        assert_eq!(messaging_limit(Some("TIER_250")).1, Good);
        assert_eq!(messaging_limit(Some("TIER_50")).1, Attention);
        assert_eq!(
            messaging_limit(Some("TIER_UNLIMITED")).0,
            "Unlimited customers per 24h"
        );
        assert_eq!(messaging_limit(Some("TIER_FANCY")).1, Unknown);
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
pub fn state_label(state: crate::health::RegistrationState) -> &'static str {
    use crate::health::RegistrationState::*;
    match state {
        Registered => "Registered",
        AwaitingDisplayName => "Waiting for display name review",
        ActionRequired => "Action required",
        Ready => "Ready to register",
        RateLimited => "Registration paused (Meta's limit)",
        Unknown => "Unknown (Meta did not answer)",
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
            state_label(RegistrationState::RateLimited),
            "Registration paused (Meta's limit)"
        );
    }
}

/// `2026-11-22T01:02:03Z` (or Meta's `+0000`) -> `2026-11-22 01:02 UTC`; other offsets are kept;
/// anything else is returned unchanged.
pub fn short_time(rfc3339: &str) -> String {
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
pub fn ago(secs: i64) -> String {
    match secs {
        ..60 => "just now".to_string(),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "1 day ago".to_string(),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// A near time, short: `2026-12-05T14:00:00Z` -> `12-05 14:00 UTC` (the year is this one or the
/// next, within Meta's 72-hour windows); anything else falls back to [`short_time`].
pub fn month_day_time(rfc3339: &str) -> String {
    let full = short_time(rfc3339);
    match full.get(5..) {
        Some(rest) if full.ends_with(" UTC") && full.len() == 20 => rest.to_string(),
        _ => full,
    }
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn near_times_drop_the_year() {
        assert_eq!(
            super::month_day_time("2026-12-05T14:00:00Z"),
            "12-05 14:00 UTC"
        );
        assert_eq!(super::month_day_time("soon"), "soon");
    }

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(
            super::short_time("2026-11-22T01:02:03Z"),
            "2026-11-22 01:02 UTC"
        );
        assert_eq!(super::short_time("soon"), "soon");
        assert_eq!(
            super::short_time("2026-07-12T01:13:43+0000"),
            "2026-07-12 01:13 UTC"
        );
        assert_eq!(
            super::short_time("2026-07-12T01:13:43+0200"),
            "2026-07-12 01:13 +0200"
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
        assert_eq!(super::ago(-5), "just now");
        assert_eq!(super::ago(59), "just now");
        assert_eq!(super::ago(60), "1 min ago");
        assert_eq!(super::ago(4 * 60 + 59), "4 min ago");
        assert_eq!(super::ago(3_600), "1 h ago");
        assert_eq!(super::ago(86_399), "23 h ago");
        assert_eq!(super::ago(86_400), "1 day ago");
        assert_eq!(super::ago(3 * 86_400 + 10), "3 days ago");
    }
}
