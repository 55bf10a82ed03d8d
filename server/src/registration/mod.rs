//! The registration engine: decision, ledger, PIN, lease, retrier.
//!
//! [`decision`] is the single place where Greenlight decides what to do with a number (DESIGN.md, "Registration:
//! decision and states"); everything else gathers its inputs or carries out its answer.

pub mod decision;
pub mod ledger;
