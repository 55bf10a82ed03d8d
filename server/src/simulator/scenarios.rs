//! The preset numbers: one WhatsApp Business number in every state Greenlight has to handle.
//!
//! Ids are fixed so the demo, the end-to-end tests and the docs can refer to them; every
//! scenario has its own access token. A scenario's enforcement (a restriction, a ban) reaches
//! Greenlight the way Meta's does: as the `account_update` webhooks of [`account_updates`], which
//! the simulator sends when asked ([`super::Simulator::replay_account_updates`]). `healthy`, `quality_red` and `connected_expired` share one
//! WABA and business portfolio ("Lucky Shrub"), so a WABA listing with several numbers (and
//! cursor paging) exists; every other scenario has a WABA and portfolio of its own.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The state a preset number is in when the simulator starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Registered on Cloud API, connected, green, name approved.
    Healthy,
    /// Display name still in review; `/register` fails with 100/2388001 until `approve_name`.
    PendingReview,
    /// Name approved but never registered (platform `NOT_APPLICABLE`); `/register` succeeds.
    ApprovedUnregistered,
    /// `CLOUD_API` but `throughput.level = NOT_APPLICABLE`; `/register` fixes it.
    ThroughputNotApplicable,
    /// `code_verification_status = NOT_VERIFIED`; `/register` answers 133006.
    NotVerified,
    /// Display name declined.
    NameDeclined,
    /// The register budget (10 per 72 h) is already spent; `/register` answers 133016.
    QuotaExhausted,
    /// Its access token has expired: every call answers 401/190/463.
    TokenExpired,
    /// Someone else already set a two-step PIN; `/register` with another PIN answers 133005.
    PinMismatch,
    /// Quality RED, status FLAGGED, registered.
    QualityRed,
    /// Answers every call after a configurable delay (20 s by default).
    Slow,
    /// The first two calls fail with 5xx (code 2), then it is healthy.
    Flaky,
    /// Healthy, but the verified name is HTML.
    HtmlName,
    /// Registered and CONNECTED with `code_verification_status = EXPIRED`.
    ConnectedExpired,
    /// Enum values Meta may add later (quality UNKNOWN, status OFFLINE, TIER_2K, SOMETHING_NEW).
    UnknownValues,
    /// Registered, but `health_status` blocks its WABA (141006, a problem with the payment method).
    WabaBlocked,
    /// Registered; `health_status` limits its business portfolio (141010, business not verified).
    BusinessLimited,
    /// Registered; Meta restricted its WABA from starting conversations for three days
    /// (`account_update` `ACCOUNT_RESTRICTION`, `RESTRICTED_BIZ_INITIATED_MESSAGING`).
    WabaRestricted,
    /// Registered; Meta disabled (banned) its WABA (`account_update` `DISABLED_UPDATE`, `DISABLE`).
    WabaBanned,
    /// Registered with an approved name; a new display name is in review (`new_display_name`,
    /// `new_name_status` `PENDING_REVIEW`).
    NameChangeInReview,
}

impl Scenario {
    /// Every scenario, in a stable order.
    pub const ALL: [Scenario; 20] = [
        Scenario::Healthy,
        Scenario::PendingReview,
        Scenario::ApprovedUnregistered,
        Scenario::ThroughputNotApplicable,
        Scenario::NotVerified,
        Scenario::NameDeclined,
        Scenario::QuotaExhausted,
        Scenario::TokenExpired,
        Scenario::PinMismatch,
        Scenario::QualityRed,
        Scenario::Slow,
        Scenario::Flaky,
        Scenario::HtmlName,
        Scenario::ConnectedExpired,
        Scenario::UnknownValues,
        Scenario::WabaBlocked,
        Scenario::BusinessLimited,
        Scenario::WabaRestricted,
        Scenario::WabaBanned,
        Scenario::NameChangeInReview,
    ];

