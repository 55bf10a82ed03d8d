//! The account's numbers grouped by business portfolio, with what a portfolio shares: Meta's
//! messaging limit (since v24 it belongs to the portfolio, not to a number), the capability Meta
//! announced (`business_capability_update`) and Meta's `account_alerts`. Formatting of those values
//! is pure and lives here too.
use serde::{Deserialize, Serialize};

use crate::format::title_case;
use crate::health::{BadgeLevel, Verdict};
use crate::i18n::{td_string, Locale};
use crate::tr;

/// `GET /api/v1/accounts/{id}/portfolios` and the Portfolios page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PortfoliosView {
    pub account_id: i64,
    /// Portfolios with the worst number first; numbers whose portfolio is not known yet last.
    pub portfolios: Vec<PortfolioView>,
}

/// One business portfolio and the numbers of it the viewer may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PortfolioView {
    /// Meta's business portfolio id; `None` groups the numbers whose portfolio Greenlight has not
    /// learned yet (their setup has not read the WhatsApp Business account).
    pub id: Option<String>,
    /// `owner_business_info.name`, when Meta told it.
    pub name: Option<String>,
    /// The shared messaging limit as Meta names it (`TIER_2K`): the newest of the numbers' reads
    /// and Meta's `business_capability_update`. `None` when neither told it.
    pub messaging_limit: Option<String>,
    /// The limit in words ("2K customers per 24h").
    pub messaging_limit_label: String,
    /// RFC 3339: when Meta last told the limit.
    pub messaging_limit_as_of: Option<String>,
    /// How many phone numbers the portfolio may have (`max_phone_numbers_per_business`).
    pub max_phone_numbers: Option<i64>,
    /// Meta's `account_alerts` in force on the portfolio or its numbers, newest first.
    pub alerts: Vec<AccountAlertView>,
    /// The numbers, worst verdict first.
    pub numbers: Vec<PortfolioNumberView>,
    /// WhatsApp Manager for this portfolio.
    pub whatsapp_manager_url: String,
}

/// One number of a portfolio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PortfolioNumberView {
    pub inbox_id: i64,
    pub name: String,
    pub phone_number: String,
    /// The WhatsApp Business account (WABA) id.
    pub business_account_id: String,
    pub verdict: Verdict,
    /// The verdict's one-line reason.
    pub reason: String,
}

/// One of Meta's `account_alerts`, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountAlertView {
    /// Meta's `alert_type` (`OBA_APPROVED`, `PROFILE_PICTURE_LOST`, ...).
    pub alert_type: String,
    pub title: String,
    /// What to do about it.
    pub advice: String,
    /// Meta's `alert_severity`: `CRITICAL`, `WARNING` or `INFORMATIONAL`.
    pub severity: Option<String>,
    pub level: BadgeLevel,
    /// Meta's `alert_description`, as Meta wrote it.
    pub description: Option<String>,
    /// What it is about: `BUSINESS` or `PHONE_NUMBER`, with Meta's id.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// RFC 3339: when Meta sent it.
    pub since: String,
}

/// An `account_alerts` type as people read it, in English (see [`account_alert_title_in`]).
pub fn account_alert_title(raw: &str) -> String {
    account_alert_title_in(raw, Locale::en)
}

/// An `account_alerts` type as people read it, in `l`.
pub fn account_alert_title_in(raw: &str, l: Locale) -> String {
    match raw {
        "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" => {
            tr!(l, portfolios.alert.eligibility_deferred.title)
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED" => {
            tr!(l, portfolios.alert.eligibility_failed.title)
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO" => {
            tr!(l, portfolios.alert.eligibility_need_more_info.title)
        }
        "OBA_APPROVED" => tr!(l, portfolios.alert.oba_approved.title),
        "OBA_REJECTED" => tr!(l, portfolios.alert.oba_rejected.title),
        "PROFILE_PICTURE_LOST" => tr!(l, portfolios.alert.profile_picture_lost.title),
        other => title_case(other),
    }
}

/// What to do about an `account_alerts` type, in one sentence, in English (see
/// [`account_alert_advice_in`]).
pub fn account_alert_advice(raw: &str) -> &'static str {
    account_alert_advice_in(raw, Locale::en)
}

/// What to do about an `account_alerts` type, in one sentence, in `l`.
pub fn account_alert_advice_in(raw: &str, l: Locale) -> &'static str {
    match raw {
        "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" => {
            td_string!(l, portfolios.alert.eligibility_deferred.advice)
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED" => {
            td_string!(l, portfolios.alert.eligibility_failed.advice)
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO" => {
            td_string!(l, portfolios.alert.eligibility_need_more_info.advice)
        }
        "OBA_APPROVED" => td_string!(l, portfolios.alert.oba_approved.advice),
        "OBA_REJECTED" => td_string!(l, portfolios.alert.oba_rejected.advice),
        "PROFILE_PICTURE_LOST" => td_string!(l, portfolios.alert.profile_picture_lost.advice),
        _ => td_string!(l, portfolios.alert.other_advice),
    }
}

/// Meta's `alert_severity` as people read it (`CRITICAL` -> "Critical"); new ones in title case.
pub fn account_alert_severity_label(severity: Option<&str>, l: Locale) -> String {
    match severity {
        Some("CRITICAL") => tr!(l, portfolios.severity.critical),
        Some("WARNING") => tr!(l, portfolios.severity.warning),
        Some("INFORMATIONAL") => tr!(l, portfolios.severity.informational),
        None | Some("") => tr!(l, portfolios.severity.unknown),
        Some(other) => title_case(other),
    }
}

/// Meta's `alert_severity` as a badge level.
pub fn account_alert_level(severity: Option<&str>) -> BadgeLevel {
    match severity {
        Some("CRITICAL") => BadgeLevel::Blocked,
        Some("WARNING") => BadgeLevel::Attention,
        Some("INFORMATIONAL") => BadgeLevel::Good,
        _ => BadgeLevel::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_s_alert_types_read_as_words_and_new_ones_still_read() {
        assert_eq!(
            account_alert_title("OBA_APPROVED"),
            "Official Business Account approved"
        );
        assert_eq!(account_alert_title("SOMETHING_NEW"), "Something New");
        assert_eq!(account_alert_level(Some("CRITICAL")), BadgeLevel::Blocked);
        assert_eq!(account_alert_level(None), BadgeLevel::Unknown);
        assert!(account_alert_advice("PROFILE_PICTURE_LOST").contains("Upload"));
        assert_eq!(
            account_alert_severity_label(Some("WARNING"), Locale::en),
            "Warning"
        );
        assert_eq!(account_alert_severity_label(None, Locale::en), "Unknown");
        assert_eq!(
            account_alert_severity_label(Some("URGENT"), Locale::en),
            "Urgent"
        );
        for l in [Locale::pt_BR, Locale::es] {
            assert_ne!(
                account_alert_title_in("OBA_APPROVED", l),
                account_alert_title("OBA_APPROVED")
            );
            assert_ne!(
                account_alert_advice_in("PROFILE_PICTURE_LOST", l),
                account_alert_advice("PROFILE_PICTURE_LOST")
            );
        }
    }
}
