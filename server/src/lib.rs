//! Greenlight's server: configuration, CLI, database, Graph client, services, jobs and the HTTP API.
// The pages' view types are deep (a page is one nested type, islands inside it included);
// rendering them here goes past the default query depth of 128.
#![recursion_limit = "256"]
pub mod accounts;
pub mod alerts;
pub mod auth;
pub mod backup;
pub mod cache;
pub mod cache_events;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod graph;
pub mod health;
pub mod http;
pub mod inboxes;
pub mod jobs;
/// Re-sealing every secret under a new key lives with the storage layer (it walks every sealed
/// column); kept at its old path for the CLI and the tests.
pub use db::key_rotation;
mod memory;
pub mod metrics;
pub mod private_files;
pub mod registration;
pub mod services;
pub mod sessions;
pub mod signals;
pub mod simulator;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;

#[cfg(test)]
mod secret_debug_tests;
