//! Queries for the team: roles, removal, disabling, session epochs, profiles and one-time links.
use app::auth::Role;

use super::store::AccountStore;

/// A member of an account with their status (the team page).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub disabled_at: Option<i64>,
}

/// A user as the operator's `users list` shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserListRow {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    pub role: Option<String>,
    pub disabled_at: Option<i64>,
}

/// A one-time link as stored (its token only as a digest).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub kind: String,
    pub account_id: Option<i64>,
    pub user_id: Option<i64>,
    pub email: String,
    pub role: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// What a new one-time link is made of.
#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    pub kind: &'a str,
    pub account_id: Option<i64>,
    pub user_id: Option<i64>,
    pub email: &'a str,
    pub role: Option<Role>,
    pub token_hash: &'a str,
    pub invited_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

const LINK_COLUMNS: &str = "id, kind, account_id, user_id, email, role, expires_at, used_at";

impl AccountStore {
    /// Serializes every membership change of the account until the transaction ends (SQLite: a
    /// no-op UPDATE takes the database's write lock; PostgreSQL: the account row's lock), so the
    /// "last administrator" count and the change it allows cannot interleave with another one.
    pub async fn lock_account(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
    ) -> sqlx::Result<bool> {
        let sql = match crate::db::Backend::of_connection(tx) {
            crate::db::Backend::Sqlite => "UPDATE accounts SET id = id WHERE id = $1 RETURNING id",
            crate::db::Backend::Postgres => "SELECT id FROM accounts WHERE id = $1 FOR UPDATE",
        };
        Ok(sqlx::query_scalar::<_, i64>(sql)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some())
    }

