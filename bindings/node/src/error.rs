//! The one mapping from `lpchat::Error` (and the binding's own failures) to the error codes of
//! `docs/errors.md`, shared with the Python package.
//!
//! An async napi function can only reject with a `napi::Error` whose `code` is a napi status,
//! so the error travels as a marked JSON payload in the message; `index.js` turns it into an
//! `LpchatError` with `.code`, `.status` and the extra attributes of the table. No payload
//! carries a secret or a response body: every message is the `Display` of the Rust client's
//! error (which carries neither), the same sentence Rust and Python users read.

use lpchat::proto::codec::DecodeError;
use lpchat::proto::machine::{CommandFailure, FailureKind, MachineError, SessionLostReason};
use lpchat::Error;
use serde_json::{json, Map, Value};

/// What starts the message of every error this crate makes (`index.js` looks for it).
pub const MARK: &str = "\u{1}lpchat:";

/// A binding error: a code from the table, a message, and the table's extra attributes.
#[derive(Debug)]
pub struct BindingError {
    code: &'static str,
    message: String,
    extra: Map<String, Value>,
}

impl BindingError {
    /// An error with no extra attribute.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        BindingError {
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// A bad argument or setting from the user (`LPCHAT_CONFIG`).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new("LPCHAT_CONFIG", message)
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    fn with_status(self, status: Option<http::StatusCode>) -> Self {
        match status {
            Some(s) => self.with("status", s.as_u16()),
            None => self,
        }
    }
}

impl From<BindingError> for napi::Error {
    fn from(e: BindingError) -> Self {
        let mut payload = e.extra;
        payload.insert("code".into(), e.code.into());
        payload.insert("message".into(), e.message.into());
        napi::Error::from_reason(format!("{MARK}{}", Value::Object(payload)))
    }
}

impl From<Error> for BindingError {
    fn from(e: Error) -> Self {
        map(e)
    }
}

/// The napi result of the binding's functions.
pub type Result<T> = std::result::Result<T, BindingError>;

/// snake_case name of a command failure (the `.reason` of `LPCHAT_COMMAND`).
pub fn command_reason(f: &CommandFailure) -> &'static str {
    match f {
        CommandFailure::Rejected { .. } => "rejected",
        CommandFailure::OutcomeUnknown => "outcome_unknown",
        CommandFailure::GaveUp => "gave_up",
        CommandFailure::UnknownChat => "unknown_chat",
        CommandFailure::ChatEnded => "chat_ended",
        CommandFailure::Closed => "closed",
        CommandFailure::SessionLost => "session_lost",
        CommandFailure::InvalidRequest(_) => "invalid_request",
        CommandFailure::NothingToDo => "nothing_to_do",
        _ => "other",
    }
}

/// snake_case name of why a session was lost (the `.reason` of `LPCHAT_SESSION_LOST`).
pub fn lost_reason(r: &SessionLostReason) -> &'static str {
    match r {
        SessionLostReason::BadCredentials { .. } => "bad_credentials",
        SessionLostReason::Unauthorized => "unauthorized",
        SessionLostReason::Unreachable(_) => "unreachable",
        SessionLostReason::Refused(_) => "refused",
        SessionLostReason::OutcomeUnknown(_) => "outcome_unknown",
        _ => "other",
    }
}

/// The machine error a lost reason carries, if any.
pub fn lost_error(r: &SessionLostReason) -> Option<&MachineError> {
    match r {
        SessionLostReason::Unreachable(e)
        | SessionLostReason::Refused(e)
        | SessionLostReason::OutcomeUnknown(e) => Some(e),
        _ => None,
    }
}

/// The HTTP status a lost reason carries, if any.
pub fn lost_status(r: &SessionLostReason) -> Option<http::StatusCode> {
    match r {
        SessionLostReason::BadCredentials { status } => Some(*status),
        other => lost_error(other).and_then(|e| e.status),
    }
}

/// snake_case name of a transport failure (the `.kind` of `LPCHAT_TRANSPORT`).
pub fn failure_kind(k: FailureKind) -> &'static str {
    match k {
        FailureKind::ConnectFailed => "connect_failed",
        FailureKind::Timeout => "timeout",
        FailureKind::ConnectionDropped => "connection_dropped",
        FailureKind::BodyTruncated => "body_truncated",
        _ => "other",
    }
}

