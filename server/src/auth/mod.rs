//! Authentication: password hashing, API tokens, login throttling and the request middleware.
pub mod api_token;
pub mod login_limiter;
pub mod middleware;
pub mod password;
