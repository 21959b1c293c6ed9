//! `Client` / `AsyncClient`, `AgentSession` / `AsyncAgentSession`, `Visitor` /
//! `AsyncVisitor`, `VisitorChat` / `AsyncVisitorChat`: the Rust client's handles, each in
//! two faces. The sync face blocks with the GIL released (Ctrl-C works); the async face
//! returns asyncio awaitables. One macro writes each class's methods once for both faces:
//! the faces differ only in how a result is waited for (`runtime::run`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lpchat::proto::machine::LoginSettings as RustLogin;
use lpchat::proto::model::chat::{SubType, TextType};
use lpchat::proto::model::domain::Service;
use lpchat::proto::model::visitor::ConversationRequest;
use lpchat::proto::model::{AvailableAgents, ChatRequest, SurveyAnswers, TransferRequest};
use lpchat::proto::ops::{CreateConversation, Options as WireOptions};
use lpchat::proto::OuterLoop;
use lpchat::{
    AgentState, ChatId, Credentials, EventId, ForcedAwayPolicy, Format, MachineEvent, NewEvent,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;
use pyo3::{PyTraverseError, PyVisit};
use tokio::sync::watch;

use crate::convert::{model, to_json};
use crate::error::config;
use crate::events::{running_loop, Dispatcher, EventStream, Payload};
use crate::runtime::{enter, run};

/// Seconds from Python to a `Duration` (finite, not negative).
pub(crate) fn duration(secs: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(secs)
        .map_err(|_| config(format!("not a duration in seconds: {secs}")))
}

/// A count from Python: an int of at least `min`, else a `ConfigError` naming the setting
/// (not the `OverflowError` a plain `usize` argument would raise for a negative value).
pub(crate) fn count(name: &str, value: i64, min: usize) -> PyResult<usize> {
    usize::try_from(value)
        .ok()
        .filter(|v| *v >= min)
        .ok_or_else(|| {
            config(format!(
                "{name} must be an int of at least {min}, not {value}"
            ))
        })
}

fn format_of(name: &str) -> PyResult<Format> {
    match name.to_ascii_lowercase().as_str() {
        "json" => Ok(Format::Json),
        "xml" => Ok(Format::Xml),
        _ => Err(config(format!(
            "format must be \"json\" or \"xml\", not {name:?}"
        ))),
    }
}

fn none(py: Python<'_>, _: ()) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

// ---- credentials -------------------------------------------------------------------------

/// Credentials for an agent session. Build with `UserPassword`, `ApiKey`, `Bearer` or
/// `Jwt`; the `repr` never shows a secret.
#[pyclass(frozen, module = "lpchat", subclass)]
pub struct AgentCredentials {
    pub(crate) credentials: Credentials,
    shown: String,
}

#[pymethods]
impl AgentCredentials {
    fn __repr__(&self) -> String {
        self.shown.clone()
    }
}

/// Login with a user name and password.
#[pyclass(frozen, module = "lpchat", extends = AgentCredentials)]
pub struct UserPassword;

#[pymethods]
impl UserPassword {
    #[new]
    fn new(username: String, password: String) -> PyClassInitializer<Self> {
        let shown = format!("UserPassword(username={username:?}, password='***')");
        PyClassInitializer::from(AgentCredentials {
            credentials: Credentials::User(lpchat::UserPassword::new(username, password)),
            shown,
        })
        .add_subclass(UserPassword)
    }
}

/// Login with an API key (OAuth 1.0-signed requests).
#[pyclass(frozen, module = "lpchat", extends = AgentCredentials)]
pub struct ApiKey;

#[pymethods]
impl ApiKey {
    #[new]
    fn new(
        username: String,
        app_key: String,
        secret: String,
        access_token: String,
        access_token_secret: String,
    ) -> PyClassInitializer<Self> {
        let shown = format!("ApiKey(username={username:?}, app_key='***', secret='***', access_token='***', access_token_secret='***')");
        PyClassInitializer::from(AgentCredentials {
            credentials: Credentials::ApiKey {
                username,
                key: lpchat::ApiKey::new(app_key, secret, access_token, access_token_secret),
            },
            shown,
        })
        .add_subclass(ApiKey)
    }
}

/// An existing bearer (and csrf), e.g. from another process's login. It cannot be renewed:
/// when it is refused the session is lost.
#[pyclass(frozen, module = "lpchat", extends = AgentCredentials)]
pub struct Bearer;

#[pymethods]
impl Bearer {
    #[new]
    #[pyo3(signature = (bearer, csrf = None))]
    fn new(bearer: String, csrf: Option<String>) -> PyClassInitializer<Self> {
        let mut b = lpchat::ExistingBearer::new(bearer);
        if let Some(c) = csrf {
            b = b.with_csrf(c);
        }
        PyClassInitializer::from(AgentCredentials {
            credentials: Credentials::Bearer(b),
            shown: "Bearer(bearer='***', csrf='***')".into(),
        })
        .add_subclass(Bearer)
    }
}

/// Login with a JWT (SSO).
#[pyclass(frozen, module = "lpchat", extends = AgentCredentials)]
pub struct Jwt;

#[pymethods]
impl Jwt {
    #[new]
    fn new(token: String) -> PyClassInitializer<Self> {
        PyClassInitializer::from(AgentCredentials {
            credentials: Credentials::Jwt(token.into()),
            shown: "Jwt(token='***')".into(),
        })
        .add_subclass(Jwt)
    }
}

// ---- settings ----------------------------------------------------------------------------

/// How failed requests are retried: the pauses of the inner schedule (seconds), the pause
/// of the slower outer loop, the longest `Retry-After` honoured and the jitter fraction.
#[pyclass(frozen, module = "lpchat")]
#[derive(Clone)]
pub struct RetryPolicy {
    #[pyo3(get)]
    schedule: Vec<f64>,
    #[pyo3(get)]
    outer: f64,
    #[pyo3(get)]
    max_retry_after: f64,
    #[pyo3(get)]
    jitter: f64,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (schedule = vec![5.0, 10.0, 15.0], outer = 120.0, max_retry_after = 300.0, jitter = 0.1))]
    fn new(schedule: Vec<f64>, outer: f64, max_retry_after: f64, jitter: f64) -> PyResult<Self> {
        for s in schedule.iter().chain([&outer, &max_retry_after]) {
            duration(*s)?;
        }
        if !(0.0..=1.0).contains(&jitter) {
            return Err(config("jitter must be between 0 and 1"));
        }
        Ok(RetryPolicy {
            schedule,
            outer,
            max_retry_after,
            jitter,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(schedule={:?}, outer={}, max_retry_after={}, jitter={})",
            self.schedule, self.outer, self.max_retry_after, self.jitter
        )
    }
}

impl RetryPolicy {
    fn to_rust(&self) -> PyResult<lpchat::proto::RetryPolicy> {
        let schedule = self
            .schedule
            .iter()
            .map(|s| duration(*s))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(lpchat::proto::RetryPolicy::default()
            .with_schedule(schedule)
            .with_outer(OuterLoop::Fixed(duration(self.outer)?))
            .with_max_retry_after(duration(self.max_retry_after)?)
            .with_jitter(self.jitter))
    }
}

/// Timeouts (seconds), proxy, extra TLS roots (PEM or DER bytes), user agent, the largest
/// response body read, the connection pool (idle connections kept per host, how long an idle
/// one is kept; `None`: until the server closes it) and the most exchanges in flight at once.
/// Defaults are `lpchat::TransportConfig::default()`'s, but for the user agent.
#[pyclass(frozen, module = "lpchat")]
pub struct TransportConfig {
    config: lpchat::TransportConfig,
}

#[pymethods]
impl TransportConfig {
    #[new]
    #[pyo3(signature = (connect_timeout = 10.0, request_timeout = 30.0, proxy = None, extra_roots = Vec::new(), user_agent = None, max_in_flight = Some(256), *, max_body = lpchat::TransportConfig::default().max_body as i64, pool_max_idle_per_host = lpchat::TransportConfig::default().pool_max_idle_per_host as i64, pool_idle_timeout = Some(30.0)))]
    #[allow(clippy::too_many_arguments)] // the keyword arguments of TransportConfig(...)
    fn new(
        connect_timeout: f64,
        request_timeout: f64,
        proxy: Option<String>,
        extra_roots: Vec<Vec<u8>>,
        user_agent: Option<String>,
        max_in_flight: Option<usize>,
        max_body: i64,
        pool_max_idle_per_host: i64,
        pool_idle_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let mut config = lpchat::TransportConfig::default();
        config.connect_timeout = duration(connect_timeout)?;
        config.request_timeout = duration(request_timeout)?;
        config.proxy = proxy;
        config.extra_roots = extra_roots;
        config.user_agent = user_agent
            .unwrap_or_else(|| concat!("lpchat-python/", env!("CARGO_PKG_VERSION")).to_owned());
        config.max_in_flight = max_in_flight;
        // A cap of 0 would refuse every body, even an empty error envelope's.
        config.max_body = count("max_body", max_body, 1)?;
        config.pool_max_idle_per_host = count("pool_max_idle_per_host", pool_max_idle_per_host, 0)?;
        config.pool_idle_timeout = pool_idle_timeout.map(duration).transpose()?;
        Ok(TransportConfig { config })
    }

    fn __repr__(&self) -> String {
        // A proxy URL may carry a password: shown as present or not.
        format!(
            "TransportConfig(connect_timeout={}, request_timeout={}, proxy={}, extra_roots={}, user_agent={:?}, max_in_flight={}, max_body={}, pool_max_idle_per_host={}, pool_idle_timeout={})",
            self.config.connect_timeout.as_secs_f64(),
            self.config.request_timeout.as_secs_f64(),
            if self.config.proxy.is_some() { "'***'" } else { "None" },
            self.config.extra_roots.len(),
            self.config.user_agent,
            self.config.max_in_flight.map_or("None".to_owned(), |n| n.to_string()),
            self.config.max_body,
            self.config.pool_max_idle_per_host,
            self.config.pool_idle_timeout.map_or("None".to_owned(), |t| t.as_secs_f64().to_string()),
        )
    }
}

/// The wire switches of `lpchat_proto::ops::Options` (each off by default, as documented;
/// official clients use some of the alternatives): the `.json`/`.xml` suffix on chat API
/// paths, real PUT and DELETE instead of POST + `X-HTTP-Method-Override`,
/// `X-Requested-With: XMLHttpRequest` on agent calls, and the visitor's app key as the
/// `appKey` query parameter instead of a header.
#[pyclass(frozen, module = "lpchat", get_all)]
pub struct Options {
    format_suffix: bool,
    real_verbs: bool,
    requested_with: bool,
    app_key_in_query: bool,
}

#[pymethods]
impl Options {
    #[new]
    #[pyo3(signature = (*, format_suffix = WireOptions::default().format_suffix, real_verbs = WireOptions::default().real_verbs, requested_with = WireOptions::default().requested_with, app_key_in_query = WireOptions::default().app_key_in_query))]
    fn new(
        format_suffix: bool,
        real_verbs: bool,
        requested_with: bool,
        app_key_in_query: bool,
    ) -> Self {
        Options {
            format_suffix,
            real_verbs,
            requested_with,
            app_key_in_query,
        }
    }

    fn __repr__(&self) -> String {
        let py = |b: bool| if b { "True" } else { "False" };
        format!(
            "Options(format_suffix={}, real_verbs={}, requested_with={}, app_key_in_query={})",
            py(self.format_suffix),
            py(self.real_verbs),
            py(self.requested_with),
            py(self.app_key_in_query)
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Options>()
            .is_ok_and(|o| self.to_rust() == o.get().to_rust())
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.format_suffix)
            | u64::from(self.real_verbs) << 1
            | u64::from(self.requested_with) << 2
            | u64::from(self.app_key_in_query) << 3
    }
}

impl Options {
    /// The Rust switches; `allow_insecure_http` is the client's own keyword.
    fn to_rust(&self) -> WireOptions {
        let mut o = WireOptions::default();
        o.format_suffix = self.format_suffix;
        o.real_verbs = self.real_verbs;
        o.requested_with = self.requested_with;
        o.app_key_in_query = self.app_key_in_query;
        o
    }
}

/// The login lifecycle of an agent session (`lpchat_proto::machine::LoginSettings`): the
/// longest pause between refreshes (seconds), whether API-key sessions sign their agent
/// requests (OAuth 1.0), and how many re-logins in a row, with no agent request succeeding
/// in between, before the session counts as lost.
#[pyclass(frozen, module = "lpchat")]
pub struct LoginSettings {
    settings: lpchat::proto::machine::LoginSettings,
}

#[pymethods]
impl LoginSettings {
    #[new]
    #[pyo3(signature = (*, refresh_max = RustLogin::default().refresh_max.as_secs_f64(), sign_requests = RustLogin::default().sign_requests, max_relogins = i64::from(RustLogin::default().max_relogins)))]
    fn new(refresh_max: f64, sign_requests: bool, max_relogins: i64) -> PyResult<Self> {
        let mut settings = RustLogin::default();
        settings.refresh_max = duration(refresh_max)?;
        settings.sign_requests = sign_requests;
        settings.max_relogins = u32::try_from(max_relogins).map_err(|_| {
            config(format!(
                "max_relogins must be an int from 0 to {}, not {max_relogins}",
                u32::MAX
            ))
        })?;
        Ok(LoginSettings { settings })
    }

    /// The longest pause between refreshes, in seconds.
    #[getter]
    fn refresh_max(&self) -> f64 {
        self.settings.refresh_max.as_secs_f64()
    }

    /// Whether API-key sessions sign their agent requests.
    #[getter]
    fn sign_requests(&self) -> bool {
        self.settings.sign_requests
    }

    /// Re-logins in a row before the session counts as lost.
    #[getter]
    fn max_relogins(&self) -> u32 {
        self.settings.max_relogins
    }

    fn __repr__(&self) -> String {
        format!(
            "LoginSettings(refresh_max={}, sign_requests={}, max_relogins={})",
            self.refresh_max(),
            if self.settings.sign_requests {
                "True"
            } else {
                "False"
            },
            self.settings.max_relogins
        )
    }
}

/// Requests sent by a session's loop, and those that failed and were retried.
#[pyclass(frozen, module = "lpchat", get_all)]
pub struct SessionStats {
    requests: u64,
    retried: u64,
}

#[pymethods]
impl SessionStats {
    fn __repr__(&self) -> String {
        format!(
            "SessionStats(requests={}, retried={})",
            self.requests, self.retried
        )
    }
}

// ---- client -----------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)] // the keyword arguments of Client(...)
fn build_client(
    account: String,
    domain: Option<String>,
    service_hosts: Option<std::collections::HashMap<String, String>>,
    format: &str,
    allow_insecure_http: bool,
    transport: Option<PyRef<'_, TransportConfig>>,
    retry: Option<PyRef<'_, RetryPolicy>>,
    seed: Option<u64>,
    options: Option<PyRef<'_, Options>>,
    event_buffer: i64,
) -> PyResult<lpchat::Client> {
    let mut b = lpchat::Client::builder(account)
        .format(format_of(format)?)
        .allow_insecure_http(allow_insecure_http)
        .event_buffer(count("event_buffer", event_buffer, 1)?);
    if let Some(o) = options {
        b = b.options(o.to_rust());
    }
    if let Some(d) = domain {
        b = b.domain_origin(d);
    }
    for (service, host) in service_hosts.unwrap_or_default() {
        b = b.service_host(Service::parse(&service), host);
    }
    if let Some(t) = transport {
        b = b.transport(t.config.clone());
    }
    if let Some(r) = retry {
        b = b.retry(r.to_rust()?);
    }
    if let Some(s) = seed {
        b = b.seed(s);
    }
    // The transport (reqwest) is built in the runtime's context.
    enter(|| b.build())?.map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
}

/// How a session is set up beyond its credentials.
struct AgentOptions {
    auto_accept: bool,
    initial_availability: Option<AgentState>,
    forced_away: ForcedAwayPolicy,
    poll_interval: Option<Duration>,
    availability_interval: Option<Duration>,
    incoming_interval: Option<Duration>,
    request_deadline: Option<Duration>,
    login: Option<RustLogin>,
    resume_from: Option<String>,
}

fn forced_away_of(name: &str) -> PyResult<ForcedAwayPolicy> {
    match name {
        "reassert" => Ok(ForcedAwayPolicy::Reassert),
        "adopt" => Ok(ForcedAwayPolicy::Adopt),
        _ => Err(config(format!(
            "forced_away must be \"reassert\" or \"adopt\", not {name:?}"
        ))),
    }
}

fn state_of(name: &str) -> PyResult<AgentState> {
    match AgentState::parse(name) {
        AgentState::Unknown(_) => Err(config(format!(
            "availability must be Online, Occupied, Away or Offline, not {name:?}"
        ))),
        s => Ok(s),
    }
}

async fn start_agent(
    client: lpchat::Client,
    credentials: Credentials,
    o: AgentOptions,
) -> Result<Arc<AgentCore>, lpchat::Error> {
    let mut config = client
        .agent_config(credentials)
        .await?
        .with_auto_accept(o.auto_accept)
        .with_initial_availability(o.initial_availability)
        .with_forced_away(o.forced_away);
    if let Some(p) = o.poll_interval {
        config = config.with_poll_interval(p);
    }
    if let Some(a) = o.availability_interval {
        config.availability_interval = a;
    }
    if let Some(i) = o.incoming_interval {
        config.incoming_interval = i;
    }
    if let Some(d) = o.request_deadline {
        config = config.with_request_deadline(d);
    }
    if let Some(l) = o.login {
        config.login = l;
    }
    if let Some(token) = &o.resume_from {
        config = config
            .resume_from(token)
            .map_err(|_| lpchat::Error::Config("the cursor token is not valid".into()))?;
    }
    let session = client.start_agent(config);
    let core = Arc::new(AgentCore::new(session));
    live::add_session(&core);
    Ok(core)
}

macro_rules! client_class {
    ($name:ident, $session:ident, $visitor:ident, $asyncio:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "lpchat")]
        pub struct $name {
            client: lpchat::Client,
        }

        #[pymethods]
        impl $name {
            #[new]
            #[pyo3(signature = (account, *, domain = None, service_hosts = None, format = "json", allow_insecure_http = false, transport = None, retry = None, seed = None, options = None, event_buffer = lpchat::DEFAULT_EVENT_BUFFER as i64))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                account: String,
                domain: Option<String>,
                service_hosts: Option<std::collections::HashMap<String, String>>,
                format: &str,
                allow_insecure_http: bool,
                transport: Option<PyRef<'_, TransportConfig>>,
                retry: Option<PyRef<'_, RetryPolicy>>,
                seed: Option<u64>,
                options: Option<PyRef<'_, Options>>,
                event_buffer: i64,
            ) -> PyResult<Self> {
                Ok($name {
                    client: build_client(account, domain, service_hosts, format, allow_insecure_http, transport, retry, seed, options, event_buffer)?,
                })
            }

            /// The account id.
            #[getter]
            fn account(&self) -> String {
                self.client.account().to_owned()
            }

            /// The host of a service (`agentVep`, `conversationVep` …): the override, the
            /// cache, or the Domain API.
            fn domain(&self, py: Python<'_>, service: &str) -> PyResult<Py<PyAny>> {
                let client = self.client.clone();
                let service = Service::parse(service);
                run(py, $asyncio, async move { client.domain(service).await }, |py, h| h.into_py_any(py))
            }

            /// Starts an agent session: logs in, starts the session, sets the availability,
            /// polls. Returns once the domain is known; the session starts in the background
            /// (`wait_started()` waits for it).
            #[pyo3(signature = (credentials, *, auto_accept = false, initial_availability = Some("Online"), forced_away = "reassert", poll_interval = None, availability_interval = None, resume_from = None, incoming_interval = None, request_deadline = None, login = None))]
            #[allow(clippy::too_many_arguments)]
            fn agent_session(
                &self,
                py: Python<'_>,
                credentials: PyRef<'_, AgentCredentials>,
                auto_accept: bool,
                initial_availability: Option<&str>,
                forced_away: &str,
                poll_interval: Option<f64>,
                availability_interval: Option<f64>,
                resume_from: Option<String>,
                incoming_interval: Option<f64>,
                request_deadline: Option<f64>,
                login: Option<PyRef<'_, LoginSettings>>,
            ) -> PyResult<Py<PyAny>> {
                let options = AgentOptions {
                    auto_accept,
                    initial_availability: initial_availability.map(state_of).transpose()?,
                    forced_away: forced_away_of(forced_away)?,
                    poll_interval: poll_interval.map(duration).transpose()?,
                    availability_interval: availability_interval.map(duration).transpose()?,
                    incoming_interval: incoming_interval.map(duration).transpose()?,
                    request_deadline: request_deadline.map(duration).transpose()?,
                    login: login.map(|l| l.settings.clone()),
                    resume_from,
                };
                let client = self.client.clone();
                let credentials = credentials.credentials.clone();
                run(py, $asyncio, start_agent(client, credentials, options), |py, core| {
                    $session { core }.into_py_any(py)
                })
            }

            /// The visitor side (Server Chat API) with this app key.
            fn visitor(&self, py: Python<'_>, app_key: String) -> PyResult<Py<PyAny>> {
                let client = self.client.clone();
                run(py, $asyncio, async move { client.visitor(app_key).await }, |py, visitor| {
                    $visitor { visitor }.into_py_any(py)
                })
            }

            fn __repr__(&self) -> String {
                format!("{}(account={:?})", stringify!($name), self.client.account())
            }
        }
    };
}

