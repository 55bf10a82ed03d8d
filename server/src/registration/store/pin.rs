//! The two-step verification PIN sent with `POST /{phone}/register`.
//!
//! - Six digits drawn from the operating system's CSPRNG, generated **once** per phone number (not per
//!   inbox): Meta keeps one PIN per number, so every inbox of that number — in any account, and after an
//!   inbox is deleted and the number added again — sends the same PIN.
//! - Stored sealed (AEAD, bound to the number: a sealed PIN copied to another number's row does not open)
//!   **before** the first call, with a write that only succeeds while no PIN is stored,
//!   so two racing attempts end up with the same PIN and an ambiguous failure (a timeout after Meta applied
//!   it) never leads to a different PIN next time (Meta's 133005).
//! - Reused for every later attempt. Never logged, never shown: [`Pin`]'s `Debug` is redacted and it has no
//!   `Display`.
use rand::rngs::OsRng;
use rand::Rng;

use app::error::AppError;
use app::i18n::Locale;

use crate::crypto::{SecretBox, NUMBER_PIN};
use crate::db::Db;
use crate::error::ServiceResult;

/// A `security` event this soon after Greenlight stored (or confirmed) the number's PIN is taken
/// for Meta's report of that very change, not for a change made elsewhere.
pub const OWN_CHANGE_SLACK_SECS: i64 = 120;

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

/// Every SQL statement on `number_pins`, the sealed two-step PINs.
#[derive(Clone)]
pub struct PinStore {
    db: Db,
}

impl PinStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        PinStore { db }
    }

    /// The PIN of this phone number: the stored one, or a new one stored (sealed) now. When another attempt
    /// stored a PIN first, that one wins and is returned, so every caller ends up with the same PIN.
    ///
    /// A stored PIN that does not open (another key sealed it, or it was copied from another number) is
    /// an error in words, and is never replaced: a different PIN would make Meta refuse the number
    /// (133005) if the stored one was applied.
    pub async fn ensure(
        &self,
        secrets: &SecretBox,
        phone_number_id: &str,
        l: Locale,
    ) -> ServiceResult<Pin> {
        // The number id is the row's primary key, known before the insert: sealed bound from the start.
        let binding = NUMBER_PIN.at(phone_number_id);
        let sealed = match self.stored(phone_number_id).await? {
            Some(sealed) => sealed,
            None => {
                let fresh = secrets.seal_bound(Pin::generate().expose_secret(), binding);
                self.store_once(phone_number_id, &fresh, chrono::Utc::now().timestamp())
                    .await?
            }
        };
        let plain = secrets.open_bound(&sealed, binding).map_err(|e| {
            tracing::warn!(phone_number_id, error = %e, "the stored PIN does not open");
            AppError::Conflict(unusable_pin(phone_number_id, l))
        })?;
        Pin::parse(&plain).ok_or_else(|| {
            crate::error::ServiceError::Internal(format!(
                "the stored PIN of number {phone_number_id} is not six digits"
            ))
        })
    }

    /// The sealed PIN stored for the number, if any (still sealed: for checks, never for display).
    pub async fn stored(&self, phone_number_id: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT pin_sealed FROM number_pins WHERE phone_number_id = $1")
            .bind(phone_number_id)
            .fetch_optional(&self.db)
            .await
    }

    /// Stores the sealed PIN only if the number has none yet; returns the PIN stored after the call
    /// (the first writer's when two race).
    async fn store_once(
        &self,
        phone_number_id: &str,
        sealed: &str,
        now: i64,
    ) -> sqlx::Result<String> {
        sqlx::query(
            "INSERT INTO number_pins (phone_number_id, pin_sealed, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (phone_number_id) DO NOTHING",
        )
        .bind(phone_number_id)
        .bind(sealed)
        .bind(now)
        .execute(&self.db)
        .await?;
        sqlx::query_scalar("SELECT pin_sealed FROM number_pins WHERE phone_number_id = $1")
            .bind(phone_number_id)
            .fetch_one(&self.db)
            .await
    }
}

/// What Greenlight knows of the number's PIN, for the health answer (never the PIN itself).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PinState {
    /// Greenlight holds the PIN it last set or registered with, and nothing says it changed.
    Stored,
    /// Meta's `security` webhook said the PIN changed outside Greenlight, or a new PIN was sent and
    /// Meta's answer was lost: the next registration may fail with 133005 until a PIN is set again.
    PossiblyStale,
    /// Greenlight holds no PIN for the number yet (it makes one at the first registration).
    Missing,
}

