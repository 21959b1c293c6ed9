//! # lpchat-proto
//!
//! The sans-IO core of lpchat, a client toolkit for LivePerson's legacy chat REST APIs (Chat
//! Agent API, Server Chat API, Login Service, Domain API). No sockets, no clock, no runtime:
//! bytes and [`http`] types in, bytes and [`http`] types out, time passed in as a parameter.
//!
//! - [`model`]: every resource, typed, with the wire's quirks absorbed.
//! - [`codec`]: JSON and XML decoding and encoding to and from the same model.
//! - [`cursor`]: per-chat event cursors and the multi-chat cursor set, with resume tokens.
//! - [`retry`]: the retry policy, a pure function of the failure and the attempt.
//! - [`auth`]: secrets, credentials, OAuth 1.0 signing, the per-session cookie jar.
//! - [`ops`]: one operation per endpoint, building requests and parsing responses.
//! - [`machine`]: the agent session and visitor chat state machines (`poll_output` /
//!   `handle_response` / `handle_failure`), with the login lifecycle.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod auth;
pub mod codec;
pub mod cursor;
mod format;
pub mod machine;
pub mod model;
pub mod ops;
pub mod resources;
pub mod retry;

pub use codec::{
    decode, decode_detect, encode, DecodeError, DecodeErrorKind, EncodeError, Limits, Resource,
};
pub use cursor::{ChatCursor, CursorSet, Delivery, Page, TokenError};
pub use format::Format;
pub use machine::{
    AgentConfig, AgentMachine, FailureKind, LineId, Machine, MachineEvent, Output, RequestId,
    VisitorConfig, VisitorMachine, WallClock,
};
pub use retry::{Attempt, Decision, Failure, Idempotency, OuterLoop, RetryAfter, RetryPolicy};

pub use auth::{Credentials, Secret};
pub use ops::{Context, Operation};
