//! The team: members with their status, pending invitations, the one-time invitation link and the
//! user's own profile. Wire types shared by the server and the settings / invitation pages.
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// The languages a user can choose, as stored and answered by the API (the UI's own enum is
/// [`crate::i18n::Locale`]; the two convert both ways).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "es")]
    Es,
}

impl Locale {
    /// Every locale, in the order a chooser lists them.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::PtBr, Locale::Es];

    /// The BCP 47 tag stored and answered (`en`, `pt-BR`, `es`).
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
            Locale::Es => "es",
        }
    }

    /// Parses a stored or submitted tag; anything else is not a locale Greenlight speaks.
    pub fn parse(s: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    /// This language in the UI's translation layer.
    pub fn ui(self) -> crate::i18n::Locale {
        use crate::i18n::Locale as Ui;
        match self {
            Locale::En => Ui::en,
            Locale::PtBr => Ui::pt_BR,
            Locale::Es => Ui::es,
        }
    }

    /// The stored form of a UI language.
    pub fn from_ui(l: crate::i18n::Locale) -> Locale {
        use crate::i18n::Locale as Ui;
        match l {
            Ui::en => Locale::En,
            Ui::pt_BR => Locale::PtBr,
            Ui::es => Locale::Es,
        }
    }

    /// The best of Greenlight's languages for an `Accept-Language` header: the first tag (by
    /// weight, then order) whose language Greenlight speaks; `pt`, `pt-PT` and `pt-BR` all mean
    /// Brazilian Portuguese, any `es-*` Spanish, any `en-*` English.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut tags: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.into_iter().find_map(|(_, _, tag)| {
            let lang = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            match lang.as_str() {
                "en" => Some(Locale::En),
                "pt" => Some(Locale::PtBr),
                "es" => Some(Locale::Es),
                _ => None,
            }
        })
    }

    /// The language's own name (the same in every language: people look for their own).
    pub fn label(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::PtBr => "Português (Brasil)",
            Locale::Es => "Español",
        }
    }
}

/// Whether a listed person can use Greenlight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// Disabled by an operator (`greenlight users disable`).
    Disabled,
}

impl MemberStatus {
    /// The label people read, in `l`.
    pub fn label(self, l: crate::i18n::Locale) -> String {
        match self {
            MemberStatus::Active => crate::tr!(l, settings.status.active),
            MemberStatus::Disabled => crate::tr!(l, settings.status.disabled),
        }
    }
}

/// One member of an account on the team page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: MemberStatus,
}

/// An invitation not yet accepted (and not expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// Unix seconds.
    pub expires_at: i64,
}

/// The signed-in user's own profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// The chosen language, or (not chosen) the one this request's pages speak.
    pub locale: Locale,
    /// False while the user follows the browser's language.
    #[serde(default)]
    pub locale_chosen: bool,
}

/// A new invitation: the one-time link is in this answer only (Greenlight keeps its digest).
/// `Debug` hides the link.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invitation_url: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for CreatedInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedInvitation")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field(
                "invitation_url",
                &crate::redact::Secret(&self.invitation_url),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Join an account: choose a name and a password.
    Invite,
    /// Choose a new password (`greenlight users reset-password`).
    Reset,
}

/// What the public invitation page shows before the form is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub kind: LinkKind,
    pub email: String,
    /// The account joined (invitations); empty for a password reset.
    pub account_name: String,
    /// The user's current name (password resets); empty for invitations.
    pub name: String,
}

#[cfg(test)]
mod locale_tests {
    use super::Locale;

    #[test]
    fn accept_language_picks_the_heaviest_language_greenlight_speaks() {
        let cases = [
            ("pt-BR,pt;q=0.9,en;q=0.8", Some(Locale::PtBr)),
            ("pt-PT", Some(Locale::PtBr)),
            ("es-MX,es;q=0.9", Some(Locale::Es)),
            ("fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4", Some(Locale::Es)),
            ("en;q=0.2,pt;q=0.8", Some(Locale::PtBr)),
            ("de, en-GB", Some(Locale::En)),
            ("pt;q=0, es", Some(Locale::Es)),
            ("fr, de", None),
            ("", None),
            ("es;q=abc, en", Some(Locale::En)),
        ];
        for (header, want) in cases {
            assert_eq!(Locale::from_accept_language(header), want, "{header}");
        }
    }

    #[test]
    fn stored_and_ui_locales_convert_both_ways() {
        for l in Locale::ALL {
            assert_eq!(Locale::from_ui(l.ui()), l);
            assert_eq!(leptos_i18n::Locale::as_str(l.ui()), l.as_str());
        }
    }
}
