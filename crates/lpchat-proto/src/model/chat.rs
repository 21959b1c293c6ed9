//! Chats: events, chat information and the chat resource, shared by the agent side
//! (A13-A18) and the visitor side (V10-V13).

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, ChatId, EventId, SkillId, VisitorId};
use super::link::{Link, LinksExt, Rel};
use super::login::ErrorBody;
use super::time::Timestamp;
use super::wire_enum::wire_enum;
use super::wire_struct::wire_struct;
use crate::codec::Resource;

wire_enum! {
    /// The state of a chat (spec §9.1).
    pub enum ChatState {
        /// Queued, waiting for an agent.
        Waiting = "waiting",
        /// An agent accepted the chat.
        Chatting = "chatting",
        /// The chat ended; its resource stays readable.
        Ended = "ended",
    }
}

wire_enum! {
    /// How a line's text is to be read (spec §9.4).
    pub enum TextType {
        /// Plain text (the default).
        Plain = "plain",
        /// Restricted HTML.
        Html = "html",
        /// A structured-content template in `json` (agent send only).
        RichContent = "rich-content",
    }
}

wire_enum! {
    /// Who wrote a line.
    pub enum Source {
        /// The system (routing, transfer and end messages).
        System = "system",
        /// An agent.
        Agent = "agent",
        /// The visitor.
        Visitor = "visitor",
    }
}

wire_enum! {
    /// A line's audience.
    pub enum SubType {
        /// Seen by everyone.
        Regular = "REGULAR",
        /// Seen by agents only.
        OnlyToRep = "ONLY_TO_REP",
    }
}

wire_enum! {
    /// Typing state (spec §9.5).
    pub enum TypingState {
        /// Typing now.
        Typing = "typing",
        /// Not typing.
        NotTyping = "not-typing",
        /// Not known to the server.
        TypingUnknown = "unknown",
    }
}

wire_enum! {
    /// The type of a chat event (spec §9.3).
    pub enum EventType {
        /// A change of chat state.
        State = "state",
        /// A line of text.
        Line = "line",
        /// A URL pushed to the visitor.
        Url = "url",
        /// An account-to-account transfer.
        A2aTransfer = "a2a-transfer",
    }
}

/// A line of a chat.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Line {
    /// The text (empty for rich content).
    pub text: String,
    /// How to read `text`; `plain` when the server omits it.
    pub text_type: TextType,
    /// The writer's name (`info` for system lines, the agent's display name, the visitor's).
    pub by: Option<String>,
    /// Who wrote it.
    pub source: Option<Source>,
    /// Which system message this is (spec §9.4), for system lines.
    pub system_message_id: Option<i64>,
    /// Audience; absent in older servers' lines.
    pub sub_type: Option<SubType>,
    /// The structured-content template of a rich-content line.
    pub json: Option<serde_json::Value>,
}

wire_struct! {
    /// Parameters of an account-to-account transfer, to pass unchanged to the new chat request.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ChatRequestParameters {
        /// `a2aEventId`.
        pub a2a_event_id: Option<String> as opt_string("a2aEventId"),
        /// `a2aSourceSessionId`.
        pub a2a_source_session_id: Option<String> as opt_string("a2aSourceSessionId"),
        /// `a2aSourceSiteId`.
        pub a2a_source_site_id: Option<String> as opt_string("a2aSourceSiteId"),
        /// The skill to request on the target account.
        pub skill: Option<String> as opt_string("skill"),
    }
}

/// An account-to-account transfer event's content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct A2aTransfer {
    /// The target account's domain.
    pub domain: Option<String>,
    /// What to send with the new chat request.
    pub chat_request_parameters: Option<ChatRequestParameters>,
    /// The target account.
    pub remote_site_id: Option<String>,
    /// Links, among them `a2a-transfer` (the target's chat request URL).
    pub links: Vec<Link>,
}

/// What a chat event says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// The chat changed state.
    State(ChatState),
    /// A line.
    Line(Line),
    /// A URL pushed to the visitor.
    Url(Option<String>),
    /// An account-to-account transfer.
    A2aTransfer(A2aTransfer),
    /// An event type this version does not know; kept so that no event is dropped.
    Unknown {
        /// The event type as it came.
        event_type: String,
        /// Its text, if it had one.
        text: Option<String>,
    },
}