/// `LPCHAT_DECODE` for a body that does not decode. The message is the codec's
/// [`DecodeError::summary`] (resource, format, kind and path), so nothing of the body is
/// quoted.
pub fn decode_error(e: &DecodeError) -> BindingError {
    decode_error_in(e, "")
}

/// [`decode_error`] inside a client error, whose message starts with `prefix` (`API: `).
fn decode_error_in(e: &DecodeError, prefix: &str) -> BindingError {
    let message = format!("{prefix}{}", e.summary());
    let err = BindingError::new("LPCHAT_DECODE", message)
        .with("resource", e.resource())
        .with("format", e.format().to_string());
    match e.path() {
        Some(path) => err.with("path", path),
        None => err,
    }
}

fn api_error(op: &lpchat::proto::ops::Error, message: String) -> BindingError {
    use lpchat::proto::ops::Error as Op;
    match op {
        Op::Unauthorized(_) => {
            BindingError::new("LPCHAT_UNAUTHORIZED", message).with_status(op.status())
        }
        // The client's message is `API: ` and the codec's; the prefix is taken from it.
        Op::Decode(d) => {
            let full = d.to_string();
            decode_error_in(d, message.strip_suffix(&full).unwrap_or(""))
        }
        _ => BindingError::new("LPCHAT_API", message).with_status(op.status()),
    }
}

/// The table of `errors.md`, one arm a row. The message is always the Rust client's
/// `Display` (the one place for the wording, the same in Rust, Python and Node); the arms
/// only add the code and the machine-readable attributes. The exception is a decode error,
/// whose message leaves out the parser's message and the masked snippet (`decode_error`).
pub fn map(e: Error) -> BindingError {
    let message = e.to_string();
    match &e {
        Error::Config(_) => BindingError::config(message),
        Error::Transport(t) if t.kind == FailureKind::Timeout => {
            BindingError::new("LPCHAT_TIMEOUT", message).with("kind", failure_kind(t.kind))
        }
        Error::Transport(t) => {
            BindingError::new("LPCHAT_TRANSPORT", message).with("kind", failure_kind(t.kind))
        }
        Error::Api(op) => api_error(op, message),
        Error::Command(CommandFailure::OutcomeUnknown) => {
            BindingError::new("LPCHAT_OUTCOME_UNKNOWN", message).with("reason", "outcome_unknown")
        }
        Error::Command(f) => {
            let status = match f {
                CommandFailure::Rejected { status } => Some(*status),
                _ => None,
            };
            BindingError::new("LPCHAT_COMMAND", message)
                .with("reason", command_reason(f))
                .with_status(status)
        }
        Error::Machine(m) => BindingError::new("LPCHAT_REQUEST_FAILED", message)
            .with("endpoint", m.endpoint)
            .with_status(m.status),
        Error::NotReady => BindingError::new("LPCHAT_NOT_READY", message),
        Error::Closed => BindingError::new("LPCHAT_CLOSED", message),
        Error::Lost(r) => BindingError::new("LPCHAT_SESSION_LOST", message)
            .with("reason", lost_reason(r))
            .with_status(lost_status(r)),
        Error::OutcomeUnknown { endpoint, .. } => {
            BindingError::new("LPCHAT_OUTCOME_UNKNOWN", message).with("endpoint", *endpoint)
        }
        // A variant added later maps to LPCHAT_API until it gets a row (errors.md).
        _ => BindingError::new("LPCHAT_API", message),
    }
}

/// Every code this crate can produce, for the test that checks the JS side knows them all.
pub fn all_codes() -> Value {
    json!([
        "LPCHAT_CONFIG",
        "LPCHAT_TIMEOUT",
        "LPCHAT_TRANSPORT",
        "LPCHAT_UNAUTHORIZED",
        "LPCHAT_DECODE",
        "LPCHAT_API",
        "LPCHAT_OUTCOME_UNKNOWN",
        "LPCHAT_COMMAND",
        "LPCHAT_REQUEST_FAILED",
        "LPCHAT_NOT_READY",
        "LPCHAT_CLOSED",
        "LPCHAT_SESSION_LOST"
    ])
}
