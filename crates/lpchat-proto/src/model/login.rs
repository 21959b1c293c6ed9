//! The Login Service (spec §7.2, §7.3): login bodies and response, refresh/logout body, the
//! service's error envelope, and the OAuth problem bodies of signed requests (spec §4.1).
//!
//! The Login Service speaks JSON only and its bodies have no root key: the whole object is
//! the model ([`crate::codec::UNROOTED`]). Every credential is a [`Secret`], whose `Debug`
//! never shows the value.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::domain::{DomainAll, Service};
use super::ids::AgentId;
use super::time::EpochMillis;
use super::wire_struct::wire_struct;
use crate::codec::{lenient, Resource, UNROOTED};

/// Credentials and tokens are the crate's one secret type, whose `Debug` and `Display`
/// never show the value.
pub use crate::auth::Secret;

/// The body of a login (L1): user and password, an application (API key) login, or the 2017
/// SSO/reseller JWT login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawLogin", into = "RawLogin")]
#[non_exhaustive]
pub enum LoginRequest {
    /// `{"username","password"}`.
    User {
        /// The agent's login name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// `{"username","appKey","secret","accessToken","accessTokenSecret"}`: a user of type
    /// Bot with login method "App Key".
    AppKey {
        /// The bot user's login name.
        username: String,
        /// The application key (not a secret by itself; it is sent in headers too).
        app_key: String,
        /// The application secret.
        secret: Secret,
        /// The access token.
        access_token: Secret,
        /// The access token's secret.
        access_token_secret: Secret,
    },
    /// `{"jwt"}`.
    Jwt {
        /// The signed token.
        jwt: Secret,
    },
}

impl LoginRequest {
    /// A user/password login.
    pub fn user(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        LoginRequest::User {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The login name, if the body has one (not for JWT logins).
    pub fn username(&self) -> Option<&str> {
        match self {
            LoginRequest::User { username, .. } | LoginRequest::AppKey { username, .. } => {
                Some(username)
            }
            LoginRequest::Jwt { .. } => None,
        }
    }

    /// The password of a user login.
    pub fn password(&self) -> Option<&Secret> {
        match self {
            LoginRequest::User { password, .. } => Some(password),
            _ => None,
        }
    }

    /// The application key of an API-key login.
    pub fn app_key(&self) -> Option<&str> {
        match self {
            LoginRequest::AppKey { app_key, .. } => Some(app_key),
            _ => None,
        }
    }

    /// The token of a JWT login.
    pub fn jwt(&self) -> Option<&Secret> {
        match self {
            LoginRequest::Jwt { jwt } => Some(jwt),
            _ => None,
        }
    }
}

wire_struct! {
    /// The flat wire form of a login body; which fields are present tells the kind.
    #[derive(Clone, Default, Serialize, Deserialize)]
    struct RawLogin {
        username: Option<String> as opt_string("username"),
        password: Option<Secret> as opt("password"),
        app_key: Option<String> as opt_string("appKey"),
        secret: Option<Secret> as opt("secret"),
        access_token: Option<Secret> as opt("accessToken"),
        access_token_secret: Option<Secret> as opt("accessTokenSecret"),
        jwt: Option<Secret> as opt("jwt"),
    }
}

impl TryFrom<RawLogin> for LoginRequest {
    type Error = &'static str;

    // The messages name fields only, never values.
    fn try_from(raw: RawLogin) -> Result<Self, Self::Error> {
        if let Some(jwt) = raw.jwt {
            return Ok(LoginRequest::Jwt { jwt });
        }
        let username = raw
            .username
            .ok_or("a login body needs `username` or `jwt`")?;
        if let Some(app_key) = raw.app_key {
            return Ok(LoginRequest::AppKey {
                username,
                app_key,
                secret: raw.secret.ok_or("an app key login needs `secret`")?,
                access_token: raw
                    .access_token
                    .ok_or("an app key login needs `accessToken`")?,
                access_token_secret: raw
                    .access_token_secret
                    .ok_or("an app key login needs `accessTokenSecret`")?,
            });
        }
        let password = raw
            .password
            .ok_or("a login body needs `password`, `appKey` or `jwt`")?;
        Ok(LoginRequest::User { username, password })
    }
}

impl From<LoginRequest> for RawLogin {
    fn from(login: LoginRequest) -> Self {
        match login {
            LoginRequest::User { username, password } => RawLogin {
                username: Some(username),
                password: Some(password),
                ..RawLogin::default()
            },
            LoginRequest::AppKey {
                username,
                app_key,
                secret,
                access_token,
                access_token_secret,
            } => RawLogin {
                username: Some(username),
                app_key: Some(app_key),
                secret: Some(secret),
                access_token: Some(access_token),
                access_token_secret: Some(access_token_secret),
                ..RawLogin::default()
            },
            LoginRequest::Jwt { jwt } => RawLogin {
                jwt: Some(jwt),
                ..RawLogin::default()
            },
        }
    }
}

impl Resource for LoginRequest {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "request-login";
}

wire_struct! {
    /// The account and user settings of a login response (`config`).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct LoginConfig {
        /// The login name.
        pub login_name: Option<String> as opt_string("loginName"),
        /// The user's id (the agent id of the Chat Agent API).
        pub user_id: Option<AgentId> as opt("userId"),
        /// Privilege ids granted to the user.
        pub user_privileges: Vec<i64> as list("userPrivileges", deserialize_with = "int_list"),
        /// The server's clock at login.
        pub server_current_time: Option<EpochMillis> as opt("serverCurrentTime"),
        /// Milliseconds between the account's time zone and the server's (`-25200000`).
        pub time_diff: Option<i64> as opt_int("timeDiff"),
        /// The server's time zone (`Europe/Athens`).
        pub server_time_zone_name: Option<String> as opt_string("serverTimeZoneName"),
        /// The server's offset from GMT in milliseconds.
        pub server_time_gmt_diff: Option<i64> as opt_int("serverTimeGMTDiff"),
        /// Whether the user is a LivePerson (LPA) user.
        pub is_lpa: Option<bool> as opt_bool("isLPA"),
        /// Whether the user is an administrator.
        pub is_admin: Option<bool> as opt_bool("isAdmin"),
        /// The account's time zone.
        pub account_time_zone_id: Option<String> as opt_string("accountTimeZoneId"),
    }
}

/// A list of integers that may arrive as numbers or numeric strings.
fn int_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    struct Int(i64);
    impl<'de> Deserialize<'de> for Int {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            lenient::int(d).map(Int)
        }
    }
    lenient::list::<D, Int>(d).map(|v| v.into_iter().map(|Int(n)| n).collect())
}

