//! Chat operations, agent side (A13-A30) and the visitor reads of the same resources (V10,
//! V11, V13-V16): the shapes are the same on both sides, only the context's auth differs.

use bytes::Bytes;
use http::{Method, Request, Response};

use super::context::Context;
use super::error::Error;
use super::macros::{get_op, send_op};
use super::request::{body_of, comma_list, Plan};
use super::response::{decode_body, decode_location, expect_status, CREATED, OK, UPDATED};
use super::url::{ChatRef, Loc, SessionRef};
use super::{Idempotency, Operation};
use crate::codec::Limits;
use crate::cursor::{ChatCursor, CursorSet};
use crate::model::agent::{ChatEventLocation, ChatLocation, TransferRequest, TransferSkills};
use crate::model::generic::Generic;
use crate::model::scalars::{AgentTyping, VisitorName, VisitorTyping};
use crate::model::survey::{Survey, SurveyAnswers};
use crate::model::{
    Chat, ChatId, ChatInfo, Chats, EventId, Events, LinksExt, NewEvent, Rel, TypingState,
};

fn link_of(links: &[crate::model::Link], rel: Rel) -> Result<Loc, Error> {
    links
        .href(&rel)
        .map(Loc::href)
        .ok_or(Error::MissingLink(rel))
}

get_op! {
    /// A13: several chats of the agent session in one call:
    /// `GET {session}/chat?chatSessionKeys=K1,K2&fromEventIds=E1,E2`. No link exposes it
    /// (spec §5 A13). Each embedded chat may carry a `chat.error`; the caller checks them.
    GetChats => Chats, "A13", OK
}

impl GetChats {
    /// The chats a cursor set follows, each from its cursor's `from`; `None` when the set is
    /// empty (there is nothing to ask).
    pub fn from_cursors(session: &SessionRef, cursors: &CursorSet) -> Option<Self> {
        let (keys, froms) = cursors.multi_chat_query()?;
        Some(
            GetChats::with_loc(session.loc().join(&["chat"]))
                .set_param("chatSessionKeys", keys)
                .set_param("fromEventIds", froms),
        )
    }

    /// The chats `(chat id, first event id wanted)`, in this order, of the agent session.
    pub fn new(session: &SessionRef, chats: &[(ChatId, EventId)]) -> Self {
        let keys = comma_list(chats.iter().map(|(c, _)| c.as_str()));
        let from = chats
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join(",");
        GetChats::with_loc(session.loc().join(&["chat"]))
            .set_param("chatSessionKeys", keys)
            .set_param("fromEventIds", from)
    }
}

/// A14 / V10: the chat resource (links, events from `from` on, info).
///
/// Parsing fails with [`Error::ChatError`] when the 2xx body carries a `chat.error` (spec §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetChat {
    loc: Loc,
    from: Option<EventId>,
}

impl GetChat {
    /// The whole chat.
    pub fn new(chat: &ChatRef) -> Self {
        GetChat {
            loc: chat.loc(),
            from: None,
        }
    }

    /// The chat at exactly this link (its `self` link, or a `next` link that carries `from`).
    pub fn at(href: impl AsRef<str>) -> Self {
        GetChat {
            loc: Loc::href(href.as_ref()),
            from: None,
        }
    }

    /// The chat's chat-level `next` link: what follows the events of `chat`.
    pub fn next(chat: &Chat) -> Result<Self, Error> {
        Ok(GetChat {
            loc: link_of(&chat.links, Rel::Next)?,
            from: None,
        })
    }

    /// Only events with ids from `from` on (`?from=N`, replacing a `from` the link has).
    pub fn from(mut self, from: EventId) -> Self {
        self.from = Some(from);
        self
    }

