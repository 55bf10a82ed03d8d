//! Services: every rule of Greenlight lives here once, and every door (REST, server functions,
//! background jobs, webhooks) calls it.
pub mod port;
pub mod read_cache;
pub mod ui;

use crate::auth::login_limiter::LoginLimiter;
use crate::crypto::SecretBox;
use crate::db::Db;
use crate::graph::GraphClient;

/// The services with what they share. Cheap to clone: one shared allocation, so every request,
/// middleware and background task can hold its own handle.
#[derive(Clone)]
pub struct Services(std::sync::Arc<Shared>);

impl std::ops::Deref for Services {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the services share: the database, secrets, the Graph client and the caches.
#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    /// This instance's name on shared work claims (see [`crate::jobs::claims`]).
    pub instance: crate::jobs::claims::Holder,
    pub secrets: SecretBox,
    pub graph: GraphClient,
    /// Where Meta calls back (`GREENLIGHT_PUBLIC_URL`).
    pub public_url: url::Url,
    /// Users, accounts, memberships and sign-in.
    pub accounts: crate::accounts::service::AccountService,
    /// Latest health snapshot per inbox (`GREENLIGHT_HEALTH_CACHE_TTL`).
    pub health_cache: crate::health::cache::HealthCache,
    /// Views waiting for a snapshot right now (see [`crate::health::cache::WaitingViews`]).
    pub waiting_views: crate::health::cache::WaitingViews,
    /// Identities, inbox rows, ledgers and webhook self-checks for views (see `read_cache`).
    pub reads: read_cache::ReadCaches,
    /// Inboxes refreshed by hand recently (see `health::REFRESH_MIN_INTERVAL`).
    pub refresh_gate: crate::health::cache::ForcedReadGate,
    pub demo: bool,
    /// Meta's webhooks: app secret, handshake token, processor wake-up.
    pub meta_webhooks: crate::webhooks::MetaWebhooks,
    /// Wakes the alert evaluator (after new snapshots).
    pub alert_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Outgoing alert webhooks' client and policy (`GREENLIGHT_ALERT_ALLOW_PRIVATE_NETWORKS`).
    pub alert_http: crate::alerts::http::OutgoingHttp,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`GREENLIGHT_TRUSTED_PROXIES`).
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
}

impl Services {
    /// Services over an open database.
    pub fn new(
        db: Db,
        secrets: SecretBox,
        graph: GraphClient,
        public_url: url::Url,
        demo: bool,
    ) -> Self {
        let accounts = crate::accounts::service::AccountService::new(
            crate::accounts::store::AccountStore::new(db.clone()),
            LoginLimiter::default(),
        );
        Services(std::sync::Arc::new(Shared {
            db,
            instance: crate::jobs::claims::Holder::new(),
            secrets,
            graph,
            public_url,
            accounts,
            health_cache: crate::health::cache::new_cache(std::time::Duration::from_secs(60)),
            waiting_views: crate::health::cache::WaitingViews::default(),
            reads: read_cache::ReadCaches::new(std::time::Duration::from_secs(60)),
            refresh_gate: crate::health::cache::ForcedReadGate::default(),
            demo,
            meta_webhooks: crate::webhooks::MetaWebhooks::default(),
            alert_wake: Default::default(),
            alert_http: Default::default(),
            trusted_proxies: std::sync::Arc::new([]),
        }))
    }

    /// Sets how long a health read is served from the cache.
    pub fn with_health_cache_ttl(mut self, ttl: std::time::Duration) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.health_cache = crate::health::cache::new_cache(ttl);
        shared.reads = read_cache::ReadCaches::new(ttl);
        self
    }

    /// Lets outgoing alert webhooks reach loopback and private networks (on-premises relays).
    pub fn with_alert_private_networks(mut self, allow: bool) -> Self {
        if allow {
            std::sync::Arc::make_mut(&mut self.0).alert_http =
                crate::alerts::http::OutgoingHttp::new(true);
        }
        self
    }

    /// Sets Meta's webhook app secret and handshake token.
    /// Believes `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: &[ipnet::IpNet]) -> Self {
        std::sync::Arc::make_mut(&mut self.0).trusted_proxies = proxies.into();
        self
    }

    /// Guards the first-run page with this code.
    pub fn with_setup_code(mut self, code: crate::auth::setup_code::SetupCode) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.accounts = shared.accounts.clone().with_setup_code(code);
        self
    }

    pub fn with_meta_webhooks(mut self, hooks: crate::webhooks::MetaWebhooks) -> Self {
        std::sync::Arc::make_mut(&mut self.0).meta_webhooks = hooks;
        self
    }
}
