//! The cursor token: where a cursor or a cursor set stopped, as a short text.
//!
//! Form: `lpc1.` followed by one entry per chat, entries joined by `.`; an entry is the chat
//! id, `~`, and the last event id delivered (empty when nothing was delivered):
//!
//! ```text
//! lpc1.H2170755172687460894-b7d7K8457415~12.H31879676690579736-6325K8414055~
//! ```
//!
//! Chat ids are percent-encoded (everything but ASCII letters, digits, `-` and `_`), so any id
//! round-trips and the token holds only URL-safe characters. `lpc1` is the version: a later
//! format gets a new one, and a reader refuses versions it does not know rather than guess.
//! The token carries no `next` link: a restored cursor polls from its base URL with its own
//! `from` until the server gives it a link again. Nothing in it is secret.

use std::collections::BTreeSet;
use std::fmt;

use super::chat::ChatCursor;
use super::url::{decode_component, encode_component};
use crate::model::{ChatId, EventId};

/// The version prefix this crate writes and reads.
pub const VERSION: &str = "lpc1";

/// A text that is not a cursor token this version can read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is empty.
    Empty,
    /// The token is not `<version>.<entries>`, or its version is not `lpc1`.
    Version,
    /// An entry is not `<chat id>~<last id>` (entries count from 0).
    Entry {
        /// The entry's position.
        entry: usize,
    },
    /// An entry's chat id has a bad percent escape, a character that must be escaped, or
    /// is not UTF-8 once decoded.
    ChatId {
        /// The entry's position.
        entry: usize,
    },
    /// An entry's last event id is not a decimal number that fits in 64 bits.
    Number {
        /// The entry's position.
        entry: usize,
    },
    /// A chat appears twice.
    Duplicate {
        /// The position of its second entry.
        entry: usize,
    },
    /// A single cursor was expected, but the token holds another number of chats.
    NotOneChat {
        /// How many chats the token holds.
        found: usize,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Empty => f.write_str("empty cursor token"),
            TokenError::Version => write!(f, "not a cursor token of version {VERSION}"),
            TokenError::Entry { entry } => {
                write!(f, "cursor token entry {entry} is not <chat id>~<last id>")
            }
            TokenError::ChatId { entry } => {
                write!(f, "cursor token entry {entry} has a badly encoded chat id")
            }
            TokenError::Number { entry } => {
                write!(f, "cursor token entry {entry} has a bad event id")
            }
            TokenError::Duplicate { entry } => {
                write!(f, "cursor token entry {entry} repeats a chat")
            }
            TokenError::NotOneChat { found } => {
                write!(f, "expected a cursor token of one chat, found {found}")
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// Writes the token of these cursors, in the order given.
pub(crate) fn write<'a>(cursors: impl IntoIterator<Item = &'a ChatCursor>) -> String {
    let mut out = String::from(VERSION);
    out.push('.');
    for (i, cursor) in cursors.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&encode_component(cursor.chat_id().as_str()));
        out.push('~');
        if let Some(last) = cursor.last_delivered() {
            out.push_str(&last.to_string());
        }
    }
    out
}

/// Reads a token into its cursors, in token order.
pub(crate) fn read(token: &str) -> Result<Vec<ChatCursor>, TokenError> {
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let (version, body) = token.split_once('.').ok_or(TokenError::Version)?;
    if version != VERSION {
        return Err(TokenError::Version);
    }
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen = BTreeSet::new();
    let mut cursors = Vec::new();
    for (entry, text) in body.split('.').enumerate() {
        let (id, last) = text.split_once('~').ok_or(TokenError::Entry { entry })?;
        let id = decode_component(id).ok_or(TokenError::ChatId { entry })?;
        let last = if last.is_empty() {
            None
        } else {
            Some(EventId(number(last).ok_or(TokenError::Number { entry })?))
        };
        if !seen.insert(id.clone()) {
            return Err(TokenError::Duplicate { entry });
        }
        cursors.push(ChatCursor::resumed(ChatId::from(id), last));
    }
    Ok(cursors)
}

// Plain ASCII digits only: `str::parse` would also take a sign.
fn number(s: &str) -> Option<u64> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let a = ChatCursor::resumed(ChatId::from("a.b~c,d"), Some(EventId(7)));
        let b = ChatCursor::resumed(ChatId::from(""), None);
        let token = write([&a, &b]);
        assert_eq!(token, "lpc1.a%2Eb%7Ec%2Cd~7.~");
        assert_eq!(read(&token), Ok(vec![a, b]));
        assert_eq!(read("lpc1."), Ok(vec![]));
        assert_eq!(write([]), "lpc1.");
        assert_eq!(
            read("lpc1.x~18446744073709551615"),
            Ok(vec![ChatCursor::resumed(
                ChatId::from("x"),
                Some(EventId(u64::MAX))
            )])
        );
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        let cases: &[(&str, TokenError)] = &[
            ("", TokenError::Empty),
            ("lpc1", TokenError::Version),
            ("lpc2.a~1", TokenError::Version),
            ("LPC1.a~1", TokenError::Version),
            ("x.a~1", TokenError::Version),
            ("lpc1.a", TokenError::Entry { entry: 0 }),
            ("lpc1.a~1.", TokenError::Entry { entry: 1 }),
            ("lpc1.a~1..b~2", TokenError::Entry { entry: 1 }),
            ("lpc1.a~1~2", TokenError::Number { entry: 0 }),
            ("lpc1.a~x", TokenError::Number { entry: 0 }),
            ("lpc1.a~-1", TokenError::Number { entry: 0 }),
            ("lpc1.a~+1", TokenError::Number { entry: 0 }),
            ("lpc1.a~ 1", TokenError::Number { entry: 0 }),
            (
                "lpc1.a~18446744073709551616",
                TokenError::Number { entry: 0 },
            ),
            ("lpc1.a%2~1", TokenError::ChatId { entry: 0 }),
            ("lpc1.a b~1", TokenError::ChatId { entry: 0 }),
            ("lpc1.%FF~1", TokenError::ChatId { entry: 0 }),
            ("lpc1.a~1.b~2.a~3", TokenError::Duplicate { entry: 2 }),
            ("lpc1.a~1.%61~3", TokenError::Duplicate { entry: 1 }),
        ];
        for (token, want) in cases {
            assert_eq!(read(token).as_ref(), Err(want), "{token:?}");
            assert!(!want.to_string().is_empty());
        }
    }
}
