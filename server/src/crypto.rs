//! Secrets at rest: access tokens and PINs are sealed with XChaCha20-Poly1305 (an AEAD) under a
//! key from `GREENLIGHT_SECRET_KEY` or a key file created on first run with mode 0600.
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Why a key could not be loaded or a secret could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("GREENLIGHT_SECRET_KEY must be 32 bytes written as 64 hex digits or base64")]
    BadKey,
    #[error("the key file {path} is unreadable or malformed: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error("a stored secret could not be decrypted (wrong GREENLIGHT_SECRET_KEY?)")]
    Open,
}

/// Seals and opens secrets. Its Debug never shows the key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
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
        SecretBox {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// The configured key, or the key file in `data_dir` (created with mode 0600 when missing).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, CryptoError> {
        if let Some(k) = configured {
            return decode_key(k).map(Self::from_key).ok_or(CryptoError::BadKey);
        }
        let path = data_dir.join("secret.key");
        let err = |reason: String| CryptoError::KeyFile {
            path: path.clone(),
            reason,
        };
        if path.exists() {
            crate::private_files::warn_if_looser(&path, crate::private_files::FILE_MODE);
            let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
            return decode_key(&text)
                .map(Self::from_key)
                .ok_or_else(|| err("expected 64 hex digits".into()));
        }
        if !data_dir.exists() {
            crate::private_files::ensure_dir(data_dir).map_err(|e| err(e.to_string()))?;
        }
        let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
        write_private(&path, hex::encode(key).as_bytes()).map_err(|e| err(e.to_string()))?;
        Ok(Self::from_key(key))
    }

    /// Seals `plain`; the nonce travels with the ciphertext (base64 of nonce ‖ ciphertext).
    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&nonce, plain.as_bytes())
                .expect("encryption of a bounded string cannot fail"),
        );
        STANDARD.encode(out)
    }

    /// Opens what `seal` produced; fails on a wrong key or tampering.
    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let raw = STANDARD.decode(sealed).map_err(|_| CryptoError::Open)?;
        if raw.len() < 24 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = raw.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }
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
        let sealed = a.seal("EAAG-token");
        assert!(!sealed.contains("EAAG"));
        assert_eq!(a.open(&sealed).unwrap(), "EAAG-token");
        assert!(SecretBox::from_key([8; 32]).open(&sealed).is_err());
        assert_ne!(a.seal("x"), a.seal("x"), "every seal uses a fresh nonce");
    }

    #[test]
    fn key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretBox::load(None, dir.path()).unwrap();
        let sealed = a.seal("123456");
        let b = SecretBox::load(None, dir.path()).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "123456");
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
