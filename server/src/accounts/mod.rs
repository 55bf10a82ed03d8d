//! Accounts, their users and memberships, and users' API tokens: types, store and service.
pub mod api_tokens;
pub mod locale;
pub mod service;
pub mod store;
pub mod team;
pub mod team_store;
pub mod user_store;