client_class!(
    Client,
    AgentSession,
    Visitor,
    false,
    "The entry point (sync face): one per account."
);
client_class!(
    AsyncClient,
    AsyncAgentSession,
    AsyncVisitor,
    true,
    "The entry point (asyncio face): one per account; its calls are awaitables."
);

// ---- agent session ---------------------------------------------------------------------

/// Where a session's start stands, watched without Python.
#[derive(Clone, PartialEq, Eq)]
enum Start {
    Pending,
    Started,
    Lost(lpchat::SessionLostReason),
    Closed,
}

/// What both faces of an agent session share.
pub(crate) struct AgentCore {
    session: lpchat::AgentSession,
    start: watch::Receiver<Start>,
    stream: Mutex<Option<Py<EventStream>>>,
    dispatcher: Dispatcher,
}

impl AgentCore {
    fn new(session: lpchat::AgentSession) -> Self {
        let (tx, rx) = watch::channel(Start::Pending);
        session.handlers().on_session(move |e| match e {
            MachineEvent::AgentSessionStarted { .. } => {
                tx.send_replace(Start::Started);
            }
            MachineEvent::SessionLost(r) => {
                tx.send_replace(Start::Lost(r.clone()));
            }
            MachineEvent::Closed => {
                tx.send_if_modified(|s| {
                    let pending = *s == Start::Pending;
                    if pending {
                        *s = Start::Closed;
                    }
                    pending
                });
            }
            _ => {}
        });
        AgentCore {
            session,
            start: rx,
            stream: Mutex::new(None),
            dispatcher: Dispatcher::default(),
        }
    }

