//! XML writer for the element tree: attributes as attributes, lists as repeated elements.

use super::json::Ordered;
use super::{Child, Elem};

/// Serialises `root` as an XML document with a declaration.
pub fn write(root: &Elem) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    write_elem(&mut out, root);
    out
}

fn write_elem(out: &mut String, e: &Elem) {
    out.push('<');
    out.push_str(e.name);
    for (k, v) in &e.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape(out, &v.to_text());
        out.push('"');
    }
    let text = match (&e.raw, &e.text) {
        (Some(raw), _) => Some(raw.to_string()),
        (None, Some(t)) if e.children.is_empty() => Some(t.to_text()),
        _ => None,
    };
    if e.children.is_empty() && text.is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if let Some(t) = text {
        escape(out, &t);
    } else {
        for c in &e.children {
            match c {
                Child::One(ch) => write_elem(out, ch),
                Child::Many(_, items) => items.iter().for_each(|it| write_elem(out, it)),
            }
        }
    }
    out.push_str("</");
    out.push_str(e.name);
    out.push('>');
}

/// Serialises a rootless JSON body ([`Ordered`]) as XML under `root`: object members become
/// elements, array members repeat their element, scalars become text.
pub fn write_ordered(root: &str, v: &Ordered) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    ordered_elem(&mut out, root, v);
    out
}

fn ordered_elem(out: &mut String, name: &str, v: &Ordered) {
    if let Ordered::Arr(items) = v {
        items.iter().for_each(|it| ordered_elem(out, name, it));
        return;
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    match v {
        Ordered::Str(s) => escape(out, s),
        Ordered::Num(n) => out.push_str(&n.to_string()),
        Ordered::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Ordered::Obj(pairs) => pairs.iter().for_each(|(k, it)| ordered_elem(out, k, it)),
        Ordered::Arr(_) => {}
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes text for element content and attribute values.
pub fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_attributes_children_and_escapes() {
        let e = Elem::new("events")
            .list("link", vec![Elem::link("next", "h?a=1&b=2")])
            .list(
                "event",
                vec![Elem::new("event").attr("type", "line").field("text", "<i>")],
            );
        assert_eq!(
            write(&e),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><events><link href=\"h?a=1&amp;b=2\" rel=\"next\"/><event type=\"line\"><text>&lt;i&gt;</text></event></events>"
        );
    }
}
