//! `greenlight backup PATH` and `greenlight restore PATH [--force]` (SQLite; PostgreSQL has
//! `pg_dump` and `pg_restore`).
//!
//! A backup is SQLite's `VACUUM INTO`: one consistent copy taken inside a read transaction, so the
//! server keeps running meanwhile. Beside it goes a note naming the key the sealed secrets need
//! (its id, and where it was read from), never the key itself: a backup and its key kept together
//! are the secrets in clear to whoever finds them.
//!
//! A restore checks the copy (SQLite's `quick_check`, Greenlight's migrations, none newer than
//! this binary), refuses while a server holds the target database and, without `--force`, when
//! the target already holds data; then writes it beside the target and renames it into place.
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::config::DbArgs;
use crate::crypto::{self, SecretBox, KEY_FILE, NEW_KEY_FILE, PREVIOUS_KEY_FILE};
use crate::db::Backend;

/// `greenlight backup` options.
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The file to write (it must not exist yet); a note `PATH.note.txt` goes beside it.
    pub path: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// The configured key, when the server uses one: the note names its id.
    #[arg(long, env = "GREENLIGHT_SECRET_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub secret_key: Option<SecretString>,
}

/// `greenlight restore` options.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A file written by `greenlight backup`.
    pub path: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace a database that already holds data (never one a running server holds).
    #[arg(long)]
    pub force: bool,
}

fn secret_arg(s: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(s))
}

/// Why a backup or a restore stopped; one line each.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "the database is PostgreSQL: back it up with pg_dump (e.g. pg_dump --format=custom \
         --file=greenlight.dump \"$DATABASE_URL\"), restore with pg_restore, and keep the key \
         (GREENLIGHT_SECRET_KEY or the data directory's secret.key) apart from the dump"
    )]
    Postgres,
    #[error("{0} is an in-memory database; there is nothing to back up or restore")]
    InMemory(String),
    #[error("there is no database at {0} (is GREENLIGHT_DATA_DIR or DATABASE_URL right?)")]
    NoDatabase(PathBuf),
    #[error("{0} already exists; choose a new file name (a backup never overwrites)")]
    Exists(PathBuf),
    #[error("there is no backup at {0}")]
    NoBackup(PathBuf),
    #[error("{path} is not a Greenlight backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error(
        "{path} was made by a newer Greenlight (migration {found}; this binary knows up to \
         {known}): restore it with that version or newer"
    )]
    NewerBackup {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("a running Greenlight holds {0}: stop it, then restore")]
    InUse(PathBuf),
    #[error(
        "{0} already holds a database; pass --force to replace it (back it up first if it may \
         still be needed)"
    )]
    NotEmpty(PathBuf),
    #[error("the key: {0}")]
    Key(#[from] crypto::CryptoError),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: sqlx::Error },
}

/// What `backup` wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Backup {
    pub backup: PathBuf,
    pub note: PathBuf,
    pub bytes: u64,
    /// The newest migration in the copy.
    pub migration: i64,
    /// The id of the key the sealed secrets need (as in the sealed values), when one was found.
    pub key_id: Option<String>,
}

/// What `restore` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restored {
    pub restored: PathBuf,
    pub from: PathBuf,
    pub migration: i64,
}

/// Where the key is and which id it has (and the other key files a rotation left readable).
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyNote {
    current: Option<(String, String)>,
    others: Vec<(String, String)>,
}

fn key_note(configured: Option<&str>, data_dir: &Path) -> Result<KeyNote, BackupError> {
    if let Some(k) = configured {
        let id = SecretBox::load(Some(k), data_dir)?.key_id().to_owned();
        return Ok(KeyNote {
            current: Some((
                id,
                "the key configured in GREENLIGHT_SECRET_KEY (--secret-key)".into(),
            )),
            others: Vec::new(),
        });
    }
    let id_of = |name: &str| -> Result<Option<(String, String)>, BackupError> {
        let path = data_dir.join(name);
        Ok(crypto::read_key_file(&path)?.map(|key| {
            (
                SecretBox::from_key(key).key_id().to_owned(),
                format!("the key file {}", path.display()),
            )
        }))
    };
    let current = id_of(KEY_FILE)?;
    let mut others = Vec::new();
    for name in [NEW_KEY_FILE, PREVIOUS_KEY_FILE] {
        others.extend(id_of(name)?);
    }
    Ok(KeyNote { current, others })
}

/// The SQLite file of `db`, or why there is none to work on.
fn sqlite_file(db: &DbArgs) -> Result<PathBuf, BackupError> {
    let url = db.url();
    match Backend::from_url(&url) {
        Some(Backend::Postgres) => return Err(BackupError::Postgres),
        Some(Backend::Sqlite) => {}
        None => {
            return Err(BackupError::NotABackup {
                path: PathBuf::from(crate::db::describe(&url)),
                reason: "the database URL must start with sqlite:// or postgres://".into(),
            })
        }
    }
    let described = crate::db::describe(&url);
    let path = described.split('?').next().unwrap_or(&described);
    if path.is_empty() || path.contains(":memory:") || described.contains("mode=memory") {
        return Err(BackupError::InMemory(described));
    }
    Ok(PathBuf::from(path))
}

