//! Everything Meta can tell about a number, as it crosses the wire to the Account Health tab: can it
//! send (Meta's `health_status` per entity), enforcement on its business account (restrictions, bans,
//! violations), its Official Business Account status and throughput, and which token Meta refuses.
//! Formatting of Meta's values (labels, badge levels, plain words) is pure and lives here too.
use serde::{Deserialize, Serialize};

use crate::format::title_case;
use crate::health::BadgeLevel;
use crate::i18n::{td_string, Locale};
use crate::tr;

/// The Meta part of the Account Health tab (one field of [`crate::health::HealthView`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaPicture {
    /// "Can this number send?" from `health_status`.
    #[serde(default)]
    pub can_send: CanSendView,
    /// Enforcement in force on the number's WhatsApp Business account, worst first.
    #[serde(default)]
    pub enforcement: Vec<EnforcementView>,
    /// The numbers (of those the viewer may see) the enforcement affects: "name (number)".
    #[serde(default)]
    pub affected_numbers: Vec<String>,
    /// `official_business_account.oba_status` (`APPROVED`, `PENDING`, ...); `None` when Meta sent none.
    #[serde(default)]
    pub oba_status: Option<String>,
    /// `throughput.level`; `None` when Meta sent none.
    #[serde(default)]
    pub throughput_level: Option<String>,
    /// A coexistence number (`is_on_biz_app`): its throughput is capped lower.
    #[serde(default)]
    pub coexistence: bool,
}

/// One restriction, ban, violation or disconnection Meta reported (`account_update`), in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnforcementView {
    /// `restriction`, `violation`, `ban`, `offboarded`, `partner_removed`.
    pub kind: String,
    /// Meta's value (restriction type, ban state, violation type, disconnection reason).
    pub code: Option<String>,
    pub title: String,
    pub explanation: String,
    /// RFC 3339: when it ends by itself, or when a scheduled ban takes effect.
    pub until: Option<String>,
    /// "in 2 d 3 h", counted when the page was made.
    pub countdown: Option<String>,
    pub level: BadgeLevel,
    /// Meta's page to see the reason and appeal.
    pub remediation_url: String,
}

/// Meta's answer to "can this number send?" with every entity it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanSendView {
    /// `AVAILABLE`, `LIMITED`, `BLOCKED`, or `UNKNOWN` when Meta said nothing (no read yet).
    pub can_send_message: String,
    /// Blocked entities first, then limited ones, then the rest, in Meta's order within each.
    pub entities: Vec<EntityView>,
}

impl Default for CanSendView {
    fn default() -> Self {
        CanSendView {
            can_send_message: "UNKNOWN".into(),
            entities: Vec::new(),
        }
    }
}

/// One entity of `health_status`: the number, its WABA, the business portfolio, the app, ...
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityView {
    /// Meta's `entity_type`, e.g. `WABA`.
    pub entity_type: String,
    pub id: Option<String>,
    /// Meta's `can_send_message` for this entity; `None` when it sent none.
    pub can_send_message: Option<String>,
    /// Why it is blocked (sometimes limited).
    #[serde(default)]
    pub errors: Vec<EntityErrorView>,
    /// Meta's explanations for a limited entity.
    #[serde(default)]
    pub additional_info: Vec<String>,
}

/// One `errors[]` item of an entity, e.g. 141006 (a problem with the payment method).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityErrorView {
    pub error_code: Option<i64>,
    pub error_description: Option<String>,
    pub possible_solution: Option<String>,
}

/// The answer to "can it send?" as people read it, with its badge level.
pub fn can_send_label(raw: &str, l: Locale) -> (String, BadgeLevel) {
    match raw {
        "AVAILABLE" => (tr!(l, meta.can_send.available), BadgeLevel::Good),
        "LIMITED" => (tr!(l, meta.can_send.limited), BadgeLevel::Attention),
        "BLOCKED" => (tr!(l, meta.can_send.blocked), BadgeLevel::Blocked),
        "UNKNOWN" | "" => (tr!(l, meta.can_send.unknown), BadgeLevel::Unknown),
        other => (title_case(other), BadgeLevel::Unknown),
    }
}