    /// `__traverse__` of the session that owns this core: its handlers and its stream.
    fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.dispatcher.traverse(visit)?;
        if let Ok(stream) = self.stream.try_lock() {
            visit.call(stream.as_ref())?;
        }
        Ok(())
    }

    /// `__clear__` of the session that owns this core.
    fn clear(&self) {
        self.dispatcher.clear();
        let stream = self.stream.lock().ok().and_then(|mut s| s.take());
        drop(stream);
    }

    fn events(&self, py: Python<'_>) -> PyResult<Py<EventStream>> {
        let mut cached = self
            .stream
            .lock()
            .map_err(|_| config("event stream poisoned"))?;
        if let Some(s) = cached.as_ref() {
            return Ok(s.clone_ref(py));
        }
        let events = self
            .session
            .events()
            .ok_or_else(|| config("the event stream was taken"))?;
        let stream = Py::new(py, EventStream::new(events))?;
        *cached = Some(stream.clone_ref(py));
        Ok(stream)
    }
}

async fn wait_started(
    mut rx: watch::Receiver<Start>,
    timeout: Option<Duration>,
) -> Result<(), lpchat::Error> {
    let wait = async {
        match rx.wait_for(|s| *s != Start::Pending).await {
            Ok(s) => match &*s {
                Start::Started => Ok(()),
                Start::Lost(r) => Err(lpchat::Error::Lost(r.clone())),
                _ => Err(lpchat::Error::Closed),
            },
            Err(_) => Err(lpchat::Error::Closed),
        }
    };
    match timeout {
        Some(t) => tokio::time::timeout(t, wait)
            .await
            .unwrap_or(Err(lpchat::Error::NotReady)),
        None => wait.await,
    }
}

