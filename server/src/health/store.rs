//! Health snapshots: every health read Greenlight made, good or failed.
//!
//! Every SQL statement on `health_snapshots` lives here, and rows leave this module as typed
//! [`HealthSnapshot`]s: the stored JSON (a serialized [`PhoneNumberHealth`]) is parsed once, here, and every
//! reader works on the parsed value. The stored format is unchanged. The SQL is kept portable (`$n`
//! placeholders, no SQLite-only syntax).
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use crate::db::Db;
use crate::graph::{GraphErrorKind, PhoneNumberHealth};
use app::health::RegistrationState;

/// Where a read came from (stored with the snapshot, shown in the history).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A view of the Account Health tab or the health API (cache miss).
    View,
    /// An explicit "Refresh".
    Refresh,
    /// The read made while setting up the inbox.
    Setup,
    /// The background registration retrier.
    Retrier,
    /// The read after a register call.
    Registration,
    /// A Meta webhook.
    Webhook,
    /// The background health refresh.
    Background,
    /// A stored value this version does not know (written by a newer or older version), kept as stored.
    Other(String),
}

impl Source {
    /// The stored name.
    pub fn as_str(&self) -> &str {
        match self {
            Source::View => "view",
            Source::Refresh => "refresh",
            Source::Setup => "setup",
            Source::Retrier => "retrier",
            Source::Registration => "registration",
            Source::Webhook => "webhook",
            Source::Background => "background",
            Source::Other(stored) => stored,
        }
    }

    /// Parses a stored name; never fails (unknown names become `Other`).
    pub fn parse(stored: &str) -> Source {
        match stored {
            "view" => Source::View,
            "refresh" => Source::Refresh,
            "setup" => Source::Setup,
            "retrier" => Source::Retrier,
            "registration" => Source::Registration,
            "webhook" => Source::Webhook,
            "background" => Source::Background,
            other => Source::Other(other.to_owned()),
        }
    }
}

impl FromStr for Source {
    type Err = Infallible;
    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        Ok(Source::parse(stored))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored health check, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthSnapshot {
    pub id: i64,
    pub inbox_id: i64,
    /// Unix seconds.
    pub checked_at: i64,
    pub source: Source,
    /// What Meta said; `None` for a failed read, and for a stored read that no longer parses (then
    /// `error_kind` is `Other` and `error_message` says so).
    pub health: Option<PhoneNumberHealth>,
    /// Why the read failed; `None` for a good read.
    pub error_kind: Option<GraphErrorKind>,
    /// Why the read failed, in words safe to show.
    pub error_message: Option<String>,
    /// Meta's `error_subcode` of a failed read, when Meta sent one (e.g. 463: the token expired).
    pub error_subcode: Option<i64>,
    /// The registration state decided from this read. A stored name this version does not know reads as
    /// `Unknown` (this version never writes one).
    pub registration_state: RegistrationState,
}

impl HealthSnapshot {
    /// `true` when the read succeeded (and still parses).
    pub fn is_good(&self) -> bool {
        self.health.is_some()
    }

