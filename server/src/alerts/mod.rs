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

pub use service::AlertService;