fn new_event(
    text: String,
    html: bool,
    only_to_rep: bool,
    json: Option<&Bound<'_, PyAny>>,
) -> PyResult<NewEvent> {
    let json = json.map(to_json).transpose()?;
    let text_type = match (&json, html) {
        (Some(_), true) => return Err(config("a line is html or rich content (json), not both")),
        (Some(_), false) => TextType::RichContent,
        (None, true) => TextType::Html,
        (None, false) => TextType::Plain,
    };
    Ok(NewEvent::Line {
        text,
        text_type,
        sub_type: only_to_rep.then_some(SubType::OnlyToRep),
        json,
    })
}

/// Survey answers from `{question_id: answer or [answers]}`.
fn answers(survey_id: String, given: &Bound<'_, PyDict>) -> PyResult<SurveyAnswers> {
    let mut out = SurveyAnswers::new(survey_id);
    for (k, v) in given.iter() {
        let question: String = k.str()?.to_string();
        let list: Vec<String> = match v.extract::<String>() {
            Ok(one) => vec![one],
            Err(_) => v
                .extract::<Vec<String>>()
                .map_err(|_| config("survey answers are a str or a list of str"))?,
        };
        out = out.answer(question, list);
    }
    Ok(out)
}

fn event_id(py: Python<'_>, id: Option<EventId>) -> PyResult<Py<PyAny>> {
    id.map(|e| e.0).into_py_any(py)
}

fn chat_ids(py: Python<'_>, chats: Vec<ChatId>) -> PyResult<Py<PyAny>> {
    chats
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect::<Vec<_>>()
        .into_py_any(py)
}

macro_rules! one_off {
    ($self:ident, $py:ident, $kind:literal, |$s:ident| $call:expr) => {{
        let $s = $self.core.session.clone();
        run($py, Self::ASYNCIO, async move { $call.await }, |py, v| {
            model(py, $kind, &v)
        })
    }};
}

