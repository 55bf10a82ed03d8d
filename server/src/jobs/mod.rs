//! Background jobs started by `serve`.
pub mod claims;
pub mod prune;
