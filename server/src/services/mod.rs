//! Services: every rule of Greenlight lives here once, and every door (REST, server functions,
//! background jobs, webhooks) calls it.
pub mod accounts;
pub mod inboxes;
pub mod port;

use crate::auth::login_limiter::LoginLimiter;
use crate::crypto::SecretBox;
use crate::db::Db;
use crate::graph::GraphClient;

/// The services with what they share. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub secrets: SecretBox,
    pub graph: GraphClient,
    /// Where Meta calls back (`GREENLIGHT_PUBLIC_URL`).
    pub public_url: url::Url,
    pub login_limiter: LoginLimiter,
    pub demo: bool,
}

impl Services {
    /// Services over an open database.
    pub fn new(db: Db, secrets: SecretBox, graph: GraphClient, public_url: url::Url, demo: bool) -> Self {
        Services {
            db,
            secrets,
            graph,
            public_url,
            login_limiter: LoginLimiter::default(),
            demo,
        }
    }
}
