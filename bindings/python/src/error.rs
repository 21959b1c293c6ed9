//! `lpchat::Error` to Python exceptions: the one `match` of docs/errors.md.
//!
//! The classes live in `lpchat/errors.py` (plain Python, so users can import and catch
//! them without the native module, and subclass checks with builtins work as written);
//! each is made here by name with its attributes. Messages come from the Rust client's
//! `Display`, which carries no secret and no response body.

use lpchat::proto::machine::{CommandFailure, FailureKind, SessionLostReason};
use lpchat::proto::{DecodeError, DecodeErrorKind};
use lpchat::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Failures of the binding itself (no `lpchat::Error` behind them).
#[derive(Debug)]
pub(crate) enum BindingError {
    /// Used in a process forked after the runtime started.
    Forked,
    /// A blocking call from a thread of the runtime.
    Misuse,
    /// The runtime could not start, or a task of it failed.
    Runtime(String),
    /// A bad argument value.
    Config(String),
}

/// One exception: its class name in `lpchat.errors`, message and attributes.
struct Spec {
    class: &'static str,
    message: String,
    attrs: Vec<(&'static str, Attr)>,
}

enum Attr {
    Int(Option<u16>),
    Str(Option<String>),
}

fn status_of(s: Option<http::StatusCode>) -> Attr {
    Attr::Int(s.map(|s| s.as_u16()))
}

/// The snake_case name of a command failure (`.reason`).
pub(crate) fn command_reason(c: &CommandFailure) -> &'static str {
    match c {
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

/// The status of a rejected command.
pub(crate) fn command_status(c: &CommandFailure) -> Option<u16> {
    match c {
        CommandFailure::Rejected { status } => Some(status.as_u16()),
        _ => None,
    }
}

/// The snake_case name of a lost session's reason (`.reason`).
pub(crate) fn lost_reason(r: &SessionLostReason) -> &'static str {
    match r {
        SessionLostReason::BadCredentials { .. } => "bad_credentials",
        SessionLostReason::Unauthorized => "unauthorized",
        SessionLostReason::Unreachable(_) => "unreachable",
        SessionLostReason::Refused(_) => "refused",
        SessionLostReason::OutcomeUnknown(_) => "outcome_unknown",
        _ => "other",
    }
}

/// The status behind a lost session, where there is one.
pub(crate) fn lost_status(r: &SessionLostReason) -> Option<u16> {
    match r {
        SessionLostReason::BadCredentials { status } => Some(status.as_u16()),
        SessionLostReason::Unreachable(m)
        | SessionLostReason::Refused(m)
        | SessionLostReason::OutcomeUnknown(m) => m.status.map(|s| s.as_u16()),
        _ => None,
    }
}

/// The snake_case name of a transport failure (`.kind`).
pub(crate) fn failure_kind(k: FailureKind) -> &'static str {
    match k {
        FailureKind::ConnectFailed => "connect_failed",
        FailureKind::Timeout => "timeout",
        FailureKind::ConnectionDropped => "connection_dropped",
        FailureKind::BodyTruncated => "body_truncated",
        _ => "other",
    }
}

/// The snake_case name of a decode error's kind (`DecodeError.kind`).
fn decode_kind(k: &DecodeErrorKind) -> &'static str {
    match k {
        DecodeErrorKind::TooLarge { .. } => "too_large",
        DecodeErrorKind::Utf8 => "utf8",
        DecodeErrorKind::Syntax => "syntax",
        DecodeErrorKind::TooDeep => "too_deep",
        DecodeErrorKind::Entity => "entity",
        DecodeErrorKind::Type => "type",
        DecodeErrorKind::Root => "root",
        DecodeErrorKind::Empty => "empty",
        _ => "other",
    }
}

/// A `DecodeError` with `message`: the codec's `Display` for `lpchat.decode`, the client's
/// (`API: cannot decode …`) for a client call.
fn decode_spec(e: &DecodeError, message: String) -> Spec {
    Spec {
        class: "DecodeError",
        message,
        attrs: vec![
            ("resource", Attr::Str(Some(e.resource().to_owned()))),
            (
                "format",
                Attr::Str(Some(crate::convert::format_name(e.format()).to_owned())),
            ),
            ("path", Attr::Str(e.path().map(str::to_owned))),
            ("kind", Attr::Str(Some(decode_kind(e.kind()).to_owned()))),
        ],
    }
}

