//! The fixes an administrator makes from the banner (issue 12): what the views need to offer them,
//! and what each fix answers.
use serde::{Deserialize, Serialize};

use crate::health::RegistrationState;

/// What Greenlight knows of the number's two-step PIN (never the PIN itself).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinStateView {
    /// Greenlight holds the PIN Meta has, as far as it knows.
    #[default]
    Stored,
    /// Someone changed the PIN outside Greenlight (Meta's `security` webhook), or Meta's answer to
    /// a new PIN was lost: the next registration may fail until a PIN is set again.
    PossiblyStale,
    /// Greenlight has no PIN for the number yet (it makes one at the first registration).
    Missing,
}

impl PinStateView {
    /// The stable name (`stored`, `possibly_stale`, `missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            PinStateView::Stored => "stored",
            PinStateView::PossiblyStale => "possibly_stale",
            PinStateView::Missing => "missing",
        }
    }
}

/// What the banner needs to offer a fix beside the problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixesView {
    pub pin_state: PinStateView,
    /// Meta wants the number verified again (133006 at the last registration, or
    /// `code_verification_status` not `VERIFIED`).
    #[serde(default)]
    pub verification_needed: bool,
    /// A display name change Meta is reviewing or declined (`new_display_name`).
    #[serde(default)]
    pub new_display_name: Option<String>,
    /// Its status (`PENDING_REVIEW`, `DECLINED`, …).
    #[serde(default)]
    pub new_name_status: Option<String>,
    /// Why Meta declined the last display name, in words (from the `rejection_reason` of its
    /// `phone_number_name_update` webhook: a read of the number does not say why).
    #[serde(default)]
    pub name_rejection: Option<String>,
}

impl FixesView {
    /// Offer **Set the PIN**: the last registration failed on the PIN (133005), or the stored PIN
    /// may no longer be Meta's.
    pub fn offers_pin(&self, reason_code: &str) -> bool {
        reason_code == "pin_mismatch" || self.pin_state == PinStateView::PossiblyStale
    }

    /// A display name change is in Meta's review (one at a time: no new one can be sent).
    pub fn name_change_in_review(&self) -> bool {
        self.new_name_status.as_deref() == Some("PENDING_REVIEW")
    }

    /// Offer the re-verification flow (request a code, enter it).
    pub fn offers_verification(&self, reason_code: &str) -> bool {
        reason_code == "reverification_needed" || self.verification_needed
    }
}

/// What one fix did, for the banner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixResultView {
    /// `applied`, `refused`, `unknown` or `not_attempted`.
    pub result: String,
    pub state: RegistrationState,
    /// What happened, in words.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_fix_is_offered_on_a_mismatch_or_a_stale_pin_only() {
        let stored = FixesView::default();
        assert!(!stored.offers_pin("token_invalid"));
        assert!(stored.offers_pin("pin_mismatch"));
        let stale = FixesView {
            pin_state: PinStateView::PossiblyStale,
            ..FixesView::default()
        };
        assert!(stale.offers_pin("registered"));
        assert!(!stale.offers_verification("registered"));
        assert!(stale.offers_verification("reverification_needed"));
    }
}
