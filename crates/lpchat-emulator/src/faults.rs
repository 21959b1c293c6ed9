//! Faults on demand: rules matched by route pattern and method, firing with a probability
//! and/or a limited number of times, applied by a middleware in front of the protocol.
//! Control endpoints under `/_emulator/` are never faulted.

use crate::app::{lock, App};
use crate::http::RepeatBelow;
use crate::ids::IdGen;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FaultKind {
    /// Answer with this status (and an error envelope) instead of handling the request.
    Status {
        /// HTTP status, e.g. 500, 503, 429.
        status: u16,
        /// `Retry-After` seconds (typically with 429 or 503).
        #[serde(
            default,
            rename = "retryAfter",
            skip_serializing_if = "Option::is_none"
        )]
        retry_after: Option<u64>,
    },
    /// Wait this many real milliseconds before handling the request.
    Latency {
        /// Delay, real ms (not scaled: it exercises client timeouts, which are real).
        ms: u64,
    },
    /// Handle the request at once, then wait this many real milliseconds before answering:
    /// the change is made while its answer is still on the way, so the client can see its
    /// effect (in another request's answer) before the answer itself.
    SlowAnswer {
        /// Delay, real ms.
        ms: u64,
    },
    /// Close the connection without any response.
    Drop,
    /// Send the status line, headers and the first half of the body, then close.
    Truncate,
    /// Events responses also carry up to `count` events below the requested `from`.
    RepeatEvents {
        /// How many ids below `from` to repeat.
        #[serde(default = "default_repeat")]
        count: u64,
    },
}

fn default_repeat() -> u64 {
    3
}

/// A fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Assigned when added.
    #[serde(default)]
    pub id: u64,
    /// Path pattern; `*` matches any run of characters (including `/`). Matched against the
    /// path as sent and against the path without its `.json`/`.xml` suffix.
    pub route: String,
    /// Only this method (as sent on the wire, e.g. `POST` for tunnelled PUT); any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// The fault.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance of firing on a matching request (1.0 when absent).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Fire at most this many more times, then the rule is removed (unlimited when absent).
    #[serde(default)]
    pub count: Option<u64>,
    /// How many times it fired.
    #[serde(default)]
    pub fired: u64,
}

impl FaultRule {
    /// A rule firing every time on `route`.
    pub fn new(route: &str, kind: FaultKind) -> Self {
        FaultRule {
            id: 0,
            route: route.to_owned(),
            method: None,
            kind,
            probability: None,
            count: None,
            fired: 0,
        }
    }

    /// Limits the number of firings.
    pub fn times(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }

    /// Sets the firing probability.
    pub fn with_probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    /// Restricts to one wire method.
    pub fn on_method(mut self, m: &str) -> Self {
        self.method = Some(m.to_ascii_uppercase());
        self
    }
}

/// The rule set with its own seeded random source.
#[derive(Debug)]
pub struct Faults {
    rules: Vec<FaultRule>,
    next_id: u64,
    rng: IdGen,
}

/// Glob match where `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

impl Faults {
    /// An empty rule set; probabilities draw from `seed`.
    pub fn new(seed: u64) -> Self {
        Faults {
            rules: Vec::new(),
            next_id: 1,
            rng: IdGen::new(seed ^ 0x5eed_fa17),
        }
    }

    /// Adds a rule and returns its id.
    pub fn add(&mut self, mut rule: FaultRule) -> Result<u64, String> {
        if let FaultKind::Status { status, .. } = rule.kind {
            if !(100..=599).contains(&status) {
                return Err(format!("invalid status {status}"));
            }
        }
        if rule.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err("probability must be within 0..1".into());
        }
        rule.id = self.next_id;
        rule.fired = 0;
        self.next_id += 1;
        self.rules.push(rule);
        Ok(self.next_id - 1)
    }

    /// Removes one rule; false when unknown.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Removes all rules.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules in force.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// The faults firing for one request; consumes counts and drops exhausted rules.
    pub fn decide(&mut self, method: &str, path: &str) -> Vec<FaultKind> {
        let stripped = path
            .strip_suffix(".json")
            .or_else(|| path.strip_suffix(".xml"))
            .unwrap_or(path);
        let mut fired = Vec::new();
        for rule in &mut self.rules {
            let method_ok = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            if !method_ok || !(glob(&rule.route, path) || glob(&rule.route, stripped)) {
                continue;
            }
            if let Some(p) = rule.probability {
                if self.rng.unit() >= p {
                    continue;
                }
            }
            rule.fired += 1;
            if let Some(c) = rule.count.as_mut() {
                *c = c.saturating_sub(1);
            }
            fired.push(rule.kind.clone());
        }
        self.rules.retain(|r| r.count != Some(0));
        fired
    }
}

