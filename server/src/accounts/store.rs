//! Queries on accounts and memberships.
use app::auth::Role;

use crate::db::Db;

/// All SQL on accounts, memberships and users (the users half is in `user_store.rs`). Cheap to
/// clone: the pool is a handle.
#[derive(Clone)]
pub struct AccountStore {
    pub(super) db: Db,
}

impl AccountStore {
    /// The store over an open database.
    pub fn new(db: Db) -> Self {
        AccountStore { db }
    }

    /// Starts a transaction for writes that must land together (a user and their account).
    pub async fn begin(&self) -> sqlx::Result<crate::db::Tx> {
        self.db.begin().await
    }
}

/// A member row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
}

impl AccountStore {
    /// Finds the account with exactly this name, or creates it.
    pub async fn find_or_create(
        &self,
        tx: &mut sqlx::AnyConnection,
        name: &str,
        now: i64,
    ) -> sqlx::Result<i64> {
        if let Some(id) = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM accounts WHERE name = $1 ORDER BY id LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?
        {
            return Ok(id);
        }
        sqlx::query_scalar("INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
    }

    /// Adds (or changes) a user's role in an account.
    pub async fn set_membership(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
        user_id: i64,
        role: Role,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO account_users (account_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(account_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// An account's name.
    pub async fn account_name(&self, account_id: i64) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&self.db)
            .await
    }

    /// Members of an account, administrators first.
    pub async fn account_members(&self, account_id: i64) -> sqlx::Result<Vec<MemberRow>> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.name, u.email, au.role FROM account_users au
             JOIN users u ON u.id = au.user_id WHERE au.account_id = $1
             ORDER BY au.role = 'agent', u.name",
        )
        .bind(account_id)
        .fetch_all(&self.db)
        .await
    }
}
