//! JSON and XML codecs: every body decodes to the same model from either format and encodes
//! back to either.
//!
//! JSON is read by serde_json straight into the models. XML is read into a small tree shaped
//! like the JSON (`xml_tree`) and deserialized from it (`tree_de`), so the quirks of
//! spec §3.1 are handled once, by the helpers of [`lenient`] and the models' own visitors.
//! On failure the decode runs again with path tracking, so the fast path pays nothing for
//! good error messages.

mod error;
pub mod lenient;
mod redact;
mod tree_de;
mod xml_tree;
mod xml_write;

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

pub use error::{DecodeError, DecodeErrorKind, EncodeError};

use crate::Format;

/// Bounds on what a decode will accept, so a hostile or broken server cannot exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body decoded, in bytes. Default 16 MiB (a 50-chat multi-chat poll is ~1 MiB).
    pub max_body: usize,
    /// Deepest XML nesting accepted. JSON uses serde_json's fixed limit of 128. Default 128.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// A body of the API: its root key or element, and the name users and errors know it by.
pub trait Resource: Serialize + DeserializeOwned {
    /// The root key in JSON and root element in XML (`events`, `availableSlots`, …).
    ///
    /// Two values are special. [`UNROOTED`] (`""`): the whole body is the model (login,
    /// domain): JSON reads it from the whole object, XML from the root element's content
    /// whatever the root's name, and XML is written with [`Resource::NAME`] as the root.
    /// [`ANY_ROOT`] (`"*"`): the root is not known in advance (undocumented bodies): the model
    /// reads and writes the one-key map `{root: content}` in both formats.
    const ROOT: &'static str;
    /// The resource's name in errors and in `lpchat decode` (`events`, `agent-info`, …).
    const NAME: &'static str;
}

/// [`Resource::ROOT`] of a body that has no root key: the whole body is the model.
pub const UNROOTED: &str = "";

/// [`Resource::ROOT`] of a body whose root is not known in advance: the model sees
/// `{root: content}`.
pub const ANY_ROOT: &str = "*";

/// Decodes a body of resource `T` in the given format.
pub fn decode<T: Resource>(format: Format, body: &[u8], limits: &Limits) -> Result<T, DecodeError> {
    let err = |kind| DecodeError::new(T::NAME, format, kind);
    if body.len() > limits.max_body {
        return Err(err(DecodeErrorKind::TooLarge {
            size: body.len(),
            limit: limits.max_body,
        }));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(err(DecodeErrorKind::Empty));
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        let mut error = err(DecodeErrorKind::Utf8);
        error.0.offset = Some(e.valid_up_to());
        error.0.snippet = Some(redact::snippet(body, e.valid_up_to()));
        error
    })?;
    match format {
        Format::Json => decode_json::<T>(text),
        Format::Xml => decode_xml::<T>(text, limits),
    }
}

/// Decodes a body whose format is told by `content_type`, else by sniffing its first byte,
/// else assumed to be `fallback`.
pub fn decode_detect<T: Resource>(
    content_type: Option<&str>,
    fallback: Format,
    body: &[u8],
    limits: &Limits,
) -> Result<T, DecodeError> {
    let format = content_type
        .and_then(Format::from_content_type)
        .or_else(|| Format::sniff(body))
        .unwrap_or(fallback);
    decode(format, body, limits)
}

fn decode_json<T: Resource>(text: &str) -> Result<T, DecodeError> {
    let fast = serde_json::from_str::<Rooted<T>>(text);
    let first = match fast {
        Ok(rooted) => return Ok(rooted.0),
        Err(e) => e,
    };
    let kind = match first.classify() {
        serde_json::error::Category::Io | serde_json::error::Category::Eof => {
            DecodeErrorKind::Syntax
        }
        serde_json::error::Category::Syntax if first.to_string().contains("recursion limit") => {
            DecodeErrorKind::TooDeep
        }
        serde_json::error::Category::Syntax => DecodeErrorKind::Syntax,
        serde_json::error::Category::Data if first.to_string().starts_with(ROOT_MISSING) => {
            DecodeErrorKind::Root
        }
        serde_json::error::Category::Data => DecodeErrorKind::Type,
    };
    let mut error = DecodeError::new(T::NAME, Format::Json, kind);
    let offset = redact::offset_of(text.as_bytes(), first.line(), first.column());
    error.0.offset = Some(offset);
    error.0.snippet = Some(redact::snippet(text.as_bytes(), offset));
    if matches!(error.0.kind, DecodeErrorKind::Type) {
        let mut de = serde_json::Deserializer::from_str(text);
        if let Err(tracked) = serde_path_to_error::deserialize::<_, Rooted<T>>(&mut de) {
            error.0.path = Some(tracked.path().to_string());
        }
    }
    // serde_json appends " at line L column C"; the offset says the same more usefully.
    let message = first.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    error.0.message = redact::message(message);
    Err(error)
}

