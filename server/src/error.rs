//! The server's internal error, mapped once into the wire error (`AppError`) that the REST API and
//! the UI show. Internal details are logged here and never leave the server.
use app::error::AppError;

/// Everything a service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A domain answer for the user (validation, permission, not found...).
    #[error(transparent)]
    App(#[from] AppError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("secrets: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("session store: {0}")]
    Session(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    /// True when the database refused a duplicate of a unique value.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, ServiceError::Db(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()))
    }

    /// The error a cache loader shared between the callers waiting on it, back as one caller's
    /// own (domain answers keep their meaning; anything else is internal).
    pub fn from_shared(e: std::sync::Arc<ServiceError>) -> ServiceError {
        match &*e {
            ServiceError::App(a) => ServiceError::App(a.clone()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::App(a) => a,
            other => {
                tracing::error!(error = %other, "internal error");
                AppError::Internal
            }
        }
    }
}

/// Services answer with this.
pub type ServiceResult<T> = Result<T, ServiceError>;
