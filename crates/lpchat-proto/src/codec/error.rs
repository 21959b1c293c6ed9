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
pub struct DecodeError(pub(crate) Box<Details>);

/// The parts of a [`DecodeError`], boxed so that results stay small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Details {
    pub(crate) resource: &'static str,
    pub(crate) format: Format,
    pub(crate) kind: DecodeErrorKind,
    pub(crate) path: Option<String>,
    pub(crate) message: String,
    pub(crate) offset: Option<usize>,
    pub(crate) snippet: Option<String>,
}

impl DecodeError {
    pub(crate) fn new(resource: &'static str, format: Format, kind: DecodeErrorKind) -> Self {
        DecodeError(Box::new(Details {
            resource,
            format,
            kind,
            path: None,
            message: String::new(),
            offset: None,
            snippet: None,
        }))
    }

    /// The resource being decoded (`events`, `login`, …).
    pub fn resource(&self) -> &'static str {
        self.0.resource
    }

    /// The format of the body.
    pub fn format(&self) -> Format {
        self.0.format
    }

    /// The class of failure.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }

    /// Where in the model the failure happened (`events.event[3].@id`), when known.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The parser's message, redacted.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Byte offset of the fault in the body, when known.
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }

    /// A short masked window of the body around the fault.
    pub fn snippet(&self) -> Option<&str> {
        self.0.snippet.as_deref()
    }
}

impl DecodeError {
    /// The message without anything read from the body: resource, format, kind and path, as
    /// `Display` starts (it goes on with the parser's message and a masked excerpt). For a
    /// place that must quote nothing of the body.
    pub fn summary(&self) -> String {
        struct Summary<'a>(&'a DecodeError);
        impl fmt::Display for Summary<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write_summary(f)
            }
        }
        Summary(self).to_string()
    }

    fn write_summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "cannot decode {} ({}): ", d.resource, d.format)?;
        match &d.kind {
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
        if let Some(path) = &d.path {
            write!(f, " at {path}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_summary(f)?;
        let d = &self.0;
        if !d.message.is_empty() {
            write!(f, ": {}", d.message)?;
        }
        if let Some(offset) = d.offset {
            write!(f, " (byte {offset}")?;
            if let Some(snippet) = &d.snippet {
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
