//! Bodies whose shape is undocumented (A25 transfer account, A28 visit, A29 visit custom
//! variables, A30 collaboration channels, V20 visit session): their root name, their links
//! and the rest as a value tree. Decoding one never fails on its content.
//!
//! The model is a [`crate::codec::ANY_ROOT`] resource: the root is whatever the server sent.
//! Keys are normalised so that `@x` and `x` are one name (the `@` is dropped), as XML gives
//! attributes without it. In XML every leaf is text; JSON leaves are kept as they came.

use serde::de::Deserializer;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::link::Link;
use crate::codec::{lenient, Resource, ANY_ROOT};

/// An undocumented body: root name, links, and the rest as a value tree.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Generic {
    /// The root key or element (`visit`, `transferAccount`, …); empty when a JSON body has
    /// no single root key (then `value` is the whole body).
    pub root: String,
    /// The `link` entries of the root's content.
    pub links: Vec<Link>,
    /// The root's content without its links, `@` dropped from every key. A `link` entry that
    /// does not read as links (or holds none) is left here.
    pub value: Value,
}

impl Generic {
    /// Reads a whole document (`{root: content}`), keys normalised first so that the model
    /// encodes back to a document read the same way.
    fn from_document(document: Value) -> Generic {
        let (root, content) = match normalise(document) {
            Value::Object(map) if map.len() == 1 && !map.contains_key("") => {
                match map.into_iter().next() {
                    Some((root, content)) => (root, content),
                    None => (String::new(), Value::Object(Map::new())),
                }
            }
            other => (String::new(), other),
        };
        let mut value = content;
        let mut links = Vec::new();
        if let Value::Object(map) = &mut value {
            // Only links that read, and at least one: an empty `link` stays in the value, so
            // the model writes back exactly what was read.
            let found = map
                .get("link")
                .and_then(|raw| lenient::list::<_, Link>(raw.clone()).ok())
                .filter(|found| !found.is_empty());
            if let Some(found) = found {
                map.remove("link");
                links = found;
            }
        }
        Generic { root, links, value }
    }

    /// The value at `key` of the content, if it is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.value.get(key)
    }
}

/// Drops the leading `@`s of every key, recursively; of two keys that become one, the first
/// is kept. All of them, not one: `@@a` read as `@a` would be read again as `a`, and the model
/// would not survive its own encoding.
fn normalise(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, v) in map {
                let key = match key.strip_prefix('@') {
                    Some(rest) => rest.trim_start_matches('@').to_owned(),
                    None => key,
                };
                if !out.contains_key(&key) {
                    out.insert(key, normalise(v));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        other => other,
    }
}

impl<'de> Deserialize<'de> for Generic {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Generic::from_document)
    }
}

/// The root's content: links first, then the value's entries.
struct Content<'a>(&'a Generic);

impl Serialize for Content<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.0;
        match &g.value {
            Value::Object(map) => {
                let links = !g.links.is_empty();
                let mut out = s.serialize_map(Some(map.len() + usize::from(links)))?;
                if links {
                    out.serialize_entry("link", &g.links)?;
                }
                for (k, v) in map {
                    if !(links && k == "link") {
                        out.serialize_entry(k, v)?;
                    }
                }
                out.end()
            }
            other if g.links.is_empty() => other.serialize(s),
            // Links beside a scalar content (never decoded so): the scalar becomes the text.
            other => {
                let mut out = s.serialize_map(Some(2))?;
                out.serialize_entry("link", &g.links)?;
                out.serialize_entry("$text", other)?;
                out.end()
            }
        }
    }
}

impl Serialize for Generic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.root.is_empty() {
            return Content(self).serialize(s);
        }
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(&self.root, &Content(self))?;
        map.end()
    }
}

impl Resource for Generic {
    const ROOT: &'static str = ANY_ROOT;
    const NAME: &'static str = "generic";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::link::Rel;
    use crate::{decode, encode, EncodeError, Format, Limits};
    use serde_json::json;

