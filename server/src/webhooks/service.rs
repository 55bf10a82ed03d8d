//! The webhook service: the self-check of where Meta sends a number's events, its repair, and
//! the one-time removal of the overrides earlier versions set (see [`super::selfcheck`] and
//! [`super::legacy_override`]).
use crate::cache::reads::ReadCaches;
use crate::inboxes::access::InboxAccess;
use crate::inboxes::credentials::Credentials;

/// Holds only what the self-check and the override cleanup need: the database (the one-time
/// claims), the Graph client, the inboxes' credentials and access rule, the read caches (the
/// cached self-check), Greenlight's public URL and Meta's webhook settings. Cheap to clone.
#[derive(Clone)]
pub struct WebhookService {
    pub(crate) inboxes: crate::inboxes::store::InboxStore,
    pub(super) graph: crate::graph::GraphClient,
    pub(super) credentials: Credentials,
    pub(super) access: InboxAccess,
    pub(super) reads: ReadCaches,
    pub(super) public_url: url::Url,
    pub(super) meta_webhooks: super::MetaWebhooks,
}

impl WebhookService {
    /// The webhook service over these dependencies.
    pub fn new(
        inboxes: crate::inboxes::store::InboxStore,
        graph: crate::graph::GraphClient,
        credentials: Credentials,
        access: InboxAccess,
        reads: ReadCaches,
        public_url: url::Url,
        meta_webhooks: super::MetaWebhooks,
    ) -> Self {
        WebhookService {
            inboxes,
            graph,
            credentials,
            access,
            reads,
            public_url,
            meta_webhooks,
        }
    }
}
