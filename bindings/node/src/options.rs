//! The settings objects of `new Client(account, options)`, `client.agentSession(credentials,
//! options)` and `visitor.requestChat(request, options)` / `resumeChat`: one struct and one
//! reader per group, each reader mapping its group onto the Rust setting it names
//! (`ClientBuilder`, `TransportConfig`, `RetryPolicy`, `ops::Options`, `AgentConfig`,
//! `LoginSettings`, `VisitorConfig`). No defaults of their own: an absent field keeps the
//! Rust default.
//!
//! The objects arrive as JSON values and are read by serde (not by napi's argument
//! conversion), so a wrong type, a misspelt field or a bad value is an `LPCHAT_CONFIG`
//! error that names the field (and, from an async call, a rejection like every other
//! failure), never napi's own error. The structs stay `#[napi(object)]` for the generated
//! TypeScript declarations.

use std::time::Duration;

use lpchat::proto::cursor::TokenError;
use lpchat::proto::machine::{AgentConfig, LoginSettings, VisitorConfig};
use lpchat::proto::{ops, OuterLoop, RetryPolicy};
use lpchat::{AgentState, ForcedAwayPolicy, Format, TransportConfig};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::convert::request;
use crate::error::{BindingError, Result};

/// An options object as its struct; absent or `null`: every default.
fn read<T: DeserializeOwned + Default>(what: &str, v: Option<Value>) -> Result<T> {
    match v {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => request(what, v),
    }
}

/// A field that may be absent (keep the default) or `null` (a setting's "none").
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A number of milliseconds as a duration.
pub fn ms(v: f64, what: &str) -> Result<Duration> {
    if (0.0..=1e12).contains(&v) {
        Ok(Duration::from_secs_f64(v / 1000.0))
    } else {
        Err(BindingError::config(format!(
            "{what} must be a non-negative number of milliseconds"
        )))
    }
}

/// Writes an optional milliseconds field into its setting.
fn set_ms(target: &mut Duration, v: Option<f64>, what: &str) -> Result<()> {
    if let Some(v) = v {
        *target = ms(v, what)?;
    }
    Ok(())
}

/// A count that must be at least 1.
fn positive(v: u32, what: &str) -> Result<usize> {
    if v == 0 {
        return Err(BindingError::config(format!("{what} must be at least 1")));
    }
    usize::try_from(v).map_err(|_| BindingError::config(format!("{what} is too large")))
}

/// Wire format of the chat API requests.
fn parse_format(format: Option<&str>) -> Result<Format> {
    match format {
        None | Some("json") => Ok(Format::Json),
        Some("xml") => Ok(Format::Xml),
        Some(other) => Err(BindingError::config(format!(
            "format must be \"json\" or \"xml\", not {other:?}"
        ))),
    }
}

/// The forced-availability policy named `policy`.
pub fn forced_away(policy: &str) -> Result<ForcedAwayPolicy> {
    match policy {
        "reassert" => Ok(ForcedAwayPolicy::Reassert),
        "adopt" => Ok(ForcedAwayPolicy::Adopt),
        other => Err(BindingError::config(format!(
            "forcedAway must be \"reassert\" or \"adopt\", not {other:?}"
        ))),
    }
}

/// The availability named `state` (one of the four the API sets).
pub fn agent_state(state: &str) -> Result<AgentState> {
    match AgentState::parse(state) {
        AgentState::Unknown(_) => Err(BindingError::config(
            "availability must be Online, Occupied, Away or Offline",
        )),
        s => Ok(s),
    }
}

/// A cursor token's error as `LPCHAT_CONFIG`.
pub fn token_error(e: TokenError) -> BindingError {
    BindingError::config(format!("invalid cursor token: {e}"))
}

/// Retry settings of a client (`RetryPolicy`; defaults: LivePerson's 5, 10, 15 s with
/// jitter).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryOptions {
    /// Pauses between retries, ms (`schedule`: 5,000, 10,000, 15,000).
    pub schedule_ms: Option<Vec<f64>>,
    /// The fixed pause of the outer loop once the schedule ran out, ms (`outer`: 120,000).
    pub outer_ms: Option<f64>,
    /// Longest `Retry-After` honoured, ms (`max_retry_after`: 300,000).
    pub max_retry_after_ms: Option<f64>,
    /// Jitter as a fraction of each pause, 0-1 (`jitter`: 0.1).
    pub jitter: Option<f64>,
    /// The least pause after a 429, ms (`rate_limit_floor`: 1,000).
    pub rate_limit_floor_ms: Option<f64>,
    /// How many 429s in a row are retried (`rate_limit_retries`: 10).
    pub rate_limit_retries: Option<u32>,
}

