//! API access tokens for the REST API (`api_access_token` header, as in Chatwoot). Only a SHA-256
//! of the token is stored: the token is long and random, so a fast hash is enough.
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token (32 bytes, hex).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let a = generate();
        assert_eq!(a.len(), 64);
        assert_ne!(a, generate());
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a);
    }
}
