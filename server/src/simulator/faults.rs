//! Faults a test can inject that behave like Meta's own failures: answers lost after Meta applied
//! a write, and every error Meta documents for `POST /{pn}/register`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{self, ErrorBuilder, GraphError};

/// How the answer to a write that Meta *did* apply gets lost on the way back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostAnswer {
    /// The client receives this 5xx (Meta's generic code 2 body) instead of the success.
    ServerError(u16),
    /// The answer is held back for the slow delay ([`super::Simulator::set_slow_delay`]), so the
    /// client gives up with a timeout first.
    Timeout,
}

/// A refusal `POST /{pn}/register` answers instead of succeeding, as Meta documents it. Every
/// refused call still counts against the register budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterRefusal {
    /// 133004, HTTP 503: server temporarily unavailable.
    ServerUnavailable,
    /// 133005: the number has another two-step verification PIN.
    PinMismatch,
    /// 133006: the number must be verified again.
    ReverificationNeeded,
    /// 133008: too many PIN guesses; `details` says when to try again.
    TooManyPinGuesses,
    /// 133009: PIN guessed too fast; `details` says when to try again.
    PinGuessedTooFast,
    /// 133015: the number was deleted recently; wait a few minutes.
    RecentlyDeleted,
    /// 133016: the register budget is spent.
    RateLimited,
    /// 131031, HTTP 403: the account is locked.
    AccountLocked,
    /// 133000, HTTP 500: a previous deregistration did not finish.
    IncompleteDeregistration,
    /// 131000, HTTP 500: something went wrong.
    SomethingWentWrong,
    /// 100/2388001 with the "display name could not be processed" text: what Meta answers while
    /// the name is in review and after it was declined (the docs give no separate code).
    NameNotReady,
    /// 100/2388001 with the "registered to an existing WhatsApp account" text.
    AttachedToApp,
}

impl RegisterRefusal {
    /// Every refusal, for table-driven tests.
    pub const ALL: [RegisterRefusal; 12] = [
        RegisterRefusal::ServerUnavailable,
        RegisterRefusal::PinMismatch,
        RegisterRefusal::ReverificationNeeded,
        RegisterRefusal::TooManyPinGuesses,
        RegisterRefusal::PinGuessedTooFast,
        RegisterRefusal::RecentlyDeleted,
        RegisterRefusal::RateLimited,
        RegisterRefusal::AccountLocked,
        RegisterRefusal::IncompleteDeregistration,
        RegisterRefusal::SomethingWentWrong,
        RegisterRefusal::NameNotReady,
        RegisterRefusal::AttachedToApp,
    ];

    /// Meta's `error.code`.
    pub fn code(self) -> i64 {
        match self {
            RegisterRefusal::ServerUnavailable => 133004,
            RegisterRefusal::PinMismatch => 133005,
            RegisterRefusal::ReverificationNeeded => 133006,
            RegisterRefusal::TooManyPinGuesses => 133008,
            RegisterRefusal::PinGuessedTooFast => 133009,
            RegisterRefusal::RecentlyDeleted => 133015,
            RegisterRefusal::RateLimited => 133016,
            RegisterRefusal::AccountLocked => 131031,
            RegisterRefusal::IncompleteDeregistration => 133000,
            RegisterRefusal::SomethingWentWrong => 131000,
            RegisterRefusal::NameNotReady | RegisterRefusal::AttachedToApp => 100,
        }
    }

    /// The error envelope, with `retry_at` in the `details` of the PIN-guess throttles.
    pub(crate) fn error(self, retry_at: DateTime<Utc>) -> GraphError {
        let retry = retry_at.format("%Y-%m-%d %H:%M:%S UTC");
        match self {
            RegisterRefusal::ServerUnavailable => errors::whatsapp(
                133004,
                "Server Temporarily Unavailable",
                "Server temporarily unavailable. Please try again later.",
            ),
            RegisterRefusal::PinMismatch => errors::pin_mismatch(),
            RegisterRefusal::ReverificationNeeded => errors::reverification_needed(),
            RegisterRefusal::TooManyPinGuesses => errors::whatsapp(
                133008,
                "Too Many two step verification PIN Guesses",
                &format!(
                    "Too many two-step verification PIN guesses for this phone number. Try again after {retry}."
                ),
            ),
            RegisterRefusal::PinGuessedTooFast => errors::whatsapp(
                133009,
                "Two step verification PIN Guessed Too Fast",
                &format!(
                    "Two-step verification PIN was entered too quickly. Try again after {retry}."
                ),
            ),
            RegisterRefusal::RecentlyDeleted => errors::whatsapp(
                133015,
                "Please wait a few minutes before attempting to register this phone number",
                "The phone number you are attempting to register was recently deleted, and deletion has \
                 not yet completed. Wait 5 minutes before re-trying the request.",
            ),
            RegisterRefusal::RateLimited => errors::register_rate_limited(),
            RegisterRefusal::AccountLocked => errors::whatsapp(
                131031,
                "Account has been locked",
                "The WhatsApp Business Account associated with the app has been restricted or disabled \
                 for violating a platform policy.",
            ),
            RegisterRefusal::IncompleteDeregistration => errors::whatsapp(
                133000,
                "Incomplete Deregistration",
                "A previous deregistration attempt failed. Deregister the number again before registering.",
            ),
            RegisterRefusal::SomethingWentWrong => errors::whatsapp(
                131000,
                "Something went wrong",
                "Message failed to send due to an unknown error.",
            ),
            RegisterRefusal::NameNotReady => errors::cannot_create_certificate(),
            RegisterRefusal::AttachedToApp => {
                ErrorBuilder::new(400, "Invalid parameter", "OAuthException", 100)
                    .subcode(2388001)
                    .transient(false)
                    .user(
                        "Cannot Create Certificate",
                        "This number is registered to an existing WhatsApp account. To use this number, \
                         disconnect it from the existing account.",
                    )
                    .build()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_carries_its_documented_code_and_status() {
        let now = Utc::now();
        for r in RegisterRefusal::ALL {
            let e = r.error(now);
            assert_eq!(e.body["error"]["code"], r.code(), "{r:?}");
            assert_eq!(e.status, errors::http_status_for(r.code()), "{r:?}");
        }
        assert_eq!(RegisterRefusal::ServerUnavailable.error(now).status, 503);
        assert_eq!(RegisterRefusal::AccountLocked.error(now).status, 403);
    }
}
