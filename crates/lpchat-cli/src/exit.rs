//! Exit codes and [`CliError`], the one place where client errors become a line for a
//! person and a code for a script (the table is in `docs/cli.md`).

use lpchat::{CommandFailure, Error, SessionLostReason};

/// Everything went as asked.
pub const OK: u8 = 0;
/// Bad input data or configuration, or another failure (a body that does not decode, an
/// unreadable file, a missing setting).
pub const INPUT: u8 = 1;
/// Wrong use of the command (clap's code).
pub const USAGE: u8 = 2;
/// The host cannot be reached: DNS, connect, TLS or timeout.
pub const UNREACHABLE: u8 = 3;
/// The Login Service refused the credentials.
pub const BAD_CREDENTIALS: u8 = 4;
/// The session or the login was lost and cannot be regained (an expired or revoked bearer).
pub const SESSION_EXPIRED: u8 = 5;
/// The chat is not one of the agent's active chats.
pub const UNKNOWN_CHAT: u8 = 6;
/// The server refused the request (after the retries the policy allows).
pub const API: u8 = 7;
/// `lpchat demo`: a transcript check found a lost or doubled line.
pub const DEMO_CHECK: u8 = 8;

/// A failure the user can act on, with the exit code it maps to. Its message is one line
/// and carries no secret (client errors never hold one).
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// A failure with an explicit exit code (one of this module's constants).
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code,
        }
    }

    /// Bad input data (a body that does not decode, an unreadable file, a missing
    /// setting): exit 1.
    pub fn input(message: String) -> Self {
        CliError::new(INPUT, message)
    }

    /// Wrong use of the command: exit 2, as clap does.
    pub fn usage(message: String) -> Self {
        CliError::new(USAGE, message)
    }

    /// A check of `lpchat demo` failed (a line lost or doubled): exit 8.
    pub fn check_failed(message: String) -> Self {
        CliError::new(DEMO_CHECK, message)
    }

    /// Writing the output failed (closed pipe): exit 1.
    pub fn io(e: std::io::Error) -> Self {
        CliError::new(INPUT, format!("cannot write output: {e}"))
    }

    /// The chat is not an active chat of the agent: exit 6.
    pub fn unknown_chat(chat: &str) -> Self {
        CliError::new(
            UNKNOWN_CHAT,
            format!("no active chat `{chat}` for this agent (see `lpchat chats`)"),
        )
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The message, on one line.
    pub fn message(&self) -> String {
        self.message.replace(['\n', '\r'], " ")
    }

    /// A client error while doing `what` (`"send the line"`).
    pub fn client(what: &str, error: &Error) -> Self {
        let code = match error {
            Error::Config(_) => INPUT,
            // The request could not be built from the settings (plain http to a host that is
            // not loopback, a malformed --domain): nothing was sent, the setting is wrong.
            Error::Api(e) if is_request_error(e) => INPUT,
            Error::Transport(_) => UNREACHABLE,
            Error::Api(e) if e.is_unauthorized() => SESSION_EXPIRED,
            Error::Api(_) => API,
            Error::Command(failure) => return CliError::command(what, failure),
            Error::Machine(e) if e.status.is_none() => UNREACHABLE,
            Error::Machine(_) => API,
            Error::NotReady | Error::Closed => SESSION_EXPIRED,
            Error::Lost(reason) => return CliError::lost(reason),
            _ => API,
        };
        CliError::new(code, format!("cannot {what}: {error}"))
    }

    /// A client error of a request on one chat: a 403 or 404 means the chat is not the
    /// agent's.
    pub fn chat(what: &str, error: &Error) -> Self {
        match error {
            Error::Api(e) if is_unknown_chat_status(e.status()) => {
                CliError::new(UNKNOWN_CHAT, format!("cannot {what}: {error}"))
            }
            _ => CliError::client(what, error),
        }
    }

    /// A queued command (line, end, transfer, accept) that failed: the code by its kind,
    /// the sentence from the failure's `Display`.
    pub fn command(what: &str, failure: &CommandFailure) -> Self {
        let code = match failure {
            CommandFailure::Rejected { status } if is_unknown_chat_status(Some(*status)) => {
                return CliError::new(
                    UNKNOWN_CHAT,
                    format!(
                        "cannot {what}: the server does not let this agent write to the chat (HTTP {status})"
                    ),
                );
            }
            CommandFailure::UnknownChat | CommandFailure::ChatEnded => UNKNOWN_CHAT,
            CommandFailure::Closed | CommandFailure::InvalidRequest(_) => INPUT,
            CommandFailure::SessionLost => SESSION_EXPIRED,
            _ => API,
        };
        CliError::new(code, format!("cannot {what}: {failure}"))
    }

    /// The login or the session was lost for good: the code by its kind, the sentence from
    /// the reason's `Display` (with what to do for the two a user can fix).
    pub fn lost(reason: &SessionLostReason) -> Self {
        match reason {
            SessionLostReason::BadCredentials { .. } => CliError::new(
                BAD_CREDENTIALS,
                format!("{reason}; check the account, user name and password or API key"),
            ),
            SessionLostReason::Unauthorized => {
                CliError::new(SESSION_EXPIRED, format!("{reason}; log in again"))
            }
            SessionLostReason::Unreachable(e) if e.status.is_none() => {
                CliError::new(UNREACHABLE, reason.to_string())
            }
            other => CliError::new(API, other.to_string()),
        }
    }
}

