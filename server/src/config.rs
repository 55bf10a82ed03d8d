//! Configuration: `serve` flags with environment fallbacks, validated into a `Config`.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// A duration written like `30s`, `5m` or `6h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}' is not a duration such as 30s, 5m or 6h ({e})"))?;
    if d.is_zero() {
        return Err(format!("'{s}' must be longer than zero"));
    }
    Ok(d)
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Options shared by every command that opens the database.
#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Directory for the SQLite file and the generated key file.
    #[arg(long, env = "GREENLIGHT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL; defaults to a SQLite file `greenlight.db` in the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    /// Whether the database is the SQLite file in the data directory (no explicit URL).
    pub fn uses_data_dir(&self) -> bool {
        self.database_url
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
    }

    /// The URL to open: the explicit one, else the SQLite file in the data directory.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("greenlight.db").display()),
        }
    }
}

/// `greenlight serve` options.
#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Listen address.
    #[arg(long, env = "GREENLIGHT_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// The URL Meta calls back (webhook override); defaults to http://<addr>.
    #[arg(long, env = "GREENLIGHT_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Encrypts tokens and PINs at rest: 32 bytes as 64 hex digits or base64. Else a key file in the data dir.
    #[arg(long, env = "GREENLIGHT_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Graph API base URL (the simulator's in tests and demo).
    #[arg(
        long,
        env = "GRAPH_API_BASE_URL",
        default_value = "https://graph.facebook.com"
    )]
    pub graph_api_base_url: url::Url,
    /// Graph API version.
    #[arg(long, env = "GRAPH_API_VERSION", default_value = "v24.0", value_parser = parse_graph_version)]
    pub graph_api_version: String,
    /// Checks `X-Hub-Signature-256` on Meta's webhooks.
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    pub meta_app_secret: Option<String>,
    /// Greenlight's own Meta app id: the webhook self-check tells it from another app's token.
    #[arg(long, env = "META_APP_ID")]
    pub meta_app_id: Option<String>,
    /// Answers Meta's webhook handshake.
    #[arg(long, env = "META_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
    pub meta_webhook_verify_token: Option<String>,
    /// How often the retrier looks at unregistered numbers.
    #[arg(long, env = "GREENLIGHT_REGISTRATION_CHECK_INTERVAL", default_value = "5m", value_parser = parse_duration)]
    pub registration_check_interval: Duration,
    /// How long creating an inbox, rotating its token or retrying its setup waits for Meta before
    /// answering; a slower setup goes on in the background and its outcome shows on the page.
    #[arg(long, env = "GREENLIGHT_SETUP_ANSWER_WITHIN", default_value = "1s", value_parser = parse_duration)]
    pub setup_answer_within: Duration,
    /// Health read cache (with request coalescing).
    #[arg(long, env = "GREENLIGHT_HEALTH_CACHE_TTL", default_value = "60s", value_parser = parse_duration)]
    pub health_cache_ttl: Duration,
    /// The background refresh keeps snapshots younger than this.
    #[arg(long, env = "GREENLIGHT_HEALTH_MAX_AGE", default_value = "6h", value_parser = parse_duration)]
    pub health_max_age: Duration,
    /// Health snapshots are kept this long (beyond 30 days, one per number per day).
    #[arg(long, env = "GREENLIGHT_HEALTH_RETENTION", default_value = "400d", value_parser = parse_duration)]
    pub health_retention: Duration,
    /// `text` for people, `json` for machines.
    #[arg(
        long,
        env = "GREENLIGHT_LOG_FORMAT",
        default_value = "text",
        value_enum
    )]
    pub log_format: LogFormat,
    /// Let alert webhooks call loopback, private and other reserved addresses (on-premises relays).
    #[arg(long, env = "GREENLIGHT_ALERT_ALLOW_PRIVATE_NETWORKS")]
    pub alert_allow_private_networks: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (comma-separated addresses or CIDR
    /// ranges, e.g. `10.0.0.0/8,::1`). Without it the peer address is the client's.
    #[arg(long, env = "GREENLIGHT_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::auth::client_ip::parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve `GET /metrics` (Prometheus text) on this separate address only, e.g. `127.0.0.1:9464`.
    /// Off by default.
    #[arg(long, env = "GREENLIGHT_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Serve `GET /metrics` to scrapers sending `Authorization: Bearer <this token>` (at least 16
    /// characters): on the main address, or on `--metrics-addr` when that is set. Off by default.
    #[arg(long, env = "GREENLIGHT_METRICS_TOKEN", hide_env_values = true, value_parser = parse_metrics_token)]
    pub metrics_token: Option<String>,
    /// Start the built-in Meta simulator with a demo account and demo users.
    #[arg(long)]
    pub demo: bool,
}

