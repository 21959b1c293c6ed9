//! A script harness for the machines: it drains a machine's outputs, lets a test pick the
//! request it expects (method, path, query, body), answers it with a canned response, and
//! moves time by hand. No sockets, no sleeps.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use lpchat_proto::machine::{FailureKind, Machine, MachineEvent, Output, RequestId};
use lpchat_proto::model::{ChatId, EventId};

/// An account host and id for every test.
pub const HOST: &str = "va.agentvep.example";
pub const ACCOUNT: &str = "1234";
pub const SESSION: &str = "https://va.agentvep.example/api/account/1234/agentSession/777";

/// A request the machine handed out.
#[derive(Debug, Clone)]
pub struct Req {
    pub id: RequestId,
    pub method: Method,
    pub uri: http::Uri,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    /// When it was handed out.
    pub at: Instant,
}

impl Req {
    fn new(id: RequestId, request: Request<Bytes>, at: Instant) -> Self {
        let (parts, body) = request.into_parts();
        Req {
            id,
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            at,
        }
    }

    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// A query parameter, percent-decoding only `%2C` (enough for the tests' ids).
    pub fn query(&self, name: &str) -> Option<String> {
        self.uri.query()?.split('&').find_map(|pair| {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            (n == name).then(|| v.replace("%2C", ","))
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The method the server sees (the override header, else the method).
    pub fn verb(&self) -> String {
        self.header("x-http-method-override")
            .unwrap_or_else(|| self.method.to_string())
    }

    fn describe(&self) -> String {
        format!("{} {}", self.verb(), self.uri)
    }
}

/// A JSON response.
pub fn json(status: u16, body: &str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap()
}

/// A response with extra headers.
pub fn with_headers(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Bytes> {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(Bytes::copy_from_slice(body.as_bytes())).unwrap()
}

/// An empty response.
pub fn empty(status: u16) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .body(Bytes::new())
        .unwrap()
}

/// A machine under a script.
pub struct Script<M: Machine> {
    pub m: M,
    pub t0: Instant,
    pub now: Instant,
    /// Requests handed out and not answered yet, in order.
    pub outstanding: VecDeque<Req>,
    /// Events not taken yet.
    pub events: Vec<MachineEvent>,
    /// Every event ever handed out.
    pub all_events: Vec<MachineEvent>,
    /// The last timeout the machine asked for.
    pub timeout: Option<Instant>,
    /// Every request ever handed out.
    pub log: Vec<Req>,
    /// How many times time was moved: a bound, so a script that waits forever fails.
    pub steps: usize,
}

impl<M: Machine> Script<M> {
    pub fn new(m: M, t0: Instant) -> Self {
        let mut s = Script {
            m,
            t0,
            now: t0,
            outstanding: VecDeque::new(),
            events: Vec::new(),
            all_events: Vec::new(),
            timeout: None,
            log: Vec::new(),
            steps: 0,
        };
        s.drain();
        s
    }

    /// Seconds since the start, for messages.
    pub fn secs(&self, at: Instant) -> f64 {
        at.duration_since(self.t0).as_secs_f64()
    }

    /// Polls until the machine asks for a timeout (bounded, so a loop is a test failure).
    pub fn drain(&mut self) {
        for _ in 0..10_000 {
            match self.m.poll_output(self.now) {
                Output::Send { id, request } => {
                    let req = Req::new(id, request, self.now);
                    self.log.push(req.clone());
                    self.outstanding.push_back(req);
                }
                Output::Event(e) => {
                    self.all_events.push(e.clone());
                    self.events.push(e);
                }
                Output::Timeout(at) => {
                    assert!(at >= self.now, "timeout in the past");
                    self.timeout = Some(at);
                    return;
                }
            }
        }
        panic!("the machine never asked for a timeout");
    }

    fn pending_list(&self) -> String {
        let mut s = String::new();
        for r in &self.outstanding {
            let _ = write!(s, "\n  {}", r.describe());
        }
        s
    }

    /// Takes the outstanding request with this verb whose path ends with `path_end`.
    pub fn expect(&mut self, verb: &str, path_end: &str) -> Req {
        self.try_expect(verb, path_end).unwrap_or_else(|| {
            panic!(
                "at {:.1}s: no outstanding {verb} …{path_end}; outstanding:{}",
                self.secs(self.now),
                self.pending_list()
            )
        })
    }

    /// Like [`Script::expect`], `None` when there is no such request.
    pub fn try_expect(&mut self, verb: &str, path_end: &str) -> Option<Req> {
        let i = self
            .outstanding
            .iter()
            .position(|r| r.verb() == verb && r.path().ends_with(path_end))?;
        self.outstanding.remove(i)
    }

    /// How many outstanding requests match.
    pub fn count(&self, verb: &str, path_end: &str) -> usize {
        self.outstanding
            .iter()
            .filter(|r| r.verb() == verb && r.path().ends_with(path_end))
            .count()
    }

    /// Asserts nothing is outstanding.
    pub fn assert_quiet(&self) {
        assert!(
            self.outstanding.is_empty(),
            "unexpected requests:{}",
            self.pending_list()
        );
    }

    /// Answers a request and drains.
    pub fn respond(&mut self, req: &Req, response: Response<Bytes>) {
        self.m.handle_response(req.id, response, self.now);
        self.drain();
    }

    /// Fails a request and drains.
    pub fn fail(&mut self, req: &Req, kind: FailureKind) {
        self.m.handle_failure(req.id, kind, self.now);
        self.drain();
    }

    /// Moves time forward and drains.
    pub fn advance(&mut self, by: Duration) {
        self.steps += 1;
        assert!(self.steps < 10_000, "the script waits forever");
        self.now += by;
        self.drain();
    }

    /// Moves to the machine's timeout and drains; returns how far that was.
    pub fn until_timeout(&mut self) -> Duration {
        self.steps += 1;
        assert!(self.steps < 10_000, "the script waits forever");
        let at = self.timeout.expect("a timeout");
        let by = at.saturating_duration_since(self.now);
        self.now = at.max(self.now);
        self.drain();
        by
    }

    /// Follows timeouts until a request with this verb and path end is handed out, within
    /// `limit`; returns it. Other requests handed out meanwhile stay outstanding.
    pub fn wait_for(&mut self, verb: &str, path_end: &str, limit: Duration) -> Req {
        let end = self.now + limit;
        loop {
            if let Some(r) = self.try_expect(verb, path_end) {
                return r;
            }
            let at = self.timeout.expect("a timeout");
            assert!(
                at <= end,
                "no {verb} …{path_end} within {limit:?} (next wake at {:.1}s); outstanding:{}",
                self.secs(at),
                self.pending_list()
            );
            self.now = at;
            self.drain();
        }
    }

    /// Every event handed out so far, taken or not.
    pub fn log_events(&self) -> Vec<MachineEvent> {
        self.all_events.clone()
    }

    /// Takes the events so far.
    pub fn take_events(&mut self) -> Vec<MachineEvent> {
        std::mem::take(&mut self.events)
    }

    /// Takes the events so far and asserts `want` is among them.
    pub fn expect_event(&mut self, want: &MachineEvent) -> Vec<MachineEvent> {
        let events = self.take_events();
        assert!(
            events.contains(want),
            "no {want:?} among the events {events:#?}"
        );
        events
    }
}

/// The `(chat, event id)` of every chat event among `events`.
pub fn chat_events(events: &[MachineEvent]) -> Vec<(String, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            MachineEvent::ChatEvent { chat, event } => Some((chat.to_string(), event.id.0)),
            _ => None,
        })
        .collect()
}

/// A chat id.
pub fn chat(id: &str) -> ChatId {
    ChatId::from(id)
}

/// An event id.
pub fn eid(id: u64) -> EventId {
    EventId(id)
}

/// A line event in the multi-chat (unprefixed) shape.
pub fn line(id: u64, source: &str, text: &str) -> String {
    format!(
        r#"{{"id":{id},"type":"line","time":"2018-01-29T08:19:43.976-05:00","textType":"plain","text":"{text}","by":"x","source":"{source}"}}"#
    )
}

/// A state event in the multi-chat shape.
pub fn state(id: u64, state: &str) -> String {
    format!(
        r#"{{"id":{id},"type":"state","time":"2018-01-29T08:19:43.963-05:00","state":"{state}"}}"#
    )
}

/// One chat of a multi-chat body.
pub fn chat_body(id: &str, events: &[String]) -> String {
    format!(
        r#"{{"link":[{{"href":"{SESSION}/chat/{id}","rel":"self"}}],"events":{{"event":[{}]}},"info":{{"chatSessionKey":"{id}","state":"chatting"}}}}"#,
        events.join(",")
    )
}

/// A multi-chat body.
pub fn chats_body(chats: &[String]) -> String {
    format!(r#"{{"chats":{{"chat":[{}]}}}}"#, chats.join(","))
}

/// An events body (A15) in the documented `@` shape.
pub fn events_body(events: &[String]) -> String {
    format!(r#"{{"events":{{"event":[{}]}}}}"#, events.join(","))
}

// ---- Agent helpers ----------------------------------------------------------------------

use lpchat_proto::auth::{Credentials, UserPassword};
use lpchat_proto::machine::{AgentConfig, AgentMachine, WallClock};
use lpchat_proto::ops::BaseUri;

/// The Unix time the tests' clock starts at.
pub const UNIX0: u64 = 1_700_000_000;

/// A login answer with this `sessionTTl` and bearer.
pub fn login_body(ttl_ms: &str, bearer: &str) -> String {
    format!(
        r#"{{"csrf":"csrf-{bearer}","wsuk":"w","config":{{"loginName":"bot","userId":"42"}},"sessionTTl":"{ttl_ms}","bearer":"{bearer}"}}"#
    )
}

/// The login answer with the `Session_id` cookie.
pub fn login_ok(ttl_ms: &str, bearer: &str) -> Response<Bytes> {
    with_headers(
        200,
        &[("set-cookie", "Session_id=sess-cookie-1; Path=/; HttpOnly")],
        &login_body(ttl_ms, bearer),
    )
}

/// The A2 answer.
pub fn session_created() -> Response<Bytes> {
    json(
        201,
        &format!(
            r#"{{"agentSessionLocation":{{"link":{{"@href":"{SESSION}","@rel":"location"}}}}}}"#
        ),
    )
}

/// An incoming-requests answer.
pub fn ringing(count: u64) -> Response<Bytes> {
    if count == 0 {
        json(200, r#"{"incomingRequests":{"ringingCount":"0"}}"#)
    } else {
        json(
            200,
            &format!(
                r#"{{"incomingRequests":{{"ringingCount":"{count}","link":{{"@href":"{SESSION}/incomingRequests","@rel":"acceptNextChat"}}}}}}"#
            ),
        )
    }
}

/// An availability answer.
pub fn availability(state: &str) -> Response<Bytes> {
    json(200, &format!(r#"{{"availability":{{"chat":"{state}"}}}}"#))
}

/// An agent info answer.
pub fn agent_info(state: &str) -> Response<Bytes> {
    json(
        200,
        &format!(
            r#"{{"info":{{"agentName":"Bot","loginName":"bot","id":"42","maxChats":"-1","availability":{{"chat":"{state}"}}}}}}"#
        ),
    )
}

/// A user/password configuration against the test account, with the loops that the
/// tests do not look at pushed far away.
pub fn user_config(t0: Instant) -> AgentConfig {
    let mut cfg = AgentConfig::new(
        BaseUri::new(HOST, ACCOUNT),
        Credentials::User(UserPassword::new("bot", "pa55word")),
        WallClock::new(t0, UNIX0),
    )
    .with_seed(7)
    .with_initial_availability(None);
    cfg.availability_interval = Duration::from_secs(3600);
    cfg.incoming_interval = Duration::from_secs(3600);
    cfg
}

/// Runs a machine through login (L1) and the agent session start (A2), and answers the
/// start-up reads (A9, A10, A6 when asked). Events so far are dropped.
pub fn started(cfg: AgentConfig, t0: Instant) -> Script<AgentMachine> {
    let mut s = started_before_count(cfg, t0);
    if let Some(inc) = s.try_expect("GET", "/agentSession/777/incomingRequests") {
        s.respond(&inc, ringing(0));
    }
    s.take_events();
    s
}

/// Like [`started`], but the first incoming count (A10) is left unanswered.
pub fn started_before_count(cfg: AgentConfig, t0: Instant) -> Script<AgentMachine> {
    let mut s = Script::new(AgentMachine::new(cfg, t0), t0);
    let login = s.expect("POST", "/api/account/1234/login");
    s.respond(&login, login_ok("28800000", "bearer-1"));
    let start = s.expect("POST", "/api/account/1234/agentSession");
    s.respond(&start, session_created());
    if let Some(info) = s.try_expect("GET", "/agentSession/777/info") {
        s.respond(&info, agent_info("Online"));
    }
    if let Some(set) = s.try_expect("PUT", "/agentSession/777/availability") {
        let state = set.json()["availability"]["chat"]
            .as_str()
            .unwrap()
            .to_owned();
        s.respond(&set, availability(&state));
    }
    s.take_events();
    s
}
