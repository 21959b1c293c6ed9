//! The Server Chat API (visitor side, spec §6): the account base resource, availability and
//! wait time, and the request bodies a visitor sends.
//!
//! The chat, its events and its information (V10, V11, V13) are the shared models of
//! [`super::chat`]; surveys (V5-V7, V17) are in [`super::survey`]; the name and typing scalars
//! (V14-V16) in [`super::scalars`].

mod account;
mod availability;
mod engagement;
mod request;

pub use account::Account;
pub use availability::{EstimatedWaitTime, SkillAvailability, VisitorAvailability, WaitEstimate};
pub use engagement::{AppDetails, Engagement, EngagementDetails, EngagementRequest};
pub use request::{
    ChatRequest, ConversationRequest, CustomVariable, CustomVariables, TranscriptRequest,
};
