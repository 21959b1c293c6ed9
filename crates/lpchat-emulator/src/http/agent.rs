//! Chat Agent API (A2-A31): authentication (bearer or OAuth 1.0 signature), agent
//! sessions, availability, incoming requests, chats.

use super::request::Req;
use super::response;
use crate::app::App;
use crate::auth;
use crate::engine::{ApiError, ChatState, LineInput, State, TransferTarget};
use crate::quirks::{resource, Quirks, Render};
use crate::render::{self, Viewer};
use crate::surveys;
use crate::wire::read::{as_list, get, get_str, scalar_text};
use crate::wire::{Elem, Format};
use axum::http::{header, Method};
use axum::response::Response;
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest allowed distance between an OAuth timestamp and the wall clock, seconds.
const OAUTH_WINDOW_S: u64 = 600;

/// Who is calling. `Debug` does not show the login id (it is the `Session_id` cookie).
#[derive(Clone)]
pub struct Principal {
    /// Agent index.
    pub agent: usize,
    /// Login (`Session_id`) behind the bearer; `None` for signed requests.
    pub login: Option<String>,
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("agent", &self.agent)
            .field("signed", &self.login.is_none())
            .finish()
    }
}

/// Authenticates an agent request: `Authorization: Bearer …` or a signed
/// `Authorization: OAuth …` (RFC 5849 HMAC-SHA1 over method, URL and parameters).
pub fn authenticate(app: &App, st: &mut State, req: &Req) -> Result<Principal, ApiError> {
    let value = req
        .header("authorization")
        .ok_or_else(|| ApiError::unauthorized("Authorization header missing"))?;
    let now = app.now();
    if let Some(params) = auth::parse_header(value) {
        return verify_oauth(st, req, &params, app.scheme)
            .map(|agent| Principal { agent, login: None });
    }
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(ApiError::unauthorized("unsupported Authorization scheme"));
    }
    let (login, agent) = st.bearer_login(now, token.trim())?;
    Ok(Principal {
        agent,
        login: Some(login),
    })
}

fn verify_oauth(
    st: &mut State,
    req: &Req,
    params: &[(String, String)],
    scheme: &str,
) -> Result<usize, ApiError> {
    let p = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let consumer = p("oauth_consumer_key")
        .ok_or_else(|| ApiError::oauth("parameter_absent", "oauth_consumer_key"))?;
    let token =
        p("oauth_token").ok_or_else(|| ApiError::oauth("parameter_absent", "oauth_token"))?;
    let signature = p("oauth_signature")
        .ok_or_else(|| ApiError::oauth("parameter_absent", "oauth_signature"))?;
    if p("oauth_signature_method") != Some("HMAC-SHA1") {
        return Err(ApiError::oauth(
            "signature_method_rejected",
            "only HMAC-SHA1 is supported",
        ));
    }
    let (agent, key) = st
        .world
        .agents
        .iter()
        .enumerate()
        .find_map(|(i, a)| {
            a.api_key
                .as_ref()
                .filter(|k| k.app_key == consumer)
                .map(|k| (i, k.clone()))
        })
        .ok_or_else(|| {
            ApiError::oauth("consumer_key_unknown", "the oauth_consumer_key is unknown")
        })?;
    if key.access_token != token {
        return Err(ApiError::oauth(
            "token_rejected",
            "the oauth_token is unacceptable to the Service Provider",
        ));
    }
    let ts: i64 = p("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| ApiError::oauth("parameter_absent", "oauth_timestamp"))?;
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // abs_diff: `ts` comes from the request and may be any i64.
    if wall.abs_diff(ts) > OAUTH_WINDOW_S {
        return Err(ApiError::oauth(
            "timestamp_refused",
            "the oauth_timestamp is too far from the server time",
        ));
    }
    let host = req.header("host").unwrap_or_default();
    let base = auth::base_string(
        req.wire_method.as_str(),
        // The scheme the client used: a signature covers `https://…` under `--tls`.
        &auth::base_url(scheme, host, &req.raw_path),
        &req.query,
        params,
    );
    let expected = auth::sign(&base, key.secret.expose(), key.access_token_secret.expose());
    if !auth::same(&expected, signature) {
        return Err(ApiError::oauth(
            "signature_invalid",
            "the oauth_signature is invalid",
        ));
    }
    let nonce =
        p("oauth_nonce").ok_or_else(|| ApiError::oauth("parameter_absent", "oauth_nonce"))?;
    if !st.fresh_nonce(format!("{consumer}:{ts}:{nonce}")) {
        return Err(ApiError::oauth(
            "nonce_used",
            "the oauth_nonce has been used",
        ));
    }
    Ok(agent)
}

/// Name of the per-agent-session cookie (suffixed with the session id).
pub const SESSION_COOKIE_PREFIX: &str = "LPAgentSession";

/// What a handler below an agent session needs.
struct Ctx<'a> {
    app: &'a App,
    req: &'a Req,
    quirks: &'a Quirks,
    now: i64,
    agent: usize,
    sbase: String,
}

