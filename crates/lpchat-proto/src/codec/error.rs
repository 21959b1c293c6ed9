//! Errors of decoding and encoding bodies.

use std::fmt;

use crate::Format;

/// What went wrong while decoding a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The body is larger than [`super::Limits::max_body`]; nothing was parsed.
    TooLarge {
        /// The body's size in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The body is not valid UTF-8.
    Utf8,
    /// The body is not well-formed JSON or XML (or is cut short).
    Syntax,
    /// Nesting deeper than the limit.
    TooDeep,
    /// An XML entity that is not predefined (DTD entities are never expanded).
    Entity,
    /// Well-formed, but a value has the wrong type or a required field is missing.
    Type,
    /// The body is well-formed but its root is not the resource's (`{"x":…}` for `events`).
    Root,
    /// The body is empty.
    Empty,
}

/// A body could not be decoded into its model.
///
/// The message and snippet are redacted: quoted values are removed from the message and the
/// snippet shows the bytes around the fault with letters and digits masked, so no value from
/// the body (a bearer, a csrf token) can appear in a log through this error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The resource being decoded (`events`, `login`, …).
    pub resource: &'static str,
    /// The format of the body.
    pub format: Format,
    /// The class of failure.
    pub kind: DecodeErrorKind,
    /// Where in the model the failure happened (`events.event[3].@id`), when known.
    pub path: Option<String>,
    /// The parser's message, redacted.
    pub message: String,
    /// Byte offset of the fault in the body, when known.
    pub offset: Option<usize>,
    /// A short masked window of the body around the fault.
    pub snippet: Option<String>,
}

impl DecodeError {
    pub(crate) fn new(resource: &'static str, format: Format, kind: DecodeErrorKind) -> Self {
        DecodeError {
            resource,
            format,
            kind,
            path: None,
            message: String::new(),
            offset: None,
            snippet: None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode {} ({}): ", self.resource, self.format)?;
        match &self.kind {
            DecodeErrorKind::TooLarge { size, limit } => {
                write!(f, "body of {size} bytes exceeds the limit of {limit}")?
            }
            DecodeErrorKind::Utf8 => f.write_str("body is not valid UTF-8")?,
            DecodeErrorKind::Syntax => f.write_str("malformed body")?,
            DecodeErrorKind::TooDeep => f.write_str("nesting too deep")?,
            DecodeErrorKind::Entity => f.write_str("undeclared or external XML entity")?,
            DecodeErrorKind::Type => f.write_str("unexpected value")?,
            DecodeErrorKind::Root => f.write_str("unexpected root element")?,
            DecodeErrorKind::Empty => f.write_str("empty body")?,
        }
        if let Some(path) = &self.path {
            write!(f, " at {path}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(offset) = self.offset {
            write!(f, " (byte {offset}")?;
            if let Some(snippet) = &self.snippet {
                write!(f, ", near `{snippet}`")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// A model could not be written in the requested format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// serde_json refused the value (not expected for the crate's models).
    Json(String),
    /// A key cannot be an XML element or attribute name (only possible with generic values).
    XmlName(String),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Json(msg) => write!(f, "cannot encode JSON: {msg}"),
            EncodeError::XmlName(name) => write!(f, "`{name}` is not a valid XML name"),
        }
    }
}

impl std::error::Error for EncodeError {}
