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
//!   at a time on 401 (see [Login lifecycle](#login-lifecycle)), the agent session, availability keepalive with forced-Away
//!   detection, incoming chats, accepting, every chat polled through one multi-chat
//!   request, and an ordered outgoing queue per chat.
//! - [`VisitorMachine`] ([`visitor`]): requesting a chat, polling it, the ordered outgoing
//!   queue, the 30 s info keepalive, visitor name and typing.
//!
//! Retries follow [`crate::retry::RetryPolicy`] (jitter from the machine's generator,
//! `Retry-After` honoured, read against the response's own `Date`). Polls and keepalives go
//! on in the policy's outer loop; a 4xx they cannot cure is reported
//! ([`MachineEvent::Error`]) and the loop waits the outer loop's pause.
//!
//! Secrets never show: `Debug` of machines, configurations, events and outputs redacts
//! credentials, tokens and cookies.
//!
//! # Login lifecycle
//!
//! - User and password, or a JWT: the login's (L1) bearer authenticates every agent request.
//! - API key: the application login (L1) gives the csrf and the `Session_id` cookie that
//!   keep the login alive; with [`LoginSettings::sign_requests`] (the default) every agent
//!   request is signed with OAuth 1.0 instead of carrying the bearer, each with the current
//!   Unix time and a fresh nonce.
//! - An existing bearer: no login of our own. It is refreshed only when its csrf is known,
//!   never logged out (the login belongs to whoever made it), and a 401 cannot be cured: the
//!   session is lost.
//!
//! The refresh (L2) runs every `min(sessionTTl / 2, 5 minutes)`, never more often than every
//! second, and every 5 minutes when the login did not give its lifetime. A refresh refused
//! with 401 logs in again.
//!
//! One re-login at a time: each successful login starts a new *generation*, and every agent
//! request remembers the generation it was authenticated with. A 401 to a request of the
//! current generation starts one re-login; a 401 to a request of an older generation (sent
//! before the re-login finished) does not start another. Requests that got a 401 did not act
//! on the server, so they simply become due again, and nothing goes to the agent API until
//! the re-login is done; then each is sent once more. A login refused with a 4xx, or
//! re-logins that keep being answered with 401 without any agent request succeeding in
//! between ([`LoginSettings::max_relogins`]), lose the session
//! ([`MachineEvent::SessionLost`]). `close()` ends the agent session (A4) and logs out (L3).
//! The cookie jar is the machine's own: one per agent session.
//!
//! # One-off requests
//!
//! Operations the machines run no loop for (available agents, chat info, typing, surveys,
//! a raw GET) are sent by the driver itself, outside [`Machine::poll_output`]: they have no
//! [`RequestId`] and no machine deadline. An agent session's one-off request still uses the
//! machine's login, through two methods:
//!
//! - [`AgentMachine::request_context`]`(now)` gives the context of one attempt (the login's
//!   bearer, or a fresh OAuth signature, and the jar's cookies) with the login *generation*
//!   it belongs to; `None` while logging in, and once closed or lost. A context serves one
//!   attempt: a signature's nonce must not be sent twice.
//! - [`AgentMachine::observe_response`]`(generation, &response, now)` takes every response
//!   to such an attempt, whatever its status: its cookies go to the jar, and a 401 of the
//!   current generation starts one re-login, as for the machine's own requests (a 401 of an
//!   older one starts none). Transport failures are not handed in: the machine has nothing
//!   to learn from them.
//!
//! What to do with each attempt's outcome is [`OneOffCall`]'s: the retry policy as the
//! machines apply it, and one re-login per call ([`OneOffStep::Relogin`]): after a 401 the
//! driver waits, at most [`OneOffCall::login_wait`], for a context of a newer generation
//! than the refused one, and sends once more; a second 401 is the call's error. A visitor's
//! one-off requests use a fixed context (its app key), which no login renews.
//!
//! # Requests that change state
//!
//! An accept, a line, an end or a transfer is never repeated blindly. A timeout, a dropped
//! connection, a cut body or a 5xx leaves its outcome unknown (the policy says
//! [`Decision::Reconcile`](crate::retry::Decision::Reconcile)); after the policy's pause the
//! machine reads the server's state, and only when the request did not take effect sends it
//! again, as the next attempt. When the retries run out with the outcome still unknown, the
//! state is read once more before the item is reported failed.
//!
//! Each chat has an ordered queue: items leave it in order, one in flight at a time, so the
//! visitor sees lines in the order they were written and an end after the lines before it.
//! An item of unknown outcome is looked for in the chat's events (A15, V11), read from the
//! position the chat had before the item's first send:
//!
//! - a line matches a line from our side (`source` agent, or visitor) with the same text
//!   (surrounding white space ignored) or, for rich content, the same `json`;
//! - an end matches an `ended` state event; a transfer, a system line of message 13 or 15
//!   (spec §9.4);
//! - event ids known to be our own earlier items (from a `201`, or found before) are never
//!   matched again, so two identical lines in a row are told apart.
//!
//! The server may rewrite HTML (link targets become `_blank`): an HTML line it rewrote is
//! not recognised and is sent again — the price of never losing a line. An accept of
//! unknown outcome is looked for in the agent's chat sessions (A12); a chat request (V8)
//! cannot be looked for and is not repeated.

pub mod agent;
mod answer;
mod clock;
mod contract;
mod event;
mod login;
mod oneoff;
mod outbox;
mod outgoing;
mod reply;
mod rng;
mod schedule;
mod states;
pub mod visitor;

pub use agent::{AgentConfig, AgentMachine, ForcedAwayPolicy, MIN_POLL_INTERVAL};
pub use clock::WallClock;
pub use contract::{FailureKind, Machine, Output, RequestId, DEFAULT_REQUEST_DEADLINE, IDLE_WAKE};
pub use event::{CommandFailure, EndReason, LineId, MachineError, MachineEvent, SessionLostReason};
pub use login::LoginSettings;
pub use oneoff::{OneOffCall, OneOffStep};
pub use rng::Rng;
pub use visitor::{VisitorConfig, VisitorMachine};
