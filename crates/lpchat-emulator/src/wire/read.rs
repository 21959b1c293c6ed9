//! Reading request bodies: JSON through serde_json, XML through quick-xml's `Reader`,
//! both into one `serde_json::Value` so handlers read fields one way.
//!
//! XML maps as spec §3.1 maps responses: attributes become `@name` keys, children become
//! keys, repeated children become arrays, text-only elements become strings. Handlers read
//! fields with [`get`], which accepts both `name` and `@name` (clients send either).

use super::Format;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

/// Deepest element nesting accepted in an XML body; deeper bodies are rejected, not parsed.
const MAX_XML_DEPTH: usize = 64;

/// Picks the request body format from `Content-Type`, sniffing the body when it says neither.
pub fn body_format(content_type: Option<&str>, body: &[u8]) -> Format {
    if let Some(ct) = content_type {
        let ct = ct.to_ascii_lowercase();
        if ct.contains("json") {
            return Format::Json;
        }
        if ct.contains("xml") {
            return Format::Xml;
        }
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Format::Xml,
        _ => Format::Json,
    }
}

/// Parses a body; an empty (or all-whitespace) body is `Value::Null`.
pub fn parse(body: &[u8], format: Format) -> Result<Value, String> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Value::Null);
    }
    match format {
        Format::Json => {
            serde_json::from_slice(body).map_err(|e| format!("malformed JSON body: {e}"))
        }
        Format::Xml => {
            let text = std::str::from_utf8(body).map_err(|_| "XML body is not UTF-8".to_owned())?;
            parse_xml(text).map_err(|e| format!("malformed XML body: {e}"))
        }
    }
}

struct Open {
    name: String,
    obj: Map<String, Value>,
    /// Child names seen more than once: their value is an array of the repetitions.
    repeated: Vec<String>,
    has_children: bool,
    text: String,
}

impl Open {
    fn add_child(&mut self, name: String, value: Value) {
        self.has_children = true;
        let repeated = self.repeated.contains(&name);
        match self.obj.get_mut(&name) {
            Some(Value::Array(items)) if repeated => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                self.repeated.push(name);
            }
            None => {
                self.obj.insert(name, value);
            }
        }
    }

    fn finish(self) -> (String, Value) {
        let value = if self.obj.is_empty() && !self.has_children {
            Value::String(self.text.trim().to_owned())
        } else {
            Value::Object(self.obj)
        };
        (self.name, value)
    }
}

fn open(e: &quick_xml::events::BytesStart<'_>) -> Result<Open, String> {
    let name = e.local_name().as_ref().to_owned();
    let mut obj = Map::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = a.key.local_name().as_ref().to_owned();
        if a.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        obj.insert(format!("@{key}"), Value::String(value));
    }
    Ok(Open {
        name,
        obj,
        repeated: Vec::new(),
        has_children: false,
        text: String::new(),
    })
}

fn parse_xml(text: &str) -> Result<Value, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                if stack.len() >= MAX_XML_DEPTH {
                    return Err("elements nested too deeply".into());
                }
                stack.push(open(&e)?);
            }
            Event::Empty(e) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                let (name, value) = open(&e)?.finish();
                close(&mut stack, &mut root, name, value);
            }
            Event::End(_) => {
                let top = stack.pop().ok_or("unbalanced end tag")?;
                let (name, value) = top.finish();
                close(&mut stack, &mut root, name, value);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err("text outside the root element".into());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .map(str::to_owned)
                };
                let resolved = resolved.ok_or("unknown entity reference")?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn close(stack: &mut [Open], root: &mut Option<Value>, name: String, value: Value) {
    match stack.last_mut() {
        Some(parent) => parent.add_child(name, value),
        None => {
            let mut m = Map::new();
            m.insert(name, value);
            *root = Some(Value::Object(m));
        }
    }
}

/// Field `key` of an object, under `key` or `@key`.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| obj.get(&format!("@{key}")))
}

/// A scalar field as text: strings as they are, numbers and booleans printed.
pub fn get_str(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(scalar_text)
}

/// A scalar as text; `None` for objects, arrays and null.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list field that may arrive as an array, one bare item, or nothing.
pub fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_maps_like_json() {
        let v = parse(
            b"<?xml version=\"1.0\"?><event type=\"line\"><text>a &amp; b&#33;</text><x/></event>",
            Format::Xml,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"event": {"@type": "line", "text": "a & b!", "x": ""}})
        );
        let v = parse(
            b"<s><q id=\"1\"><a>x</a><a>y</a></q><q id=\"2\"/></s>",
            Format::Xml,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"s": {"q": [{"@id": "1", "a": ["x", "y"]}, {"@id": "2"}]}})
        );
        assert_eq!(get_str(&v["s"]["q"][0], "id").as_deref(), Some("1"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "<a><b></a>",
            "<a>",
            "</a>",
            "<a></a><b/>",
            "text",
            "<a>&bogus;</a>",
        ] {
            assert!(parse(bad.as_bytes(), Format::Xml).is_err(), "{bad}");
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(deep.as_bytes(), Format::Xml).is_err());
        assert!(parse(b"{\"a\":", Format::Json).is_err());
        assert_eq!(parse(b"  ", Format::Json).unwrap(), Value::Null);
    }
}
