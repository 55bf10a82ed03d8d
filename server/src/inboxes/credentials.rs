//! Opening an inbox's stored access token. A leaf of its own so that every feature calling Meta
//! for an inbox (health reads, registration, the webhook self-check, setup) can open the token
//! without depending on the inbox service, and without holding more than the key ring.
use app::error::AppError;
use app::i18n::Locale;

use crate::crypto::{SecretBox, INBOX_ACCESS_TOKEN};
use crate::error::{ServiceError, ServiceResult};
use crate::graph::AccessToken;
use crate::inboxes::store::InboxRow;

/// What the user is told when an inbox's stored access token does not open (in English; see
/// [`for_reader`]).
pub const TOKEN_UNUSABLE: &str = "The access token stored for this inbox cannot be used: it was sealed with a key this server does not have, or belongs to another inbox. Enter the access token again (edit the inbox).";

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
    /// not configured, or copied from another inbox's row) is a 409 saying so in words: the cure
    /// is entering the token again, which an administrator can do. The words are English
    /// ([`TOKEN_UNUSABLE`]): the token is opened in reads shared by readers of every language and
    /// in background work; a door gives them in its reader's language with [`for_reader`].
    pub fn access_token(&self, row: &InboxRow) -> ServiceResult<AccessToken> {
        let plain = self
            .secrets
            .open_bound(&row.access_token_sealed, INBOX_ACCESS_TOKEN.at(row.id))
            .map_err(|e| {
                tracing::warn!(inbox_id = row.id, error = %e, "the inbox's stored access token does not open");
                AppError::Conflict(TOKEN_UNUSABLE.to_string())
            })?;
        Ok(AccessToken::new(plain))
    }

    /// The inbox's access token, opened, refused in `l` (for a door with a reader).
    pub fn access_token_for(&self, row: &InboxRow, l: Locale) -> ServiceResult<AccessToken> {
        self.access_token(row).map_err(|e| for_reader(e, l))
    }

    /// `token` sealed for the inbox `inbox_id` (only that inbox's row opens it).
    pub fn seal(&self, token: &str, inbox_id: i64) -> String {
        self.secrets
            .seal_bound(token, INBOX_ACCESS_TOKEN.at(inbox_id))
    }
}

/// `e` for a reader of `l`: the unusable-token refusal, made in English where the token is
/// opened, in the reader's language; any other error as it is.
pub fn for_reader(e: ServiceError, l: Locale) -> ServiceError {
    match e {
        ServiceError::App(AppError::Conflict(m)) if m == TOKEN_UNUSABLE => {
            AppError::Conflict(app::tr!(l, errors.inboxes.token_unusable)).into()
        }
        other => other,
    }
}
