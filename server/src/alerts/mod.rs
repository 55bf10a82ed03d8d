//! Alerts: rules evaluated on health transitions (consecutive snapshots of an inbox), in-app
//! notifications for the account's administrators, and per-account outgoing webhooks.