impl Ctx<'_> {
    fn r(&self, res: &'static str) -> Render<'_> {
        Render {
            resource: res,
            quirks: self.quirks,
        }
    }
    fn ok(&self, code: u16, res: &'static str, e: &Elem) -> Result<Response, ApiError> {
        Ok(response::wire(code, self.req.format, res, self.quirks, e))
    }
    fn chat_viewer(&self, chat: &str) -> Viewer {
        Viewer::Agent {
            chat_base: format!("{}/chat/{chat}", self.sbase),
            session_base: self.sbase.clone(),
        }
    }
    fn from(&self) -> Result<u64, ApiError> {
        parse_from(self.req.q("from"))
    }
}

/// `from` query parameter: absent = 0.
pub fn parse_from(v: Option<&str>) -> Result<u64, ApiError> {
    match v {
        None | Some("") => Ok(0),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid from {s:?}"))),
    }
}

/// Handles everything under `/api/account/{a}/agentSession`.
pub fn handle(app: &App, req: &Req, tail: &[&str]) -> Result<Response, ApiError> {
    let now = app.now();
    let quirks = app.quirks();
    let mut st = app.state();
    let p = authenticate(app, &mut st, req)?;
    let acct_base = app.account_base(&st.world.account);
    let (sid, rest) = match tail {
        [] => return start_session(app, &mut st, req, &quirks, &p, &acct_base),
        [sid, rest @ ..] => (*sid, rest),
    };
    let session = st.session_for(now, sid, p.agent)?.clone();
    if quirks.require_session_cookie && p.login.is_some() {
        let name = format!("{SESSION_COOKIE_PREFIX}{sid}");
        if !req.cookies(&name).contains(&session.cookie) {
            return Err(ApiError::unauthorized(format!(
                "cookie {name} missing or wrong"
            )));
        }
    }
    let cx = Ctx {
        app,
        req,
        quirks: &quirks,
        now,
        agent: p.agent,
        sbase: format!("{acct_base}/agentSession/{sid}"),
    };
    let m = &req.method;
    match rest {
        [] if m == Method::GET => session_resource(&cx, &st),
        [] if m == Method::DELETE => {
            st.end_session(now, sid, "logout");
            Ok(response::empty(200))
        }
        ["availability"] if m == Method::GET => availability(&cx, &st),
        ["availability"] if m == Method::PUT => {
            let body = req.body_root("availability")?;
            let chat = get_str(&body, "chat")
                .ok_or_else(|| ApiError::bad_request("availability.chat is required"))?;
            st.set_availability(now, cx.agent, &chat, get_str(&body, "chatReasonId"))?;
            availability(&cx, &st)
        }
        ["availableAgents"] if m == Method::GET => available_agents(&cx, &st),
        ["chat", "availableSlots"] if m == Method::GET => {
            let n = available_slots(&st, req.q("skill"), req.q("agent"))?;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text(
                    "availableSlots",
                    cx.r(resource::SCALAR).num("availableSlots", n),
                ),
            )
        }
        ["info"] if m == Method::GET => agent_info(&cx, &st),
        ["incomingRequests"] if m == Method::GET => incoming(&cx, &st),
        ["incomingRequests"] if m == Method::POST => {
            req.body_value()?;
            let chat = st.accept_next(now, cx.agent)?;
            let href = format!("{}/chat/{chat}", cx.sbase);
            let e = Elem::new("chatLocation").list("link", vec![Elem::link("location", &href)]);
            Ok(response::with_header(
                cx.ok(201, resource::LOCATION, &e)?,
                header::LOCATION,
                &href,
            ))
        }
        ["chatSessions"] if m == Method::GET => chat_sessions(&cx, &st),
        ["chat"] if m == Method::GET => multi_chat(&cx, &st),
        ["chat", "availableSlots"] => Err(ApiError::method_not_allowed()),
        ["chat", c, more @ ..] => chat_routes(&cx, &mut st, c, more),
        ["visits", "visit", v, more @ ..] if m == Method::GET => visit(&cx, &st, v, more),
        ["participantExtendedInfo", pid] if m == Method::GET => participant(&cx, &st, pid),
        []
        | ["availability" | "availableAgents" | "info" | "incomingRequests" | "chatSessions"
        | "chat"] => Err(ApiError::method_not_allowed()),
        _ => Err(ApiError::not_found(
            12,
            format!("no resource at {}", req.raw_path),
        )),
    }
}

