//! The database: connection, migrations and one module of queries per table group.
//!
//! One binary speaks SQLite (the default, one file in the data directory) and PostgreSQL (several
//! instances on one database) through sqlx's `Any` driver. The SQL is written once for both:
//! `$n` placeholders, unix-second `BIGINT` times, `TEXT`, and 0/1 integers instead of booleans
//! (`Any` decodes a SQLite integer as an integer, never as a `bool`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};

pub mod demo_mark;
pub mod key_rotation;

/// The pool every query goes through (SQLite or PostgreSQL, see [`Backend`]). Only stores hold it.
pub type Db = sqlx::AnyPool;

/// A transaction on [`Db`], for writes a store must land together.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The oldest PostgreSQL Greenlight runs on (13 is the oldest release its community still
/// supported when this was written; the schema needs nothing newer).
pub const MIN_POSTGRES_MAJOR: u32 = 13;

/// How long one statement may run on PostgreSQL before the server cancels it, unless the URL sets
/// its own `statement_timeout` (`?options=-c%20statement_timeout%3D…`). Bounds a stuck query
/// instead of letting it hold a pooled connection forever.
pub const POSTGRES_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections one instance opens at most for queries. A managed PostgreSQL limits connections
/// per server: N instances take at most N × (this + [`crate::sessions::MAX_CONNECTIONS`]).
pub const MAX_CONNECTIONS: u32 = 10;

/// How long SQLite waits for another writer before answering "database is locked".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database a URL or a pool speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://…` (or `sqlite:…`): one file, one instance.
    Sqlite,
    /// `postgres://…` or `postgresql://…`: one database, any number of instances.
    Postgres,
}

