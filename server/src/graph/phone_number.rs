//! The business phone number node: [`PhoneNumberHealth`] and its open enums.

use serde::{Deserialize, Serialize};

use super::wire::{
    from_object, lenient, lenient_object, lenient_object_vec, lenient_vec, open_enum, JsonObject,
};

/// The `fields` Greenlight asks for on every read of a phone number node (DESIGN.md, "Graph API use").
pub const PHONE_NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,code_verification_status,name_status,\
quality_rating,whatsapp_business_manager_messaging_limit,messaging_limit_tier,account_mode,platform_type,throughput,\
status,last_onboarded_time,is_on_biz_app,health_status,new_display_name,new_name_status,official_business_account";

open_enum! {
    /// `name_status`: the review state of the display name.
    pub enum NameStatus {
        Approved = "APPROVED",
        AvailableWithoutReview = "AVAILABLE_WITHOUT_REVIEW",
        Declined = "DECLINED",
        /// Used by name-update webhooks; treated like `DECLINED`.
        Rejected = "REJECTED",
        Expired = "EXPIRED",
        PendingReview = "PENDING_REVIEW",
        /// No usable display name; Meta says such a number cannot be registered.
        None = "NONE",
    }
}

open_enum! {
    /// `quality_rating`.
    pub enum QualityRating {
        Green = "GREEN",
        Yellow = "YELLOW",
        Red = "RED",
        /// Not yet determined (new numbers).
        Na = "NA",
        Unknown = "UNKNOWN",
    }
}

open_enum! {
    /// `code_verification_status`: whether the number passed the SMS/voice code check (lasts 14 days).
    pub enum CodeVerificationStatus {
        NotVerified = "NOT_VERIFIED",
        Verified = "VERIFIED",
        Expired = "EXPIRED",
        /// Spelling used by Meta's OpenAPI document.
        Unverified = "UNVERIFIED",
    }
}

open_enum! {
    /// `platform_type`: which API the number is registered with.
    pub enum PlatformType {
        CloudApi = "CLOUD_API",
        OnPremise = "ON_PREMISE",
        /// Not registered with Cloud API or On-Premises API.
        NotApplicable = "NOT_APPLICABLE",
    }
}

open_enum! {
    /// `throughput.level`.
    pub enum ThroughputLevel {
        Standard = "STANDARD",
        High = "HIGH",
        NotApplicable = "NOT_APPLICABLE",
    }
}

open_enum! {
    /// `status`: the operating status of the number.
    pub enum NumberStatus {
        Pending = "PENDING",
        Deleted = "DELETED",
        Migrated = "MIGRATED",
        Banned = "BANNED",
        Restricted = "RESTRICTED",
        RateLimited = "RATE_LIMITED",
        Flagged = "FLAGGED",
        Connected = "CONNECTED",
        Disconnected = "DISCONNECTED",
        Unknown = "UNKNOWN",
        Unverified = "UNVERIFIED",
        /// Shown by WhatsApp Manager and partners; not in the Graph reference.
        Offline = "OFFLINE",
    }
}

open_enum! {
    /// `account_mode`.
    pub enum AccountMode {
        Sandbox = "SANDBOX",
        Live = "LIVE",
    }
}

open_enum! {
    /// `whatsapp_business_manager_messaging_limit` (v24+, portfolio level) and the deprecated `messaging_limit_tier`.
    pub enum MessagingLimit {
        Tier50 = "TIER_50",
        Tier250 = "TIER_250",
        Tier1K = "TIER_1K",
        Tier2K = "TIER_2K",
        Tier10K = "TIER_10K",
        Tier100K = "TIER_100K",
        TierUnlimited = "TIER_UNLIMITED",
        TierNotSet = "TIER_NOT_SET",
    }
}

open_enum! {
    /// `health_status.can_send_message` (and `can_receive_call_sip`).
    pub enum CanSendMessage {
        Available = "AVAILABLE",
        Limited = "LIMITED",
        Blocked = "BLOCKED",
    }
}

open_enum! {
    /// `official_business_account.oba_status`: the review of the number's request for the blue badge.
    pub enum ObaStatus {
        NotStarted = "NOT_STARTED",
        Pending = "PENDING",
        Approved = "APPROVED",
        Rejected = "REJECTED",
        Cancelled = "CANCELLED",
    }
}