    /// Which kind of refusal, when Meta refused the token at this read.
    pub fn token_refusal(&self) -> Option<app::meta::TokenRefusal> {
        crate::graph::token_refusal(self.error_kind?, self.error_subcode)
    }
}

/// The columns of a snapshot as stored.
#[derive(sqlx::FromRow)]
struct StoredSnapshot {
    id: i64,
    inbox_id: i64,
    checked_at: i64,
    source: String,
    health_json: Option<String>,
    error_kind: Option<String>,
    error_message: Option<String>,
    error_subcode: Option<i64>,
    registration_state: String,
}

impl From<StoredSnapshot> for HealthSnapshot {
    fn from(row: StoredSnapshot) -> Self {
        let mut error_kind = row
            .error_kind
            .as_deref()
            .map(GraphErrorKind::from_str_lossy);
        let mut error_message = row.error_message;
        let health = match row
            .health_json
            .as_deref()
            .map(serde_json::from_str::<PhoneNumberHealth>)
        {
            None => None,
            Some(Ok(health)) => Some(health),
            // Reads are stored by serializing `PhoneNumberHealth`, whose parser is lenient, so this takes a damaged
            // row; it must not take the page or the background tasks down with it.
            Some(Err(e)) => {
                tracing::warn!(snapshot_id = row.id, inbox_id = row.inbox_id, error = %e,
                    "health: a stored read no longer parses; it counts as a failed read");
                error_kind = Some(GraphErrorKind::Other);
                error_message = Some(format!(
                    "Greenlight could not read back this stored health check ({e}); it counts as a failed read."
                ));
                None
            }
        };
        HealthSnapshot {
            id: row.id,
            inbox_id: row.inbox_id,
            checked_at: row.checked_at,
            source: Source::parse(&row.source),
            health,
            error_kind,
            error_message,
            error_subcode: row.error_subcode,
            registration_state: RegistrationState::parse(&row.registration_state)
                .unwrap_or(RegistrationState::Unknown),
        }
    }
}

const COLUMNS: &str =
    "id, inbox_id, checked_at, source, health_json, error_kind, error_message, error_subcode, registration_state";

/// What a new snapshot holds.
#[derive(Debug, Clone)]
pub struct NewSnapshot<'a> {
    pub inbox_id: i64,
    pub checked_at: i64,
    pub source: Source,
    /// The read, `None` when it failed.
    pub health: Option<&'a PhoneNumberHealth>,
    pub error_kind: Option<GraphErrorKind>,
    pub error_message: Option<&'a str>,
    /// Meta's `error_subcode` of a failed read.
    pub error_subcode: Option<i64>,
    pub registration_state: RegistrationState,
}

/// Every SQL statement on `health_snapshots`; rows leave as typed [`HealthSnapshot`]s.
#[derive(Clone)]
pub struct SnapshotStore {
    db: Db,
}

impl SnapshotStore {
    /// The store over this database.
    pub fn new(db: Db) -> Self {
        SnapshotStore { db }
    }

    /// Stores a snapshot; answers its id.
    pub async fn insert(&self, s: NewSnapshot<'_>) -> sqlx::Result<i64> {
        let health_json = s
            .health
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query_scalar(
        "INSERT INTO health_snapshots (inbox_id, checked_at, source, health_json, error_kind, error_message,
         registration_state, error_subcode) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(s.inbox_id)
    .bind(s.checked_at)
    .bind(s.source.as_str())
    .bind(health_json)
    .bind(s.error_kind.map(GraphErrorKind::as_str))
    .bind(s.error_message)
    .bind(s.registration_state.as_str())
    .bind(s.error_subcode)
    .fetch_one(&self.db)
    .await
    }

