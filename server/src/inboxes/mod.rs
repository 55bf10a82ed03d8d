//! Inboxes (one WhatsApp number each), their members and their setup: store and service.
pub mod access;
pub mod credentials;
pub mod service;
pub mod store;

/// The channel kind Greenlight manages (the `channel_type` of its inboxes).
pub const WHATSAPP_CLOUD: &str = "whatsapp_cloud";