fn retry_policy(r: RetryOptions) -> Result<RetryPolicy> {
    let mut policy = RetryPolicy::default();
    if let Some(schedule) = r.schedule_ms {
        let pauses = schedule
            .into_iter()
            .map(|p| ms(p, "retry.scheduleMs"))
            .collect::<Result<Vec<_>>>()?;
        policy = policy.with_schedule(pauses);
    }
    if let Some(outer) = r.outer_ms {
        policy = policy.with_outer(OuterLoop::Fixed(ms(outer, "retry.outerMs")?));
    }
    set_ms(
        &mut policy.max_retry_after,
        r.max_retry_after_ms,
        "retry.maxRetryAfterMs",
    )?;
    set_ms(
        &mut policy.rate_limit_floor,
        r.rate_limit_floor_ms,
        "retry.rateLimitFloorMs",
    )?;
    if let Some(n) = r.rate_limit_retries {
        policy.rate_limit_retries = n;
    }
    if let Some(j) = r.jitter {
        if !(0.0..=1.0).contains(&j) {
            return Err(BindingError::config("retry.jitter must be between 0 and 1"));
        }
        policy = policy.with_jitter(j);
    }
    Ok(policy)
}

/// Connection settings of a client (`TransportConfig`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransportOptions {
    /// Longest wait for a connection, and for a turn under `maxInFlight`, ms
    /// (`connect_timeout`: 10,000).
    pub connect_timeout_ms: Option<f64>,
    /// Longest wait for a whole exchange, ms (`request_timeout`: 30,000).
    pub request_timeout_ms: Option<f64>,
    /// A proxy URL for every request (`proxy`; never shown in errors or logs).
    pub proxy: Option<String>,
    /// Extra trusted root certificates, PEM (`extra_roots`).
    pub extra_roots_pem: Option<Vec<String>>,
    /// The `User-Agent` header (`user_agent`: `lpchat-rust/<version>`).
    pub user_agent: Option<String>,
    /// Largest response body read, bytes (`max_body`: the codec's limit, 16 MiB); a larger
    /// one fails as `LPCHAT_TRANSPORT` (`kind` `body_truncated`).
    pub max_body: Option<u32>,
    /// Most idle keep-alive connections kept per host (`pool_max_idle_per_host`: 256).
    pub pool_max_idle_per_host: Option<u32>,
    /// How long an unused keep-alive connection is kept, ms; `null`: for ever
    /// (`pool_idle_timeout`: 30,000).
    #[napi(ts_type = "number | null")]
    #[serde(default, deserialize_with = "nullable")]
    pub pool_idle_timeout_ms: Option<Option<f64>>,
    /// Most exchanges in flight at once, at least 1; `null`: no limit (`max_in_flight`:
    /// 256). A request waits for its turn at most `connectTimeoutMs`.
    #[napi(ts_type = "number | null")]
    #[serde(default, deserialize_with = "nullable")]
    pub max_in_flight: Option<Option<u32>>,
}

fn transport_config(t: TransportOptions) -> Result<TransportConfig> {
    let mut cfg = TransportConfig::default();
    set_ms(
        &mut cfg.connect_timeout,
        t.connect_timeout_ms,
        "transport.connectTimeoutMs",
    )?;
    set_ms(
        &mut cfg.request_timeout,
        t.request_timeout_ms,
        "transport.requestTimeoutMs",
    )?;
    cfg.proxy = t.proxy;
    if let Some(roots) = t.extra_roots_pem {
        cfg.extra_roots = roots.into_iter().map(String::into_bytes).collect();
    }
    if let Some(ua) = t.user_agent {
        cfg.user_agent = ua;
    }
    if let Some(max) = t.max_body {
        cfg.max_body = positive(max, "transport.maxBody")?;
    }
    if let Some(idle) = t.pool_max_idle_per_host {
        cfg.pool_max_idle_per_host = usize::try_from(idle).unwrap_or(usize::MAX);
    }
    if let Some(timeout) = t.pool_idle_timeout_ms {
        cfg.pool_idle_timeout = timeout
            .map(|v| ms(v, "transport.poolIdleTimeoutMs"))
            .transpose()?;
    }
    if let Some(limit) = t.max_in_flight {
        cfg.max_in_flight = limit
            .map(|n| positive(n, "transport.maxInFlight"))
            .transpose()?;
    }
    Ok(cfg)
}

