//! Queries on accounts and memberships.
use app::auth::Role;

use crate::db::Db;

/// Finds the account with exactly this name, or creates it.
pub async fn find_or_create(
    tx: &mut sqlx::SqliteConnection,
    name: &str,
    now: i64,
) -> sqlx::Result<i64> {
    if let Some(id) =
        sqlx::query_scalar::<_, i64>("SELECT id FROM accounts WHERE name = $1 ORDER BY id LIMIT 1")
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
    tx: &mut sqlx::SqliteConnection,
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
pub async fn name(db: &Db, account_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// A member row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// Members of an account, administrators first.
pub async fn members(db: &Db, account_id: i64) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, au.role FROM account_users au
         JOIN users u ON u.id = au.user_id WHERE au.account_id = $1
         ORDER BY au.role = 'agent', u.name",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}
