//! Alerts: rules evaluated on health transitions (consecutive snapshots of an inbox), in-app
//! notifications for the account's administrators, per-account outgoing webhooks, and the
//! activity log (audit trail) of an inbox.
pub mod activity;
pub mod address;
pub mod evaluator;
pub mod http;
pub mod outgoing;
pub mod rules;
pub mod service;
pub mod store;
pub mod text;

pub use service::AlertService;

/// What the alert evaluator and the outgoing deliveries need, and nothing else: the alerts'
/// stores, the sealing key of webhook URLs, the alert service and the evaluator's wake-up.
/// Built by the composition root; cheap to clone.
#[derive(Clone)]
pub struct AlertJobs {
    pub store: store::AlertStore,
    pub snapshots: crate::health::store::SnapshotStore,
    pub inboxes: crate::inboxes::store::InboxStore,
    pub secrets: crate::crypto::SecretBox,
    pub alerts: service::AlertService,
    pub alert_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Changes of the WABAs' enforcement state (one alert per change).
    pub signals: crate::signals::SignalStore,
    /// Meta's webhook events: why Meta rejected a display name (only its webhook says).
    pub queue: crate::webhooks::store::WebhookStore,
}