fn sqlite_err(path: &Path) -> impl FnOnce(sqlx::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

fn file_err(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// `greenlight backup PATH`: a consistent copy of the SQLite database (the server may run), and
/// the note beside it.
pub async fn backup(a: &BackupArgs) -> Result<Backup, BackupError> {
    let source = sqlite_file(&a.db)?;
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source));
    }
    if a.path.exists() {
        return Err(BackupError::Exists(a.path.clone()));
    }
    let note_path = note_path(&a.path);
    if note_path.exists() {
        return Err(BackupError::Exists(note_path));
    }
    let key = key_note(
        a.secret_key.as_ref().map(|k| k.expose_secret()),
        &a.db.data_dir,
    )?;
    let mut conn = SqliteConnectOptions::new()
        .filename(&source)
        .create_if_missing(false)
        // The server may be writing: wait for it rather than fail.
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(sqlite_err(&source))?;
    // Created empty and private first: the copy holds sealed secrets and password hashes.
    crate::private_files::ensure_file(&a.path).map_err(file_err(&a.path))?;
    let copied = sqlx::query("VACUUM INTO ?1")
        .bind(a.path.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&a.path);
        return Err(sqlite_err(&a.path)(e));
    }
    let migration = newest_migration(&a.path).await?;
    let bytes = std::fs::metadata(&a.path).map_err(file_err(&a.path))?.len();
    let note = note_text(&a.path, &source, migration, &key);
    write_note(&note_path, &note)?;
    Ok(Backup {
        backup: a.path.clone(),
        note: note_path,
        bytes,
        migration,
        key_id: key.current.map(|(id, _)| id),
    })
}

/// The note's file: `PATH.note.txt`.
pub fn note_path(backup: &Path) -> PathBuf {
    let mut p = backup.as_os_str().to_owned();
    p.push(".note.txt");
    PathBuf::from(p)
}

fn write_note(path: &Path, text: &str) -> Result<(), BackupError> {
    use std::io::Write;
    crate::private_files::ensure_file(path).map_err(file_err(path))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(file_err(path))?;
    f.write_all(text.as_bytes()).map_err(file_err(path))
}

fn note_text(backup: &Path, source: &Path, migration: i64, key: &KeyNote) -> String {
    let made = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    let version = env!("CARGO_PKG_VERSION");
    let key_lines = match &key.current {
        Some((id, from)) => {
            let mut s = format!(
                "The access tokens, PINs and alert webhook URLs in it are sealed. Reading them needs the\n\
                 key with id {id}, which was {from}.\n"
            );
            for (id, from) in &key.others {
                s.push_str(&format!(
                    "Values sealed before a key rotation may need the key with id {id}: {from}.\n"
                ));
            }
            s
        }
        None => "The access tokens, PINs and alert webhook URLs in it are sealed, and no key was found\n\
                 (no GREENLIGHT_SECRET_KEY, no secret.key in the data directory): restore it with the\n\
                 key the server that wrote it used.\n"
            .to_string(),
    };
    format!(
        "Greenlight backup\n\
         file:      {backup}\n\
         made:      {made} by greenlight {version}\n\
         from:      {source}\n\
         migration: {migration}\n\
         \n\
         {key_lines}\
         The key is NOT in this backup. Keep the key and the backup in different places: together\n\
         they are the secrets in clear. (The key id is a fingerprint: it identifies the key and\n\
         cannot recreate it.)\n\
         \n\
         To restore: stop the server, put the key file in the data directory as secret.key (or\n\
         set GREENLIGHT_SECRET_KEY), then\n\
         \x20   greenlight restore {backup} --data-dir DIR   (--force to replace a database)\n",
        backup = backup.display(),
        source = source.display(),
    )
}

/// `greenlight restore PATH`: checks the backup, then puts it in place of the configured SQLite
/// database.
pub async fn restore(a: &RestoreArgs) -> Result<Restored, BackupError> {
    let target = sqlite_file(&a.db)?;
    if !a.path.is_file() {
        return Err(BackupError::NoBackup(a.path.clone()));
    }
    let migration = check_backup(&a.path).await?;
    if target.exists() {
        if in_use(&target).await? {
            return Err(BackupError::InUse(target));
        }
        if !a.force && holds_data(&target).await? {
            return Err(BackupError::NotEmpty(target));
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            crate::private_files::ensure_dir(dir).map_err(file_err(dir))?;
        }
    }
    // Written beside the target, then renamed: an interrupted restore leaves the old database.
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    crate::private_files::ensure_file(&partial).map_err(file_err(&partial))?;
    let mut conn = read_only(&a.path).await?;
    let copied = sqlx::query("VACUUM INTO ?1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(sqlite_err(&partial)(e));
    }
    // The old database's write-ahead log belongs to the old file: left beside the new one, SQLite
    // would replay it into the restored database.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side).map_err(file_err(&side))?;
        }
    }
    std::fs::rename(&partial, &target).map_err(file_err(&target))?;
    Ok(Restored {
        restored: target,
        from: a.path.clone(),
        migration,
    })
}

