//! Short-lived caches in front of the database on the hot read path: an agent's browser or a
//! script polling a number's health asks the same questions many times a second (who is this
//! token, may they see this inbox, what does its ledger say).
//!
//! Only views read through these caches; decisions (registration, leases, budgets) always read
//! the database. Every write made by this process invalidates the entries it touches at once;
//! the time-to-live bounds how long a write made by another instance (PostgreSQL deployments)
//! stays unseen here.
use std::sync::Arc;
use std::time::Duration;

use app::activity::WebhookCheckView;
use moka::future::Cache;

use super::{cache, get_or_load, get_or_load_shared, READ_TTL};
use crate::cache_events::{self, CacheEvent};
use crate::error::ServiceResult;
use crate::inboxes::store::InboxRow;
use crate::registration::ledger::{self, AttemptRow};
use crate::registration::pin::PinState;
use crate::signals::model::Stored;

/// Where [`ReadCaches`] load rows from and publish cache events to.
#[derive(Clone)]
pub struct ReadStores {
    pub inbox_store: crate::inboxes::store::InboxStore,
    pub ledger: crate::registration::ledger::LedgerStore,
    pub pins: crate::registration::pin::PinStore,
    pub signals: crate::signals::SignalStore,
    pub events: crate::cache_events::store::EventStore,
}

/// The caches, and the one way to forget their entries here and on the other instances.
/// Feature services hold a clone instead of the whole `Services`, so forgetting stays one rule
/// without giving them the database's every other door. Cheap to clone (every field is a handle).
#[derive(Clone)]
pub struct ReadCaches {
    /// Where the stored rows come from.
    inbox_store: crate::inboxes::store::InboxStore,
    ledger: crate::registration::ledger::LedgerStore,
    pin_store: crate::registration::pin::PinStore,
    signal_store: crate::signals::SignalStore,
    /// Where cache events are published.
    events: crate::cache_events::store::EventStore,
    /// Latest health snapshot per inbox (`GREENLIGHT_HEALTH_CACHE_TTL`).
    pub(crate) health: crate::health::cache::HealthCache,
    /// Users and tokens: [`CacheEvent::Identities`] forgets them.
    accounts: crate::accounts::service::AccountService,
    /// inbox id → the stored row.
    inboxes: Cache<i64, Arc<InboxRow>>,
    /// inbox id → the agents added to it.
    members: Cache<i64, Arc<Vec<i64>>>,
    /// phone number id → the newest registration attempts on it (at most `ledger::SUMMARY_ROWS`).
    attempts: Cache<String, Arc<Vec<AttemptRow>>>,
    /// phone number id → what Greenlight knows of its PIN (never the PIN).
    pins: Cache<String, PinState>,
    /// WABA id → the enforcement signals stored for it.
    wabas: Cache<String, Arc<Vec<Stored>>>,
    /// inbox id → the webhook self-check (two Graph reads), without the viewer's role.
    webhook_checks: Cache<i64, Arc<WebhookCheckView>>,
    /// Inboxes whose self-check was forced recently (one forced check per inbox per
    /// `health::REFRESH_MIN_INTERVAL`).
    webhook_check_gate: crate::health::cache::ForcedReadGate,
}

impl ReadCaches {
    /// Caches whose health snapshots and webhook self-checks live `webhook_check_ttl` (the
    /// health cache's time); identities are forgotten through `accounts`.
    pub fn new(
        stores: ReadStores,
        webhook_check_ttl: Duration,
        accounts: crate::accounts::service::AccountService,
    ) -> Self {
        ReadCaches {
            inbox_store: stores.inbox_store,
            ledger: stores.ledger,
            pin_store: stores.pins,
            signal_store: stores.signals,
            events: stores.events,
            health: crate::health::cache::new_cache(webhook_check_ttl),
            accounts,
            inboxes: cache(READ_TTL),
            members: cache(READ_TTL),
            attempts: cache(READ_TTL),
            pins: cache(READ_TTL),
            wabas: cache(READ_TTL),
            webhook_checks: cache(webhook_check_ttl),
            webhook_check_gate: crate::health::cache::ForcedReadGate::default(),
        }
    }
}

