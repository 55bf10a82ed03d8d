//! The one error type that crosses the wire, and its mapping to HTTP statuses and UI messages.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::Locale;

/// What went wrong, in words a user can act on. Never carries secrets or Meta's raw bodies.
#[derive(Error, Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// The inbox's stored access token does not open (sealed under a key this server lacks, or
    /// copied from another inbox): a 409 whose cure is entering the token again.
    #[error("The access token stored for this inbox cannot be used: it was sealed with a key this server does not have, or belongs to another inbox. Enter the access token again (edit the inbox).")]
    TokenUnusable,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Upstream(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Could not reach Greenlight: {0}")]
    Transport(String),
}

impl AppError {
    /// A validation error on one named field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with by the REST API.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) | AppError::TokenUnusable => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable(_) => 503,
            AppError::Upstream(_) => 502,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The message in the reader's language, for the UI. The texts the server wrote (validation,
    /// conflicts, Meta's refusals) already speak the request's language and are kept as they are;
    /// the fixed ones are translated here. `Display` stays English (logs, the REST API).
    pub fn message(&self, l: Locale) -> String {
        match self {
            AppError::Unauthorized => crate::tr!(l, errors.app.unauthorized),
            AppError::Forbidden => crate::tr!(l, errors.app.forbidden),
            AppError::NotFound => crate::tr!(l, errors.app.not_found),
            AppError::RateLimited { retry_after_secs } => crate::tr!(
                l,
                errors.app.rate_limited,
                retry_after_secs = retry_after_secs
            ),
            AppError::Internal => crate::tr!(l, errors.app.internal),
            AppError::TokenUnusable => crate::tr!(l, errors.inboxes.token_unusable),
            AppError::Transport(detail) => crate::tr!(l, errors.app.transport, detail = detail),
            AppError::Invalid { message, .. } => message.clone(),
            AppError::Conflict(m) | AppError::Unavailable(m) | AppError::Upstream(m) => m.clone(),
        }
    }

    /// The field a validation error belongs to, for showing the message next to it.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_the_rest_contract() {
        assert_eq!(AppError::Unauthorized.http_status(), 401);
        assert_eq!(AppError::invalid("email", "bad").http_status(), 422);
        assert_eq!(AppError::NotFound.http_status(), 404);
        assert_eq!(AppError::Upstream("Meta".into()).http_status(), 502);
    }

    #[test]
    fn field_errors_say_which_field() {
        let e = AppError::invalid("email", "Enter an e-mail address.");
        assert_eq!(e.field(), Some("email"));
        assert_eq!(e.to_string(), "Enter an e-mail address.");
    }

    #[test]
    fn fixed_messages_speak_the_readers_language_and_display_stays_english() {
        let all = [
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::RateLimited {
                retry_after_secs: 3,
            },
            AppError::Internal,
            AppError::Transport("net".into()),
            AppError::TokenUnusable,
        ];
        for e in &all {
            assert_eq!(e.message(Locale::en), e.to_string());
            assert_ne!(e.message(Locale::pt_BR), e.to_string(), "{e:?}");
            assert_ne!(e.message(Locale::es), e.to_string(), "{e:?}");
        }
        let rate = AppError::RateLimited {
            retry_after_secs: 3,
        };
        assert!(rate.message(Locale::es).contains('3'));
        let conflict = AppError::Conflict("Já existe.".into());
        assert_eq!(conflict.message(Locale::es), "Já existe.");
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    #[test]
    fn every_variant_survives_the_wire() {
        let all = [
            AppError::Unauthorized,
            AppError::invalid("email", "x"),
            AppError::Conflict("taken".into()),
            AppError::RateLimited {
                retry_after_secs: 3,
            },
            AppError::Unavailable("later".into()),
            AppError::Upstream("Meta".into()),
            AppError::Internal,
            AppError::Transport("net".into()),
        ];
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
        }
    }
}
