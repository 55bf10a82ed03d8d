//! Secrets at rest: access tokens and PINs are sealed with XChaCha20-Poly1305 (an AEAD) under a
//! key from `GREENLIGHT_SECRET_KEY` or a key file created on first run with mode 0600.
//!
//! Two formats open: the legacy one (base64 of nonce ‖ ciphertext, no associated data) and the
//! bound one, `gl1.<key id>.<base64>`, whose associated data names the table, column and primary
//! key of the row the value belongs to (a sealed value copied to another row or column no longer
//! opens) and whose key id says which key sealed it (so a rotation can keep the previous key
//! readable). Everything is sealed in the bound format; legacy values, written by versions before
//! it, open until `greenlight keys rotate` re-seals them.
//!
//! The places that hold sealed values are the [`SealedColumn`] constants below; every caller
//! builds its [`Binding`] from one of them, so a table or column name cannot be misspelt at one
//! call site only.
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// The prefix of the bound format.
const BOUND_PREFIX: &str = "gl1";

/// Why a key could not be loaded or a secret could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("GREENLIGHT_SECRET_KEY must be 32 bytes written as 64 hex digits or base64")]
    BadKey,
    #[error("the key file {path} is unreadable or malformed: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error("a stored secret could not be decrypted (wrong GREENLIGHT_SECRET_KEY?)")]
    Open,
    #[error("a stored secret was sealed with key {0}, which is not configured")]
    UnknownKey(String),
}

/// The primary key of the row a sealed value is stored in.
///
/// Values are bound to the primary key, never to SQLite's `rowid`: PostgreSQL has no `rowid`, and
/// SQLite may renumber the `rowid` of a table without an integer primary key (`number_pins`) on
/// `VACUUM`, which would make its values unopenable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey<'a> {
    /// An integer key (`inboxes.id`, `outgoing_webhooks.id`).
    Int(i64),
    /// A text key (`number_pins.phone_number_id`).
    Text(&'a str),
}

impl From<i64> for RowKey<'_> {
    fn from(id: i64) -> Self {
        RowKey::Int(id)
    }
}

impl<'a> From<&'a str> for RowKey<'a> {
    fn from(key: &'a str) -> Self {
        RowKey::Text(key)
    }
}

impl std::fmt::Display for RowKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowKey::Int(id) => write!(f, "{id}"),
            RowKey::Text(key) => write!(f, "{key:?}"),
        }
    }
}

/// Where a sealed value lives; authenticated with it (not secret, not stored in the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    pub table: &'a str,
    pub column: &'a str,
    /// The row's primary key.
    pub row: RowKey<'a>,
}

impl Binding<'_> {
    /// The associated data: `greenlight/gl1/<len>:<table>/<len>:<column>/<row>`, where `<row>` is
    /// `i:<decimal>` for an integer key and `t<len>:<text>` for a text key.
    ///
    /// Every variable part is either length-prefixed or tagged and last, so no two bindings
    /// encode alike: neither a table, column or key containing `/` or `:`, nor the integer key 7
    /// and the text key "7".
    fn associated_data(&self) -> Vec<u8> {
        let row = match self.row {
            RowKey::Int(id) => format!("i:{id}"),
            RowKey::Text(key) => format!("t{}:{key}", key.len()),
        };
        format!(
            "greenlight/{BOUND_PREFIX}/{}:{}/{}:{}/{row}",
            self.table.len(),
            self.table,
            self.column.len(),
            self.column,
        )
        .into_bytes()
    }
}

/// The SQL type of a [`SealedColumn`]'s primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `INTEGER` / `BIGINT`: bound as [`RowKey::Int`].
    Integer,
    /// `TEXT`: bound as [`RowKey::Text`].
    Text,
}

/// A column that holds sealed values, with the primary key its values are bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// The table's primary-key column.
    pub key: &'static str,
    pub key_type: KeyType,
}

impl SealedColumn {
    /// The binding of this column's value in the row whose primary key is `row`.
    pub fn at<'a>(&self, row: impl Into<RowKey<'a>>) -> Binding<'a> {
        let row = row.into();
        debug_assert!(
            matches!(
                (self.key_type, row),
                (KeyType::Integer, RowKey::Int(_)) | (KeyType::Text, RowKey::Text(_))
            ),
            "{}.{} is keyed by {:?}, not {row:?}",
            self.table,
            self.column,
            self.key_type
        );
        Binding {
            table: self.table,
            column: self.column,
            row,
        }
    }
}