async fn read_only(path: &Path) -> Result<SqliteConnection, BackupError> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(sqlite_err(path))
}

/// The backup is an intact SQLite file with Greenlight's migrations, none newer than this binary;
/// answers its newest migration.
async fn check_backup(path: &Path) -> Result<i64, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = read_only(path)
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    let check: Result<String, _> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await;
    let applied: Result<Vec<i64>, _> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&mut conn)
            .await;
    let _ = conn.close().await;
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => return Err(not_a_backup(format!("damaged ({problem})"))),
        Err(e) => return Err(not_a_backup(format!("not a SQLite database ({e})"))),
    }
    let applied = applied.map_err(|_| not_a_backup("it has no Greenlight migrations".into()))?;
    let known: Vec<i64> = crate::db::migrator(Backend::Sqlite)
        .iter()
        .map(|m| m.version)
        .collect();
    if let Some(found) = applied.iter().copied().filter(|v| !known.contains(v)).max() {
        return Err(BackupError::NewerBackup {
            path: path.to_path_buf(),
            found,
            known: known.iter().copied().max().unwrap_or(0),
        });
    }
    applied
        .iter()
        .copied()
        .max()
        .ok_or_else(|| not_a_backup("it has no Greenlight migrations".into()))
}

async fn newest_migration(path: &Path) -> Result<i64, BackupError> {
    let mut conn = read_only(path).await?;
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(sqlite_err(path))?;
    let _ = conn.close().await;
    Ok(newest.unwrap_or(0))
}

/// Whether another connection (a running server, in this process or another) has the database
/// open. Every connection to a WAL database holds a shared lock on the file while it is open, so
/// the exclusive lock this asks for, without waiting, is refused exactly then.
async fn in_use(path: &Path) -> Result<bool, BackupError> {
    let url = format!("sqlite://{}", path.display());
    let mut conn = SqliteConnectOptions::from_str(&url)
        .map_err(sqlite_err(path))?
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
        .map_err(sqlite_err(path))?;
    sqlx::query("PRAGMA locking_mode = EXCLUSIVE")
        .execute(&mut conn)
        .await
        .map_err(sqlite_err(path))?;
    let held = match sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await {
        Ok(_) => {
            sqlx::query("COMMIT")
                .execute(&mut conn)
                .await
                .map_err(sqlite_err(path))?;
            false
        }
        Err(sqlx::Error::Database(e))
            if e.message().contains("locked") || e.message().contains("busy") =>
        {
            true
        }
        Err(e) => return Err(sqlite_err(path)(e)),
    };
    let _ = conn.close().await;
    Ok(held)
}

/// Whether the database has any table (an empty file, or one SQLite just created, has none).
async fn holds_data(path: &Path) -> Result<bool, BackupError> {
    let mut conn = read_only(path).await?;
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        .fetch_one(&mut conn)
        .await
        .map_err(sqlite_err(path))?;
    let _ = conn.close().await;
    Ok(tables > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_the_key_id_and_where_it_was_never_the_key() {
        let key = [7u8; 32];
        let id = SecretBox::from_key(key).key_id().to_owned();
        let note = note_text(
            Path::new("/backups/gl.db"),
            Path::new("/var/lib/greenlight/greenlight.db"),
            12,
            &KeyNote {
                current: Some((
                    id.clone(),
                    "the key file /var/lib/greenlight/secret.key".into(),
                )),
                others: Vec::new(),
            },
        );
        assert!(note.contains(&format!("key with id {id}")), "{note}");
        assert!(note.contains("/var/lib/greenlight/secret.key"));
        assert!(note.contains("migration: 12"));
        assert!(!note.contains(&hex::encode(key)), "never the key");
        assert_eq!(
            note_path(Path::new("/b/gl.db")),
            Path::new("/b/gl.db.note.txt")
        );
    }

    #[test]
    fn postgres_is_pg_dump_s_job() {
        let db = DbArgs {
            data_dir: "/tmp/x".into(),
            database_url: Some("postgres://gl@db/greenlight".into()),
        };
        let e = sqlite_file(&db).unwrap_err();
        assert!(matches!(e, BackupError::Postgres));
        assert!(e.to_string().contains("pg_dump"));
    }
}
