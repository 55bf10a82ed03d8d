//! The team: members with their status, pending invitations, the one-time invitation link and the
//! user's own profile. Wire types shared by the server and the settings / invitation pages.
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// The languages a user can choose (the i18n layer that uses it comes later).
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

    /// The language's own name.
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
    /// The label people read.
    pub fn label(self) -> &'static str {
        match self {
            MemberStatus::Active => "Active",
            MemberStatus::Disabled => "Disabled",
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
    pub locale: Locale,
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
