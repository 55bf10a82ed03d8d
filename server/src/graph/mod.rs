//! Meta Graph API client: typed answers, typed errors.
//!
//! - [`GraphClient`] makes the calls (health read, WABA read, registration, webhooks, code exchange).
//! - [`PhoneNumberHealth`] and [`Waba`] are the typed answers; every Meta enum is open (`Other(String)`).
//! - [`GraphError`] / [`GraphErrorKind`] say what went wrong and what it means; `user_message()` is safe to show.
//! - [`AccessToken`] never prints itself.

mod client;
mod config;
mod error;
mod phone_number;
#[cfg(test)]
pub(crate) mod test_fixtures;
mod token;
mod token_app;
mod waba;
mod webhook_config;
pub(crate) mod wire;

pub use client::{GraphClient, MAX_PAGES};
pub use config::{GraphConfig, DEFAULT_BASE_URL, DEFAULT_VERSION};
pub use error::{token_refusal, ApiError, CodeRefusal, GraphError, GraphErrorKind};
pub use phone_number::{
    AccountMode, CanSendMessage, CodeVerificationStatus, HealthEntity, HealthEntityError,
    HealthEntityType, HealthStatus, MessagingLimit, NameStatus, NumberStatus, ObaStatus,
    OfficialBusinessAccount, PhoneNumberHealth, PlatformType, QualityRating, Rank, Throughput,
    ThroughputLevel, PHONE_NUMBER_FIELDS,
};
pub use token::AccessToken;
pub use token_app::{TokenApp, TOKEN_APP_FIELDS};
pub use waba::{SubscribedApp, Waba, WABA_FIELDS};
pub use webhook_config::{WebhookConfiguration, WebhookLevel, WEBHOOK_CONFIGURATION_FIELDS};
