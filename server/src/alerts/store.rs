//! Queries for alerts, notifications, the evaluator's cursor and outgoing webhooks.
use super::rules::Severity;
use crate::db::Db;

/// A stored alert.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: Option<i64>,
    pub kind: String,
    /// Stored as text; read through `String` so it decodes the same from any database.
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    /// In English (what outgoing webhooks send).
    pub title: String,
    pub body: String,
    /// The rule's parameters (`text::AlertParams` as JSON): the title and body in any language.
    /// `None` for alerts stored before they were kept, and for tests.
    #[serde(skip)]
    pub params: Option<String>,
    pub created_at: i64,
}

impl AlertRow {
    /// The title and body in `l` (as stored when the alert has no parameters).
    pub fn text_in(&self, l: app::i18n::Locale) -> (String, String) {
        super::text::title_body(
            &self.kind,
            self.params.as_deref(),
            self.title.clone(),
            self.body.clone(),
            l,
        )
    }
}

const ALERT_COLUMNS: &str =
    "id, account_id, inbox_id, kind, severity, title, body, params, created_at";

/// A new alert.
pub struct NewAlert<'a> {
    pub account_id: i64,
    pub inbox_id: Option<i64>,
    pub kind: &'a str,
    pub severity: &'a Severity,
    pub title: &'a str,
    pub body: &'a str,
    /// `text::AlertParams` as JSON.
    pub params: Option<&'a str>,
    pub dedup_key: &'a str,
}

/// Every SQL statement on alerts, notifications, outgoing webhooks and their deliveries.
#[derive(Clone)]
pub struct AlertStore {
    db: Db,
}