/// `official_business_account`: `{"oba_status": "APPROVED"}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OfficialBusinessAccount {
    #[serde(default, deserialize_with = "lenient")]
    pub oba_status: Option<ObaStatus>,
}

open_enum! {
    /// `health_status.entities[].entity_type`.
    pub enum HealthEntityType {
        PhoneNumber = "PHONE_NUMBER",
        MessageTemplate = "MESSAGE_TEMPLATE",
        Waba = "WABA",
        Business = "BUSINESS",
        App = "APP",
        Flow = "FLOW",
    }
}

/// Where a value stands in one of Meta's orders (quality, messaging limit): the one ranking that alerts, the
/// overview and the history chart compare by. `Unknown` sorts below every known place, and a comparison that
/// involves it means nothing: a value Greenlight cannot place (`NA`, `TIER_NOT_SET`, anything Meta adds later) is
/// never taken for a better or a worse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    /// Not a value of the order.
    Unknown,
    /// The place in the order, `0` the lowest.
    Known(u8),
}

impl Rank {
    /// The place, `None` when unknown.
    pub fn known(self) -> Option<u8> {
        match self {
            Rank::Known(place) => Some(place),
            Rank::Unknown => None,
        }
    }

    /// `Some(true)` when `self` is below `other`, `Some(false)` when not, `None` when either is unknown (the two
    /// cannot be compared).
    pub fn is_below(self, other: Rank) -> Option<bool> {
        Some(self.known()? < other.known()?)
    }
}

impl QualityRating {
    /// The quality order: `GREEN` > `YELLOW` > `RED` > unknown (`NA`, `UNKNOWN` and values Meta adds later).
    pub fn rank(&self) -> Rank {
        match self {
            QualityRating::Red => Rank::Known(0),
            QualityRating::Yellow => Rank::Known(1),
            QualityRating::Green => Rank::Known(2),
            QualityRating::Na | QualityRating::Unknown | QualityRating::Other(_) => Rank::Unknown,
        }
    }
}

impl MessagingLimit {
    /// The messaging-limit order: `TIER_50` < `TIER_250` < `TIER_1K` < `TIER_2K` < `TIER_10K` < `TIER_100K` <
    /// `TIER_UNLIMITED`; `TIER_NOT_SET` and values Meta adds later are unknown.
    pub fn rank(&self) -> Rank {
        match self {
            MessagingLimit::Tier50 => Rank::Known(0),
            MessagingLimit::Tier250 => Rank::Known(1),
            MessagingLimit::Tier1K => Rank::Known(2),
            MessagingLimit::Tier2K => Rank::Known(3),
            MessagingLimit::Tier10K => Rank::Known(4),
            MessagingLimit::Tier100K => Rank::Known(5),
            MessagingLimit::TierUnlimited => Rank::Known(6),
            MessagingLimit::TierNotSet | MessagingLimit::Other(_) => Rank::Unknown,
        }
    }
}

/// `throughput`: `{"level": "STANDARD"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    #[serde(default, deserialize_with = "lenient")]
    pub level: Option<ThroughputLevel>,
}

/// `health_status`: Meta's verdict on whether the number can send, per entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthStatus {
    /// Meta's overall verdict. Prefer [`HealthStatus::computed_can_send_message`]: one documented example is
    /// inconsistent with its own entities.
    #[serde(default, deserialize_with = "lenient")]
    pub can_send_message: Option<CanSendMessage>,
    #[serde(default, deserialize_with = "lenient_object_vec")]
    pub entities: Vec<HealthEntity>,
}

/// One entity of `health_status` (the number, its WABA, business, app, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthEntity {
    #[serde(default, deserialize_with = "lenient")]
    pub entity_type: Option<HealthEntityType>,
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub can_send_message: Option<CanSendMessage>,
    #[serde(default, deserialize_with = "lenient")]
    pub can_receive_call_sip: Option<CanSendMessage>,
    /// Explanations Meta gives for a `LIMITED` entity.
    #[serde(
        default,
        deserialize_with = "lenient_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub additional_info: Vec<String>,
    /// Reasons Meta gives for a `BLOCKED` (sometimes `LIMITED`) entity.
    #[serde(
        default,
        deserialize_with = "lenient_object_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<HealthEntityError>,
}