fn decode_xml<T: Resource>(text: &str, limits: &Limits) -> Result<T, DecodeError> {
    let bytes = text.as_bytes();
    let (root, node) = xml_tree::parse(text, limits.max_depth).map_err(|e| {
        let (kind, message, offset) = match e {
            xml_tree::XmlTreeError::Syntax { message, offset } => {
                (DecodeErrorKind::Syntax, message, offset)
            }
            xml_tree::XmlTreeError::Entity { name: _, offset } => (
                DecodeErrorKind::Entity,
                "DTDs and entities other than the predefined ones are refused".to_owned(),
                offset,
            ),
            xml_tree::XmlTreeError::TooDeep { limit, offset } => (
                DecodeErrorKind::TooDeep,
                format!("more than {limit} levels"),
                offset,
            ),
        };
        let mut error = DecodeError::new(T::NAME, Format::Xml, kind);
        error.0.message = redact::message(&message);
        error.0.offset = Some(offset);
        error.0.snippet = Some(redact::snippet(bytes, offset));
        error
    })?;
    if !matches!(T::ROOT, UNROOTED | ANY_ROOT) && root != T::ROOT {
        let mut error = DecodeError::new(T::NAME, Format::Xml, DecodeErrorKind::Root);
        error.0.message = format!("expected <{}>", T::ROOT);
        return Err(error);
    }
    match from_tree::<T>(root, node) {
        Ok(value) => Ok(value),
        Err(first) => {
            let mut error = DecodeError::new(T::NAME, Format::Xml, DecodeErrorKind::Type);
            error.0.message = redact::message(&first.0);
            // The tree was consumed; parse again to find the path (failures only).
            if let Ok((root, node)) = xml_tree::parse(text, limits.max_depth) {
                error.0.path = tree_error_path::<T>(root, node);
            }
            Err(error)
        }
    }
}

/// Reads `T` from an XML tree by the root rule of [`Resource::ROOT`].
fn from_tree<'de, T: Resource>(
    root: std::borrow::Cow<'de, str>,
    node: xml_tree::Node<'de>,
) -> Result<T, tree_de::TreeError> {
    match T::ROOT {
        UNROOTED => T::deserialize(node),
        ANY_ROOT => T::deserialize(tree_de::Document { root, node }),
        _ => Rooted::<T>::deserialize(tree_de::Document { root, node }).map(|r| r.0),
    }
}

/// Where reading `T` from an XML tree fails, if it does.
fn tree_error_path<'de, T: Resource>(
    root: std::borrow::Cow<'de, str>,
    node: xml_tree::Node<'de>,
) -> Option<String> {
    let failed = match T::ROOT {
        UNROOTED => serde_path_to_error::deserialize::<_, T>(node).err(),
        ANY_ROOT => {
            serde_path_to_error::deserialize::<_, T>(tree_de::Document { root, node }).err()
        }
        _ => {
            serde_path_to_error::deserialize::<_, Rooted<T>>(tree_de::Document { root, node }).err()
        }
    };
    failed.map(|tracked| tracked.path().to_string())
}

/// Encodes a model as a body in the given format.
pub fn encode<T: Resource>(format: Format, value: &T) -> Result<Bytes, EncodeError> {
    match format {
        Format::Json => serde_json::to_vec(&Rooted(value))
            .map(Bytes::from)
            .map_err(|e| EncodeError::Json(e.to_string())),
        Format::Xml => {
            let tree = serde_json::to_value(value).map_err(|e| EncodeError::Json(e.to_string()))?;
            let mut out = String::with_capacity(256);
            match (T::ROOT, single_root(&tree)) {
                (ANY_ROOT, Some((root, content))) => {
                    xml_write::write_element(&mut out, root, content)?
                }
                // The whole body goes inside `<NAME>`; a list or nothing, which cannot be one
                // element, as `<NAME>` items inside it.
                (UNROOTED | ANY_ROOT, _) if tree.is_array() || tree.is_null() => {
                    let mut items = serde_json::Map::new();
                    items.insert(T::NAME.to_owned(), tree);
                    let items = serde_json::Value::Object(items);
                    xml_write::write_element(&mut out, T::NAME, &items)?
                }
                (UNROOTED | ANY_ROOT, _) => xml_write::write_element(&mut out, T::NAME, &tree)?,
                (root, _) => xml_write::write_element(&mut out, root, &tree)?,
            }
            Ok(Bytes::from(out))
        }
    }
}

/// The only entry of a one-key object, if it can stand as an XML root (not a list, not null).
fn single_root(tree: &serde_json::Value) -> Option<(&String, &serde_json::Value)> {
    match tree {
        serde_json::Value::Object(map) if map.len() == 1 => map
            .iter()
            .next()
            .filter(|(_, content)| !(content.is_array() || content.is_null())),
        _ => None,
    }
}

const ROOT_MISSING: &str = "missing root";

/// `{ROOT: T}`: the envelope every body has in both formats. Other top-level keys are ignored.
/// For [`UNROOTED`] and [`ANY_ROOT`] resources it is transparent (JSON; XML reads those
/// through [`from_tree`]).
struct Rooted<T>(T);

impl<T: Resource> Serialize for Rooted<&T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if matches!(T::ROOT, UNROOTED | ANY_ROOT) {
            return self.0.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(T::ROOT, self.0)?;
        map.end()
    }
}

impl<'de, T: Resource> Deserialize<'de> for Rooted<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if matches!(T::ROOT, UNROOTED | ANY_ROOT) {
            return T::deserialize(deserializer).map(Rooted);
        }
        struct RootVisitor<T>(PhantomData<T>);

        impl<'de, T: Resource> Visitor<'de> for RootVisitor<T> {
            type Value = Rooted<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an object with the key `{}`", T::ROOT)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == T::ROOT && found.is_none() {
                        found = Some(map.next_value_seed(RootSeed::<T>(PhantomData))?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                found
                    .map(Rooted)
                    .ok_or_else(|| de::Error::custom(format!("{ROOT_MISSING} `{}`", T::ROOT)))
            }
        }

        deserializer.deserialize_map(RootVisitor(PhantomData))
    }
}

/// The root's value: a container root may be an empty element (`{"chats":""}`, `<chats/>`).
struct RootSeed<T>(PhantomData<T>);

impl<'de, T: Resource> de::DeserializeSeed<'de> for RootSeed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        lenient::struct_or_empty(d)
    }
}
