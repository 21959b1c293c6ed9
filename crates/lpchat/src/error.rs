//! [`Error`]: what the client's async methods fail with. No variant carries a secret or a
//! response body.

use lpchat_proto::machine::{CommandFailure, MachineError, SessionLostReason};
use lpchat_proto::retry::Failure;

use crate::transport::TransportFailure;

/// Why a client call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client or session was configured wrongly (bad URL, proxy, certificate …).
    Config(String),
    /// The request got no readable response.
    Transport(TransportFailure),
    /// The server answered with an error, or an answer that does not parse.
    Api(lpchat_proto::ops::Error),
    /// A queued command (line, end, transfer, accept) failed.
    Command(CommandFailure),
    /// A request was given up by the session.
    Machine(MachineError),
    /// The session is not logged in yet, or no longer.
    NotReady,
    /// The session is closed.
    Closed,
    /// The session or chat was lost (for a visitor: the chat request failed, or its
    /// outcome is unknown).
    Lost(SessionLostReason),
    /// A state-changing one-off request (a transcript request, an offline survey, an
    /// operation passed to `call`) may have taken effect: a 5xx, a timeout, a dropped
    /// connection or a cut answer came after it left. It was not sent again; read the
    /// server's state before sending it again.
    OutcomeUnknown {
        /// The endpoint's number(s) in the spec (`V18`).
        endpoint: &'static str,
        /// How it failed.
        failure: Failure,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(m) => write!(f, "configuration: {m}"),
            Error::Transport(t) => write!(f, "transport: {t}"),
            Error::Api(e) => write!(f, "API: {e}"),
            Error::Command(c) => write!(f, "command failed: {c}"),
            Error::Machine(e) => write!(f, "{e}"),
            Error::NotReady => f.write_str("the session is not logged in"),
            Error::Closed => f.write_str("the session is closed"),
            Error::Lost(r) => write!(f, "session lost: {r}"),
            Error::OutcomeUnknown { endpoint, failure } => {
                write!(f, "{endpoint}: outcome unknown ({failure}); not sent again")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<TransportFailure> for Error {
    fn from(t: TransportFailure) -> Self {
        Error::Transport(t)
    }
}

impl From<lpchat_proto::ops::Error> for Error {
    fn from(e: lpchat_proto::ops::Error) -> Self {
        Error::Api(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    /// Messages are sentences, not `Debug` output: no variant names, no braces.
    #[test]
    fn messages_read_as_sentences() {
        let cases = [
            (
                Error::Command(CommandFailure::Rejected {
                    status: StatusCode::NOT_FOUND,
                }),
                "command failed: the server refused it (HTTP 404 Not Found)",
            ),
            (
                Error::Command(CommandFailure::OutcomeUnknown),
                "command failed: its outcome is unknown after the retries (check the chat before repeating it)",
            ),
            (
                Error::Lost(SessionLostReason::BadCredentials {
                    status: StatusCode::UNAUTHORIZED,
                }),
                "session lost: the Login Service refused the credentials (HTTP 401 Unauthorized)",
            ),
            (
                Error::Lost(SessionLostReason::Unreachable(MachineError::new(
                    "L1",
                    None,
                    "connection refused",
                ))),
                "session lost: cannot reach the server: L1: connection refused",
            ),
            (
                Error::OutcomeUnknown {
                    endpoint: "V18",
                    failure: Failure::ConnectionDropped,
                },
                "V18: outcome unknown (the connection dropped before the response); not sent again",
            ),
            // The bindings' messages are these sentences; the Python and Node suites check
            // some against the emulator (test_messages_are_the_rust_sentences,
            // errors.test.mjs).
            (
                Error::Command(CommandFailure::UnknownChat),
                "command failed: the chat is not followed",
            ),
            (
                Error::Command(CommandFailure::NothingToDo),
                "command failed: there was nothing to act on",
            ),
            (
                Error::Command(CommandFailure::Closed),
                "command failed: the session was closed first",
            ),
            (
                Error::OutcomeUnknown {
                    endpoint: "V18",
                    failure: Failure::status(StatusCode::INTERNAL_SERVER_ERROR),
                },
                "V18: outcome unknown (HTTP 500 Internal Server Error); not sent again",
            ),
            (Error::Closed, "the session is closed"),
        ];
        for (error, text) in cases {
            let shown = error.to_string();
            assert_eq!(shown, text);
            assert!(
                !shown.contains('{') && !shown.contains("Rejected"),
                "{shown}"
            );
        }
    }
}