fn start_session(
    app: &App,
    st: &mut State,
    req: &Req,
    quirks: &Quirks,
    p: &Principal,
    acct_base: &str,
) -> Result<Response, ApiError> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed());
    }
    // `{"loginData": ""}`, `{"loginData": {}}`, `{"loginData": {userName, password}}` or no
    // body: all accepted (spec §4.1); a body that does not parse is still a 400.
    req.body_value()?;
    let s = st.start_session(app.now(), p.agent, p.login.clone());
    let href = format!("{acct_base}/agentSession/{}", s.id);
    let e = Elem::new("agentSessionLocation").list("link", vec![Elem::link("location", &href)]);
    let mut r = response::wire(
        201,
        req.format,
        resource::AGENT_SESSION_LOCATION,
        quirks,
        &e,
    );
    r = response::with_header(r, header::LOCATION, &href);
    if p.login.is_some() {
        let path = format!("/api/account/{}/agentSession", st.world.account);
        let cookie = format!(
            "{SESSION_COOKIE_PREFIX}{}={}; Path={path}; HttpOnly",
            s.id, s.cookie
        );
        r = response::with_header(r, header::SET_COOKIE, &cookie);
    }
    Ok(r)
}

fn session_links(cx: &Ctx<'_>) -> Vec<Elem> {
    let b = &cx.sbase;
    vec![
        Elem::link("self", b),
        Elem::link("availability", &format!("{b}/availability")),
        Elem::link("available-agents", &format!("{b}/availableAgents")),
        Elem::link("chat-available-slots", &format!("{b}/chat/availableSlots")),
        Elem::link("info", &format!("{b}/info")),
        Elem::link("incoming-requests", &format!("{b}/incomingRequests")),
        Elem::link("chat-sessions", &format!("{b}/chatSessions")),
    ]
}

fn session_resource(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let mut e = Elem::new("agentSession").list("link", session_links(cx));
    if cx.req.q("cs") == Some("1") {
        e.push(chat_sessions_elem(cx, st, cx.r(resource::AGENT_SESSION)));
    }
    cx.ok(200, resource::AGENT_SESSION, &e)
}

fn availability_elem(st: &State, agent: usize) -> Elem {
    let rt = st.agents.get(agent);
    Elem::new("availability")
        .field(
            "chat",
            rt.map(|r| r.availability.as_str()).unwrap_or("Offline"),
        )
        .field("voice", "Offline")
        .opt_field("chatReasonId", rt.and_then(|r| r.chat_reason_id.clone()))
}

