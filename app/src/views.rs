//! Data shapes the pages show and the forms send; they compile for the server and the browser.
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// The first-run form: the first administrator and their account. `Debug` hides the password and
/// the setup code.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRunForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub account_name: String,
    /// The one-time code `serve` printed (and wrote to `<data dir>/setup-code`).
    #[serde(default)]
    pub setup_code: String,
}

impl std::fmt::Debug for FirstRunForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstRunForm")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("account_name", &self.account_name)
            .field("setup_code", &"[redacted]")
            .finish()
    }
}

/// One member of an account, as the settings page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The account settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub account_id: i64,
    pub account_name: String,
    pub your_role: Role,
    pub members: Vec<crate::team::TeamMember>,
    /// Invitations not yet accepted (administrators only; empty for agents).
    pub invitations: Vec<crate::team::PendingInvitation>,
    /// The signed-in user's own profile.
    pub profile: crate::team::ProfileView,
}

use crate::health::{BadgeLevel, MetricView, RegistrationState};

/// Where an inbox's setup stands, as the pages show it. The server derives it from the stored
/// setup outcome, so the pages never compare texts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupStatus {
    /// Setup finished.
    #[default]
    Done,
    /// Setup goes on in the background because Meta answers slowly.
    Running,
    /// Setup stopped; what went wrong, in words.
    Failed(String),
}

impl SetupStatus {
    /// True while the setup goes on (the page checks again on its own).
    pub fn running(&self) -> bool {
        matches!(self, SetupStatus::Running)
    }

    /// Its name in the page's markup (`data-setup`).
    pub fn as_str(&self) -> &'static str {
        match self {
            SetupStatus::Done => "done",
            SetupStatus::Running => "running",
            SetupStatus::Failed(_) => "failed",
        }
    }

    /// What the page says about the setup, in `l`; `None` once it finished.
    pub fn message(&self, l: crate::i18n::Locale) -> Option<String> {
        match self {
            SetupStatus::Done => None,
            SetupStatus::Running => Some(crate::tr!(l, inboxes.setup_running)),
            SetupStatus::Failed(why) => {
                Some(crate::tr!(l, inboxes.settings.setup_failed, error = why))
            }
        }
    }
}

/// One row of the account's number overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRowView {
    pub id: i64,
    pub name: String,
    pub phone_number: String,
    /// `None` before the first check.
    pub state: Option<RegistrationState>,
    /// The worst of the badges and the state.
    pub level: BadgeLevel,
    /// The verdict with its one-line reason: the overview sorts, counts and filters by it.
    #[serde(default)]
    pub verdict: crate::health::VerdictView,
    /// A few key badges (display name, quality, limit, status).
    pub badges: Vec<MetricView>,
    /// Where the inbox's setup stands (running, failed with a reason, or done).
    #[serde(default)]
    pub setup: SetupStatus,
    pub checked_at: Option<String>,
    /// How long ago `checked_at` was when the server answered ("4 min ago"): computed there, so
    /// the server's page and the hydrated one read the same.
    #[serde(default)]
    pub checked_ago: Option<String>,
    pub stale: bool,
}

/// The account's inbox overview, worst first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxOverview {
    pub account_id: i64,
    pub viewer_is_admin: bool,
    /// This page's rows (at most [`OVERVIEW_PAGE_SIZE`]), worst first across all pages.
    pub rows: Vec<InboxRowView>,
    /// Inboxes the user may see, on all pages.
    pub total: usize,
    /// This page, from 1.
    pub page: u32,
    /// How many numbers have each verdict, on all pages, worst first (verdicts with none left out).
    #[serde(default)]
    pub counts: Vec<(crate::health::Verdict, usize)>,
}

/// Rows per overview page: an account with thousands of numbers still gets a page of bounded size.
pub const OVERVIEW_PAGE_SIZE: usize = 100;

impl InboxOverview {
    /// How many pages there are (at least 1).
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(OVERVIEW_PAGE_SIZE)).max(1) as u32
    }
}

/// The "add inbox" form. `Debug` never shows the access token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxForm {
    pub name: String,
    pub phone_number: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub api_key: String,
}

impl std::fmt::Debug for InboxForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxForm")
            .field("name", &self.name)
            .field("phone_number", &self.phone_number)
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("api_key", &crate::redact::Secret(&self.api_key))
            .finish()
    }
}

/// The inbox settings and collaborators tabs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSettingsView {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub phone_number: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub business_id: Option<String>,
    /// Where the inbox's setup stands; the tab checks again on its own while it runs.
    #[serde(default)]
    pub setup: SetupStatus,
    pub viewer_is_admin: bool,
    /// Inbox members.
    pub members: Vec<MemberView>,
    /// Everyone in the account (to add as members).
    pub account_members: Vec<MemberView>,
}

/// What a Complete registration click did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationResult {
    pub state: RegistrationState,
    /// What happened, in words.
    pub message: String,
}
