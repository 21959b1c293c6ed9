//! The HTTP transport: a reqwest client (rustls with the ring provider, no cookie store:
//! the machines own the cookies) that executes an `http::Request<Bytes>` and returns an
//! `http::Response<Bytes>` or the [`FailureKind`] the machines understand.

use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{Request, Response};
use lpchat_proto::machine::FailureKind;
use tokio::sync::Semaphore;

use crate::error::Error;

/// How the transport connects: timeouts, proxy, extra TLS roots, user agent, connection pool.
#[derive(Clone)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Longest wait for a connection (TCP and TLS): 10 s. A failure here means the request
    /// was certainly not sent.
    pub connect_timeout: Duration,
    /// Longest wait for a whole exchange (request sent, response read): 30 s.
    pub request_timeout: Duration,
    /// A proxy for every request (`http://`, `https://` or `socks5://` URL), if any.
    pub proxy: Option<String>,
    /// Extra trusted root certificates, PEM or DER, added to the platform's.
    pub extra_roots: Vec<Vec<u8>>,
    /// The `User-Agent` header: `lpchat-rust/<version>`.
    pub user_agent: String,
    /// Largest response body read, in bytes (the codec's [`lpchat_proto::Limits`] default).
    pub max_body: usize,
    /// Most idle keep-alive connections kept per host: 256, as many as may be in flight
    /// ([`TransportConfig::max_in_flight`]). Each costs about 27 KiB (buffers, channel, task),
    /// more with TLS. Past the cap a returned connection is closed instead of kept; a lower
    /// cap saves little (the polls of many sessions come in bursts, and a connection closed
    /// after one burst is opened again for the next: at 32, 1,000 idle sessions opened 20
    /// connections a second).
    pub pool_max_idle_per_host: usize,
    /// How long an unused keep-alive connection is kept: 30 s, below the usual server and load
    /// balancer limits of 60 s so that the client, not the server, closes it. Requests reuse
    /// the most recently returned connection first, so connections beyond what the sessions
    /// need (those of a burst at start) go unused and are closed.
    pub pool_idle_timeout: Option<Duration>,
    /// Most exchanges in flight at once through the transport: 256 (`None`: no limit). HTTP/1
    /// carries one exchange per connection, so this bounds the connections open at once too:
    /// when many sessions start together and the server slows, their requests would otherwise
    /// open a connection each (1,000 sessions starting at once opened about 1,900), whose
    /// memory the allocator keeps after they close. An exchange waits for its turn at most
    /// `connect_timeout`, then fails as `ConnectFailed` (certainly not sent, so safe to
    /// retry). 256 at once carry about 1,300 requests per second at 200 ms each, twice what
    /// 1,000 idle agent sessions send.
    pub max_in_flight: Option<usize>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            proxy: None,
            extra_roots: Vec::new(),
            user_agent: concat!("lpchat-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body: lpchat_proto::Limits::default().max_body,
            pool_max_idle_per_host: 256,
            pool_idle_timeout: Some(Duration::from_secs(30)),
            max_in_flight: Some(256),
        }
    }
}

impl std::fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A proxy URL may carry a user and password: shown only as present or not.
        f.debug_struct("TransportConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("proxy", &self.proxy.as_ref().map(|_| "…"))
            .field("extra_roots", &self.extra_roots.len())
            .field("user_agent", &self.user_agent)
            .field("max_body", &self.max_body)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

/// How far a machine's deadline stays above the transport's longest exchange.
const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// A request that got no readable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportFailure {
    /// How it failed, as the machines read it.
    pub kind: FailureKind,
}

impl std::fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            FailureKind::ConnectFailed => "connection failed before the request was sent",
            FailureKind::Timeout => "no response in time",
            FailureKind::ConnectionDropped => "connection dropped before a response came",
            FailureKind::BodyTruncated => "response body cut short or too large",
            _ => "transport failure",
        };
        f.write_str(what)
    }
}

impl std::error::Error for TransportFailure {}

/// Installs the ring crypto provider for rustls once per process (another already installed
/// is kept).
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Executes requests. Cheap to clone (reqwest's client is an `Arc` with a connection pool).
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    max_body: usize,
    /// Turns to be in flight ([`TransportConfig::max_in_flight`]), shared by the clones.
    turns: Option<Arc<Semaphore>>,
    /// Longest wait for a turn.
    turn_timeout: Duration,
    /// Longest exchange once its turn came (reqwest's timeout).
    request_timeout: Duration,
}

