//! Everything Meta can tell about a number, as it crosses the wire to the Account Health tab: can it
//! send (Meta's `health_status` per entity), enforcement on its business account (restrictions, bans,
//! violations), its Official Business Account status and throughput, and which token Meta refuses.
//! Formatting of Meta's values (labels, badge levels, plain words) is pure and lives here too.
use serde::{Deserialize, Serialize};

use crate::format::title_case;
use crate::health::BadgeLevel;

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
pub fn can_send_label(raw: &str) -> (String, BadgeLevel) {
    match raw {
        "AVAILABLE" => ("Available".into(), BadgeLevel::Good),
        "LIMITED" => ("Limited".into(), BadgeLevel::Attention),
        "BLOCKED" => ("Blocked".into(), BadgeLevel::Blocked),
        "UNKNOWN" | "" => ("Unknown".into(), BadgeLevel::Unknown),
        other => (title_case(other), BadgeLevel::Unknown),
    }
}

/// The one sentence under the answer.
pub fn can_send_sentence(raw: &str) -> &'static str {
    match raw {
        "AVAILABLE" => "Meta lets this number send messages.",
        "LIMITED" => "Meta lets this number send, with limits; see below.",
        "BLOCKED" => "Meta blocks this number from sending; see below for what to fix.",
        _ => "Meta has not said yet whether this number can send.",
    }
}

/// An entity type as people read it (`WABA` -> "WhatsApp Business account").
pub fn entity_label(raw: &str) -> String {
    match raw {
        "PHONE_NUMBER" => "Phone number".into(),
        "WABA" => "WhatsApp Business account".into(),
        "BUSINESS" => "Business portfolio".into(),
        "APP" => "App".into(),
        "MESSAGE_TEMPLATE" => "Message template".into(),
        "FLOW" => "Flow".into(),
        "" => "Unnamed entity".into(),
        other => title_case(other),
    }
}

/// The Official Business Account status as people read it.
pub fn oba_label(raw: Option<&str>) -> (String, BadgeLevel) {
    match raw {
        Some("APPROVED") => (
            "Approved: the number shows the blue badge".into(),
            BadgeLevel::Good,
        ),
        Some("PENDING") => ("Requested, in review".into(), BadgeLevel::Attention),
        Some("REJECTED") => ("Rejected".into(), BadgeLevel::Attention),
        Some("CANCELLED") => ("Request cancelled".into(), BadgeLevel::Unknown),
        Some("NOT_STARTED") => ("Not requested".into(), BadgeLevel::Unknown),
        None | Some("") => ("Not reported".into(), BadgeLevel::Unknown),
        Some(other) => (title_case(other), BadgeLevel::Unknown),
    }
}

/// What a throughput level means for the number (messages per second). Coexistence numbers (also
/// in the WhatsApp Business app) are capped at 20 messages per second whatever the level.
pub fn throughput_meaning(level: Option<&str>, coexistence: bool) -> String {
    if coexistence {
        return "Up to 20 messages per second: the number is also used in the WhatsApp Business app (coexistence), which caps it lower than Cloud API numbers.".into();
    }
    match level {
        Some("STANDARD") => "Up to 80 messages per second (Meta's default).".into(),
        Some("HIGH") => "Up to 1,000 messages per second (upgraded by Meta).".into(),
        Some("NOT_APPLICABLE") => {
            "None yet: the number is not registered with the Cloud API.".into()
        }
        None | Some("") => "Meta did not report a throughput level.".into(),
        Some(other) => format!(
            "{}: a level Greenlight does not know yet.",
            title_case(other)
        ),
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

    /// A short title (the verdict's reason), e.g. "Access token expired".
    pub fn title(self) -> &'static str {
        match self {
            TokenRefusal::Expired => "Access token expired",
            TokenRefusal::PasswordChanged => "Access token ended by a password change",
            TokenRefusal::Revoked => "Access token revoked",
            TokenRefusal::InvalidSession => "Access token session invalid",
            TokenRefusal::Refused => "Access token refused",
        }
    }

    /// Why Meta refuses the token, to follow "Meta refused the access token: ".
    pub fn words(self) -> &'static str {
        match self {
            TokenRefusal::Expired => "it has expired",
            TokenRefusal::PasswordChanged => {
                "its session was invalidated (the user changed their password or Meta reset the session)"
            }
            TokenRefusal::Revoked => {
                "the user removed the app's access (the app is no longer installed or authorised for them)"
            }
            TokenRefusal::InvalidSession => {
                "its session is no longer valid (the user logged out or lost access to the business)"
            }
            TokenRefusal::Refused => "it has expired or was revoked",
        }
    }

    /// What to do about it.
    pub fn fix(self) -> &'static str {
        match self {
            TokenRefusal::Expired => {
                "Update the access token: the stored one has expired. A system user's token from Business Settings does not expire."
            }
            TokenRefusal::PasswordChanged => {
                "Update the access token: a password change ended the stored one. A system user's token is not tied to a person's password."
            }
            TokenRefusal::Revoked => {
                "Authorise the app again for the user (or use a system user's token), then update the access token."
            }
            TokenRefusal::InvalidSession => {
                "Update the access token: create a new one for a user who still has access to the business."
            }
            TokenRefusal::Refused => "Update the access token: Meta refuses the stored one.",
        }
    }
}