impl PinState {
    /// The stable name (`stored`, `possibly_stale`, `missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            PinState::Stored => "stored",
            PinState::PossiblyStale => "possibly_stale",
            PinState::Missing => "missing",
        }
    }
}

/// The PIN as the health answer and the fixes show it: `{"state": "stored"}`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct PinStatus {
    pub state: PinState,
}

/// A new PIN on its way to Meta: sealed and stored before the call.
#[derive(Debug)]
pub struct PendingPin {
    pub pin: Pin,
    /// The sealed form stored, so that only this pending PIN is confirmed or dropped.
    sealed: String,
}

/// The row's PIN columns.
#[derive(sqlx::FromRow)]
struct PinRow {
    pending_pin_sealed: Option<String>,
    pending_since: Option<i64>,
    stale_since: Option<i64>,
}

impl PinStore {
    /// What Greenlight knows of the number's PIN.
    pub async fn state(&self, phone_number_id: &str) -> sqlx::Result<PinState> {
        let row: Option<PinRow> = sqlx::query_as(
            "SELECT pending_pin_sealed, pending_since, stale_since FROM number_pins WHERE phone_number_id = $1",
        )
        .bind(phone_number_id)
        .fetch_optional(&self.db)
        .await?;
        Ok(match row {
            None => PinState::Missing,
            Some(r)
                if r.stale_since.is_some()
                    || r.pending_pin_sealed.is_some()
                    || r.pending_since.is_some() =>
            {
                PinState::PossiblyStale
            }
            Some(_) => PinState::Stored,
        })
    }

    /// The PIN to send in a **Set the PIN** call, stored sealed before the call: the pending one when an
    /// earlier call's answer was lost (sending it again makes Meta's PIN and Greenlight's agree whichever
    /// way the lost call went), else a new one. The current PIN stays until [`confirm_pending`]. A
    /// number without a PIN gets a row whose current PIN is the new one too (there is no old one to keep).
    ///
    /// [`confirm_pending`]: Self::confirm_pending
    pub async fn pending_or_new(
        &self,
        secrets: &SecretBox,
        phone_number_id: &str,
        l: Locale,
    ) -> ServiceResult<PendingPin> {
        let binding = NUMBER_PIN.at(phone_number_id);
        let now = chrono::Utc::now().timestamp();
        let fresh = secrets.seal_bound(Pin::generate().expose_secret(), binding);
        sqlx::query(
            "INSERT INTO number_pins (phone_number_id, pin_sealed, created_at, pending_pin_sealed, pending_since)
             VALUES ($1, $2, $3, $2, $3) ON CONFLICT (phone_number_id) DO NOTHING",
        )
        .bind(phone_number_id)
        .bind(&fresh)
        .bind(now)
        .execute(&self.db)
        .await?;
        // Only while none is pending: a pending PIN may be Meta's already.
        sqlx::query(
            "UPDATE number_pins SET pending_pin_sealed = $2, pending_since = $3
             WHERE phone_number_id = $1 AND pending_pin_sealed IS NULL",
        )
        .bind(phone_number_id)
        .bind(&fresh)
        .bind(now)
        .execute(&self.db)
        .await?;
        let sealed: String = sqlx::query_scalar(
            "SELECT pending_pin_sealed FROM number_pins WHERE phone_number_id = $1",
        )
        .bind(phone_number_id)
        .fetch_one(&self.db)
        .await?;
        let plain = secrets.open_bound(&sealed, binding).map_err(|e| {
            tracing::warn!(phone_number_id, error = %e, "the pending PIN does not open");
            AppError::Conflict(unusable_pin(phone_number_id, l))
        })?;
        let pin = Pin::parse(&plain).ok_or_else(|| {
            crate::error::ServiceError::Internal(format!(
                "the pending PIN of number {phone_number_id} is not six digits"
            ))
        })?;
        Ok(PendingPin { pin, sealed })
    }