    /// The next poll of a chat by its cursor: the latest chat-level `next` link the cursor
    /// kept (else the chat itself), with the cursor's own `from`, so that a server skipping
    /// ahead cannot lose events nor one lagging repeat them.
    pub fn for_cursor(chat: &ChatRef, cursor: &ChatCursor) -> Self {
        let next = cursor
            .next_href()
            .filter(|href| super::url::last_segment(href) != Some("events"));
        let op = match next {
            Some(href) => GetChat::at(href),
            None => GetChat::new(chat),
        };
        op.from(cursor.from())
    }
}

impl Operation for GetChat {
    type Output = Chat;
    const ENDPOINT: &'static str = "A14/V10";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let plan = Plan::new(Method::GET, self.loc.clone());
        let plan = match self.from {
            Some(from) => plan.raw_param("from", from.to_string()),
            None => plan,
        };
        plan.build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, limits: &Limits) -> Result<Chat, Error> {
        expect_status(&response, OK)?;
        let chat: Chat = decode_body(&response, limits)?;
        match &chat.error {
            Some(error) => Err(Error::ChatError(error.clone())),
            None => Ok(chat),
        }
    }
}

get_op! {
    /// A15 / V11: a chat's events from `from` on; poll through the `next` link.
    GetEvents => Events, "A15/V11", OK
}

impl GetEvents {
    /// The chat's events (`{chat}/events`).
    pub fn new(chat: &ChatRef) -> Self {
        GetEvents::with_loc(chat.loc().join(&["events"]))
    }

    /// The `next` link of an events body: what follows its events.
    pub fn next(events: &Events) -> Result<Self, Error> {
        link_of(&events.links, Rel::Next).map(GetEvents::with_loc)
    }

    /// The `events` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Events).map(GetEvents::with_loc)
    }

    /// Only events with ids from `from` on (`?from=N`, replacing a `from` the link has).
    pub fn from(self, from: EventId) -> Self {
        self.set_param("from", from.to_string())
    }
}

get_op! {
    /// A18 / V13: the chat's information. On the visitor side this is also the keep-alive
    /// call (every 30 s, spec §8).
    GetChatInfo => ChatInfo, "A18/V13", OK
}

impl GetChatInfo {
    /// The chat's info (`{chat}/info`).
    pub fn new(chat: &ChatRef) -> Self {
        GetChatInfo::with_loc(chat.loc().join(&["info"]))
    }

    /// The `info` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Info).map(GetChatInfo::with_loc)
    }
}

/// The `events` URL of a chat: `{chat}/events`.
pub(crate) fn events_loc(chat: &ChatRef) -> Loc {
    chat.loc().join(&["events"])
}

/// The `events` URL of a chat body: its `events` link.
pub(crate) fn events_link(chat: &Chat) -> Result<Loc, Error> {
    link_of(&chat.links, Rel::Events)
}

/// The request of posting one event (A16, A17, V12).
pub(crate) fn post_event(
    loc: &Loc,
    event: &NewEvent,
    ctx: &Context,
) -> Result<Request<Bytes>, Error> {
    Plan::new(Method::POST, loc.clone())
        .body(body_of(ctx, event)?)
        .build(ctx)
}

send_op! {
    /// A16: send a line, `POST {chat}/events` with `{"event":{"@type":"line",…}}` (one event
    /// per request). Answers 201 with the new event's `location` link
    /// (`chatEventLocation`).
    ///
    /// State-changing: a repeat shows the line twice.
    SendLine(NewEvent) => ChatEventLocation, "A16", POST, StateChanging,
    |response, limits| {
        expect_status(&response, CREATED)?;
        decode_location(&response, limits)
    }
}

impl SendLine {
    /// Sends `event` (a [`NewEvent::Line`]) to the chat's events.
    pub fn new(chat: &ChatRef, event: NewEvent) -> Self {
        SendLine::with_loc(events_loc(chat), event)
    }

    /// Sends a plain-text line.
    pub fn plain(chat: &ChatRef, text: impl Into<String>) -> Self {
        SendLine::new(chat, NewEvent::plain(text))
    }

    /// Sends `event` through the `events` link of a chat body.
    pub fn of_chat(chat: &Chat, event: NewEvent) -> Result<Self, Error> {
        events_link(chat).map(|loc| SendLine::with_loc(loc, event))
    }
}

