//! A number's health: reads from Meta, stored snapshots, the views built from them and the
//! background refresh that keeps them fresh.
pub mod cache;
pub mod picture;
pub mod refresh;
pub mod service;
pub mod store;
pub mod verdict;
pub mod view;