    /// The newest snapshot, good or failed.
    pub async fn latest(&self, inbox_id: i64) -> sqlx::Result<Option<HealthSnapshot>> {
        let row: Option<StoredSnapshot> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 ORDER BY checked_at DESC, id DESC LIMIT 1"
    ))
    .bind(inbox_id)
    .fetch_optional(&self.db)
    .await?;
        Ok(row.map(HealthSnapshot::from))
    }

    /// The newest snapshot whose read succeeded.
    pub async fn latest_good(&self, inbox_id: i64) -> sqlx::Result<Option<HealthSnapshot>> {
        let row: Option<StoredSnapshot> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 AND health_json IS NOT NULL
         ORDER BY checked_at DESC, id DESC LIMIT 1"
        ))
        .bind(inbox_id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(HealthSnapshot::from))
    }

    /// Snapshots since a time, oldest first (bounded).
    pub async fn since(
        &self,
        inbox_id: i64,
        since: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<HealthSnapshot>> {
        let rows: Vec<StoredSnapshot> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 AND checked_at >= $2
         ORDER BY checked_at DESC, id DESC LIMIT $3) AS recent ORDER BY checked_at, id"
    ))
    .bind(inbox_id)
    .bind(since)
    .bind(limit)
    .fetch_all(&self.db)
    .await?;
        Ok(rows.into_iter().map(HealthSnapshot::from).collect())
    }

    /// Snapshots of every inbox stored after the snapshot `after_id`, in storage order (bounded): what the alert
    /// evaluator walks.
    pub async fn after(&self, after_id: i64, limit: i64) -> sqlx::Result<Vec<HealthSnapshot>> {
        let rows: Vec<StoredSnapshot> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM health_snapshots WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(HealthSnapshot::from).collect())
    }

    /// The snapshot of the same inbox stored just before `s` (only among good reads when `good_only`).
    pub async fn previous(
        &self,
        s: &HealthSnapshot,
        good_only: bool,
    ) -> sqlx::Result<Option<HealthSnapshot>> {
        let good = if good_only {
            " AND health_json IS NOT NULL"
        } else {
            ""
        };
        let row: Option<StoredSnapshot> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM health_snapshots WHERE inbox_id = $1 AND id < $2{good}
         ORDER BY id DESC LIMIT 1"
        ))
        .bind(s.inbox_id)
        .bind(s.id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(HealthSnapshot::from))
    }

    /// Where the inbox's current stretch in `state` began: the id and time of the first snapshot in `state` after
    /// the last one in another known state (`unknown`, a failed read, does not end a stretch). `None` when the inbox
    /// has no snapshot in `state` since.
    pub async fn stretch_start(
        &self,
        inbox_id: i64,
        state: RegistrationState,
    ) -> sqlx::Result<Option<(i64, i64)>> {
        let (start_id, since): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT MIN(id), MIN(checked_at) FROM health_snapshots WHERE inbox_id = $1 AND registration_state = $2
         AND id > COALESCE((SELECT MAX(id) FROM health_snapshots WHERE inbox_id = $1
                            AND registration_state <> $2 AND registration_state <> $3), 0)",
    )
    .bind(inbox_id)
    .bind(state.as_str())
    .bind(RegistrationState::Unknown.as_str())
    .fetch_one(&self.db)
    .await?;
        Ok(start_id.zip(since))
    }

    /// The id of the newest snapshot of any inbox, `None` when there is none.
    pub async fn max_id(&self) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT MAX(id) FROM health_snapshots")
            .fetch_one(&self.db)
            .await
    }

    /// Every inbox with the time of its newest snapshot (`None` when never read), by inbox id.
    pub async fn last_checked(&self) -> sqlx::Result<Vec<(i64, Option<i64>)>> {
        sqlx::query_as(
        "SELECT i.id, MAX(s.checked_at) FROM inboxes i LEFT JOIN health_snapshots s ON s.inbox_id = i.id
         GROUP BY i.id ORDER BY i.id",
    )
    .fetch_all(&self.db)
    .await
    }

    /// The time of the inbox's newest snapshot (`None` when never read).
    pub async fn last_checked_one(&self, inbox_id: i64) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT MAX(checked_at) FROM health_snapshots WHERE inbox_id = $1")
            .bind(inbox_id)
            .fetch_one(&self.db)
            .await
    }

    /// The inboxes of a channel with their newest snapshot, the longest unchecked first (never read before all),
    /// then by id: the registration retrier's work list.
    pub async fn latest_per_inbox(&self, channel_type: &str) -> sqlx::Result<Vec<InboxLatest>> {
        let rows: Vec<StoredInboxLatest> = sqlx::query_as(
        "SELECT i.id AS inbox_id, i.phone_number_id, s.id, s.checked_at, s.source, s.health_json, s.error_kind,
                s.error_message, s.error_subcode, s.registration_state
         FROM inboxes i
         LEFT JOIN health_snapshots s ON s.id = (
             SELECT s2.id FROM health_snapshots s2 WHERE s2.inbox_id = i.id
             ORDER BY s2.checked_at DESC, s2.id DESC LIMIT 1)
         WHERE i.channel_type = $1
         ORDER BY COALESCE(s.checked_at, 0), i.id",
    )
    .bind(channel_type)
    .fetch_all(&self.db)
    .await?;
        Ok(rows.into_iter().map(InboxLatest::from).collect())
    }

    /// Every inbox of a channel with its newest snapshot and its newest good one, in one query:
    /// what the verdict of every number is computed from (the metrics' gauges).
    pub async fn latest_and_good_per_inbox(
        &self,
        channel_type: &str,
    ) -> sqlx::Result<Vec<InboxSnapshots>> {
        let rows: Vec<StoredLatestAndGood> =
            sqlx::query_as(&format!("{LATEST_AND_GOOD} WHERE i.channel_type = $1"))
                .bind(channel_type)
                .fetch_all(&self.db)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let waba_id = r.business_account_id.clone();
                let access_proven = r.access_proven_at.is_some();
                let (_, (latest, good)) = r.into_pair();
                InboxSnapshots {
                    waba_id,
                    access_proven,
                    latest,
                    good,
                }
            })
            .collect())
    }

    /// The newest snapshot and the newest good one of every inbox of an account, by inbox id, in
    /// one query (the overview draws every row from it).
    pub async fn latest_and_good_in_account(
        &self,
        account_id: i64,
    ) -> sqlx::Result<HashMap<i64, LatestAndGood>> {
        let rows: Vec<StoredLatestAndGood> =
            sqlx::query_as(&format!("{LATEST_AND_GOOD} WHERE i.account_id = $1"))
                .bind(account_id)
                .fetch_all(&self.db)
                .await?;
        Ok(rows
            .into_iter()
            .map(StoredLatestAndGood::into_pair)
            .collect())
    }

    /// Deletes old snapshots: those checked before `expire_before`, and of those checked before `thin_before`
    /// all but each inbox's last of the (UTC) day of `day_secs` seconds. Answers (expired, thinned). Never deletes,
    /// however old: an inbox's newest snapshot and its newest good one (the state and the display number are read
    /// from them), nor a snapshot whose known registration state differs from the one before it. Those state
    /// changes delimit the stretches the stuck-number alert is keyed on: deleting the first snapshot of a stretch
    /// would raise the alert again. They are few (a number changes state rarely).
    pub async fn prune(
        &self,
        expire_before: i64,
        thin_before: i64,
        day_secs: i64,
    ) -> sqlx::Result<(u64, u64)> {
        const KEEP_NEWEST: &str = "id NOT IN (SELECT MAX(id) FROM health_snapshots GROUP BY inbox_id)
         AND id NOT IN (SELECT MAX(id) FROM health_snapshots WHERE health_json IS NOT NULL GROUP BY inbox_id)
         AND id NOT IN (
             SELECT id FROM (
                 SELECT id, registration_state AS state,
                        LAG(registration_state) OVER (PARTITION BY inbox_id ORDER BY id) AS before
                 FROM health_snapshots WHERE registration_state <> 'unknown'
             ) changes
             WHERE before IS NULL OR before <> state
         )";
        let expired = sqlx::query(&format!(
            "DELETE FROM health_snapshots WHERE checked_at < $1 AND {KEEP_NEWEST}"
        ))
        .bind(expire_before)
        .execute(&self.db)
        .await?
        .rows_affected();
        // Days are UTC days of `checked_at`; the last snapshot of the day stands for it.
        let thinned = sqlx::query(&format!(
            "DELETE FROM health_snapshots WHERE checked_at < $1 AND {KEEP_NEWEST}
         AND id NOT IN (
             SELECT MAX(id) FROM health_snapshots WHERE checked_at < $1
             GROUP BY inbox_id, checked_at / $2
         )"
        ))
        .bind(thin_before)
        .bind(day_secs)
        .execute(&self.db)
        .await?
        .rows_affected();
        Ok((expired, thinned))
    }
}

