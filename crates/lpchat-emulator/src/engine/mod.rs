//! The emulated service's state and the operations on it (spec §11), free of HTTP.
//!
//! HTTP handlers and scripted visitors both call these operations under one lock, so a
//! chat looks the same whichever side drives it. All times are emulated milliseconds
//! from [`crate::clock::Clock`].

mod agents;
mod chats;
mod routing;

pub use chats::{ChatRequest, LineInput, TransferTarget};

use crate::config::EmulatorConfig;
use crate::ids::IdGen;
use crate::world::World;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// An error with the HTTP status and the internal code of the error envelope (spec §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `internalCode` of the envelope (Visit Information API codes as template, spec §10).
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// A `text/plain` body replacing the envelope (OAuth problem strings, spec §4.1).
    pub plain: Option<String>,
}

impl ApiError {
    /// 400 with internal code 33.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, 33, message)
    }
    /// 401 with internal code 10.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(401, 10, message)
    }
    /// 403 with internal code 10.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(403, 10, message)
    }
    /// 404 with the given internal code.
    pub fn not_found(code: i64, message: impl Into<String>) -> Self {
        ApiError::new(404, code, message)
    }
    /// 405 for a method the resource does not support.
    pub fn method_not_allowed() -> Self {
        ApiError::new(405, 33, "method not allowed on this resource")
    }
    /// Any status and internal code.
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            plain: None,
        }
    }
    /// A 401 OAuth problem (`oauth_problem=…&oauth_problem_advice=…`, spec §4.1).
    pub fn oauth(problem: &str, advice: &str) -> Self {
        let mut e = ApiError::unauthorized(format!("OAuth: {problem}"));
        e.plain = Some(format!(
            "oauth_problem={problem}&oauth_problem_advice={advice}"
        ));
        e
    }
}

/// Chat state (spec §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatState {
    /// Queued or ringing.
    Waiting,
    /// Accepted by an agent.
    Chatting,
    /// Ended by either side or by a timeout.
    Ended,
}

impl ChatState {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Waiting => "waiting",
            ChatState::Chatting => "chatting",
            ChatState::Ended => "ended",
        }
    }
}

/// Who wrote a line (spec §9.4 `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The service.
    System,
    /// An agent.
    Agent,
    /// The visitor.
    Visitor,
}

impl Source {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::System => "system",
            Source::Agent => "agent",
            Source::Visitor => "visitor",
        }
    }
}

/// A `line` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// Text (may be empty for rich content).
    pub text: String,
    /// `plain`, `html` or `rich-content`.
    pub text_type: String,
    /// `info` for system lines, the agent nickname, or the visitor's name.
    pub by: String,
    /// Author.
    pub source: Source,
    /// System message id (spec §9.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_message_id: Option<i64>,
    /// `REGULAR` or `ONLY_TO_REP`.
    pub sub_type: String,
    /// Structured content of a `rich-content` line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
}

impl Line {
    /// Whether the visitor may see this line.
    pub fn visible_to_visitor(&self) -> bool {
        self.sub_type != "ONLY_TO_REP"
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventKind {
    /// `state` event.
    State {
        /// New state.
        state: ChatState,
    },
    /// `line` event.
    Line(Line),
}

/// One chat event; ids start at 0 per chat and increase by one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Event id.
    pub id: u64,
    /// Emulated time, ms since the epoch.
    pub time_ms: i64,
    /// Content.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// Whether the visitor may see this event (agent-only notes are hidden).
    pub fn visible_to_visitor(&self) -> bool {
        match &self.kind {
            EventKind::Line(l) => l.visible_to_visitor(),
            EventKind::State { .. } => true,
        }
    }
}

/// A chat offered to an agent and not yet accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    /// Agent index.
    pub agent: usize,
    /// When it started ringing.
    pub since_ms: i64,
    /// When the agent is set Away and the chat requeued.
    pub deadline_ms: i64,
}

