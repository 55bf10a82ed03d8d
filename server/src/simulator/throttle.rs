//! Meta's business-use-case rate limit: calls per WABA in a moving hour, reported in the
//! `x-business-use-case-usage` header as a percentage and refused at 100 %.
//!
//! Off by default (a test that does not care must never be throttled by accident); switched on
//! with [`super::Simulator::set_throttle`]. Register and deregister are not counted: they have
//! their own budget (133016).

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::errors::{ErrorBuilder, GraphError};

/// How Meta refuses a call over the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleAnswer {
    /// HTTP 400, code 80007 "Rate limit issues" (the WABA's limit).
    Waba80007,
    /// HTTP 400, code 4 "Application request limit reached" (the app's limit).
    App4,
    /// HTTP 400, code 130429 "Rate limit hit".
    Throughput130429,
    /// HTTP 429 with `Retry-After` and code 4.
    Http429,
}

/// The simulated limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// Calls per WABA per moving hour (by the simulator's clock) before Meta refuses.
    pub calls_per_hour: u32,
    pub answer: ThrottleAnswer,
}

/// Meta's limit for a WABA with a registered number, used for the usage header when the
/// throttle is off.
const DEFAULT_CALLS_PER_HOUR: u32 = 5000;

fn window() -> Duration {
    Duration::hours(1)
}

/// Calls per WABA and the configured limit.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    pub throttle: Option<Throttle>,
    calls: HashMap<String, VecDeque<DateTime<Utc>>>,
}

/// What the throttle says about one call.
pub(crate) struct Verdict {
    /// The `x-business-use-case-usage` header value.
    pub header: String,
    /// `Some` when the call is refused.
    pub refusal: Option<GraphError>,
    /// Seconds until a call is admitted again (for `Retry-After`), when refused.
    pub retry_after_secs: Option<i64>,
}

impl Usage {
    /// Counts one call on `waba_id` at `now` (unless refused) and says whether it is admitted.
    pub fn check(&mut self, waba_id: &str, now: DateTime<Utc>) -> Verdict {
        let limit = self
            .throttle
            .map_or(DEFAULT_CALLS_PER_HOUR, |t| t.calls_per_hour)
            .max(1);
        let calls = self.calls.entry(waba_id.to_owned()).or_default();
        while calls.front().is_some_and(|t| *t <= now - window()) {
            calls.pop_front();
        }
        let over = self.throttle.is_some() && calls.len() as u32 >= limit;
        if !over {
            calls.push_back(now);
        }
        let regain = calls
            .front()
            .filter(|_| over)
            .map(|oldest| (*oldest + window() - now).num_seconds().max(1));
        let percent = (calls.len() as u64 * 100 / u64::from(limit)).min(100);
        let minutes = regain.map_or(0, |s| (s + 59) / 60);
        let mut usage = serde_json::Map::new();
        usage.insert(
            waba_id.to_owned(),
            json!([{
                "type": "whatsapp_business_management",
                "call_count": percent,
                "total_cputime": 1,
                "total_time": 1,
                "estimated_time_to_regain_access": minutes,
            }]),
        );
        let header = serde_json::Value::Object(usage).to_string();
        let refusal = match (over, self.throttle) {
            (true, Some(t)) => Some(refusal(t.answer)),
            _ => None,
        };
        Verdict {
            header,
            refusal,
            retry_after_secs: regain,
        }
    }
}

fn refusal(answer: ThrottleAnswer) -> GraphError {
    match answer {
        ThrottleAnswer::Waba80007 => ErrorBuilder::new(
            400,
            "(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
            "OAuthException",
            80007,
        ),
        ThrottleAnswer::App4 => ErrorBuilder::new(
            400,
            "(#4) Application request limit reached",
            "OAuthException",
            4,
        ),
        ThrottleAnswer::Throughput130429 => ErrorBuilder::new(
            400,
            "(#130429) Rate limit hit",
            "OAuthException",
            130429,
        ),
        ThrottleAnswer::Http429 => ErrorBuilder::new(
            429,
            "(#4) Application request limit reached",
            "OAuthException",
            4,
        ),
    }
    .transient(true)
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_limit_until_the_hour_moves_on() {
        let mut u = Usage {
            throttle: Some(Throttle {
                calls_per_hour: 2,
                answer: ThrottleAnswer::Waba80007,
            }),
            ..Usage::default()
        };
        let t0 = Utc::now();
        assert!(u.check("w", t0).refusal.is_none());
        let v = u.check("w", t0);
        assert!(v.refusal.is_none());
        assert!(v.header.contains("\"call_count\":100"), "{}", v.header);
        let v = u.check("w", t0);
        assert_eq!(v.refusal.unwrap().body["error"]["code"], 80007);
        assert_eq!(v.retry_after_secs, Some(3600));
        assert!(u.check("other", t0).refusal.is_none(), "per WABA");
        assert!(u.check("w", t0 + window()).refusal.is_none());
    }

    #[test]
    fn off_never_refuses() {
        let mut u = Usage::default();
        let t0 = Utc::now();
        for _ in 0..10_000 {
            assert!(u.check("w", t0).refusal.is_none());
        }
    }
}