    /// Meta confirmed the pending PIN: it becomes the number's PIN, and the PIN is no longer stale.
    pub async fn confirm_pending(
        &self,
        phone_number_id: &str,
        pending: &PendingPin,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE number_pins SET pin_sealed = pending_pin_sealed, pending_pin_sealed = NULL,
               pending_since = NULL, stale_since = NULL, stale_event = NULL, created_at = $3
             WHERE phone_number_id = $1 AND pending_pin_sealed = $2",
        )
        .bind(phone_number_id)
        .bind(&pending.sealed)
        .bind(chrono::Utc::now().timestamp())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Meta refused the pending PIN (it was not applied): the old PIN stays; a row made for this PIN
    /// alone (the number had none) goes.
    pub async fn drop_pending(
        &self,
        phone_number_id: &str,
        pending: &PendingPin,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "DELETE FROM number_pins WHERE phone_number_id = $1 AND pending_pin_sealed = $2
               AND pin_sealed = pending_pin_sealed",
        )
        .bind(phone_number_id)
        .bind(&pending.sealed)
        .execute(&self.db)
        .await?;
        sqlx::query(
            "UPDATE number_pins SET pending_pin_sealed = NULL, pending_since = NULL
             WHERE phone_number_id = $1 AND pending_pin_sealed = $2",
        )
        .bind(phone_number_id)
        .bind(&pending.sealed)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Meta's `security` webhook said the number's PIN changed (or a reset was asked for) outside
    /// Greenlight, at `event_time`. Answers when the stretch began when this call began it (the PIN
    /// was not stale yet), `None` when it was stale already, Greenlight holds no PIN, or the event
    /// is Greenlight's own PIN change (Meta reports those too: an event up to
    /// [`OWN_CHANGE_SLACK_SECS`] after the stored PIN was set). One alert per stretch.
    pub async fn mark_stale(
        &self,
        phone_number_id: &str,
        event: &str,
        event_time: i64,
        now: i64,
    ) -> sqlx::Result<Option<i64>> {
        let done = sqlx::query(
            "UPDATE number_pins SET stale_since = $3, stale_event = $2
             WHERE phone_number_id = $1 AND stale_since IS NULL AND created_at < $4",
        )
        .bind(phone_number_id)
        .bind(event)
        .bind(now)
        .bind(event_time - OWN_CHANGE_SLACK_SECS)
        .execute(&self.db)
        .await?;
        Ok((done.rows_affected() == 1).then_some(now))
    }
}