impl Transport {
    /// A transport with this configuration.
    pub fn new(config: &TransportConfig) -> Result<Transport, Error> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(config.pool_idle_timeout);
        match &config.proxy {
            Some(url) => {
                let proxy = reqwest::Proxy::all(url.as_str())
                    .map_err(|_| Error::Config("invalid proxy URL".into()))?;
                builder = builder.proxy(proxy);
            }
            None => builder = builder.no_proxy(),
        }
        let mut certs = Vec::new();
        for root in &config.extra_roots {
            let cert = if root.starts_with(b"-----") {
                reqwest::Certificate::from_pem(root)
            } else {
                reqwest::Certificate::from_der(root)
            }
            .map_err(|_| Error::Config("invalid TLS root certificate".into()))?;
            certs.push(cert);
        }
        if !certs.is_empty() {
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Transport {
            client,
            max_body: config.max_body,
            turns: config
                .max_in_flight
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
            turn_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
        })
    }

    /// The longest a request may take through this transport before it answers with a
    /// failure: the wait for a turn and the exchange. The machines' deadlines are set above
    /// it, so they only catch answers that never come.
    pub fn longest_exchange(&self) -> Duration {
        let turn = if self.turns.is_some() {
            self.turn_timeout
        } else {
            Duration::ZERO
        };
        turn.saturating_add(self.request_timeout)
    }

    /// The deadline a machine driven over this transport gives each request: `wanted`, raised
    /// above [`Transport::longest_exchange`] by a margin (a late wake-up of a busy process).
    pub(crate) fn machine_deadline(&self, wanted: Duration) -> Duration {
        wanted.max(self.longest_exchange().saturating_add(DEADLINE_MARGIN))
    }

    /// Sends `request` and reads the whole response (bounded by the body cap).
    pub async fn execute(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, TransportFailure> {
        self.execute_with(request, None).await
    }

    /// Like [`Transport::execute`] with another timeout for this exchange (a long poll).
    pub async fn execute_with(
        &self,
        request: Request<Bytes>,
        timeout: Option<Duration>,
    ) -> Result<Response<Bytes>, TransportFailure> {
        // Held until the body is read: the connection is busy until then.
        let _turn = match &self.turns {
            Some(turns) => Some(
                tokio::time::timeout(self.turn_timeout, turns.acquire())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .ok_or(TransportFailure {
                        kind: FailureKind::ConnectFailed,
                    })?,
            ),
            None => None,
        };
        // Boxed: the exchange's future (reqwest's, about 1.2 KiB) exists only once it runs,
        // so requests waiting for their turn stay small.
        Box::pin(self.exchange(request, timeout)).await
    }

    /// One exchange, its body read whole and bounded.
    async fn exchange(
        &self,
        request: Request<Bytes>,
        timeout: Option<Duration>,
    ) -> Result<Response<Bytes>, TransportFailure> {
        let (parts, body) = request.into_parts();
        let mut builder = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body);
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder.send().await.map_err(|e| classify(&e, false))?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let version = response.version();
        let expected = response.content_length();
        if expected.is_some_and(|n| n > self.max_body as u64) {
            return Err(TransportFailure {
                kind: FailureKind::BodyTruncated,
            });
        }
        let mut buf = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len().saturating_add(chunk.len()) > self.max_body {
                        return Err(TransportFailure {
                            kind: FailureKind::BodyTruncated,
                        });
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(classify(&e, true)),
            }
        }
        if expected.is_some_and(|n| n != buf.len() as u64) {
            return Err(TransportFailure {
                kind: FailureKind::BodyTruncated,
            });
        }
        let mut out = Response::new(buf.freeze());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        *out.version_mut() = version;
        Ok(out)
    }
}

/// Maps a reqwest error to what the machines know: a connect failure means the request was
/// not sent; once the response started, a failure means a cut body.
fn classify(error: &reqwest::Error, reading_body: bool) -> TransportFailure {
    let kind = if error.is_connect() {
        FailureKind::ConnectFailed
    } else if reading_body {
        if error.is_timeout() {
            FailureKind::Timeout
        } else {
            FailureKind::BodyTruncated
        }
    } else if error.is_timeout() {
        FailureKind::Timeout
    } else {
        FailureKind::ConnectionDropped
    };
    TransportFailure { kind }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A loopback server counting its connections; it answers `200 ok` to each request when
    /// `answer`, and never answers otherwise.
    async fn server(answer: bool) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let mut seen = Vec::new();
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                            seen.drain(..end + 4);
                            if answer {
                                let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                                if stream.write_all(reply).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        (url, accepted)
    }

    fn transport(max_in_flight: usize) -> Transport {
        let config = TransportConfig {
            max_in_flight: Some(max_in_flight),
            connect_timeout: Duration::from_millis(300),
            ..Default::default()
        };
        Transport::new(&config).unwrap()
    }

    fn get(url: &str) -> Request<Bytes> {
        Request::get(url).body(Bytes::new()).unwrap()
    }

    #[tokio::test]
    async fn exchanges_past_the_limit_wait_their_turn() {
        let (url, _) = server(true).await;
        let transport = transport(1);
        let exchanges = (0..4).map(|_| {
            let (t, request) = (transport.clone(), get(&url));
            tokio::spawn(async move { t.execute(request).await })
        });
        for exchange in exchanges.collect::<Vec<_>>() {
            let response = exchange.await.unwrap().unwrap();
            assert_eq!(&response.body()[..], b"ok");
        }
    }

    #[tokio::test]
    async fn an_exchange_that_gets_no_turn_fails_as_not_sent() {
        let (url, accepted) = server(false).await;
        let transport = transport(1);
        let first = tokio::spawn({
            let (t, request) = (transport.clone(), get(&url));
            async move { t.execute(request).await }
        });
        // The first exchange holds the only turn once its connection is open.
        while accepted.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let second = transport.execute(get(&url)).await;
        assert_eq!(second.unwrap_err().kind, FailureKind::ConnectFailed);
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "the second never connected"
        );
        first.abort();
    }
}
