//! The wire format: a small element tree that both the JSON and the XML writer serialise,
//! and the reader that turns request bodies of either format into one JSON value.
//!
//! Responses are built once as a tree of [`Elem`]s shaped like the XML documents of the
//! spec; the JSON writer then applies the mapping of spec §3.1 (root key, `@` attributes,
//! collapsed one-element lists, text-only elements as scalars). Keeping one tree for both
//! formats is what makes the JSON and XML answers of a resource agree.

pub mod json;
pub mod read;
pub mod xml;

/// The body format of a request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `application/xml`.
    Xml,
}

impl Format {
    /// The `Content-Type` value written for this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// A scalar leaf: text, a number or a boolean. XML writes all three as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A JSON string.
    Str(String),
    /// A JSON number.
    Num(i64),
    /// A JSON boolean.
    Bool(bool),
}

impl Scalar {
    /// The text form used by XML and by numbers written as strings.
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Str(s) => s.clone(),
            Scalar::Num(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Str(s.to_owned())
    }
}

impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Scalar::Str(s)
    }
}

/// A child slot of an element: one element, or a list of same-named elements.
///
/// The distinction matters only for JSON: a list of one may be written as a bare
/// object (the §3.1.6 quirk) or as a one-element array, a single field never as an array.
#[derive(Debug, Clone, PartialEq)]
pub enum Child {
    /// A field that is never a list.
    One(Elem),
    /// A repeated element (`event`, `link`, `skill`, ...); all items carry `name`.
    Many(&'static str, Vec<Elem>),
}

/// An element: name, attributes (written `@name` or `name` in JSON) and content.
///
/// Content is text, children or a verbatim JSON payload; an element with neither is
/// empty (`<x/>`, JSON `""` or an object of its attributes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Elem {
    /// Element name and JSON key.
    pub name: &'static str,
    /// Attributes in writing order.
    pub attrs: Vec<(&'static str, Scalar)>,
    /// Text content; only used when there are no children.
    pub text: Option<Scalar>,
    /// Child elements in writing order.
    pub children: Vec<Child>,
    /// A JSON payload carried verbatim (rich content); XML gets its JSON text.
    pub raw: Option<serde_json::Value>,
}

impl Elem {
    /// An empty element.
    pub fn new(name: &'static str) -> Self {
        Elem {
            name,
            ..Elem::default()
        }
    }

    /// An element holding one scalar.
    pub fn text(name: &'static str, value: impl Into<Scalar>) -> Self {
        Elem {
            name,
            text: Some(value.into()),
            ..Elem::default()
        }
    }

    /// A `link` element with `href` and `rel` attributes, in that order: LivePerson's
    /// documented examples put `href` first, and its clients read a link's first value as
    /// its address (`Object.values(link)[0]`-style), so the order is part of the contract.
    pub fn link(rel: &str, href: &str) -> Self {
        Elem::new("link").attr("href", href).attr("rel", rel)
    }

    /// Adds an attribute.
    pub fn attr(mut self, name: &'static str, value: impl Into<Scalar>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    /// Appends a single child element.
    pub fn child(mut self, child: Elem) -> Self {
        self.children.push(Child::One(child));
        self
    }

    /// Appends a single child element in place.
    pub fn push(&mut self, child: Elem) {
        self.children.push(Child::One(child));
    }

    /// Appends a text child (`<name>value</name>`).
    pub fn field(self, name: &'static str, value: impl Into<Scalar>) -> Self {
        self.child(Elem::text(name, value))
    }

    /// Appends a text child only when a value is present.
    pub fn opt_field(self, name: &'static str, value: Option<impl Into<Scalar>>) -> Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    /// Appends a list of same-named elements.
    pub fn list(mut self, item_name: &'static str, items: Vec<Elem>) -> Self {
        self.children.push(Child::Many(item_name, items));
        self
    }

    /// Sets a verbatim JSON payload.
    pub fn raw(mut self, value: serde_json::Value) -> Self {
        self.raw = Some(value);
        self
    }
}

/// How the JSON writer renders what the tree leaves open (spec §3.1 quirks).
#[derive(Debug, Clone, Default)]
pub struct JsonStyle {
    /// Prefix attribute keys with `@`.
    pub at_prefix: bool,
    /// Per list item name: collapse a one-item list to its bare item.
    pub collapse: std::collections::BTreeMap<String, bool>,
    /// For item names not in `collapse`.
    pub collapse_others: bool,
}

impl JsonStyle {
    /// Whether a one-item list of `name` items is written as the bare item.
    pub fn collapses(&self, name: &str) -> bool {
        self.collapse
            .get(name)
            .copied()
            .unwrap_or(self.collapse_others)
    }
}
