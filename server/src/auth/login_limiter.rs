//! Login throttling per client address and per account e-mail (governor's keyed GCRA limiters).
//!
//! The per-e-mail limit slows guessing on one account from many addresses without locking its
//! owner out for long: after the burst, one attempt per 12 s is always allowed. Memory stays
//! bounded: keys whose limit has fully recovered are dropped once a limiter holds many keys.
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Above this many keys, a limiter drops the keys that are back to a full burst.
const PRUNE_ABOVE: usize = 10_000;

/// Allows a burst of attempts, then one attempt per refill period, per key.
#[derive(Clone)]
pub struct LoginLimiter {
    by_client: Arc<DefaultKeyedRateLimiter<String>>,
    by_email: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        // 20 attempts per address then one per 3 s; 5 per e-mail then one per 12 s.
        Self::new(
            Quota::with_period(Duration::from_secs(3))
                .expect("non-zero")
                .allow_burst(NonZeroU32::new(20).expect("non-zero")),
            Quota::with_period(Duration::from_secs(12))
                .expect("non-zero")
                .allow_burst(NonZeroU32::new(5).expect("non-zero")),
        )
    }
}

impl LoginLimiter {
    /// A limiter with explicit quotas.
    pub fn new(client: Quota, email: Quota) -> Self {
        LoginLimiter {
            by_client: Arc::new(RateLimiter::keyed(client)),
            by_email: Arc::new(RateLimiter::keyed(email)),
        }
    }

    /// Takes one attempt for this client and e-mail; `Err(seconds)` to wait when over the limit.
    pub fn check(&self, client: &str, email: &str) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        for (limiter, key) in [(&self.by_client, client), (&self.by_email, email)] {
            if limiter.len() > PRUNE_ABOVE {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
            if let Err(not_until) = limiter.check_key(&key.to_string()) {
                return Err(not_until.wait_time_from(now).as_secs().max(1));
            }
        }
        Ok(())
    }

    /// Keys held (both limiters), to watch memory.
    pub fn keys(&self) -> usize {
        self.by_client.len() + self.by_email.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_attempts_for_one_email_are_refused_from_any_address() {
        let l = LoginLimiter::default();
        for i in 0..5 {
            assert!(l.check(&format!("10.0.0.{i}"), "ada@example.com").is_ok());
        }
        let wait = l.check("10.0.0.99", "ada@example.com").unwrap_err();
        assert!(wait >= 1);
        assert!(l.check("10.0.0.99", "bob@example.com").is_ok());
    }

    #[test]
    fn recovered_keys_are_dropped_so_memory_stays_bounded() {
        // A quota that recovers at once: every key is back to a full burst right after its use.
        let instant = Quota::with_period(Duration::from_nanos(1))
            .expect("non-zero")
            .allow_burst(NonZeroU32::new(1).expect("non-zero"));
        let l = LoginLimiter::new(instant, instant);
        for i in 0..(PRUNE_ABOVE * 2) {
            let _ = l.check(&format!("client-{i}"), &format!("user{i}@example.com"));
        }
        assert!(
            l.keys() <= 2 * (PRUNE_ABOVE + 1),
            "{} keys held after {} distinct clients",
            l.keys(),
            PRUNE_ABOVE * 2
        );
    }
}