impl Backend {
    /// The backend a database URL names; `None` for any other scheme.
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.trim().split(':').next().unwrap_or("");
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The backend behind a pool (from the URL it was opened with).
    pub fn of(db: &Db) -> Backend {
        Backend::from_url(db.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    /// The backend behind one connection (a transaction, say).
    pub fn of_connection(conn: &AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("PostgreSQL") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Why the database could not be opened or migrated; names the file or the host and database,
/// never a password.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot open the database {target}: {reason}")]
    Open { target: String, reason: String },
    #[error("cannot reach the PostgreSQL server of {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error(
        "the PostgreSQL server of {target} runs version {version}; Greenlight needs PostgreSQL \
         {MIN_POSTGRES_MAJOR} or newer"
    )]
    TooOld { target: String, version: String },
    #[error("cannot migrate the database {target}: {reason}")]
    Migrate { target: String, reason: String },
    #[error("refusing to open the database {target}: {reason}")]
    Newer { target: String, reason: String },
}

/// A database URL as it may be printed: the SQLite path, or `postgres://user@host:port/db` without
/// the password and without query parameters (which may carry one too).
pub fn describe(url: &str) -> String {
    if Backend::from_url(url) == Some(Backend::Postgres) {
        return match url::Url::parse(url.trim()) {
            Ok(mut u) => {
                let _ = u.set_password(None);
                u.set_query(None);
                u.set_fragment(None);
                u.to_string()
            }
            Err(_) => "(an unparsable PostgreSQL URL)".to_string(),
        };
    }
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
    sqlx::any::install_default_drivers();
    let url = url.trim();
    let target = describe(url);
    let pool = match Backend::from_url(url) {
        Some(Backend::Sqlite) => open_sqlite(url, &target).await?,
        Some(Backend::Postgres) => open_postgres(url, &target).await?,
        None => {
            return Err(DbOpenError::Open {
                target,
                reason: "the URL must start with sqlite:// or postgres:// (postgresql://)".into(),
            })
        }
    };
    migrate(&pool).await.map_err(|e| match e {
        MigrationError::NewerDatabase { .. } => DbOpenError::Newer {
            target: target.clone(),
            reason: e.to_string(),
        },
        e => DbOpenError::Migrate {
            target: target.clone(),
            reason: e.to_string(),
        },
    })?;
    Ok(pool)
}

async fn open_sqlite(url: &str, target: &str) -> Result<Db, DbOpenError> {
    let open_err = |reason: String| DbOpenError::Open {
        target: target.to_owned(),
        reason,
    };
    let native = SqliteConnectOptions::from_str(url)
        .map_err(|e| open_err(e.to_string()))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let file = database_file(target);
    if let Some(file) = &file {
        if let Some(parent) = file.parent() {
            // A directory we create is private; an existing one may be shared (e.g. /var/lib).
            if !parent.as_os_str().is_empty() && !parent.exists() {
                crate::private_files::ensure_dir(parent).map_err(|e| open_err(e.to_string()))?;
            }
        }
        crate::private_files::ensure_file(file).map_err(|e| open_err(e.to_string()))?;
        // WAL is a property of the file: set once here with the native driver (`Any` passes only
        // the URL to SQLite, and the URL cannot ask for WAL).
        native
            .connect()
            .await
            .map_err(|e| open_err(e.to_string()))?
            .close()
            .await
            .map_err(|e| open_err(e.to_string()))?;
    }
    let options = AnyConnectOptions::from_str(url).map_err(|e| open_err(e.to_string()))?;
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        // A file connection does not go stale as a socket does; the ping before each acquire is a
        // round trip to the connection's thread on every query (5 % of a page's samples in a profile).
        .test_before_acquire(false)
        // The rest are per connection, so every pooled connection gets them.
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
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
    Ok(pool)
}

/// What every SQLite connection runs first: referential integrity, the WAL-safe sync level and a
/// wait ([`SQLITE_BUSY_TIMEOUT`]) instead of an immediate "database is locked" when another
/// connection writes.
const SQLITE_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;";

/// What every PostgreSQL connection runs first unless its URL sets a timeout
/// ([`POSTGRES_STATEMENT_TIMEOUT`], in milliseconds).
const POSTGRES_SET_TIMEOUT: &str = "SET statement_timeout = 30000";

async fn open_postgres(url: &str, target: &str) -> Result<Db, DbOpenError> {
    let options = AnyConnectOptions::from_str(url).map_err(|e| DbOpenError::Open {
        target: target.to_owned(),
        reason: e.to_string(),
    })?;
    // One connection first: the pool would retry an unreachable server until its acquire timeout
    // and then only say "pool timed out"; this says why, at once.
    let mut probe =
        AnyConnection::connect_with(&options)
            .await
            .map_err(|e| DbOpenError::Unreachable {
                target: target.to_owned(),
                reason: connect_reason(&e),
            })?;
    let version = server_version(&mut probe)
        .await
        .map_err(|e| DbOpenError::Open {
            target: target.to_owned(),
            reason: e.to_string(),
        })?;
    let _ = probe.close().await;
    if version.major < MIN_POSTGRES_MAJOR {
        return Err(DbOpenError::TooOld {
            target: target.to_owned(),
            version: version.text,
        });
    }
    let set_timeout = !url.contains("statement_timeout");
    AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        // Connections a managed server or a proxy may cut are recycled before that happens.
        .idle_timeout(Duration::from_secs(5 * 60))
        .max_lifetime(Duration::from_secs(30 * 60))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if set_timeout {
                    conn.execute(POSTGRES_SET_TIMEOUT).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| DbOpenError::Unreachable {
            target: target.to_owned(),
            reason: connect_reason(&e),
        })
}

/// A connection error in words that never repeat the URL (sqlx's configuration errors may).
fn connect_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Configuration(_) => "the URL is not a valid PostgreSQL URL".to_string(),
        other => other.to_string(),
    }
}

/// A PostgreSQL server's version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion {
    /// The major release (13, 14, …).
    pub major: u32,
    /// As the server prints it (`15.8 (Debian 15.8-0+deb12u1)`).
    pub text: String,
}

/// The version of the PostgreSQL server behind `conn`.
pub async fn server_version(conn: &mut AnyConnection) -> sqlx::Result<ServerVersion> {
    let (num, text): (String, String) = sqlx::query_as(
        "SELECT current_setting('server_version_num'), current_setting('server_version')",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(ServerVersion {
        major: major_of(&num),
        text,
    })
}

/// The major release in a `server_version_num` (major × 10000 + minor since PostgreSQL 10; older
/// servers' numbers give 9 or less, and garbage 0: both too old).
fn major_of(server_version_num: &str) -> u32 {
    server_version_num
        .trim()
        .parse::<u32>()
        .map(|n| n / 10_000)
        .unwrap_or(0)
}

/// The migrations this binary carries for a backend.
pub fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    }
}