    fn read(format: Format, s: &str) -> Generic {
        decode(format, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn root_links_and_the_rest_agree_across_formats() {
        let j = read(
            Format::Json,
            r#"{"visit":{"link":[{"@href":"https://h/visit/1","@rel":"self"},{"@href":"https://h/visit/1/pages","@rel":"pages"}],"@id":"1","visitId":"H1K2","pages":{"page":[{"url":"u1"},{"url":"u2"}]}}}"#,
        );
        let x = read(
            Format::Xml,
            r#"<visit id="1"><link href="https://h/visit/1" rel="self"/><link href="https://h/visit/1/pages" rel="pages"/><visitId>H1K2</visitId><pages><page><url>u1</url></page><page><url>u2</url></page></pages></visit>"#,
        );
        assert_eq!(j, x);
        assert_eq!(j.root, "visit");
        assert_eq!(j.links[0].rel, Rel::SelfLink);
        assert_eq!(j.links[1].rel, Rel::Unknown("pages".into()));
        assert_eq!(j.get("id"), Some(&json!("1")));
        assert_eq!(j.value["pages"]["page"][1]["url"], json!("u2"));
        assert!(j.get("link").is_none());
        for f in [Format::Json, Format::Xml] {
            let back: Generic = decode(f, &encode(f, &j).unwrap(), &Limits::default()).unwrap();
            assert_eq!(back, j, "{f}");
        }
    }

    #[test]
    fn anything_decodes() {
        let one_link = read(
            Format::Json,
            r#"{"collaborationChannels":{"link":{"href":"h","rel":"self"}}}"#,
        );
        assert_eq!(one_link.links.len(), 1);
        assert_eq!(one_link.value, json!({}));
        let empty = read(Format::Xml, "<transferAccount/>");
        assert_eq!(empty.root, "transferAccount");
        assert_eq!(empty.value, json!(""));
        let bad_link = read(Format::Json, r#"{"x":{"link":{"nohref":1},"n":2}}"#);
        assert!(bad_link.links.is_empty());
        assert_eq!(bad_link.value, json!({"link": {"nohref": 1}, "n": 2}));
        let two_roots = read(Format::Json, r#"{"a":1,"b":2}"#);
        assert_eq!(two_roots.root, "");
        assert_eq!(two_roots.value, json!({"a": 1, "b": 2}));
        let scalar = read(Format::Json, "[1,2]");
        assert_eq!(scalar.value, json!([1, 2]));
        assert_eq!(
            &encode(Format::Json, &two_roots).unwrap()[..],
            br#"{"a":1,"b":2}"#
        );
    }

    /// Every decoded body writes back to JSON that reads as the same model, and to XML.
    #[test]
    fn odd_shapes_write_back() {
        for body in [
            r#"{"":{"a":1}}"#,
            r#"{"a":1,"@a":2}"#,
            r#"{"x":{"@@a":1,"a":2,"@@@":3}}"#,
            r#"{"a":1,"link":""}"#,
            r#"{"x":{"link":[]}}"#,
            r#"{"x":[1,2]}"#,
            r#"{"x":null}"#,
            r#"{"link":[{"rel":"a","href":"b"},{"rel":"c","href":"d"}],"n":null}"#,
            r#"{}"#,
            r#""text""#,
            r#"[1,{"a":2}]"#,
            r#"[]"#,
            r#"null"#,
        ] {
            let g = read(Format::Json, body);
            let json = encode(Format::Json, &g).unwrap();
            assert_eq!(
                read(Format::Json, std::str::from_utf8(&json).unwrap()),
                g,
                "{body}"
            );
            let xml = match encode(Format::Xml, &g) {
                Err(EncodeError::XmlName(name)) => {
                    assert_eq!(name, "", "{body}");
                    continue;
                }
                other => other.unwrap(),
            };
            let once: Generic = decode(Format::Xml, &xml, &Limits::default())
                .unwrap_or_else(|e| panic!("{body}: {e}"));
            let again = encode(Format::Xml, &once).unwrap();
            let twice: Generic = decode(Format::Xml, &again, &Limits::default()).unwrap();
            assert_eq!(once, twice, "{body}");
        }
        let array = read(Format::Json, r#"{"x":[1,2]}"#);
        assert_eq!(
            &encode(Format::Xml, &array).unwrap()[..],
            b"<generic><x>1</x><x>2</x></generic>"
        );
    }
}