impl AlertStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        AlertStore { db }
    }

    /// Stores an alert; `None` when one with the same dedup key exists (already raised).
    pub async fn insert_alert(&self, a: NewAlert<'_>, now: i64) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar(
        "INSERT INTO alerts (account_id, inbox_id, kind, severity, title, body, params, dedup_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
    )
    .bind(a.account_id)
    .bind(a.inbox_id)
    .bind(a.kind)
    .bind(a.severity.as_str())
    .bind(a.title)
    .bind(a.body)
    .bind(a.params)
    .bind(a.dedup_key)
    .bind(now)
    .fetch_optional(&self.db)
    .await
    }

    /// Alerts of an inbox, newest first.
    pub async fn alerts_for_inbox(&self, inbox_id: i64, limit: i64) -> sqlx::Result<Vec<AlertRow>> {
        sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE inbox_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(inbox_id)
    .bind(limit)
    .fetch_all(&self.db)
    .await
    }

    /// Alerts of an account, newest first.
    pub async fn alerts_for_account(
        &self,
        account_id: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<AlertRow>> {
        sqlx::query_as(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(&self.db)
    .await
    }

    /// Who is notified of an alert: the account's administrators, and for an inbox's alert the
    /// agents who are members of that inbox (members of the account only).
    pub async fn recipients(
        &self,
        account_id: i64,
        inbox_id: Option<i64>,
    ) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(
        "SELECT au.user_id FROM account_users au
         WHERE au.account_id = $1
           AND (au.role = 'administrator'
                OR EXISTS (SELECT 1 FROM inbox_members m WHERE m.inbox_id = $2 AND m.user_id = au.user_id))
         ORDER BY au.user_id",
    )
    .bind(account_id)
    .bind(inbox_id)
    .fetch_all(&self.db)
    .await
    }

    pub async fn insert_notification(
        &self,
        alert_id: i64,
        user_id: i64,
        account_id: i64,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
        "INSERT INTO notifications (alert_id, user_id, account_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (alert_id, user_id) DO NOTHING",
    )
    .bind(alert_id)
    .bind(user_id)
    .bind(account_id)
    .bind(now)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    /// A user's notifications in an account, newest first, with how many of all of them (not
    /// only the `limit` listed) are unread and not informational: one query, as every page's bell
    /// asks for both.
    pub async fn notifications(
        &self,
        user_id: i64,
        account_id: i64,
        limit: i64,
    ) -> sqlx::Result<(Vec<NotificationRow>, i64)> {
        let rows: Vec<ListedNotification> = sqlx::query_as(&format!(
        "SELECT n.id, n.alert_id, a.inbox_id, i.name AS inbox_name, a.kind, a.severity, a.title, a.body,
                a.params, n.created_at, n.read_at,
                ({UNREAD}) AS unread
         FROM notifications n JOIN alerts a ON a.id = n.alert_id LEFT JOIN inboxes i ON i.id = a.inbox_id
         WHERE n.user_id = $1 AND n.account_id = $2 ORDER BY n.created_at DESC, n.id DESC LIMIT $3"
    ))
    .bind(user_id)
    .bind(account_id)
    .bind(limit)
    .fetch_all(&self.db)
    .await?;
        // No row: no notification at all, so none unread either.
        let unread = rows.first().map_or(0, |r| r.unread);
        Ok((rows.into_iter().map(|r| r.row).collect(), unread))
    }

    pub async fn unread_count(&self, user_id: i64, account_id: i64) -> sqlx::Result<i64> {
        sqlx::query_scalar(UNREAD)
            .bind(user_id)
            .bind(account_id)
            .fetch_one(&self.db)
            .await
    }

    /// Marks one (`Some(id)`) or all of the user's notifications in the account read.
    pub async fn mark_read(
        &self,
        user_id: i64,
        account_id: i64,
        id: Option<i64>,
        now: i64,
    ) -> sqlx::Result<u64> {
        let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND account_id = $3 AND read_at IS NULL
         AND ($4 IS NULL OR id = $4)",
    )
    .bind(now)
    .bind(user_id)
    .bind(account_id)
    .bind(id)
    .execute(&self.db)
    .await?;
        Ok(done.rows_affected())
    }

    /// The evaluator's position in `health_snapshots`; created at the current end on first use, so an
    /// upgrade does not raise alerts for old history.
    pub async fn cursor(&self) -> sqlx::Result<i64> {
        if let Some(v) = sqlx::query_scalar::<_, i64>(
            "SELECT last_snapshot_id FROM alert_cursor WHERE name = 'snapshots'",
        )
        .fetch_optional(&self.db)
        .await?
        {
            return Ok(v);
        }
        let start = crate::health::store::SnapshotStore::new(self.db.clone())
            .max_id()
            .await?
            .unwrap_or(0);
        sqlx::query(
        "INSERT INTO alert_cursor (name, last_snapshot_id) VALUES ('snapshots', $1) ON CONFLICT (name) DO NOTHING",
    )
    .bind(start)
    .execute(&self.db)
    .await?;
        Ok(start)
    }

    /// The evaluator's position in `waba_signal_changes` (`name`), created at `start` on first use.
    pub async fn named_cursor(&self, name: &str, start: i64) -> sqlx::Result<i64> {
        sqlx::query(
            "INSERT INTO alert_signal_cursor (name, last_change_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(start)
        .execute(&self.db)
        .await?;
        sqlx::query_scalar("SELECT last_change_id FROM alert_signal_cursor WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db)
            .await
    }

    /// Moves the named cursor to `id`.
    pub async fn set_named_cursor(&self, name: &str, id: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE alert_signal_cursor SET last_change_id = $1 WHERE name = $2")
            .bind(id)
            .bind(name)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    pub async fn set_cursor(&self, id: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE alert_cursor SET last_snapshot_id = $1 WHERE name = 'snapshots'")
            .bind(id)
            .execute(&self.db)
            .await
            .map(|_| ())
    }

    /// Stores a webhook: `url_masked` is shown, the URL and secret `seal(new id)` returns are what
    /// deliveries open.
    ///
    /// They are sealed bound to the row's primary key, which only exists once the row does
    /// (`RETURNING id`; ids cannot be reserved portably across SQLite and PostgreSQL). So the row is
    /// inserted with empty values (not NULL: a NULL `url_sealed` means a plain URL still to be sealed)
    /// and the sealed ones written before the commit: no other reader ever sees the row without
    /// them, or with values not bound to it.
    pub async fn insert_webhook(
        &self,
        account_id: i64,
        url_masked: &str,
        format: &str,
        now: i64,
        seal: impl FnOnce(i64) -> SealedWebhook,
    ) -> sqlx::Result<i64> {
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query_scalar(
        "INSERT INTO outgoing_webhooks (account_id, url, url_sealed, secret_sealed, format, created_at)
         VALUES ($1, $2, '', '', $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(url_masked)
    .bind(format)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
        let sealed = seal(id);
        sqlx::query(
            "UPDATE outgoing_webhooks SET url_sealed = $1, secret_sealed = $2 WHERE id = $3",
        )
        .bind(&sealed.url_sealed)
        .bind(&sealed.secret_sealed)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many outgoing webhooks an account has.
    pub async fn count_webhooks(&self, account_id: i64) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM outgoing_webhooks WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&self.db)
            .await
    }

    /// Webhooks whose URL is still stored in plain text (created before URLs were sealed).
    pub async fn unsealed_urls(&self) -> sqlx::Result<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, url FROM outgoing_webhooks WHERE url_sealed IS NULL ORDER BY id")
            .fetch_all(&self.db)
            .await
    }

    /// Replaces a plain URL by its masked form and its sealed copy (sealed for this `id`).
    pub async fn set_sealed_url(
        &self,
        id: i64,
        url_masked: &str,
        url_sealed: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
        "UPDATE outgoing_webhooks SET url = $1, url_sealed = $2 WHERE id = $3 AND url_sealed IS NULL",
    )
    .bind(url_masked)
    .bind(url_sealed)
    .bind(id)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    pub async fn webhooks(&self, account_id: i64) -> sqlx::Result<Vec<OutgoingWebhookRow>> {
        sqlx::query_as(&format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks WHERE account_id = $1 ORDER BY id"
        ))
        .bind(account_id)
        .fetch_all(&self.db)
        .await
    }

    pub async fn webhook(
        &self,
        account_id: i64,
        id: i64,
    ) -> sqlx::Result<Option<OutgoingWebhookRow>> {
        sqlx::query_as(&format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks WHERE account_id = $1 AND id = $2"
        ))
        .bind(account_id)
        .bind(id)
        .fetch_optional(&self.db)
        .await
    }

    pub async fn webhook_unscoped(&self, id: i64) -> sqlx::Result<Option<OutgoingWebhookRow>> {
        sqlx::query_as(&format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db)
        .await
    }

    pub async fn delete_webhook(&self, account_id: i64, id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM outgoing_webhooks WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_delivery(
        &self,
        webhook_id: i64,
        alert_id: Option<i64>,
        payload: &str,
        now: i64,
        next_attempt_at: i64,
    ) -> sqlx::Result<i64> {
        sqlx::query_scalar(
        "INSERT INTO outgoing_deliveries (webhook_id, alert_id, payload, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(webhook_id)
    .bind(alert_id)
    .bind(payload)
    .bind(next_attempt_at)
    .bind(now)
    .fetch_one(&self.db)
    .await
    }

    pub async fn due_deliveries(&self, now: i64, limit: i64) -> sqlx::Result<Vec<DeliveryRow>> {
        sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM outgoing_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&self.db)
    .await
    }

    pub async fn delivery(&self, id: i64) -> sqlx::Result<Option<DeliveryRow>> {
        sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM outgoing_deliveries WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db)
        .await
    }

    pub async fn deliveries(&self, webhook_id: i64, limit: i64) -> sqlx::Result<Vec<DeliveryRow>> {
        sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM outgoing_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(&self.db)
    .await
    }

    /// Records one try: `status` is `delivered`, `failed` (gave up) or `pending` (retry at `next`).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_try(
        &self,
        id: i64,
        status: &str,
        status_code: Option<i64>,
        error: Option<&str>,
        next: i64,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
        "UPDATE outgoing_deliveries SET status = $1, status_code = $2, error = $3, next_attempt_at = $4,
         attempts = attempts + 1, updated_at = $5 WHERE id = $6",
    )
    .bind(status)
    .bind(status_code)
    .bind(error)
    .bind(next)
    .bind(now)
    .bind(id)
    .execute(&self.db)
    .await
    .map(|_| ())
    }

    /// Deletes deliveries that are done (sent or given up) created before `before`.
    pub async fn prune_finished_deliveries(&self, before: i64) -> sqlx::Result<u64> {
        Ok(sqlx::query(
            "DELETE FROM outgoing_deliveries WHERE status <> 'pending' AND created_at < $1",
        )
        .bind(before)
        .execute(&self.db)
        .await?
        .rows_affected())
    }

    /// Claims a due delivery by moving its next try to `until` (a crashed sender's claim lapses
    /// then); `false` when another sender claimed it first (its `next_attempt_at` moved).
    pub async fn claim_delivery(
        &self,
        id: i64,
        next_attempt_at: i64,
        until: i64,
    ) -> sqlx::Result<bool> {
        Ok(sqlx::query(
        "UPDATE outgoing_deliveries SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3
         AND status = 'pending'",
    )
    .bind(until)
    .bind(id)
    .bind(next_attempt_at)
    .execute(&self.db)
    .await?
    .rows_affected()
        == 1)
    }
}