fn availability(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    cx.ok(
        200,
        resource::AVAILABILITY,
        &availability_elem(st, cx.agent),
    )
}

/// Numeric availability codes of A7 (spec §9.2).
fn state_code(availability: &str) -> i64 {
    match availability {
        "Online" => 2,
        "Occupied" => 3,
        "Away" => 4,
        _ => 1,
    }
}

fn available_agents(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let r = cx.r(resource::AVAILABLE_AGENTS);
    let skill = match cx.req.q("skill") {
        Some(name) => Some(
            st.world
                .skill_by_name(name)
                .and_then(|i| st.world.skills.get(i))
                .map(|s| s.id)
                .ok_or_else(|| ApiError::bad_request(format!("unknown skill {name:?}")))?,
        ),
        None => None,
    };
    let state_filter = cx.req.q("chatState");
    if let Some(f) = state_filter {
        if !["Online", "Offline", "Occupied", "Away"].contains(&f) {
            return Err(ApiError::bad_request(format!("invalid chatState {f:?}")));
        }
    }
    let agents = st
        .world
        .agents
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let avail = st
                .agents
                .get(i)
                .map(|r| r.availability.as_str())
                .unwrap_or("Offline");
            if skill.is_some_and(|s| !a.skills.contains(&s))
                || state_filter.is_some_and(|f| f != avail)
            {
                return None;
            }
            let skills = a
                .skills
                .iter()
                .map(|s| Elem::text("skill", r.num("skill", *s)))
                .collect();
            let chats = st.agent_chats(i) as i64;
            // The order of the current JSON example (A7); the 2017 XML example orders
            // differently, and one tree writes both formats (docs/wire-choices.md).
            let mut e = Elem::new("agent")
                .attr("chatState", r.num_attr("chatState", state_code(avail)))
                .attr("id", r.num_attr("id", a.id))
                .attr("maxChats", r.num_attr("maxChats", a.max_chats))
                .attr("voiceState", r.num_attr("voiceState", 1))
                .field("email", a.email.as_str())
                .field("nickname", a.nickname.as_str())
                .field("privilegeGroup", a.privilege_group.as_str())
                .child(Elem::new("skills").list("skill", skills))
                .field("userName", a.login_name.as_str());
            if chats > 0 {
                e = e.field("chats", r.num("chats", chats));
            }
            Some(e)
        })
        .collect();
    let next = format!("{}/availableAgents?timeStamp={}", cx.sbase, cx.now);
    let e = Elem::new("availableAgents")
        .child(Elem::new("agents").list("agent", agents))
        .list("link", vec![Elem::link("next", &next)]);
    cx.ok(200, resource::AVAILABLE_AGENTS, &e)
}

/// Free slots for a skill or one agent (A8, V3): -1 when an eligible Online agent is unlimited.
pub fn available_slots(
    st: &State,
    skill: Option<&str>,
    agent: Option<&str>,
) -> Result<i64, ApiError> {
    if skill.is_some() && agent.is_some() {
        return Err(ApiError::bad_request("skill and agent cannot be combined"));
    }
    let skill_id = match skill {
        Some(name) => Some(
            st.world
                .skill_by_name(name)
                .and_then(|i| st.world.skills.get(i))
                .map(|s| s.id)
                .ok_or_else(|| ApiError::bad_request(format!("unknown skill {name:?}")))?,
        ),
        None => None,
    };
    let only = match agent {
        Some(name) => Some(
            st.world
                .agent_by_login(name)
                .ok_or_else(|| ApiError::bad_request(format!("unknown agent {name:?}")))?,
        ),
        None => None,
    };
    let mut total = 0;
    for (i, a) in st.world.agents.iter().enumerate() {
        let online =
            st.agent_logged_in(i) && st.agents.get(i).is_some_and(|r| r.availability == "Online");
        if !online
            || only.is_some_and(|o| o != i)
            || skill_id.is_some_and(|s| !a.skills.contains(&s))
        {
            continue;
        }
        if a.max_chats < 0 {
            return Ok(-1);
        }
        total += (a.max_chats - st.agent_load(i)).max(0);
    }
    Ok(total)
}

