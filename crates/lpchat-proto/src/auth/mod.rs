//! Authentication material and the sans-IO mechanics around it (spec §4, §7):
//!
//! - [`Secret`]: strings that never print themselves;
//! - [`Credentials`] and its parts: user/password, API key, JWT, existing bearer, app key;
//! - [`oauth`]: OAuth 1.0 HMAC-SHA1 signing (RFC 5849) for API-key agent calls;
//! - [`CookieJar`]: the per-agent-session cookie store;
//! - [`encoding`]: the percent-encoding and base64 these need.

mod cookie_date;
pub mod cookies;
pub mod credentials;
pub mod encoding;
pub mod oauth;
pub mod secret;

pub use cookies::CookieJar;
pub use credentials::{ApiKey, AppKey, Credentials, ExistingBearer, UserPassword};
pub use oauth::OAuthError;
pub use secret::Secret;
