//! Opening an inbox's stored access token. A leaf of its own so that every feature calling Meta
//! for an inbox (health reads, registration, the webhook self-check, setup) can open the token
//! without depending on the inbox service, and without holding more than the key ring.
use app::error::AppError;

use crate::crypto::{SecretBox, INBOX_ACCESS_TOKEN};
use crate::error::ServiceResult;
use crate::graph::AccessToken;
use crate::inboxes::store::InboxRow;

/// Opens (and seals) inboxes' access tokens, each bound to its inbox. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    secrets: SecretBox,
}

impl Credentials {
    /// Credentials under this key ring.
    pub fn new(secrets: SecretBox) -> Self {
        Credentials { secrets }
    }

    /// The inbox's access token, opened. A token that does not open (sealed under a key that is
    /// not configured, or copied from another inbox's row) is [`AppError::TokenUnusable`]: a 409
    /// whose words each door gives in its reader's language; the cure is entering the token
    /// again, which an administrator can do.
    pub fn access_token(&self, row: &InboxRow) -> ServiceResult<AccessToken> {
        let plain = self
            .secrets
            .open_bound(&row.access_token_sealed, INBOX_ACCESS_TOKEN.at(row.id))
            .map_err(|e| {
                tracing::warn!(inbox_id = row.id, error = %e, "the inbox's stored access token does not open");
                AppError::TokenUnusable
            })?;
        Ok(AccessToken::new(plain))
    }

    /// `token` sealed for the inbox `inbox_id` (only that inbox's row opens it).
    pub fn seal(&self, token: &str, inbox_id: i64) -> String {
        self.secrets
            .seal_bound(token, INBOX_ACCESS_TOKEN.at(inbox_id))
    }
}
