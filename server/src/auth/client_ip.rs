//! Who is asking, for throttling: the client address behind trusted reverse proxies, keyed so that
//! one IPv6 host cannot dodge the limits by using every address of its /64.
use std::net::IpAddr;

use ipnet::IpNet;

/// Parses one `GREENLIGHT_TRUSTED_PROXIES` entry: an address (`10.0.0.5`, `::1`) or a CIDR range.
pub fn parse_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are written by
/// the client and prove nothing).
pub fn client_addr(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&canonical(peer)) {
        return canonical(peer);
    }
    let Some(header) = forwarded_for else {
        return canonical(peer);
    };
    let mut last = canonical(peer);
    for entry in header.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => {
                let ip = canonical(ip);
                if !is_trusted(&ip) {
                    return ip;
                }
                last = ip;
            }
            // A malformed entry: the proxies' part of the header ends here.
            Err(_) => break,
        }
    }
    last
}

/// The throttling key of an address: IPv4 as is, IPv6 by its /64 (one host usually owns a whole
/// /64, so per-address keys would be one key per attempt).
pub fn limiter_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let net = ipnet::Ipv6Net::new(v6, 64)
                .map(|n| n.trunc())
                .unwrap_or_else(|_| ipnet::Ipv6Net::from(v6));
            net.to_string()
        }
    }
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = vec![
            parse_proxy("10.0.0.0/8").unwrap(),
            parse_proxy("::1").unwrap(),
        ];
        // An untrusted peer cannot claim another address.
        assert_eq!(
            client_addr(ip("203.0.113.9"), Some("198.51.100.1"), &trusted),
            ip("203.0.113.9")
        );
        // Behind a trusted proxy: the right-most untrusted entry; spoofed entries to its left are ignored.
        assert_eq!(
            client_addr(
                ip("10.0.0.2"),
                Some("1.1.1.1, 198.51.100.7, 10.0.0.3"),
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_addr(ip("::1"), Some("198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_addr(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_addr(ip("10.0.0.2"), Some("not-an-ip"), &trusted),
            ip("10.0.0.2")
        );
        // No proxies configured: the header is never read.
        assert_eq!(
            client_addr(ip("10.0.0.2"), Some("198.51.100.7"), &[]),
            ip("10.0.0.2")
        );
        assert!(parse_proxy("10.0.0.0/33").is_err() && parse_proxy("proxy").is_err());
    }

    #[test]
    fn ipv6_hosts_are_keyed_by_their_64() {
        assert_eq!(
            limiter_key(ip("2001:db8:1:2:aaaa::1")),
            limiter_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            limiter_key(ip("2001:db8:1:2::1")),
            limiter_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limiter_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(limiter_key(ip("192.0.2.1")), "192.0.2.1");
    }
}
