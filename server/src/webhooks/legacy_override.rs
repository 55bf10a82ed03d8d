//! Undoing the per-number webhook override that earlier Greenlight versions set.
//!
//! Meta's overrides only re-route message-type fields (`messages`, `statuses`, …); the
//! account-level fields Greenlight uses always go to the app's own callback URL. So an override
//! never helped Greenlight, and with a help desk's token it took the number's customer messages
//! away from the help desk. Greenlight now never sets one, and removes the one it set, once per
//! number: only when the override is exactly this instance's `/webhooks/whatsapp` URL. Any other
//! override belongs to someone else and is never touched.
use super::WebhookService;
use crate::graph::{AccessToken, GraphError};
use crate::inboxes::store::InboxRow;

/// What the one-time check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverrideCleanup {
    /// Checked before (by an earlier setup or sweep): Meta was not asked.
    AlreadyChecked,
    /// The number has no override.
    NoOverride,
    /// The override pointed at Greenlight and was removed.
    Removed,
    /// The override points elsewhere (e.g. the help desk) and was left alone.
    LeftForeign,
}

/// Why the check could not be completed; the number is checked again next time.
#[derive(Debug, thiserror::Error)]
pub enum OverrideCleanupError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the stored access token could not be opened")]
    Token,
    #[error("Meta: {}", .0.user_message())]
    Graph(#[from] GraphError),
}

/// Same URL up to surrounding spaces and a trailing slash.
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

impl WebhookService {
    /// Removes the number's override if it is Greenlight's own, at most once per inbox (the
    /// claim is stored in the database before Meta is asked, so concurrent callers do not repeat
    /// the removal).
    pub async fn remove_own_override_once(
        &self,
        row: &InboxRow,
        token: &AccessToken,
    ) -> Result<OverrideCleanup, OverrideCleanupError> {
        if !self.inboxes.claim_override_check(row.id).await? {
            return Ok(OverrideCleanup::AlreadyChecked);
        }
        let result = self.remove_if_own(row, token).await;
        if result.is_err() {
            self.inboxes.release_override_check(row.id).await?;
        }
        result
    }

    async fn remove_if_own(
        &self,
        row: &InboxRow,
        token: &AccessToken,
    ) -> Result<OverrideCleanup, OverrideCleanupError> {
        let config = self
            .graph
            .webhook_configuration(token, &row.phone_number_id)
            .await?;
        let Some(current) = config
            .and_then(|c| c.phone_number)
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(OverrideCleanup::NoOverride);
        };
        if !same_url(&current, &self.webhook_callback_url()) {
            tracing::info!(
                inbox_id = row.id,
                "webhooks: the number's webhook override is not Greenlight's; left as it is"
            );
            return Ok(OverrideCleanup::LeftForeign);
        }
        self.graph
            .clear_webhook_override(token, &row.phone_number_id)
            .await?;
        tracing::info!(
            inbox_id = row.id,
            "webhooks: removed the webhook override an earlier Greenlight version set"
        );
        Ok(OverrideCleanup::Removed)
    }

    /// The upgrade sweep: checks every inbox not checked yet. Failures are logged and retried on
    /// the next start or setup. Answers how many overrides were removed.
    pub async fn remove_own_overrides(&self) -> sqlx::Result<usize> {
        let mut removed = 0;
        for id in self.inboxes.override_unchecked().await? {
            let Some(row) = self.inboxes.get_unscoped(id).await? else {
                continue;
            };
            let outcome = match self.credentials.access_token(&row) {
                Ok(token) => self.remove_own_override_once(&row, &token).await,
                Err(_) => Err(OverrideCleanupError::Token),
            };
            match outcome {
                Ok(OverrideCleanup::Removed) => removed += 1,
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    inbox_id = id,
                    error = %e,
                    "webhooks: checking for an old Greenlight webhook override failed; will retry"
                ),
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_or_spaces_do_not_make_another_url() {
        assert!(same_url(
            "https://g.example/webhooks/whatsapp/",
            " https://g.example/webhooks/whatsapp"
        ));
        assert!(!same_url(
            "https://g.example/webhooks/whatsapp",
            "https://other.example/webhooks/whatsapp"
        ));
    }
}