/// A body that fails: after `head` bytes (possibly none) and a short pause that lets the
/// server flush them, it errors, which makes hyper close the connection mid-response.
struct Broken {
    head: Option<Bytes>,
    /// Announced length; `None` leaves it unknown so hyper cannot answer "empty" alone.
    full_len: Option<u64>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl HttpBody for Broken {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if let Some(h) = self.head.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(h))));
        }
        if let Some(p) = self.pause.as_mut() {
            if p.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injected",
        ))))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.full_len {
            Some(n) => http_body::SizeHint::with_exact(n),
            None => http_body::SizeHint::new(),
        }
    }
}

use std::future::Future;

fn dropped() -> Response {
    // Erroring before any byte is flushed: hyper closes the connection without a response.
    Response::new(Body::new(Broken {
        head: None,
        full_len: None,
        pause: None,
    }))
}

async fn truncated(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let body = Broken {
        head: Some(half),
        full_len: Some(bytes.len() as u64),
        pause: Some(Box::pin(tokio::time::sleep(Duration::from_millis(30)))),
    };
    Response::from_parts(parts, Body::new(body))
}

/// The middleware: applies the faults that fire for the request.
pub async fn middleware(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_emulator") {
        return next.run(req).await;
    }
    let kinds = lock(&app.faults).decide(req.method().as_str(), &path);
    if kinds.is_empty() {
        return next.run(req).await;
    }
    let mut truncate = false;
    let mut slow_answer = None;
    for k in &kinds {
        if let FaultKind::Latency { ms } = k {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    for k in &kinds {
        match k {
            FaultKind::Drop => return dropped(),
            FaultKind::Status {
                status,
                retry_after,
            } => {
                let code =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let err = crate::engine::ApiError::new(
                    code.as_u16(),
                    0,
                    "fault injected by the emulator",
                );
                let format = crate::http::request::Req::new(
                    req.method().clone(),
                    req.uri(),
                    req.headers().clone(),
                    Bytes::new(),
                    app.quirks().suffix,
                )
                .format;
                let mut r = crate::http::response::error(format, &err, app.now(), app.tz);
                if let Some(s) = retry_after {
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(*s));
                }
                return r;
            }
            FaultKind::RepeatEvents { count } => {
                req.extensions_mut().insert(RepeatBelow(*count));
            }
            FaultKind::Truncate => truncate = true,
            FaultKind::SlowAnswer { ms } => slow_answer = Some(Duration::from_millis(*ms)),
            FaultKind::Latency { .. } => {}
        }
    }
    let resp = next.run(req).await;
    if let Some(wait) = slow_answer {
        tokio::time::sleep(wait).await;
    }
    if truncate {
        truncated(resp).await
    } else {
        resp
    }
}

/// The fault mix of soak runs and `lpchat demo --chaos`, on every agent-session route:
/// 503 (5 %), 500 (2 %), 429 with `Retry-After: 1` (3 %), dropped connections (3 %),
/// truncated bodies (3 %), and repeated events on 30 % of chat reads. A bearer expiry is
/// not a rule: shorten the world's `session_ttl_ms` below the client's refresh period.
pub fn default_mix() -> Vec<FaultRule> {
    let status = |status, retry_after| FaultKind::Status {
        status,
        retry_after,
    };
    let agent = "*/agentSession/*";
    vec![
        FaultRule::new(agent, status(503, None)).with_probability(0.05),
        FaultRule::new(agent, status(500, None)).with_probability(0.02),
        FaultRule::new(agent, status(429, Some(1))).with_probability(0.03),
        FaultRule::new(agent, FaultKind::Drop).with_probability(0.03),
        FaultRule::new(agent, FaultKind::Truncate).with_probability(0.03),
        FaultRule::new(
            "*/agentSession/*/chat*",
            FaultKind::RepeatEvents { count: 3 },
        )
        .with_probability(0.3)
        .on_method("GET"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*/events", "/api/account/1/chat/H1/events"));
        assert!(glob("/api/*/chat/*", "/api/account/1/chat/H1/events"));
        assert!(!glob("*/events", "/api/account/1/chat/H1/info"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
    }

    #[test]
    fn counts_and_probability() {
        let mut f = Faults::new(1);
        f.add(FaultRule::new("*/events", FaultKind::Drop).times(2))
            .unwrap();
        assert_eq!(f.decide("GET", "/x/events.json").len(), 1);
        assert_eq!(f.decide("GET", "/x/events").len(), 1);
        assert!(f.decide("GET", "/x/events").is_empty());
        f.add(FaultRule::new("*", FaultKind::Drop).with_probability(0.5))
            .unwrap();
        let n = (0..1000)
            .filter(|_| !f.decide("GET", "/y").is_empty())
            .count();
        assert!((400..600).contains(&n), "{n}");
        assert!(f
            .add(FaultRule::new(
                "*",
                FaultKind::Status {
                    status: 99,
                    retry_after: None
                }
            ))
            .is_err());
    }
}
