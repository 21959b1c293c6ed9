//! State machines for the flows that have state: the agent session (with its login
//! lifecycle) and the visitor chat. Sans-IO, after quinn-proto and str0m: one contract
//! ([`Machine`]) for all.
//!
//! ```text
//!            ┌──────────── poll_output(now) ────────────┐
//!            │   Send { id, request } │ Event(..) │ Timeout(at)
//!  driver ───┤
//!            │   handle_response(id, response, now)
//!            └── handle_failure(id, kind, now)  ·  commands (send_line, accept_next, close …)
//! ```
//!
//! After any input (a response, a failure, a command, or the timeout passing), the driver
//! drains [`Machine::poll_output`] until it returns [`Output::Timeout`]. Machines have no
//! sockets, no clock (time only from `now`; Unix time from a [`WallClock`] pinned once) and
//! no global randomness: jitter and OAuth nonces come from a seeded generator ([`Rng`])
//! whose seed is in the configuration.
//!
//! - [`AgentMachine`] ([`agent`]): login (user/password, API key with OAuth-signed
//!   requests, existing bearer), refresh on a timer derived from `sessionTTl`, one re-login
//!   at a time on 401, the agent session, availability keepalive with forced-Away
//!   detection, incoming chats, accepting, every chat polled through one multi-chat
//!   request, and an ordered outgoing queue per chat.
//! - [`VisitorMachine`] ([`visitor`]): requesting a chat, polling it, the ordered outgoing
//!   queue, the 30 s info keepalive, visitor name and typing.
//!
//! Retries follow [`crate::retry::RetryPolicy`] (jitter from the machine's generator,
//! `Retry-After` honoured). Requests that change state (accept, line, end, transfer) are
//! never repeated blindly: when their outcome is unknown the machine reads the server's
//! state first ([`outgoing`] explains how a line is found).
//!
//! Secrets never show: `Debug` of machines, configurations, events and outputs redacts
//! credentials, tokens and cookies.

pub mod agent;
mod clock;
mod contract;
mod event;
mod login;
mod outbox;
mod outgoing;
mod reply;
mod rng;
mod task;
// pub mod visitor;

pub use agent::{AgentConfig, AgentMachine, ForcedAwayPolicy, MIN_POLL_INTERVAL};
pub use clock::WallClock;
pub use contract::{FailureKind, Machine, Output, RequestId, IDLE_WAKE};
pub use event::{
    CommandFailure, EndReason, LineId, MachineError, MachineEvent, SessionLostReason,
};
pub use login::LoginSettings;
pub use rng::Rng;
// pub use visitor::{VisitorConfig, VisitorMachine};
