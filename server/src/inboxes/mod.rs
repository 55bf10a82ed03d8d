//! Inboxes (one WhatsApp number each), their members and their setup: store and service.
pub mod service;
pub mod store;
