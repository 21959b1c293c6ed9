//! Reads an XML document into a small tree shaped like the server's JSON.
//!
//! The mapping is the one of spec §3.1, applied once here so that the models need no XML
//! knowledge: attributes and child elements become keys (attributes without `@`), repeated
//! children become a sequence under their name, an element with neither attributes nor
//! children becomes its text (an empty element becomes `""`). Text beside attributes or
//! children (never seen on the wire) is kept under `$text`.
//!
//! Entities: only the five predefined ones and character references are resolved. A DOCTYPE
//! is refused outright and no other entity is ever expanded, so "billion laughs", external
//! entities and external DTDs fail with a typed error instead of consuming memory or touching
//! files.

use std::borrow::Cow;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// An element with only text, or an attribute value.
    Text(Cow<'a, str>),
    /// An element with attributes or children, in document order of first appearance.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
    /// The same child element repeated.
    Seq(Vec<Node<'a>>),
}

/// Why a document could not be read into a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlTreeError {
    /// Not well-formed XML; the message comes from the reader or names the problem.
    Syntax { message: String, offset: usize },
    /// An entity other than the predefined ones (`&amp;` …) was referenced.
    Entity { name: String, offset: usize },
    /// Elements nested deeper than the limit.
    TooDeep { limit: usize, offset: usize },
}

struct Frame<'a> {
    name: Cow<'a, str>,
    entries: Vec<(Cow<'a, str>, Node<'a>)>,
    text: Option<Cow<'a, str>>,
}

impl<'a> Frame<'a> {
    fn push_text(&mut self, piece: Cow<'a, str>) {
        self.text = Some(match self.text.take() {
            None => piece,
            Some(prev) => {
                let mut owned = prev.into_owned();
                owned.push_str(&piece);
                Cow::Owned(owned)
            }
        });
    }

    fn finish(self) -> (Cow<'a, str>, Node<'a>) {
        let Frame {
            name,
            mut entries,
            text,
        } = self;
        if entries.is_empty() {
            return (name, Node::Text(text.unwrap_or(Cow::Borrowed(""))));
        }
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            entries.push((Cow::Borrowed("$text"), Node::Text(text)));
        }
        (name, Node::Map(entries))
    }
}

/// Adds a child under `key`, turning a repeated key into a sequence.
fn insert<'a>(entries: &mut Vec<(Cow<'a, str>, Node<'a>)>, key: Cow<'a, str>, node: Node<'a>) {
    if let Some((_, existing)) = entries.iter_mut().find(|(k, _)| *k == key) {
        match existing {
            Node::Seq(items) => items.push(node),
            other => {
                let first = std::mem::replace(other, Node::Seq(Vec::with_capacity(2)));
                if let Node::Seq(items) = other {
                    items.push(first);
                    items.push(node);
                }
            }
        }
    } else {
        entries.push((key, node));
    }
}

/// The same text borrowed from `input` when `part` lies inside it, so names and attribute
/// values cost no allocation; a copy otherwise (an unescaped or normalised value).
fn reborrow<'a>(input: &'a str, part: &str) -> Cow<'a, str> {
    let start = (part.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    match input.get(start..start.wrapping_add(part.len())) {
        Some(same) if same.as_ptr() == part.as_ptr() => Cow::Borrowed(same),
        _ => Cow::Owned(part.to_owned()),
    }
}

fn open<'a>(
    input: &'a str,
    start: &BytesStart<'a>,
    offset: usize,
) -> Result<Frame<'a>, XmlTreeError> {
    let syntax = |message: String| XmlTreeError::Syntax { message, offset };
    let name = reborrow(input, start.name().as_ref());
    let mut entries = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| syntax(e.to_string()))?;
        let key: &str = attr.key.as_ref();
        // Namespace declarations carry no data of the API.
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let key = reborrow(input, key);
        let value =
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => XmlTreeError::Entity { name, offset },
                    other => syntax(other.to_string()),
                })?;
        let value = match value {
            Cow::Borrowed(v) => reborrow(input, v),
            Cow::Owned(v) => Cow::Owned(v),
        };
        insert(&mut entries, key, Node::Text(value));
    }
    Ok(Frame {
        name,
        entries,
        text: None,
    })
}

/// Parses `input` into `(root element name, root node)`.
pub(crate) fn parse(
    input: &str,
    max_depth: usize,
) -> Result<(Cow<'_, str>, Node<'_>), XmlTreeError> {
    let mut reader = Reader::from_str(input);
    let mut tree = Tree {
        input,
        max_depth,
        stack: Vec::new(),
        root: None,
    };
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| XmlTreeError::Syntax {
            message: e.to_string(),
            offset: usize::try_from(reader.error_position()).unwrap_or(offset),
        })?;
        match event {
            Event::Start(start) => tree.start(&start, offset)?,
            Event::Empty(start) => tree.empty(&start, offset)?,
            Event::End(_) => tree.end(offset)?,
            Event::Text(text) => {
                let content = text.xml10_content();
                if tree.stack.is_empty() && content.trim().is_empty() {
                    continue;
                }
                tree.text(content, "text", offset)?;
            }
            Event::CData(data) => tree.text(data.xml10_content(), "CDATA", offset)?,
            Event::GeneralRef(reference) => {
                let resolved = resolve(reference, offset)?;
                tree.text(resolved, "reference", offset)?;
            }
            Event::Eof => break,
            // The API never sends a DTD; one in a body can only declare entities or point at
            // an external document, so it is refused rather than skipped.
            Event::DocType(_) => {
                return Err(XmlTreeError::Entity {
                    name: "DOCTYPE".into(),
                    offset,
                })
            }
            // Declarations, comments and processing instructions carry no data.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    tree.finish()
}

