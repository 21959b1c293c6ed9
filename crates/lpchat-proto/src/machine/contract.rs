//! The contract every machine keeps, after quinn-proto and str0m: outputs are pulled with
//! [`Machine::poll_output`], results are pushed with [`Machine::handle_response`] and
//! [`Machine::handle_failure`], and time only ever comes in as a parameter.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};

use super::event::MachineEvent;
use crate::retry::Failure;

/// How far ahead a machine with nothing scheduled asks to be woken. Waking it early or late
/// does no harm: it only looks at its timers again.
pub const IDLE_WAKE: Duration = Duration::from_secs(3600);

/// How long a machine waits for the answer to a request it handed out before it handles
/// the request as timed out ([`FailureKind::Timeout`]): 60 s by default
/// (`AgentConfig::request_deadline`, `VisitorConfig::request_deadline`).
///
/// Every [`Output::Send`] is answered exactly once, by the driver
/// ([`Machine::handle_response`] or [`Machine::handle_failure`]) or by this deadline,
/// whichever comes first; an answer that comes after the deadline is ignored. The deadline
/// is a backstop for answers that never come (a send task that died, a socket that hangs),
/// not the transport's timeout: a driver sets it above the longest exchange its transport
/// allows (the lpchat client: connect wait + request timeout + 5 s), so on a healthy link
/// the transport always answers first.
pub const DEFAULT_REQUEST_DEADLINE: Duration = Duration::from_secs(60);

/// Names one request a machine asked to send, so that its result can be handed back.
///
/// Ids are unique within one machine and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub(crate) u64);

impl RequestId {
    /// The id as a number (for logs and maps; it carries no meaning beyond identity).
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "req#{}", self.0)
    }
}

/// What a machine wants done next.
///
/// `Debug` of a [`Output::Send`] shows the request through `http`'s own `Debug`, which
/// prints the `Authorization` and `Cookie` headers as `Sensitive` (the machines mark them
/// so); the body of a login request carries credentials, so it is shown by length only.
pub enum Output {
    /// Send this request and hand its result back with the same id.
    Send {
        /// The request's id.
        id: RequestId,
        /// The request, complete with URL, headers and body.
        request: Request<Bytes>,
    },
    /// Something happened that the user should know.
    Event(MachineEvent),
    /// Nothing to do until this instant (or until a response, a failure or a command
    /// comes in): call [`Machine::poll_output`] again then.
    Timeout(Instant),
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Send { id, request } => f
                .debug_struct("Send")
                .field("id", id)
                .field("method", request.method())
                .field("uri", &redacted_uri(request.uri()))
                .field("headers", request.headers())
                .field("body_len", &request.body().len())
                .finish(),
            Output::Event(event) => f.debug_tuple("Event").field(event).finish(),
            Output::Timeout(at) => f.debug_tuple("Timeout").field(at).finish(),
        }
    }
}

/// The URI without its query (a visitor URL may carry the app key as `appKey=`).
fn redacted_uri(uri: &http::Uri) -> String {
    match uri.query() {
        Some(_) => format!("{}?…", uri.path()),
        None => uri.path().to_owned(),
    }
}

/// How a request failed without a response the machine could read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// No connection could be made (refused, DNS, TLS handshake): the request was certainly
    /// not sent.
    ConnectFailed,
    /// The request was sent (or may have been) and no response came in time.
    Timeout,
    /// The connection dropped after the request was sent, before a response came.
    ConnectionDropped,
    /// A response came but its body was cut short.
    BodyTruncated,
}

impl FailureKind {
    /// The failure as the retry policy reads it.
    pub fn as_failure(self) -> Failure {
        match self {
            FailureKind::ConnectFailed => Failure::ConnectFailed,
            FailureKind::Timeout => Failure::Timeout,
            FailureKind::ConnectionDropped => Failure::ConnectionDropped,
            FailureKind::BodyTruncated => Failure::BodyInvalid,
        }
    }
}

/// The sans-IO contract of the login, agent-session and visitor-chat machines.
///
/// A driver:
///
/// 1. calls [`Machine::poll_output`] until it returns [`Output::Timeout`], sending every
///    [`Output::Send`] and handing every [`Output::Event`] to the user; every `Send` must
///    be answered once, by a response or a failure (see [`DEFAULT_REQUEST_DEADLINE`] for
///    the machine's own deadline on answers that never come);
/// 2. waits until the timeout, a response, a failure or a user command;
/// 3. feeds what happened in ([`Machine::handle_response`], [`Machine::handle_failure`], or
///    a command method of the machine) and goes back to 1.
///
/// Machines never block, never read a clock and never touch a socket: every method takes
/// the current instant, and `now` must not go backwards between calls (an earlier instant
/// is treated as the latest one seen). Results for unknown or already settled ids are
/// ignored.
///
/// Requests a driver sends on its own (operations the machines run no loop for) stay
/// outside this loop: see [One-off requests](super#one-off-requests).
pub trait Machine {
    /// The next thing to do at `now`.
    fn poll_output(&mut self, now: Instant) -> Output;

    /// The response to request `id`, whatever its status.
    fn handle_response(&mut self, id: RequestId, response: Response<Bytes>, now: Instant);

    /// Request `id` failed without a readable response.
    fn handle_failure(&mut self, id: RequestId, kind: FailureKind, now: Instant);

    /// Whether the machine has finished (closed, or its session is lost): it will send
    /// nothing more.
    fn is_closed(&self) -> bool;

    /// Pauses (or resumes) the polls that bring new events (the agent's chat and incoming
    /// polls, the visitor's chat poll), for a driver whose consumer has fallen behind:
    /// keepalives, the login, the outgoing queue and closing go on, so the session stays
    /// alive and commands still work. A poll that came due while paused goes once resumed.
    fn set_polling_paused(&mut self, paused: bool);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_debug_hides_credentials() {
        let mut auth = http::HeaderValue::from_static("Bearer s3cr3t-bearer");
        auth.set_sensitive(true);
        let request = Request::builder()
            .method("POST")
            .uri("https://h/api/account/1/chat/request?appKey=k3y&v=1")
            .header(http::header::AUTHORIZATION, auth)
            .body(Bytes::from_static(b"{\"password\":\"pw-9\"}"))
            .unwrap();
        let out = Output::Send {
            id: RequestId(7),
            request,
        };
        let d = format!("{out:?}");
        for secret in ["s3cr3t", "k3y", "pw-9"] {
            assert!(!d.contains(secret), "{d}");
        }
        assert!(d.contains("/api/account/1/chat/request"), "{d}");
        assert_eq!(RequestId(7).to_string(), "req#7");
    }

    #[test]
    fn failure_kinds_map_to_the_policy() {
        assert_eq!(
            FailureKind::ConnectFailed.as_failure(),
            Failure::ConnectFailed
        );
        assert_eq!(
            FailureKind::BodyTruncated.as_failure(),
            Failure::BodyInvalid
        );
        assert!(!FailureKind::Timeout.as_failure().certainly_not_applied());
    }
}