/// The shortest metrics token accepted: a scrape token guessed is the fleet's state read.
pub const MIN_METRICS_TOKEN_LEN: usize = 16;

fn parse_metrics_token(s: &str) -> Result<String, String> {
    if s.chars().count() < MIN_METRICS_TOKEN_LEN {
        return Err(format!(
            "the metrics token must be at least {MIN_METRICS_TOKEN_LEN} characters"
        ));
    }
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the metrics token must be printable ASCII without spaces (it travels in an HTTP header)".into());
    }
    Ok(s.to_string())
}

/// Every option, the secrets (key, app secret, verify token) as `Some([redacted])` or `None`.
impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("addr", &self.addr)
            .field("db", &self.db)
            .field("public_url", &self.public_url)
            .field("secret_key", &app::redact::OptSecret(&self.secret_key))
            .field("graph_api_base_url", &self.graph_api_base_url)
            .field("graph_api_version", &self.graph_api_version)
            .field(
                "meta_app_secret",
                &app::redact::OptSecret(&self.meta_app_secret),
            )
            .field("meta_app_id", &self.meta_app_id)
            .field(
                "meta_webhook_verify_token",
                &app::redact::OptSecret(&self.meta_webhook_verify_token),
            )
            .field(
                "registration_check_interval",
                &self.registration_check_interval,
            )
            .field("setup_answer_within", &self.setup_answer_within)
            .field("health_cache_ttl", &self.health_cache_ttl)
            .field("health_max_age", &self.health_max_age)
            .field("log_format", &self.log_format)
            .field(
                "alert_allow_private_networks",
                &self.alert_allow_private_networks,
            )
            .field("metrics_addr", &self.metrics_addr)
            .field(
                "metrics_token",
                &app::redact::OptSecret(&self.metrics_token),
            )
            .field("demo", &self.demo)
            .finish()
    }
}

fn parse_graph_version(s: &str) -> Result<String, String> {
    let ok = s
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' is not a Graph API version such as v24.0"))
    }
}

impl ServeArgs {
    /// The public URL, defaulting to `http://<addr>`.
    pub fn public_url(&self) -> url::Url {
        self.public_url.clone().unwrap_or_else(|| {
            url::Url::parse(&format!("http://{}", self.addr)).expect("an address is a valid URL")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_human_units_and_reject_nonsense() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn graph_versions_look_like_meta_versions() {
        assert!(parse_graph_version("v24.0").is_ok());
        assert!(parse_graph_version("24.0").is_err());
        assert!(parse_graph_version("v24").is_err());
        assert!(parse_graph_version("v24.x").is_err());
    }

    #[test]
    fn metrics_tokens_are_long_enough_and_fit_a_header() {
        assert!(parse_metrics_token("0123456789abcdef").is_ok());
        assert!(parse_metrics_token("short").is_err());
        assert!(parse_metrics_token("0123456789 abcdef").is_err());
        assert!(parse_metrics_token("0123456789abcdef\n").is_err());
    }

    #[test]
    fn database_defaults_to_a_file_in_the_data_dir() {
        let db = DbArgs {
            data_dir: "/tmp/gl".into(),
            database_url: None,
        };
        assert_eq!(db.url(), "sqlite:///tmp/gl/greenlight.db");
    }
}
