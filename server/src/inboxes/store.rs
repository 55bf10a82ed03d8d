//! Queries on inboxes and their members. Every query that takes an inbox id also takes the
//! account id, so no caller can reach another account's inbox by id.
use crate::db::Db;

/// A stored inbox (secrets still sealed). `Debug` hides the verify token and the sealed token.
#[derive(Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub channel_type: String,
    pub phone_number: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub business_id: Option<String>,
    /// The business portfolio's name, when Meta told it.
    pub business_name: Option<String>,
    pub access_token_sealed: String,
    pub webhook_verify_token: String,
    pub setup_error: Option<String>,
    /// When setup last proved that the token manages the number (read it, and the WABA lists it);
    /// `None`: never, or the last setup failed before proving it.
    pub access_proven_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for InboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxRow")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("name", &self.name)
            .field("channel_type", &self.channel_type)
            .field("phone_number", &self.phone_number)
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("business_id", &self.business_id)
            .field("business_name", &self.business_name)
            .field(
                "access_token_sealed",
                &app::redact::Secret(&self.access_token_sealed),
            )
            .field(
                "webhook_verify_token",
                &app::redact::Secret(&self.webhook_verify_token),
            )
            .field("setup_error", &self.setup_error)
            .field("access_proven_at", &self.access_proven_at)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

const COLUMNS: &str = "id, account_id, name, channel_type, phone_number, phone_number_id, business_account_id, business_id, business_name, access_token_sealed, webhook_verify_token, setup_error, access_proven_at, created_at, updated_at";

/// Fields of a new inbox (the access token is sealed by [`insert`]'s caller, for the new id).
pub struct NewInboxRow<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub phone_number: &'a str,
    pub phone_number_id: &'a str,
    pub business_account_id: &'a str,
    pub webhook_verify_token: &'a str,
}

/// Every SQL statement on `inboxes` and `inbox_members`.
#[derive(Clone)]
pub struct InboxStore {
    db: Db,
}

