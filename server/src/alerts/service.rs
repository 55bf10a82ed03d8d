//! The alert service: an inbox's activity log, the user's notifications and the account's
//! outgoing alert webhooks (see [`super::activity`] and [`super::outgoing`]).
use crate::inboxes::access::InboxAccess;

/// Holds only what those need: the database, the key ring (webhook URLs and secrets are sealed),
/// the inboxes' access rule, the account service (user names in the log), the outgoing HTTP
/// client with its policy, and the wake-up of the delivery loop. Cheap to clone.
#[derive(Clone)]
pub struct AlertService {
    pub(super) db: crate::db::Db,
    pub(super) secrets: crate::crypto::SecretBox,
    pub(super) access: InboxAccess,
    pub(super) accounts: crate::accounts::service::AccountService,
    pub(super) http: super::http::OutgoingHttp,
}

impl AlertService {
    /// The alert service over these dependencies.
    pub fn new(
        db: crate::db::Db,
        secrets: crate::crypto::SecretBox,
        access: InboxAccess,
        accounts: crate::accounts::service::AccountService,
        http: super::http::OutgoingHttp,
    ) -> Self {
        AlertService {
            db,
            secrets,
            access,
            accounts,
            http,
        }
    }
}