    /// Machine name, e.g. `pending_review`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::PendingReview => "pending_review",
            Scenario::ApprovedUnregistered => "approved_unregistered",
            Scenario::ThroughputNotApplicable => "throughput_not_applicable",
            Scenario::NotVerified => "not_verified",
            Scenario::NameDeclined => "name_declined",
            Scenario::QuotaExhausted => "quota_exhausted",
            Scenario::TokenExpired => "token_expired",
            Scenario::PinMismatch => "pin_mismatch",
            Scenario::QualityRed => "quality_red",
            Scenario::Slow => "slow",
            Scenario::Flaky => "flaky",
            Scenario::HtmlName => "html_name",
            Scenario::ConnectedExpired => "connected_expired",
            Scenario::UnknownValues => "unknown_values",
            Scenario::WabaBlocked => "waba_blocked",
            Scenario::BusinessLimited => "business_limited",
            Scenario::WabaRestricted => "waba_restricted",
            Scenario::WabaBanned => "waba_banned",
            Scenario::NameChangeInReview => "name_change_in_review",
        }
    }

    /// Human description for the demo.
    pub fn label(self) -> &'static str {
        match self {
            Scenario::Healthy => "Healthy and registered",
            Scenario::PendingReview => "Display name in review",
            Scenario::ApprovedUnregistered => "Name approved, not registered",
            Scenario::ThroughputNotApplicable => "Cloud API without throughput",
            Scenario::NotVerified => "Phone number not verified",
            Scenario::NameDeclined => "Display name declined",
            Scenario::QuotaExhausted => "Register quota exhausted",
            Scenario::TokenExpired => "Access token expired",
            Scenario::PinMismatch => "Two-step PIN set elsewhere",
            Scenario::QualityRed => "Quality red, flagged",
            Scenario::Slow => "Meta answers slowly",
            Scenario::Flaky => "Meta fails twice, then answers",
            Scenario::HtmlName => "Verified name with HTML",
            Scenario::ConnectedExpired => "Connected, verification expired",
            Scenario::UnknownValues => "Values Greenlight does not know yet",
            Scenario::WabaBlocked => "Business account blocked by Meta (payment)",
            Scenario::BusinessLimited => "Business portfolio limited (not verified)",
            Scenario::WabaRestricted => "Business account restricted for 3 days",
            Scenario::WabaBanned => "Business account banned by Meta",
            Scenario::NameChangeInReview => "Display name change in review",
        }
    }

    fn index(self) -> u64 {
        Scenario::ALL
            .iter()
            .position(|s| *s == self)
            .expect("every scenario is in ALL") as u64
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scenario::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or_else(|| format!("unknown scenario `{s}`"))
    }
}

/// The Meta app the simulator pretends Greenlight is (used in `subscribed_apps`, `health_status`
/// and the embedded-signup code exchange).
pub const APP_ID: &str = "634974688087057";
/// The app secret `GET /oauth/access_token` expects as `client_secret`.
pub const APP_SECRET: &str = "sim-app-secret-3f9a1c7e5b2d4f60";
/// The app's name as `subscribed_apps` reports it.
pub const APP_NAME: &str = "Greenlight Simulator";

/// Ids of the WABA and business portfolio shared by `healthy`, `quality_red` and `connected_expired`.
const SHARED_WABA: &str = "102290129340398";
const SHARED_BUSINESS: &str = "506914307656634";

