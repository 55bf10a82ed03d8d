//! `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body keyed with the app secret,
//! compared in constant time.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header Meta signs its webhooks with.
pub const HEADER: &str = "x-hub-signature-256";

/// `true` when `header` is `sha256=<hex of HMAC-SHA256(secret, body)>` (hex in either case).
pub fn verify(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// `sha256=<lower-case hex>` for `body` (used to sign Greenlight's own outgoing webhooks).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Constant-time equality of two tokens (the handshake's `hub.verify_token`).
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_of_the_exact_bytes_verifies() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let sig = sign("s3cret", body);
        assert!(verify("s3cret", body, Some(&sig)));
        assert!(verify(
            "s3cret",
            body,
            Some(&sig.to_uppercase().replace("SHA256=", "sha256="))
        ));
        assert_eq!(sig, crate::simulator::webhooks::signature("s3cret", body));
    }

    #[test]
    fn wrong_secret_tampered_body_missing_or_malformed_headers_fail() {
        let body = b"{\"a\":1}";
        let sig = sign("s3cret", body);
        assert!(!verify("other", body, Some(&sig)));
        assert!(!verify("s3cret", b"{\"a\":2}", Some(&sig)));
        assert!(!verify("s3cret", body, None));
        assert!(!verify("s3cret", body, Some("")));
        assert!(!verify(
            "s3cret",
            body,
            Some(sig.trim_start_matches("sha256="))
        ));
        assert!(!verify("s3cret", body, Some("sha256=zz")));
        assert!(!verify("s3cret", body, Some("sha1=abcd")));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "abcd"));
    }
}