/// How many of user `$1`'s notifications in account `$2` are unread. Successes are news, not work:
/// informational alerts do not count. The bell's list asks it as a subquery.
const UNREAD: &str = "SELECT COUNT(*) FROM notifications un JOIN alerts ua ON ua.id = un.alert_id
     WHERE un.user_id = $1 AND un.account_id = $2 AND un.read_at IS NULL AND ua.severity <> 'info'";

/// A listed notification and the user's unread count (the same on every row).
#[derive(sqlx::FromRow)]
struct ListedNotification {
    #[sqlx(flatten)]
    row: NotificationRow,
    unread: i64,
}

/// A notification with its alert and inbox name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub alert_id: i64,
    pub inbox_id: Option<i64>,
    pub inbox_name: Option<String>,
    pub kind: String,
    /// Stored as text; read through `String` so it decodes the same from any database.
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    /// In English; see [`AlertRow::params`].
    pub title: String,
    pub body: String,
    pub params: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// An outgoing webhook (URL and secret still sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutgoingWebhookRow {
    pub id: i64,
    pub account_id: i64,
    /// The masked URL (what may be shown); the full one is `url_sealed`.
    pub url: String,
    /// `None` only between an upgrade and the start-up sealing of plain URLs.
    pub url_sealed: Option<String>,
    pub secret_sealed: String,
    pub format: String,
    /// Stored as 0/1 (an integer on both backends).
    #[sqlx(try_from = "crate::db::Flag")]
    pub enabled: bool,
    pub created_at: i64,
}