impl InboxStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        InboxStore { db }
    }

    /// Replaces the sealed access token (sealed for this `inbox_id`).
    pub async fn set_access_token(
        &self,
        inbox_id: i64,
        sealed: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        set_access_token(&self.db, inbox_id, sealed, now).await
    }

    /// Inserts an inbox and stores its sealed access token, `seal_token(new id)`, in one transaction.
    ///
    /// The token is sealed bound to the row's primary key, which only exists once the row does
    /// (`RETURNING id`; ids cannot be reserved portably across SQLite and PostgreSQL). So the row is
    /// inserted with an empty token and the sealed one written before the commit: no other reader
    /// ever sees the row without its token, or with a token that is not bound to it.
    pub async fn insert(
        &self,
        row: NewInboxRow<'_>,
        now: i64,
        seal_token: impl FnOnce(i64) -> String,
    ) -> sqlx::Result<i64> {
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query_scalar(
        "INSERT INTO inboxes (account_id, name, phone_number, phone_number_id, business_account_id,
            access_token_sealed, webhook_verify_token, webhook_verify_token_digest, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, '', $6, $8, $7, $7) RETURNING id",
    )
    .bind(row.account_id)
    .bind(row.name)
    .bind(row.phone_number)
    .bind(row.phone_number_id)
    .bind(row.business_account_id)
    .bind(row.webhook_verify_token)
    .bind(now)
    .bind(crate::auth::api_token::digest(row.webhook_verify_token))
    .fetch_one(&mut *tx)
    .await?;
        set_access_token(&mut *tx, id, &seal_token(id), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether some inbox has this verify token (looked up by digest through an index).
    pub async fn has_verify_token(&self, token: &str) -> sqlx::Result<bool> {
        // An integer, not EXISTS's boolean: SQLite has no boolean type to decode.
        let found: i64 = sqlx::query_scalar(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM inboxes WHERE webhook_verify_token_digest = $1)
         THEN 1 ELSE 0 END",
        )
        .bind(crate::auth::api_token::digest(token))
        .fetch_one(&self.db)
        .await?;
        Ok(found == 1)
    }

    /// Fills the verify-token digest of inboxes stored before it existed; returns how many.
    pub async fn fill_verify_token_digests(&self) -> sqlx::Result<usize> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, webhook_verify_token FROM inboxes WHERE webhook_verify_token_digest IS NULL",
    )
    .fetch_all(&self.db)
    .await?;
        for (id, token) in &rows {
            sqlx::query("UPDATE inboxes SET webhook_verify_token_digest = $1 WHERE id = $2")
                .bind(crate::auth::api_token::digest(token))
                .bind(id)
                .execute(&self.db)
                .await?;
        }
        Ok(rows.len())
    }

    pub async fn get(&self, account_id: i64, inbox_id: i64) -> sqlx::Result<Option<InboxRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM inboxes WHERE id = $1 AND account_id = $2"
        ))
        .bind(inbox_id)
        .bind(account_id)
        .fetch_optional(&self.db)
        .await
    }

    /// An inbox by id alone: only for background jobs, which act for no user.
    pub async fn get_unscoped(&self, inbox_id: i64) -> sqlx::Result<Option<InboxRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM inboxes WHERE id = $1"))
            .bind(inbox_id)
            .fetch_optional(&self.db)
            .await
    }

    /// Every inbox (background jobs).
    pub async fn all(&self) -> sqlx::Result<Vec<InboxRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM inboxes ORDER BY id"))
            .fetch_all(&self.db)
            .await
    }

    /// Inboxes of an account; with `member` only those the user is a member of.
    pub async fn list(&self, account_id: i64, member: Option<i64>) -> sqlx::Result<Vec<InboxRow>> {
        match member {
        None => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM inboxes WHERE account_id = $1 ORDER BY name, id"
            ))
            .bind(account_id)
            .fetch_all(&self.db)
            .await
        }
        Some(user_id) => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM inboxes WHERE account_id = $1
                 AND id IN (SELECT inbox_id FROM inbox_members WHERE user_id = $2) ORDER BY name, id"
            ))
            .bind(account_id)
            .bind(user_id)
            .fetch_all(&self.db)
            .await
        }
    }
    }

    pub async fn set_name(&self, inbox_id: i64, name: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE inboxes SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(name)
            .bind(now)
            .bind(inbox_id)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    /// Saves a setup's result: the portfolio (id and name) when it read one, and its error.
    pub async fn set_setup_result(
        &self,
        inbox_id: i64,
        business: Option<(&str, Option<&str>)>,
        setup_error: Option<&str>,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
        "UPDATE inboxes SET business_id = COALESCE($1, business_id), business_name = COALESCE($2, business_name), setup_error = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(business.map(|b| b.0))
    .bind(business.and_then(|b| b.1))
    .bind(setup_error)
    .bind(now)
    .bind(inbox_id)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    /// Records whether setup proved the token's access to the number (`None` clears it).
    pub async fn set_access_proven(&self, inbox_id: i64, at: Option<i64>) -> sqlx::Result<()> {
        sqlx::query("UPDATE inboxes SET access_proven_at = $1 WHERE id = $2")
            .bind(at)
            .bind(inbox_id)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    pub async fn delete(&self, account_id: i64, inbox_id: i64) -> sqlx::Result<bool> {
        let r = sqlx::query("DELETE FROM inboxes WHERE id = $1 AND account_id = $2")
            .bind(inbox_id)
            .bind(account_id)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn is_member(&self, inbox_id: i64, user_id: i64) -> sqlx::Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM inbox_members WHERE inbox_id = $1 AND user_id = $2",
        )
        .bind(inbox_id)
        .bind(user_id)
        .fetch_one(&self.db)
        .await?;
        Ok(n > 0)
    }

    /// Member user ids of an inbox.
    pub async fn members(&self, inbox_id: i64) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar("SELECT user_id FROM inbox_members WHERE inbox_id = $1 ORDER BY user_id")
            .bind(inbox_id)
            .fetch_all(&self.db)
            .await
    }

    /// Replaces (`replace = true`) or extends the member list, in one transaction.
    pub async fn set_members(
        &self,
        inbox_id: i64,
        user_ids: &[i64],
        replace: bool,
    ) -> sqlx::Result<()> {
        let mut tx = self.db.begin().await?;
        if replace {
            sqlx::query("DELETE FROM inbox_members WHERE inbox_id = $1")
                .bind(inbox_id)
                .execute(&mut *tx)
                .await?;
        }
        for uid in user_ids {
            sqlx::query(
            "INSERT INTO inbox_members (inbox_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(inbox_id)
        .bind(uid)
        .execute(&mut *tx)
        .await?;
        }
        tx.commit().await
    }

    pub async fn remove_members(&self, inbox_id: i64, user_ids: &[i64]) -> sqlx::Result<()> {
        let mut tx = self.db.begin().await?;
        for uid in user_ids {
            sqlx::query("DELETE FROM inbox_members WHERE inbox_id = $1 AND user_id = $2")
                .bind(inbox_id)
                .bind(uid)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Which of `user_ids` belong to the account.
    pub async fn account_user_ids(&self, account_id: i64) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar("SELECT user_id FROM account_users WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&self.db)
            .await
    }

    /// Claims the one check of an inbox for a webhook override an earlier version set (see
    /// `webhooks::legacy_override`); `false` when it was claimed before.
    pub async fn claim_override_check(&self, inbox_id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE inboxes SET own_override_checked_at = $1
         WHERE id = $2 AND own_override_checked_at IS NULL",
        )
        .bind(crate::db::now_secs())
        .bind(inbox_id)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the claim back after a failed check, so a later setup or start tries again.
    pub async fn release_override_check(&self, inbox_id: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE inboxes SET own_override_checked_at = NULL WHERE id = $1")
            .bind(inbox_id)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    /// Inboxes never checked yet (rows from before the upgrade, or whose check failed).
    pub async fn override_unchecked(&self) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM inboxes WHERE own_override_checked_at IS NULL AND channel_type = $1
         ORDER BY id",
        )
        .bind(super::WHATSAPP_CLOUD)
        .fetch_all(&self.db)
        .await
    }
}

/// Replaces the sealed access token (sealed for this `inbox_id`), inside a transaction or not.
async fn set_access_token(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    inbox_id: i64,
    sealed: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE inboxes SET access_token_sealed = $1, updated_at = $2 WHERE id = $3")
        .bind(sealed)
        .bind(now)
        .bind(inbox_id)
        .execute(db)
        .await
        .map(|_| ())
}
