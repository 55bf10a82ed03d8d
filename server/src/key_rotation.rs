//! `greenlight keys rotate`: every sealed value re-sealed under a new key file.
//!
//! The order makes a crash at any point recoverable: the new key is written to
//! `secret.key.new` first; the database is re-sealed in one transaction; only then do the files
//! move (`secret.key` → `secret.key.previous`, `secret.key.new` → `secret.key`). `SecretBox::load`
//! reads all three, so whichever step was reached, every value opens.
use std::path::Path;

use crate::crypto::{self, SecretBox, KEY_FILE, NEW_KEY_FILE, PREVIOUS_KEY_FILE};
use crate::db::Db;

/// Every column that holds a sealed value (`table`, `column`).
pub const SEALED_COLUMNS: &[(&str, &str)] = &[
    ("inboxes", "access_token_sealed"),
    ("number_pins", "pin_sealed"),
    ("outgoing_webhooks", "secret_sealed"),
    ("outgoing_webhooks", "url_sealed"),
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
    #[error("{table}.{column} row {row} does not open with the current or previous key")]
    Unreadable {
        table: &'static str,
        column: &'static str,
        row: i64,
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
    for &(table, column) in SEALED_COLUMNS {
        // Names come from the constant above, never from input.
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL"
        ))
        .fetch_all(&mut *tx)
        .await?;
        for (row, sealed) in rows {
            let plain =
                old.open(&sealed)
                    .map_err(|_| RotateError::Unreadable { table, column, row })?;
            sqlx::query(&format!(
                "UPDATE {table} SET {column} = $1 WHERE rowid = $2"
            ))
            .bind(new.seal(&plain))
            .bind(row)
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