/// The one sentence under the answer.
pub fn can_send_sentence(raw: &str, l: Locale) -> String {
    match raw {
        "AVAILABLE" => tr!(l, meta.can_send.sentence.available),
        "LIMITED" => tr!(l, meta.can_send.sentence.limited),
        "BLOCKED" => tr!(l, meta.can_send.sentence.blocked),
        _ => tr!(l, meta.can_send.sentence.unknown),
    }
}

/// An entity type as people read it (`WABA` -> "WhatsApp Business account"), in English.
pub fn entity_label(raw: &str) -> String {
    entity_label_in(raw, Locale::en)
}

/// An entity type as people read it, in `l`.
pub fn entity_label_in(raw: &str, l: Locale) -> String {
    match raw {
        "PHONE_NUMBER" => tr!(l, meta.entity.phone_number),
        "WABA" => tr!(l, meta.entity.waba),
        "BUSINESS" => tr!(l, meta.entity.business),
        "APP" => tr!(l, meta.entity.app),
        "MESSAGE_TEMPLATE" => tr!(l, meta.entity.message_template),
        "FLOW" => tr!(l, meta.entity.flow),
        "" => tr!(l, meta.entity.unnamed),
        other => title_case(other),
    }
}

/// The Official Business Account status as people read it.
pub fn oba_label(raw: Option<&str>, l: Locale) -> (String, BadgeLevel) {
    match raw {
        Some("APPROVED") => (tr!(l, meta.oba.approved), BadgeLevel::Good),
        Some("PENDING") => (tr!(l, meta.oba.pending), BadgeLevel::Attention),
        Some("REJECTED") => (tr!(l, meta.oba.rejected), BadgeLevel::Attention),
        Some("CANCELLED") => (tr!(l, meta.oba.cancelled), BadgeLevel::Unknown),
        Some("NOT_STARTED") => (tr!(l, meta.oba.not_started), BadgeLevel::Unknown),
        None | Some("") => (tr!(l, meta.oba.not_reported), BadgeLevel::Unknown),
        Some(other) => (title_case(other), BadgeLevel::Unknown),
    }
}

/// What a throughput level means for the number (messages per second). Coexistence numbers (also
/// in the WhatsApp Business app) are capped at 20 messages per second whatever the level.
pub fn throughput_meaning(level: Option<&str>, coexistence: bool, l: Locale) -> String {
    if coexistence {
        return tr!(l, meta.throughput.coexistence);
    }
    match level {
        Some("STANDARD") => tr!(l, meta.throughput.standard),
        Some("HIGH") => tr!(l, meta.throughput.high),
        Some("NOT_APPLICABLE") => tr!(l, meta.throughput.not_applicable),
        None | Some("") => tr!(l, meta.throughput.not_reported),
        Some(other) => tr!(l, meta.throughput.unknown, level = title_case(other)),
    }
}

/// A restriction type (`account_update` `restriction_type`) in words; new ones in title case.
pub fn restriction_words(raw: &str, l: Locale) -> String {
    match raw {
        "RESTRICTED_BIZ_INITIATED_MESSAGING" => tr!(l, meta.restriction.biz_initiated_messaging),
        "RESTRICTED_CUSTOMER_INITIATED_MESSAGING" => {
            tr!(l, meta.restriction.customer_initiated_messaging)
        }
        "RESTRICTED_ADD_PHONE_NUMBER_ACTION" => tr!(l, meta.restriction.add_phone_number),
        "RESTRICTED_UTILITY_TEMPLATES" => tr!(l, meta.restriction.utility_templates),
        "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES" => {
            tr!(l, meta.restriction.direct_send_utility_templates)
        }
        "RESTRICTED_BUSINESS_INITIATED_CALLING" => {
            tr!(l, meta.restriction.business_initiated_calling)
        }
        "RESTRICTED_USER_INITIATED_CALLING" => tr!(l, meta.restriction.user_initiated_calling),
        "RESTRICTED_USER_INITIATED_CALLING_CALL_BUTTON_HIDDEN" => {
            tr!(l, meta.restriction.user_initiated_calling_button_hidden)
        }
        "RESTRICTED_BIZ_INITIATED_AND_USER_INITIATED_CALLING" => {
            tr!(l, meta.restriction.all_calling)
        }
        other => title_case(other),
    }
}

