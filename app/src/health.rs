//! The health report as it crosses the wire: registration state, metrics with badges, links.
use serde::{Deserialize, Serialize};

/// The registration state of one number (DESIGN.md "Registration: decision and states").
/// The server derives it; the UI and the API show it; the banner is driven by it alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    Registered,
    AwaitingDisplayName,
    ActionRequired,
    Ready,
    RateLimited,
    Unknown,
}

impl RegistrationState {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::Registered => "registered",
            RegistrationState::AwaitingDisplayName => "awaiting_display_name",
            RegistrationState::ActionRequired => "action_required",
            RegistrationState::Ready => "ready",
            RegistrationState::RateLimited => "rate_limited",
            RegistrationState::Unknown => "unknown",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Registered,
            Self::AwaitingDisplayName,
            Self::ActionRequired,
            Self::Ready,
            Self::RateLimited,
            Self::Unknown,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for RegistrationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a badge's colour means; the text always says it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BadgeLevel {
    /// Red: blocked.
    Blocked,
    /// Amber: needs attention.
    Attention,
    /// Grey: not known.
    Unknown,
    /// Green: good.
    Good,
}

impl BadgeLevel {
    /// CSS modifier and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeLevel::Good => "good",
            BadgeLevel::Attention => "attention",
            BadgeLevel::Blocked => "blocked",
            BadgeLevel::Unknown => "unknown",
        }
    }

    /// The word screen readers and colour-blind users get, in the page's language.
    pub fn word_in(self, l: crate::i18n::Locale) -> String {
        match self {
            BadgeLevel::Good => crate::tr!(l, health.level.good),
            BadgeLevel::Attention => crate::tr!(l, health.level.attention),
            BadgeLevel::Blocked => crate::tr!(l, health.level.blocked),
            BadgeLevel::Unknown => crate::tr!(l, health.level.unknown),
        }
    }
}

/// The one answer per number to "can it send, and what do I do?", worst first. Derived once, on
/// the server (`health::verdict`), from the registration state, the number's status, quality,
/// display name, Meta's `health_status` and the last read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The number cannot send, or cannot be registered, until someone acts (or a hard limit ends).
    Blocked,
    /// It works, but something is degrading or waits for a person (e.g. Complete registration).
    NeedsAttention,
    /// Meta has the next move (display name in review, number pending).
    WaitingOnMeta,
    /// Greenlight could not read the number yet.
    Unknown,
    /// Registered, connected, nothing to do.
    Healthy,
}

impl Verdict {
    /// Every verdict, worst first (the overview's summary and filter chips).
    pub const ALL: [Verdict; 5] = [
        Verdict::Blocked,
        Verdict::NeedsAttention,
        Verdict::WaitingOnMeta,
        Verdict::Unknown,
        Verdict::Healthy,
    ];

    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::NeedsAttention => "needs_attention",
            Verdict::WaitingOnMeta => "waiting_on_meta",
            Verdict::Unknown => "unknown",
            Verdict::Healthy => "healthy",
        }
    }

    /// As people read it, in the page's language.
    pub fn label_in(self, l: crate::i18n::Locale) -> String {
        match self {
            Verdict::Blocked => crate::tr!(l, health.verdict.blocked),
            Verdict::NeedsAttention => crate::tr!(l, health.verdict.needs_attention),
            Verdict::WaitingOnMeta => crate::tr!(l, health.verdict.waiting_on_meta),
            Verdict::Unknown => crate::tr!(l, health.verdict.unknown),
            Verdict::Healthy => crate::tr!(l, health.verdict.healthy),
        }
    }

    /// As people read it, in English (the API's `label`); pages use [`Self::label_in`].
    pub fn label(self) -> String {
        self.label_in(crate::i18n::Locale::en)
    }

    /// The badge colour it carries.
    pub fn level(self) -> BadgeLevel {
        match self {
            Verdict::Blocked => BadgeLevel::Blocked,
            Verdict::NeedsAttention | Verdict::WaitingOnMeta => BadgeLevel::Attention,
            Verdict::Unknown => BadgeLevel::Unknown,
            Verdict::Healthy => BadgeLevel::Good,
        }
    }
}

/// A verdict with its reason in one line ("Quality Low · Flagged") and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictView {
    pub verdict: Verdict,
    /// The signals behind it, worst first, joined by " · ".
    pub reason: String,
    /// What a person does about the worst signal, in one sentence; `None` when nothing is to be done.
    #[serde(default)]
    pub fix: Option<String>,
}

impl Default for VerdictView {
    fn default() -> Self {
        VerdictView {
            verdict: Verdict::Unknown,
            reason: "Not checked yet".into(),
            fix: None,
        }
    }
}

/// Where a metric sits on the Account Health tab.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricGroup {
    /// Whether the number can send now: status, quality, display name, verification.
    CanSend,
    /// How much it may send.
    Limits,
    /// Facts about the number (ids, names, times): plain text, never coloured.
    #[default]
    Details,
}

