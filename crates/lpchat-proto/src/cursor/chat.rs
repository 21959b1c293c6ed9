//! The cursor of one chat.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::token::{self, TokenError};
use super::url::set_query_param;
use crate::model::{Chat, ChatId, ChatState, Event, EventId, EventKind, Events, LinksExt, Rel};

/// One answer to a poll, as a cursor reads it: the events of a chat, events or multi-chat
/// body, the `next` link that came with them, and whether the chat information said the chat
/// has ended.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Page<'a> {
    /// The events, in the order the server sent them.
    pub events: &'a [Event],
    /// The href of the page's `next` link, if it had one.
    pub next: Option<&'a str>,
    /// Whether the page's chat information gave the state `ended`.
    pub ended: bool,
}

impl<'a> Page<'a> {
    /// A page of these events, with no `next` link.
    pub fn new(events: &'a [Event]) -> Self {
        Page {
            events,
            next: None,
            ended: false,
        }
    }

    /// The same page with its `next` link's href.
    pub fn with_next(mut self, next: Option<&'a str>) -> Self {
        self.next = next;
        self
    }

    /// An events body (A15, V11): its events and its `next` link.
    pub fn from_events(events: &'a Events) -> Self {
        Page::new(&events.events).with_next(events.next_href())
    }

    /// A chat body (A14, V10) or one chat of a multi-chat body (A13): its events, the
    /// chat-level `next` link (else the events' one), and its information's state.
    pub fn from_chat(chat: &'a Chat) -> Self {
        let next = chat
            .links
            .href(&Rel::Next)
            .or_else(|| chat.events.as_ref()?.next_href());
        let ended = chat
            .info
            .as_ref()
            .is_some_and(|i| i.state == Some(ChatState::Ended));
        Page {
            events: chat.event_list(),
            next,
            ended,
        }
    }
}

impl<'a> From<&'a Events> for Page<'a> {
    fn from(events: &'a Events) -> Self {
        Page::from_events(events)
    }
}

impl<'a> From<&'a Chat> for Page<'a> {
    fn from(chat: &'a Chat) -> Self {
        Page::from_chat(chat)
    }
}

/// The event cursor of one chat: the last event id it delivered and the server's latest
/// `next` link. See the [module docs](super) for the rules it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatCursor {
    chat_id: ChatId,
    last: Option<EventId>,
    next_href: Option<String>,
    ended: bool,
}

impl ChatCursor {
    /// A cursor that has delivered nothing: it asks for the chat from event 0.
    pub fn new(chat_id: ChatId) -> Self {
        ChatCursor {
            chat_id,
            last: None,
            next_href: None,
            ended: false,
        }
    }

    /// A cursor whose first delivery will be event `from` (the events before it are taken
    /// as delivered, e.g. read through the chat resource before the chat joined a set).
    pub fn starting_at(chat_id: ChatId, from: EventId) -> Self {
        let mut cursor = ChatCursor::new(chat_id);
        cursor.last = from.0.checked_sub(1).map(EventId);
        cursor
    }

    /// A cursor that has delivered every event up to `last`, or nothing.
    pub fn resumed(chat_id: ChatId, last: Option<EventId>) -> Self {
        let mut cursor = ChatCursor::new(chat_id);
        cursor.last = last;
        cursor
    }

    /// The chat this cursor follows.
    pub fn chat_id(&self) -> &ChatId {
        &self.chat_id
    }

    /// The last event id delivered, if any.
    pub fn last_delivered(&self) -> Option<EventId> {
        self.last
    }

    /// The first event id not yet delivered: what the next poll asks for (`from`).
    pub fn from(&self) -> EventId {
        self.last.map_or(EventId(0), EventId::next)
    }

    /// The href of the latest `next` link seen, as the server wrote it.
    pub fn next_href(&self) -> Option<&str> {
        self.next_href.as_deref()
    }

