//! Argon2id password hashes. Hashing is CPU-heavy, so it runs on the blocking pool.
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// How many Argon2 computations may run at once. Each takes ~19 MiB and a core for a while: 500
/// parallel sign-ins must queue here, not take gigabytes and every blocking thread.
fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores.clamp(2, 8))
    })
}

/// Argon2 computations running now, and the most seen at once (for the bound's test).
static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `work` on the blocking pool, at most [`slots`] at once, under the caller's subscriber and
/// span, so its log lines go where the request's go (and carry its request id) instead of to
/// whatever the pool thread has.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    use std::sync::atomic::Ordering;
    let _slot = slots()
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let out = tracing::dispatcher::with_default(&dispatch, || span.in_scope(work));
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await
    .expect("password hashing does not panic")
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> String {
    blocking(move || {
        let started = std::time::Instant::now();
        let salt = SaltString::generate(&mut OsRng);
        let phc = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 accepts any password up to its (large) limit")
            .to_string();
        // Its cost is the point of Argon2; the duration shows when it is mis-sized for the host.
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "password hashed"
        );
        phc
    })
    .await
}

/// Checks a password against a PHC string; false on mismatch or a malformed hash.
pub async fn verify(password: String, phc: String) -> bool {
    blocking(move || {
        let started = std::time::Instant::now();
        let ok = PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok,
            "password verified"
        );
        ok
    })
    .await
}

/// A hash to verify against when the e-mail is unknown, so both paths cost the same time.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y0Jm1o0Vq3sF0Y3XkG6sKk7w1t2m7b3VjO8Vd2O3m5E"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse battery".into()).await;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
        assert!(!verify("x".into(), decoy_hash().into()).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_parallel_sign_ins_run_at_most_the_slots_of_argon2_at_once() {
        let checks = (0..24).map(|_| tokio::spawn(verify("guess".into(), decoy_hash().into())));
        for c in futures::future::join_all(checks).await {
            assert!(!c.unwrap());
        }
        let peak = PEAK.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            peak >= 1 && peak <= slots().available_permits(),
            "peak {peak}, slots {}",
            slots().available_permits()
        );
    }
}
