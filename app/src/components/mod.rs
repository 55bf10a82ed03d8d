//! Reusable pieces of the interface.
pub mod badge;
pub mod banner;
pub mod bell;
pub mod fixes;
pub mod form;
pub mod menu;
pub mod meta;
pub mod setup;
pub mod shell;
pub mod status;