wire_struct! {
    /// The body of a successful login (L1): the tokens of the session and the account's settings.
    ///
    /// `Debug` shows no token: `bearer`, `csrf`, `wsuk` and `session_id` are [`Secret`]s.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct LoginResponse {
        /// Sent back in the body of refresh and logout.
        pub csrf: Secret,
        /// A session key of the web client (not used by the chat APIs).
        pub wsuk: Option<Secret> as opt("wsuk"),
        /// User and account settings.
        pub config: Option<LoginConfig> as opt("config"),
        /// The account's service hosts, as the Domain API gives them.
        pub csds_collection_response: Option<DomainAll> as opt("csdsCollectionResponse"),
        /// Account data (agent groups, …), kept as it came.
        pub account_data: Option<serde_json::Value> as opt("accountData"),
        /// How long the login lives without a refresh (`sessionTTl`, milliseconds: the
        /// documented examples write a string, `"28800000"`, 8 hours; a number is read too, and
        /// written). `None` when absent or not positive.
        pub session_ttl: Option<Duration>
            as opt(
                "sessionTTl",
                deserialize_with = "lenient::opt_millis",
                serialize_with = "lenient::write_opt_millis"
            ),
        /// `Authorization: Bearer` of every agent request.
        pub bearer: Secret,
        /// The session id, when the body carries it (spec §12.14; the cookie `Session_id` always
        /// does).
        pub session_id: Option<Secret> as opt("sessionId"),
    }
}

impl LoginResponse {
    /// How often to refresh: half the session's lifetime, at most `max` (LivePerson asks for
    /// every 3-5 minutes), and at least one second (never a busy loop on a tiny TTL) unless
    /// `max` is smaller. `max` when the lifetime is unknown.
    pub fn refresh_interval(&self, max: Duration) -> Duration {
        match self.session_ttl {
            Some(ttl) => (ttl / 2).max(Duration::from_secs(1)).min(max),
            None => max,
        }
    }

    /// The host of `service` from `csdsCollectionResponse`, if listed.
    pub fn base_uri(&self, service: &Service) -> Option<&str> {
        self.csds_collection_response.as_ref()?.base_uri(service)
    }
}

impl Resource for LoginResponse {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "login";
}

/// The body of refresh (L2) and logout (L3): `{"csrf":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefreshRequest {
    /// The `csrf` of the login response.
    pub csrf: Secret,
}

