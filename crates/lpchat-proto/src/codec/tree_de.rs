//! A serde `Deserializer` over the XML tree, so one set of model types serves both formats.
//!
//! It answers `deserialize_any` the way serde_json answers for the matching JSON (text as a
//! string, elements as maps, repeats as sequences), which lets the lenient helpers of
//! [`super::lenient`] and hand-written visitors work unchanged. Typed requests are honoured
//! too, since in XML every scalar is text: numbers and booleans are parsed from it, an empty
//! element reads as an empty struct or list, and a lone element reads as a one-item list.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::xml_tree::Node;

/// The error of a tree deserialization; its message is redacted by the caller.
#[derive(Debug)]
pub(crate) struct TreeError(pub(crate) String);

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TreeError {}

impl de::Error for TreeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TreeError(msg.to_string())
    }
}

/// The whole document: a map with one key, the root element's name.
pub(crate) struct Document<'de> {
    pub(crate) root: Cow<'de, str>,
    pub(crate) node: Node<'de>,
}

impl<'de> de::Deserializer<'de> for Document<'de> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_map(Entries {
            iter: vec![(self.root, self.node)].into_iter(),
            value: None,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
                match self {
                    Node::Text(text) => match text.trim().parse::<$ty>() {
                        Ok(n) => visitor.$visit(n),
                        Err(_) => Err(de::Error::invalid_type(de::Unexpected::Str(&text), &visitor)),
                    },
                    other => other.deserialize_any(visitor),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Text(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Node::Text(Cow::Owned(s)) => visitor.visit_string(s),
            Node::Map(entries) => visitor.visit_map(Entries {
                iter: entries.into_iter(),
                value: None,
            }),
            Node::Seq(items) => visitor.visit_seq(Items {
                iter: items.into_iter(),
            }),
        }
    }

    parse_number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Text(text) => match text.trim() {
                "true" | "1" => visitor.visit_bool(true),
                "false" | "0" => visitor.visit_bool(false),
                _ => Err(de::Error::invalid_type(
                    de::Unexpected::Str(&text),
                    &visitor,
                )),
            },
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        // A present element is always `Some`, even when empty: `<text/>` is `Some("")`, as
        // `"text":""` is in JSON. An absent one never reaches here.
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Text(text) if is_blank(&text) => visitor.visit_unit(),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Seq(items) => visitor.visit_seq(Items {
                iter: items.into_iter(),
            }),
            Node::Text(text) if is_blank(&text) => visitor.visit_seq(Items {
                iter: Vec::new().into_iter(),
            }),
            one => visitor.visit_seq(Items {
                iter: vec![one].into_iter(),
            }),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self {
            Node::Text(text) if is_blank(&text) => visitor.visit_map(Entries {
                iter: Vec::new().into_iter(),
                value: None,
            }),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        match self {
            Node::Text(text) => visitor.visit_enum(text.into_owned().into_deserializer()),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { char str string bytes byte_buf identifier }
}

struct Entries<'de> {
    iter: std::vec::IntoIter<(Cow<'de, str>, Node<'de>)>,
    value: Option<Node<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = TreeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TreeError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                match key {
                    Cow::Borrowed(k) => seed
                        .deserialize(de::value::BorrowedStrDeserializer::new(k))
                        .map(Some),
                    Cow::Owned(k) => seed.deserialize(k.into_deserializer()).map(Some),
                }
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TreeError> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::custom("value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Items<'de> {
    iter: std::vec::IntoIter<Node<'de>>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = TreeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, TreeError> {
        self.iter
            .next()
            .map(|node| seed.deserialize(node))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}