/// An inbox with its newest snapshot.
#[derive(Debug, Clone)]
pub struct InboxLatest {
    pub inbox_id: i64,
    pub phone_number_id: String,
    /// `None` when the inbox was never read.
    pub latest: Option<HealthSnapshot>,
}

/// An inbox row joined with its newest snapshot (every snapshot column `NULL` when there is none).
#[derive(sqlx::FromRow)]
struct StoredInboxLatest {
    inbox_id: i64,
    phone_number_id: String,
    id: Option<i64>,
    checked_at: Option<i64>,
    source: Option<String>,
    health_json: Option<String>,
    error_kind: Option<String>,
    error_message: Option<String>,
    error_subcode: Option<i64>,
    registration_state: Option<String>,
}

/// One inbox's WABA, whether its access to it is proven, and its newest and newest good snapshot.
#[derive(Debug, Clone)]
pub struct InboxSnapshots {
    pub waba_id: String,
    pub access_proven: bool,
    pub latest: Option<HealthSnapshot>,
    pub good: Option<HealthSnapshot>,
}

/// An inbox's newest snapshot and its newest good one (either may be missing).
pub type LatestAndGood = (Option<HealthSnapshot>, Option<HealthSnapshot>);

/// Each inbox with its newest snapshot (`s`) and newest good one (`g`); callers add the `WHERE`.
const LATEST_AND_GOOD: &str = "SELECT i.id AS inbox_id, i.business_account_id, i.access_proven_at,
        s.id, s.checked_at, s.source, s.health_json, s.error_kind, s.error_message,
        s.error_subcode, s.registration_state,
        g.id AS g_id, g.checked_at AS g_checked_at, g.source AS g_source,
        g.health_json AS g_health_json, g.registration_state AS g_registration_state
 FROM inboxes i
 LEFT JOIN health_snapshots s ON s.id = (
     SELECT s2.id FROM health_snapshots s2 WHERE s2.inbox_id = i.id
     ORDER BY s2.checked_at DESC, s2.id DESC LIMIT 1)
 LEFT JOIN health_snapshots g ON g.id = (
     SELECT g2.id FROM health_snapshots g2
     WHERE g2.inbox_id = i.id AND g2.health_json IS NOT NULL
     ORDER BY g2.checked_at DESC, g2.id DESC LIMIT 1)";

