//! Models of every resource of the legacy chat APIs, typed, each decodable from JSON and XML.
//!
//! Models are `#[non_exhaustive]`: servers add fields and values, and so may later versions.
//! Unknown enum values and link relations are kept (`Unknown(..)`), never an error.

pub(crate) mod wire_enum;

pub mod chat;
pub mod ids;
pub mod link;
pub mod time;

pub use chat::{
    A2aTransfer, Chat, ChatInfo, ChatRequestParameters, ChatState, Chats, Event, EventKind,
    EventType, Events, Line, NewEvent, Source, SubType, TextType, TypingState,
};
pub use ids::{AgentId, AgentSessionId, ChatId, EventId, SkillId, SurveyId, VisitorId};
pub use link::{Link, LinksExt, Rel};
pub use time::{EpochMillis, Timestamp, TimestampError};
