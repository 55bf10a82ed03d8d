//! Domain types that cannot hold invalid values: each parses user input once, with a message that
//! names the field, and is trusted everywhere after.
//! Messages speak `l`, the language of the request (English for the CLI and background work).
use app::error::AppError;
use app::i18n::Locale;
use app::tr;

fn clean(field: &str, label: &str, raw: &str, max: usize, l: Locale) -> Result<String, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::invalid(
            field,
            tr!(l, errors.field.required, label = label),
        ));
    }
    if s.chars().count() > max {
        return Err(AppError::invalid(
            field,
            tr!(l, errors.field.too_long, label = label, max = max),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            tr!(l, errors.field.control_characters, label = label),
        ));
    }
    Ok(s.to_string())
}

/// A person's display name: 1–100 characters, no control characters. HTML is kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, raw: &str, l: Locale) -> Result<Self, AppError> {
        clean(field, &tr!(l, errors.field.name), raw, 100, l).map(PersonName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account (company) name: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(field: &str, raw: &str, l: Locale) -> Result<Self, AppError> {
        clean(field, &tr!(l, errors.field.account_name), raw, 100, l).map(AccountName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, trimmed and lower-cased; roughly `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str, l: Locale) -> Result<Self, AppError> {
        let s = clean(field, &tr!(l, errors.field.email), raw, 254, l)?.to_lowercase();
        let bad = || AppError::invalid(field, tr!(l, errors.field.email_invalid));
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
    pub fn parse(field: &str, raw: &str, l: Locale) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(AppError::invalid(
                field,
                tr!(l, errors.field.password_too_short, min = Self::MIN),
            ));
        }
        if n > 1024 {
            return Err(AppError::invalid(
                field,
                tr!(l, errors.field.password_too_long),
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
        assert_eq!(
            PersonName::parse("name", "  Ada ", Locale::en)
                .unwrap()
                .as_str(),
            "Ada"
        );
        assert_eq!(
            PersonName::parse("name", "<b>Bob</b>", Locale::en)
                .unwrap()
                .as_str(),
            "<b>Bob</b>"
        );
        let e = PersonName::parse("name", "   ", Locale::en).unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert!(PersonName::parse("name", &"x".repeat(101), Locale::en).is_err());
        assert!(PersonName::parse("name", "a\u{0}b", Locale::en).is_err());
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse("email", " Ada@Example.COM ", Locale::en)
                .unwrap()
                .as_str(),
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
            assert!(Email::parse("email", bad, Locale::en).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_speak_the_requests_language() {
        let en = PersonName::parse("name", " ", Locale::en).unwrap_err();
        assert_eq!(en.to_string(), "Name is required.");
        let pt = PersonName::parse("name", " ", Locale::pt_BR).unwrap_err();
        assert_eq!(pt.to_string(), "O campo Nome é obrigatório.");
        let es = NewPassword::parse("password", "short", Locale::es).unwrap_err();
        assert_eq!(
            es.to_string(),
            "La contraseña debe tener al menos 10 caracteres."
        );
        assert_eq!(es.field(), Some("password"));
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(NewPassword::parse("password", "short", Locale::en).is_err());
        let p = NewPassword::parse("password", "long enough pw", Locale::en).unwrap();
        assert!(!format!("{p:?}").contains("long"));
    }
}
