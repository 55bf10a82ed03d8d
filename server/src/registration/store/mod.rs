//! Registration's store: every SQL statement on the attempt ledger, the per-number lease and the
//! per-number PIN, with the small types each table reads into.
pub mod lease;
pub mod ledger;
pub mod pin;
pub mod verification;