/// One chat.
#[derive(Debug, Clone)]
pub struct Chat {
    /// Chat id = chat session key.
    pub id: String,
    /// Visit id (`H…K…`).
    pub visit_id: String,
    /// Skill index, if routed by skill.
    pub skill: Option<usize>,
    /// Agent index, if routed (or transferred) to one agent.
    pub target_agent: Option<usize>,
    /// Set by a transfer: Occupied agents may take it (spec §9.2).
    pub transferred: bool,
    /// Agents not to offer it to (the transferring agent).
    pub excluded: Vec<usize>,
    /// State.
    pub state: ChatState,
    /// Agent index of the accepting agent.
    pub agent: Option<usize>,
    /// Agents that ever had the chat (they keep read access).
    pub past_agents: Vec<usize>,
    /// Current offer.
    pub ringing: Option<Ring>,
    /// Queue position: when it (re)entered the queue.
    pub queued_ms: i64,
    /// Events in order.
    pub events: Vec<Event>,
    /// Name set by the visitor (V14).
    pub visitor_name: Option<String>,
    /// Agent typing.
    pub agent_typing: bool,
    /// Visitor typing.
    pub visitor_typing: bool,
    /// Start time.
    pub start_ms: i64,
    /// Time of the last event or info change.
    pub last_update_ms: i64,
    /// Time of the last visitor call (idle timeout base).
    pub last_visitor_ms: i64,
    /// Visitor idle limit, seconds.
    pub chat_timeout_s: u64,
    /// `visitorId`.
    pub visitor_id: i64,
    /// `rtSessionId`.
    pub rt_session_id: i64,
    /// `sharkVisitorId` (request `LETagVisitorId`).
    pub shark_visitor_id: String,
    /// `sharkSessionId` (request `LETagSessionId`).
    pub shark_session_id: String,
    /// `sharkContextId` (request `LETagContextId`).
    pub shark_context_id: String,
    /// `engagementId`.
    pub engagement_id: i64,
    /// `campaignId`.
    pub campaign_id: i64,
    /// `language`.
    pub language: String,
    /// SSO participant id (V9 flow).
    pub participant_id: Option<String>,
    /// Custom variables (V8, V19), last value wins.
    pub custom_variables: Vec<(String, String)>,
    /// Transcript e-mail requests (V18).
    pub transcript_emails: Vec<String>,
    /// Submitted surveys (pre-chat, exit, agent) as received.
    pub surveys: Vec<serde_json::Value>,
    /// Pages of the visit (A28), from `chatReferrer`.
    pub pages: Vec<String>,
}

impl Chat {
    /// Id the next event gets; also the `from` of `next` links.
    pub fn next_id(&self) -> u64 {
        self.events.len() as u64
    }

    /// Appends an event and returns its id.
    pub fn push(&mut self, now: i64, kind: EventKind) -> u64 {
        let id = self.next_id();
        self.events.push(Event {
            id,
            time_ms: now,
            kind,
        });
        self.last_update_ms = now;
        id
    }

    /// Appends a system line with a documented system message id.
    pub fn system_line(&mut self, now: i64, id: i64, text: String) -> u64 {
        self.push(
            now,
            EventKind::Line(Line {
                text,
                text_type: "plain".into(),
                by: "info".into(),
                source: Source::System,
                system_message_id: Some(id),
                sub_type: "REGULAR".into(),
                json: None,
            }),
        )
    }

    /// Appends a state event and sets the state.
    pub fn set_state(&mut self, now: i64, state: ChatState) -> u64 {
        self.state = state;
        self.push(now, EventKind::State { state })
    }

    /// The name shown for the visitor; `default` when unset.
    pub fn visitor_name_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.visitor_name.as_deref().unwrap_or(default)
    }
}

/// Per-agent runtime state.
#[derive(Debug, Clone)]
pub struct AgentRt {
    /// `Online`, `Away`, `Occupied` or `Offline` (no live session).
    pub availability: String,
    /// Optional reason id set with availability.
    pub chat_reason_id: Option<String>,
}

/// A login session of the Login Service. `Debug` hides the tokens.
#[derive(Clone)]
pub struct Login {
    /// `Session_id` cookie value.
    pub id: String,
    /// Agent index.
    pub agent: usize,
    /// Bearer token.
    pub bearer: String,
    /// CSRF token.
    pub csrf: String,
    /// Last login or refresh.
    pub refreshed_ms: i64,
    /// False after logout.
    pub alive: bool,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("agent", &self.agent)
            .field("refreshed_ms", &self.refreshed_ms)
            .field("alive", &self.alive)
            .finish_non_exhaustive()
    }
}

/// An agent session (A2). `Debug` hides the cookie value.
#[derive(Clone)]
pub struct AgentSession {
    /// Session id.
    pub id: String,
    /// Agent index.
    pub agent: usize,
    /// Login that created it (`None` for signed requests).
    pub login: Option<String>,
    /// Value of the per-session cookie.
    pub cookie: String,
    /// Last request on it.
    pub last_activity_ms: i64,
    /// False once ended (logout, A4, idle).
    pub alive: bool,
    /// Why it ended.
    pub end_reason: Option<String>,
}

impl std::fmt::Debug for AgentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentSession")
            .field("id", &self.id)
            .field("agent", &self.agent)
            .field("signed", &self.login.is_none())
            .field("last_activity_ms", &self.last_activity_ms)
            .field("alive", &self.alive)
            .field("end_reason", &self.end_reason)
            .finish_non_exhaustive()
    }
}

