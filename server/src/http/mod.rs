//! The HTTP doors: REST API, probes, embedded site assets, and the Leptos pages.
pub mod api;
pub mod assets;
pub mod ops;
pub mod security_headers;
