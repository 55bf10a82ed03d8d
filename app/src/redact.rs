//! `Debug` stand-ins for secrets, for types that hold a token, PIN or password as plain `String`
//! because they cross to the browser (serde on wasm) or are shared with other modules.
//!
//! A hand-written `Debug` shows every other field and prints a secret as `[redacted]`, so a
//! `{:?}` in a log line or an error message cannot leak it.
use std::fmt;

/// What a secret prints as.
pub const REDACTED: &str = "[redacted]";

/// A secret in `Debug`: `[redacted]`, or `""` when empty (whether one was given stays visible).
pub struct Secret<'a>(pub &'a str);

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str(REDACTED)
        }
    }
}

/// An optional secret in `Debug`: `None` or `Some([redacted])`.
pub struct OptSecret<'a, T>(pub &'a Option<T>);

impl<T> fmt::Debug for OptSecret<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(_) => write!(f, "Some({REDACTED})"),
        }
    }
}

/// A secret form field (password, access token, setup code, webhook secret or URL) as a server
/// function argument. It travels as the plain string it is (`serde(transparent)`), but its `Debug`
/// is `[redacted]`, so the argument structs that Leptos derives `Debug` for (one per server function) cannot leak it.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretField(pub String);

impl SecretField {
    /// The secret itself, for the one place that uses it.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for SecretField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Secret(&self.0).fmt(f)
    }
}

#[cfg(test)]
mod secret_field_tests {
    use super::*;

    #[test]
    fn a_secret_field_travels_in_the_clear_and_debugs_redacted() {
        let f = SecretField("hunter2-correct-horse".into());
        assert_eq!(format!("{f:?}"), REDACTED);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            "\"hunter2-correct-horse\""
        );
        let back: SecretField = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.into_inner(), "x");
    }
}
