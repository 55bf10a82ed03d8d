//! Where outgoing alert webhooks may connect. An administrator types the URL, so without a rule
//! the server could be made to POST into its own network (server-side request forgery): loopback,
//! private, link-local, unique-local, CGNAT, multicast, broadcast and unspecified addresses are
//! refused, unless the operator lifts the rule (`GREENLIGHT_ALERT_ALLOW_PRIVATE_NETWORKS`) for an
//! on-premises relay.
//!
//! The rule is applied to the address actually connected to: [`GuardedResolver`] is the HTTP
//! client's DNS resolver and drops forbidden answers, so a name that resolves to `127.0.0.1` is
//! refused at connect time, not only when the webhook is created. The client skips the resolver
//! for IP-literal hosts, so [`check_url`] checks those before any request.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an outgoing request was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only http:// and https:// URLs are allowed")]
    Scheme,
    #[error("the URL has no host")]
    NoHost,
    #[error("{host} is a private or reserved address")]
    Address { host: String },
    #[error("{host} resolves only to private or reserved addresses")]
    Resolved { host: String },
}

/// Whether `ip` is an address outgoing webhooks must not reach (see the module docs).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()               // 127/8
        || ip.is_private()         // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()      // 169.254/16
        || ip.is_multicast()       // 224/4
        || ip.is_broadcast()       // 255.255.255.255
        || a == 0                  // 0/8 ("this network", includes unspecified)
        || (a == 100 && (b & 0xc0) == 64) // 100.64/10 (CGNAT)
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    // IPv4 addresses written as IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`) reach the IPv4
    // host they embed.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let s = ip.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_forbidden_v4(Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7])));
    }
    ip.is_loopback()                        // ::1
        || ip.is_unspecified()              // ::
        || ip.is_multicast()                // ff00::/8
        || (s[0] & 0xffc0) == 0xfe80        // fe80::/10 link-local
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique-local
}

/// Checks a webhook URL that is about to be called: http(s) only, and (when `allow_private` is
/// off) no forbidden IP-literal host. Names are checked by [`GuardedResolver`] at connect time.
pub fn check_url(url: &url::Url, allow_private: bool) -> Result<(), Refused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused::Scheme);
    }
    let forbidden = match url.host() {
        None => return Err(Refused::NoHost),
        Some(url::Host::Domain(_)) => false,
        Some(url::Host::Ipv4(ip)) => is_forbidden(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_forbidden(IpAddr::V6(ip)),
    };
    if forbidden && !allow_private {
        return Err(Refused::Address {
            host: url.host_str().unwrap_or_default().to_string(),
        });
    }
    Ok(())
}

/// Resolves `host` and keeps only the allowed addresses; refuses when none remain.
pub async fn resolve_allowed(host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(ResolveError::Lookup)?
        .collect();
    let allowed: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| !is_forbidden(a.ip()))
        .collect();
    if allowed.is_empty() && !found.is_empty() {
        return Err(ResolveError::Refused(Refused::Resolved {
            host: host.to_string(),
        }));
    }
    Ok(allowed)
}

/// Why [`resolve_allowed`] gave no address.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Refused(Refused),
    #[error("name lookup failed: {0}")]
    Lookup(std::io::Error),
}

/// The outgoing webhook client's DNS resolver: the system's answers minus forbidden addresses.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let allowed = resolve_allowed(&host).await?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The [`Refused`] somewhere in an error's source chain (how a refusal by [`GuardedResolver`]
/// surfaces from the HTTP client).
pub fn refusal_in(err: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r.clone());
        }
        if let Some(ResolveError::Refused(r)) = e.downcast_ref::<ResolveError>() {
            return Some(r.clone());
        }
        cur = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_addresses_are_classified() {
        let cases: &[(&str, bool)] = &[
            ("127.0.0.1", true),
            ("127.255.0.9", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("172.31.255.255", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("169.254.169.254", true),
            ("100.64.0.1", true),
            ("100.127.255.255", true),
            ("100.128.0.1", false),
            ("100.63.255.255", false),
            ("224.0.0.1", true),
            ("239.255.255.250", true),
            ("255.255.255.255", true),
            ("0.0.0.0", true),
            ("8.8.8.8", false),
            ("203.0.113.10", false),
            ("::1", true),
            ("::", true),
            ("fe80::1", true),
            ("febf::1", true),
            ("fec0::1", false),
            ("fc00::1", true),
            ("fd12:3456::1", true),
            ("ff02::1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.0.0.1", true),
            ("::ffff:169.254.169.254", true),
            ("::ffff:8.8.8.8", false),
            ("64:ff9b::7f00:1", true),
            ("64:ff9b::808:808", false),
            ("2001:4860:4860::8888", false),
        ];
        for (ip, forbidden) in cases {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(is_forbidden(parsed), *forbidden, "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_by_scheme_and_literal_host() {
        let check = |u: &str, allow| check_url(&url::Url::parse(u).unwrap(), allow);
        assert_eq!(check("ftp://example.com/x", false), Err(Refused::Scheme));
        assert_eq!(check("file:///etc/passwd", true), Err(Refused::Scheme));
        assert!(check("https://hooks.example.com/x", false).is_ok());
        assert!(check("http://203.0.113.10/x", false).is_ok());
        for u in [
            "http://127.0.0.1:8080/x",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(
                matches!(check(u, false), Err(Refused::Address { .. })),
                "{u}"
            );
            assert!(check(u, true).is_ok(), "{u} with private networks allowed");
        }
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let err = resolve_allowed("localhost").await.unwrap_err();
        assert!(
            matches!(err, ResolveError::Refused(Refused::Resolved { .. })),
            "{err}"
        );
        let found = refusal_in(&err).expect("the refusal is found in the chain");
        assert_eq!(
            found,
            Refused::Resolved {
                host: "localhost".into()
            }
        );
    }
}
