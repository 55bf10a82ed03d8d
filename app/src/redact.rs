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