/// A coexistence `disconnection_info.reason` in words (lower case: it follows "Disconnected: ").
pub fn disconnection_words(raw: &str, l: Locale) -> String {
    match raw {
        "ACCOUNT_DISCONNECTED" => tr!(l, meta.disconnection.account_disconnected),
        "BUSINESS_DOWNGRADE" => tr!(l, meta.disconnection.business_downgrade),
        "CHANGE_NUMBER" => tr!(l, meta.disconnection.change_number),
        "COMPANION_INACTIVITY" => tr!(l, meta.disconnection.companion_inactivity),
        "PRIMARY_INACTIVITY" => tr!(l, meta.disconnection.primary_inactivity),
        "USER_RE_REGISTERED" => tr!(l, meta.disconnection.user_re_registered),
        other => title_case(other).to_lowercase(),
    }
}

/// The title and the explanation of something in force on a WABA (see [`EnforcementView`]):
/// `kind` is the signal kind (`restriction`, `violation`, `ban`, `offboarded`,
/// `partner_removed`), `code` Meta's value, `by` who started a disconnection (Meta's
/// `initiated_by`, lower case).
pub fn enforcement_words(
    kind: &str,
    code: Option<&str>,
    by: Option<&str>,
    l: Locale,
) -> (String, String) {
    let by = by
        .map(|who| format!(" ({})", tr!(l, meta.enforcement.by, who = who)))
        .unwrap_or_default();
    match kind {
        "restriction" => (
            tr!(
                l,
                meta.enforcement.restriction.title,
                what = restriction_words(code.unwrap_or(""), l)
            ),
            tr!(l, meta.enforcement.restriction.explanation),
        ),
        "violation" => (
            tr!(
                l,
                meta.enforcement.violation.title,
                what = code
                    .map(title_case)
                    .unwrap_or_else(|| tr!(l, meta.enforcement.violation.unspecified))
            ),
            tr!(l, meta.enforcement.violation.explanation),
        ),
        "ban" if code == Some("SCHEDULE_FOR_DISABLE") => (
            tr!(l, meta.enforcement.scheduled_ban.title),
            tr!(l, meta.enforcement.scheduled_ban.explanation),
        ),
        "ban" => (
            tr!(l, meta.enforcement.ban.title),
            tr!(l, meta.enforcement.ban.explanation),
        ),
        "offboarded" => (
            tr!(l, meta.enforcement.offboarded.title),
            tr!(l, meta.enforcement.offboarded.explanation),
        ),
        "partner_removed" => (
            match code {
                Some(r) => tr!(
                    l,
                    meta.enforcement.partner_removed.disconnected,
                    why = disconnection_words(r, l),
                    by = by
                ),
                None => tr!(l, meta.enforcement.partner_removed.title, by = by),
            },
            tr!(l, meta.enforcement.partner_removed.explanation),
        ),
        other => (title_case(other), String::new()),
    }
}

/// "in 2 d 3 h", "in 45 min", "now": the time left, `secs` seconds.
pub fn countdown(secs: i64, l: Locale) -> String {
    if secs <= 0 {
        return tr!(l, meta.countdown.now);
    }
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    match (d, h, m) {
        (0, 0, m) => tr!(l, meta.countdown.minutes, m = m.max(1)),
        (0, h, m) => tr!(l, meta.countdown.hours, h = h, m = m),
        (d, h, _) => tr!(l, meta.countdown.days, d = d, h = h),
    }
}

/// Which kind of refusal Meta's "access token refused" (code 190) is, from its `error_subcode`:
/// whether to renew the token, or to find out why its session ended. Computed only by
/// [`TokenRefusal::from_subcode`]; subcodes it does not know read as [`TokenRefusal::Refused`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenRefusal {
    /// 463: the token expired (a user token lives about 60 days).
    Expired,
    /// 460: the user changed their password (or Meta reset the session), which ends their tokens.
    PasswordChanged,
    /// 458: the user removed the app (it is no longer installed or authorised for them).
    Revoked,
    /// 464, 467, 492: the session behind the token is no longer valid.
    InvalidSession,
    /// Any other subcode, or none: Meta only said it refuses the token.
    Refused,
}

