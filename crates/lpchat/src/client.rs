//! [`Client`]: the account, the Domain API lookup (cached, with per-service overrides),
//! the transport, and the sessions it opens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use lpchat_proto::auth::Credentials;
use lpchat_proto::machine::{AgentConfig, AgentMachine, VisitorConfig, WallClock};
use lpchat_proto::model::domain::Service;
use lpchat_proto::model::ChatRequest;
use lpchat_proto::ops::{self, BaseUri, Context, Options};
use lpchat_proto::{Format, Limits, Operation, RetryPolicy};

use crate::agent::AgentSession;
use crate::error::Error;
use crate::transport::{Transport, TransportConfig};
use crate::visitor::Visitor;

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    account: String,
    domain_origin: Option<String>,
    overrides: HashMap<String, String>,
    allow_insecure_http: bool,
    format: Format,
    options: Options,
    transport: TransportConfig,
    retry: RetryPolicy,
    limits: Limits,
    seed: Option<u64>,
    event_buffer: usize,
}

impl ClientBuilder {
    /// How many unread events a session's stream may hold before the session pauses its
    /// polls until the stream is read: 1,024 ([`crate::DEFAULT_EVENT_BUFFER`]; at
    /// least 1). Memory then stays bounded whatever the consumer's pace; keepalives, lines
    /// and closing go on while paused. See [`crate::Events`].
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }

    /// Asks another Domain API host (`http://127.0.0.1:PORT` for an emulator,
    /// `https://127.0.0.1:PORT` for one serving TLS, whose certificate then goes in
    /// [`TransportConfig::extra_roots`]).
    pub fn domain_origin(mut self, origin: impl Into<String>) -> Self {
        self.domain_origin = Some(origin.into());
        self
    }

    /// Uses this host for a service (`agentVep`, `conversationVep`) without a lookup.
    pub fn service_host(mut self, service: Service, host: impl Into<String>) -> Self {
        self.overrides
            .insert(service.as_str().to_owned(), host.into());
        self
    }

    /// Allows plain `http` to hosts other than loopback (never needed in production).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The body format of chat API requests: JSON (default) or XML.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Wire switches (format suffix, real verbs …).
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Timeouts, proxy, TLS roots, user agent.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// The retry policy of every session.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Seeds jitter and nonces (deterministic tests); by default from the clock.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let mut transport_cfg = self.transport.clone();
        transport_cfg.max_body = transport_cfg.max_body.min(self.limits.max_body);
        let transport = Transport::new(&transport_cfg)?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                cfg: self,
                transport,
                domains: Mutex::new(HashMap::new()),
            }),
        })
    }
}

struct ClientInner {
    cfg: ClientBuilder,
    transport: Transport,
    domains: Mutex<HashMap<String, String>>,
}