const HOOK_COLUMNS: &str =
    "id, account_id, url, url_sealed, secret_sealed, format, enabled, created_at";

/// A webhook's full URL and signing secret, each sealed bound to the webhook's id.
pub struct SealedWebhook {
    pub url_sealed: String,
    pub secret_sealed: String,
}

/// A delivery of an outgoing webhook.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub alert_id: Option<i64>,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, alert_id, payload, status, attempts, status_code, error, next_attempt_at, created_at, updated_at";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_unread_count_covers_every_notification_not_only_the_listed_ones() {
        let (_dir, db) = crate::registration::test_db::open().await;
        let inbox = crate::registration::test_db::inbox(&db, "1065403522429001").await;
        let store = AlertStore::new(db.clone());
        sqlx::query(
            "INSERT INTO users (email, name, password_hash, api_token_hash, created_at)
             VALUES ('ada@example.com', 'Ada', 'x', 'y', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let user_id: i64 = sqlx::query_scalar("SELECT id FROM users")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(
            store
                .notifications(user_id, inbox.account_id, 2)
                .await
                .unwrap()
                .1,
            0,
            "nothing listed, nothing unread"
        );
        let severities = [
            Severity::Critical,
            Severity::Warning,
            Severity::Info,
            Severity::Critical,
        ];
        for (n, severity) in severities.iter().enumerate() {
            let alert = store
                .insert_alert(
                    NewAlert {
                        account_id: inbox.account_id,
                        inbox_id: Some(inbox.id),
                        kind: "quality_dropped",
                        severity,
                        title: "t",
                        body: "b",
                        params: None,
                        dedup_key: &format!("k{n}"),
                    },
                    n as i64,
                )
                .await
                .unwrap()
                .unwrap();
            store
                .insert_notification(alert, user_id, inbox.account_id, n as i64)
                .await
                .unwrap();
        }
        let (listed, unread) = store
            .notifications(user_id, inbox.account_id, 2)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].created_at, 3, "newest first");
        // Four notifications, one of them good news: three need work, though two are listed.
        assert_eq!(unread, 3);
        store
            .mark_read(user_id, inbox.account_id, Some(listed[0].id), 9)
            .await
            .unwrap();
        assert_eq!(
            store
                .notifications(user_id, inbox.account_id, 2)
                .await
                .unwrap()
                .1,
            2
        );
        assert_eq!(
            store.unread_count(user_id, inbox.account_id).await.unwrap(),
            2
        );
    }
}