    /// Whether the chat's `ended` state event was delivered, or a page said it has ended.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Takes one page and returns the events in it that were not delivered before, sorted by
    /// id, each id once. Keeps the page's `next` link for [`ChatCursor::poll_href`].
    pub fn accept(&mut self, page: Page<'_>) -> Vec<Event> {
        if let Some(next) = page.next {
            self.next_href = Some(next.to_owned());
        }
        self.ended |= page.ended;
        let mut fresh: Vec<&Event> = page
            .events
            .iter()
            .filter(|e| self.last.is_none_or(|last| e.id > last))
            .collect();
        // Stable: of two events with the same id, the first the server sent is kept.
        fresh.sort_by_key(|e| e.id);
        fresh.dedup_by_key(|e| e.id);
        if let Some(newest) = fresh.last() {
            self.last = Some(newest.id);
        }
        self.ended |= fresh
            .iter()
            .any(|e| matches!(e.kind, EventKind::State(ChatState::Ended)));
        fresh.into_iter().cloned().collect()
    }

    /// The URL of the next poll: the server's latest `next` link with `from` set to
    /// [`ChatCursor::from`], or `base` (the chat's or its events' URL) with that `from` when
    /// no link was seen yet, e.g. after a restart from a token. `v=1&NC=true` and a format
    /// suffix are the request builder's business.
    pub fn poll_href(&self, base: &str) -> String {
        let url = self.next_href.as_deref().unwrap_or(base);
        set_query_param(url, "from", &self.from().to_string())
    }

    /// The cursor as a token (`lpc1.<chat id>~<last id>`); see [`token`].
    pub fn to_token(&self) -> String {
        token::write(std::iter::once(self))
    }

    /// A cursor from a token of exactly one chat. It continues where the saved one stopped;
    /// it has no `next` link yet, so its first [`ChatCursor::poll_href`] uses the base.
    pub fn from_token(s: &str) -> Result<Self, TokenError> {
        let mut cursors = token::read(s)?;
        match (cursors.pop(), cursors.is_empty()) {
            (Some(cursor), true) => Ok(cursor),
            (popped, _) => Err(TokenError::NotOneChat {
                found: cursors.len() + usize::from(popped.is_some()),
            }),
        }
    }
}

impl fmt::Display for ChatCursor {
    /// Writes the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_token())
    }
}

impl FromStr for ChatCursor {
    type Err = TokenError;

    fn from_str(s: &str) -> Result<Self, TokenError> {
        ChatCursor::from_token(s)
    }
}

impl Serialize for ChatCursor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_token())
    }
}