/// The entry point: one per account. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("account", &self.inner.cfg.account)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for `account`.
    pub fn builder(account: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            account: account.into(),
            domain_origin: None,
            overrides: HashMap::new(),
            allow_insecure_http: false,
            format: Format::Json,
            options: Options::default(),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            seed: None,
            event_buffer: crate::events::DEFAULT_EVENT_BUFFER,
        }
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.inner.cfg.account
    }

    /// The transport the client's sessions use.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    fn options(&self) -> Options {
        let mut o = self.inner.cfg.options;
        o.allow_insecure_http = self.inner.cfg.allow_insecure_http;
        o
    }

    /// The host of `service` for the account: the override, the cache, or the Domain API
    /// (D1), whose answer is cached.
    pub async fn domain(&self, service: Service) -> Result<String, Error> {
        let key = service.as_str().to_owned();
        if let Some(host) = self.inner.cfg.overrides.get(&key) {
            return Ok(host.clone());
        }
        if let Some(host) = self
            .inner
            .domains
            .lock()
            .ok()
            .and_then(|d| d.get(&key).cloned())
        {
            return Ok(host);
        }
        let mut op = ops::LookupDomain::new(&self.inner.cfg.account, service);
        if let Some(origin) = &self.inner.cfg.domain_origin {
            op = op.origin(origin);
        }
        let ctx = Context::new(Format::Json).with_options(self.options());
        let response = self.inner.transport.execute(op.build(&ctx)?).await?;
        let domain = op.parse_with(response, &self.inner.cfg.limits)?;
        let host = domain.base_uri.clone();
        tracing::debug!(service = %key, host = %host, "domain looked up");
        if let Ok(mut d) = self.inner.domains.lock() {
            d.insert(key, host.clone());
        }
        Ok(host)
    }

    /// The base URI of `service`: `https`, or `http` for loopback hosts or when plain http
    /// is allowed, unless the Domain API origin ([`ClientBuilder::domain_origin`]) is
    /// `https://`: a Domain API reached over TLS (an emulator's `--tls`) names hosts that
    /// speak TLS, loopback ones included.
    pub async fn base_uri(&self, service: Service) -> Result<BaseUri, Error> {
        let host = self.domain(service).await?;
        let account = self.inner.cfg.account.clone();
        let origin_tls = self.inner.cfg.domain_origin.as_deref().is_some_and(|o| {
            o.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        });
        Ok(
            if !origin_tls && (is_loopback(&host) || self.inner.cfg.allow_insecure_http) {
                BaseUri::http(host, account)
            } else {
                BaseUri::new(host, account)
            },
        )
    }

    /// The agent configuration for these credentials (tune it with its `with_*` methods,
    /// then [`Client::start_agent`]).
    pub async fn agent_config(&self, credentials: Credentials) -> Result<AgentConfig, Error> {
        let base = self.base_uri(Service::AgentVep).await?;
        let wall = wall_clock();
        Ok(AgentConfig::new(base, credentials, wall)
            .with_seed(self.inner.cfg.seed.unwrap_or_else(clock_seed))
            .with_format(self.inner.cfg.format)
            .with_options(self.options())
            .with_retry(self.inner.cfg.retry.clone()))
    }

    /// Starts an agent session with this configuration: logs in, starts the session, sets
    /// the initial availability, polls.
    pub fn start_agent(&self, mut config: AgentConfig) -> AgentSession {
        let (retry, seed) = (config.retry.clone(), config.seed);
        config.request_deadline = self
            .inner
            .transport
            .machine_deadline(config.request_deadline);
        let machine = AgentMachine::new(config, Instant::now());
        AgentSession::spawn(
            machine,
            self.inner.transport.clone(),
            self.inner.cfg.limits,
            retry,
            seed,
            self.inner.cfg.event_buffer,
        )
    }

    /// Starts an agent session with the default configuration.
    pub async fn agent_session(&self, credentials: Credentials) -> Result<AgentSession, Error> {
        let config = self.agent_config(credentials).await?;
        Ok(self.start_agent(config))
    }

    /// The visitor side (Server Chat API) with this app key.
    pub async fn visitor(
        &self,
        app_key: impl Into<lpchat_proto::Secret>,
    ) -> Result<Visitor, Error> {
        let base = self.base_uri(Service::ConversationVep).await?;
        let app_key = lpchat_proto::auth::AppKey::new(app_key);
        let ctx = Context::new(self.inner.cfg.format)
            .with_base(base.clone())
            .with_options(self.options())
            .with_auth(ops::Auth::AppKey(app_key.clone()));
        let mut chats = VisitorConfig::new(base, app_key, ChatRequest::default())
            .with_seed(self.inner.cfg.seed.unwrap_or_else(clock_seed))
            .with_wall_clock(wall_clock())
            .with_format(self.inner.cfg.format)
            .with_options(self.options())
            .with_retry(self.inner.cfg.retry.clone());
        chats.limits = self.inner.cfg.limits;
        Ok(Visitor::new(
            ctx,
            chats,
            self.inner.transport.clone(),
            self.inner.cfg.limits,
            self.inner.cfg.event_buffer,
        ))
    }
}

/// Loopback hosts may use plain http (an emulator).
fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The wall clock pinned now, for a machine or a one-off call.
pub(crate) fn wall_clock() -> WallClock {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    WallClock::new(Instant::now(), unix)
}

fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x5eed)
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:80"));
        assert!(!is_loopback("va.agentvep.liveperson.net"));
        assert!(!is_loopback("10.0.0.1:80"));
    }
}
