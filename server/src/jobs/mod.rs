//! Background jobs started by `serve`.
pub mod health_refresh;
pub mod prune;