/// Everything fixed about a preset: identity plus its initial state.
#[derive(Clone, Debug)]
pub(crate) struct Preset {
    pub phone_number_id: String,
    pub waba_id: String,
    pub waba_name: String,
    pub business_id: String,
    pub business_name: String,
    pub token: String,
    pub display_phone_number: String,
    pub verified_name: String,
    pub name_status: &'static str,
    pub code_verification_status: &'static str,
    pub quality_rating: &'static str,
    pub status: &'static str,
    pub platform_type: &'static str,
    pub throughput: Option<&'static str>,
    pub messaging_limit: &'static str,
    pub messaging_limit_tier: Option<&'static str>,
    /// Days before the simulator's start the number was onboarded (registered), if ever.
    pub onboarded_days_ago: Option<i64>,
    /// A PIN already set on the number.
    pub pin: Option<&'static str>,
    /// What `health_status` says of the WABA's other entities, by `entity_type` (merged over
    /// `AVAILABLE`).
    pub entity_health: Vec<(&'static str, serde_json::Value)>,
    /// `official_business_account.oba_status`.
    pub oba_status: &'static str,
    /// A coexistence number (WhatsApp Business app and Cloud API).
    pub is_on_biz_app: bool,
    /// A display name change Meta is reviewing: the requested name and its `new_name_status`.
    pub name_change: Option<(&'static str, &'static str)>,
}

impl Preset {
    fn registered(scenario: Scenario) -> Preset {
        let i = scenario.index();
        let shared = matches!(
            scenario,
            Scenario::Healthy | Scenario::QualityRed | Scenario::ConnectedExpired
        );
        let (waba_id, business_id) = if shared {
            (SHARED_WABA.to_string(), SHARED_BUSINESS.to_string())
        } else {
            (
                (102_290_129_340_400 + i * 7_919).to_string(),
                (506_914_307_656_700 + i * 6_007).to_string(),
            )
        };
        let verified_name = name_for(scenario).to_string();
        let (waba_name, business_name) = if shared {
            (
                "Lucky Shrub".to_string(),
                "Lucky Shrub Holdings".to_string(),
            )
        } else {
            (
                verified_name.clone(),
                format!("{verified_name} (portfolio)"),
            )
        };
        Preset {
            phone_number_id: (1_065_403_522_429_001 + i * 104_729).to_string(),
            waba_id,
            waba_name,
            business_id,
            business_name,
            token: format!(
                "EAAGsim{}ZBx{:08x}ZDZD",
                scenario.as_str().replace('_', ""),
                0x5eed_0000 + i * 2_654_435
            ),
            display_phone_number: format!("+1 631-555-{:04}", 101 + i),
            verified_name,
            name_status: "APPROVED",
            code_verification_status: "VERIFIED",
            quality_rating: "GREEN",
            status: "CONNECTED",
            platform_type: "CLOUD_API",
            throughput: Some("STANDARD"),
            messaging_limit: "TIER_2K",
            messaging_limit_tier: Some("TIER_1K"),
            onboarded_days_ago: Some(120 + i as i64),
            pin: Some("246810"),
            entity_health: Vec::new(),
            oba_status: if scenario == Scenario::Healthy {
                "APPROVED"
            } else {
                "NOT_STARTED"
            },
            is_on_biz_app: false,
            name_change: None,
        }
    }

    /// A number freshly added through embedded signup: verified, never registered.
    fn unregistered(scenario: Scenario) -> Preset {
        Preset {
            status: "PENDING",
            platform_type: "NOT_APPLICABLE",
            throughput: Some("NOT_APPLICABLE"),
            quality_rating: "NA",
            messaging_limit: "TIER_250",
            messaging_limit_tier: None,
            onboarded_days_ago: None,
            pin: None,
            ..Preset::registered(scenario)
        }
    }
}

fn name_for(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Healthy => "Lucky Shrub",
        Scenario::PendingReview => "Jasper's Market",
        Scenario::ApprovedUnregistered => "Cactus Corner",
        Scenario::ThroughputNotApplicable => "Fern & Moss",
        Scenario::NotVerified => "Orchid Hotline",
        Scenario::NameDeclined => "John Smith",
        Scenario::QuotaExhausted => "Bonsai Brothers",
        Scenario::TokenExpired => "Tulip Travel",
        Scenario::PinMismatch => "Maple Dental",
        Scenario::QualityRed => "Lucky Shrub Outlet",
        Scenario::Slow => "Snail Mail Co",
        Scenario::Flaky => "Flicker Lights",
        Scenario::HtmlName => "<script>alert(\"x\")</script> & Co <b>bold</b>",
        Scenario::ConnectedExpired => "Lucky Shrub Support",
        Scenario::UnknownValues => "Nebula Labs",
        Scenario::WabaBlocked => "Ivy Invoices",
        Scenario::BusinessLimited => "Willow Workshop",
        Scenario::WabaRestricted => "Rowan Rentals",
        Scenario::WabaBanned => "Hazel Hardware",
        Scenario::NameChangeInReview => "Poppy Pets",
    }
}

