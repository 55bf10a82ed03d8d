//! Who may see an inbox. A leaf of its own (the read caches and the account roles, no feature
//! service) because every feature's door asks it first: health, registration, the webhook
//! self-check, alerts and the inbox service itself.
use app::auth::{CurrentUser, Role};
use app::error::AppError;
use app::i18n::Locale;

use crate::cache::reads::ReadCaches;
use crate::error::ServiceResult;
use crate::inboxes::store::InboxRow;
use crate::inboxes::WHATSAPP_CLOUD;

/// Answers "may this user see this inbox" from the read caches. Cheap to clone.
#[derive(Clone)]
pub struct InboxAccess {
    reads: ReadCaches,
}

impl InboxAccess {
    /// Access checks reading through `reads`.
    pub fn new(reads: ReadCaches) -> Self {
        InboxAccess { reads }
    }

    /// The inbox if the user may see it: administrators see all of their account, agents their
    /// member inboxes (403 otherwise), and another account's inbox is 404 so ids don't leak.
    pub async fn inbox_for(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<InboxRow> {
        let role = crate::accounts::service::role_in(user, account_id)?;
        let row = self
            .reads
            .cached_inbox(account_id, inbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if role == Role::Agent && !self.reads.cached_is_member(inbox_id, user.id).await? {
            return Err(AppError::Forbidden.into());
        }
        Ok((*row).clone())
    }
}

/// The inbox if it is a WhatsApp Cloud inbox, else a clear 400-style answer (in `l`).
pub fn require_whatsapp_cloud(row: &InboxRow, l: Locale) -> ServiceResult<()> {
    if row.channel_type == WHATSAPP_CLOUD {
        Ok(())
    } else {
        Err(AppError::invalid("inbox", app::tr!(l, errors.inboxes.not_whatsapp_cloud)).into())
    }
}