/// Applies pending migrations: `migrations/sqlite` or `migrations/postgres`, by backend.
///
/// Migrations only go forward. A database that has a migration this binary does not know was
/// upgraded by a newer Greenlight: nothing is applied and the answer says so (an older binary
/// would misread the newer schema).
pub async fn migrate(db: &Db) -> Result<(), MigrationError> {
    let migrator = migrator(Backend::of(db));
    check_not_newer(db, &migrator).await?;
    migrator.run(db).await.map_err(MigrationError::Apply)
}

/// Why migrating stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "it was upgraded by a newer Greenlight (it has migration {found}; this binary knows up to \
         {known}): run that version or newer, or restore a backup made before the upgrade"
    )]
    NewerDatabase { found: i64, known: i64 },
    #[error("reading the applied migrations: {0}")]
    Read(#[from] sqlx::Error),
    #[error(transparent)]
    Apply(sqlx::migrate::MigrateError),
}

/// The versions applied to this database, oldest first (none before the first migration).
pub async fn applied_migrations(db: &Db) -> sqlx::Result<Vec<i64>> {
    let exists_query = match Backend::of(db) {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let exists: i64 = sqlx::query_scalar(exists_query).fetch_one(db).await?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(db)
        .await
}

/// Refuses a database that has a migration `migrator` does not know.
async fn check_not_newer(
    db: &Db,
    migrator: &sqlx::migrate::Migrator,
) -> Result<(), MigrationError> {
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let applied = applied_migrations(db).await?;
    match unknown_migration(&known, &applied) {
        Some(found) => Err(MigrationError::NewerDatabase {
            found,
            known: known.iter().copied().max().unwrap_or(0),
        }),
        None => Ok(()),
    }
}

/// The newest applied migration that is not among the known ones.
fn unknown_migration(known: &[i64], applied: &[i64]) -> Option<i64> {
    applied.iter().copied().filter(|v| !known.contains(v)).max()
}

/// A 0/1 integer column read as a `bool` (`#[sqlx(try_from = "crate::db::Flag")]` on the field):
/// `Any` decodes SQLite's integers only as integers, so flags are integers on both backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct Flag(pub i64);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0 != 0
    }
}

/// One trivial query through the pool the requests use: the readiness probe's question.
pub async fn ping(db: &Db) -> sqlx::Result<()> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(db)
        .await
        .map(|_| ())
}

/// Current time in unix seconds, the unit every stored time uses.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
    }

    #[test]
    fn the_connection_set_up_matches_the_constants() {
        assert!(SQLITE_PRAGMAS.contains(&format!(
            "busy_timeout = {};",
            SQLITE_BUSY_TIMEOUT.as_millis()
        )));
        assert!(POSTGRES_SET_TIMEOUT
            .ends_with(&format!("= {}", POSTGRES_STATEMENT_TIMEOUT.as_millis())));
    }

    #[test]
    fn versions_before_13_are_too_old() {
        assert_eq!(major_of("150018"), 15);
        assert_eq!(major_of("130000"), 13);
        assert_eq!(major_of("120022"), 12);
        assert_eq!(major_of("90624"), 9);
        assert_eq!(major_of("x"), 0);
        let e = DbOpenError::TooOld {
            target: "postgres://gl@db.example/greenlight".into(),
            version: "12.22".into(),
        };
        assert_eq!(
            e.to_string(),
            "the PostgreSQL server of postgres://gl@db.example/greenlight runs version 12.22; \
             Greenlight needs PostgreSQL 13 or newer"
        );
    }

    #[test]
    fn a_migration_this_binary_does_not_know_is_found() {
        assert_eq!(unknown_migration(&[1, 2, 3], &[1, 2]), None);
        assert_eq!(unknown_migration(&[1, 2, 3], &[1, 2, 3]), None);
        assert_eq!(unknown_migration(&[1, 2, 3], &[1, 2, 3, 16, 17]), Some(17));
        let e = MigrationError::NewerDatabase {
            found: 17,
            known: 12,
        };
        assert!(!e.to_string().contains('\n'), "one line");
    }

    #[test]
    fn a_described_postgres_url_has_no_password() {
        let d = describe(
            "postgres://gl:s3cret@db.example:5433/greenlight?password=other&sslmode=require",
        );
        assert_eq!(d, "postgres://gl@db.example:5433/greenlight");
        assert!(!d.contains("s3cret") && !d.contains("other"));
        assert_eq!(
            describe("sqlite:///var/lib/gl/greenlight.db"),
            "/var/lib/gl/greenlight.db"
        );
    }
}