/// A17: end the chat, `POST {chat}/events` with `{"event":{"@type":"state","state":"ended"}}`.
/// Answers 201 with a `chatLocation` body whose link names the new event. The chat resource
/// stays readable.
///
/// State-changing (the second end of an ended chat is at best an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndChat {
    loc: Loc,
}

impl EndChat {
    /// Ends the chat.
    pub fn new(chat: &ChatRef) -> Self {
        EndChat {
            loc: events_loc(chat),
        }
    }

    /// Ends the chat by posting to exactly this events URL.
    pub fn at(events_href: impl AsRef<str>) -> Self {
        EndChat {
            loc: Loc::href(events_href.as_ref()),
        }
    }

    /// Ends the chat through the `events` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        events_link(chat).map(|loc| EndChat { loc })
    }
}

impl Operation for EndChat {
    type Output = ChatLocation;
    const ENDPOINT: &'static str = "A17";

    fn idempotency(&self) -> Idempotency {
        Idempotency::StateChanging
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        post_event(&self.loc, &NewEvent::End, ctx)
    }

    fn parse_with(
        &self,
        response: Response<Bytes>,
        limits: &Limits,
    ) -> Result<ChatLocation, Error> {
        expect_status(&response, CREATED)?;
        decode_location(&response, limits)
    }
}

/// Where a chat info sub-resource lives: `{chat}/info/{name}`.
fn info_loc(chat: &ChatRef, name: &str) -> Loc {
    chat.loc().join(&["info", name])
}

/// A link of a chat info body.
fn info_link(info: &ChatInfo, rel: Rel) -> Result<Loc, Error> {
    link_of(&info.links, rel)
}

/// GET typing states: documented as answering 201 (sic), 200 in practice.
const TYPING_OK: &[u16] = &[200, 201];

get_op! {
    /// A19 / V14 (GET): the visitor's name, `GET {chat}/info/visitorName`.
    GetVisitorName => VisitorName, "A19/V14", OK
}

impl GetVisitorName {
    /// The chat's visitor name.
    pub fn new(chat: &ChatRef) -> Self {
        GetVisitorName::with_loc(info_loc(chat, "visitorName"))
    }

    /// From the `visitor-name` link of a chat info body.
    pub fn of_info(info: &ChatInfo) -> Result<Self, Error> {
        info_link(info, Rel::VisitorName).map(GetVisitorName::with_loc)
    }
}

get_op! {
    /// A20 / V15 (GET): whether the visitor is typing, `GET {chat}/info/visitorTyping`
    /// (200, or 201 as documented).
    GetVisitorTyping => VisitorTyping, "A20/V15", TYPING_OK
}

impl GetVisitorTyping {
    /// The chat's visitor typing state.
    pub fn new(chat: &ChatRef) -> Self {
        GetVisitorTyping::with_loc(info_loc(chat, "visitorTyping"))
    }

    /// From the `visitor-typing` link of a chat info body.
    pub fn of_info(info: &ChatInfo) -> Result<Self, Error> {
        info_link(info, Rel::VisitorTyping).map(GetVisitorTyping::with_loc)
    }
}

get_op! {
    /// A21 / V16: whether the agent is typing, `GET {chat}/info/agentTyping` (200, or 201 as
    /// documented).
    GetAgentTyping => AgentTyping, "A21/V16", TYPING_OK
}

impl GetAgentTyping {
    /// The chat's agent typing state.
    pub fn new(chat: &ChatRef) -> Self {
        GetAgentTyping::with_loc(info_loc(chat, "agentTyping"))
    }

    /// From the `agent-typing` link of a chat info body.
    pub fn of_info(info: &ChatInfo) -> Result<Self, Error> {
        info_link(info, Rel::AgentTyping).map(GetAgentTyping::with_loc)
    }
}

