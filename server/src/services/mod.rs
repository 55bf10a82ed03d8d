//! Services: every rule of Greenlight lives here once, and every door (REST, server functions,
//! background jobs, webhooks) calls it.
pub mod port;
pub mod portfolios;
pub mod read_cache;
pub mod stores;
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

/// What the composition root holds: the configuration every feature service is built from, and
/// the feature services wired from it (each holding only its own dependencies).
#[derive(Clone)]
pub struct Shared {
    /// The pool itself: the storage layer's readiness probe and pruning, and tests. Features never
    /// get it; they get their stores from [`Shared::stores`].
    pub db: Db,
    /// Every feature's store over `db`.
    pub stores: crate::services::stores::Stores,
    /// This instance's name on shared work claims (see [`crate::jobs::claims`]).
    pub instance: crate::jobs::claims::Holder,
    pub secrets: SecretBox,
    pub graph: GraphClient,
    /// Where Meta calls back (`GREENLIGHT_PUBLIC_URL`).
    pub public_url: url::Url,
    /// Users, accounts, memberships and sign-in.
    pub accounts: crate::accounts::service::AccountService,
    /// Identities, inbox rows, ledgers, webhook self-checks and health snapshots for views, and
    /// how to forget them everywhere (see `read_cache`).
    pub reads: crate::cache::reads::ReadCaches,
    /// Opens inboxes' access tokens.
    pub credentials: crate::inboxes::credentials::Credentials,
    /// Who may see which inbox.
    pub access: crate::inboxes::access::InboxAccess,
    /// Health reads, the cache in front of them and the reports built from them.
    pub health: crate::health::service::HealthService,
    /// The registration engine: every door's one path to `POST /{phone}/register`.
    pub registration: crate::registration::engine::RegistrationService,
    /// The webhook self-check, its repair and the old-override cleanup.
    pub webhooks: crate::webhooks::WebhookService,
    /// Inboxes, their members and their setup.
    pub inboxes: crate::inboxes::service::InboxService,
    /// The activity log, notifications and outgoing alert webhooks.
    pub alerts: crate::alerts::AlertService,
    pub demo: bool,
    /// Meta's webhooks: app secret, handshake token, processor wake-up.
    pub meta_webhooks: crate::webhooks::MetaWebhooks,
    /// Wakes the alert evaluator (after new snapshots).
    pub alert_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Outgoing alert webhooks' client and policy (`GREENLIGHT_ALERT_ALLOW_PRIVATE_NETWORKS`).
    pub alert_http: crate::alerts::http::OutgoingHttp,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`GREENLIGHT_TRUSTED_PROXIES`).
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
    /// How long an inbox's setup is waited for before answering (`GREENLIGHT_SETUP_ANSWER_WITHIN`).
    pub setup_answer_within: std::time::Duration,
}

/// The default time a health read (and a webhook self-check) is served from the cache.
const DEFAULT_HEALTH_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The feature services, wired from the configuration in [`Shared`]: one place says which
/// feature depends on which, so `Services::new` and the builders cannot disagree.
struct Features {
    credentials: crate::inboxes::credentials::Credentials,
    access: crate::inboxes::access::InboxAccess,
    health: crate::health::service::HealthService,
    registration: crate::registration::engine::RegistrationService,
    webhooks: crate::webhooks::WebhookService,
    inboxes: crate::inboxes::service::InboxService,
    alerts: crate::alerts::AlertService,
}

/// What the feature services are made of (borrowed from [`Shared`] or from `Services::new`).
struct Parts<'a> {
    stores: &'a crate::services::stores::Stores,
    secrets: &'a SecretBox,
    graph: &'a GraphClient,
    reads: &'a crate::cache::reads::ReadCaches,
    public_url: &'a url::Url,
    meta_webhooks: &'a crate::webhooks::MetaWebhooks,
    accounts: &'a crate::accounts::service::AccountService,
    alert_http: &'a crate::alerts::http::OutgoingHttp,
    setup_answer_within: std::time::Duration,
}

impl Features {
    /// Builds every feature service from the configuration they are made of.
    fn wire(parts: Parts<'_>) -> Self {
        let Parts {
            stores,
            secrets,
            graph,
            reads,
            public_url,
            meta_webhooks,
            accounts,
            alert_http,
            setup_answer_within,
        } = parts;
        let credentials = crate::inboxes::credentials::Credentials::new(secrets.clone());
        let access = crate::inboxes::access::InboxAccess::new(reads.clone());
        let health = crate::health::service::HealthService::new(
            stores.health_service(),
            graph.clone(),
            credentials.clone(),
            access.clone(),
            reads.clone(),
        );
        let registration = crate::registration::engine::RegistrationService::new(
            stores.registration_service(),
            secrets.clone(),
            graph.clone(),
            credentials.clone(),
            access.clone(),
            reads.clone(),
            health.clone(),
        );
        let webhooks = crate::webhooks::WebhookService::new(
            stores.inboxes.clone(),
            graph.clone(),
            credentials.clone(),
            access.clone(),
            reads.clone(),
            public_url.clone(),
            meta_webhooks.clone(),
        );
        let inboxes = crate::inboxes::service::InboxService::new(
            stores.inboxes.clone(),
            graph.clone(),
            credentials.clone(),
            access.clone(),
            reads.clone(),
            health.clone(),
            webhooks.clone(),
        )
        .answering_within(setup_answer_within);
        let alerts = crate::alerts::AlertService::new(
            stores.alert_service(),
            secrets.clone(),
            access.clone(),
            accounts.clone(),
            alert_http.clone(),
        );
        Features {
            alerts,
            inboxes,
            credentials,
            access,
            health,
            registration,
            webhooks,
        }
    }
}