impl StoredLatestAndGood {
    fn into_pair(self) -> (i64, LatestAndGood) {
        let r = self;
        let latest = r.id.map(|id| {
            HealthSnapshot::from(StoredSnapshot {
                id,
                inbox_id: r.inbox_id,
                checked_at: r.checked_at.unwrap_or_default(),
                source: r.source.unwrap_or_default(),
                health_json: r.health_json,
                error_kind: r.error_kind,
                error_message: r.error_message,
                error_subcode: r.error_subcode,
                registration_state: r.registration_state.unwrap_or_default(),
            })
        });
        let good = r.g_id.map(|id| {
            HealthSnapshot::from(StoredSnapshot {
                id,
                inbox_id: r.inbox_id,
                checked_at: r.g_checked_at.unwrap_or_default(),
                source: r.g_source.unwrap_or_default(),
                health_json: r.g_health_json,
                error_kind: None,
                error_message: None,
                error_subcode: None,
                registration_state: r.g_registration_state.unwrap_or_default(),
            })
        });
        (r.inbox_id, (latest, good))
    }
}

/// An inbox row joined with its newest snapshot and its newest good one (`g_` columns).
#[derive(sqlx::FromRow)]
struct StoredLatestAndGood {
    inbox_id: i64,
    business_account_id: String,
    access_proven_at: Option<i64>,
    id: Option<i64>,
    checked_at: Option<i64>,
    source: Option<String>,
    health_json: Option<String>,
    error_kind: Option<String>,
    error_message: Option<String>,
    error_subcode: Option<i64>,
    registration_state: Option<String>,
    g_id: Option<i64>,
    g_checked_at: Option<i64>,
    g_source: Option<String>,
    g_health_json: Option<String>,
    g_registration_state: Option<String>,
}

