//! Background jobs started by `serve`.
pub mod prune;