impl RefreshRequest {
    /// The body for this csrf token.
    pub fn new(csrf: Secret) -> Self {
        RefreshRequest { csrf }
    }
}

impl Resource for RefreshRequest {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "request-refresh";
}

wire_struct! {
    /// The error envelope of the Login Service (spec §7.3, §10):
    /// `{"error":{"time","message","internalCode","responseStatus"}}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ErrorBody {
        /// When it happened, in the server's own format (`Sep 22, 2016 4:10:15 PM`), kept as text.
        pub time: Option<String> as opt_string("time"),
        /// What went wrong.
        pub message: Option<String> as opt_string("message"),
        /// LivePerson's code (10 = CSRF/authorization; see spec §10 for the others seen).
        pub internal_code: Option<i64> as opt_int("internalCode"),
        /// The HTTP status's name (`UNAUTHORIZED`, `BAD_REQUEST`).
        pub response_status: Option<String> as opt_string("responseStatus"),
    }
}

impl Resource for ErrorBody {
    const ROOT: &'static str = "error";
    const NAME: &'static str = "error";
}

/// An OAuth 1.0 failure body (spec §4.1): `oauth_problem=…&oauth_problem_advice=…`, plain
/// text, answered with 401 to a signed request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OAuthProblem {
    /// The problem (`token_rejected`, `signature_invalid`, …).
    pub problem: String,
    /// The server's explanation.
    pub advice: Option<String>,
    /// Any other parameters, in order (the OAuth problem extension defines a few).
    pub other: Vec<(String, String)>,
}

impl OAuthProblem {
    /// Reads an OAuth problem body; `None` when the body is not one (no `oauth_problem`).
    ///
    /// Values are percent-decoded where they hold valid `%XX` escapes; LivePerson sends them
    /// unencoded (with spaces), so `+` is kept as it is.
    pub fn parse(body: &[u8]) -> Option<OAuthProblem> {
        let text = std::str::from_utf8(body).ok()?.trim();
        let mut out = OAuthProblem::default();
        let mut found = false;
        for pair in text.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (percent_decode(key.trim()), percent_decode(value));
            match key.as_str() {
                "oauth_problem" if !found => {
                    out.problem = value;
                    found = true;
                }
                "oauth_problem_advice" if out.advice.is_none() => out.advice = Some(value),
                "" => {}
                _ => out.other.push((key, value)),
            }
        }
        found.then_some(out)
    }
}