impl ReadCaches {
    /// The stored inbox row, scoped to its account; `None` when absent (not cached).
    pub(crate) async fn cached_inbox(
        &self,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<Option<Arc<InboxRow>>> {
        let load = async {
            Ok(self
                .inbox_store
                .get(account_id, inbox_id)
                .await?
                .map(Arc::new))
        };
        let row = get_or_load(&self.inboxes, inbox_id, load).await?;
        Ok(row.filter(|r| r.account_id == account_id))
    }

    /// Whether the agent was added to the inbox.
    pub(crate) async fn cached_is_member(
        &self,
        inbox_id: i64,
        user_id: i64,
    ) -> ServiceResult<bool> {
        let load = async { self.inbox_store.members(inbox_id).await.map(Arc::new) };
        let members = get_or_load_shared(&self.members, inbox_id, load).await?;
        Ok(members.contains(&user_id))
    }

    /// The newest registration attempts on the number, newest first (for views only).
    pub(crate) async fn cached_attempts(
        &self,
        phone_number_id: &str,
    ) -> ServiceResult<Arc<Vec<AttemptRow>>> {
        let load = async {
            self.ledger
                .attempts_on_number(phone_number_id, ledger::SUMMARY_ROWS)
                .await
                .map(Arc::new)
        };
        get_or_load_shared(&self.attempts, phone_number_id.to_owned(), load).await
    }

    /// What Greenlight knows of the number's PIN, for views (a PIN write forgets it through
    /// [`Self::forget_number`]).
    pub(crate) async fn cached_pin_state(&self, phone_number_id: &str) -> ServiceResult<PinState> {
        let load = self.pin_store.state(phone_number_id);
        get_or_load_shared(&self.pins, phone_number_id.to_owned(), load).await
    }

    /// The enforcement signals stored for the WABA, for views ([`Self::forget_waba`] after a
    /// change).
    pub(crate) async fn cached_waba_signals(
        &self,
        waba_id: &str,
    ) -> ServiceResult<Arc<Vec<Stored>>> {
        let load = async { self.signal_store.of_waba(waba_id).await.map(Arc::new) };
        get_or_load_shared(&self.wabas, waba_id.to_owned(), load).await
    }

    /// The webhook self-check of the inbox: a recent one, or `check` run once for every caller
    /// waiting at the same time.
    pub(crate) async fn cached_webhook_check(
        &self,
        inbox_id: i64,
        check: impl std::future::Future<Output = WebhookCheckView>,
    ) -> Arc<WebhookCheckView> {
        self.webhook_checks
            .get_with(inbox_id, async move { Arc::new(check.await) })
            .await
    }

    /// The name of the inbox's token's Meta app, when a cached webhook self-check learned it;
    /// never asks Meta.
    pub(crate) async fn known_token_app_name(&self, inbox_id: i64) -> Option<String> {
        self.webhook_checks
            .get(&inbox_id)
            .await
            .and_then(|c| c.token_app_name.clone())
    }

    /// Forgets the cached webhook self-check so the next view asks Meta. `forced` (a user asked)
    /// is limited per inbox: within `health::REFRESH_MIN_INTERVAL` of the last one it does nothing.
    pub(crate) async fn forget_webhook_check(&self, inbox_id: i64, forced: bool) {
        if forced && !self.webhook_check_gate.admit(inbox_id).await {
            return;
        }
        self.forget(CacheEvent::WebhookCheck(inbox_id)).await;
    }

    /// Forgets what is cached about one inbox (after its row, members or setup changed).
    pub async fn forget_inbox(&self, inbox_id: i64) {
        self.forget(CacheEvent::Inbox(inbox_id)).await;
    }

    /// Forgets the cached health snapshot of one inbox (after a registration attempt, a
    /// webhook...).
    pub(crate) async fn forget_health(&self, inbox_id: i64) {
        self.forget(CacheEvent::Health(inbox_id)).await;
    }

    /// Forgets the cached ledger and PIN state of one number (after an attempt started or
    /// finished, or its PIN changed).
    pub(crate) async fn forget_number(&self, phone_number_id: &str) {
        self.forget(CacheEvent::Number(phone_number_id.to_owned()))
            .await;
    }

    /// Forgets the cached enforcement signals of one WABA (after a webhook changed them).
    pub(crate) async fn forget_waba(&self, waba_id: &str) {
        self.forget(CacheEvent::Waba(waba_id.to_owned())).await;
    }

    /// Forgets `event`'s entries here and tells the other instances on the database.
    pub async fn forget(&self, event: CacheEvent) {
        self.drop_cached(&event).await;
        cache_events::publish(&self.events, event).await;
    }

    /// Forgets `event`'s entries in this instance only.
    pub async fn drop_cached(&self, event: &CacheEvent) {
        match event {
            CacheEvent::Health(id) => self.health.invalidate(id).await,
            CacheEvent::Inbox(id) => {
                self.inboxes.invalidate(id).await;
                self.members.invalidate(id).await;
                self.webhook_checks.invalidate(id).await;
            }
            CacheEvent::Number(number) => {
                self.attempts.invalidate(number).await;
                self.pins.invalidate(number).await;
            }
            CacheEvent::Waba(waba) => self.wabas.invalidate(waba).await,
            CacheEvent::WebhookCheck(id) => self.webhook_checks.invalidate(id).await,
            CacheEvent::Identities => self.accounts.forget_identities(),
        }
    }
}
