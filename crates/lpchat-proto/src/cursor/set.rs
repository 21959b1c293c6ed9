//! The cursors of several chats, polled together through the multi-chat call (spec A13).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::chat::{ChatCursor, Page};
use super::token::{self, TokenError};
use super::url::{encode_component, set_query_param};
use crate::model::{ChatId, Chats, Event, EventId};

/// What one multi-chat answer delivered.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Delivery {
    /// The new events, chat by chat in the order of the body, each chat's in id order.
    pub events: Vec<(ChatId, Event)>,
    /// Chats of the body that have no cursor in the set (each once, in body order): a chat
    /// removed meanwhile, or one the server added. Their events were not delivered; the
    /// caller decides whether to add a cursor for them.
    pub unknown: Vec<ChatId>,
    /// Chats of the body with neither a chat session key nor a `self` link, which cannot be
    /// routed to a cursor.
    pub unidentified: usize,
}

/// A cursor per chat, for the multi-chat call. Chats are kept in chat id order, so the
/// query and the token are deterministic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CursorSet {
    cursors: BTreeMap<ChatId, ChatCursor>,
}

impl CursorSet {
    /// An empty set.
    pub fn new() -> Self {
        CursorSet::default()
    }

    /// Adds a chat to follow from event 0. A chat already in the set keeps its cursor;
    /// returns whether the chat was added.
    pub fn add(&mut self, chat_id: ChatId) -> bool {
        self.add_from(chat_id, EventId(0))
    }

    /// Adds a chat whose first delivery will be event `from`. A chat already in the set
    /// keeps its cursor; returns whether the chat was added.
    pub fn add_from(&mut self, chat_id: ChatId, from: EventId) -> bool {
        if self.cursors.contains_key(&chat_id) {
            return false;
        }
        let cursor = ChatCursor::starting_at(chat_id.clone(), from);
        self.cursors.insert(chat_id, cursor);
        true
    }

    /// Puts a cursor in the set, returning the one it replaces for the same chat.
    pub fn insert(&mut self, cursor: ChatCursor) -> Option<ChatCursor> {
        self.cursors.insert(cursor.chat_id().clone(), cursor)
    }

    /// Stops following a chat (e.g. an ended one, once its last events were delivered).
    pub fn remove(&mut self, chat_id: &ChatId) -> Option<ChatCursor> {
        self.cursors.remove(chat_id)
    }

    /// The cursor of a chat.
    pub fn get(&self, chat_id: &ChatId) -> Option<&ChatCursor> {
        self.cursors.get(chat_id)
    }

    /// Whether the set follows a chat.
    pub fn contains(&self, chat_id: &ChatId) -> bool {
        self.cursors.contains_key(chat_id)
    }

    /// How many chats the set follows.
    pub fn len(&self) -> usize {
        self.cursors.len()
    }

    /// Whether the set follows no chat.
    pub fn is_empty(&self) -> bool {
        self.cursors.is_empty()
    }

    /// The cursors, in chat id order.
    pub fn iter(&self) -> impl Iterator<Item = &ChatCursor> {
        self.cursors.values()
    }

    /// The chats whose end was seen (see [`ChatCursor::ended`]).
    pub fn ended(&self) -> Vec<ChatId> {
        self.iter()
            .filter(|c| c.ended())
            .map(|c| c.chat_id().clone())
            .collect()
    }

    /// Feeds a page of one chat (from a single-chat poll) to its cursor. `None` when the
    /// set does not follow that chat.
    pub fn accept(&mut self, chat_id: &ChatId, page: Page<'_>) -> Option<Vec<Event>> {
        self.cursors.get_mut(chat_id).map(|c| c.accept(page))
    }

