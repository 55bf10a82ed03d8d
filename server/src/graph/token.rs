//! [`AccessToken`]: a Graph API access token that never prints itself.

use std::fmt;

/// A Meta access token (system-user, business-integration or user token).
///
/// `Debug` and `Display` print `[redacted]`, so the token cannot leak through a log line, an error message or a
/// `{:?}` of a struct that holds one. The only way to read it is [`AccessToken::expose_secret`], which the client
/// calls when it builds the `Authorization: Bearer …` header (and the storage layer when it encrypts the token).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token. Surrounding whitespace (a common copy-paste accident) is removed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.len() == token.len() {
            AccessToken(token)
        } else {
            AccessToken(trimmed.to_owned())
        }
    }

    /// The token itself. Only for the `Authorization` header and for encryption at rest.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// `true` when the token is empty (nothing to send).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        AccessToken::new(token)
    }
}

impl From<&str> for AccessToken {
    fn from(token: &str) -> Self {
        AccessToken::new(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let token = AccessToken::new("EAAGsecretvalue123");
        assert_eq!(format!("{token}"), "[redacted]");
        assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: AccessToken,
        }
        let holder = format!("{:?}", Holder { token });
        assert!(!holder.contains("EAAG"), "{holder}");
    }

    #[test]
    fn expose_secret_returns_trimmed_token() {
        let token = AccessToken::new("  EAAGabc \n");
        assert_eq!(token.expose_secret(), "EAAGabc");
        assert!(!token.is_empty());
        assert!(AccessToken::new("   ").is_empty());
    }
}
