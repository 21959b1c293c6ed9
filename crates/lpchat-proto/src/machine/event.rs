//! What machines tell their user: [`MachineEvent`] and the reasons it carries.
//!
//! No event carries a secret: no bearer, csrf, password, key or cookie reaches an event,
//! and errors are kept as status codes and the server's error message, never as a body.

use std::fmt;

use http::StatusCode;

use crate::model::{AgentInfo, AgentSessionId, AgentState, ChatId, ChatInfo, Event, EventId};
use crate::ops;

/// Names one item a user queued on a chat: a line, the end of the chat, or a transfer.
/// Ids are unique within one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId(pub u64);

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line#{}", self.0)
    }
}

/// Something a machine reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MachineEvent {
    /// Logged in (L1), first or again after a 401; also emitted at the start when the
    /// machine uses an existing bearer.
    LoggedIn,
    /// A refresh (L2) kept the login alive.
    SessionRenewed,
    /// The login cannot be kept or regained (e.g. a re-login refused the credentials). The
    /// machine is finished: queued items failed, nothing more is sent.
    SessionLost(SessionLostReason),
    /// The agent session (A2) started.
    AgentSessionStarted {
        /// The session id, when its URL shows one.
        session: Option<AgentSessionId>,
    },
    /// The logged-in agent's information (A9), read once after the session started.
    AgentInfo(Box<AgentInfo>),
    /// The server confirmed an availability the machine set (A6).
    AvailabilityChanged(AgentState),
    /// The server shows an availability the user did not ask for, typically `Away` after a
    /// chat rang unaccepted for 20 s (spec A6). By the
    /// [`ForcedAwayPolicy`](super::ForcedAwayPolicy) the machine sets the wanted one again,
    /// or adopts what it saw.
    AvailabilityForced {
        /// What the user asked for.
        wanted: AgentState,
        /// What the server shows.
        seen: AgentState,
    },
    /// New chats ring for this agent: the ringing count rose above the last one less the
    /// chats accepted since (the API gives a count, not the chats).
    ChatOffered {
        /// How many chats ring.
        ringing_count: u64,
    },
    /// The ringing stopped (count back to 0) without this machine accepting.
    OfferWithdrawn,
    /// A chat was accepted (A11) and is now polled.
    ChatAccepted(ChatId),
    /// An accept failed: nothing was accepted, or its outcome stayed unknown.
    AcceptFailed(CommandFailure),
    /// A new event of a chat, delivered once, in id order per chat.
    ChatEvent {
        /// The chat.
        chat: ChatId,
        /// The event.
        event: Event,
    },
    /// A chat's information changed (visitor: V10/V13; agent: A13).
    InfoUpdated {
        /// The chat.
        chat: ChatId,
        /// Its information as the server now shows it.
        info: Box<ChatInfo>,
    },
    /// A chat is over for this machine (it ended, left the agent, or was unfollowed), after
    /// every event of it the machine could read was delivered; it is no longer polled.
    ChatEnded {
        /// The chat.
        chat: ChatId,
        /// Why it is over.
        reason: EndReason,
    },
    /// A queued line (or end) is in the chat, exactly once.
    LineDelivered {
        /// The item, as [`AgentMachine::send_line`](super::AgentMachine::send_line) or
        /// [`VisitorMachine::send_line`](super::VisitorMachine::send_line) returned it.
        id: LineId,
        /// Its chat.
        chat: ChatId,
        /// Its event id, when the server named it or reconciliation found it.
        event: Option<EventId>,
    },
    /// A queued line (or end) was not delivered, or its fate stayed unknown.
    LineFailed {
        /// The item.
        id: LineId,
        /// Its chat.
        chat: ChatId,
        /// Why.
        reason: CommandFailure,
    },
    /// A queued transfer (A24) was done.
    TransferDone {
        /// The item.
        id: LineId,
        /// The chat.
        chat: ChatId,
    },
    /// A queued transfer failed, or its fate stayed unknown.
    TransferFailed {
        /// The item.
        id: LineId,
        /// The chat.
        chat: ChatId,
        /// Why.
        reason: CommandFailure,
    },
    /// Visitor: the chat was requested (V8) and exists.
    ChatStarted(ChatId),
    /// A request failed and was given up, without ending the session (a poll refused with
    /// a 4xx, a keepalive that failed its schedule, …). Polling goes on.
    Error(MachineError),
    /// The machine finished after `close()` (or the visitor chat ended): nothing more will
    /// be sent.
    Closed,
}