impl MetricGroup {
    /// Every group, in the order the tab shows them.
    pub const ALL: [MetricGroup; 3] = [
        MetricGroup::CanSend,
        MetricGroup::Limits,
        MetricGroup::Details,
    ];

    /// The snake_case wire name (also the section's id suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            MetricGroup::CanSend => "can_send",
            MetricGroup::Limits => "limits",
            MetricGroup::Details => "details",
        }
    }

    /// The section heading.
    pub fn title(self, l: crate::i18n::Locale) -> String {
        match self {
            MetricGroup::CanSend => crate::tr!(l, health.group.can_send),
            MetricGroup::Limits => crate::tr!(l, health.group.limits),
            MetricGroup::Details => crate::tr!(l, health.group.details),
        }
    }
}

/// One metric card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricView {
    /// Stable key, e.g. `quality_rating`.
    pub key: String,
    pub label: String,
    /// What the metric means, one line.
    pub explanation: String,
    /// The value as people read it.
    pub value: String,
    pub level: BadgeLevel,
    /// The section it belongs to.
    #[serde(default)]
    pub group: MetricGroup,
    /// A real health signal, shown with a coloured badge; facts (ids, phone, names, times) are
    /// plain text, so colour only ever means "look here".
    #[serde(default)]
    pub signal: bool,
}

/// The registration part of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub state: RegistrationState,
    pub reason_code: String,
    /// Plain words: what is wrong and what happens next.
    pub reason: String,
    pub attempts_in_window: u32,
    pub attempts_left_in_window: u32,
    /// RFC 3339.
    pub next_attempt_at: Option<String>,
    /// `next_attempt_at` has passed (the attempt is due and about to run): the page says "any
    /// moment now" instead of a time in the past. Decided by the server, so the server-drawn and
    /// the hydrated page agree.
    #[serde(default)]
    pub next_attempt_due: bool,
    /// Meta's last answer to a register call, in words.
    pub last_error: Option<String>,
    /// Whether pressing **Complete registration** can help now.
    pub may_register_now: bool,
    /// The fixes the banner may offer (PIN, re-verification).
    #[serde(default)]
    pub fixes: crate::fixes::FixesView,
}

/// The Account Health tab's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthView {
    pub account_id: i64,
    pub inbox_id: i64,
    pub inbox_name: String,
    /// The answer first: can it send, and why not.
    #[serde(default)]
    pub verdict: VerdictView,
    pub metrics: Vec<MetricView>,
    pub registration: RegistrationView,
    pub whatsapp_manager_url: String,
    /// RFC 3339 time of the data shown; `None` before the first check.
    pub checked_at: Option<String>,
    /// True when the last refresh failed and older data is shown.
    pub stale: bool,
    /// A live read from Meta is still out: the stored data (or none) is shown, and the page
    /// checks again on its own.
    #[serde(default)]
    pub checking: bool,
    /// Why the last refresh failed, in words.
    pub refresh_error: Option<String>,
    /// The viewer may press Complete registration.
    pub viewer_is_admin: bool,
    /// Everything else Meta tells about the number (can it send, enforcement, OBA, token).
    #[serde(default)]
    pub meta: crate::meta::MetaPicture,
}

/// The part of a [`HealthView`] the registration banner shows and keeps current in the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannerView {
    pub account_id: i64,
    pub inbox_id: i64,
    pub registration: RegistrationView,
    /// A live read from Meta is still out.
    pub checking: bool,
    /// The viewer may press Complete registration.
    pub viewer_is_admin: bool,
}

impl From<&HealthView> for BannerView {
    fn from(h: &HealthView) -> Self {
        BannerView {
            account_id: h.account_id,
            inbox_id: h.inbox_id,
            registration: h.registration.clone(),
            checking: h.checking,
            viewer_is_admin: h.viewer_is_admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in [
            "registered",
            "awaiting_display_name",
            "action_required",
            "ready",
            "rate_limited",
            "unknown",
        ] {
            assert_eq!(RegistrationState::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(RegistrationState::parse("pending"), None);
    }

    #[test]
    fn worst_badges_sort_first() {
        let mut v = vec![
            BadgeLevel::Good,
            BadgeLevel::Unknown,
            BadgeLevel::Blocked,
            BadgeLevel::Attention,
        ];
        v.sort();
        assert_eq!(
            v,
            [
                BadgeLevel::Blocked,
                BadgeLevel::Attention,
                BadgeLevel::Unknown,
                BadgeLevel::Good
            ]
        );
    }
}

/// One stored health check, for the history panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// RFC 3339.
    pub checked_at: String,
    /// What triggered the read (view, refresh, setup, retrier, registration, webhook...).
    pub source: String,
    pub state: RegistrationState,
    /// Meta's raw values (formatted by `crate::format`), `None` when the read failed.
    pub quality_rating: Option<String>,
    /// Quality's height on the chart, placed by the server's one quality ranking: 3 high, 2 medium, 1 low,
    /// 0 unknown or failed read.
    #[serde(default)]
    pub quality_height: u8,
    pub messaging_limit: Option<String>,
    pub ok: bool,
}
