//! Models of every resource of the legacy chat APIs, typed, each decodable from JSON and XML.
//!
//! Models are `#[non_exhaustive]`: servers add fields and values, and so may later versions.
//! Unknown enum values and link relations are kept (`Unknown(..)`), never an error.

pub(crate) mod wire_enum;
pub(crate) mod wire_struct;

pub mod chat;
pub mod ids;
pub mod link;
pub mod time;

// Agent-side resources (A2-A12, A19-A31) and the scalars both sides share.
pub mod agent;
pub mod scalars;

// Visitor side, surveys, Login Service, Domain API, undocumented bodies.
pub mod domain;
pub mod generic;
pub mod login;
pub mod survey;
pub mod visitor;

pub use agent::{
    AcceptChat, AgentInfo, AgentSession, AgentSessionLocation, AgentState,
    AuthenticatedParticipantInfo, AuthenticatedPersonalInfo, Availability, AvailableAgent,
    AvailableAgents, ChatEventLocation, ChatLocation, ChatSession, ChatSessions, Contact,
    IncomingRequests, ParticipantInfo, SdeDate, SkillInfo, StartAgentSession, TransferRequest,
    TransferSkill, TransferSkills, TransferTarget,
};
pub use chat::{
    A2aTransfer, Chat, ChatInfo, ChatRequestParameters, ChatState, Chats, Event, EventKind,
    EventType, Events, Line, NewEvent, Source, SubType, TextType, TypingState,
};
pub use ids::AccountId;
pub use ids::{AgentId, AgentSessionId, ChatId, EventId, SkillId, SurveyId, VisitorId};
pub use link::{Link, LinksExt, Rel};
pub use scalars::{AgentTyping, AvailableSlots, VisitorName, VisitorTyping};
pub use time::{EpochMillis, Timestamp, TimestampError};

// Visitor side, surveys, Login Service, Domain API, undocumented bodies.
pub use domain::{Domain, DomainAll, LegacyDomain, LpData, Service};
pub use generic::Generic;
pub use login::{
    ErrorBody, LoginConfig, LoginRequest, LoginResponse, OAuthProblem, RefreshRequest, Secret,
};
pub use survey::{Answer, Entry, Question, QuestionType, Survey, SurveyAnswers, ValidationType};
pub use visitor::{
    Account, AppDetails, ChatRequest, ConversationRequest, CustomVariable, CustomVariables,
    Engagement, EngagementDetails, EngagementRequest, EstimatedWaitTime, SkillAvailability,
    TranscriptRequest, VisitorAvailability, WaitEstimate,
};
