//! lpchat: the async client for LivePerson's legacy chat REST APIs.
//!
//! A driver around the sans-IO machines of [`lpchat_proto`]: each [`AgentSession`] and each
//! [`VisitorChat`] is a tokio task that sends what its machine asks over reqwest (rustls,
//! ring provider), sleeps until the machine's timeout and feeds back what came. Handles are
//! cheap to clone; dropping the last one, or `close`, ends the session (and logs out) or
//! the chat.
//!
//! Secrets (passwords, bearer, csrf, keys, cookies) never appear in a log line, `Debug`
//! output or error.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod agent;
mod client;
mod driver;
mod error;
mod events;
mod oneoff;
mod transport;
mod visitor;

pub use agent::AgentSession;
pub use client::{Client, ClientBuilder};
pub use driver::SessionStats;
pub use error::Error;
pub use events::{Events, HandlerRegistry, DEFAULT_EVENT_BUFFER};
pub use transport::{Transport, TransportConfig, TransportFailure};
pub use visitor::{Visitor, VisitorChat};

pub use lpchat_proto as proto;
pub use lpchat_proto::auth::{ApiKey, Credentials, ExistingBearer, Secret, UserPassword};
pub use lpchat_proto::machine::{
    AgentConfig, CommandFailure, EndReason, ForcedAwayPolicy, LineId, MachineEvent,
    SessionLostReason, VisitorConfig,
};
pub use lpchat_proto::model::{AgentState, ChatId, Event, EventId, NewEvent};
pub use lpchat_proto::Format;