/// One event of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawEvent", into = "RawEvent")]
pub struct Event {
    /// Per-chat id, from 0.
    pub id: EventId,
    /// When it happened.
    pub time: Option<Timestamp>,
    /// What it says.
    pub kind: EventKind,
}

impl Event {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        match &self.kind {
            EventKind::State(_) => EventType::State,
            EventKind::Line(_) => EventType::Line,
            EventKind::Url(_) => EventType::Url,
            EventKind::A2aTransfer(_) => EventType::A2aTransfer,
            EventKind::Unknown { event_type, .. } => EventType::parse(event_type),
        }
    }

    /// The line, if this event is one.
    pub fn line(&self) -> Option<&Line> {
        match &self.kind {
            EventKind::Line(line) => Some(line),
            _ => None,
        }
    }
}

wire_struct! {
    /// The flat wire form of an event: every field any event type has, by type tag. Events are
    /// internally tagged (`@type`) and the tag may come after other fields, so they are read flat
    /// and sorted out in `TryFrom` rather than with a tagged enum (which XML cannot serve).
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    struct RawEvent {
        id: Option<EventId> as opt("@id" | "id"),
        event_type: String as string("@type" | "type"),
        time: Option<Timestamp> as opt("time"),
        state: Option<ChatState> as opt("state"),
        text: Option<String> as opt_string("text"),
        text_type: Option<TextType> as opt("textType"),
        by: Option<String> as opt_string("by"),
        source: Option<Source> as opt("source"),
        system_message_id: Option<i64> as opt_int("systemMessageId"),
        sub_type: Option<SubType> as opt("subType"),
        json: Option<serde_json::Value> as opt("json"),
        url: Option<String> as opt_string("url"),
        domain: Option<String> as opt_string("domain"),
        chat_request_parameters: Option<ChatRequestParameters> as opt("chatRequestParameters"),
        remote_site_id: Option<String> as opt_string("remoteSiteId"),
        links: Vec<Link> as list("link"),
    }
}

impl TryFrom<RawEvent> for Event {
    type Error = String;

    fn try_from(raw: RawEvent) -> Result<Self, String> {
        let id = raw.id.ok_or("an event without an id")?;
        let kind = match EventType::parse(&raw.event_type) {
            EventType::State => match raw.state {
                Some(state) => EventKind::State(state),
                None => return Err(format!("state event {id} has no state")),
            },
            EventType::Line => EventKind::Line(Line {
                text: raw.text.unwrap_or_default(),
                text_type: raw.text_type.unwrap_or(TextType::Plain),
                by: raw.by,
                source: raw.source,
                system_message_id: raw.system_message_id,
                sub_type: raw.sub_type,
                json: raw.json,
            }),
            // The url event's body is undocumented; its address is read from `url`, or from
            // `text` where a server puts it there.
            EventType::Url => EventKind::Url(raw.url.or(raw.text)),
            EventType::A2aTransfer => EventKind::A2aTransfer(A2aTransfer {
                domain: raw.domain,
                chat_request_parameters: raw.chat_request_parameters,
                remote_site_id: raw.remote_site_id,
                links: raw.links,
            }),
            EventType::Unknown(event_type) => EventKind::Unknown {
                event_type,
                text: raw.text,
            },
        };
        Ok(Event {
            id,
            time: raw.time,
            kind,
        })
    }
}

impl From<Event> for RawEvent {
    fn from(event: Event) -> Self {
        let mut raw = RawEvent {
            id: Some(event.id),
            event_type: event.event_type().as_str().to_owned(),
            time: event.time,
            ..RawEvent::default()
        };
        match event.kind {
            EventKind::State(state) => raw.state = Some(state),
            EventKind::Line(line) => {
                raw.text = Some(line.text);
                raw.text_type = Some(line.text_type);
                raw.by = line.by;
                raw.source = line.source;
                raw.system_message_id = line.system_message_id;
                raw.sub_type = line.sub_type;
                raw.json = line.json;
            }
            EventKind::Url(url) => raw.url = url,
            EventKind::A2aTransfer(t) => {
                raw.domain = t.domain;
                raw.chat_request_parameters = t.chat_request_parameters;
                raw.remote_site_id = t.remote_site_id;
                raw.links = t.links;
            }
            EventKind::Unknown { event_type, text } => {
                raw.event_type = event_type;
                raw.text = text;
            }
        }
        raw
    }
}