impl From<StoredInboxLatest> for InboxLatest {
    fn from(row: StoredInboxLatest) -> Self {
        let latest = row.id.map(|id| {
            HealthSnapshot::from(StoredSnapshot {
                id,
                inbox_id: row.inbox_id,
                checked_at: row.checked_at.unwrap_or_default(),
                source: row.source.unwrap_or_default(),
                health_json: row.health_json,
                error_kind: row.error_kind,
                error_message: row.error_message,
                error_subcode: row.error_subcode,
                registration_state: row.registration_state.unwrap_or_default(),
            })
        });
        InboxLatest {
            inbox_id: row.inbox_id,
            phone_number_id: row.phone_number_id,
            latest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(health_json: Option<&str>, error_kind: Option<&str>) -> StoredSnapshot {
        StoredSnapshot {
            id: 7,
            inbox_id: 3,
            checked_at: 1_767_225_700,
            source: "background".into(),
            health_json: health_json.map(str::to_owned),
            error_kind: error_kind.map(str::to_owned),
            error_message: error_kind.map(|_| "Meta did not answer.".to_owned()),
            error_subcode: None,
            registration_state: "registered".into(),
        }
    }

    #[test]
    fn a_good_row_parses_once_into_the_typed_read() {
        let s = HealthSnapshot::from(stored(
            Some(
                r#"{"quality_rating":"GREEN","messaging_limit":"TIER_1K","display_phone_number":"+1 555"}"#,
            ),
            None,
        ));
        let health = s.health.as_ref().expect("parsed");
        assert_eq!(
            health.quality_rating,
            Some(crate::graph::QualityRating::Green)
        );
        assert_eq!(
            health.messaging_limit,
            Some(crate::graph::MessagingLimit::Tier1K)
        );
        assert!(s.is_good());
        assert_eq!(s.error_kind, None);
        assert_eq!(s.source, Source::Background);
        assert_eq!(s.registration_state, RegistrationState::Registered);
    }

    #[test]
    fn a_failed_read_keeps_its_error() {
        let s = HealthSnapshot::from(stored(None, Some("token_invalid")));
        assert!(!s.is_good());
        assert_eq!(s.error_kind, Some(GraphErrorKind::TokenInvalid));
        assert_eq!(s.error_message.as_deref(), Some("Meta did not answer."));
    }

    #[test]
    fn a_row_whose_json_no_longer_parses_is_a_failed_read_with_a_note_not_a_panic() {
        for damaged in ["{not json", "[1,2,3]", "\"GREEN\"", ""] {
            let s = HealthSnapshot::from(stored(Some(damaged), None));
            assert!(!s.is_good(), "{damaged}");
            assert_eq!(s.error_kind, Some(GraphErrorKind::Other), "{damaged}");
            assert!(
                s.error_message
                    .as_deref()
                    .is_some_and(|m| m.contains("could not read back")),
                "{damaged}: {:?}",
                s.error_message
            );
            assert_eq!(s.registration_state, RegistrationState::Registered);
        }
    }

    #[test]
    fn unknown_stored_names_are_kept_or_read_as_unknown() {
        let mut row = stored(None, Some("a_kind_from_the_future"));
        row.source = "elsewhere".into();
        row.registration_state = "a_state_from_the_future".into();
        let s = HealthSnapshot::from(row);
        assert_eq!(s.source, Source::Other("elsewhere".into()));
        assert_eq!(s.source.as_str(), "elsewhere");
        assert_eq!(s.error_kind, Some(GraphErrorKind::Other));
        assert_eq!(s.registration_state, RegistrationState::Unknown);
    }

    #[test]
    fn sources_keep_the_stored_names() {
        for (source, name) in [
            (Source::View, "view"),
            (Source::Refresh, "refresh"),
            (Source::Setup, "setup"),
            (Source::Retrier, "retrier"),
            (Source::Registration, "registration"),
            (Source::Webhook, "webhook"),
            (Source::Background, "background"),
        ] {
            assert_eq!(source.as_str(), name);
            assert_eq!(name.parse::<Source>(), Ok(source.clone()));
            assert_eq!(source.to_string(), name);
        }
    }
}
