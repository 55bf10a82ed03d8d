//! The HTTP client of outgoing alert webhooks and the policy it enforces (which addresses it may
//! reach, how often a test may be sent). Built once at start and shared.
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::address::GuardedResolver;

/// One test send per webhook per this period: a test is a request to an address an administrator
/// typed, so it must not become a way to hammer a third party.
pub const TEST_SEND_PERIOD: Duration = Duration::from_secs(10);

/// How long one delivery may take; a claimed delivery is retried after three of these.
pub(super) const TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client for outgoing webhooks with the policy it enforces, built once at start.
#[derive(Clone)]
pub struct OutgoingHttp {
    pub(super) client: reqwest::Client,
    allow_private: bool,
    test_sends: Arc<DefaultKeyedRateLimiter<i64>>,
}

impl Default for OutgoingHttp {
    fn default() -> Self {
        Self::new(false)
    }
}

impl OutgoingHttp {
    /// `allow_private` (`GREENLIGHT_ALERT_ALLOW_PRIVATE_NETWORKS`) lets webhooks reach loopback and
    /// private networks, for on-premises relays.
    pub fn new(allow_private: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the target itself, out of the resolver's sight.
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder
            .build()
            // Only fails when the TLS backend cannot start, which nothing at run time can fix;
            // a default client would silently lose the address guard.
            .expect("the outgoing webhook HTTP client builds");
        let quota = Quota::with_period(TEST_SEND_PERIOD)
            .expect("non-zero period")
            .allow_burst(NonZeroU32::MIN);
        OutgoingHttp {
            client,
            allow_private,
            test_sends: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Whether private and loopback addresses may be called.
    pub fn allows_private_networks(&self) -> bool {
        self.allow_private
    }

    /// Takes the one test send of the period for `webhook_id`; `Err(seconds to wait)` if used.
    pub(super) fn take_test_send(&self, webhook_id: i64) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        self.test_sends
            .check_key(&webhook_id)
            .map_err(|not_until| not_until.wait_time_from(now).as_secs().max(1))
    }
}