/// What the user is told (in `l`) when the number's stored PIN does not open.
fn unusable_pin(phone_number_id: &str, l: Locale) -> String {
    app::tr!(
        l,
        errors.registration.pin_unusable,
        number = phone_number_id
    )
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
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let number = "1065403522429001";
        // Two racers both find no PIN.
        let (a, b) = tokio::join!(
            store.ensure(&secrets, number, Locale::en),
            store.ensure(&secrets, number, Locale::en)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b);
        let sealed = PinStore::new(db.clone())
            .stored(number)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !sealed.contains(a.expose_secret()),
            "stored sealed, not in the clear"
        );
        assert_eq!(
            secrets.open_bound(&sealed, NUMBER_PIN.at(number)).unwrap(),
            a.expose_secret()
        );
        // Later attempts reuse it.
        assert_eq!(
            PinStore::new(db.clone())
                .ensure(&secrets, number, Locale::en)
                .await
                .unwrap(),
            a
        );
    }

    #[tokio::test]
    async fn the_pin_belongs_to_the_number_not_the_inbox() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let first = test_db::inbox(&db, "1065403522429002").await;
        let pin = store
            .ensure(&secrets, &first.phone_number_id, Locale::en)
            .await
            .unwrap();
        // The inbox goes; the number comes back in another account: same PIN.
        sqlx::query("DELETE FROM inboxes WHERE id = $1")
            .bind(first.id)
            .execute(&db)
            .await
            .unwrap();
        let again = test_db::inbox(&db, "1065403522429002").await;
        assert_ne!(again.account_id, first.account_id);
        assert_eq!(
            PinStore::new(db.clone())
                .ensure(&secrets, &again.phone_number_id, Locale::en)
                .await
                .unwrap(),
            pin
        );
        // Another number gets its own.
        let other = store
            .ensure(&secrets, "1065403522429003", Locale::en)
            .await
            .unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM number_pins")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(count, 2, "{other:?}");
    }

    #[tokio::test]
    async fn a_pin_copied_to_another_number_does_not_open_and_is_not_replaced() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let (first, second) = ("1065403522429004", "1065403522429005");
        store.ensure(&secrets, first, Locale::en).await.unwrap();
        let sealed = PinStore::new(db.clone())
            .stored(first)
            .await
            .unwrap()
            .unwrap();
        store.store_once(second, &sealed, 0).await.unwrap();

        let err = store
            .ensure(&secrets, second, Locale::en)
            .await
            .unwrap_err();
        let crate::error::ServiceError::App(AppError::Conflict(message)) = &err else {
            panic!("a clear answer, not an internal error: {err:?}");
        };
        assert!(message.contains(second), "{message}");
        assert!(message.contains("PIN"), "{message}");
        assert_eq!(
            PinStore::new(db.clone())
                .stored(second)
                .await
                .unwrap()
                .as_deref(),
            Some(sealed.as_str()),
            "never replaced by a new PIN"
        );
    }

    #[tokio::test]
    async fn a_pin_stored_before_binding_still_opens() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let number = "1065403522429006";
        store
            .store_once(number, &secrets.seal_legacy("024680"), 0)
            .await
            .unwrap();
        assert_eq!(
            PinStore::new(db.clone())
                .ensure(&secrets, number, Locale::en)
                .await
                .unwrap(),
            Pin::parse("024680").unwrap()
        );
    }

    #[tokio::test]
    async fn a_new_pin_is_pending_until_confirmed_and_a_lost_answer_resends_the_same_one() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let number = "1065403522429007";
        assert_eq!(store.state(number).await.unwrap(), PinState::Missing);
        let old = store.ensure(&secrets, number, Locale::en).await.unwrap();
        assert_eq!(store.state(number).await.unwrap(), PinState::Stored);

        let first = store
            .pending_or_new(&secrets, number, Locale::en)
            .await
            .unwrap();
        assert_ne!(first.pin, old);
        assert_eq!(
            store.ensure(&secrets, number, Locale::en).await.unwrap(),
            old,
            "the old PIN stays in use"
        );
        assert_eq!(store.state(number).await.unwrap(), PinState::PossiblyStale);
        // The answer was lost: the next try sends the same pending PIN.
        let again = store
            .pending_or_new(&secrets, number, Locale::en)
            .await
            .unwrap();
        assert_eq!(again.pin, first.pin);
        store.confirm_pending(number, &again).await.unwrap();
        assert_eq!(
            store.ensure(&secrets, number, Locale::en).await.unwrap(),
            first.pin
        );
        assert_eq!(store.state(number).await.unwrap(), PinState::Stored);

        // Refused: the confirmed PIN stays, and the next try makes another.
        let refused = store
            .pending_or_new(&secrets, number, Locale::en)
            .await
            .unwrap();
        store.drop_pending(number, &refused).await.unwrap();
        assert_eq!(
            store.ensure(&secrets, number, Locale::en).await.unwrap(),
            first.pin
        );
        assert_eq!(store.state(number).await.unwrap(), PinState::Stored);
    }

    #[tokio::test]
    async fn a_refused_first_pin_leaves_no_pin_behind() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let number = "1065403522429008";
        let pending = store
            .pending_or_new(&secrets, number, Locale::en)
            .await
            .unwrap();
        assert_eq!(store.state(number).await.unwrap(), PinState::PossiblyStale);
        store.drop_pending(number, &pending).await.unwrap();
        assert_eq!(store.state(number).await.unwrap(), PinState::Missing);
    }

    #[tokio::test]
    async fn a_security_event_starts_one_stretch_and_our_own_change_is_not_one() {
        let (_dir, db) = test_db::open().await;
        let store = PinStore::new(db.clone());
        let secrets = SecretBox::from_key([7; 32]);
        let number = "1065403522429009";
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            store
                .mark_stale(number, "PIN_CHANGED", now + 1000, now)
                .await
                .unwrap(),
            None,
            "no PIN held"
        );
        store.ensure(&secrets, number, Locale::en).await.unwrap();
        // Meta's report of the PIN Greenlight just set.
        assert_eq!(
            store
                .mark_stale(number, "PIN_CHANGED", now, now)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .mark_stale(number, "PIN_CHANGED", now + 1000, now)
                .await
                .unwrap(),
            Some(now)
        );
        assert_eq!(
            store
                .mark_stale(number, "PIN_RESET_REQUEST", now + 1001, now + 5)
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.state(number).await.unwrap(), PinState::PossiblyStale);
        let pending = store
            .pending_or_new(&secrets, number, Locale::en)
            .await
            .unwrap();
        store.confirm_pending(number, &pending).await.unwrap();
        assert_eq!(store.state(number).await.unwrap(), PinState::Stored);
    }
}
