//! Where browser sessions live: the `sessions` table of the same database, kept by
//! `tower-sessions-sqlx-store`'s store for the backend ([`Backend`]).
//!
//! The stores take sqlx's native pools (they need the backend's own types: SQLite keeps the expiry
//! as text, PostgreSQL as `timestamptz`), so the store opens its own small pool on the database URL
//! next to the `Any` pool the queries use.
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::{describe, Backend};

/// The table sessions are stored in (in PostgreSQL's `public` schema, next to the others).
pub const TABLE: &str = "sessions";

/// Connections the session store opens at most (besides [`crate::db::MAX_CONNECTIONS`]).
pub const MAX_CONNECTIONS: u32 = 4;

/// Any number identifying "create the sessions table" among PostgreSQL advisory locks; instances
/// starting at once take turns (the store's `CREATE TABLE IF NOT EXISTS` may otherwise fail on a
/// concurrent creation).
const MIGRATE_LOCK: i64 = 0x676c_7365_7373; // "glsess"

/// Why the session store could not be opened; names the database, never a password.
#[derive(Debug, thiserror::Error)]
pub enum SessionStoreError {
    #[error("cannot open the session store in {target}: {reason}")]
    Open { target: String, reason: String },
    #[error("cannot create the sessions table in {target}: {reason}")]
    Migrate { target: String, reason: String },
}

/// The session store of the database's backend; cheap to clone.
#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Opens the store on the database at `url` (already opened and migrated with
    /// [`crate::db::open`]) and creates its table when missing.
    pub async fn open(url: &str) -> Result<Sessions, SessionStoreError> {
        let url = url.trim();
        let target = describe(url);
        let open_err = |reason: String| SessionStoreError::Open {
            target: target.clone(),
            reason,
        };
        let migrate_err = |e: sqlx::Error| SessionStoreError::Migrate {
            target: target.clone(),
            reason: e.to_string(),
        };
        match Backend::from_url(url) {
            Some(Backend::Sqlite) => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| open_err(e.to_string()))?
                    .create_if_missing(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    // As for the main pool: no ping before each session read (crate::db::open).
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(|e| open_err(e.to_string()))?;
                let store = SqliteStore::new(pool)
                    .with_table_name(TABLE)
                    .map_err(open_err)?;
                store.migrate().await.map_err(migrate_err)?;
                Ok(Sessions::Sqlite(store))
            }
            Some(Backend::Postgres) => {
                // The store compares expiry dates with `now() at time zone 'utc'`: right only when
                // the session's time zone is UTC.
                let options = PgConnectOptions::from_str(url)
                    .map_err(|_| open_err("the URL is not a valid PostgreSQL URL".into()))?
                    .options([("timezone", "UTC")]);
                let pool = PgPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|e| open_err(e.to_string()))?;
                let store = PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name(TABLE))
                    .map_err(open_err)?;
                let mut lock = pool.acquire().await.map_err(migrate_err)?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(MIGRATE_LOCK)
                    .execute(&mut *lock)
                    .await
                    .map_err(migrate_err)?;
                let migrated = store.migrate().await;
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(MIGRATE_LOCK)
                    .execute(&mut *lock)
                    .await
                    .map_err(migrate_err)?;
                migrated.map_err(migrate_err)?;
                Ok(Sessions::Postgres(store))
            }
            None => Err(open_err(
                "the URL must start with sqlite:// or postgres://".into(),
            )),
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite(s) => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
        }
    }
}