fn agent_info(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let r = cx.r(resource::AGENT_INFO);
    let a = st
        .world
        .agents
        .get(cx.agent)
        .ok_or_else(|| ApiError::not_found(12, "agent not found"))?;
    let skills = a
        .skills
        .iter()
        .filter_map(|id| {
            st.world
                .skill_by_id(*id)
                .and_then(|i| st.world.skills.get(i))
        })
        .map(|s| {
            Elem::new("skillInfo")
                .field("id", r.num("id", s.id))
                .field("name", s.name.as_str())
        })
        .collect();
    let e = Elem::new("info")
        .list(
            "link",
            vec![Elem::link("self", &format!("{}/info", cx.sbase))],
        )
        .field("agentName", a.nickname.as_str())
        .field(
            "displayName",
            a.display_name.clone().unwrap_or_else(|| a.nickname.clone()),
        )
        .field("loginName", a.login_name.as_str())
        .field("id", r.num("id", a.id))
        .field("maxChats", r.num("maxChats", a.max_chats))
        .child(availability_elem(st, cx.agent))
        .child(Elem::new("skillsInfo").list("skillInfo", skills));
    cx.ok(200, resource::AGENT_INFO, &e)
}

fn incoming(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let r = cx.r(resource::INCOMING_REQUESTS);
    let ringing = st
        .chats
        .values()
        .filter(|c| c.ringing.is_some_and(|x| x.agent == cx.agent))
        .count() as i64;
    let mut e = Elem::new("incomingRequests").field("ringingCount", r.num("ringingCount", ringing));
    if ringing > 0 {
        e = e.list(
            "link",
            vec![Elem::link(
                "acceptNextChat",
                &format!("{}/incomingRequests", cx.sbase),
            )],
        );
    }
    cx.ok(200, resource::INCOMING_REQUESTS, &e)
}

fn chat_sessions_elem(cx: &Ctx<'_>, st: &State, r: Render<'_>) -> Elem {
    let items = st
        .chat_order
        .iter()
        .filter_map(|id| st.chats.get(id))
        .filter(|c| c.agent == Some(cx.agent) && c.state == ChatState::Chatting)
        .map(|c| {
            Elem::new("chatSession")
                .list(
                    "link",
                    vec![Elem::link(
                        "chat-session",
                        &format!("{}/chat/{}", cx.sbase, c.id),
                    )],
                )
                .field("chatSessionKey", c.id.as_str())
                .field("startTime", r.num("startTime", c.start_ms))
        })
        .collect();
    Elem::new("chatSessions").list("chatSession", items)
}

fn chat_sessions(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    cx.ok(
        200,
        resource::CHAT_SESSIONS,
        &chat_sessions_elem(cx, st, cx.r(resource::CHAT_SESSIONS)),
    )
}

/// A13: `?chatSessionKeys=K1,K2&fromEventIds=E1,E2` (positional; missing ids = 0).
/// Keys of chats this agent cannot read are skipped.
fn multi_chat(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let split = |k: &str| -> Vec<String> {
        cx.req
            .query
            .iter()
            .filter(|(n, _)| n == k)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    let keys = split("chatSessionKeys");
    if keys.is_empty() {
        return Err(ApiError::bad_request("chatSessionKeys is required"));
    }
    let froms = split("fromEventIds");
    let r = cx.r(resource::CHATS);
    let mut chats = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let from = parse_from(froms.get(i).map(String::as_str))?;
        if let Ok(chat) = st.agent_chat(cx.agent, key) {
            chats.push(render::chat(
                r,
                st,
                chat,
                &cx.chat_viewer(key),
                from,
                cx.req.repeat_below,
                cx.app.tz,
            ));
        }
    }
    cx.ok(
        200,
        resource::CHATS,
        &Elem::new("chats").list("chat", chats),
    )
}