/// One `errors[]` item of a health entity, e.g. 141006 (payment method problem).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HealthEntityError {
    #[serde(default, deserialize_with = "lenient")]
    pub error_code: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub error_description: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub possible_solution: Option<String>,
}

impl HealthStatus {
    /// The overall verdict computed from the entities by Meta's documented rule: any `BLOCKED` wins, then any
    /// `LIMITED`, else `AVAILABLE`. Unknown values count as `LIMITED` (something is not plainly fine). Falls back
    /// to Meta's own `can_send_message` when no entity carries a verdict.
    pub fn computed_can_send_message(&self) -> Option<CanSendMessage> {
        fn severity(verdict: &CanSendMessage) -> u8 {
            match verdict {
                CanSendMessage::Available => 0,
                CanSendMessage::Limited | CanSendMessage::Other(_) => 1,
                CanSendMessage::Blocked => 2,
            }
        }
        self.entities
            .iter()
            .filter_map(|entity| entity.can_send_message.as_ref())
            .max_by_key(|verdict| severity(verdict))
            .map(|verdict| match verdict {
                CanSendMessage::Other(_) => CanSendMessage::Limited,
                known => known.clone(),
            })
            .or_else(|| self.can_send_message.clone())
    }
}

/// One read of a business phone number node. Every field is optional: Meta omits empty fields, returns `null`
/// for deprecated ones and adds fields at will (ignored).
///
/// Serializes with Meta's field names plus the derived `messaging_limit`, and reads back what it wrote, so it can be
/// stored as a JSON snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JsonObject")]
pub struct PhoneNumberHealth {
    pub id: Option<String>,
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    pub code_verification_status: Option<CodeVerificationStatus>,
    pub name_status: Option<NameStatus>,
    pub quality_rating: Option<QualityRating>,
    /// The messaging limit to show: `whatsapp_business_manager_messaging_limit` when present, else the
    /// deprecated `messaging_limit_tier`.
    pub messaging_limit: Option<MessagingLimit>,
    /// Raw `whatsapp_business_manager_messaging_limit` (v24+, portfolio level).
    pub whatsapp_business_manager_messaging_limit: Option<MessagingLimit>,
    /// Raw `messaging_limit_tier` (deprecated; often `null` since v24).
    pub messaging_limit_tier: Option<MessagingLimit>,
    pub account_mode: Option<AccountMode>,
    pub platform_type: Option<PlatformType>,
    pub throughput: Option<Throughput>,
    pub status: Option<NumberStatus>,
    /// Graph datetime as sent, e.g. `2025-10-14T10:13:11+0000`.
    pub last_onboarded_time: Option<String>,
    /// `true` for a coexistence number (WhatsApp Business app + Cloud API): never register or deregister it.
    pub is_on_biz_app: Option<bool>,
    pub health_status: Option<HealthStatus>,
    /// A display name change waiting for Meta's review (`new_display_name`), and its status
    /// (`new_name_status`, e.g. `PENDING_REVIEW`).
    pub new_display_name: Option<String>,
    pub new_name_status: Option<NameStatus>,
    /// The Official Business Account (blue badge) request.
    pub official_business_account: Option<OfficialBusinessAccount>,
}

impl PhoneNumberHealth {
    /// `official_business_account.oba_status`, if Meta sent one.
    pub fn oba_status(&self) -> Option<&ObaStatus> {
        self.official_business_account
            .as_ref()
            .and_then(|o| o.oba_status.as_ref())
    }

    /// `throughput.level`, if Meta sent one.
    pub fn throughput_level(&self) -> Option<&ThroughputLevel> {
        self.throughput.as_ref().and_then(|t| t.level.as_ref())
    }

    /// `true` when the number is registered with the Cloud API by the rule of DESIGN.md: `platform_type =
    /// CLOUD_API` with a throughput level other than `NOT_APPLICABLE`, or `status = CONNECTED` (whatever
    /// `code_verification_status` says).
    pub fn is_registered(&self) -> bool {
        let connected = self.status == Some(NumberStatus::Connected);
        let cloud_with_throughput = self.platform_type == Some(PlatformType::CloudApi)
            && matches!(self.throughput_level(), Some(level) if *level != ThroughputLevel::NotApplicable);
        connected || cloud_with_throughput
    }

