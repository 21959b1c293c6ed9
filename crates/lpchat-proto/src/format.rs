//! The two wire formats and how a body's format is told.

use std::fmt;

/// A wire format: every resource of the legacy chat APIs exists in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `application/json`, the format LivePerson's own clients use.
    #[default]
    Json,
    /// `application/xml`, the server's default when nothing asks for JSON.
    Xml,
}

impl Format {
    /// The media type sent in `Accept` and `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }

    /// The path suffix official clients append to the last segment (`.json`).
    pub fn suffix(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Xml => ".xml",
        }
    }

    /// The format a `Content-Type` value names, if any (parameters such as charset ignored).
    pub fn from_content_type(value: &str) -> Option<Format> {
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence.ends_with("/json") || essence.ends_with("+json") {
            Some(Format::Json)
        } else if essence.ends_with("/xml") || essence.ends_with("+xml") {
            Some(Format::Xml)
        } else {
            None
        }
    }

    /// Guesses the format of a body from its first non-blank byte: `{`/`[` is JSON, `<` is XML.
    pub fn sniff(body: &[u8]) -> Option<Format> {
        let first = body
            .iter()
            .copied()
            .find(|b| !(b.is_ascii_whitespace() || *b == 0xEF || *b == 0xBB || *b == 0xBF))?;
        match first {
            b'{' | b'[' => Some(Format::Json),
            b'<' => Some(Format::Xml),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "json",
            Format::Xml => "xml",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_with_charset_is_recognised() {
        assert_eq!(
            Format::from_content_type("application/json; charset=UTF-8"),
            Some(Format::Json)
        );
        assert_eq!(Format::from_content_type("text/xml"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("text/plain"), None);
    }

    #[test]
    fn sniffing_skips_whitespace_and_bom() {
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <a/>"), Some(Format::Xml));
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Some(Format::Json));
        assert_eq!(Format::sniff(b"oauth_problem=x"), None);
        assert_eq!(Format::sniff(b""), None);
    }
}
