//! JSON writer for the element tree (spec §3.1 mapping).
//!
//! Written by hand rather than through `serde_json::Value` so that keys keep the order of
//! the documented examples without turning on serde_json's `preserve_order` feature for the
//! whole workspace.

use super::{Child, Elem, JsonStyle, Scalar};

/// Serialises `root` as `{"<root name>": <root body>}`.
pub fn write(root: &Elem, style: &JsonStyle) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    write_str(&mut out, root.name);
    out.push(':');
    write_body(&mut out, root, style);
    out.push('}');
    out
}

fn write_body(out: &mut String, e: &Elem, style: &JsonStyle) {
    if let Some(raw) = &e.raw {
        out.push_str(&raw.to_string());
        return;
    }
    if e.attrs.is_empty() && e.children.is_empty() {
        match &e.text {
            Some(s) => write_scalar(out, s),
            None => out.push_str("\"\""),
        }
        return;
    }
    out.push('{');
    let mut first = true;
    for (k, v) in &e.attrs {
        sep(out, &mut first);
        // Names are static identifiers without characters that need escaping.
        out.push('"');
        if style.at_prefix {
            out.push('@');
        }
        out.push_str(k);
        out.push('"');
        out.push(':');
        write_scalar(out, v);
    }
    for c in &e.children {
        match c {
            Child::One(ch) => {
                sep(out, &mut first);
                write_str(out, ch.name);
                out.push(':');
                write_body(out, ch, style);
            }
            Child::Many(name, items) => {
                if items.is_empty() {
                    continue;
                }
                sep(out, &mut first);
                write_str(out, name);
                out.push(':');
                match items.as_slice() {
                    [only] if style.collapses(name) => write_body(out, only, style),
                    _ => {
                        out.push('[');
                        let mut f2 = true;
                        for it in items {
                            sep(out, &mut f2);
                            write_body(out, it, style);
                        }
                        out.push(']');
                    }
                }
            }
        }
    }
    out.push('}');
}

fn sep(out: &mut String, first: &mut bool) {
    if !*first {
        out.push(',');
    }
    *first = false;
}

fn write_scalar(out: &mut String, s: &Scalar) {
    match s {
        Scalar::Str(t) => write_str(out, t),
        Scalar::Num(n) => out.push_str(&n.to_string()),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Writes a JSON string literal with the escapes RFC 8259 requires.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON value for the bodies that have no XML form (Login Service, Domain API, A31), whose
/// objects keep their keys in writing order: documented clients may read values by position,
/// and `serde_json::Value` sorts keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Ordered {
    /// A string.
    Str(String),
    /// An integer.
    Num(i64),
    /// A boolean.
    Bool(bool),
    /// An array.
    Arr(Vec<Ordered>),
    /// An object, keys in writing order.
    Obj(Vec<(&'static str, Ordered)>),
}

impl From<&str> for Ordered {
    fn from(s: &str) -> Self {
        Ordered::Str(s.to_owned())
    }
}

impl From<String> for Ordered {
    fn from(s: String) -> Self {
        Ordered::Str(s)
    }
}

impl From<i64> for Ordered {
    fn from(n: i64) -> Self {
        Ordered::Num(n)
    }
}

impl From<bool> for Ordered {
    fn from(b: bool) -> Self {
        Ordered::Bool(b)
    }
}

/// An ordered object from `(key, value)` pairs.
pub fn obj<const N: usize>(pairs: [(&'static str, Ordered); N]) -> Ordered {
    Ordered::Obj(pairs.into_iter().collect())
}

/// Serialises an [`Ordered`] value.
pub fn write_ordered(v: &Ordered) -> String {
    let mut out = String::with_capacity(256);
    ordered_into(&mut out, v);
    out
}

fn ordered_into(out: &mut String, v: &Ordered) {
    match v {
        Ordered::Str(s) => write_str(out, s),
        Ordered::Num(n) => out.push_str(&n.to_string()),
        Ordered::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Ordered::Arr(items) => {
            out.push('[');
            let mut first = true;
            for it in items {
                sep(out, &mut first);
                ordered_into(out, it);
            }
            out.push(']');
        }
        Ordered::Obj(pairs) => {
            out.push('{');
            let mut first = true;
            for (k, it) in pairs {
                sep(out, &mut first);
                write_str(out, k);
                out.push(':');
                ordered_into(out, it);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(at: bool) -> JsonStyle {
        let mut s = JsonStyle {
            at_prefix: at,
            ..JsonStyle::default()
        };
        s.collapse.insert("event".into(), true);
        s.collapse.insert("link".into(), true);
        s
    }

    #[test]
    fn maps_attributes_lists_and_scalars() {
        let e = Elem::new("events")
            .list("link", vec![Elem::link("self", "u")])
            .list(
                "event",
                vec![Elem::new("event").attr("id", "0").field("state", "waiting")],
            );
        assert_eq!(
            write(&e, &style(true)),
            r#"{"events":{"link":{"@href":"u","@rel":"self"},"event":{"@id":"0","state":"waiting"}}}"#
        );
        let s = Elem::new("skills").list("skill", vec![Elem::text("skill", "2")]);
        assert_eq!(write(&s, &style(false)), r#"{"skills":{"skill":["2"]}}"#);
        assert_eq!(
            write(&Elem::text("availableSlots", Scalar::Num(2)), &style(true)),
            r#"{"availableSlots":2}"#
        );
        assert_eq!(write(&Elem::new("text"), &style(true)), r#"{"text":""}"#);
    }

    #[test]
    fn ordered_keeps_writing_order() {
        let v = obj([
            ("service", "agentVep".into()),
            ("account", "1".into()),
            ("n", Ordered::Arr(vec![2.into(), true.into()])),
        ]);
        assert_eq!(
            write_ordered(&v),
            r#"{"service":"agentVep","account":"1","n":[2,true]}"#
        );
    }

    #[test]
    fn escapes_strings() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\n\u{1}");
        assert_eq!(out, r#""a\"b\\c\n\u0001""#);
    }
}