/// The whole mutable state of one emulator. `Debug` shows no bearer, csrf or cookie.
pub struct State {
    /// The account.
    pub world: World,
    /// Seeded ids.
    pub ids: IdGen,
    /// Runtime state per agent, parallel to `world.agents`.
    pub agents: Vec<AgentRt>,
    /// Login sessions by `Session_id`.
    pub logins: HashMap<String, Login>,
    /// Bearer -> `Session_id`.
    pub bearers: HashMap<String, String>,
    /// Agent sessions by id.
    pub sessions: HashMap<String, AgentSession>,
    /// Chats by id.
    pub chats: HashMap<String, Chat>,
    /// Chat ids in creation order.
    pub chat_order: Vec<String>,
    /// Recently seen OAuth nonces (replay check), oldest first.
    pub nonces: VecDeque<String>,
    /// Pending authenticated-visitor conversations (V9): id -> participant id.
    pub conversations: HashMap<String, String>,
    /// Visitor sessions opened by the engagement request (`smt`), by visitor id.
    pub visits: HashMap<String, Visit>,
    /// Settings that the operations need.
    pub settings: Settings,
}

/// A visitor session of the App Engagement API, read back by Visit Information.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The session id (`sid`).
    pub session_id: String,
    /// The page the engagement was offered on.
    pub page_id: String,
    /// When the session opened, emulated ms.
    pub start_ms: i64,
    /// The skill of the offered engagement.
    pub skill: Option<i64>,
    /// `consumerSections` as sent.
    pub sections: Vec<String>,
    /// `appDetails.os` as sent.
    pub os: String,
    /// `appDetails.deviceFamily` as sent.
    pub device_family: String,
    /// `appDetails.ipAddress` as sent.
    pub ip: String,
    /// `appDetails.appVersion` as sent.
    pub app_version: String,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("world", &self.world)
            .field("agents", &self.agents)
            .field("logins", &self.logins.values().collect::<Vec<_>>())
            .field("sessions", &self.sessions)
            .field("chats", &self.chat_order)
            .finish_non_exhaustive()
    }
}

/// The timing settings of [`EmulatorConfig`] that operations read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Ringing limit, emulated ms.
    pub ring_timeout_ms: i64,
    /// Agent session idle limit, emulated ms.
    pub agent_idle_ms: i64,
    /// Availability on first session.
    pub initial_availability: String,
}

impl State {
    /// A fresh state for `config`.
    pub fn new(config: &EmulatorConfig) -> Self {
        let agents = config
            .world
            .agents
            .iter()
            .map(|_| AgentRt {
                availability: "Offline".into(),
                chat_reason_id: None,
            })
            .collect();
        State {
            world: config.world.clone(),
            ids: IdGen::new(config.seed),
            agents,
            logins: HashMap::new(),
            bearers: HashMap::new(),
            sessions: HashMap::new(),
            chats: HashMap::new(),
            chat_order: Vec::new(),
            nonces: VecDeque::new(),
            conversations: HashMap::new(),
            visits: HashMap::new(),
            settings: Settings {
                ring_timeout_ms: (config.ring_timeout_s * 1000.0) as i64,
                agent_idle_ms: (config.agent_idle_timeout_s * 1000.0) as i64,
                initial_availability: config.initial_availability.clone(),
            },
        }
    }

    /// A chat by id.
    pub fn chat(&self, id: &str) -> Result<&Chat, ApiError> {
        self.chats
            .get(id)
            .ok_or_else(|| ApiError::not_found(12, format!("chat {id} not found")))
    }

    /// A chat by id, mutable.
    pub fn chat_mut(&mut self, id: &str) -> Result<&mut Chat, ApiError> {
        self.chats
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found(12, format!("chat {id} not found")))
    }

    /// Whether the agent has a live agent session.
    pub fn agent_logged_in(&self, agent: usize) -> bool {
        self.sessions.values().any(|s| s.alive && s.agent == agent)
    }

    /// Chats the agent is chatting in plus chats ringing for it.
    pub fn agent_load(&self, agent: usize) -> i64 {
        self.chats
            .values()
            .filter(|c| {
                (c.state == ChatState::Chatting && c.agent == Some(agent))
                    || c.ringing.is_some_and(|r| r.agent == agent)
            })
            .count() as i64
    }

    /// Chats the agent is chatting in.
    pub fn agent_chats(&self, agent: usize) -> usize {
        self.chats
            .values()
            .filter(|c| c.state == ChatState::Chatting && c.agent == Some(agent))
            .count()
    }

    /// The agent's nickname.
    pub fn nickname(&self, agent: usize) -> String {
        self.world
            .agents
            .get(agent)
            .map(|a| a.nickname.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_tokens() {
        let mut st = State::new(&EmulatorConfig::default());
        let login = st.login_password(0, "agent1", "password").unwrap();
        let session = st.start_session(0, 0, Some(login.id.clone()));
        let dbg = format!("{st:?}");
        for secret in [&login.bearer, &login.csrf, &login.id, &session.cookie] {
            assert!(!dbg.contains(secret.as_str()), "{secret} leaked");
        }
        assert!(!dbg.contains("password\""));
    }
}