    /// `true` for a coexistence number (`is_on_biz_app = true`).
    pub fn is_coexistence(&self) -> bool {
        self.is_on_biz_app == Some(true)
    }
}

/// The JSON shape as Meta (or a stored snapshot) sends it; every field lenient.
#[derive(Deserialize)]
struct PhoneNumberWire {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    display_phone_number: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    verified_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    code_verification_status: Option<CodeVerificationStatus>,
    #[serde(default, deserialize_with = "lenient")]
    name_status: Option<NameStatus>,
    #[serde(default, deserialize_with = "lenient")]
    quality_rating: Option<QualityRating>,
    /// Only present in Greenlight's own snapshots.
    #[serde(default, deserialize_with = "lenient")]
    messaging_limit: Option<MessagingLimit>,
    #[serde(default, deserialize_with = "lenient")]
    whatsapp_business_manager_messaging_limit: Option<MessagingLimit>,
    #[serde(default, deserialize_with = "lenient")]
    messaging_limit_tier: Option<MessagingLimit>,
    #[serde(default, deserialize_with = "lenient")]
    account_mode: Option<AccountMode>,
    #[serde(default, deserialize_with = "lenient")]
    platform_type: Option<PlatformType>,
    #[serde(default, deserialize_with = "lenient_object")]
    throughput: Option<Throughput>,
    #[serde(default, deserialize_with = "lenient")]
    status: Option<NumberStatus>,
    #[serde(default, deserialize_with = "lenient")]
    last_onboarded_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    is_on_biz_app: Option<bool>,
    #[serde(default, deserialize_with = "lenient_object")]
    health_status: Option<HealthStatus>,
    #[serde(default, deserialize_with = "lenient")]
    new_display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    new_name_status: Option<NameStatus>,
    #[serde(default, deserialize_with = "lenient_object")]
    official_business_account: Option<OfficialBusinessAccount>,
}

impl TryFrom<JsonObject> for PhoneNumberHealth {
    type Error = serde_json::Error;

    fn try_from(object: JsonObject) -> Result<Self, Self::Error> {
        from_object::<PhoneNumberWire>(object).map(PhoneNumberHealth::from)
    }
}