/// The exception of a client error. Its message is always the client's `Display` (the one
/// place for the wording, the same sentence in Rust, Python and Node); the arms add the
/// class and the machine-readable attributes.
fn spec(e: &Error) -> Spec {
    let message = e.to_string();
    match e {
        Error::Config(_) => Spec {
            class: "ConfigError",
            message,
            attrs: vec![],
        },
        Error::Transport(t) if t.kind == FailureKind::Timeout => Spec {
            class: "RequestTimeoutError",
            message,
            attrs: vec![("kind", Attr::Str(Some(failure_kind(t.kind).into())))],
        },
        Error::Transport(t) => Spec {
            class: "TransportError",
            message,
            attrs: vec![("kind", Attr::Str(Some(failure_kind(t.kind).into())))],
        },
        Error::Api(lpchat::proto::ops::Error::Unauthorized(s)) => Spec {
            class: "AuthError",
            message,
            attrs: vec![("status", Attr::Int(Some(s.status.as_u16())))],
        },
        Error::Api(lpchat::proto::ops::Error::Decode(d)) => decode_spec(d, message),
        Error::Api(api) => Spec {
            class: "ApiError",
            message,
            attrs: vec![("status", Attr::Int(api.status().map(|s| s.as_u16())))],
        },
        Error::Command(CommandFailure::OutcomeUnknown) => Spec {
            class: "OutcomeUnknownError",
            message,
            attrs: vec![
                ("reason", Attr::Str(Some("outcome_unknown".into()))),
                ("endpoint", Attr::Str(None)),
            ],
        },
        Error::OutcomeUnknown { endpoint, .. } => Spec {
            class: "OutcomeUnknownError",
            message,
            attrs: vec![
                ("reason", Attr::Str(Some("outcome_unknown".into()))),
                ("endpoint", Attr::Str(Some((*endpoint).to_owned()))),
            ],
        },
        Error::Command(c) => Spec {
            class: "CommandError",
            message,
            attrs: vec![
                ("reason", Attr::Str(Some(command_reason(c).into()))),
                ("status", Attr::Int(command_status(c))),
            ],
        },
        Error::Machine(m) => Spec {
            class: "RequestFailedError",
            message,
            attrs: vec![
                ("endpoint", Attr::Str(Some(m.endpoint.to_owned()))),
                ("status", status_of(m.status)),
            ],
        },
        Error::NotReady => Spec {
            class: "NotReadyError",
            message,
            attrs: vec![],
        },
        Error::Closed => Spec {
            class: "ClosedError",
            message,
            attrs: vec![],
        },
        Error::Lost(r) => Spec {
            class: "SessionLostError",
            message,
            attrs: vec![
                ("reason", Attr::Str(Some(lost_reason(r).into()))),
                ("status", Attr::Int(lost_status(r))),
            ],
        },
        // A variant added later maps to ApiError until it gets a row of docs/errors.md.
        _ => Spec {
            class: "ApiError",
            message,
            attrs: vec![("status", Attr::Int(None))],
        },
    }
}

fn make(py: Python<'_>, spec: Spec) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module = py.import("lpchat.errors")?;
        let class = module.getattr(spec.class)?;
        let kwargs = PyDict::new(py);
        for (name, value) in spec.attrs {
            match value {
                Attr::Int(v) => kwargs.set_item(name, v)?,
                Attr::Str(v) => kwargs.set_item(name, v)?,
            }
        }
        let instance = class.call((spec.message,), Some(&kwargs))?;
        Ok(PyErr::from_value(instance))
    };
    // The errors module is part of the package; if it cannot be imported, the import
    // error says why, which beats a second, vaguer error.
    build().unwrap_or_else(|e| e)
}

/// The Python exception of a client error.
pub(crate) fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    make(py, spec(e))
}

/// The Python exception of a decode error (`lpchat.decode`).
pub(crate) fn decode_to_py(py: Python<'_>, e: &DecodeError) -> PyErr {
    make(py, decode_spec(e, e.to_string()))
}

/// The Python exception of a binding failure. Needs the GIL only when raised: the error is
/// created lazily.
pub(crate) fn binding_error(e: BindingError) -> PyErr {
    let (class, message): (&'static str, String) = match e {
        BindingError::Forked => (
            "ForkedError",
            "lpchat was used in a process forked after its runtime started; create clients in \
             the child (or fork before using lpchat)"
                .into(),
        ),
        BindingError::Misuse => (
            "RuntimeMisuseError",
            "a blocking lpchat call from a thread of lpchat's runtime; use lpchat.AsyncClient \
             there"
                .into(),
        ),
        BindingError::Runtime(m) => ("RuntimeMisuseError", m),
        BindingError::Config(m) => ("ConfigError", m),
    };
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let class = py.import("lpchat.errors")?.getattr(class)?;
            Ok(PyErr::from_value(class.call1((message.clone(),))?))
        };
        build().unwrap_or_else(|_| PyRuntimeError::new_err(message.clone()))
    })
}

/// A `ConfigError` for a bad argument value.
pub(crate) fn config(message: impl Into<String>) -> PyErr {
    binding_error(BindingError::Config(message.into()))
}