    /// Feeds a multi-chat answer to the cursors: each chat goes to the cursor of its id
    /// ([`crate::model::Chat::chat_id`]); the answer's order does not matter.
    pub fn accept_chats(&mut self, chats: &Chats) -> Delivery {
        let mut delivery = Delivery::default();
        for chat in &chats.chats {
            let Some(id) = chat.chat_id() else {
                delivery.unidentified += 1;
                continue;
            };
            match self.cursors.get_mut(&id) {
                Some(cursor) => {
                    let events = cursor.accept(Page::from_chat(chat));
                    delivery
                        .events
                        .extend(events.into_iter().map(|e| (id.clone(), e)));
                }
                None if !delivery.unknown.contains(&id) => delivery.unknown.push(id),
                None => {}
            }
        }
        delivery
    }

    /// The values of `chatSessionKeys` and `fromEventIds` for the multi-chat call, in the
    /// same chat order, ready to put in a query string as they are: each chat id is
    /// percent-encoded, so the commas are separators only. `None` when the set is empty.
    pub fn multi_chat_query(&self) -> Option<(String, String)> {
        if self.is_empty() {
            return None;
        }
        let keys: Vec<String> = self
            .iter()
            .map(|c| encode_component(c.chat_id().as_str()))
            .collect();
        let froms: Vec<String> = self.iter().map(|c| c.from().to_string()).collect();
        Some((keys.join(","), froms.join(",")))
    }

    /// `base` (the agent session's `…/chat` URL) with `chatSessionKeys` and `fromEventIds`
    /// set from [`CursorSet::multi_chat_query`]. `None` when the set is empty.
    pub fn multi_chat_href(&self, base: &str) -> Option<String> {
        let (keys, froms) = self.multi_chat_query()?;
        let url = set_query_param(base, "chatSessionKeys", &keys);
        Some(set_query_param(&url, "fromEventIds", &froms))
    }

    /// The set as a token (`lpc1.<chat id>~<last id>.…`, chats in id order); see [`token`].
    pub fn to_token(&self) -> String {
        token::write(self.iter())
    }

    /// A set from a token. Each cursor continues where the saved one stopped.
    pub fn from_token(s: &str) -> Result<Self, TokenError> {
        let cursors = token::read(s)?;
        Ok(CursorSet {
            cursors: cursors
                .into_iter()
                .map(|c| (c.chat_id().clone(), c))
                .collect(),
        })
    }
}

impl fmt::Display for CursorSet {
    /// Writes the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_token())
    }
}

impl FromStr for CursorSet {
    type Err = TokenError;

    fn from_str(s: &str) -> Result<Self, TokenError> {
        CursorSet::from_token(s)
    }
}

impl Serialize for CursorSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_token())
    }
}

impl<'de> Deserialize<'de> for CursorSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CursorSet::from_token(&s).map_err(serde::de::Error::custom)
    }
}

impl<'a> IntoIterator for &'a CursorSet {
    type Item = &'a ChatCursor;
    type IntoIter = std::collections::btree_map::Values<'a, ChatId, ChatCursor>;

    fn into_iter(self) -> Self::IntoIter {
        self.cursors.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, Format};

    fn chats(json: &str) -> Chats {
        decode(Format::Json, json.as_bytes(), &Default::default()).expect("decodes")
    }

    fn ids(d: &Delivery) -> Vec<(String, u64)> {
        d.events
            .iter()
            .map(|(c, e)| (c.to_string(), e.id.0))
            .collect()
    }

