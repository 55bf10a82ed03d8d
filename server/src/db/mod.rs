//! The database: connection, migrations and one module of queries per table group.
//! SQL is written to stay portable to PostgreSQL: `$n` placeholders, unix-second integer times.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// The pool every query goes through. Only stores hold it.
pub type Db = SqlitePool;

/// A transaction on [`Db`], for writes a store must land together.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Why the database could not be opened or migrated; always names the URL or path.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot open the database {target}: {reason}")]
    Open { target: String, reason: String },
    #[error("cannot migrate the database {target}: {reason}")]
    Migrate { target: String, reason: String },
}

fn describe(url: &str) -> String {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.to_string())
        .unwrap_or_else(|| url.to_string())
}

/// The SQLite file behind a described URL; `None` for in-memory databases.
fn database_file(target: &str) -> Option<std::path::PathBuf> {
    let path = target.split('?').next().unwrap_or(target);
    if path.is_empty() || path.contains(":memory:") || target.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Opens (creating the SQLite file and its directory when missing) and migrates.
pub async fn open(url: &str) -> Result<Db, DbOpenError> {
    let target = describe(url);
    let open_err = |reason: String| DbOpenError::Open {
        target: target.clone(),
        reason,
    };
    if !url.starts_with("sqlite:") {
        return Err(open_err(
            "only sqlite:// URLs are supported by this build (PostgreSQL support comes later)"
                .into(),
        ));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| open_err(e.to_string()))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    let file = database_file(&target);
    if let Some(file) = &file {
        if let Some(parent) = file.parent() {
            // A directory we create is private; an existing one may be shared (e.g. /var/lib).
            if !parent.as_os_str().is_empty() && !parent.exists() {
                crate::private_files::ensure_dir(parent).map_err(|e| open_err(e.to_string()))?;
            }
        }
        crate::private_files::ensure_file(file).map_err(|e| open_err(e.to_string()))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| open_err(e.to_string()))?;
    if let Some(file) = &file {
        // SQLite gives these the database file's mode; a loose one means a loose database.
        for suffix in ["-wal", "-shm"] {
            let mut side = file.clone().into_os_string();
            side.push(suffix);
            crate::private_files::warn_if_looser(
                std::path::Path::new(&side),
                crate::private_files::FILE_MODE,
            );
        }
    }
    migrate(&pool).await.map_err(|e| DbOpenError::Migrate {
        target: target.clone(),
        reason: e.to_string(),
    })?;
    Ok(pool)
}

/// Applies pending migrations.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("./migrations/sqlite").run(db).await
}

/// Current time in unix seconds, the unit every stored time uses.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
