//! Agent-session operations of the Chat Agent API (A2-A12, A31): starting and ending the
//! session, availability, agents, slots, agent info, incoming requests, accepting, chat
//! sessions, participant info. Chat operations are in [`super::chat`].

use super::error::Error;
use super::macros::{get_op, send_op};
use super::request::enc;
use super::response::{decode_location, decode_optional, expect_status, CREATED, OK, UPDATED};
use super::url::{Loc, SessionRef};
use crate::model::agent::{
    AcceptChat, AgentInfo, AgentSession, AgentSessionLocation, AgentState, Availability,
    AvailableAgents, ChatLocation, ChatSessions, IncomingRequests, ParticipantInfo,
    StartAgentSession,
};
use crate::model::scalars::AvailableSlots;

/// A link of the agent session resource (A3), or the error naming the missing relation.
fn session_link(session: &AgentSession, rel: crate::model::Rel) -> Result<Loc, Error> {
    session
        .href(&rel)
        .map(Loc::href)
        .ok_or(Error::MissingLink(rel))
}

send_op! {
    /// A2: start an agent session, `POST {account}/agentSession` with `{"loginData":""}`.
    /// Answers 201 (older servers 200) with the session's `location` link, read from
    /// `agentSessionLocation` or, for a blank body, from the `Location` header.
    ///
    /// Safe to repeat: a second session of the same agent only sees the first one's chats
    /// (device continuity, spec A12).
    OpenAgentSession(StartAgentSession) => AgentSessionLocation, "A2", POST, Safe,
    |response, limits| {
        expect_status(&response, CREATED)?;
        decode_location(&response, limits)
    }
}

impl OpenAgentSession {
    /// A session under the context's base URI, with the documented body `{"loginData":""}`.
    pub fn new() -> Self {
        OpenAgentSession::with_loc(Loc::account(&["agentSession"]), StartAgentSession::Blank)
    }

    /// With another `loginData` (`{}` as Postman sends, or the agent's credentials as the
    /// sample app does).
    pub fn login_data(mut self, login_data: StartAgentSession) -> Self {
        self.body = login_data;
        self
    }
}

impl Default for OpenAgentSession {
    fn default() -> Self {
        OpenAgentSession::new()
    }
}

get_op! {
    /// A3: the agent session resource (its links), `GET {session}`; with
    /// [`GetAgentSession::with_chats`] (`cs=1`) including the ongoing chat sessions.
    GetAgentSession => AgentSession, "A3", OK
}

impl GetAgentSession {
    /// The session's resource.
    pub fn new(session: &SessionRef) -> Self {
        GetAgentSession::with_loc(session.loc())
    }

    /// Including ongoing chat sessions (`cs=1`, as LivePerson's Postman collection asks).
    pub fn with_chats(self) -> Self {
        self.set_param("cs", "1".to_owned())
    }
}

/// A4: end the agent session ("logout from agent session"), `DELETE {session}` (tunnelled
/// as POST + override unless real verbs are on). The verb and status are INF (spec §12.1):
/// any of 200, 201, 204 is success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseAgentSession {
    loc: Loc,
}

impl CloseAgentSession {
    /// Ends this session.
    pub fn new(session: &SessionRef) -> Self {
        CloseAgentSession { loc: session.loc() }
    }
}

impl super::Operation for CloseAgentSession {
    type Output = ();
    const ENDPOINT: &'static str = "A4";

    fn idempotency(&self) -> super::Idempotency {
        super::Idempotency::Safe
    }

    fn build(&self, ctx: &super::Context) -> Result<http::Request<bytes::Bytes>, Error> {
        super::request::Plan::new(http::Method::DELETE, self.loc.clone()).build(ctx)
    }

    fn parse_with(
        &self,
        response: http::Response<bytes::Bytes>,
        _limits: &crate::codec::Limits,
    ) -> Result<(), Error> {
        expect_status(&response, UPDATED)
    }
}

get_op! {
    /// A5: the agent's current availability, `GET {session}/availability`.
    GetAvailability => Availability, "A5", OK
}

impl GetAvailability {
    /// The session's availability.
    pub fn new(session: &SessionRef) -> Self {
        GetAvailability::with_loc(session.loc().join(&["availability"]))
    }

