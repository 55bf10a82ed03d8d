//! Reusable pieces of the interface.
pub mod form;
pub mod shell;
pub mod status;