macro_rules! session_class {
    ($name:ident, $asyncio:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, weakref, module = "lpchat")]
        pub struct $name {
            pub(crate) core: Arc<AgentCore>,
        }

        impl $name {
            const ASYNCIO: bool = $asyncio;
        }

        #[pymethods]
        impl $name {
            /// The session's events (the same stream on every call).
            fn events(&self, py: Python<'_>) -> PyResult<Py<EventStream>> {
                self.core.events(py)
            }

            /// Waits until the agent session has started (`SessionLostError` if it was lost
            /// first, `NotReadyError` after `timeout` seconds).
            #[pyo3(signature = (timeout = None))]
            fn wait_started(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Py<PyAny>> {
                let t = timeout.map(duration).transpose()?;
                run(
                    py,
                    Self::ASYNCIO,
                    wait_started(self.core.start.clone(), t),
                    none,
                )
            }

            /// Sends a line on `chat` after the lines queued before it; resolves when the
            /// server has it exactly once, to its event id when known.
            #[pyo3(signature = (chat, text, *, html = false, only_to_rep = false, json = None))]
            fn send(
                &self,
                py: Python<'_>,
                chat: String,
                text: String,
                html: bool,
                only_to_rep: bool,
                json: Option<Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                let event = new_event(text, html, only_to_rep, json.as_ref())?;
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.send(&ChatId::from(chat.as_str()), event).await },
                    event_id,
                )
            }

            /// Sends a plain-text line.
            fn send_line(&self, py: Python<'_>, chat: String, text: String) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.send_line(&ChatId::from(chat.as_str()), &text).await },
                    event_id,
                )
            }

            /// Ends `chat` (after the lines queued before it).
            fn end_chat(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.end_chat(&ChatId::from(chat.as_str())).await },
                    event_id,
                )
            }

            /// Transfers `chat` to a skill (id) or an agent (id), with an optional note.
            #[pyo3(signature = (chat, *, skill = None, agent = None, text = None))]
            fn transfer(
                &self,
                py: Python<'_>,
                chat: String,
                skill: Option<String>,
                agent: Option<String>,
                text: Option<String>,
            ) -> PyResult<Py<PyAny>> {
                let mut request = match (skill, agent) {
                    (Some(s), None) => TransferRequest::to_skill(s),
                    (None, Some(a)) => TransferRequest::to_agent(a),
                    _ => return Err(config("transfer to a skill or to an agent: give one")),
                };
                if let Some(t) = text {
                    request = request.with_text(t);
                }
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.transfer(&ChatId::from(chat.as_str()), request).await },
                    none,
                )
            }

            /// Accepts the next ringing chat; resolves to its id.
            fn accept_next(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.accept_next().await },
                    |py, c| c.as_str().into_py_any(py),
                )
            }

            /// Follows a chat the agent holds through another of its sessions.
            fn follow(&self, chat: String) -> PyResult<()> {
                self.core
                    .session
                    .follow(&ChatId::from(chat.as_str()))
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// Stops following a chat (`ChatEnded(reason="unfollowed")`).
            fn unfollow(&self, chat: String) -> PyResult<()> {
                self.core
                    .session
                    .unfollow(&ChatId::from(chat.as_str()))
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// Sets the availability the keepalive holds (`Online`, `Occupied`, `Away`,
            /// `Offline`).
            fn set_availability(&self, state: &str) -> PyResult<()> {
                let state = state_of(state)?;
                self.core
                    .session
                    .set_availability(state)
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// What to do when the server forces another availability: `reassert` or
            /// `adopt`.
            fn set_forced_away_policy(&self, policy: &str) -> PyResult<()> {
                let policy = forced_away_of(policy)?;
                self.core
                    .session
                    .set_forced_away_policy(policy)
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// Where every followed chat stands, as a token to resume from
            /// (`agent_session(..., resume_from=token)`).
            fn cursor_token(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.cursor_token().await },
                    |py, t| t.into_py_any(py),
                )
            }

            /// The chats followed now.
            fn chats(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(py, Self::ASYNCIO, async move { s.chats().await }, chat_ids)
            }

            // The core is this object's alone (the registry of live sessions holds it weakly),
            // so what it holds is reported as this object's.
            fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
                self.core.traverse(&visit)
            }

            fn __clear__(&self) {
                self.core.clear();
            }

            /// Requests sent so far, and those that failed and were retried.
            fn stats(&self) -> SessionStats {
                let s = self.core.session.stats();
                SessionStats {
                    requests: s.requests,
                    retried: s.retried,
                }
            }

            /// Ends the agent session and logs out, and waits until done.
            fn close(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(py, Self::ASYNCIO, async move { s.close().await }, none)
            }

            // ---- handlers ----

            /// Calls `func(event)` for every event.
            fn on_any(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_any(move |e| {
                    let _ = tx.send((i, Payload::Event(Box::new(e.clone()))));
                });
                Ok(())
            }

            /// Calls `func(chat, event)` for each chat event, once, in order per chat.
            fn on_chat_event(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_chat_event(move |c, e| {
                    let _ = tx.send((i, Payload::ChatEvent(c.clone(), Box::new(e.clone()))));
                });
                Ok(())
            }

            /// Calls `func(ringing_count)` when chats ring.
            fn on_chat_offered(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_chat_offered(move |n| {
                    let _ = tx.send((i, Payload::Count(*n)));
                });
                Ok(())
            }

            /// Calls `func(chat)` when a chat was accepted.
            fn on_chat_accepted(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_chat_accepted(move |c| {
                    let _ = tx.send((i, Payload::Chat(c.clone())));
                });
                Ok(())
            }

            /// Calls `func(chat)` when a chat is over for the session.
            fn on_chat_ended(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_chat_ended(move |c| {
                    let _ = tx.send((i, Payload::Chat(c.clone())));
                });
                Ok(())
            }

            /// Calls `func(event)` on login and session changes.
            fn on_session(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_session(move |e| {
                    let _ = tx.send((i, Payload::Event(Box::new(e.clone()))));
                });
                Ok(())
            }

            /// Calls `func(event)` when the server confirms or forces an availability.
            fn on_availability(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
                let (tx, i) = self
                    .core
                    .dispatcher
                    .add(func, Self::ASYNCIO.then(|| running_loop(py)).flatten())?;
                self.core.session.handlers().on_availability(move |e| {
                    let _ = tx.send((i, Payload::Event(Box::new(e.clone()))));
                });
                Ok(())
            }

            // ---- one-off operations ----

            /// The availability the server shows (A5).
            fn availability(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "Availability", |s| s.availability())
            }

            /// The available agents (A7), optionally of one skill.
            #[pyo3(signature = (skill = None))]
            fn available_agents(
                &self,
                py: Python<'_>,
                skill: Option<String>,
            ) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move {
                        match skill {
                            Some(k) => s.available_agents_of_skill(&k).await,
                            None => s.available_agents().await,
                        }
                    },
                    |py, v| model(py, "AvailableAgents", &v),
                )
            }

            /// The available agents from the `next` link of an earlier answer.
            fn available_agents_next(
                &self,
                py: Python<'_>,
                previous: PyRef<'_, crate::convert::Model>,
            ) -> PyResult<Py<PyAny>> {
                let previous: AvailableAgents = serde_json::from_value(previous.value().clone())
                    .map_err(|_| config("previous must be an AvailableAgents result"))?;
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.available_agents_next(&previous).await },
                    |py, v| model(py, "AvailableAgents", &v),
                )
            }

            /// Free chat slots (A8), optionally for one skill.
            #[pyo3(signature = (skill = None))]
            fn available_slots(
                &self,
                py: Python<'_>,
                skill: Option<String>,
            ) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "AvailableSlots", |s| s
                    .available_slots(skill.as_deref()))
            }

            /// The logged-in agent's information (A9).
            fn agent_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "AgentInfo", |s| s.agent_info())
            }

            /// The chats ringing for the agent (A10).
            fn incoming_requests(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "IncomingRequests", |s| s.incoming_requests())
            }

            /// The agent's chat sessions (A12).
            fn chat_sessions(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "ChatSessions", |s| s.chat_sessions())
            }

            /// A chat's resource (A14), events from an id (inclusive) when given.
            #[pyo3(signature = (chat, from_id = None))]
            fn chat(
                &self,
                py: Python<'_>,
                chat: String,
                from_id: Option<u64>,
            ) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move {
                        s.chat(&ChatId::from(chat.as_str()), from_id.map(EventId))
                            .await
                    },
                    crate::convert::chat_model,
                )
            }

            /// A chat's events (A15), from an id (inclusive) when given.
            #[pyo3(signature = (chat, from_id = None))]
            fn chat_events(
                &self,
                py: Python<'_>,
                chat: String,
                from_id: Option<u64>,
            ) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move {
                        s.chat_events(&ChatId::from(chat.as_str()), from_id.map(EventId))
                            .await
                    },
                    crate::convert::events_model,
                )
            }

            /// A chat's information (A18).
            fn chat_info(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "ChatInfo", |s| s
                    .chat_info(&ChatId::from(chat.as_str())))
            }

            /// The visitor's name (A19).
            fn visitor_name(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "VisitorName", |s| s
                    .visitor_name(&ChatId::from(chat.as_str())))
            }

            /// Whether the visitor types (A20).
            fn visitor_typing(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "VisitorTyping", |s| s
                    .visitor_typing(&ChatId::from(chat.as_str())))
            }

            /// Whether the agent types, as the server shows (A21).
            fn agent_typing(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "AgentTyping", |s| s
                    .agent_typing(&ChatId::from(chat.as_str())))
            }

            /// Sets the agent's typing state (A22).
            fn set_typing(
                &self,
                py: Python<'_>,
                chat: String,
                typing: bool,
            ) -> PyResult<Py<PyAny>> {
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.set_typing(&ChatId::from(chat.as_str()), typing).await },
                    none,
                )
            }

            /// Skills a chat can be transferred to (A23).
            fn transfer_skills(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "TransferSkills", |s| s
                    .transfer_skills(&ChatId::from(chat.as_str())))
            }

            /// The agent survey of a chat (A26).
            fn agent_survey(&self, py: Python<'_>, chat: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "Survey", |s| s
                    .agent_survey(&ChatId::from(chat.as_str())))
            }

            /// Submits the agent survey of a chat (A27): `{question_id: answer or [answers]}`.
            fn submit_agent_survey(
                &self,
                py: Python<'_>,
                chat: String,
                survey_id: String,
                answers_given: Bound<'_, PyDict>,
            ) -> PyResult<Py<PyAny>> {
                let a = answers(survey_id, &answers_given)?;
                let s = self.core.session.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { s.submit_agent_survey(&ChatId::from(chat.as_str()), a).await },
                    none,
                )
            }

            /// A participant's extended information (A31).
            fn participant_info(
                &self,
                py: Python<'_>,
                participant_id: String,
            ) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "ParticipantInfo", |s| s
                    .participant_info(&participant_id))
            }

            /// GET of an undocumented link (A25, A28-A30 …), as a generic tree.
            fn raw_get(&self, py: Python<'_>, href: String) -> PyResult<Py<PyAny>> {
                one_off!(self, py, "Generic", |s| s.raw_get(&href))
            }

            fn __repr__(&self) -> &'static str {
                concat!(stringify!($name), "()")
            }
        }
    };
}