/// Wire switches of a client (`ops::Options`; all off by default, see
/// `docs/wire-choices.md`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireOptions {
    /// Append `.json` / `.xml` to the last path segment, as LivePerson's sample app does.
    pub format_suffix: Option<bool>,
    /// Send PUT and DELETE as themselves instead of POST + `X-HTTP-Method-Override`.
    pub real_verbs: Option<bool>,
    /// Send `X-Requested-With: XMLHttpRequest` on agent calls.
    pub requested_with: Option<bool>,
    /// Visitor side: the app key as the `appKey` query parameter instead of a header.
    pub app_key_in_query: Option<bool>,
}

fn wire_options(w: WireOptions) -> ops::Options {
    let mut options = ops::Options::default();
    options.format_suffix = w.format_suffix.unwrap_or(options.format_suffix);
    options.real_verbs = w.real_verbs.unwrap_or(options.real_verbs);
    options.requested_with = w.requested_with.unwrap_or(options.requested_with);
    options.app_key_in_query = w.app_key_in_query.unwrap_or(options.app_key_in_query);
    options
}

/// Settings of a client (`ClientBuilder`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// Another Domain API host (`http://127.0.0.1:PORT` for an emulator).
    pub domain_origin: Option<String>,
    /// The Chat Agent API host, skipping the Domain API lookup.
    pub agent_host: Option<String>,
    /// The Server Chat API (visitor) host, skipping the Domain API lookup.
    pub visitor_host: Option<String>,
    /// Allow plain `http` beyond loopback hosts (never needed in production).
    pub allow_insecure_http: Option<bool>,
    /// `"json"` (default) or `"xml"`.
    #[napi(ts_type = "'json' | 'xml'")]
    pub format: Option<String>,
    /// Retry settings.
    pub retry: Option<RetryOptions>,
    /// Connection settings.
    pub transport: Option<TransportOptions>,
    /// Seeds jitter and nonces (deterministic tests).
    pub seed: Option<u32>,
    /// Wire switches.
    pub wire: Option<WireOptions>,
    /// How many unread events a session's stream may hold before the session pauses its
    /// polls until the stream is read, at least 1 (`event_buffer`: 1,024).
    pub event_buffer: Option<u32>,
}

/// The builder of a client for `account` with these settings.
pub fn client_builder(account: String, options: Option<Value>) -> Result<lpchat::ClientBuilder> {
    if account.is_empty() {
        return Err(BindingError::config("the account id cannot be empty"));
    }
    let o: ClientOptions = read("client options", options)?;
    let mut b = lpchat::Client::builder(account).format(parse_format(o.format.as_deref())?);
    if let Some(origin) = o.domain_origin {
        b = b.domain_origin(origin);
    }
    if let Some(host) = o.agent_host {
        b = b.service_host(lpchat::proto::model::domain::Service::AgentVep, host);
    }
    if let Some(host) = o.visitor_host {
        b = b.service_host(lpchat::proto::model::domain::Service::ConversationVep, host);
    }
    if let Some(allow) = o.allow_insecure_http {
        b = b.allow_insecure_http(allow);
    }
    if let Some(seed) = o.seed {
        b = b.seed(u64::from(seed));
    }
    if let Some(w) = o.wire {
        b = b.options(wire_options(w));
    }
    if let Some(r) = o.retry {
        b = b.retry(retry_policy(r)?);
    }
    if let Some(t) = o.transport {
        b = b.transport(transport_config(t)?);
    }
    if let Some(n) = o.event_buffer {
        b = b.event_buffer(positive(n, "eventBuffer")?);
    }
    Ok(b)
}

/// Login lifecycle settings of an agent session (`LoginSettings`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginOptions {
    /// The longest pause between refreshes of the login, ms, at least 1,000
    /// (`refresh_max`: 300,000).
    pub refresh_max_ms: Option<f64>,
    /// Sign agent requests with OAuth 1.0 when the credentials are an API key
    /// (`sign_requests`: true); false sends the login's bearer instead.
    pub sign_requests: Option<bool>,
    /// How many re-logins in a row, with no agent request succeeding in between, before the
    /// session is lost (`max_relogins`: 3).
    pub max_relogins: Option<u32>,
}

