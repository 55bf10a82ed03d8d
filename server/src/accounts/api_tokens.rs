//! Rotating and revoking REST API tokens (CLI and `POST /api/v1/profile/access_token`).
//!
//! A rotation stores the digest of a new random token and answers the token once; a revocation
//! stores a value no digest can equal, so no token works until the next rotation. Either way the
//! old token stops working: at once in this process (its cache is cleared), within
//! [`READ_TTL`](crate::cache::READ_TTL) in a server running next to the CLI.
use secrecy::SecretString;

use super::store::AccountStore;
use crate::auth::api_token;

/// Why a token could not be rotated or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no user has the e-mail {0}")]
    NoSuchUser(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What a revoked user's `api_token_hash` holds: never a hex SHA-256, unique per revocation.
fn revoked_marker() -> String {
    format!("revoked:{}", api_token::generate())
}

async fn replace(store: &AccountStore, email: &str, stored: &str) -> Result<i64, TokenError> {
    let email = email.trim().to_lowercase();
    store
        .set_api_token_hash_by_email(&email, stored)
        .await?
        .ok_or(TokenError::NoSuchUser(email))
}

/// Gives the user a new token and returns it (the only time it is readable).
pub async fn rotate_by_email(
    store: &AccountStore,
    email: &str,
) -> Result<SecretString, TokenError> {
    let token = api_token::generate();
    replace(store, email, &api_token::digest(&token)).await?;
    Ok(SecretString::from(token))
}

/// Leaves the user without a working token.
pub async fn revoke_by_email(store: &AccountStore, email: &str) -> Result<(), TokenError> {
    replace(store, email, &revoked_marker()).await.map(|_| ())
}
