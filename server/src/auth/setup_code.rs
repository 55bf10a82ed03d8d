//! The one-time setup code that guards the first-run page.
//!
//! A fresh instance has no user, and `/setup` creates the first administrator. Without a code,
//! whoever reaches a freshly deployed instance first would own it. `serve` therefore makes a code
//! while no user exists, logs it and writes it to `<data dir>/setup-code` (mode 0600); the
//! first-run form is accepted only with it. Once the first administrator exists the code is void
//! and its file removed. `users create` on the command line needs no code.
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand::Rng;
use subtle::ConstantTimeEq;

/// Name of the file in the data directory that holds the code.
pub const FILE_NAME: &str = "setup-code";

/// Characters of a code: no 0/O or 1/I/L to misread when typed from a log.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The setup code of this process, while the instance has no user. Prints as `[redacted]`.
#[derive(Default)]
pub struct SetupCode {
    inner: Mutex<Option<Active>>,
}

struct Active {
    code: String,
    file: PathBuf,
}

impl std::fmt::Debug for SetupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupCode([redacted])")
    }
}

/// Why a code could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the setup code to {path}: {reason}")]
pub struct SetupCodeError {
    path: String,
    reason: String,
}

impl SetupCode {
    /// Makes a fresh code (12 characters, about 59 bits, shown as `XXXX-XXXX-XXXX`) and writes it to
    /// `<data_dir>/setup-code` with mode 0600, replacing an older one.
    pub fn issue(data_dir: &Path) -> Result<SetupCode, SetupCodeError> {
        let mut rng = rand::rngs::OsRng;
        let raw: String = (0..12)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        let code = format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12]);
        let file = data_dir.join(FILE_NAME);
        write_private(&file, &format!("{code}\n")).map_err(|e| SetupCodeError {
            path: file.display().to_string(),
            reason: e.to_string(),
        })?;
        tracing::warn!(
            setup_code = %code,
            file = %file.display(),
            "Greenlight has no user yet: open /setup and enter this setup code to create the first administrator"
        );
        Ok(SetupCode {
            inner: Mutex::new(Some(Active { code, file })),
        })
    }

    /// Whether `typed` is the code (case, spaces and dashes ignored; constant time). Always false
    /// when no code is active.
    pub fn matches(&self, typed: &str) -> bool {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(active) = guard.as_ref() else {
            return false;
        };
        let want = normalize(&active.code);
        let got = normalize(typed);
        want.len() == got.len() && bool::from(want.as_bytes().ct_eq(got.as_bytes()))
    }

    /// Voids the code and removes its file (the first administrator exists now).
    pub fn consume(&self) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(active) = guard.take() {
            if let Err(e) = std::fs::remove_file(&active.file) {
                tracing::warn!(file = %active.file.display(), error = %e, "could not remove the used setup code file");
            }
        }
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An older file may have been made with looser permissions.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_written_privately_matches_loosely_and_is_void_once_used() {
        let dir = tempfile::tempdir().unwrap();
        let code = SetupCode::issue(dir.path()).unwrap();
        let file = dir.path().join(FILE_NAME);
        let written = std::fs::read_to_string(&file).unwrap();
        let written = written.trim();
        assert_eq!(written.len(), 14, "{written}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(code.matches(written));
        assert!(code.matches(&written.to_lowercase().replace('-', " ")));
        assert!(!code.matches(""));
        assert!(!code.matches(&written[..13]));
        assert!(!code.matches("AAAA-AAAA-AAAA"));
        assert_eq!(format!("{code:?}"), "SetupCode([redacted])");
        code.consume();
        assert!(!file.exists(), "the used code's file is removed");
        assert!(!code.matches(written), "a used code is void");
    }

    #[test]
    fn codes_differ() {
        let dir = tempfile::tempdir().unwrap();
        let a = std::fs::read_to_string({
            SetupCode::issue(dir.path()).unwrap();
            dir.path().join(FILE_NAME)
        })
        .unwrap();
        let b = std::fs::read_to_string({
            SetupCode::issue(dir.path()).unwrap();
            dir.path().join(FILE_NAME)
        })
        .unwrap();
        assert_ne!(a, b);
    }
}