impl TokenRefusal {
    /// Every kind, for exhaustive tests.
    pub const ALL: [TokenRefusal; 5] = [
        TokenRefusal::Expired,
        TokenRefusal::PasswordChanged,
        TokenRefusal::Revoked,
        TokenRefusal::InvalidSession,
        TokenRefusal::Refused,
    ];

    /// The kind of a code-190 refusal from Meta's `error_subcode`.
    pub fn from_subcode(subcode: Option<i64>) -> TokenRefusal {
        match subcode {
            Some(463) => TokenRefusal::Expired,
            Some(460) => TokenRefusal::PasswordChanged,
            Some(458) => TokenRefusal::Revoked,
            Some(464 | 467 | 492) => TokenRefusal::InvalidSession,
            _ => TokenRefusal::Refused,
        }
    }

    /// Stable snake_case name (same as serde).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRefusal::Expired => "expired",
            TokenRefusal::PasswordChanged => "password_changed",
            TokenRefusal::Revoked => "revoked",
            TokenRefusal::InvalidSession => "invalid_session",
            TokenRefusal::Refused => "refused",
        }
    }

    /// A short title (the verdict's reason), e.g. "Access token expired", in English.
    pub fn title(self) -> &'static str {
        self.title_in(Locale::en)
    }

    /// A short title, in `l`.
    pub fn title_in(self, l: Locale) -> &'static str {
        match self {
            TokenRefusal::Expired => td_string!(l, meta.token.expired.title),
            TokenRefusal::PasswordChanged => td_string!(l, meta.token.password_changed.title),
            TokenRefusal::Revoked => td_string!(l, meta.token.revoked.title),
            TokenRefusal::InvalidSession => td_string!(l, meta.token.invalid_session.title),
            TokenRefusal::Refused => td_string!(l, meta.token.refused.title),
        }
    }

    /// Why Meta refuses the token, to follow "Meta refused the access token: ", in English.
    pub fn words(self) -> &'static str {
        self.words_in(Locale::en)
    }

    /// Why Meta refuses the token, in `l`.
    pub fn words_in(self, l: Locale) -> &'static str {
        match self {
            TokenRefusal::Expired => td_string!(l, meta.token.expired.words),
            TokenRefusal::PasswordChanged => td_string!(l, meta.token.password_changed.words),
            TokenRefusal::Revoked => td_string!(l, meta.token.revoked.words),
            TokenRefusal::InvalidSession => td_string!(l, meta.token.invalid_session.words),
            TokenRefusal::Refused => td_string!(l, meta.token.refused.words),
        }
    }

    /// What to do about it, in English.
    pub fn fix(self) -> &'static str {
        self.fix_in(Locale::en)
    }

    /// What to do about it, in `l`.
    pub fn fix_in(self, l: Locale) -> &'static str {
        match self {
            TokenRefusal::Expired => td_string!(l, meta.token.expired.fix),
            TokenRefusal::PasswordChanged => td_string!(l, meta.token.password_changed.fix),
            TokenRefusal::Revoked => td_string!(l, meta.token.revoked.fix),
            TokenRefusal::InvalidSession => td_string!(l, meta.token.invalid_session.fix),
            TokenRefusal::Refused => td_string!(l, meta.token.refused.fix),
        }
    }
}

/// Why Meta rejected a display name, in English (see [`name_rejection_words_in`]).
pub fn name_rejection_words(raw: &str) -> String {
    name_rejection_words_in(raw, Locale::en)
}