/// The initial state of a scenario's number.
pub(crate) fn preset(scenario: Scenario) -> Preset {
    match scenario {
        Scenario::Healthy
        | Scenario::Slow
        | Scenario::Flaky
        | Scenario::HtmlName
        | Scenario::WabaRestricted
        | Scenario::WabaBanned => Preset::registered(scenario),
        Scenario::NameChangeInReview => Preset {
            name_change: Some(("Poppy Pet Supplies", "PENDING_REVIEW")),
            ..Preset::registered(scenario)
        },
        Scenario::PendingReview => Preset {
            name_status: "PENDING_REVIEW",
            ..Preset::unregistered(scenario)
        },
        Scenario::ApprovedUnregistered | Scenario::QuotaExhausted => Preset::unregistered(scenario),
        Scenario::ThroughputNotApplicable => Preset {
            platform_type: "CLOUD_API",
            quality_rating: "GREEN",
            onboarded_days_ago: Some(9),
            ..Preset::unregistered(scenario)
        },
        Scenario::NotVerified => Preset {
            code_verification_status: "NOT_VERIFIED",
            ..Preset::unregistered(scenario)
        },
        Scenario::NameDeclined => Preset {
            name_status: "DECLINED",
            ..Preset::unregistered(scenario)
        },
        Scenario::TokenExpired => Preset::registered(scenario),
        Scenario::PinMismatch => Preset {
            pin: Some("918273"),
            ..Preset::unregistered(scenario)
        },
        Scenario::QualityRed => Preset {
            quality_rating: "RED",
            status: "FLAGGED",
            ..Preset::registered(scenario)
        },
        Scenario::ConnectedExpired => Preset {
            code_verification_status: "EXPIRED",
            ..Preset::registered(scenario)
        },
        Scenario::WabaBlocked => Preset {
            entity_health: vec![("WABA", blocked_for_payment())],
            ..Preset::registered(scenario)
        },
        Scenario::BusinessLimited => Preset {
            entity_health: vec![("BUSINESS", limited_not_verified())],
            ..Preset::registered(scenario)
        },
        Scenario::UnknownValues => Preset {
            quality_rating: "UNKNOWN",
            status: "OFFLINE",
            name_status: "SOMETHING_NEW",
            messaging_limit: "TIER_2K",
            messaging_limit_tier: None,
            ..Preset::registered(scenario)
        },
    }
}

/// How long the `waba_restricted` preset's restriction lasts from the simulator's start.
pub(crate) const RESTRICTION_DAYS: i64 = 3;

/// The `account_update` values Meta sent that put a scenario's WABA in its preset state, as of
/// `now` (the simulator's start): a restriction ending [`RESTRICTION_DAYS`] later, or a ban dated
/// two days earlier. Empty for scenarios without enforcement.
pub(crate) fn account_updates(scenario: Scenario, now: DateTime<Utc>) -> Vec<serde_json::Value> {
    use super::webhooks::account_update_value;
    match scenario {
        Scenario::WabaRestricted => vec![account_update_value(
            "ACCOUNT_RESTRICTION",
            serde_json::json!({"restriction_info": [{
                "restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING",
                "expiration": (now + Duration::days(RESTRICTION_DAYS)).timestamp(),
            }]}),
        )],
        Scenario::WabaBanned => vec![account_update_value(
            "DISABLED_UPDATE",
            serde_json::json!({"ban_info": {
                "waba_ban_state": "DISABLE",
                // Meta's spelling of the day, e.g. "April 17, 2025".
                "waba_ban_date": (now - Duration::days(2)).format("%B %-d, %Y").to_string(),
            }}),
        )],
        _ => Vec::new(),
    }
}

