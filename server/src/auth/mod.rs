//! Authentication: password hashing, API tokens, login throttling, CSRF and the request middleware.
pub mod api_token;
pub mod client_ip;
pub mod csrf;
pub mod login_limiter;
pub mod middleware;
pub mod password;
pub mod setup_code;