/// An inbox's WhatsApp access token.
pub const INBOX_ACCESS_TOKEN: SealedColumn = SealedColumn {
    table: "inboxes",
    column: "access_token_sealed",
    key: "id",
    key_type: KeyType::Integer,
};

/// A phone number's two-step verification PIN.
pub const NUMBER_PIN: SealedColumn = SealedColumn {
    table: "number_pins",
    column: "pin_sealed",
    key: "phone_number_id",
    key_type: KeyType::Text,
};

/// An outgoing alert webhook's signing secret.
pub const WEBHOOK_SECRET: SealedColumn = SealedColumn {
    table: "outgoing_webhooks",
    column: "secret_sealed",
    key: "id",
    key_type: KeyType::Integer,
};

/// An outgoing alert webhook's full URL (a credential: a Slack URL is enough to post).
pub const WEBHOOK_URL: SealedColumn = SealedColumn {
    table: "outgoing_webhooks",
    column: "url_sealed",
    key: "id",
    key_type: KeyType::Integer,
};

/// One key and its public id (derived from the key, so the same key always has the same id).
#[derive(Clone)]
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: [u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"greenlight key id")
            .chain_update(bytes)
            .finalize();
        Key {
            id: hex::encode(&digest[..4]),
            cipher: XChaCha20Poly1305::new(&bytes.into()),
        }
    }
}

/// Seals and opens secrets. Its Debug never shows the key.
///
/// It seals with the current key and opens with the current or a previous one (during a key
/// rotation both must be readable).
#[derive(Clone)]
pub struct SecretBox {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

fn decode_key(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    let bytes = if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(s).ok()?
    } else {
        STANDARD.decode(s).ok()?
    };
    bytes.try_into().ok()
}

impl SecretBox {
    /// A box from raw key bytes.
    pub fn from_key(key: [u8; 32]) -> Self {
        let current = Key::new(key);
        SecretBox {
            current,
            previous: Vec::new(),
        }
    }

    /// Also opens (never seals) what `previous` sealed: the state during a key rotation.
    pub fn with_previous(mut self, previous: [u8; 32]) -> Self {
        self.previous.push(Key::new(previous));
        self
    }

    /// The id of the key new values are sealed with.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` bound to where it is stored: `gl1.<key id>.<base64 of nonce ‖ ciphertext>`.
    pub fn seal_bound(&self, plain: &str, binding: Binding<'_>) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = binding.associated_data();
        let mut out = nonce.to_vec();
        out.extend(
            self.current
                .cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: plain.as_bytes(),
                        aad: &aad,
                    },
                )
                .expect("encryption of a bounded string cannot fail"),
        );
        format!(
            "{BOUND_PREFIX}.{}.{}",
            self.current.id,
            STANDARD.encode(out)
        )
    }

    /// Opens a value stored at `binding`: the bound format under the key its id names, or a
    /// legacy value (no binding) under any known key, so existing rows keep opening.
    pub fn open_bound(&self, sealed: &str, binding: Binding<'_>) -> Result<String, CryptoError> {
        let Some(rest) = sealed
            .strip_prefix(BOUND_PREFIX)
            .and_then(|r| r.strip_prefix('.'))
        else {
            return self.open_legacy(sealed);
        };
        let (id, body) = rest.split_once('.').ok_or(CryptoError::Open)?;
        let key = self
            .keys()
            .find(|k| k.id == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_string()))?;
        let raw = STANDARD.decode(body).map_err(|_| CryptoError::Open)?;
        if raw.len() < 24 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = raw.split_at(24);
        let aad = binding.associated_data();
        let plain = key
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }

    /// Whether a stored value should be sealed again (legacy format, or an older key): what a
    /// key rotation walks the tables for.
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        let prefix = format!("{BOUND_PREFIX}.{}.", self.current.id);
        !sealed.starts_with(&prefix)
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// The configured key, or the key file in `data_dir` (created with mode 0600 when missing).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, CryptoError> {
        if let Some(k) = configured {
            return decode_key(k).map(Self::from_key).ok_or(CryptoError::BadKey);
        }
        let path = data_dir.join(KEY_FILE);
        let err = |reason: String| CryptoError::KeyFile {
            path: path.clone(),
            reason,
        };
        if let Some(key) = read_key_file(&path)? {
            let mut secrets = Self::from_key(key);
            // A rotation in progress (`.new`) or just finished (`.previous`): keep both readable.
            for name in [NEW_KEY_FILE, PREVIOUS_KEY_FILE] {
                if let Some(other) = read_key_file(&data_dir.join(name))? {
                    secrets = secrets.with_previous(other);
                }
            }
            return Ok(secrets);
        }
        if !data_dir.exists() {
            crate::private_files::ensure_dir(data_dir).map_err(|e| err(e.to_string()))?;
        }
        let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
        write_private(&path, hex::encode(key).as_bytes()).map_err(|e| err(e.to_string()))?;
        Ok(Self::from_key(key))
    }

    /// Seals `plain` in the legacy format (base64 of nonce ‖ ciphertext, bound to nothing): only
    /// for tests that need a value as versions before the bound format stored it.
    #[cfg(test)]
    pub(crate) fn seal_legacy(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.current
                .cipher
                .encrypt(&nonce, plain.as_bytes())
                .expect("encryption of a bounded string cannot fail"),
        );
        STANDARD.encode(out)
    }

    /// Opens a legacy value under any known key; fails on a wrong key or tampering. Private: only
    /// [`Self::open_bound`] falls back to it, so every reader names where the value is stored.
    fn open_legacy(&self, sealed: &str) -> Result<String, CryptoError> {
        let raw = STANDARD.decode(sealed).map_err(|_| CryptoError::Open)?;
        if raw.len() < 24 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = raw.split_at(24);
        let plain = self
            .keys()
            .find_map(|k| k.cipher.decrypt(XNonce::from_slice(nonce), ct).ok())
            .ok_or(CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }
}

