//! The agent session machine under arbitrary responses, failures, commands and time steps:
//! it never panics, always comes back to a `Timeout` (no output loop), never asks to be woken
//! in the past, and never yields a `(chat, event id)` it already yielded — per chat, event
//! ids only go up.
//!
//! The input is a script read byte by byte: each step answers a request in flight (status,
//! `Retry-After`, `Set-Cookie`, `Location`, `Date`, and a body that is either fixture-like
//! JSON for the request's endpoint with ids taken from the input, or raw input bytes), fails
//! one, drops one (its answer never comes, or comes after the machine's deadline handled it
//! as a timeout), runs a user command, or moves time forward.
#![no_main]

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use libfuzzer_sys::fuzz_target;
use lpchat_proto::auth::{ApiKey, Credentials, ExistingBearer, UserPassword};
use lpchat_proto::machine::{
    AgentConfig, AgentMachine, FailureKind, ForcedAwayPolicy, Machine, MachineEvent, Output,
    RequestId, WallClock,
};
use lpchat_proto::model::{AgentState, ChatId, NewEvent, TransferRequest};
use lpchat_proto::ops::BaseUri;

const SESSION: &str = "https://h.example/api/account/1/agentSession/9";
const CHATS: [&str; 4] = ["A", "B", "H1-2K3", "odd,id"];
const MAX_STEPS: usize = 400;
const MAX_OUTPUTS: usize = 10_000;

/// Reads the script.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from(self.byte()?) << 8 | u16::from(self.byte()?))
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        let b = self.byte()?;
        items.get(usize::from(b) % items.len()).copied()
    }
}

/// What the checks remember.
#[derive(Default)]
struct Seen {
    pairs: HashSet<(String, u64)>,
    last: BTreeMap<String, u64>,
}

impl Seen {
    fn event(&mut self, event: &MachineEvent) {
        if let MachineEvent::ChatEvent { chat, event } = event {
            let key = (chat.to_string(), event.id.0);
            assert!(self.pairs.insert(key), "event {chat} #{} yielded twice", event.id);
            if let Some(last) = self.last.get(chat.as_str()) {
                assert!(event.id.0 > *last, "event ids of {chat} went down");
            }
            self.last.insert(chat.to_string(), event.id.0);
        }
    }
}

struct Run {
    m: AgentMachine,
    now: Instant,
    outstanding: Vec<(RequestId, Request<Bytes>)>,
    settled: Vec<RequestId>,
    seen: Seen,
}

impl Run {
    fn drain(&mut self) {
        for _ in 0..MAX_OUTPUTS {
            match self.m.poll_output(self.now) {
                Output::Send { id, request } => self.outstanding.push((id, request)),
                Output::Event(e) => self.seen.event(&e),
                Output::Timeout(at) => {
                    assert!(at >= self.now, "a timeout in the past");
                    return;
                }
            }
        }
        panic!("no Timeout after {MAX_OUTPUTS} outputs");
    }
}

fn config(input: &mut Input<'_>, t0: Instant) -> AgentConfig {
    let seed = u64::from(input.u16().unwrap_or(0));
    let credentials = match input.byte().unwrap_or(0) % 3 {
        0 => Credentials::User(UserPassword::new("bot", "pw")),
        1 => Credentials::Bearer(ExistingBearer::new("bearer")),
        _ => Credentials::ApiKey {
            username: "bot".into(),
            key: ApiKey::new("k", "s", "t", "ts"),
        },
    };
    let mut cfg = AgentConfig::new(
        BaseUri::new("h.example", "1"),
        credentials,
        WallClock::new(t0, 1_700_000_000),
    )
    .with_seed(seed)
    .with_auto_accept(input.byte().unwrap_or(0) % 2 == 0);
    let resume = input.byte().unwrap_or(0);
    if resume % 2 == 1 {
        let token = format!("lpc1.A~{}.B~", resume / 2);
        if let Ok(c) = cfg.clone().resume_from(&token) {
            cfg = c;
        }
    }
    cfg
}