/// Why Meta rejected a display name (`phone_number_name_update` `rejection_reason`), in one
/// sentence: what is wrong and what to change. Values Greenlight does not know yet read as their
/// words in title case; `NONE`, `UNKNOWN` or nothing say that Meta gave no reason.
pub fn name_rejection_words(raw: &str) -> String {
    let sentence = match raw.trim() {
        "NAME_FORMAT_UNACCEPTABLE" => {
            "The name breaks Meta's formatting rules (such as all capitals, extra spaces or stray punctuation): write it the way the business writes its name."
        }
        "NAME_NOT_REPRESENTATIVE" => {
            "The name does not represent the business: use the name or brand customers know it by."
        }
        "NAME_INCONSISTENT_WITH_BUSINESS" | "NAME_NOT_CONSISTENT" => {
            "The name does not match the business Meta knows (its verified name or website): use a name consistent with them."
        }
        "NAME_CONTAINS_WHATSAPP" => {
            "The name contains \u{201c}WhatsApp\u{201d}, which Meta does not allow: remove it."
        }
        "NAME_TOO_GENERIC" => {
            "The name is too generic (a plain word such as \u{201c}Pizza\u{201d}): add the business's own name."
        }
        "NAME_HAS_EMOJI" => "The name contains emoji, which Meta does not allow: remove them.",
        "NAME_CONTAINS_SPECIAL_CHARACTERS" => {
            "The name contains special characters Meta does not allow: keep to letters, digits and ordinary punctuation."
        }
        "LACKS_ONLINE_PRESENCE" => {
            "Meta found no website or page showing the business under this name: publish one that does, or use the name the business already shows online."
        }
        "NAME_EMPLOYEE_ISSUE" | "NAME_INDIVIDUAL_ISSUE" => {
            "The name is a person's name rather than the business's: use the business's name."
        }
        "NAME_ENDCLIENT_NOTRELATED" => {
            "The name is not related to the business that owns the number: use that business's name."
        }
        "NONE" | "UNKNOWN" | "" => {
            "Meta gave no reason: compare the name with Meta's display name guidelines and submit a corrected one."
        }
        other => return title_case(other),
    };
    sentence.to_owned()
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
            can_send_label("AVAILABLE"),
            ("Available".into(), BadgeLevel::Good)
        );
        assert_eq!(
            can_send_label("LIMITED"),
            ("Limited".into(), BadgeLevel::Attention)
        );
        assert_eq!(
            can_send_label("BLOCKED"),
            ("Blocked".into(), BadgeLevel::Blocked)
        );
        assert_eq!(
            can_send_label("UNKNOWN"),
            ("Unknown".into(), BadgeLevel::Unknown)
        );
        assert_eq!(
            can_send_label("PAUSED_FOR_REVIEW"),
            ("Paused For Review".into(), BadgeLevel::Unknown)
        );
        assert!(can_send_sentence("BLOCKED").contains("blocks"));
        assert!(can_send_sentence("SOMETHING").contains("not said"));
    }

    #[test]
    fn oba_and_throughput_read_as_words_and_coexistence_says_it_is_capped() {
        assert_eq!(oba_label(Some("APPROVED")).1, BadgeLevel::Good);
        assert_eq!(oba_label(Some("PENDING")).0, "Requested, in review");
        assert_eq!(
            oba_label(Some("ON_HOLD")),
            ("On Hold".into(), BadgeLevel::Unknown)
        );
        assert_eq!(oba_label(None).0, "Not reported");
        assert!(throughput_meaning(Some("STANDARD"), false).contains("80"));
        assert!(throughput_meaning(Some("HIGH"), false).contains("1,000"));
        let coex = throughput_meaning(Some("STANDARD"), true);
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
}