    #[test]
    fn query_is_aligned_and_deterministic() {
        let mut set = CursorSet::new();
        assert_eq!(set.multi_chat_query(), None);
        assert!(set.add(ChatId::from("H2-bK2")));
        assert!(set.add_from(ChatId::from("H1-aK1"), EventId(4)));
        assert!(!set.add(ChatId::from("H1-aK1")));
        assert_eq!(
            set.get(&ChatId::from("H1-aK1")).map(ChatCursor::from),
            Some(EventId(4))
        );
        assert!(set.add(ChatId::from("odd,id")));
        assert_eq!(
            set.multi_chat_query(),
            Some(("H1-aK1,H2-bK2,odd%2Cid".into(), "4,0,0".into()))
        );
        assert_eq!(
            set.multi_chat_href("https://h/api/account/1/agentSession/2/chat?v=1&NC=true")
                .as_deref(),
            Some(
                "https://h/api/account/1/agentSession/2/chat?v=1&NC=true\
                 &chatSessionKeys=H1-aK1,H2-bK2,odd%2Cid&fromEventIds=4,0,0"
            )
        );
        assert!(set.remove(&ChatId::from("odd,id")).is_some());
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn multi_chat_answer_is_routed_by_chat_id() {
        let mut set = CursorSet::new();
        set.add(ChatId::from("A"));
        set.add_from(ChatId::from("B"), EventId(2));
        // Documented shape: unprefixed keys, numeric ids; B identified by its self link only.
        let body = r#"{"chats":{"chat":[
            {"link":[{"href":"https://h/x/chat/B","rel":"self"}],
             "events":{"event":[{"id":3,"type":"line","text":"b3"},{"id":1,"type":"line","text":"b1"},{"id":2,"type":"line","text":"b2"}]}},
            {"info":{"chatSessionKey":"A","state":"chatting"},
             "events":{"event":{"id":0,"type":"state","state":"waiting"}}},
            {"info":{"chatSessionKey":"Z"},"events":{"event":{"id":0,"type":"state","state":"waiting"}}},
            {"events":{"event":{"id":0,"type":"state","state":"waiting"}}},
            {"info":{"chatSessionKey":"Z"}}
        ]}}"#;
        let d = set.accept_chats(&chats(body));
        assert_eq!(ids(&d), [("B".into(), 2), ("B".into(), 3), ("A".into(), 0)]);
        assert_eq!(d.unknown, [ChatId::from("Z")]);
        assert_eq!(d.unidentified, 1);
        assert_eq!(set.multi_chat_query(), Some(("A,B".into(), "1,4".into())));
        // The same answer again delivers nothing.
        let again = set.accept_chats(&chats(body));
        assert!(again.events.is_empty());
        assert_eq!(again.unknown, [ChatId::from("Z")]);
    }

    #[test]
    fn ended_chats_are_reported() {
        let mut set = CursorSet::new();
        set.add(ChatId::from("A"));
        set.add(ChatId::from("B"));
        let body = r#"{"chats":{"chat":[
            {"info":{"chatSessionKey":"A"},"events":{"event":[{"id":0,"type":"state","state":"ended"}]}},
            {"info":{"chatSessionKey":"B","state":"chatting"}}]}}"#;
        set.accept_chats(&chats(body));
        assert_eq!(set.ended(), [ChatId::from("A")]);
    }

    #[test]
    fn single_chat_pages_go_through_the_set() {
        let mut set = CursorSet::new();
        set.add(ChatId::from("A"));
        let events = [Event {
            id: EventId(0),
            time: None,
            kind: crate::model::EventKind::State(crate::model::ChatState::Waiting),
        }];
        assert_eq!(
            set.accept(&ChatId::from("A"), Page::new(&events))
                .map(|v| v.len()),
            Some(1)
        );
        assert_eq!(
            set.accept(&ChatId::from("A"), Page::new(&events))
                .map(|v| v.len()),
            Some(0)
        );
        assert_eq!(set.accept(&ChatId::from("X"), Page::new(&events)), None);
    }

    #[test]
    fn token_restores_the_set() {
        let mut set = CursorSet::new();
        set.add_from(ChatId::from("b"), EventId(10));
        set.add(ChatId::from("a"));
        set.add_from(ChatId::from("c.~%"), EventId(1));
        let token = set.to_token();
        assert_eq!(token, "lpc1.a~.b~9.c%2E%7E%25~0");
        let back: CursorSet = token.parse().expect("parses");
        assert_eq!(back.multi_chat_query(), set.multi_chat_query());
        assert_eq!(back.to_string(), token);
        assert_eq!(CursorSet::from_token("lpc1.").map(|s| s.len()), Ok(0));
        assert_eq!(CursorSet::new().to_token(), "lpc1.");
        assert!(CursorSet::from_token("lpc1.a~1.a~2").is_err());
        let json = serde_json::to_string(&set).expect("serialises");
        let back: CursorSet = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back.to_token(), token);
    }
}
