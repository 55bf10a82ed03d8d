//! One module per page.
pub mod activity;
pub mod health_tab;
pub mod home;
pub mod inbox;
pub mod inbox_settings;
pub mod inboxes;
pub mod join;
pub mod login;
pub mod not_found;
pub mod portfolios;
pub mod settings;
pub mod setup;