    /// From the agent session resource's `availability` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::Availability).map(GetAvailability::with_loc)
    }
}

send_op! {
    /// A6: set the agent's availability, `PUT {session}/availability` with
    /// `{"availability":{"chat":"Online"}}` (optionally a `chatReasonId`). The answer's body
    /// (the availability) is returned when there is one.
    ///
    /// Safe to repeat: it sets a value. (The server forces Away when an assigned chat is not
    /// accepted within 20 s; set Online again then.)
    SetAvailability(Availability) => Option<Availability>, "A6", PUT, Safe,
    |response, limits| {
        expect_status(&response, UPDATED)?;
        decode_optional(&response, limits)
    }
}

impl SetAvailability {
    /// Sets the session's availability to `availability` (see [`Availability::chat`]).
    pub fn new(session: &SessionRef, availability: Availability) -> Self {
        SetAvailability::with_loc(session.loc().join(&["availability"]), availability)
    }
}

get_op! {
    /// A7: the account's agents, `GET {session}/availableAgents`, optionally filtered. The
    /// answer's `next` link (with `timeStamp`) is for the following call:
    /// [`GetAvailableAgents::next`].
    GetAvailableAgents => AvailableAgents, "A7", OK
}

impl GetAvailableAgents {
    /// All agents of the account (online and offline).
    pub fn new(session: &SessionRef) -> Self {
        GetAvailableAgents::with_loc(session.loc().join(&["availableAgents"]))
    }

    /// From the agent session resource's `available-agents` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::AvailableAgents).map(GetAvailableAgents::with_loc)
    }

    /// The `next` link of an earlier answer (carries `timeStamp`). Filters added after this
    /// replace the link's own.
    pub fn next(agents: &AvailableAgents) -> Result<Self, Error> {
        agents
            .next_href()
            .map(GetAvailableAgents::at)
            .ok_or(Error::MissingLink(crate::model::Rel::Next))
    }

    /// Only agents with this skill (by name, spec §12.16).
    pub fn skill(self, name: &str) -> Self {
        self.set_param("skill", enc(name))
    }

    /// Only agents in this chat state (`Online`, `Offline`, `Occupied`, `Away`).
    pub fn chat_state(self, state: &AgentState) -> Self {
        self.set_param("chatState", enc(state.as_str()))
    }

    /// Only agents in this voice state.
    pub fn voice_state(self, state: &AgentState) -> Self {
        self.set_param("voiceState", enc(state.as_str()))
    }

    /// Only agents whose state has this reason id.
    pub fn chat_reason_id(self, id: &str) -> Self {
        self.set_param("chatReasonId", enc(id))
    }
}

get_op! {
    /// A8 / V3: free chat slots, agent side `GET {session}/chat/availableSlots`, visitor side
    /// `GET {account}/chat/availableSlots`; by skill (and wait time) or by agent.
    GetAvailableSlots => AvailableSlots, "A8/V3", OK
}

impl GetAvailableSlots {
    /// Agent side (A8).
    pub fn new(session: &SessionRef) -> Self {
        GetAvailableSlots::with_loc(session.loc().join(&["chat", "availableSlots"]))
    }

    /// Visitor side (V3), under the context's base URI.
    pub fn visitor() -> Self {
        GetAvailableSlots::with_loc(Loc::account(&["chat", "availableSlots"]))
    }

    /// From the agent session resource's `chat-available-slots` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::ChatAvailableSlots)
            .map(GetAvailableSlots::with_loc)
    }

    /// Slots for a skill (by name), within `max_wait_time` seconds (0-86400) if given.
    pub fn skill(self, name: &str, max_wait_time: Option<u32>) -> Self {
        let this = self.set_param("skill", enc(name));
        match max_wait_time {
            Some(secs) => this.set_param("maxWaitTime", secs.to_string()),
            None => this,
        }
    }

    /// Slots of one agent (login name); cannot be combined with a skill.
    pub fn agent(self, login_name: &str) -> Self {
        self.set_param("agent", enc(login_name))
    }
}

get_op! {
    /// A9: the logged-in agent's information, `GET {session}/info`.
    GetAgentInfo => AgentInfo, "A9", OK
}

impl GetAgentInfo {
    /// The session agent's info.
    pub fn new(session: &SessionRef) -> Self {
        GetAgentInfo::with_loc(session.loc().join(&["info"]))
    }

