//! The account's numbers grouped by business portfolio, with what a portfolio shares: Meta's
//! messaging limit (since v24 it belongs to the portfolio, not to a number), the capability Meta
//! announced (`business_capability_update`) and Meta's `account_alerts`. Formatting of those values
//! is pure and lives here too.
use serde::{Deserialize, Serialize};

use crate::format::title_case;
use crate::health::{BadgeLevel, Verdict};

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

/// An `account_alerts` type as people read it.
pub fn account_alert_title(raw: &str) -> String {
    match raw {
        "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" => {
            "A higher messaging limit is deferred".into()
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED" => {
            "Not eligible for a higher messaging limit".into()
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO" => {
            "Meta needs more information before raising the messaging limit".into()
        }
        "OBA_APPROVED" => "Official Business Account approved".into(),
        "OBA_REJECTED" => "Official Business Account request rejected".into(),
        "PROFILE_PICTURE_LOST" => "The profile picture was removed".into(),
        other => title_case(other),
    }
}

/// What to do about an `account_alerts` type, in one sentence.
pub fn account_alert_advice(raw: &str) -> &'static str {
    match raw {
        "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" => {
            "Keep sending good-quality messages for a few more days; Meta checks again by itself."
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED" => {
            "Verify the business in Meta Business Settings and keep the quality rating high, then ask again."
        }
        "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO" => {
            "Open Business Support Home and give Meta the information it asks for."
        }
        "OBA_APPROVED" => "Nothing to do: the numbers show the blue badge.",
        "OBA_REJECTED" => {
            "Meta declined the blue badge; add press coverage of the business and request it again after 30 days."
        }
        "PROFILE_PICTURE_LOST" => "Upload the profile picture again in WhatsApp Manager.",
        _ => "See WhatsApp Manager for details.",
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
    }
}
