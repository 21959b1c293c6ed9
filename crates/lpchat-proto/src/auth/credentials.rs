//! What a client authenticates with: a user and password, an API key (OAuth 1.0), a JWT, an
//! existing bearer, or a visitor app key (spec §4, §7.2).

use super::secret::Secret;

/// A user login (`{"username":…,"password":…}`, spec §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserPassword {
    /// The agent's login name.
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl UserPassword {
    /// A user login.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        UserPassword {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// An API key of LivePerson's key management: the four values of an "App Key" login and of
/// OAuth 1.0 signing (spec §4.1, §7.2). Every part counts as secret, the app key included
/// (it is the OAuth consumer key, and paired with the rest it is a credential).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiKey {
    /// `appKey`, the OAuth consumer key.
    pub app_key: Secret,
    /// `secret`, the consumer secret.
    pub secret: Secret,
    /// `accessToken`, the OAuth token.
    pub access_token: Secret,
    /// `accessTokenSecret`, the token secret.
    pub access_token_secret: Secret,
}

impl ApiKey {
    /// An API key from its four parts.
    pub fn new(
        app_key: impl Into<Secret>,
        secret: impl Into<Secret>,
        access_token: impl Into<Secret>,
        access_token_secret: impl Into<Secret>,
    ) -> Self {
        ApiKey {
            app_key: app_key.into(),
            secret: secret.into(),
            access_token: access_token.into(),
            access_token_secret: access_token_secret.into(),
        }
    }
}

/// A bearer obtained elsewhere (another process logged in), used without a login of our own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExistingBearer {
    /// The bearer for `Authorization: Bearer …`.
    pub bearer: Secret,
    /// The login's csrf token, needed only to refresh or log out that login.
    pub csrf: Option<Secret>,
}

impl ExistingBearer {
    /// An existing bearer, without a csrf token.
    pub fn new(bearer: impl Into<Secret>) -> Self {
        ExistingBearer {
            bearer: bearer.into(),
            csrf: None,
        }
    }

    /// With the login's csrf token (to refresh or log out that login).
    pub fn with_csrf(mut self, csrf: impl Into<Secret>) -> Self {
        self.csrf = Some(csrf.into());
        self
    }
}

/// A visitor-side app key (`Authorization: LivePerson appKey=…`, spec §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppKey(pub Secret);

impl AppKey {
    /// An app key.
    pub fn new(key: impl Into<Secret>) -> Self {
        AppKey(key.into())
    }
}

/// Every way a client can authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// Log in with a user name and password (L1 user login).
    User(UserPassword),
    /// Log in with an API key (L1 application login); agent calls may also be OAuth-signed
    /// with the same key.
    ApiKey {
        /// The bot user's login name.
        username: String,
        /// The key.
        key: ApiKey,
    },
    /// Log in with a JWT (the 2017 reseller/SSO form `{"jwt":…}`).
    Jwt(Secret),
    /// Use a bearer obtained elsewhere; no login.
    Bearer(ExistingBearer),
    /// Visitor side: an app key, no login.
    Visitor(AppKey),
}

impl Credentials {
    /// Whether these credentials are used through a Login Service login (L1).
    pub fn needs_login(&self) -> bool {
        matches!(
            self,
            Credentials::User(_) | Credentials::ApiKey { .. } | Credentials::Jwt(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let all = [
            Credentials::User(UserPassword::new("agent1", "p4ssw0rd")),
            Credentials::ApiKey {
                username: "bot".into(),
                key: ApiKey::new("ak-1", "sec-2", "tok-3", "toksec-4"),
            },
            Credentials::Jwt("eyJhbGciOi".into()),
            Credentials::Bearer(ExistingBearer {
                bearer: "bear-5".into(),
                csrf: Some("csrf-6".into()),
            }),
            Credentials::Visitor(AppKey::new("721c180b")),
        ];
        for c in &all {
            let s = format!("{c:?} {c:#?}");
            for secret in [
                "p4ssw0rd", "ak-1", "sec-2", "tok-3", "toksec-4", "eyJhbG", "bear-5", "csrf-6",
                "721c180b",
            ] {
                assert!(!s.contains(secret), "{s}");
            }
        }
        assert!(format!("{:?}", all[0]).contains("agent1"));
        assert!(all[0].needs_login() && !all[3].needs_login());
    }
}