/// Decodes `%XX` escapes; anything else (a lone `%`, invalid UTF-8 after decoding) is kept.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                // Two hex digits make a value below 256.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn json<T: Resource>(s: &str) -> T {
        decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let login = LoginRequest::AppKey {
            username: "bot".into(),
            app_key: "key".into(),
            secret: "s3cr3t-A".into(),
            access_token: "t0k3n-B".into(),
            access_token_secret: "t0k3n-s3cr3t-C".into(),
        };
        let user = LoginRequest::user("agent", "hunter2-D");
        let jwt = LoginRequest::Jwt {
            jwt: "eyJ-E".into(),
        };
        let response: LoginResponse = json(
            r#"{"csrf":"csrf-F","wsuk":"wsuk-G","bearer":"bearer-H","sessionId":"sid-I","sessionTTl":"1000"}"#,
        );
        let refresh = RefreshRequest::new("csrf-J".into());
        let all = format!("{login:?}{user:?}{jwt:?}{response:?}{refresh:?}{response:#?}");
        for secret in [
            "s3cr3t-A",
            "t0k3n-B",
            "t0k3n-s3cr3t-C",
            "hunter2",
            "eyJ",
            "csrf-F",
            "wsuk-G",
            "bearer-H",
            "sid-I",
            "csrf-J",
        ] {
            assert!(!all.contains(secret), "{secret} leaked in {all}");
        }
        assert!(all.contains("bot") && all.contains("key") && all.contains("agent"));
    }

    #[test]
    fn login_kinds_are_told_by_their_fields() {
        let user: LoginRequest = json(r#"{"username":"name","password":"pw"}"#);
        assert_eq!(user.username(), Some("name"));
        assert_eq!(user.password().map(Secret::expose), Some("pw"));
        let app: LoginRequest = json(
            r#"{"username":"n","appKey":"k","secret":"s","accessToken":"t","accessTokenSecret":"ts"}"#,
        );
        assert_eq!(app.app_key(), Some("k"));
        assert!(app.password().is_none());
        let jwt: LoginRequest = json(r#"{"jwt":"j"}"#);
        assert_eq!(jwt.jwt().map(Secret::expose), Some("j"));
        assert_eq!(jwt.username(), None);
        for bad in [
            r#"{}"#,
            r#"{"username":"n"}"#,
            r#"{"username":"n","appKey":"k","secret":"s"}"#,
        ] {
            let err = decode::<LoginRequest>(Format::Json, bad.as_bytes(), &Limits::default())
                .unwrap_err();
            assert!(!err.to_string().contains("\"s\""), "{err}");
        }
        assert_eq!(
            &encode(Format::Json, &user).unwrap()[..],
            br#"{"username":"name","password":"pw"}"#
        );
    }

    #[test]
    fn refresh_interval_follows_the_ttl_within_bounds() {
        let five = Duration::from_secs(300);
        let mut r = LoginResponse {
            session_ttl: Some(Duration::from_secs(8 * 3600)),
            ..LoginResponse::default()
        };
        assert_eq!(r.refresh_interval(five), five);
        r.session_ttl = Some(Duration::from_secs(60));
        assert_eq!(r.refresh_interval(five), Duration::from_secs(30));
        r.session_ttl = Some(Duration::from_millis(10));
        assert_eq!(r.refresh_interval(five), Duration::from_secs(1));
        r.session_ttl = None;
        assert_eq!(r.refresh_interval(five), five);
    }

    #[test]
    fn session_ttl_reads_as_a_duration_from_a_string_or_a_number() {
        let eight_hours = Some(Duration::from_secs(8 * 3600));
        for body in [
            r#"{"csrf":"c","bearer":"b","sessionTTl":"28800000"}"#,
            r#"{"csrf":"c","bearer":"b","sessionTTl":28800000}"#,
            r#"{"csrf":"c","bearer":"b","sessionTTl":" 28800000 "}"#,
        ] {
            let r: LoginResponse = json(body);
            assert_eq!(r.session_ttl, eight_hours, "{body}");
        }
        for body in [
            r#"{"csrf":"c","bearer":"b","sessionTTl":"-5"}"#,
            r#"{"csrf":"c","bearer":"b","sessionTTl":0}"#,
            r#"{"csrf":"c","bearer":"b","sessionTTl":""}"#,
            r#"{"csrf":"c","bearer":"b"}"#,
        ] {
            let r: LoginResponse = json(body);
            assert_eq!(r.session_ttl, None, "{body}");
        }
        let bad = crate::decode::<LoginResponse>(
            Format::Json,
            br#"{"csrf":"c","bearer":"b","sessionTTl":"soon"}"#,
            &crate::Limits::default(),
        );
        assert!(bad.is_err());
        // Written as the number of milliseconds, like every other number.
        let r: LoginResponse = json(r#"{"csrf":"c","bearer":"b","sessionTTl":"28800000"}"#);
        let out = String::from_utf8(encode(Format::Json, &r).unwrap().to_vec()).unwrap();
        assert!(out.contains(r#""sessionTTl":28800000"#), "{out}");
    }

    #[test]
    fn error_envelope_keeps_the_time_as_text() {
        let e: ErrorBody = json(
            r#"{"error":{"time":"Sep 22, 2016 4:10:15 PM","message":"CSRF token invalid!","internalCode":"10","responseStatus":"UNAUTHORIZED"}}"#,
        );
        assert_eq!(e.time.as_deref(), Some("Sep 22, 2016 4:10:15 PM"));
        assert_eq!(e.internal_code, Some(10));
        assert_eq!(e.response_status.as_deref(), Some("UNAUTHORIZED"));
    }

    #[test]
    fn oauth_problems() {
        let p = OAuthProblem::parse(
            b"oauth_problem=token_rejected&oauth_problem_advice=the oauth_token is unacceptable to the Service Provider\n",
        )
        .unwrap();
        assert_eq!(p.problem, "token_rejected");
        assert_eq!(
            p.advice.as_deref(),
            Some("the oauth_token is unacceptable to the Service Provider")
        );
        let q = OAuthProblem::parse(
            b"oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce%26oauth_token&x",
        )
        .unwrap();
        assert_eq!(q.advice, None);
        assert_eq!(
            q.other,
            vec![
                (
                    "oauth_parameters_absent".into(),
                    "oauth_nonce&oauth_token".into()
                ),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(OAuthProblem::parse(b"{\"error\":{}}"), None);
        assert_eq!(OAuthProblem::parse(b"\xff\xfe"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
