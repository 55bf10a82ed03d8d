//! Meta's webhooks: the receiver (`GET`/`POST /webhooks/whatsapp`), the signature check, the
//! payload shapes, a durable queue in the database and the processor that turns each event into a
//! coalesced re-read of the number (webhooks are triggers, never the truth) and, when a display
//! name is approved, a registration attempt at once.
pub mod legacy_override;
pub mod payload;
pub mod processor;
pub mod receiver;
pub mod selfcheck;
pub mod service;
pub mod signature;
pub mod store;

pub use service::WebhookService;

use std::sync::Arc;

use tokio::sync::{Mutex, Notify};

/// What the receiver and the processor share: Meta's app secret, the handshake token, and the
/// wake-up of the processor. Cheap to clone. `Debug` never shows the secrets.
#[derive(Clone, Default)]
pub struct MetaWebhooks {
    /// `META_APP_SECRET`: keys `X-Hub-Signature-256`. Without it every POST is refused.
    pub app_secret: Option<Arc<str>>,
    /// `META_WEBHOOK_VERIFY_TOKEN`: answers the handshake (per-inbox tokens are accepted too).
    pub verify_token: Option<Arc<str>>,
    /// `META_APP_ID`: Greenlight's own Meta app. The self-check compares the token's app with it
    /// to say whether Meta sends the number's events here or to another app (a help desk's).
    pub app_id: Option<Arc<str>>,
    /// How often Greenlight checks a number that is waiting on Meta, for the self-check's words
    /// when events go to another app.
    pub check_interval: Option<std::time::Duration>,
    /// Wakes the processor when an event is stored.
    pub wake: Arc<Notify>,
    /// One processing pass at a time in this process.
    pub(crate) pass: Arc<Mutex<()>>,
    /// This process in the queue's claims: other instances on the same database skip its events.
    pub instance: store::InstanceId,
}

impl MetaWebhooks {
    /// Configuration from the serve flags; empty strings count as missing.
    pub fn new(app_secret: Option<&str>, verify_token: Option<&str>) -> Self {
        let keep = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(Arc::from);
        MetaWebhooks {
            app_secret: keep(app_secret),
            verify_token: keep(verify_token),
            ..MetaWebhooks::default()
        }
    }

    /// With Greenlight's own Meta app id (`META_APP_ID`; empty counts as missing) and the
    /// interval at which numbers waiting on Meta are checked.
    pub fn with_own_app(
        mut self,
        app_id: Option<&str>,
        check_interval: std::time::Duration,
    ) -> Self {
        self.app_id = app_id
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Arc::from);
        self.check_interval = Some(check_interval);
        self
    }
}

impl std::fmt::Debug for MetaWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaWebhooks")
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "verify_token",
                &self.verify_token.as_ref().map(|_| "[redacted]"),
            )
            .field("app_id", &self.app_id)
            .field("check_interval", &self.check_interval)
            .finish_non_exhaustive()
    }
}