wire_struct! {
    /// A chat's events (A15, V11): the new events and the `next` link to poll.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Events {
        /// `self` and `next`.
        pub links: Vec<Link> as list("link"),
        /// The events, in the order the server sent them.
        pub events: Vec<Event> as list("event"),
    }
}

impl Events {
    /// The `next` link's href: where to poll for what follows.
    pub fn next_href(&self) -> Option<&str> {
        self.links.href(&Rel::Next)
    }

    /// The `from` of the `next` link: the first event id the next poll returns.
    pub fn next_from(&self) -> Option<EventId> {
        next_from(&self.links)
    }
}

/// The `from` query parameter of a link list's `next` link.
pub fn next_from(links: &[Link]) -> Option<EventId> {
    links
        .find_rel(&Rel::Next)?
        .query_param("from")?
        .parse::<u64>()
        .ok()
        .map(EventId)
}

impl Resource for Events {
    const ROOT: &'static str = "events";
    const NAME: &'static str = "events";
}

wire_struct! {
    /// Information about a chat (A18 agent side, V13 visitor side; the visitor's adds the skill).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ChatInfo {
        /// `self`, `visitor-name`, `visitor-typing`, `agent-typing`.
        pub links: Vec<Link> as list("link"),
        /// The chat's state.
        pub state: Option<ChatState> as opt("state"),
        /// The chat session key (= chat id).
        pub chat_session_key: Option<ChatId> as opt("chatSessionKey"),
        /// Visitor side: the skill's name.
        pub skill_name: Option<String> as opt_string("skillName"),
        /// Visitor side: the skill's id.
        pub skill_id: Option<SkillId> as opt("skillId"),
        /// The agent's display name.
        pub agent_name: Option<String> as opt_string("agentName"),
        /// The agent's id.
        pub agent_id: Option<AgentId> as opt("agentId"),
        /// When the chat started.
        pub start_time: Option<Timestamp> as opt("startTime"),
        /// Duration in seconds (0 in every documented example).
        pub duration: Option<i64> as opt_int("duration"),
        /// When the chat last changed.
        pub last_update: Option<Timestamp> as opt("lastUpdate"),
        /// Seconds after `last_update` by which the chat must be touched again.
        pub chat_timeout: Option<i64> as opt_int("chatTimeout"),
        /// The visitor's id.
        pub visitor_id: Option<VisitorId> as opt("visitorId"),
        /// Whether the agent is typing.
        pub agent_typing: Option<TypingState> as opt("agentTyping"),
        /// Whether the visitor is typing.
        pub visitor_typing: Option<TypingState> as opt("visitorTyping"),
        /// The visitor's name (`visitor` / `You` by default).
        pub visitor_name: Option<String> as opt_string("visitorName"),
        /// Real-time session id (unique only together with the account id).
        pub rt_session_id: Option<String> as opt_string("rtSessionId"),
        /// Monitoring visitor id.
        pub shark_visitor_id: Option<String> as opt_string("sharkVisitorId"),
        /// Monitoring session id.
        pub shark_session_id: Option<String> as opt_string("sharkSessionId"),
        /// Monitoring context id.
        pub shark_context_id: Option<String> as opt_string("sharkContextId"),
        /// Engagement id.
        pub engagement_id: Option<String> as opt_string("engagementId"),
        /// Campaign id.
        pub campaign_id: Option<String> as opt_string("campaignId"),
        /// Language (`en-US`).
        pub language: Option<String> as opt_string("language"),
        /// The authenticated visitor's participant id (SSO only).
        pub participant_id: Option<String> as opt_string("participantId"),
    }
}

impl Resource for ChatInfo {
    const ROOT: &'static str = "info";
    const NAME: &'static str = "info";
}