impl From<PhoneNumberWire> for PhoneNumberHealth {
    fn from(wire: PhoneNumberWire) -> Self {
        let messaging_limit = wire
            .whatsapp_business_manager_messaging_limit
            .clone()
            .or(wire.messaging_limit)
            .or_else(|| wire.messaging_limit_tier.clone());
        PhoneNumberHealth {
            id: wire.id,
            display_phone_number: wire.display_phone_number,
            verified_name: wire.verified_name,
            code_verification_status: wire.code_verification_status,
            name_status: wire.name_status,
            quality_rating: wire.quality_rating,
            messaging_limit,
            whatsapp_business_manager_messaging_limit: wire
                .whatsapp_business_manager_messaging_limit,
            messaging_limit_tier: wire.messaging_limit_tier,
            account_mode: wire.account_mode,
            platform_type: wire.platform_type,
            throughput: wire.throughput,
            status: wire.status,
            last_onboarded_time: wire.last_onboarded_time,
            is_on_biz_app: wire.is_on_biz_app,
            health_status: wire.health_status,
            new_display_name: wire.new_display_name,
            new_name_status: wire.new_name_status,
            official_business_account: wire.official_business_account,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::graph::test_fixtures::phone_fixture as parse;

    #[test]
    fn parses_a_healthy_cloud_api_number() {
        let number = parse("phone_healthy_cloud_api.json");
        assert_eq!(number.id.as_deref(), Some("106540352242922"));
        assert_eq!(
            number.display_phone_number.as_deref(),
            Some("+1 631-555-5555")
        );
        assert_eq!(number.verified_name.as_deref(), Some("Lucky Shrub"));
        assert_eq!(
            number.code_verification_status,
            Some(CodeVerificationStatus::Verified)
        );
        assert_eq!(number.name_status, Some(NameStatus::Approved));
        assert_eq!(number.quality_rating, Some(QualityRating::Green));
        assert_eq!(number.messaging_limit, Some(MessagingLimit::Tier2K));
        assert_eq!(
            number.whatsapp_business_manager_messaging_limit,
            Some(MessagingLimit::Tier2K)
        );
        assert_eq!(number.messaging_limit_tier, None);
        assert_eq!(number.account_mode, Some(AccountMode::Live));
        assert_eq!(number.platform_type, Some(PlatformType::CloudApi));
        assert_eq!(number.throughput_level(), Some(&ThroughputLevel::Standard));
        assert_eq!(number.status, Some(NumberStatus::Connected));
        assert_eq!(
            number.last_onboarded_time.as_deref(),
            Some("2025-10-14T10:13:11+0000")
        );
        assert_eq!(number.is_on_biz_app, Some(false));
        let health = number.health_status.as_ref().expect("health_status");
        assert_eq!(health.can_send_message, Some(CanSendMessage::Available));
        assert_eq!(health.entities.len(), 4);
        assert_eq!(
            health.entities[0].entity_type,
            Some(HealthEntityType::PhoneNumber)
        );
        assert_eq!(
            health.entities[0].can_receive_call_sip,
            Some(CanSendMessage::Available)
        );
        assert_eq!(
            health.computed_can_send_message(),
            Some(CanSendMessage::Available)
        );
        assert!(number.is_registered());
        assert!(!number.is_coexistence());
    }

    #[test]
    fn parses_a_pending_review_unregistered_number() {
        let number = parse("phone_pending_review_unregistered.json");
        assert_eq!(number.name_status, Some(NameStatus::PendingReview));
        assert_eq!(number.status, Some(NumberStatus::Pending));
        assert_eq!(number.platform_type, Some(PlatformType::NotApplicable));
        assert_eq!(number.quality_rating, Some(QualityRating::Na));
        assert_eq!(number.messaging_limit, None);
        let health = number.health_status.as_ref().expect("health_status");
        assert_eq!(health.entities[0].additional_info.len(), 1);
        assert_eq!(
            health.computed_can_send_message(),
            Some(CanSendMessage::Limited)
        );
        assert!(!number.is_registered());
    }

    #[test]
    fn throughput_not_applicable_on_cloud_api_is_not_registered() {
        let number = parse("phone_throughput_not_applicable.json");
        assert_eq!(number.platform_type, Some(PlatformType::CloudApi));
        assert_eq!(
            number.throughput_level(),
            Some(&ThroughputLevel::NotApplicable)
        );
        assert_eq!(number.messaging_limit, Some(MessagingLimit::Tier250));
        assert!(!number.is_registered());
    }

    #[test]
    fn connected_counts_as_registered_even_with_expired_or_missing_verification() {
        let expired = parse("phone_connected_code_expired.json");
        assert_eq!(
            expired.code_verification_status,
            Some(CodeVerificationStatus::Expired)
        );
        assert_eq!(expired.throughput_level(), Some(&ThroughputLevel::High));
        assert!(expired.is_registered());

        let not_verified = parse("phone_not_verified_connected.json");
        assert_eq!(
            not_verified.code_verification_status,
            Some(CodeVerificationStatus::NotVerified)
        );
        assert!(not_verified.is_registered());
        // Deprecated tier only: it becomes the messaging limit.
        assert_eq!(not_verified.messaging_limit, Some(MessagingLimit::Tier1K));
        assert_eq!(not_verified.whatsapp_business_manager_messaging_limit, None);
        let health = not_verified.health_status.as_ref().expect("health_status");
        assert_eq!(
            health.computed_can_send_message(),
            Some(CanSendMessage::Blocked)
        );
        let waba = &health.entities[1];
        assert_eq!(waba.errors[0].error_code, Some(141006));
        assert!(waba.errors[0].possible_solution.is_some());
    }

    #[test]
    fn new_messaging_limit_field_wins_over_the_deprecated_one() {
        let number = parse("phone_unknown_values.json");
        assert_eq!(
            number.messaging_limit,
            Some(MessagingLimit::Other("TIER_5K".to_owned()))
        );
        assert_eq!(number.messaging_limit_tier, Some(MessagingLimit::Tier2K));
    }

    #[test]
    fn unknown_enum_values_are_kept_as_other() {
        let number = parse("phone_unknown_values.json");
        let other = || "SOMETHING_NEW".to_owned();
        assert_eq!(number.quality_rating, Some(QualityRating::Other(other())));
        assert_eq!(
            number.code_verification_status,
            Some(CodeVerificationStatus::Other(other()))
        );
        assert_eq!(number.name_status, Some(NameStatus::Other(other())));
        assert_eq!(number.account_mode, Some(AccountMode::Other(other())));
        assert_eq!(number.platform_type, Some(PlatformType::Other(other())));
        assert_eq!(
            number.throughput_level(),
            Some(&ThroughputLevel::Other(other()))
        );
        assert_eq!(number.status, Some(NumberStatus::Offline));
        let health = number.health_status.as_ref().expect("health_status");
        assert_eq!(
            health.entities[0].entity_type,
            Some(HealthEntityType::Other(other()))
        );
        // An unknown verdict is "not plainly fine".
        assert_eq!(
            health.computed_can_send_message(),
            Some(CanSendMessage::Limited)
        );
        assert_eq!(
            number.quality_rating.as_ref().map(QualityRating::as_str),
            Some("SOMETHING_NEW")
        );
        assert!(!number.is_registered());
    }

    #[test]
    fn the_oba_status_is_read_and_new_values_are_kept() {
        let number: PhoneNumberHealth = serde_json::from_str(
            r#"{"id":"1","official_business_account":{"oba_status":"APPROVED"}}"#,
        )
        .unwrap();
        assert_eq!(number.oba_status(), Some(&ObaStatus::Approved));
        let odd: PhoneNumberHealth = serde_json::from_str(
            r#"{"id":"1","official_business_account":{"oba_status":"ON_HOLD"}}"#,
        )
        .unwrap();
        assert_eq!(odd.oba_status(), Some(&ObaStatus::Other("ON_HOLD".into())));
        let stored = serde_json::to_string(&number).unwrap();
        assert_eq!(
            serde_json::from_str::<PhoneNumberHealth>(&stored).unwrap(),
            number
        );
        assert_eq!(parse("phone_healthy_cloud_api.json").oba_status(), None);
    }

    #[test]
    fn nulls_and_missing_fields_read_as_none() {
        let number = parse("phone_nulls_and_missing.json");
        assert_eq!(number.id.as_deref(), Some("105154286024409"));
        assert_eq!(number.messaging_limit_tier, None);
        assert_eq!(number.whatsapp_business_manager_messaging_limit, None);
        assert_eq!(number.messaging_limit, None);
        assert_eq!(number.quality_rating, None);
        assert_eq!(number.throughput, None);
        assert_eq!(number.health_status, None);
        assert_eq!(number.name_status, None);
        assert_eq!(number.is_on_biz_app, None);
        assert!(!number.is_registered());
    }

    #[test]
    fn extra_fields_are_ignored() {
        let number = parse("phone_extra_fields.json");
        assert_eq!(number.status, Some(NumberStatus::Connected));
        assert_eq!(number.quality_rating, Some(QualityRating::Unknown));
        assert_eq!(number.throughput_level(), Some(&ThroughputLevel::Standard));
        assert_eq!(number.name_status, Some(NameStatus::Approved));
    }

    #[test]
    fn fields_of_an_unexpected_shape_read_as_none() {
        let number: PhoneNumberHealth = serde_json::from_str(
            r#"{"id":"1","throughput":"STANDARD","is_on_biz_app":"maybe","health_status":[1,2],
                "status":42,"verified_name":{"x":1},"display_phone_number":"+1 555"}"#,
        )
        .expect("lenient parse");
        assert_eq!(number.throughput, None);
        assert_eq!(number.is_on_biz_app, None);
        assert_eq!(number.health_status, None);
        assert_eq!(number.status, Some(NumberStatus::Other("42".to_owned())));
        assert_eq!(number.verified_name, None);
        assert_eq!(number.display_phone_number.as_deref(), Some("+1 555"));
    }

    #[test]
    fn a_non_object_body_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<PhoneNumberHealth>("[1,2,3]").is_err());
        assert!(serde_json::from_str::<PhoneNumberHealth>("<html>").is_err());
    }

    #[test]
    fn a_stored_snapshot_round_trips() {
        for name in [
            "phone_healthy_cloud_api.json",
            "phone_not_verified_connected.json",
            "phone_unknown_values.json",
            "phone_nulls_and_missing.json",
        ] {
            let number = parse(name);
            let stored = serde_json::to_string(&number).expect("serialize");
            let back: PhoneNumberHealth = serde_json::from_str(&stored).expect("deserialize");
            assert_eq!(back, number, "{name}");
        }
    }

    #[test]
    fn enums_serialize_as_plain_wire_strings() {
        assert_eq!(
            serde_json::to_string(&NameStatus::PendingReview).unwrap(),
            r#""PENDING_REVIEW""#
        );
        assert_eq!(
            serde_json::to_string(&MessagingLimit::Other("TIER_9K".into())).unwrap(),
            r#""TIER_9K""#
        );
        assert_eq!(
            "connected".parse::<NumberStatus>().unwrap(),
            NumberStatus::Connected
        );
        assert_eq!(NameStatus::None.as_str(), "NONE");
        assert!(NumberStatus::KNOWN.iter().all(NumberStatus::is_known));
        for status in NumberStatus::KNOWN {
            assert_eq!(&NumberStatus::from_wire(status.as_str()), status);
        }
        assert_eq!(PlatformType::CloudApi.to_string(), "CLOUD_API");
    }

    #[test]
    fn quality_ranks_green_over_yellow_over_red_over_unknown() {
        use QualityRating::*;
        assert!(Green.rank() > Yellow.rank());
        assert!(Yellow.rank() > Red.rank());
        assert!(Red.rank() > Unknown.rank());
        for unknown in [
            Na,
            Unknown,
            Other("SOMETHING_NEW".into()),
            Other(String::new()),
        ] {
            assert_eq!(unknown.rank(), Rank::Unknown, "{unknown:?}");
            assert_eq!(unknown.rank().is_below(Green.rank()), None, "not compared");
            assert_eq!(Red.rank().is_below(unknown.rank()), None, "not compared");
        }
        assert_eq!(Yellow.rank().is_below(Green.rank()), Some(true));
        assert_eq!(Green.rank().is_below(Green.rank()), Some(false));
        // Every value Meta may send ranks without panicking, whatever its case or shape.
        for raw in ["green", "Red", "", "42", "TIER_1K"] {
            let _ = QualityRating::from_wire(raw).rank();
        }
        assert_eq!(QualityRating::from_wire("green").rank(), Green.rank());
    }

    #[test]
    fn messaging_limits_rank_from_50_to_unlimited_and_new_tiers_are_unknown() {
        use MessagingLimit::*;
        let order = [
            Tier50,
            Tier250,
            Tier1K,
            Tier2K,
            Tier10K,
            Tier100K,
            TierUnlimited,
        ];
        for pair in order.windows(2) {
            assert_eq!(
                pair[0].rank().is_below(pair[1].rank()),
                Some(true),
                "{pair:?}"
            );
            assert!(pair[0].rank() < pair[1].rank());
        }
        assert_eq!(
            MessagingLimit::KNOWN
                .iter()
                .filter(|l| l.rank() != Rank::Unknown)
                .count(),
            order.len(),
            "every known tier but TIER_NOT_SET has a place"
        );
        for unknown in [
            TierNotSet,
            Other("TIER_5K".into()),
            Other("TIER_9K".into()),
            Other("".into()),
        ] {
            assert_eq!(unknown.rank(), Rank::Unknown, "{unknown:?}");
            assert!(unknown.rank() < Tier50.rank(), "unknown sorts lowest");
            assert_eq!(
                Tier10K.rank().is_below(unknown.rank()),
                None,
                "not compared"
            );
        }
    }

    #[test]
    fn the_requested_fields_match_the_design() {
        let fields: Vec<&str> = PHONE_NUMBER_FIELDS.split(',').collect();
        assert_eq!(
            fields,
            [
                "id",
                "display_phone_number",
                "verified_name",
                "code_verification_status",
                "name_status",
                "quality_rating",
                "whatsapp_business_manager_messaging_limit",
                "messaging_limit_tier",
                "account_mode",
                "platform_type",
                "throughput",
                "status",
                "last_onboarded_time",
                "is_on_biz_app",
                "health_status",
                "new_display_name",
                "new_name_status",
                "official_business_account",
            ]
        );
    }
}
