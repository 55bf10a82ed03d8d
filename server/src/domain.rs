//! Domain types that cannot hold invalid values: each parses user input once, with a message that
//! names the field, and is trusted everywhere after.
use app::error::AppError;

fn clean(field: &str, label: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::invalid(field, format!("{label} is required.")));
    }
    if s.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("{label} must be at most {max} characters."),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("{label} must not contain control characters."),
        ));
    }
    Ok(s.to_string())
}

/// A person's display name: 1–100 characters, no control characters. HTML is kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        clean(field, "Name", raw, 100).map(PersonName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account (company) name: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        clean(field, "Account name", raw, 100).map(AccountName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, trimmed and lower-cased; roughly `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let s = clean(field, "E-mail", raw, 254)?.to_lowercase();
        let bad = || AppError::invalid(field, "Enter an e-mail address such as ada@example.com.");
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ',' | ';'));
        if ok {
            Ok(Email(s))
        } else {
            Err(bad())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 1024 characters. Its Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

impl NewPassword {
    pub const MIN: usize = 10;
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(AppError::invalid(
                field,
                format!("Password must be at least {} characters.", Self::MIN),
            ));
        }
        if n > 1024 {
            return Err(AppError::invalid(
                field,
                "Password must be at most 1024 characters.",
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_keep_html_as_text() {
        assert_eq!(PersonName::parse("name", "  Ada ").unwrap().as_str(), "Ada");
        assert_eq!(
            PersonName::parse("name", "<b>Bob</b>").unwrap().as_str(),
            "<b>Bob</b>"
        );
        let e = PersonName::parse("name", "   ").unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert!(PersonName::parse("name", &"x".repeat(101)).is_err());
        assert!(PersonName::parse("name", "a\u{0}b").is_err());
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse("email", " Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "ada@",
            "@x.io",
            "ada@localhost",
            "a b@x.io",
            "a@x.io'; DROP TABLE users;--<",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(NewPassword::parse("password", "short").is_err());
        let p = NewPassword::parse("password", "long enough pw").unwrap();
        assert!(!format!("{p:?}").contains("long"));
    }
}