/// Why Meta rejected a display name (`phone_number_name_update` `rejection_reason`), in one
/// sentence: what is wrong and what to change. Values Greenlight does not know yet read as their
/// words in title case; `NONE`, `UNKNOWN` or nothing say that Meta gave no reason.
pub fn name_rejection_words_in(raw: &str, l: Locale) -> String {
    match raw.trim() {
        "NAME_FORMAT_UNACCEPTABLE" => tr!(l, meta.name_rejection.format_unacceptable),
        "NAME_NOT_REPRESENTATIVE" => tr!(l, meta.name_rejection.not_representative),
        "NAME_INCONSISTENT_WITH_BUSINESS" | "NAME_NOT_CONSISTENT" => {
            tr!(l, meta.name_rejection.inconsistent)
        }
        "NAME_CONTAINS_WHATSAPP" => tr!(l, meta.name_rejection.contains_whatsapp),
        "NAME_TOO_GENERIC" => tr!(l, meta.name_rejection.too_generic),
        "NAME_HAS_EMOJI" => tr!(l, meta.name_rejection.has_emoji),
        "NAME_CONTAINS_SPECIAL_CHARACTERS" => tr!(l, meta.name_rejection.special_characters),
        "LACKS_ONLINE_PRESENCE" => tr!(l, meta.name_rejection.lacks_online_presence),
        "NAME_EMPLOYEE_ISSUE" | "NAME_INDIVIDUAL_ISSUE" => tr!(l, meta.name_rejection.individual),
        "NAME_ENDCLIENT_NOTRELATED" => tr!(l, meta.name_rejection.endclient_not_related),
        "NONE" | "UNKNOWN" | "" => tr!(l, meta.name_rejection.no_reason),
        other => title_case(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_refusals_are_named_by_meta_subcode_and_others_are_refused() {
        assert_eq!(TokenRefusal::from_subcode(Some(463)), TokenRefusal::Expired);
        assert_eq!(
            TokenRefusal::from_subcode(Some(460)),
            TokenRefusal::PasswordChanged
        );
        assert_eq!(TokenRefusal::from_subcode(Some(458)), TokenRefusal::Revoked);
        for sub in [464, 467, 492] {
            assert_eq!(
                TokenRefusal::from_subcode(Some(sub)),
                TokenRefusal::InvalidSession,
                "{sub}"
            );
        }
        for sub in [None, Some(459), Some(2388001), Some(0)] {
            assert_eq!(
                TokenRefusal::from_subcode(sub),
                TokenRefusal::Refused,
                "{sub:?}"
            );
        }
        assert!(TokenRefusal::Expired.words().contains("expired"));
        assert!(TokenRefusal::PasswordChanged.words().contains("password"));
        assert!(TokenRefusal::Revoked.words().contains("removed"));
        for k in TokenRefusal::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
            assert!(k.title().starts_with("Access token"), "{k:?}");
            assert!(k.fix().contains("token"), "{k:?}");
        }
    }

    #[test]
    fn name_rejection_reasons_read_as_what_to_change_and_new_ones_as_words() {
        for (raw, needle) in [
            ("NAME_FORMAT_UNACCEPTABLE", "formatting"),
            ("NAME_NOT_REPRESENTATIVE", "represent"),
            ("NAME_INCONSISTENT_WITH_BUSINESS", "match"),
            ("NAME_NOT_CONSISTENT", "match"),
            ("NAME_CONTAINS_WHATSAPP", "WhatsApp"),
            ("NAME_TOO_GENERIC", "generic"),
            ("NAME_HAS_EMOJI", "emoji"),
            ("NAME_CONTAINS_SPECIAL_CHARACTERS", "special characters"),
            ("LACKS_ONLINE_PRESENCE", "website"),
            ("NAME_INDIVIDUAL_ISSUE", "person"),
            ("NAME_EMPLOYEE_ISSUE", "person"),
            ("NAME_ENDCLIENT_NOTRELATED", "not related"),
            ("NONE", "no reason"),
            ("UNKNOWN", "no reason"),
        ] {
            let words = name_rejection_words(raw);
            assert!(words.contains(needle), "{raw}: {words}");
            // One sentence that says what to change.
            assert!(
                words.ends_with('.') && words.contains(':'),
                "{raw}: {words}"
            );
            assert!(!words.contains(raw), "{raw}: {words}");
        }
        assert_eq!(
            name_rejection_words("NAME_SOUNDS_LIKE_A_BANK"),
            "Name Sounds Like A Bank"
        );
    }

    #[test]
    fn every_answer_has_words_and_a_level_and_new_ones_are_unknown() {
        assert_eq!(
            can_send_label("AVAILABLE", Locale::en),
            ("Available".into(), BadgeLevel::Good)
        );
        assert_eq!(
            can_send_label("LIMITED", Locale::en),
            ("Limited".into(), BadgeLevel::Attention)
        );
        assert_eq!(
            can_send_label("BLOCKED", Locale::en),
            ("Blocked".into(), BadgeLevel::Blocked)
        );
        assert_eq!(
            can_send_label("UNKNOWN", Locale::en),
            ("Unknown".into(), BadgeLevel::Unknown)
        );
        assert_eq!(
            can_send_label("PAUSED_FOR_REVIEW", Locale::en),
            ("Paused For Review".into(), BadgeLevel::Unknown)
        );
        assert!(can_send_sentence("BLOCKED", Locale::en).contains("blocks"));
        assert!(can_send_sentence("SOMETHING", Locale::en).contains("not said"));
    }

    #[test]
    fn oba_and_throughput_read_as_words_and_coexistence_says_it_is_capped() {
        assert_eq!(oba_label(Some("APPROVED"), Locale::en).1, BadgeLevel::Good);
        assert_eq!(
            oba_label(Some("PENDING"), Locale::en).0,
            "Requested, in review"
        );
        assert_eq!(
            oba_label(Some("ON_HOLD"), Locale::en),
            ("On Hold".into(), BadgeLevel::Unknown)
        );
        assert_eq!(oba_label(None, Locale::en).0, "Not reported");
        assert!(throughput_meaning(Some("STANDARD"), false, Locale::en).contains("80"));
        assert!(throughput_meaning(Some("HIGH"), false, Locale::en).contains("1,000"));
        let coex = throughput_meaning(Some("STANDARD"), true, Locale::en);
        assert!(
            coex.contains("20") && coex.contains("coexistence"),
            "{coex}"
        );
    }

    #[test]
    fn entity_types_read_as_words() {
        assert_eq!(entity_label("WABA"), "WhatsApp Business account");
        assert_eq!(entity_label("BUSINESS"), "Business portfolio");
        assert_eq!(entity_label("CALLING_PROFILE"), "Calling Profile");
        assert_eq!(entity_label(""), "Unnamed entity");
    }

    #[test]
    fn an_old_picture_without_fields_still_reads() {
        let p: MetaPicture = serde_json::from_str("{}").unwrap();
        assert_eq!(p.can_send.can_send_message, "UNKNOWN");
        assert!(p.can_send.entities.is_empty());
    }

    #[test]
    fn enforcement_and_countdowns_read_in_every_language() {
        let (title, explanation) = enforcement_words(
            "restriction",
            Some("RESTRICTED_BIZ_INITIATED_MESSAGING"),
            None,
            Locale::en,
        );
        assert_eq!(title, "Restricted: The business cannot start conversations");
        assert!(explanation.starts_with("Meta restricted"), "{explanation}");
        let (title, _) = enforcement_words(
            "partner_removed",
            Some("CHANGE_NUMBER"),
            Some("partner"),
            Locale::en,
        );
        assert_eq!(
            title,
            "Disconnected: the number was changed in the WhatsApp Business app (by partner)"
        );
        let (title, _) = enforcement_words("partner_removed", None, None, Locale::en);
        assert_eq!(title, "The partner was removed from the business account");
        assert_eq!(
            enforcement_words("violation", None, None, Locale::en).0,
            "Policy violation: unspecified"
        );
        for l in [Locale::pt_BR, Locale::es] {
            let (title, explanation) = enforcement_words("ban", Some("DISABLE"), None, l);
            assert_ne!(
                title,
                enforcement_words("ban", Some("DISABLE"), None, Locale::en).0
            );
            assert!(!explanation.is_empty());
            let (title, _) =
                enforcement_words("partner_removed", Some("CHANGE_NUMBER"), Some("partner"), l);
            assert!(title.ends_with("partner)"), "{title}");
            assert_ne!(
                TokenRefusal::Expired.title_in(l),
                TokenRefusal::Expired.title()
            );
            assert_ne!(
                name_rejection_words_in("NAME_HAS_EMOJI", l),
                name_rejection_words("NAME_HAS_EMOJI")
            );
        }
        assert_eq!(countdown(200_000, Locale::en), "in 2 d 7 h");
        assert_eq!(countdown(3_700, Locale::en), "in 1 h 1 min");
        assert_eq!(countdown(30, Locale::en), "in 1 min");
        assert_eq!(countdown(-10, Locale::en), "now");
        assert_eq!(countdown(200_000, Locale::pt_BR), "em 2 d 7 h");
        assert_eq!(countdown(3_700, Locale::es), "en 1 h 1 min");
        assert_eq!(countdown(0, Locale::es), "ahora");
    }
}