/// Errors of building a request, before anything is sent.
fn is_request_error(e: &lpchat::proto::ops::Error) -> bool {
    use lpchat::proto::ops::Error as Op;
    matches!(
        e,
        Op::InsecureScheme | Op::InvalidUrl(_) | Op::InvalidHeader(_) | Op::Encode(_)
    )
}

/// 403 (a chat of another agent) and 404 (no such chat) on a chat resource.
fn is_unknown_chat_status(status: Option<http::StatusCode>) -> bool {
    status.is_some_and(|s| s == http::StatusCode::FORBIDDEN || s == http::StatusCode::NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lpchat::proto::machine::MachineError;

    #[test]
    fn lost_sessions_map_to_their_codes() {
        let status = http::StatusCode::UNAUTHORIZED;
        assert_eq!(
            CliError::lost(&SessionLostReason::BadCredentials { status }).code(),
            BAD_CREDENTIALS
        );
        assert_eq!(
            CliError::lost(&SessionLostReason::Unauthorized).code(),
            SESSION_EXPIRED
        );
        let down = MachineError::new("L1", None, "connection refused");
        assert_eq!(
            CliError::lost(&SessionLostReason::Unreachable(down)).code(),
            UNREACHABLE
        );
    }

    #[test]
    fn refused_chat_commands_are_unknown_chats() {
        let status = http::StatusCode::NOT_FOUND;
        let e = CliError::command("send", &CommandFailure::Rejected { status });
        assert_eq!(e.code(), UNKNOWN_CHAT);
        let status = http::StatusCode::BAD_REQUEST;
        assert_eq!(
            CliError::command("send", &CommandFailure::Rejected { status }).code(),
            API
        );
    }

    #[test]
    fn requests_that_cannot_be_built_are_bad_settings() {
        use lpchat::proto::ops::Error as Op;
        let insecure = Error::Api(Op::InsecureScheme);
        assert_eq!(CliError::client("look up", &insecure).code(), INPUT);
        let url = Error::Api(Op::InvalidUrl("spaces"));
        assert_eq!(CliError::client("look up", &url).code(), INPUT);
        let refused = Error::Api(Op::MissingLocation);
        assert_eq!(CliError::client("send", &refused).code(), API);
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(CliError::new(API, "a\nb").message(), "a b");
    }
}
