//! The alert service: an inbox's activity log, the user's notifications and the account's
//! outgoing alert webhooks (see [`super::activity`] and [`super::outgoing`]).
use crate::inboxes::access::InboxAccess;

/// The stores the [`AlertService`] reads (the activity log spans attempts, events and snapshots).
#[derive(Clone)]
pub struct AlertStores {
    pub store: super::store::AlertStore,
    pub snapshots: crate::health::store::SnapshotStore,
    pub ledger: crate::registration::ledger::LedgerStore,
    pub queue: crate::webhooks::store::WebhookStore,
}

/// Holds only what those need: the database, the key ring (webhook URLs and secrets are sealed),
/// the inboxes' access rule, the account service (user names in the log), the outgoing HTTP
/// client with its policy, and the wake-up of the delivery loop. Cheap to clone.
#[derive(Clone)]
pub struct AlertService {
    pub(crate) store: super::store::AlertStore,
    pub(crate) snapshots: crate::health::store::SnapshotStore,
    pub(crate) ledger: crate::registration::ledger::LedgerStore,
    pub(crate) queue: crate::webhooks::store::WebhookStore,
    pub(super) secrets: crate::crypto::SecretBox,
    pub(super) access: InboxAccess,
    pub(super) accounts: crate::accounts::service::AccountService,
    pub(super) http: super::http::OutgoingHttp,
}

impl AlertService {
    /// The alert service over these dependencies.
    pub fn new(
        stores: AlertStores,
        secrets: crate::crypto::SecretBox,
        access: InboxAccess,
        accounts: crate::accounts::service::AccountService,
        http: super::http::OutgoingHttp,
    ) -> Self {
        AlertService {
            store: stores.store,
            snapshots: stores.snapshots,
            ledger: stores.ledger,
            queue: stores.queue,
            secrets,
            access,
            accounts,
            http,
        }
    }
}