fn line_input(ev: &serde_json::Value) -> LineInput {
    LineInput {
        text: get_str(ev, "text").unwrap_or_default(),
        text_type: get_str(ev, "textType"),
        sub_type: get_str(ev, "subType"),
        json: get(ev, "json").cloned(),
    }
}

/// What a posted `event` body asks for.
pub enum Posted {
    /// A line.
    Line(LineInput),
    /// `state` = `ended`.
    End,
}

/// Reads a posted `event` (A16/A17/V12): `line` or `state ended`, one event per request.
pub fn posted_event(req: &Req) -> Result<Posted, ApiError> {
    let ev = req.body_root("event")?;
    match get_str(&ev, "type").as_deref() {
        Some("line") => Ok(Posted::Line(line_input(&ev))),
        Some("state") => match get_str(&ev, "state").as_deref() {
            Some("ended") => Ok(Posted::End),
            other => Err(ApiError::bad_request(format!(
                "unsupported state {other:?}; only ended may be posted"
            ))),
        },
        other => Err(ApiError::bad_request(format!(
            "unsupported event type {other:?}"
        ))),
    }
}

fn typing_value(req: &Req, root: &str) -> Result<bool, ApiError> {
    let v = req.body_root(root)?;
    match scalar_text(&v).as_deref() {
        Some("typing") => Ok(true),
        Some("not-typing") => Ok(false),
        other => Err(ApiError::bad_request(format!(
            "invalid {root} {other:?}; expected typing or not-typing"
        ))),
    }
}

fn typing_elem(name: &'static str, t: bool) -> Elem {
    Elem::text(name, if t { "typing" } else { "not-typing" })
}