/// The `account_alerts` values Meta sent about a scenario's portfolio: the `business_limited`
/// portfolio (not verified) was told a higher messaging limit is deferred, in the words of Meta's
/// documented example. Empty for the other scenarios.
pub(crate) fn account_alerts(scenario: Scenario) -> Vec<serde_json::Value> {
    match scenario {
        Scenario::BusinessLimited => vec![serde_json::json!({
            "entity_type": "BUSINESS",
            "entity_id": Preset::registered(scenario).business_id,
            "alert_info": {
                "alert_severity": "WARNING",
                "alert_status": "ACTIVE",
                "alert_type": "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
                "alert_description": "Limits cannot be increased for your business. Use WhatsApp Business platform actively for several days and follow our messaging policies.",
            },
        })],
        _ => Vec::new(),
    }
}

/// A WABA blocked for its payment method, in Meta's words (health error 141006).
pub(crate) fn blocked_for_payment() -> serde_json::Value {
    serde_json::json!({
        "can_send_message": "BLOCKED",
        "errors": [{
            "error_code": 141006,
            "error_description": "There is an error with the payment method. This will block business initiated conversations.",
            "possible_solution": "There was an error with your payment method. Please add a new payment method to the account."
        }]
    })
}

/// A business portfolio limited until it passes business verification (health error 141010).
pub(crate) fn limited_not_verified() -> serde_json::Value {
    serde_json::json!({
        "can_send_message": "LIMITED",
        "errors": [{
            "error_code": 141010,
            "error_description": "The Business has not passed business verification.",
            "possible_solution": "Visit business settings and start or resolve the business verification request."
        }],
        "additional_info": ["Your business portfolio is limited to 2 phone numbers until it is verified."]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_realistic_numeric_strings() {
        let presets: Vec<Preset> = Scenario::ALL.into_iter().map(preset).collect();
        let ids: HashSet<_> = presets.iter().map(|p| p.phone_number_id.clone()).collect();
        let tokens: HashSet<_> = presets.iter().map(|p| p.token.clone()).collect();
        assert_eq!(ids.len(), Scenario::ALL.len());
        assert_eq!(tokens.len(), Scenario::ALL.len());
        for p in &presets {
            for id in [&p.phone_number_id, &p.waba_id, &p.business_id] {
                assert!((15..=16).contains(&id.len()), "{id}");
                assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");
            }
        }
    }

    #[test]
    fn enforcement_presets_send_meta_shaped_account_updates_on_their_own_wabas() {
        let now = Utc::now();
        let restricted = account_updates(Scenario::WabaRestricted, now);
        assert_eq!(restricted.len(), 1);
        assert_eq!(restricted[0]["event"], "ACCOUNT_RESTRICTION");
        let r = &restricted[0]["restriction_info"][0];
        assert_eq!(r["restriction_type"], "RESTRICTED_BIZ_INITIATED_MESSAGING");
        assert_eq!(
            r["expiration"].as_i64(),
            Some((now + Duration::days(RESTRICTION_DAYS)).timestamp())
        );
        let banned = account_updates(Scenario::WabaBanned, now);
        assert_eq!(banned[0]["event"], "DISABLED_UPDATE");
        assert_eq!(banned[0]["ban_info"]["waba_ban_state"], "DISABLE");
        let date = banned[0]["ban_info"]["waba_ban_date"].as_str().unwrap();
        assert!(
            chrono::NaiveDate::parse_from_str(date, "%B %d, %Y").is_ok(),
            "{date}"
        );
        assert!(account_updates(Scenario::Healthy, now).is_empty());
        // Enforcement is the WABA's: these presets share it with no other number.
        for s in [Scenario::WabaRestricted, Scenario::WabaBanned] {
            let waba = preset(s).waba_id;
            let sharing: Vec<Scenario> = Scenario::ALL
                .into_iter()
                .filter(|o| preset(*o).waba_id == waba)
                .collect();
            assert_eq!(sharing, vec![s]);
        }
    }

    #[test]
    fn scenario_names_round_trip() {
        for s in Scenario::ALL {
            assert_eq!(s.as_str().parse::<Scenario>().unwrap(), s);
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
    }
}