/// The tree as it is built: the elements open, and the root once closed.
struct Tree<'a> {
    input: &'a str,
    max_depth: usize,
    stack: Vec<Frame<'a>>,
    root: Option<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Tree<'a> {
    /// A start tag: a new open element, within the depth limit.
    fn start(&mut self, start: &BytesStart<'a>, offset: usize) -> Result<(), XmlTreeError> {
        self.not_after_root(offset)?;
        if self.stack.len() >= self.max_depth {
            return Err(XmlTreeError::TooDeep {
                limit: self.max_depth,
                offset,
            });
        }
        self.stack.push(open(self.input, start, offset)?);
        Ok(())
    }

    /// An empty element (`<a/>`): opened and closed at once.
    fn empty(&mut self, start: &BytesStart<'a>, offset: usize) -> Result<(), XmlTreeError> {
        self.not_after_root(offset)?;
        let (name, node) = open(self.input, start, offset)?.finish();
        self.close(name, node);
        Ok(())
    }

    /// An end tag (the reader has already checked that it matches its start tag).
    fn end(&mut self, offset: usize) -> Result<(), XmlTreeError> {
        let Some(frame) = self.stack.pop() else {
            return Err(syntax("end tag without a start tag", offset));
        };
        let (name, node) = frame.finish();
        self.close(name, node);
        Ok(())
    }

    /// Text of the open element; `what` names it in the error when no element is open.
    fn text(&mut self, piece: Cow<'a, str>, what: &str, offset: usize) -> Result<(), XmlTreeError> {
        match self.stack.last_mut() {
            Some(frame) => {
                frame.push_text(piece);
                Ok(())
            }
            None => Err(syntax(&format!("{what} outside the root element"), offset)),
        }
    }

    /// A closed element goes into its parent, or is the root.
    fn close(&mut self, name: Cow<'a, str>, node: Node<'a>) {
        match self.stack.last_mut() {
            Some(parent) => insert(&mut parent.entries, name, node),
            None => self.root = Some((name, node)),
        }
    }

    fn not_after_root(&self, offset: usize) -> Result<(), XmlTreeError> {
        match self.root {
            Some(_) => Err(syntax("content after the root element", offset)),
            None => Ok(()),
        }
    }

    /// The root, once the document is over.
    fn finish(self) -> Result<(Cow<'a, str>, Node<'a>), XmlTreeError> {
        let end = self.input.len();
        if !self.stack.is_empty() {
            return Err(syntax("document ends inside an element", end));
        }
        self.root.ok_or_else(|| syntax("no root element", end))
    }
}

/// A character or predefined entity reference as text; any other entity is refused.
fn resolve<'a>(
    reference: quick_xml::events::BytesRef<'a>,
    offset: usize,
) -> Result<Cow<'a, str>, XmlTreeError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            Ok(None) | Err(_) => Err(syntax("invalid character reference", offset)),
        };
    }
    let name = reference.into_inner();
    match resolve_predefined_entity(&name) {
        Some(s) => Ok(Cow::Borrowed(s)),
        None => Err(XmlTreeError::Entity {
            name: name.into_owned(),
            offset,
        }),
    }
}

fn syntax(message: &str, offset: usize) -> XmlTreeError {
    XmlTreeError::Syntax {
        message: message.into(),
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node<'_> {
        Node::Text(Cow::Borrowed(s))
    }

    #[test]
    fn attributes_children_and_repeats_map_like_the_json() {
        let (name, node) = parse(
            r#"<agent id="1" chatState="2"><skills><skill>1</skill><skill>13</skill></skills><email/></agent>"#,
            16,
        )
        .unwrap();
        assert_eq!(name, "agent");
        assert_eq!(
            node,
            Node::Map(vec![
                ("id".into(), text("1")),
                ("chatState".into(), text("2")),
                (
                    "skills".into(),
                    Node::Map(vec![(
                        "skill".into(),
                        Node::Seq(vec![text("1"), text("13")])
                    )])
                ),
                ("email".into(), text("")),
            ])
        );
    }

    #[test]
    fn escapes_and_cdata_join_into_one_text() {
        let (_, node) = parse("<text>&lt;i&gt;hi&#33;<![CDATA[ <b>]]></text>", 4).unwrap();
        assert_eq!(node, Node::Text(Cow::Owned("<i>hi! <b>".into())));
    }

    #[test]
    fn declared_entities_are_never_expanded() {
        let doc = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>"#;
        assert!(matches!(parse(doc, 8), Err(XmlTreeError::Entity { .. })));
        assert!(
            matches!(parse("<l>&nbsp;</l>", 8), Err(XmlTreeError::Entity { name, .. }) if name == "nbsp")
        );
    }

    #[test]
    fn depth_is_limited() {
        let doc = "<a>".repeat(10) + &"</a>".repeat(10);
        assert!(matches!(
            parse(&doc, 5),
            Err(XmlTreeError::TooDeep { limit: 5, .. })
        ));
        assert!(parse(&doc, 10).is_ok());
    }

    #[test]
    fn truncated_and_mismatched_documents_fail() {
        assert!(parse("<a><b></b>", 8).is_err());
        assert!(parse("<a><b></a>", 8).is_err());
        assert!(parse("", 8).is_err());
        assert!(parse("<a/><b/>", 8).is_err());
    }
}
