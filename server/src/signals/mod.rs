//! What Meta's account-level webhooks say about a WhatsApp Business account (issue 12), kept as
//! state per WABA: enforcement from `account_update` (restrictions with their expiration, a policy
//! violation, a ban, offboarding, a removed partner). The webhook processor applies each event
//! ([`store::SignalStore::apply`]); the health report reads the state *at a time*
//! ([`model::active`]), so a restriction whose expiration passed clears by itself, with no job.
pub mod model;
pub mod store;

pub use model::{Active, SignalUpdate};
pub use store::SignalStore;