send_op! {
    /// A22: set the agent's typing state, `PUT {chat}/info/agentTyping` with
    /// `{"agentTyping":"typing"}` (200, or 201 as in 2017; a 400 for a bad value).
    SetAgentTyping(AgentTyping) => (), "A22", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SetAgentTyping {
    /// Says whether the agent is typing.
    pub fn new(chat: &ChatRef, typing: bool) -> Self {
        let state = if typing {
            TypingState::Typing
        } else {
            TypingState::NotTyping
        };
        SetAgentTyping::with_loc(info_loc(chat, "agentTyping"), AgentTyping(state))
    }
}

get_op! {
    /// A23: skills the chat can be transferred to (with at least one online agent),
    /// `GET {chat}/transfer`.
    GetTransferSkills => TransferSkills, "A23", OK
}

impl GetTransferSkills {
    /// The chat's transfer skills.
    pub fn new(chat: &ChatRef) -> Self {
        GetTransferSkills::with_loc(chat.loc().join(&["transfer"]))
    }

    /// From the `transfer` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Transfer).map(GetTransferSkills::with_loc)
    }
}

send_op! {
    /// A24: transfer the chat to a skill or an agent, `POST {chat}/transfer` with
    /// `{"transfer":{"skill":{"id":2},"text":"…"}}` (200; an unavailable skill is an error).
    ///
    /// State-changing.
    TransferChat(TransferRequest) => (), "A24", POST, StateChanging,
    |response, limits| expect_status(&response, UPDATED)
}

impl TransferChat {
    /// Transfers the chat as `request` says.
    pub fn new(chat: &ChatRef, request: TransferRequest) -> Self {
        TransferChat::with_loc(chat.loc().join(&["transfer"]), request)
    }

    /// Transfers through the `transfer` link of a chat body.
    pub fn of_chat(chat: &Chat, request: TransferRequest) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Transfer).map(|loc| TransferChat::with_loc(loc, request))
    }
}

get_op! {
    /// A25, A28-A30, V20: a resource whose body is undocumented (transfer account, visit,
    /// visit custom variables, collaboration channels, visit session), read by following its
    /// link; decoded to its root, links and a value tree.
    GetGeneric => Generic, "A25/A28/A29/A30/V20", OK
}

impl GetGeneric {
    /// The target of the link with relation `rel` in `links` (`transfer-account`,
    /// `visit-id`, `collaboration-channels`, `visit-session`, …).
    pub fn follow(links: &[crate::model::Link], rel: Rel) -> Result<Self, Error> {
        link_of(links, rel).map(GetGeneric::with_loc)
    }

    /// A29: the custom variables of a visit, `{visit}/customVariables`, from the `visit-id`
    /// link of a chat body.
    pub fn visit_custom_variables(chat: &Chat) -> Result<Self, Error> {
        let visit = chat
            .links
            .href(&Rel::VisitId)
            .ok_or(Error::MissingLink(Rel::VisitId))?;
        Ok(GetGeneric::with_loc(
            Loc::href(visit).join(&["customVariables"]),
        ))
    }
}

get_op! {
    /// A26: the agent's post-chat survey, `GET {chat}/survey`.
    GetAgentSurvey => Survey, "A26", OK
}

impl GetAgentSurvey {
    /// The chat's agent survey.
    pub fn new(chat: &ChatRef) -> Self {
        GetAgentSurvey::with_loc(chat.loc().join(&["survey"]))
    }

    /// From the `agent-survey` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::AgentSurvey).map(GetAgentSurvey::with_loc)
    }
}

send_op! {
    /// A27: submit the agent survey, `PUT {chat}/survey` with
    /// `{"survey":{"id":…,"question":[{"id":…,"answer":…}]}}` (200).
    SubmitAgentSurvey(SurveyAnswers) => (), "A27", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SubmitAgentSurvey {
    /// Submits `answers` for the chat.
    pub fn new(chat: &ChatRef, answers: SurveyAnswers) -> Self {
        SubmitAgentSurvey::with_loc(chat.loc().join(&["survey"]), answers)
    }
}