fn event_json(id: u64, kind: u8, plain: bool) -> String {
    let (i, t) = if plain { ("id", "type") } else { ("@id", "@type") };
    match kind % 4 {
        0 => format!(r#"{{"{i}":{id},"{t}":"state","state":"chatting"}}"#),
        1 => format!(r#"{{"{i}":"{id}","{t}":"state","state":"ended"}}"#),
        2 => format!(r#"{{"{i}":{id},"{t}":"line","text":"hello","source":"agent","by":"Bot"}}"#),
        _ => format!(r#"{{"{i}":"{id}","{t}":"line","text":"x{id}","source":"visitor"}}"#),
    }
}

fn events_json(input: &mut Input<'_>, plain: bool) -> String {
    let n = input.byte().unwrap_or(0) % 6;
    let events: Vec<String> = (0..n)
        .map(|_| {
            let id = u64::from(input.byte().unwrap_or(0) % 16);
            event_json(id, input.byte().unwrap_or(0), plain)
        })
        .collect();
    if events.len() == 1 && input.byte().unwrap_or(0) % 2 == 0 {
        events.join("")
    } else {
        format!("[{}]", events.join(","))
    }
}

/// A body shaped like the documented answer of the request's endpoint.
fn fixture_like(input: &mut Input<'_>, request: &Request<Bytes>) -> String {
    let path = request.uri().path();
    let chat = CHATS[usize::from(input.byte().unwrap_or(0)) % CHATS.len()];
    if path.ends_with("/login") {
        let ttl = input.u16().unwrap_or(0);
        return format!(r#"{{"csrf":"c","bearer":"b{ttl}","sessionTTl":"{ttl}"}}"#);
    }
    if path.ends_with("/agentSession") {
        return format!(
            r#"{{"agentSessionLocation":{{"link":{{"@href":"{SESSION}","@rel":"location"}}}}}}"#
        );
    }
    if path.ends_with("/incomingRequests") && request.method() == http::Method::GET {
        let n = input.byte().unwrap_or(0) % 3;
        return format!(
            r#"{{"incomingRequests":{{"ringingCount":"{n}","link":{{"@href":"{SESSION}/incomingRequests","@rel":"acceptNextChat"}}}}}}"#
        );
    }
    if path.ends_with("/incomingRequests") {
        return format!(
            r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/{chat}","@rel":"location"}}}}}}"#
        );
    }
    if path.ends_with("/availability") {
        let state = ["Online", "Away", "Occupied", "4"][usize::from(input.byte().unwrap_or(0)) % 4];
        return format!(r#"{{"availability":{{"chat":"{state}"}}}}"#);
    }
    if path.ends_with("/info") {
        return r#"{"info":{"agentName":"Bot","availability":{"chat":"Away"}}}"#.into();
    }
    if path.ends_with("/chatSessions") {
        return format!(
            r#"{{"chatSessions":{{"chatSession":[{{"chatSessionKey":"{chat}","startTime":1}}]}}}}"#
        );
    }
    if path.ends_with("/chat") {
        let n = input.byte().unwrap_or(0) % 4;
        let chats: Vec<String> = (0..n)
            .map(|_| {
                let c = CHATS[usize::from(input.byte().unwrap_or(0)) % CHATS.len()];
                let state = if input.byte().unwrap_or(0) % 5 == 0 { "ended" } else { "chatting" };
                format!(
                    r#"{{"info":{{"chatSessionKey":"{c}","state":"{state}"}},"events":{{"event":{}}}}}"#,
                    events_json(input, true)
                )
            })
            .collect();
        return format!(r#"{{"chats":{{"chat":[{}]}}}}"#, chats.join(","));
    }
    if path.ends_with("/events") && request.method() == http::Method::GET {
        return format!(r#"{{"events":{{"event":{}}}}}"#, events_json(input, false));
    }
    if path.ends_with("/events") {
        let id = input.byte().unwrap_or(0) % 16;
        let root = if input.byte().unwrap_or(0) % 2 == 0 { "chatEventLocation" } else { "chatLocation" };
        return format!(
            r#"{{"{root}":{{"link":{{"@href":"{SESSION}/chat/{chat}/events/{id}","@rel":"location"}}}}}}"#
        );
    }
    String::new()
}

fn response(input: &mut Input<'_>, request: &Request<Bytes>) -> Response<Bytes> {
    let statuses = [200u16, 200, 200, 201, 204, 400, 401, 404, 429, 500, 503];
    let status = match input.byte().unwrap_or(0) {
        b if b < 240 => statuses[usize::from(b) % statuses.len()],
        _ => 100 + input.u16().unwrap_or(0) % 500,
    };
    let mut builder = Response::builder().status(status);
    let flags = input.byte().unwrap_or(0);
    if flags & 1 != 0 {
        let v = match input.byte().unwrap_or(0) % 4 {
            0 => input.byte().unwrap_or(0).to_string(),
            1 => "Sun, 06 Nov 1994 08:49:37 GMT".to_owned(),
            2 => "99999999999999999999".to_owned(),
            _ => "soon".to_owned(),
        };
        builder = builder.header("retry-after", v);
    }
    if flags & 2 != 0 {
        let v = match input.byte().unwrap_or(0) % 3 {
            0 => "Session_id=abc; Path=/",
            1 => "Session_id=; Max-Age=0",
            _ => "garbage",
        };
        builder = builder.header("set-cookie", v);
    }
    if flags & 4 != 0 {
        let v = match input.byte().unwrap_or(0) % 3 {
            0 => format!("{SESSION}/chat/B"),
            1 => "/relative/x".to_owned(),
            _ => "::".to_owned(),
        };
        builder = builder.header("location", v);
    }
    if flags & 8 != 0 {
        builder = builder.header("date", "Tue, 14 Nov 2023 22:13:20 GMT");
    }
    if flags & 16 != 0 {
        builder = builder.header("content-type", "application/json");
    }
    let body = if flags & 32 != 0 {
        let n = usize::from(input.byte().unwrap_or(0));
        Bytes::copy_from_slice(input.bytes(n))
    } else {
        Bytes::from(fixture_like(input, request))
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Bytes::new()))
}

fn command(run: &mut Run, input: &mut Input<'_>) {
    let chat = ChatId::from(CHATS[usize::from(input.byte().unwrap_or(0)) % CHATS.len()]);
    match input.byte().unwrap_or(0) % 9 {
        0 | 1 => {
            run.m.send_line(&chat, NewEvent::plain("hello"));
        }
        2 => {
            run.m.end_chat(&chat);
        }
        3 => run.m.accept_next(),
        4 => run.m.set_availability(AgentState::Online),
        5 => run.m.set_availability(AgentState::Away),
        6 => {
            run.m.transfer(&chat, TransferRequest::to_skill("2"));
        }
        7 => run.m.set_forced_away_policy(ForcedAwayPolicy::Adopt),
        _ => run.m.close(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input { data };
    let t0 = Instant::now();
    let cfg = config(&mut input, t0);
    let mut run = Run {
        m: AgentMachine::new(cfg, t0),
        now: t0,
        outstanding: Vec::new(),
        settled: Vec::new(),
        seen: Seen::default(),
    };
    run.drain();
    for _ in 0..MAX_STEPS {
        let Some(op) = input.byte() else { break };
        match op % 8 {
            0..=3 if !run.outstanding.is_empty() => {
                let i = usize::from(input.byte().unwrap_or(0)) % run.outstanding.len();
                let (id, request) = run.outstanding.swap_remove(i);
                run.settled.push(id);
                let response = response(&mut input, &request);
                run.m.handle_response(id, response, run.now);
            }
            4 if !run.outstanding.is_empty() => {
                let i = usize::from(input.byte().unwrap_or(0)) % run.outstanding.len();
                let (id, _) = run.outstanding.swap_remove(i);
                run.settled.push(id);
                let kinds = [
                    FailureKind::ConnectFailed,
                    FailureKind::Timeout,
                    FailureKind::ConnectionDropped,
                    FailureKind::BodyTruncated,
                ];
                let kind = input.pick(&kinds).unwrap_or(FailureKind::Timeout);
                run.m.handle_failure(id, kind, run.now);
            }
            5 => command(&mut run, &mut input),
            6 if !run.outstanding.is_empty() => {
                // Never answered by the driver: the machine's deadline must settle it. A
                // late answer may still come (the replay below).
                let i = usize::from(input.byte().unwrap_or(0)) % run.outstanding.len();
                let (id, _) = run.outstanding.swap_remove(i);
                run.settled.push(id);
            }
            _ => {
                let step = u64::from(input.u16().unwrap_or(0)) * 10;
                run.now += Duration::from_millis(step);
            }
        }
        run.drain();
        // A result for a request already settled is ignored.
        if op % 16 == 15 {
            if let Some(id) = run.settled.first().copied() {
                run.m.handle_response(id, Response::new(Bytes::new()), run.now);
                run.drain();
            }
        }
    }
    let _ = format!("{:?}", run.m);
});
