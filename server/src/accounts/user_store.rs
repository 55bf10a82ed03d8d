//! Queries on users.
use app::auth::{CurrentUser, Membership, Role};

use super::store::AccountStore;

/// A stored user with its password hash (never leaves the server).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

impl AccountStore {
    /// How many users exist.
    pub async fn count_users(&self) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.db)
            .await
    }

    /// Counts users inside a transaction after taking the write lock (SQLite: a no-op UPDATE takes
    /// the database's; PostgreSQL: a table lock that conflicts with itself and with inserts), so a
    /// concurrent count-then-insert waits for this one to commit and then sees its user.
    pub async fn count_for_update(&self, tx: &mut sqlx::AnyConnection) -> sqlx::Result<i64> {
        let lock = match crate::db::Backend::of_connection(tx) {
            crate::db::Backend::Sqlite => "UPDATE users SET id = id WHERE 0",
            crate::db::Backend::Postgres => "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE",
        };
        sqlx::query(lock).execute(&mut *tx).await?;
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await
    }

    /// Inserts a user; the e-mail must be new (unique index).
    pub async fn insert_user(
        &self,
        tx: &mut sqlx::AnyConnection,
        email: &str,
        name: &str,
        password_hash: &str,
        api_token_hash: &str,
        now: i64,
    ) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, api_token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(api_token_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
    }

    /// The user with this (lower-cased) e-mail.
    pub async fn user_by_email(&self, email: &str) -> sqlx::Result<Option<UserRow>> {
        sqlx::query_as(
            "SELECT id, email, name, password_hash FROM users WHERE email = $1 AND disabled_at IS NULL",
        )
            .bind(email)
            .fetch_optional(&self.db)
            .await
    }

    /// Replaces a user's password hash.
    pub async fn set_password_hash(&self, id: i64, password_hash: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    /// The id of the user whose API token hashes to `hash`.
    pub async fn id_by_token_hash(&self, hash: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM users WHERE api_token_hash = $1")
            .bind(hash)
            .fetch_optional(&self.db)
            .await
    }

    /// The user with their memberships, as a `CurrentUser`, and their session epoch; `None` for
    /// a missing or disabled user.
    pub async fn current_user(&self, user_id: i64) -> sqlx::Result<Option<(CurrentUser, i64)>> {
        let Some((id, name, email, epoch, locale, chosen)) =
            sqlx::query_as::<_, (i64, String, String, i64, String, i64)>(
                "SELECT id, name, email, session_epoch, locale, locale_chosen FROM users
             WHERE id = $1 AND disabled_at IS NULL",
            )
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT a.id, a.name, au.role FROM account_users au JOIN accounts a ON a.id = au.account_id
             WHERE au.user_id = $1 ORDER BY a.id",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        let accounts = rows
            .into_iter()
            .filter_map(|(account_id, account_name, role)| {
                Role::parse(&role).map(|role| Membership {
                    account_id,
                    account_name,
                    role,
                })
            })
            .collect();
        Ok(Some((
            CurrentUser {
                id,
                name,
                email,
                accounts,
                chosen_locale: (chosen != 0)
                    .then(|| app::team::Locale::parse(&locale))
                    .flatten(),
                // Set per request from the chosen one or the browser's.
                locale: Default::default(),
            },
            epoch,
        )))
    }

    /// Replaces the stored API token hash of the user with this (lower-cased) e-mail; `None` when
    /// no user has it.
    pub async fn set_api_token_hash_by_email(
        &self,
        email: &str,
        api_token_hash: &str,
    ) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("UPDATE users SET api_token_hash = $1 WHERE email = $2 RETURNING id")
            .bind(api_token_hash)
            .bind(email)
            .fetch_optional(&self.db)
            .await
    }

    /// A user's display name; `None` when the user was deleted.
    pub async fn user_name(&self, user_id: i64) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.db)
            .await
    }
}