fn login_settings(mut login: LoginSettings, o: LoginOptions) -> Result<LoginSettings> {
    set_ms(
        &mut login.refresh_max,
        o.refresh_max_ms,
        "login.refreshMaxMs",
    )?;
    if let Some(sign) = o.sign_requests {
        login.sign_requests = sign;
    }
    if let Some(n) = o.max_relogins {
        login.max_relogins = n;
    }
    Ok(login)
}

/// Settings of an agent session (`AgentConfig`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentOptions {
    /// Accept every chat that rings (`auto_accept`: false).
    pub auto_accept: Option<bool>,
    /// Pause between polls of the chats, ms, at least 2,000 (`poll_interval`: 2,000).
    pub poll_interval_ms: Option<f64>,
    /// Pause between polls of the incoming requests (ringing chats), ms, 1,000 to 300,000
    /// (`incoming_interval`: 2,000).
    pub incoming_interval_ms: Option<f64>,
    /// How often the availability is read to catch a forced Away, ms
    /// (`availability_interval`: 10,000).
    pub availability_interval_ms: Option<f64>,
    /// How long an answer is waited for, ms (`request_deadline`: 60,000); raised above the
    /// transport's longest exchange (`connectTimeoutMs` + `requestTimeoutMs`) plus 5 s.
    pub request_deadline_ms: Option<f64>,
    /// The availability set at start (`"Online"` by default); `null` keeps the server's.
    #[napi(ts_type = "AgentStateName | null")]
    #[serde(default, deserialize_with = "nullable")]
    pub initial_availability: Option<Option<String>>,
    /// What to do when the server forces another availability: `"reassert"` (default) or
    /// `"adopt"`.
    #[napi(ts_type = "'reassert' | 'adopt'")]
    pub forced_away: Option<String>,
    /// A cursor token (`session.cursorToken()`) to go on from: nothing is delivered twice
    /// or skipped.
    pub resume_from: Option<String>,
    /// Login lifecycle settings.
    pub login: Option<LoginOptions>,
}

/// `config` with the settings of an agent session's options object.
pub fn agent_config(mut config: AgentConfig, options: Option<Value>) -> Result<AgentConfig> {
    let o: AgentOptions = read("agent session options", options)?;
    if let Some(auto) = o.auto_accept {
        config = config.with_auto_accept(auto);
    }
    if let Some(interval) = o.poll_interval_ms {
        config = config.with_poll_interval(ms(interval, "pollIntervalMs")?);
    }
    set_ms(
        &mut config.incoming_interval,
        o.incoming_interval_ms,
        "incomingIntervalMs",
    )?;
    set_ms(
        &mut config.availability_interval,
        o.availability_interval_ms,
        "availabilityIntervalMs",
    )?;
    set_ms(
        &mut config.request_deadline,
        o.request_deadline_ms,
        "requestDeadlineMs",
    )?;
    if let Some(initial) = &o.initial_availability {
        let state = initial.as_deref().map(agent_state).transpose()?;
        config = config.with_initial_availability(state);
    }
    if let Some(policy) = &o.forced_away {
        config = config.with_forced_away(forced_away(policy)?);
    }
    if let Some(token) = &o.resume_from {
        config = config.resume_from(token).map_err(token_error)?;
    }
    if let Some(login) = o.login {
        config.login = login_settings(config.login, login)?;
    }
    Ok(config)
}

/// Settings of a visitor chat's task (`VisitorConfig`).
#[napi(object)]
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VisitorChatOptions {
    /// Pause between polls through `next`, ms, at least 1,000 (`poll_interval`: 2,000).
    pub poll_interval_ms: Option<f64>,
    /// Pause between chat information reads, the keepalive, ms (`keepalive_interval`:
    /// 30,000).
    pub keepalive_interval_ms: Option<f64>,
    /// How long an answer is waited for, ms (`request_deadline`: 60,000); raised above the
    /// transport's longest exchange plus 5 s.
    pub request_deadline_ms: Option<f64>,
}

/// `config` with the settings of a visitor chat's options object.
pub fn visitor_config(mut config: VisitorConfig, options: Option<Value>) -> Result<VisitorConfig> {
    let o: VisitorChatOptions = read("visitor chat options", options)?;
    set_ms(
        &mut config.poll_interval,
        o.poll_interval_ms,
        "pollIntervalMs",
    )?;
    set_ms(
        &mut config.keepalive_interval,
        o.keepalive_interval_ms,
        "keepaliveIntervalMs",
    )?;
    set_ms(
        &mut config.request_deadline,
        o.request_deadline_ms,
        "requestDeadlineMs",
    )?;
    Ok(config)
}