session_class!(
    AgentSession,
    false,
    "An agent session (sync face). `with` closes it."
);
session_class!(
    AsyncAgentSession,
    true,
    "An agent session (asyncio face). `async with` closes it."
);

// ---- visitor -----------------------------------------------------------------------------

fn chat_request(
    skill: Option<String>,
    agent: Option<String>,
    max_wait_time: Option<i64>,
    conversation_id: Option<String>,
) -> ChatRequest {
    let mut r = match skill {
        Some(s) => ChatRequest::for_skill(s),
        None => ChatRequest::default(),
    };
    r.agent = agent;
    r.max_wait_time = max_wait_time;
    r.conversation_id = conversation_id;
    r
}

/// A visitor chat's timings (seconds; `None` keeps the default).
fn chat_timing(
    mut config: lpchat::proto::machine::VisitorConfig,
    poll_interval: Option<f64>,
    keepalive_interval: Option<f64>,
    request_deadline: Option<f64>,
) -> PyResult<lpchat::proto::machine::VisitorConfig> {
    if let Some(p) = poll_interval {
        config.poll_interval = duration(p)?;
    }
    if let Some(k) = keepalive_interval {
        config.keepalive_interval = duration(k)?;
    }
    if let Some(d) = request_deadline {
        config = config.with_request_deadline(duration(d)?);
    }
    Ok(config)
}

