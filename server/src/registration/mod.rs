//! The registration engine: decision, ledger, PIN, lease, retrier.
//!
//! [`decision`] is the single place where Greenlight decides what to do with a number (DESIGN.md, "Registration:
//! decision and states"), with the rules around it in [`rules`] (pure too, re-exported by [`decision`]);
//! everything else gathers their inputs or carries out their answers. [`engine`] is the one path every door
//! (button, REST, retrier, webhooks) takes to call Meta: lease → one read → decision → PIN → ledger → call →
//! record → confirm (read again).

pub mod decision;
pub mod engine;
pub mod fixes;
pub mod retrier;
pub mod rules;
pub mod store;

pub use store::{lease, ledger, pin, verification};

pub use engine::{AttemptResult, MetaError, RegistrationOutcome};

/// A temporary, migrated SQLite database with inboxes, for the unit tests of this module.
#[cfg(test)]
pub(crate) mod test_db {
    use crate::db::Db;
    use crate::inboxes::store::{self as inboxes, InboxRow, NewInboxRow};

    /// Opens a fresh database in a temporary directory (keep the directory alive while using it).
    pub async fn open() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&format!("sqlite://{}/test.db", dir.path().display()))
            .await
            .unwrap();
        (dir, db)
    }

    /// A WhatsApp Cloud inbox for `phone_number_id` in a test account.
    pub async fn inbox(db: &Db, phone_number_id: &str) -> InboxRow {
        // A new account every time, as when the number comes back in another account.
        static ACCOUNTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = ACCOUNTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let accounts = crate::accounts::store::AccountStore::new(db.clone());
        let mut conn = db.acquire().await.unwrap();
        let account_id = accounts
            .find_or_create(&mut conn, &format!("Account {phone_number_id} #{n}"), 0)
            .await
            .unwrap();
        drop(conn);
        let store = inboxes::InboxStore::new(db.clone());
        let id = store
            .insert(
                NewInboxRow {
                    account_id,
                    name: "Test",
                    phone_number: "+15550000000",
                    phone_number_id,
                    business_account_id: "102290129340398",
                    webhook_verify_token: "verify",
                },
                0,
                |_| "sealed".to_string(),
            )
            .await
            .unwrap();
        store.get_unscoped(id).await.unwrap().unwrap()
    }
}
