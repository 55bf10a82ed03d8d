//! The two-step verification PIN sent with `POST /{phone}/register`.
//!
//! - Six digits drawn from the operating system's CSPRNG, generated **once** per number.
//! - Stored sealed (AEAD) **before** the first call, with a write that only succeeds while no PIN is stored,
//!   so two racing attempts end up with the same PIN and an ambiguous failure (a timeout after Meta applied
//!   it) never leads to a different PIN next time (Meta's 133005).
//! - Reused for every later attempt. Never logged, never shown: [`Pin`]'s `Debug` is redacted and it has no
//!   `Display`.
use rand::rngs::OsRng;
use rand::Rng;

use crate::crypto::SecretBox;
use crate::db::inboxes::{self, InboxRow};
use crate::db::Db;
use crate::error::ServiceResult;

/// Number of digits Meta expects.
pub const PIN_DIGITS: usize = 6;

/// A two-step verification PIN. Prints as `Pin([redacted])`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

impl Pin {
    /// A fresh PIN: six uniformly random digits (leading zeros included) from [`OsRng`].
    pub fn generate() -> Pin {
        let n: u32 = OsRng.gen_range(0..1_000_000);
        Pin(format!("{n:06}"))
    }

    /// Accepts exactly six ASCII digits.
    pub fn parse(s: &str) -> Option<Pin> {
        (s.len() == PIN_DIGITS && s.bytes().all(|b| b.is_ascii_digit())).then(|| Pin(s.to_owned()))
    }

    /// The digits, for the register call only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

/// The PIN of this number: the stored one, or a new one stored (sealed) now. When another attempt stored a
/// PIN first, that one wins and is returned, so every caller ends up with the same PIN.
pub async fn ensure(db: &Db, secrets: &SecretBox, row: &InboxRow) -> ServiceResult<Pin> {
    let sealed = match &row.pin_sealed {
        Some(sealed) => sealed.clone(),
        None => {
            inboxes::store_pin_once(db, row.id, &secrets.seal(Pin::generate().expose_secret()))
                .await?
        }
    };
    let plain = secrets.open(&sealed)?;
    Pin::parse(&plain).ok_or_else(|| {
        crate::error::ServiceError::Internal(format!(
            "the stored PIN of inbox {} is not six digits",
            row.id
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::test_db;

    #[test]
    fn pins_are_six_digits_and_vary() {
        let pins: Vec<Pin> = (0..200).map(|_| Pin::generate()).collect();
        for pin in &pins {
            let s = pin.expose_secret();
            assert_eq!(s.len(), 6, "{s}");
            assert!(s.bytes().all(|b| b.is_ascii_digit()), "{s}");
        }
        let distinct: std::collections::HashSet<&str> =
            pins.iter().map(Pin::expose_secret).collect();
        assert!(
            distinct.len() > 190,
            "200 draws from a million should hardly collide"
        );
        assert_eq!(format!("{:?}", pins[0]), "Pin([redacted])");
        assert!(Pin::parse("012345").is_some());
        assert!(
            Pin::parse("12345").is_none()
                && Pin::parse("1234567").is_none()
                && Pin::parse("12a456").is_none()
        );
    }

    #[tokio::test]
    async fn the_first_stored_pin_wins_and_is_stored_sealed() {
        let (_dir, db) = test_db::open().await;
        let secrets = SecretBox::from_key([7; 32]);
        let row = test_db::inbox(&db, "1065403522429001").await;
        assert!(row.pin_sealed.is_none());
        // Two racers both saw no PIN on their copy of the row.
        let (a, b) = tokio::join!(ensure(&db, &secrets, &row), ensure(&db, &secrets, &row));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b);
        let stored = inboxes::get_unscoped(&db, row.id)
            .await
            .unwrap()
            .unwrap()
            .pin_sealed
            .unwrap();
        assert!(
            !stored.contains(a.expose_secret()),
            "stored sealed, not in the clear"
        );
        assert_eq!(secrets.open(&stored).unwrap(), a.expose_secret());
        // Later attempts reuse it.
        let fresh = inboxes::get_unscoped(&db, row.id).await.unwrap().unwrap();
        assert_eq!(ensure(&db, &secrets, &fresh).await.unwrap(), a);
        assert_eq!(
            ensure(&db, &secrets, &row).await.unwrap(),
            a,
            "even with a stale row"
        );
    }
}