impl<'de> Deserialize<'de> for ChatCursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ChatCursor::from_token(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u64) -> Event {
        Event {
            id: EventId(id),
            time: None,
            kind: EventKind::State(ChatState::Chatting),
        }
    }

    fn ids(events: &[Event]) -> Vec<u64> {
        events.iter().map(|e| e.id.0).collect()
    }

    fn page(ids: &[u64]) -> Vec<Event> {
        ids.iter().copied().map(ev).collect()
    }

    #[test]
    fn delivers_new_events_once_in_order() {
        let mut c = ChatCursor::new(ChatId::from("C"));
        assert_eq!(c.from(), EventId(0));
        assert_eq!(c.last_delivered(), None);
        assert_eq!(
            ids(&c.accept(Page::new(&page(&[2, 0, 1, 1, 0])))),
            [0, 1, 2]
        );
        assert_eq!(c.from(), EventId(3));
        assert_eq!(ids(&c.accept(Page::new(&page(&[1, 2, 4, 3, 4])))), [3, 4]);
        assert_eq!(
            ids(&c.accept(Page::new(&page(&[0, 1, 2, 3, 4])))),
            [] as [u64; 0]
        );
        assert_eq!(ids(&c.accept(Page::new(&[]))), [] as [u64; 0]);
        assert_eq!(c.last_delivered(), Some(EventId(4)));
        assert_eq!(c.from(), EventId(5));
    }

    #[test]
    fn first_of_two_events_with_one_id_is_kept() {
        let mut c = ChatCursor::new(ChatId::from("C"));
        let mut a = ev(0);
        a.kind = EventKind::State(ChatState::Waiting);
        let got = c.accept(Page::new(&[a.clone(), ev(0)]));
        assert_eq!(got, [a]);
    }

    #[test]
    fn gaps_are_accepted() {
        // Events 1 and 3 are ONLY_TO_REP lines this visitor cannot see.
        let mut c = ChatCursor::new(ChatId::from("C"));
        assert_eq!(ids(&c.accept(Page::new(&page(&[0, 2])))), [0, 2]);
        assert_eq!(c.from(), EventId(3));
        assert_eq!(ids(&c.accept(Page::new(&page(&[4, 5])))), [4, 5]);
        assert_eq!(c.from(), EventId(6));
    }

    #[test]
    fn poll_href_trusts_our_count_over_the_link() {
        let base = "https://h/api/account/1/agentSession/2/chat/C";
        let mut c = ChatCursor::new(ChatId::from("C"));
        assert_eq!(c.poll_href(base), format!("{base}?from=0"));
        // The server skips ahead: its link says 9, we have 0-1.
        let events = page(&[0, 1]);
        let next = format!("{base}/events?from=9&v=1");
        c.accept(Page::new(&events).with_next(Some(&next)));
        assert_eq!(c.next_href(), Some(next.as_str()));
        assert_eq!(c.poll_href(base), format!("{base}/events?from=2&v=1"));
        // The server repeats: its link says 0, we have up to 3.
        let events = page(&[2, 3]);
        let next = format!("{base}/events?from=0");
        c.accept(Page::new(&events).with_next(Some(&next)));
        assert_eq!(c.poll_href(base), format!("{base}/events?from=4"));
        // A page without a link keeps the last one.
        c.accept(Page::new(&[]));
        assert_eq!(c.poll_href(base), format!("{base}/events?from=4"));
    }

    #[test]
    fn starting_points() {
        let c = ChatCursor::starting_at(ChatId::from("C"), EventId(5));
        assert_eq!(
            (c.from(), c.last_delivered()),
            (EventId(5), Some(EventId(4)))
        );
        let c = ChatCursor::starting_at(ChatId::from("C"), EventId(0));
        assert_eq!((c.from(), c.last_delivered()), (EventId(0), None));
        let mut c = ChatCursor::resumed(ChatId::from("C"), Some(EventId(u64::MAX)));
        assert_eq!(c.from(), EventId(u64::MAX));
        assert!(c.accept(Page::new(&page(&[u64::MAX]))).is_empty());
    }

    #[test]
    fn ended_from_event_or_info() {
        let mut c = ChatCursor::new(ChatId::from("C"));
        c.accept(Page::new(&page(&[0])));
        assert!(!c.ended());
        let mut end = ev(1);
        end.kind = EventKind::State(ChatState::Ended);
        c.accept(Page::new(&[end.clone()]));
        assert!(c.ended());
        // A repeated ended event is not delivered again, but the flag stays.
        assert!(c.accept(Page::new(&[end])).is_empty());
        assert!(c.ended());

        let json = r#"{"chat":{"link":[{"@rel":"next","@href":"h/chat/D?from=1"}],
            "events":{"link":{"@rel":"next","@href":"h/chat/D/events?from=1"},"event":{"@id":"0","@type":"line","text":"x"}},
            "info":{"state":"ended","chatSessionKey":"D"}}}"#;
        let chat: Chat = crate::decode(crate::Format::Json, json.as_bytes(), &Default::default())
            .expect("decodes");
        let page = Page::from_chat(&chat);
        assert!(page.ended);
        assert_eq!(page.next, Some("h/chat/D?from=1"));
        let mut d = ChatCursor::new(ChatId::from("D"));
        assert_eq!(ids(&d.accept(page)), [0]);
        assert!(d.ended());
    }

    #[test]
    fn token_of_one_cursor() {
        let mut c = ChatCursor::new(ChatId::from("H1-abK2"));
        assert_eq!(c.to_token(), "lpc1.H1-abK2~");
        c.accept(Page::new(&page(&[0, 1, 2])));
        assert_eq!(c.to_string(), "lpc1.H1-abK2~2");
        let back: ChatCursor = "lpc1.H1-abK2~2".parse().expect("parses");
        assert_eq!(back.from(), EventId(3));
        assert_eq!(back.chat_id(), c.chat_id());
        assert_eq!(
            ChatCursor::from_token("lpc1."),
            Err(TokenError::NotOneChat { found: 0 })
        );
        assert_eq!(
            ChatCursor::from_token("lpc1.a~1.b~2"),
            Err(TokenError::NotOneChat { found: 2 })
        );
        let json = serde_json::to_string(&c).expect("serialises");
        assert_eq!(json, r#""lpc1.H1-abK2~2""#);
        let back: ChatCursor = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back.last_delivered(), Some(EventId(2)));
        assert!(serde_json::from_str::<ChatCursor>(r#""lpc2.a~1""#).is_err());
    }
}
