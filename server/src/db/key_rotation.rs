//! `greenlight keys rotate`: every sealed value re-sealed under a new key file.
//!
//! The order makes a crash at any point recoverable: the new key is written to
//! `secret.key.new` first; the database is re-sealed in one transaction; only then do the files
//! move (`secret.key` → `secret.key.previous`, `secret.key.new` → `secret.key`). `SecretBox::load`
//! reads all three, so whichever step was reached, every value opens.
//!
//! Every value comes out in the bound format under the new key, whatever it was before (legacy,
//! or bound under the old key): a rotation is also how a database written by a version before the
//! bound format is upgraded. Rows are found and updated by primary key, the same key the values
//! are bound to, in SQL that runs on SQLite and PostgreSQL alike (no `rowid`).
use std::path::Path;

use crate::crypto::{
    self, KeyType, RowKey, SealedColumn, SecretBox, KEY_FILE, NEW_KEY_FILE, PREVIOUS_KEY_FILE,
};
use crate::db::Db;

/// Every column that holds a sealed value.
pub const SEALED_COLUMNS: &[SealedColumn] = &[
    crypto::INBOX_ACCESS_TOKEN,
    crypto::NUMBER_PIN,
    crypto::WEBHOOK_SECRET,
    crypto::WEBHOOK_URL,
];

/// Why a rotation stopped (the database is unchanged unless the message says otherwise).
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Key(#[from] crypto::CryptoError),
    #[error("{path}: {source}")]
    File {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("there is no key file {0} to rotate (is GREENLIGHT_DATA_DIR right?)")]
    NoKeyFile(std::path::PathBuf),
    #[error("{table}.{column} of the row with {key} {row} does not open with the current or previous key")]
    Unreadable {
        table: &'static str,
        column: &'static str,
        key: &'static str,
        /// The row's primary key, as text.
        row: String,
    },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rotated {
    pub old_key_id: String,
    pub new_key_id: String,
    pub resealed: usize,
}

/// Re-seals every value under a new key and installs it as the key file of `data_dir`.
pub async fn rotate(db: &Db, data_dir: &Path) -> Result<Rotated, RotateError> {
    let current_path = data_dir.join(KEY_FILE);
    if !current_path.exists() {
        return Err(RotateError::NoKeyFile(current_path));
    }
    let old = SecretBox::load(None, data_dir)?;
    let new_key = crypto::generate_key();
    let new_path = data_dir.join(NEW_KEY_FILE);
    let file_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RotateError::File { path, source }
    };
    crypto::write_key_file(&new_path, &new_key).map_err(file_err(&new_path))?;
    let new = SecretBox::from_key(new_key);

    let mut tx = db.begin().await?;
    let mut resealed = 0;
    for sealed_column in SEALED_COLUMNS {
        let SealedColumn {
            table, column, key, ..
        } = sealed_column;
        // Names come from the constants, never from input.
        let update = format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2");
        for (row, sealed) in stored(&mut tx, sealed_column).await? {
            let binding = sealed_column.at(row.as_key());
            let plain = old
                .open_bound(&sealed, binding)
                .map_err(|_| RotateError::Unreadable {
                    table,
                    column,
                    key,
                    row: row.as_key().to_string(),
                })?;
            let query = sqlx::query(&update).bind(new.seal_bound(&plain, binding));
            match &row {
                OwnedKey::Int(id) => query.bind(*id),
                OwnedKey::Text(text) => query.bind(text.as_str()),
            }
            .execute(&mut *tx)
            .await?;
            resealed += 1;
        }
    }
    tx.commit().await?;

    let previous_path = data_dir.join(PREVIOUS_KEY_FILE);
    std::fs::rename(&current_path, &previous_path).map_err(file_err(&previous_path))?;
    std::fs::rename(&new_path, &current_path).map_err(file_err(&current_path))?;
    Ok(Rotated {
        old_key_id: old.key_id().to_string(),
        new_key_id: new.key_id().to_string(),
        resealed,
    })
}

/// A primary key read from the database (what [`RowKey`] borrows from).
enum OwnedKey {
    Int(i64),
    Text(String),
}

impl OwnedKey {
    fn as_key(&self) -> RowKey<'_> {
        match self {
            OwnedKey::Int(id) => RowKey::Int(*id),
            OwnedKey::Text(key) => RowKey::Text(key),
        }
    }
}

/// Every non-null value of the column with the primary key of its row.
async fn stored(
    conn: &mut sqlx::AnyConnection,
    sealed_column: &SealedColumn,
) -> sqlx::Result<Vec<(OwnedKey, String)>> {
    let SealedColumn {
        table, column, key, ..
    } = sealed_column;
    // Names come from the constants, never from input.
    let sql =
        format!("SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY {key}");
    Ok(match sealed_column.key_type {
        KeyType::Integer => sqlx::query_as::<_, (i64, String)>(&sql)
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|(id, v)| (OwnedKey::Int(id), v))
            .collect(),
        KeyType::Text => sqlx::query_as::<_, (String, String)>(&sql)
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|(key, v)| (OwnedKey::Text(key), v))
            .collect(),
    })
}
