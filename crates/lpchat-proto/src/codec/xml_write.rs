//! Writes a JSON-shaped value as XML: the inverse of [`super::xml_tree`].
//!
//! Keys starting with `@` become attributes, `$text` becomes the element's text, arrays become
//! repeated elements, scalars become text and `null` is left out.

use serde_json::Value;

use super::EncodeError;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

fn push_escaped(out: &mut String, text: &str, in_attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            // Written as references so that XML end-of-line and attribute normalisation
            // cannot change them on the way back.
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Appends `value` as element(s) named `name`.
pub(crate) fn write_element(
    out: &mut String,
    name: &str,
    value: &Value,
) -> Result<(), EncodeError> {
    if !valid_name(name) {
        return Err(EncodeError::XmlName(name.to_owned()));
    }
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| write_element(out, name, item)),
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            for (key, v) in map {
                if let Some(attr) = key.strip_prefix('@') {
                    if !valid_name(attr) {
                        return Err(EncodeError::XmlName(attr.to_owned()));
                    }
                    let Some(text) = scalar_text(v) else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(EncodeError::XmlName(key.clone()));
                    };
                    out.push(' ');
                    out.push_str(attr);
                    out.push_str("=\"");
                    push_escaped(out, &text, true);
                    out.push('"');
                }
            }
            let children: Vec<_> = map
                .iter()
                .filter(|(k, v)| !k.starts_with('@') && !v.is_null())
                .collect();
            if children.is_empty() {
                out.push_str("/>");
                return Ok(());
            }
            out.push('>');
            for (key, v) in children {
                if key == "$text" {
                    if let Some(text) = scalar_text(v) {
                        push_escaped(out, &text, false);
                    }
                } else {
                    write_element(out, key, v)?;
                }
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            Ok(())
        }
        scalar => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            if let Some(text) = scalar_text(scalar) {
                push_escaped(out, &text, false);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn xml(name: &str, v: Value) -> String {
        let mut out = String::new();
        write_element(&mut out, name, &v).unwrap();
        out
    }

    #[test]
    fn attributes_lists_and_escapes() {
        assert_eq!(
            xml(
                "events",
                json!({"link": [{"@rel": "self", "@href": "a?b=1&c=2"}], "event": [{"@id": "1", "@type": "line", "text": "<i>hi</i>"}]})
            ),
            // Keys come out sorted (serde_json's map); order carries no meaning in the API.
            r#"<events><event id="1" type="line"><text>&lt;i&gt;hi&lt;/i&gt;</text></event><link href="a?b=1&amp;c=2" rel="self"/></events>"#
        );
        assert_eq!(
            xml("availableSlots", json!(-1)),
            "<availableSlots>-1</availableSlots>"
        );
        assert_eq!(xml("text", json!("")), "<text></text>");
    }

    #[test]
    fn names_that_are_not_xml_names_are_refused() {
        let mut out = String::new();
        assert!(write_element(&mut out, "a b", &json!(1)).is_err());
        assert!(write_element(&mut out, "x", &json!({"1a": 1})).is_err());
    }
}
