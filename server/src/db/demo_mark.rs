//! The mark that makes a SQLite file a demo database, and the check that demo mode never takes
//! a database with real users in it. Runs before anything is migrated, on a bare connection.
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The SQLite `application_id` ("GLDM") of a database made by `serve --demo`.
pub const DEMO_APPLICATION_ID: i32 = 0x474c_444d;

/// Why demo mode will not use a database.
#[derive(Debug, thiserror::Error)]
pub enum DemoDbError {
    #[error("{target} holds a non-demo database; demo mode never touches one (use another --data-dir, or leave it out for <data dir>/demo)")]
    NotDemo { target: String },
    #[error("cannot inspect the database {target}: {reason}")]
    Open { target: String, reason: String },
    #[error(
        "the demo runs on SQLite only; {target} is not a sqlite:// URL (leave --database-url out)"
    )]
    NotSqlite { target: String },
}

/// Opens (creating it when missing) the SQLite database at `url` before anything is migrated
/// into it, and takes it for the demo: a database already marked with [`DEMO_APPLICATION_ID`],
/// or whose users' e-mail addresses all match `demo_emails` (a `LIKE` pattern) and whose
/// accounts are all named `demo_account`, is marked; any other is refused.
pub async fn claim(url: &str, demo_account: &str, demo_emails: &str) -> Result<(), DemoDbError> {
    // Its marker is SQLite's `application_id`; a shared PostgreSQL is never a demo's.
    if crate::db::Backend::from_url(url) != Some(crate::db::Backend::Sqlite) {
        return Err(DemoDbError::NotSqlite {
            target: crate::db::describe(url),
        });
    }
    let target = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .to_string();
    let fail = |e: &dyn std::fmt::Display| DemoDbError::Open {
        target: target.clone(),
        reason: e.to_string(),
    };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| fail(&e))?
        .create_if_missing(true);
    if let Some(parent) = std::path::Path::new(&target).parent() {
        if !parent.as_os_str().is_empty() && !target.contains(":memory:") {
            std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
        }
    }
    let mut conn = options.connect().await.map_err(|e| fail(&e))?;
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| fail(&e))?;
    if id != DEMO_APPLICATION_ID {
        let has = |table: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
            )
            .bind(table)
        };
        let mut foreign = 0;
        if has("users")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| fail(&e))?
            > 0
        {
            foreign +=
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE email NOT LIKE $1")
                    .bind(demo_emails)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| fail(&e))?;
        }
        if has("accounts")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| fail(&e))?
            > 0
        {
            foreign +=
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts WHERE name <> $1")
                    .bind(demo_account)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| fail(&e))?;
        }
        if foreign > 0 {
            return Err(DemoDbError::NotDemo { target });
        }
        sqlx::query(&format!("PRAGMA application_id = {DEMO_APPLICATION_ID}"))
            .execute(&mut conn)
            .await
            .map_err(|e| fail(&e))?;
    }
    conn.close().await.map_err(|e| fail(&e))
}