fn chat_routes(cx: &Ctx<'_>, st: &mut State, c: &str, more: &[&str]) -> Result<Response, ApiError> {
    let m = &cx.req.method;
    let viewer = cx.chat_viewer(c);
    let tz = cx.app.tz;
    let now = cx.now;
    st.agent_chat(cx.agent, c)?;
    match more {
        [] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            let e = render::chat(
                cx.r(resource::CHAT),
                st,
                chat,
                &viewer,
                cx.from()?,
                cx.req.repeat_below,
                tz,
            );
            cx.ok(200, resource::CHAT, &e)
        }
        ["events"] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            let e = render::events(
                cx.r(resource::EVENTS),
                chat,
                &viewer,
                cx.from()?,
                cx.req.repeat_below,
                tz,
            );
            cx.ok(200, resource::EVENTS, &e)
        }
        ["events"] if m == Method::POST => {
            let (root, id) = match posted_event(cx.req)? {
                Posted::Line(line) => ("chatEventLocation", st.agent_line(now, cx.agent, c, line)?),
                Posted::End => ("chatLocation", st.agent_end(now, cx.agent, c)?),
            };
            let href = format!("{}/chat/{c}/events/{id}", cx.sbase);
            let e = Elem::new(root).list("link", vec![Elem::link("location", &href)]);
            Ok(response::with_header(
                cx.ok(201, resource::LOCATION, &e)?,
                header::LOCATION,
                &href,
            ))
        }
        ["events", id] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            let ev = id
                .parse::<usize>()
                .ok()
                .and_then(|i| chat.events.get(i))
                .ok_or_else(|| ApiError::not_found(12, format!("event {id} not found")))?;
            cx.ok(
                200,
                resource::EVENTS,
                &render::event(cx.r(resource::EVENTS), ev, tz),
            )
        }
        ["info"] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            cx.ok(
                200,
                resource::CHAT_INFO,
                &render::info(cx.r(resource::CHAT_INFO), st, chat, &viewer, tz),
            )
        }
        ["info", "visitorName"] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text("visitorName", chat.visitor_name_or("visitor")),
            )
        }
        ["info", "visitorTyping"] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            cx.ok(
                200,
                resource::SCALAR,
                &typing_elem("visitorTyping", chat.visitor_typing),
            )
        }
        ["info", "agentTyping"] if m == Method::GET => {
            let chat = st.agent_chat(cx.agent, c)?;
            cx.ok(
                200,
                resource::SCALAR,
                &typing_elem("agentTyping", chat.agent_typing),
            )
        }
        ["info", "agentTyping"] if m == Method::PUT => {
            let t = typing_value(cx.req, "agentTyping")?;
            let chat = st.agent_active_chat(cx.agent, c)?;
            chat.agent_typing = t;
            chat.last_update_ms = now;
            cx.ok(200, resource::SCALAR, &typing_elem("agentTyping", t))
        }
        ["transfer"] if m == Method::GET => {
            let r = cx.r(resource::TRANSFER);
            let chat = st.agent_chat(cx.agent, c)?;
            let skills = st
                .transfer_skills(chat)
                .into_iter()
                .filter_map(|(i, n)| st.world.skills.get(i).map(|s| (s, n)))
                .map(|(s, n)| {
                    Elem::new("skill")
                        .field("id", r.num("id", s.id))
                        .field("name", s.name.as_str())
                        .field("onlineAgents", r.num("onlineAgents", n as i64))
                })
                .collect();
            cx.ok(
                200,
                resource::TRANSFER,
                &Elem::new("transfer").list("skill", skills),
            )
        }
        ["transfer"] if m == Method::POST => {
            let body = cx.req.body_root("transfer")?;
            let first_id = |k: &str| {
                as_list(get(&body, k))
                    .first()
                    .and_then(|v| get_str(v, "id"))
                    .map(|s| {
                        s.parse::<i64>()
                            .map_err(|_| ApiError::bad_request(format!("invalid {k} id {s:?}")))
                    })
            };
            let target = match (first_id("agent"), first_id("skill")) {
                (Some(a), _) => TransferTarget::Agent(a?),
                (None, Some(s)) => TransferTarget::Skill(s?),
                (None, None) => {
                    return Err(ApiError::bad_request("transfer needs a skill or an agent"))
                }
            };
            st.transfer(now, cx.agent, c, target, get_str(&body, "text"))?;
            Ok(response::empty(200))
        }
        ["transferAccount"] if m == Method::GET => {
            let e = Elem::new("transferAccount").list(
                "link",
                vec![Elem::link(
                    "self",
                    &format!("{}/chat/{c}/transferAccount", cx.sbase),
                )],
            );
            cx.ok(200, resource::VISIT, &e)
        }
        ["transferAccount"] if m == Method::POST => Err(ApiError::bad_request(
            "account-to-account transfer is not enabled for this account",
        )),
        ["survey"] if m == Method::GET => {
            let s = surveys::survey(surveys::Kind::Agent);
            cx.ok(
                200,
                resource::SURVEY,
                &surveys::render(cx.r(resource::SURVEY), &s),
            )
        }
        ["survey"] if m == Method::PUT => {
            let body = cx.req.body_root("survey")?;
            surveys::check(&surveys::survey(surveys::Kind::Agent), &body)?;
            st.chat_mut(c)?
                .surveys
                .push(serde_json::json!({"agentSurvey": body}));
            Ok(response::empty(200))
        }
        ["collaborationChannels"] if m == Method::GET => {
            let e = Elem::new("collaborationChannels").list(
                "link",
                vec![Elem::link(
                    "self",
                    &format!("{}/chat/{c}/collaborationChannels", cx.sbase),
                )],
            );
            cx.ok(200, resource::VISIT, &e)
        }
        []
        | ["events" | "info" | "transfer" | "transferAccount" | "survey" | "collaborationChannels"]
        | ["events", _]
        | ["info", "visitorName" | "visitorTyping" | "agentTyping"] => {
            Err(ApiError::method_not_allowed())
        }
        _ => Err(ApiError::not_found(
            12,
            format!("no resource at {}", cx.req.raw_path),
        )),
    }
}

