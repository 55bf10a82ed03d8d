//! Owner-only permissions for what holds secrets: the data directory (0700), the SQLite files
//! and the key file (0600).
//!
//! What Greenlight creates it creates private. What already exists it never chmods (an operator
//! may have reasons, e.g. a group-readable backup user); it logs one loud WARN naming the path
//! and the mode instead, on every start, so the looseness does not go unnoticed.
use std::path::Path;

/// The mode of a private directory.
pub const DIR_MODE: u32 = 0o700;
/// The mode of a private file.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) with mode 0700, or warns when an existing one is looser.
pub fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        warn_if_looser(dir, DIR_MODE);
        return Ok(());
    }
    create_dir(dir)
}

/// The data directory at start-up: created (0700) when `needed` and missing, else only checked.
///
/// Not needed means nothing will be written there (the database lives elsewhere and the key is
/// configured): creating an unused `./data` would only surprise.
pub fn secure_data_dir(dir: &Path, needed: bool) -> std::io::Result<()> {
    if needed {
        ensure_dir(dir)
    } else {
        warn_if_looser(dir, DIR_MODE);
        Ok(())
    }
}

/// Creates an empty `file` with mode 0600, or warns when an existing one is looser.
///
/// SQLite accepts an empty file as a new database, and creates its `-wal` and `-shm` files with
/// the database file's mode: creating the file first is what makes all three private.
pub fn ensure_file(file: &Path) -> std::io::Result<()> {
    if file.exists() {
        warn_if_looser(file, FILE_MODE);
        return Ok(());
    }
    create_file(file)
}

/// Logs a WARN when `path` exists and grants more than `wanted` (group or other bits).
pub fn warn_if_looser(path: &Path, wanted: u32) {
    let Some(mode) = mode_of(path) else {
        return;
    };
    if mode & !wanted & 0o777 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = %format!("{mode:04o}"),
            expected = %format!("{wanted:04o}"),
            "INSECURE PERMISSIONS: {} has mode {mode:04o}, readable beyond its owner; \
             run `chmod {wanted:o} {}`",
            path.display(),
            path.display(),
        );
    }
}

/// The permission bits of `path`, when it exists (and the platform has them).
pub fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    // We created it, so we may chmod it: the umask must not widen nor narrow the mode.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_file(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(file)
    {
        Ok(f) => f,
        // Created concurrently by someone else: theirs to keep, but say so when it is loose.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            warn_if_looser(file, FILE_MODE);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    f.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
}

#[cfg(not(unix))]
fn create_file(file: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(file)
        .map(|_| ())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_paths_are_private_and_existing_ones_are_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        ensure_dir(&dir).unwrap();
        assert_eq!(mode_of(&dir), Some(DIR_MODE));
        let file = dir.join("f");
        ensure_file(&file).unwrap();
        assert_eq!(mode_of(&file), Some(FILE_MODE));

        let loose = dir.join("loose");
        std::fs::write(&loose, "x").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure_file(&loose).unwrap();
        assert_eq!(
            mode_of(&loose),
            Some(0o644),
            "an existing file is never chmodded"
        );
        assert_eq!(std::fs::read_to_string(&loose).unwrap(), "x");
    }
}
