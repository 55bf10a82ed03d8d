//! [`GraphConfig`]: where the Graph API lives and how patient the client is.

use std::time::Duration;

/// Default base URL of Meta's Graph API (`GRAPH_API_BASE_URL`).
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// Default Graph API version (`GRAPH_API_VERSION`). v24.0 is the first with
/// `whatsapp_business_manager_messaging_limit`.
pub const DEFAULT_VERSION: &str = "v24.0";

/// Settings of a [`GraphClient`](super::GraphClient).
///
/// Holds no secret, so `Debug` is safe to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphConfig {
    /// Scheme, host and optional path prefix, e.g. `https://graph.facebook.com` or the simulator's
    /// `http://127.0.0.1:4010`. A trailing `/` is ignored.
    pub base_url: String,
    /// Graph version path segment, e.g. `v24.0`.
    pub version: String,
    /// Time allowed to open the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, from sending to the last byte of the answer.
    pub total_timeout: Duration,
    /// How many times a read (GET) is retried after a transient or throttling error. Writes never retry.
    pub read_retries: u32,
    /// First retry delay; each further retry doubles it (with jitter).
    pub retry_base_delay: Duration,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            version: DEFAULT_VERSION.to_owned(),
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            read_retries: 2,
            retry_base_delay: Duration::from_millis(200),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_design() {
        let config = GraphConfig::default();
        assert_eq!(config.base_url, "https://graph.facebook.com");
        assert_eq!(config.version, "v24.0");
        assert_eq!(config.connect_timeout, Duration::from_secs(5));
        assert_eq!(config.total_timeout, Duration::from_secs(15));
        assert_eq!(config.read_retries, 2);
        assert_eq!(config.retry_base_delay, Duration::from_millis(200));
    }
}