    /// From the agent session resource's `info` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::Info).map(GetAgentInfo::with_loc)
    }
}

get_op! {
    /// A10: chats ringing for the agent, `GET {session}/incomingRequests`.
    GetIncomingRequests => IncomingRequests, "A10", OK
}

impl GetIncomingRequests {
    /// The session's incoming requests.
    pub fn new(session: &SessionRef) -> Self {
        GetIncomingRequests::with_loc(session.loc().join(&["incomingRequests"]))
    }

    /// From the agent session resource's `incoming-requests` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::IncomingRequests)
            .map(GetIncomingRequests::with_loc)
    }
}

/// A11: accept the next ringing chat, `POST {session}/incomingRequests` with `{}`.
/// Answers 201 with the chat's `location` link ([`super::ChatRef::from_location`]).
///
/// In XML the request has no body: the body exists "for backwards compatibility" in JSON
/// and the 2017 docs say "no body parameters"; no XML form is documented.
///
/// State-changing: a repeat could accept a second chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptNextChat {
    loc: Loc,
    body: AcceptChat,
}

impl super::Operation for AcceptNextChat {
    type Output = ChatLocation;
    const ENDPOINT: &'static str = "A11";

    fn idempotency(&self) -> super::Idempotency {
        super::Idempotency::StateChanging
    }

    fn build(&self, ctx: &super::Context) -> Result<http::Request<bytes::Bytes>, Error> {
        let plan = super::request::Plan::new(http::Method::POST, self.loc.clone());
        match ctx.format {
            crate::Format::Json => plan.body(super::request::body_of(ctx, &self.body)?),
            crate::Format::Xml => plan,
        }
        .build(ctx)
    }

    fn parse_with(
        &self,
        response: http::Response<bytes::Bytes>,
        limits: &crate::codec::Limits,
    ) -> Result<ChatLocation, Error> {
        expect_status(&response, CREATED)?;
        decode_location(&response, limits)
    }
}

impl AcceptNextChat {
    /// Accepts at `{session}/incomingRequests` with the documented body `{}`.
    pub fn new(session: &SessionRef) -> Self {
        AcceptNextChat {
            loc: session.loc().join(&["incomingRequests"]),
            body: AcceptChat::new(),
        }
    }

    /// Accepts at exactly this URL (the accept link).
    pub fn at(href: impl AsRef<str>) -> Self {
        AcceptNextChat {
            loc: Loc::href(href.as_ref()),
            body: AcceptChat::new(),
        }
    }

    /// Accepts through the accept link of an A10 answer (`acceptNextChat`); fails when
    /// nothing rings and so there is no link.
    pub fn from_incoming(incoming: &IncomingRequests) -> Result<Self, Error> {
        incoming
            .accept_href()
            .map(AcceptNextChat::at)
            .ok_or(Error::MissingLink(crate::model::Rel::AcceptNextChat))
    }

    /// With another JSON body (`{"chat":"start"}`, as the sample app sends).
    pub fn with_body(mut self, body: AcceptChat) -> Self {
        self.body = body;
        self
    }
}

get_op! {
    /// A12: the agent's chats (device continuity), `GET {session}/chatSessions`. Poll no
    /// faster than every 2 s.
    GetChatSessions => ChatSessions, "A12", OK
}

impl GetChatSessions {
    /// The session's chats.
    pub fn new(session: &SessionRef) -> Self {
        GetChatSessions::with_loc(session.loc().join(&["chatSessions"]))
    }

    /// From the agent session resource's `chat-sessions` link.
    pub fn of_session(session: &AgentSession) -> Result<Self, Error> {
        session_link(session, crate::model::Rel::ChatSessions).map(GetChatSessions::with_loc)
    }
}

get_op! {
    /// A31: an authenticated visitor's information,
    /// `GET {session}/participantExtendedInfo/{participantId}` (the `participantId` of the
    /// chat info).
    GetParticipantInfo => ParticipantInfo, "A31", OK
}

impl GetParticipantInfo {
    /// The participant's information.
    pub fn new(session: &SessionRef, participant_id: &str) -> Self {
        GetParticipantInfo::with_loc(
            session
                .loc()
                .join(&["participantExtendedInfo", participant_id]),
        )
    }
}
