//! The registration engine: decision, ledger, PIN, lease, retrier.
//!
//! [`decision`] is the single place where Greenlight decides what to do with a number (DESIGN.md, "Registration:
//! decision and states"), with the rules around it in [`rules`] (pure too, re-exported by [`decision`]);
//! everything else gathers their inputs or carries out their answers. [`engine`] is the one path every door
//! (button, REST, retrier, webhooks) takes to call Meta: lease → one read → decision → PIN → ledger → call →
//! record → confirm (read again).

pub mod decision;
pub mod engine;
pub mod retrier;
pub mod rules;
pub mod store;

pub use store::{lease, ledger, pin};

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
        let account_id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (name, created_at) VALUES ($1, 0) RETURNING id",
        )
        .bind(format!("Account {phone_number_id}"))
        .fetch_one(db)
        .await
        .unwrap();
        let id = inboxes::insert(
            db,
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
        inboxes::get_unscoped(db, id).await.unwrap().unwrap()
    }
}