/// Custom variables as a wire list.
pub fn custom_variables_elem(vars: &[(String, String)]) -> Elem {
    let items = vars.iter().map(|(n, v)| {
        Elem::new("customVariable")
            .field("name", n.as_str())
            .field("value", v.as_str())
    });
    Elem::new("customVariables").list("customVariable", items.collect())
}

/// A28/A29: the visit of a chat the agent can read.
fn visit(cx: &Ctx<'_>, st: &State, visit_id: &str, more: &[&str]) -> Result<Response, ApiError> {
    let chat = st
        .chats
        .values()
        .find(|c| c.visit_id == visit_id && st.agent_can_read(cx.agent, c))
        .ok_or_else(|| ApiError::not_found(12, format!("visit {visit_id} not found")))?;
    let base = format!("{}/visits/visit/{visit_id}", cx.sbase);
    match more {
        [] => {
            let pages = chat
                .pages
                .iter()
                .map(|p| Elem::new("page").field("url", p.as_str()))
                .collect();
            let e = Elem::new("visit")
                .list(
                    "link",
                    vec![
                        Elem::link("self", &base),
                        Elem::link("custom-variables", &format!("{base}/customVariables")),
                    ],
                )
                .field("id", visit_id)
                .field("startTime", crate::clock::iso(chat.start_ms, cx.app.tz))
                .child(Elem::new("pages").list("page", pages))
                .child(custom_variables_elem(&chat.custom_variables));
            cx.ok(200, resource::VISIT, &e)
        }
        ["customVariables"] => cx.ok(
            200,
            resource::VISIT,
            &custom_variables_elem(&chat.custom_variables),
        ),
        _ => Err(ApiError::not_found(
            12,
            format!("no resource at {}", cx.req.raw_path),
        )),
    }
}

/// A31: plain JSON with real numbers and booleans; XML wraps both parts in one root.
fn participant(cx: &Ctx<'_>, st: &State, pid: &str) -> Result<Response, ApiError> {
    let chat = st
        .chats
        .values()
        .find(|c| c.participant_id.as_deref() == Some(pid) && st.agent_can_read(cx.agent, c))
        .ok_or_else(|| ApiError::not_found(37, format!("participant {pid} not found")))?;
    let name = chat.visitor_name_or("Visitor").to_owned();
    match cx.req.format {
        Format::Json => {
            use crate::wire::json::{obj, Ordered};
            // Keys in the order of the documented example (A31).
            let contact = obj([
                ("email", "visitor@example.com".into()),
                ("phone", "".into()),
            ]);
            let body = obj([
                (
                    "authenticatedParticipantInfo",
                    obj([
                        ("isUserAuthenticated", true.into()),
                        ("participantId", pid.into()),
                        ("customerId", chat.visitor_id.into()),
                    ]),
                ),
                (
                    "authenticatedPersonalInfo",
                    obj([
                        ("name", name.clone().into()),
                        ("surname", "".into()),
                        ("contacts", Ordered::Arr(vec![contact])),
                    ]),
                ),
            ]);
            Ok(response::ordered_json(200, &body))
        }
        Format::Xml => {
            let info = Elem::new("authenticatedParticipantInfo")
                .field("isUserAuthenticated", "true")
                .field("participantId", pid)
                .field("customerId", chat.visitor_id.to_string());
            let contact = Elem::new("contact")
                .field("email", "visitor@example.com")
                .field("phone", "");
            let personal = Elem::new("authenticatedPersonalInfo")
                .field("name", name)
                .field("surname", "")
                .child(Elem::new("contacts").list("contact", vec![contact]));
            cx.ok(
                200,
                resource::VISIT,
                &Elem::new("participantExtendedInfo")
                    .child(info)
                    .child(personal),
            )
        }
    }
}