wire_struct! {
    /// The chat resource (A14, V10): links, the new events and the chat information.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Chat {
        /// `self`, `events`, `info`, `next`, `transfer`, `agent-survey`, …
        pub links: Vec<Link> as list("link"),
        /// The events since the requested `from`.
        pub events: Option<Events> as opt_struct("events"),
        /// The chat information.
        pub info: Option<ChatInfo> as opt_struct("info"),
        /// An error the server reports inside a 2xx chat body. Its shape is undocumented (the
        /// official sample treats it as fatal for the chat); it is read as the Login Service's
        /// error envelope, the one error shape the platform documents.
        pub error: Option<ErrorBody> as opt_struct("error"),
    }
}

impl Chat {
    /// The chat id: the chat session key of its info, else the last segment of `self`.
    pub fn chat_id(&self) -> Option<ChatId> {
        if let Some(key) = self.info.as_ref().and_then(|i| i.chat_session_key.clone()) {
            return Some(key);
        }
        let href = self.links.href(&Rel::SelfLink)?;
        let path = href.split(['?', '#']).next()?;
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        let last = last
            .strip_suffix(".json")
            .or_else(|| last.strip_suffix(".xml"))
            .unwrap_or(last);
        (!last.is_empty()).then(|| ChatId::from(last))
    }

    /// The `from` of the chat-level `next` link, else of the events' `next` link.
    pub fn next_from(&self) -> Option<EventId> {
        next_from(&self.links).or_else(|| self.events.as_ref()?.next_from())
    }

    /// The events of this body, empty when it has none.
    pub fn event_list(&self) -> &[Event] {
        self.events
            .as_ref()
            .map(|e| e.events.as_slice())
            .unwrap_or_default()
    }
}

impl Resource for Chat {
    const ROOT: &'static str = "chat";
    const NAME: &'static str = "chat";
}

wire_struct! {
    /// Several chats in one body (A13 multi-chat).
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Chats {
        /// The chats, each with its new events and info.
        pub chats: Vec<Chat> as list("chat"),
    }
}

impl Resource for Chats {
    const ROOT: &'static str = "chats";
    const NAME: &'static str = "chats";
}

/// A chat event to send (A16, A17, V12): a line or the end of the chat. One per request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawEvent", into = "RawEvent")]
#[non_exhaustive]
pub enum NewEvent {
    /// A line (`text` plain or HTML, or rich content in `json`).
    Line {
        /// The text; empty for rich content.
        text: String,
        /// `plain`, `html` or `rich-content`.
        text_type: TextType,
        /// `ONLY_TO_REP` for a line only agents see.
        sub_type: Option<SubType>,
        /// The structured-content template of a rich-content line.
        json: Option<serde_json::Value>,
    },
    /// End the chat: `{"@type":"state","state":"ended"}`.
    End,
}

impl NewEvent {
    /// A plain text line.
    pub fn plain(text: impl Into<String>) -> Self {
        NewEvent::Line {
            text: text.into(),
            text_type: TextType::Plain,
            sub_type: None,
            json: None,
        }
    }
}

impl TryFrom<RawEvent> for NewEvent {
    type Error = String;

    fn try_from(raw: RawEvent) -> Result<Self, String> {
        match EventType::parse(&raw.event_type) {
            EventType::Line => Ok(NewEvent::Line {
                text: raw.text.unwrap_or_default(),
                text_type: raw.text_type.unwrap_or(TextType::Plain),
                sub_type: raw.sub_type,
                json: raw.json,
            }),
            EventType::State if raw.state == Some(ChatState::Ended) => Ok(NewEvent::End),
            other => Err(format!("cannot send an event of type {other}")),
        }
    }
}

impl From<NewEvent> for RawEvent {
    fn from(event: NewEvent) -> Self {
        match event {
            NewEvent::Line {
                text,
                text_type,
                sub_type,
                json,
            } => RawEvent {
                event_type: "line".into(),
                // A rich-content line carries its payload in `json` only.
                text: (!(text.is_empty() && json.is_some())).then_some(text),
                text_type: Some(text_type),
                sub_type,
                json,
                ..RawEvent::default()
            },
            NewEvent::End => RawEvent {
                event_type: "state".into(),
                state: Some(ChatState::Ended),
                ..RawEvent::default()
            },
        }
    }
}

impl Resource for NewEvent {
    const ROOT: &'static str = "event";
    const NAME: &'static str = "request-event";
}
