//! Test helpers: the real Graph JSON shapes in `server/tests/fixtures/graph/`.

use super::PhoneNumberHealth;

/// The text of a fixture file.
pub(crate) fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/graph/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("fixture {path}: {error}"))
}

/// A phone number fixture parsed as [`PhoneNumberHealth`].
pub(crate) fn phone_fixture(name: &str) -> PhoneNumberHealth {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}
