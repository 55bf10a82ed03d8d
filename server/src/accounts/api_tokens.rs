//! Rotating and revoking REST API tokens (CLI and `POST /api/v1/profile/access_token`).
//!
//! A rotation stores the digest of a new random token and answers the token once; a revocation
//! stores a value no digest can equal, so no token works until the next rotation. Either way the
//! old token stops working: at once in this process (its cache is cleared), within
//! [`READ_TTL`](crate::services::read_cache::READ_TTL) in a server running next to the CLI.
use secrecy::SecretString;

use super::user_store as users;
use crate::auth::api_token;
use crate::db::Db;
use crate::error::ServiceResult;
use crate::services::Services;

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

async fn replace(db: &Db, email: &str, stored: &str) -> Result<i64, TokenError> {
    let email = email.trim().to_lowercase();
    users::set_api_token_hash_by_email(db, &email, stored)
        .await?
        .ok_or(TokenError::NoSuchUser(email))
}

/// Gives the user a new token and returns it (the only time it is readable).
pub async fn rotate_by_email(db: &Db, email: &str) -> Result<SecretString, TokenError> {
    let token = api_token::generate();
    replace(db, email, &api_token::digest(&token)).await?;
    Ok(SecretString::from(token))
}

/// Leaves the user without a working token.
pub async fn revoke_by_email(db: &Db, email: &str) -> Result<(), TokenError> {
    replace(db, email, &revoked_marker()).await.map(|_| ())
}

impl Services {
    /// Rotates the token of a signed-in user (by their e-mail, which is unique).
    pub async fn rotate_api_token(&self, email: &str) -> ServiceResult<SecretString> {
        let token = rotate_by_email(&self.db, email)
            .await
            .map_err(|e| match e {
                TokenError::Db(e) => crate::error::ServiceError::Db(e),
                other => crate::error::ServiceError::Internal(other.to_string()),
            })?;
        self.forget_token_owners();
        Ok(token)
    }
}