/// Why a login was lost for good.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionLostReason {
    /// The Login Service refused the credentials (a 4xx to the login).
    BadCredentials {
        /// The status of the refusal.
        status: StatusCode,
    },
    /// A request was refused (401) and the machine has no way to log in again (an existing
    /// bearer), or logging in again kept being refused.
    Unauthorized,
    /// The login, or the agent session, could not be made and the retries gave up.
    Unreachable(MachineError),
    /// The server refused to open the agent session (A2) or the chat (V8).
    Refused(MachineError),
    /// The chat request (V8) may or may not have created a chat: its answer was lost, and
    /// the visitor API has no way to find the chat. It is not requested again (that could
    /// queue a second chat).
    OutcomeUnknown(MachineError),
}

/// A sentence a user reads; no secret (a [`MachineError`] carries none).
impl fmt::Display for SessionLostReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionLostReason::BadCredentials { status } => {
                write!(
                    f,
                    "the Login Service refused the credentials (HTTP {status})"
                )
            }
            SessionLostReason::Unauthorized => {
                f.write_str("the login was refused (401) and cannot be renewed")
            }
            SessionLostReason::Unreachable(e) if e.status.is_none() => {
                write!(f, "cannot reach the server: {e}")
            }
            SessionLostReason::Unreachable(e) => write!(f, "the server kept failing: {e}"),
            SessionLostReason::Refused(e) => write!(f, "the server refused the session: {e}"),
            SessionLostReason::OutcomeUnknown(e) => write!(
                f,
                "the chat request's outcome is unknown, so it is not made again: {e}"
            ),
        }
    }
}

/// Why a chat is over.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// Its `ended` state event (or its information's state) said so.
    Ended,
    /// The server reported an error for the chat (a `chat.error` in a 2xx body).
    ServerError(String),
    /// This machine transferred the chat (A24); the events the transfer brought (the note,
    /// the system line, the `waiting` state) were delivered first.
    Transferred,
    /// The chat left this agent without this machine transferring it: the server shows it
    /// back in the queue (`waiting`: transferred by another session, requeued) or with
    /// another agent, or refuses it to this agent (403/404). Its events up to then were
    /// delivered.
    Left,
    /// The server stopped returning the chat in the multi-chat answers and the agent's chat
    /// sessions (A12) do not list it.
    Gone,
    /// The user stopped following it (`unfollow`); the chat itself goes on.
    Unfollowed,
}

/// Why a command (an accept, a line, an end, a transfer) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandFailure {
    /// The server refused it (a 4xx other than 401 and 429): it did not happen.
    Rejected {
        /// The status.
        status: StatusCode,
    },
    /// It may or may not have happened: the retries ran out while its outcome was unknown
    /// and reading the server's state did not settle it.
    OutcomeUnknown,
    /// It did not happen (reading the server's state showed it), and the retries ran out.
    GaveUp,
    /// The chat is not one this machine follows.
    UnknownChat,
    /// The chat ended before the item was sent.
    ChatEnded,
    /// The machine was closed before the item was sent.
    Closed,
    /// The login was lost before the item was sent.
    SessionLost,
    /// The request could not be built (e.g. a server link that is not a usable URL).
    InvalidRequest(String),
    /// Nothing was ringing (accept), or there was nothing to act on.
    NothingToDo,
}

/// A sentence a user reads, completing "cannot send the line: …".
impl fmt::Display for CommandFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandFailure::Rejected { status } => {
                write!(f, "the server refused it (HTTP {status})")
            }
            CommandFailure::OutcomeUnknown => f.write_str(
                "its outcome is unknown after the retries (check the chat before repeating it)",
            ),
            CommandFailure::GaveUp => f.write_str("the retries ran out"),
            CommandFailure::UnknownChat => f.write_str("the chat is not followed"),
            CommandFailure::ChatEnded => f.write_str("the chat has ended"),
            CommandFailure::Closed => f.write_str("the session was closed first"),
            CommandFailure::SessionLost => f.write_str("the session was lost"),
            CommandFailure::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            CommandFailure::NothingToDo => f.write_str("there was nothing to act on"),
        }
    }
}

/// A request that failed and was given up, as a machine reports it: which endpoint, the
/// status when there was one, and a message free of secrets and bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MachineError {
    /// The endpoint (`A13`, `L2`, …).
    pub endpoint: &'static str,
    /// The HTTP status, when the server answered.
    pub status: Option<StatusCode>,
    /// What went wrong.
    pub message: String,
}

impl MachineError {
    /// An error of `endpoint`.
    pub fn new(
        endpoint: &'static str,
        status: Option<StatusCode>,
        message: impl Into<String>,
    ) -> Self {
        MachineError {
            endpoint,
            status,
            message: message.into(),
        }
    }

    /// From an operation's error (whose `Display` carries no secret and no body).
    pub fn from_op(endpoint: &'static str, error: &ops::Error) -> Self {
        MachineError::new(endpoint, error.status(), error.to_string())
    }
}

impl fmt::Display for MachineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.endpoint, self.message)
    }
}