macro_rules! visitor_class {
    ($name:ident, $chat:ident, $asyncio:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "lpchat")]
        pub struct $name {
            pub(crate) visitor: lpchat::Visitor,
        }

        impl $name {
            const ASYNCIO: bool = $asyncio;
        }

        #[pymethods]
        impl $name {
            /// Whether a chat can be requested (V2), optionally for a skill.
            #[pyo3(signature = (skill = None))]
            fn availability(&self, py: Python<'_>, skill: Option<String>) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.availability(skill.as_deref()).await },
                    |py, r| model(py, "VisitorAvailability", &r),
                )
            }

            /// Free chat slots (V3), optionally for one skill.
            #[pyo3(signature = (skill = None))]
            fn available_slots(
                &self,
                py: Python<'_>,
                skill: Option<String>,
            ) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.available_slots(skill.as_deref()).await },
                    |py, r| model(py, "AvailableSlots", &r),
                )
            }

            /// The estimated wait time (V4).
            fn wait_time(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.wait_time().await },
                    |py, r| model(py, "EstimatedWaitTime", &r),
                )
            }

            /// The pre-chat survey (V5).
            fn pre_chat_survey(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.pre_chat_survey().await },
                    |py, r| model(py, "Survey", &r),
                )
            }

            /// The offline survey (V6).
            fn offline_survey(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.offline_survey().await },
                    |py, r| model(py, "Survey", &r),
                )
            }

            /// Submits the offline survey (V7); not sent again when its outcome is unknown
            /// (`OutcomeUnknownError`).
            fn submit_offline_survey(
                &self,
                py: Python<'_>,
                survey_id: String,
                answers_given: Bound<'_, PyDict>,
            ) -> PyResult<Py<PyAny>> {
                let a = answers(survey_id, &answers_given)?;
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.submit_offline_survey(a).await },
                    none,
                )
            }

            /// Requests a chat (V8) and resolves once it exists.
            /// `poll_interval` (default 2 s), `keepalive_interval` (the chat information
            /// read that keeps a quiet chat open, default 30 s) and `request_deadline` (how
            /// long an answer is waited for, default 60 s) tune the chat's task.
            #[pyo3(signature = (skill = None, *, agent = None, max_wait_time = None, conversation_id = None, poll_interval = None, keepalive_interval = None, request_deadline = None))]
            #[allow(clippy::too_many_arguments)]
            fn request_chat(
                &self,
                py: Python<'_>,
                skill: Option<String>,
                agent: Option<String>,
                max_wait_time: Option<i64>,
                conversation_id: Option<String>,
                poll_interval: Option<f64>,
                keepalive_interval: Option<f64>,
                request_deadline: Option<f64>,
            ) -> PyResult<Py<PyAny>> {
                let v = self.visitor.clone();
                let request = chat_request(skill, agent, max_wait_time, conversation_id);
                let config = chat_timing(v.chat_config(request), poll_interval, keepalive_interval, request_deadline)?;
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.start_chat(config).await },
                    |py, chat| $chat::wrap(chat).into_py_any(py),
                )
            }

            /// Creates an authenticated visitor's conversation (V9) with an SSO key; resolves
            /// to its id, for `request_chat(conversation_id=...)`. Not sent again when its
            /// outcome is unknown (`OutcomeUnknownError`).
            #[pyo3(signature = (*, sso_key = None, engagement_id = None))]
            fn create_conversation(&self, py: Python<'_>, sso_key: Option<String>, engagement_id: Option<String>) -> PyResult<Py<PyAny>> {
                let mut request = ConversationRequest::default();
                request.sso_key = sso_key.map(Into::into);
                request.engagement_id = engagement_id;
                let v = self.visitor.clone();
                run(py, Self::ASYNCIO, async move { v.call(CreateConversation::new(request)).await }, |py, created| {
                    created.href.rsplit('/').next().unwrap_or_default().into_py_any(py)
                })
            }

            /// Goes on with a chat from its `resume_point()` (URL and cursor token), with
            /// the timings of `request_chat`.
            #[pyo3(signature = (href, token, *, poll_interval = None, keepalive_interval = None, request_deadline = None))]
            fn resume_chat(
                &self,
                py: Python<'_>,
                href: String,
                token: String,
                poll_interval: Option<f64>,
                keepalive_interval: Option<f64>,
                request_deadline: Option<f64>,
            ) -> PyResult<Py<PyAny>> {
                let config = self
                    .visitor
                    .chat_config(ChatRequest::default())
                    .resume(href, &token)
                    .map_err(|_| config("the cursor token is not valid"))?;
                let config = chat_timing(config, poll_interval, keepalive_interval, request_deadline)?;
                let v = self.visitor.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { v.start_chat(config).await },
                    |py, chat| $chat::wrap(chat).into_py_any(py),
                )
            }

            fn __repr__(&self) -> &'static str {
                concat!(stringify!($name), "()")
            }
        }
    };
}

visitor_class!(
    Visitor,
    VisitorChat,
    false,
    "The visitor side (Server Chat API), sync face."
);
visitor_class!(
    AsyncVisitor,
    AsyncVisitorChat,
    true,
    "The visitor side (Server Chat API), asyncio face."
);

/// What both faces of a visitor chat share.
pub(crate) struct ChatCore {
    chat: lpchat::VisitorChat,
    stream: Mutex<Option<Py<EventStream>>>,
}

macro_rules! chat_class {
    ($name:ident, $asyncio:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, weakref, module = "lpchat")]
        pub struct $name {
            pub(crate) core: Arc<ChatCore>,
        }

        impl $name {
            const ASYNCIO: bool = $asyncio;

            fn wrap(chat: lpchat::VisitorChat) -> Self {
                let core = Arc::new(ChatCore {
                    chat,
                    stream: Mutex::new(None),
                });
                live::add_chat(&core);
                $name { core }
            }
        }

        #[pymethods]
        impl $name {
            /// The chat id.
            #[getter]
            fn id(&self) -> String {
                self.core.chat.id().as_str().to_owned()
            }

            /// The chat's events (the same stream on every call; then `poll()` fails).
            fn events(&self, py: Python<'_>) -> PyResult<Py<EventStream>> {
                let mut cached = self
                    .core
                    .stream
                    .lock()
                    .map_err(|_| config("event stream poisoned"))?;
                if let Some(s) = cached.as_ref() {
                    return Ok(s.clone_ref(py));
                }
                let events = self
                    .core
                    .chat
                    .events()
                    .ok_or_else(|| config("the event stream was taken"))?;
                let stream = Py::new(py, EventStream::new(events))?;
                *cached = Some(stream.clone_ref(py));
                Ok(stream)
            }

            // The core is this object's alone (the live registry holds it weakly).
            fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
                if let Ok(stream) = self.core.stream.try_lock() {
                    visit.call(stream.as_ref())?;
                }
                Ok(())
            }

            fn __clear__(&self) {
                let stream = self.core.stream.lock().ok().and_then(|mut s| s.take());
                drop(stream);
            }

            /// The chat events that came since the last call, each once, without waiting.
            fn poll(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
                let mut chat = self.core.chat.clone();
                let events = chat.poll().map_err(|e| crate::error::to_py(py, &e))?;
                events
                    .iter()
                    .map(|e| crate::convert::chat_event(py, e))
                    .collect()
            }

            /// Sends a line after the items queued before it; resolves when the server has
            /// it exactly once, to its event id when known.
            #[pyo3(signature = (text, *, html = false))]
            fn send(&self, py: Python<'_>, text: String, html: bool) -> PyResult<Py<PyAny>> {
                let event = new_event(text, html, false, None)?;
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.send(event).await },
                    event_id,
                )
            }

            /// Sends a plain line (V12).
            fn send_line(&self, py: Python<'_>, text: String) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.send_line(&text).await },
                    event_id,
                )
            }

            /// Ends the chat (after the lines queued before it).
            fn end(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(py, Self::ASYNCIO, async move { c.end().await }, none)
            }

            /// Sets the visitor's name (V14); the latest value wins.
            fn set_name(&self, name: String) -> PyResult<()> {
                self.core
                    .chat
                    .set_name(name)
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// Says whether the visitor types (V15); the latest value wins.
            fn set_typing(&self, typing: bool) -> PyResult<()> {
                self.core
                    .chat
                    .set_typing(typing)
                    .map_err(|e| Python::attach(|py| crate::error::to_py(py, &e)))
            }

            /// The chat's information as last read (`NotReadyError` before the first read).
            fn info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(py, Self::ASYNCIO, async move { c.info().await }, |py, i| {
                    model(py, "ChatInfo", &i)
                })
            }

            /// The chat's URL and cursor token, for `Visitor.resume_chat`.
            fn resume_point(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.resume_point().await },
                    |py, p| p.into_py_any(py),
                )
            }

            /// Whether the agent types, as the visitor sees it (V16).
            fn agent_typing(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.agent_typing().await },
                    |py, r| model(py, "AgentTyping", &r),
                )
            }

            /// The exit survey (V17).
            fn exit_survey(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.exit_survey().await },
                    |py, r| model(py, "Survey", &r),
                )
            }

            /// Submits the exit survey (V17): `{question_id: answer or [answers]}`.
            fn submit_exit_survey(
                &self,
                py: Python<'_>,
                survey_id: String,
                answers_given: Bound<'_, PyDict>,
            ) -> PyResult<Py<PyAny>> {
                let a = answers(survey_id, &answers_given)?;
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.submit_exit_survey(a).await },
                    none,
                )
            }

            /// E-mails the transcript (V18); not sent again when its outcome is unknown.
            fn request_transcript(&self, py: Python<'_>, email: String) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(
                    py,
                    Self::ASYNCIO,
                    async move { c.request_transcript(&email).await },
                    none,
                )
            }

            /// Ends the chat (after the lines queued before) and waits until done.
            fn close(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let c = self.core.chat.clone();
                run(py, Self::ASYNCIO, async move { c.close().await }, none)
            }

            fn __repr__(&self) -> String {
                format!(
                    "{}(id={:?})",
                    stringify!($name),
                    self.core.chat.id().as_str()
                )
            }
        }
    };
}

