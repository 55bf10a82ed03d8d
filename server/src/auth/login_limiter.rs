//! Login throttling per client address and per account e-mail (governor's keyed GCRA limiters).
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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
            if let Err(not_until) = limiter.check_key(&key.to_string()) {
                return Err(not_until.wait_time_from(now).as_secs().max(1));
            }
        }
        Ok(())
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
}