/// The key file in the data directory.
pub const KEY_FILE: &str = "secret.key";
/// The key a rotation is moving to, until it becomes [`KEY_FILE`].
pub const NEW_KEY_FILE: &str = "secret.key.new";
/// The key before the last rotation, kept readable.
pub const PREVIOUS_KEY_FILE: &str = "secret.key.previous";

/// A fresh random key.
pub fn generate_key() -> [u8; 32] {
    XChaCha20Poly1305::generate_key(&mut OsRng).into()
}

/// The key in `path`, `None` when there is no such file; warns when the file is not private.
pub fn read_key_file(path: &Path) -> Result<Option<[u8; 32]>, CryptoError> {
    if !path.exists() {
        return Ok(None);
    }
    let err = |reason: String| CryptoError::KeyFile {
        path: path.to_path_buf(),
        reason,
    };
    crate::private_files::warn_if_looser(path, crate::private_files::FILE_MODE);
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    decode_key(&text)
        .map(Some)
        .ok_or_else(|| err("expected 64 hex digits".into()))
}

/// Writes `key` to `path` with mode 0600, replacing it atomically (temporary file, then rename).
pub fn write_key_file(path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    write_private(&tmp, hex::encode(key).as_bytes())?;
    std::fs::rename(&tmp, path)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let a = SecretBox::from_key([7; 32]);
        let sealed = a.seal_bound("EAAG-token", INBOX_TOKEN);
        assert!(!sealed.contains("EAAG"));
        assert_eq!(a.open_bound(&sealed, INBOX_TOKEN).unwrap(), "EAAG-token");
        assert!(SecretBox::from_key([8; 32])
            .open_bound(&sealed, INBOX_TOKEN)
            .is_err());
        assert_ne!(
            a.seal_bound("x", INBOX_TOKEN),
            a.seal_bound("x", INBOX_TOKEN),
            "every seal uses a fresh nonce"
        );
    }

    const INBOX_TOKEN: Binding<'static> = Binding {
        table: "inboxes",
        column: "access_token_sealed",
        row: RowKey::Int(7),
    };

    #[test]
    fn the_sealed_columns_name_their_primary_keys() {
        assert_eq!(INBOX_ACCESS_TOKEN.at(7), INBOX_TOKEN);
        assert_eq!(
            NUMBER_PIN.at("1065403522429001").row,
            RowKey::Text("1065403522429001")
        );
        assert_eq!(WEBHOOK_URL.at(3).row, RowKey::Int(3));
    }

    #[test]
    fn bound_values_name_their_key_and_open_only_where_they_were_stored() {
        let a = SecretBox::from_key([7; 32]);
        let sealed = a.seal_bound("EAAG-token", INBOX_TOKEN);
        assert!(
            sealed.starts_with(&format!("gl1.{}.", a.key_id())),
            "{sealed}"
        );
        assert!(!sealed.contains("EAAG"));
        assert_eq!(a.open_bound(&sealed, INBOX_TOKEN).unwrap(), "EAAG-token");
        let other_row = Binding {
            row: RowKey::Int(8),
            ..INBOX_TOKEN
        };
        assert!(matches!(
            a.open_bound(&sealed, other_row),
            Err(CryptoError::Open)
        ));
        let other_column = Binding {
            column: "webhook_verify_token",
            ..INBOX_TOKEN
        };
        assert!(a.open_bound(&sealed, other_column).is_err());
        assert!(!a.needs_reseal(&sealed));
    }

    #[test]
    fn legacy_values_still_open_and_are_marked_for_resealing() {
        let a = SecretBox::from_key([7; 32]);
        let legacy = a.seal_legacy("123456");
        assert_eq!(a.open_bound(&legacy, INBOX_TOKEN).unwrap(), "123456");
        assert!(a.needs_reseal(&legacy));
        // Legacy values carry no key id: only a configured key opens them, no other.
        assert!(matches!(
            SecretBox::from_key([8; 32]).open_bound(&legacy, INBOX_TOKEN),
            Err(CryptoError::Open)
        ));
    }

    #[test]
    fn text_keys_bind_like_integer_keys_and_never_collide_with_them() {
        let a = SecretBox::from_key([7; 32]);
        let pin = a.seal_bound("123456", NUMBER_PIN.at("1065403522429001"));
        assert_eq!(
            a.open_bound(&pin, NUMBER_PIN.at("1065403522429001"))
                .unwrap(),
            "123456"
        );
        // Another number's row, or a key that only prefixes this one, does not open it.
        for other in ["1065403522429002", "106540352242900", "1065403522429001 "] {
            assert!(
                matches!(
                    a.open_bound(&pin, NUMBER_PIN.at(other)),
                    Err(CryptoError::Open)
                ),
                "{other:?}"
            );
        }
        // The integer key 7 and the text key "7" are different rows.
        let int_key = a.seal_bound("x", INBOX_TOKEN);
        let text_key = Binding {
            row: RowKey::Text("7"),
            ..INBOX_TOKEN
        };
        assert!(a.open_bound(&int_key, text_key).is_err());
        // Lengths keep the parts apart: no separator inside a name or key shifts them.
        let tricky = Binding {
            table: "a/1:b",
            column: "c",
            row: RowKey::Text("d"),
        };
        let shifted = Binding {
            table: "a",
            column: "b/1:c",
            row: RowKey::Text("d"),
        };
        assert_ne!(tricky.associated_data(), shifted.associated_data());
        assert!(a.open_bound(&a.seal_bound("x", tricky), shifted).is_err());
    }

    #[test]
    fn during_a_rotation_the_previous_key_still_opens() {
        let old = SecretBox::from_key([1; 32]);
        let bound = old.seal_bound("token", INBOX_TOKEN);
        let legacy = old.seal_legacy("pin");
        let rotated = SecretBox::from_key([2; 32]).with_previous([1; 32]);
        assert_ne!(rotated.key_id(), old.key_id());
        assert_eq!(rotated.open_bound(&bound, INBOX_TOKEN).unwrap(), "token");
        assert_eq!(rotated.open_bound(&legacy, INBOX_TOKEN).unwrap(), "pin");
        assert!(rotated.needs_reseal(&bound));
        let resealed = rotated.seal_bound("token", INBOX_TOKEN);
        assert!(!rotated.needs_reseal(&resealed));
        // Once the rotation is over, the old key is gone and says so.
        let after = SecretBox::from_key([2; 32]);
        assert!(matches!(
            after.open_bound(&bound, INBOX_TOKEN),
            Err(CryptoError::UnknownKey(id)) if id == old.key_id()
        ));
        assert_eq!(after.open_bound(&resealed, INBOX_TOKEN).unwrap(), "token");
    }

    #[test]
    fn key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretBox::load(None, dir.path()).unwrap();
        let sealed = a.seal_bound("123456", INBOX_TOKEN);
        let b = SecretBox::load(None, dir.path()).unwrap();
        assert_eq!(b.open_bound(&sealed, INBOX_TOKEN).unwrap(), "123456");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn configured_keys_must_be_32_bytes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SecretBox::load(Some(&"ab".repeat(32)), dir.path()).is_ok());
        assert!(matches!(
            SecretBox::load(Some("short"), dir.path()),
            Err(CryptoError::BadKey)
        ));
        assert!(!dir.path().join("secret.key").exists());
    }
}