chat_class!(
    VisitorChat,
    false,
    "A visitor chat (sync face). `with` closes it."
);
chat_class!(
    AsyncVisitorChat,
    true,
    "A visitor chat (asyncio face). `async with` closes it."
);

// ---- context managers, one face each (pyo3's multiple-pymethods) -------------------------

macro_rules! sync_context {
    ($name:ident) => {
        #[pymethods]
        impl $name {
            fn __enter__(slf: Py<Self>) -> Py<Self> {
                slf
            }

            #[pyo3(signature = (*_args))]
            fn __exit__(
                &self,
                py: Python<'_>,
                _args: &Bound<'_, pyo3::types::PyTuple>,
            ) -> PyResult<bool> {
                self.close(py)?;
                Ok(false)
            }
        }
    };
}

macro_rules! async_context {
    ($name:ident) => {
        #[pymethods]
        impl $name {
            fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                crate::runtime::awaitable(
                    py,
                    async move { Ok::<_, lpchat::Error>(()) },
                    move |_, ()| Ok(slf.into_any()),
                )
            }

            #[pyo3(signature = (*_args))]
            fn __aexit__(
                &self,
                py: Python<'_>,
                _args: &Bound<'_, pyo3::types::PyTuple>,
            ) -> PyResult<Py<PyAny>> {
                self.close(py)
            }
        }
    };
}

sync_context!(AgentSession);
sync_context!(VisitorChat);
async_context!(AsyncAgentSession);
async_context!(AsyncVisitorChat);

/// The sessions and chats of the process, weakly held, so that an exit closes them (ends
/// the agent sessions and logs out, ends the chats) instead of leaving them to time out on
/// the server: the runtime lives in a static and is never dropped.
pub(crate) mod live {
    use std::sync::{Arc, Mutex, Weak};
    use std::time::Duration;

    use super::{AgentCore, ChatCore};

    static SESSIONS: Mutex<Vec<Weak<AgentCore>>> = Mutex::new(Vec::new());
    static CHATS: Mutex<Vec<Weak<ChatCore>>> = Mutex::new(Vec::new());

    fn push<T>(list: &Mutex<Vec<Weak<T>>>, item: &Arc<T>) {
        if let Ok(mut l) = list.lock() {
            // Dropped ones are pruned when the list doubles, so it stays within twice the
            // live count.
            if l.len() >= 64 && l.len().is_power_of_two() {
                l.retain(|w| w.strong_count() > 0);
            }
            l.push(Arc::downgrade(item));
        }
    }

    pub(crate) fn add_session(core: &Arc<AgentCore>) {
        push(&SESSIONS, core);
    }

    pub(crate) fn add_chat(core: &Arc<ChatCore>) {
        push(&CHATS, core);
    }

    /// Closes every live session and chat, waiting at most `timeout` for all of them.
    pub(crate) async fn close_all(timeout: Duration) {
        let sessions: Vec<lpchat::AgentSession> = SESSIONS
            .lock()
            .map(|mut l| {
                l.drain(..)
                    .filter_map(|w| w.upgrade())
                    .map(|c| c.session.clone())
                    .collect()
            })
            .unwrap_or_default();
        let chats: Vec<lpchat::VisitorChat> = CHATS
            .lock()
            .map(|mut l| {
                l.drain(..)
                    .filter_map(|w| w.upgrade())
                    .map(|c| c.chat.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut all = tokio::task::JoinSet::new();
        for s in sessions {
            all.spawn(async move {
                let _ = s.close().await;
            });
        }
        for c in chats {
            all.spawn(async move {
                let _ = c.close().await;
            });
        }
        let _ =
            tokio::time::timeout(timeout, async { while all.join_next().await.is_some() {} }).await;
    }
}

/// Registers the classes of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AgentCredentials>()?;
    m.add_class::<UserPassword>()?;
    m.add_class::<ApiKey>()?;
    m.add_class::<Bearer>()?;
    m.add_class::<Jwt>()?;
    m.add_class::<RetryPolicy>()?;
    m.add_class::<TransportConfig>()?;
    m.add_class::<Options>()?;
    m.add_class::<LoginSettings>()?;
    m.add_class::<SessionStats>()?;
    m.add_class::<Client>()?;
    m.add_class::<AsyncClient>()?;
    m.add_class::<AgentSession>()?;
    m.add_class::<AsyncAgentSession>()?;
    m.add_class::<Visitor>()?;
    m.add_class::<AsyncVisitor>()?;
    m.add_class::<VisitorChat>()?;
    m.add_class::<AsyncVisitorChat>()?;
    Ok(())
}
