//! Every feature's store, opened once over the database by the composition root, which hands
//! each feature service the stores it needs. Services hold nothing else of the database: all SQL
//! lives in the stores (`*/store.rs`), and no service, job or handler touches the pool.
use crate::db::Db;

/// One handle per store. Cheap to clone: each store holds the pool, which is a handle.
#[derive(Clone)]
pub struct Stores {
    /// Users, accounts, memberships, API tokens.
    pub accounts: crate::accounts::store::AccountStore,
    /// Inboxes and their members.
    pub inboxes: crate::inboxes::store::InboxStore,
    /// Health snapshots.
    pub snapshots: crate::health::store::SnapshotStore,
    /// Registration attempts (the register budget).
    pub ledger: crate::registration::ledger::LedgerStore,
    /// Registration leases.
    pub leases: crate::registration::lease::LeaseStore,
    /// Sealed two-step PINs.
    pub pins: crate::registration::pin::PinStore,
    /// Verification codes asked for and entered (the code-request budget).
    pub verifications: crate::registration::verification::VerificationStore,
    /// Meta's inbound webhook events.
    pub queue: crate::webhooks::store::WebhookStore,
    /// Alerts, notifications, outgoing webhooks and deliveries.
    pub alerts: crate::alerts::store::AlertStore,
    /// Claims on shared background work.
    pub claims: crate::jobs::claims::ClaimStore,
    /// Cache events between instances.
    pub events: crate::cache_events::store::EventStore,
    /// What Meta's account-level webhooks said about each WABA (enforcement).
    pub signals: crate::signals::SignalStore,
}

impl Stores {
    /// Every store over `db`.
    pub fn new(db: &Db) -> Self {
        Stores {
            accounts: crate::accounts::store::AccountStore::new(db.clone()),
            inboxes: crate::inboxes::store::InboxStore::new(db.clone()),
            snapshots: crate::health::store::SnapshotStore::new(db.clone()),
            ledger: crate::registration::ledger::LedgerStore::new(db.clone()),
            leases: crate::registration::lease::LeaseStore::new(db.clone()),
            pins: crate::registration::pin::PinStore::new(db.clone()),
            verifications: crate::registration::verification::VerificationStore::new(db.clone()),
            queue: crate::webhooks::store::WebhookStore::new(db.clone()),
            alerts: crate::alerts::store::AlertStore::new(db.clone()),
            claims: crate::jobs::claims::ClaimStore::new(db.clone()),
            events: crate::cache_events::store::EventStore::new(db.clone()),
            signals: crate::signals::SignalStore::new(db.clone()),
        }
    }

    /// What the health service uses.
    pub fn health_service(&self) -> crate::health::service::HealthStores {
        crate::health::service::HealthStores {
            snapshots: self.snapshots.clone(),
            ledger: self.ledger.clone(),
            inboxes: self.inboxes.clone(),
            claims: self.claims.clone(),
        }
    }

    /// What the registration engine and its retrier use.
    pub fn registration_service(&self) -> crate::registration::engine::RegistrationStores {
        crate::registration::engine::RegistrationStores {
            leases: self.leases.clone(),
            pins: self.pins.clone(),
            verifications: self.verifications.clone(),
            ledger: self.ledger.clone(),
            inboxes: self.inboxes.clone(),
            snapshots: self.snapshots.clone(),
            claims: self.claims.clone(),
        }
    }

    /// What the alert service uses.
    pub fn alert_service(&self) -> crate::alerts::service::AlertStores {
        crate::alerts::service::AlertStores {
            store: self.alerts.clone(),
            snapshots: self.snapshots.clone(),
            ledger: self.ledger.clone(),
            queue: self.queue.clone(),
        }
    }

    /// What the account service uses.
    pub fn account_service(&self) -> crate::accounts::service::AccountStores {
        crate::accounts::service::AccountStores {
            store: self.accounts.clone(),
            events: self.events.clone(),
        }
    }

    /// What the read caches load from and publish to.
    pub fn read_caches(&self) -> crate::cache::reads::ReadStores {
        crate::cache::reads::ReadStores {
            inbox_store: self.inboxes.clone(),
            ledger: self.ledger.clone(),
            pins: self.pins.clone(),
            signals: self.signals.clone(),
            events: self.events.clone(),
        }
    }
}