impl Shared {
    /// Builds the feature services again from the configuration held here. The builders call it
    /// after changing a dependency, so no feature service keeps a stale copy.
    fn rewire(&mut self) {
        let f = Features::wire(Parts {
            stores: &self.stores,
            secrets: &self.secrets,
            graph: &self.graph,
            reads: &self.reads,
            public_url: &self.public_url,
            meta_webhooks: &self.meta_webhooks,
            accounts: &self.accounts,
            alert_http: &self.alert_http,
            setup_answer_within: self.setup_answer_within,
        });
        self.credentials = f.credentials;
        self.access = f.access;
        self.health = f.health;
        self.registration = f.registration;
        self.webhooks = f.webhooks;
        self.inboxes = f.inboxes;
        self.alerts = f.alerts;
    }
}

impl Services {
    /// What Meta's webhook doors need (see [`crate::webhooks::receiver::Inbound`]).
    pub fn webhook_inbound(&self) -> crate::webhooks::receiver::Inbound {
        crate::webhooks::receiver::Inbound {
            queue: self.stores.queue.clone(),
            inboxes: self.stores.inboxes.clone(),
            meta_webhooks: self.meta_webhooks.clone(),
        }
    }

    /// What the alert jobs need (see [`crate::alerts::AlertJobs`]).
    pub fn alert_jobs(&self) -> crate::alerts::AlertJobs {
        crate::alerts::AlertJobs {
            store: self.stores.alerts.clone(),
            snapshots: self.stores.snapshots.clone(),
            inboxes: self.stores.inboxes.clone(),
            secrets: self.secrets.clone(),
            alerts: self.alerts.clone(),
            alert_wake: self.alert_wake.clone(),
            signals: self.stores.signals.clone(),
            queue: self.stores.queue.clone(),
        }
    }

    /// What the webhook processor needs (see [`crate::webhooks::processor::Processor`]).
    pub fn webhook_processor(&self) -> crate::webhooks::processor::Processor {
        crate::webhooks::processor::Processor {
            queue: self.stores.queue.clone(),
            inboxes: self.stores.inboxes.clone(),
            snapshots: self.stores.snapshots.clone(),
            meta_webhooks: self.meta_webhooks.clone(),
            health: self.health.clone(),
            registration: self.registration.clone(),
            webhooks: self.webhooks.clone(),
            alert_wake: self.alert_wake.clone(),
            pins: self.stores.pins.clone(),
            alerts: self.alert_jobs(),
            signals: self.stores.signals.clone(),
            reads: self.reads.clone(),
        }
    }
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
        let stores = crate::services::stores::Stores::new(&db);
        let accounts = crate::accounts::service::AccountService::new(
            stores.account_service(),
            LoginLimiter::default(),
        );
        let reads = crate::cache::reads::ReadCaches::new(
            stores.read_caches(),
            DEFAULT_HEALTH_CACHE_TTL,
            accounts.clone(),
        );
        let meta_webhooks = crate::webhooks::MetaWebhooks::default();
        let alert_http = crate::alerts::http::OutgoingHttp::default();
        let setup_answer_within = crate::inboxes::service::SETUP_ANSWER_WITHIN;
        let f = Features::wire(Parts {
            stores: &stores,
            secrets: &secrets,
            graph: &graph,
            reads: &reads,
            public_url: &public_url,
            meta_webhooks: &meta_webhooks,
            accounts: &accounts,
            alert_http: &alert_http,
            setup_answer_within,
        });
        Services(std::sync::Arc::new(Shared {
            db,
            stores,
            instance: crate::jobs::claims::Holder::new(),
            secrets,
            graph,
            public_url,
            accounts,
            reads,
            credentials: f.credentials,
            access: f.access,
            health: f.health,
            registration: f.registration,
            webhooks: f.webhooks,
            inboxes: f.inboxes,
            alerts: f.alerts,
            demo,
            meta_webhooks,
            alert_wake: Default::default(),
            alert_http,
            trusted_proxies: std::sync::Arc::new([]),
            setup_answer_within,
        }))
    }

    /// Sets how long a health read is served from the cache.
    pub fn with_health_cache_ttl(mut self, ttl: std::time::Duration) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.reads = crate::cache::reads::ReadCaches::new(
            shared.stores.read_caches(),
            ttl,
            shared.accounts.clone(),
        );
        shared.rewire();
        self
    }

    /// Sets how long creating an inbox (or retrying its setup) waits for the setup before
    /// answering; a longer setup goes on in the background.
    pub fn with_setup_answer_within(mut self, within: std::time::Duration) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.setup_answer_within = within;
        shared.rewire();
        self
    }

    /// Lets outgoing alert webhooks reach loopback and private networks (on-premises relays).
    pub fn with_alert_private_networks(mut self, allow: bool) -> Self {
        if allow {
            let shared = std::sync::Arc::make_mut(&mut self.0);
            shared.alert_http = crate::alerts::http::OutgoingHttp::new(true);
            shared.rewire();
        }
        self
    }

    /// Believes `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: &[ipnet::IpNet]) -> Self {
        std::sync::Arc::make_mut(&mut self.0).trusted_proxies = proxies.into();
        self
    }

    /// Guards the first-run page with this code.
    pub fn with_setup_code(mut self, code: crate::auth::setup_code::SetupCode) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.accounts = shared.accounts.clone().with_setup_code(code);
        shared.rewire();
        self
    }

    /// Sets Meta's webhook app secret and handshake token.
    pub fn with_meta_webhooks(mut self, hooks: crate::webhooks::MetaWebhooks) -> Self {
        let shared = std::sync::Arc::make_mut(&mut self.0);
        shared.meta_webhooks = hooks;
        shared.rewire();
        self
    }
}