    /// The user's role in the account, if they are a member.
    pub async fn member_role(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
        user_id: i64,
    ) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT role FROM account_users WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
    }

    /// Administrators of the account who can still sign in, other than `except`.
    pub async fn other_active_admins(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
        except: i64,
    ) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM account_users au JOIN users u ON u.id = au.user_id
             WHERE au.account_id = $1 AND au.role = 'administrator' AND au.user_id <> $2
               AND u.disabled_at IS NULL",
        )
        .bind(account_id)
        .bind(except)
        .fetch_one(&mut *tx)
        .await
    }

    /// The accounts the user administers.
    pub async fn admin_accounts_of(
        &self,
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
    ) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT account_id FROM account_users WHERE user_id = $1 AND role = 'administrator'
             ORDER BY account_id",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await
    }

    /// Changes a member's role.
    pub async fn update_role(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
        user_id: i64,
        role: Role,
    ) -> sqlx::Result<()> {
        sqlx::query("UPDATE account_users SET role = $1 WHERE account_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(account_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map(|_| ())
    }

    /// Removes a membership; answers how many memberships the user has left.
    pub async fn delete_membership(
        &self,
        tx: &mut sqlx::AnyConnection,
        account_id: i64,
        user_id: i64,
    ) -> sqlx::Result<i64> {
        sqlx::query("DELETE FROM account_users WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query_scalar("SELECT COUNT(*) FROM account_users WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await
    }

    /// Deletes a user (memberships and their own rows go with them).
    pub async fn delete_user(
        &self,
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
    ) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map(|_| ())
    }

    /// Ends every session of the user (see `session_epoch`) and replaces their API token digest
    /// with `api_token_hash` when given.
    pub async fn end_sessions(
        &self,
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
        api_token_hash: Option<&str>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE users SET session_epoch = session_epoch + 1,
                    api_token_hash = COALESCE($1, api_token_hash) WHERE id = $2",
        )
        .bind(api_token_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map(|_| ())
    }

    /// Marks the user disabled (they can no longer sign in) and ends their sessions.
    pub async fn disable_user(
        &self,
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE users SET disabled_at = COALESCE(disabled_at, $1),
                    session_epoch = session_epoch + 1 WHERE id = $2",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map(|_| ())
    }

    /// The user's session epoch; `None` when there is no such user.
    pub async fn session_epoch(&self, user_id: i64) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.db)
            .await
    }

    /// The user's password hash, locale, and whether they chose it (non-zero).
    pub async fn password_and_locale(
        &self,
        user_id: i64,
    ) -> sqlx::Result<Option<(String, String, i64)>> {
        sqlx::query_as("SELECT password_hash, locale, locale_chosen FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.db)
            .await
    }

    /// Changes name and/or locale (`None` leaves it; `Some(None)` goes back to the browser's
    /// language).
    pub async fn update_profile(
        &self,
        user_id: i64,
        name: Option<&str>,
        locale: Option<Option<&str>>,
    ) -> sqlx::Result<()> {
        let chosen = locale.map(|l| i64::from(l.is_some()));
        sqlx::query(
            "UPDATE users SET name = COALESCE($1, name), locale = COALESCE($2, locale),
             locale_chosen = COALESCE($3, locale_chosen) WHERE id = $4",
        )
        .bind(name)
        .bind(locale.flatten())
        .bind(chosen)
        .bind(user_id)
        .execute(&self.db)
        .await
        .map(|_| ())
    }

    /// Replaces the password hash and ends the user's sessions, in the caller's transaction.
    pub async fn set_password_ending_sessions(
        &self,
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
        password_hash: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2",
        )
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map(|_| ())
    }

    /// Renames an account; `false` when there is no such account.
    pub async fn rename_account(&self, account_id: i64, name: &str) -> sqlx::Result<bool> {
        Ok(sqlx::query("UPDATE accounts SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(account_id)
            .execute(&self.db)
            .await?
            .rows_affected()
            > 0)
    }

    /// Members of an account with their status, administrators first.
    pub async fn team(&self, account_id: i64) -> sqlx::Result<Vec<TeamRow>> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.name, u.email, au.role, u.disabled_at FROM account_users au
             JOIN users u ON u.id = au.user_id WHERE au.account_id = $1
             ORDER BY au.role = 'agent', u.name, u.id",
        )
        .bind(account_id)
        .fetch_all(&self.db)
        .await
    }

    /// Every user with each of their memberships (one row per membership, or one without).
    pub async fn all_users(&self) -> sqlx::Result<Vec<UserListRow>> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.email, u.name, a.id AS account_id, a.name AS account_name,
                    au.role, u.disabled_at
             FROM users u LEFT JOIN account_users au ON au.user_id = u.id
             LEFT JOIN accounts a ON a.id = au.account_id ORDER BY u.id, a.id",
        )
        .fetch_all(&self.db)
        .await
    }

    /// The user id with this (lower-cased) e-mail.
    pub async fn user_id_by_email(&self, email: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.db)
            .await
    }

    /// Stores a one-time link (its token's digest); earlier unused links for the same purpose
    /// (the same e-mail in the same account, or the same user's reset) stop working.
    pub async fn insert_link(&self, link: NewLink<'_>) -> sqlx::Result<i64> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "DELETE FROM invitations WHERE used_at IS NULL AND kind = $1 AND email = $2
               AND COALESCE(account_id, 0) = COALESCE($3, 0)",
        )
        .bind(link.kind)
        .bind(link.email)
        .bind(link.account_id)
        .execute(&mut *tx)
        .await?;
        let id = sqlx::query_scalar(
            "INSERT INTO invitations (kind, account_id, user_id, email, role, token_hash, invited_by,
                                      created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(link.kind)
        .bind(link.account_id)
        .bind(link.user_id)
        .bind(link.email)
        .bind(link.role.map(Role::as_str))
        .bind(link.token_hash)
        .bind(link.invited_by)
        .bind(link.created_at)
        .bind(link.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The link whose token hashes to `token_hash`, used or not.
    pub async fn link_by_hash(&self, token_hash: &str) -> sqlx::Result<Option<LinkRow>> {
        sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM invitations WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.db)
        .await
    }

    /// Uses the link: only the first caller before `expires_at` gets it back (the check and the
    /// mark are one statement, so two simultaneous acceptances cannot both succeed).
    pub async fn use_link(
        &self,
        tx: &mut sqlx::AnyConnection,
        token_hash: &str,
        now: i64,
    ) -> sqlx::Result<Option<LinkRow>> {
        sqlx::query_as(&format!(
            "UPDATE invitations SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING {LINK_COLUMNS}"
        ))
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
    }

    /// Invitations into the account not used and not expired at `now`.
    pub async fn pending_invitations(
        &self,
        account_id: i64,
        now: i64,
    ) -> sqlx::Result<Vec<LinkRow>> {
        sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM invitations
             WHERE account_id = $1 AND kind = 'invite' AND used_at IS NULL AND expires_at > $2
             ORDER BY id"
        ))
        .bind(account_id)
        .bind(now)
        .fetch_all(&self.db)
        .await
    }
}
