//! Cursors against a plain reference: chats whose servers append events over time, polled
//! through the multi-chat call and single-chat polls, with pages truncated, shuffled,
//! mixed with old events, delivered twice or replayed late, chats joining and ending, and the
//! process restarting from its token. No event may be lost, none repeated. Plus token round
//! trips for arbitrary chat ids.

use std::collections::BTreeMap;

use lpchat_proto::model::*;
use lpchat_proto::{ChatCursor, CursorSet, Page};
use proptest::prelude::*;

/// How many chats a run may use.
const POOL: usize = 4;

/// The base of every URL the fake server writes.
const BASE: &str = "https://h.example/api/account/1/agentSession/2/chat";

/// A chat id that no pool id can equal (pool ids are at most 8 characters).
const STRANGER: &str = "a-chat-this-process-never-heard-of";

// ---- The reference: what the servers hold and what the process was given. ----

#[derive(Debug, Default)]
struct ServerChat {
    /// Events 0..len exist.
    len: u64,
    /// Ended: the server appends nothing more.
    closed: bool,
    /// Every id delivered to the process, in delivery order.
    delivered: Vec<u64>,
    /// The process dropped its cursor (after every event was delivered).
    removed: bool,
    /// The id of the `ended` state event, once the chat ended.
    ended_id: Option<u64>,
}

struct World {
    ids: Vec<ChatId>,
    /// By pool index; absent until the chat joins.
    chats: BTreeMap<usize, ServerChat>,
    set: CursorSet,
    /// Every multi-chat body the server sent, for late replays.
    history: Vec<Chats>,
}

/// How the server mangles its answer for one chat.
#[derive(Debug, Clone)]
struct Mangle {
    /// Keep only this many of the new events (a prefix), or all of them.
    take: Option<usize>,
    /// Old events (ids below `from`) mixed in, as indices taken modulo `from`.
    repeats: Vec<u64>,
    /// Shuffles the page.
    seed: u64,
    /// Added to the `from` of the `next` link the server writes: it may skip ahead or lag.
    link_skew: i64,
}

#[derive(Debug, Clone)]
enum Op {
    /// The server appends events to an open chat.
    Append { chat: usize, n: u64 },
    /// A chat starts on the server with some events and the process starts following it.
    Join { chat: usize, initial: u64 },
    /// The chat ends: an `ended` state event, maybe system lines after it, then nothing.
    End { chat: usize, trailing: u64 },
    /// One multi-chat poll of every followed chat.
    Poll {
        mangles: Vec<Mangle>,
        twice: bool,
        stranger: bool,
    },
    /// One single-chat poll through the cursor's `poll_href`.
    PollOne { chat: usize, mangle: Mangle },
    /// An old multi-chat body arrives again.
    Replay { back: usize },
    /// The process stops and starts again from its token.
    Restart,
    /// The process drops the cursors of ended chats whose events were all delivered.
    RemoveFinished,
}

fn mangle() -> impl Strategy<Value = Mangle> {
    (
        prop_oneof![3 => Just(None), 2 => (0usize..4).prop_map(Some)],
        prop::collection::vec(any::<u64>(), 0..3),
        any::<u64>(),
        -3i64..4,
    )
        .prop_map(|(take, repeats, seed, link_skew)| Mangle {
            take,
            repeats,
            seed,
            link_skew,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let chat = 0..POOL;
    prop_oneof![
        4 => (chat.clone(), 1u64..6).prop_map(|(chat, n)| Op::Append { chat, n }),
        3 => (chat.clone(), 0u64..4).prop_map(|(chat, initial)| Op::Join { chat, initial }),
        1 => (chat.clone(), 0u64..2).prop_map(|(chat, trailing)| Op::End { chat, trailing }),
        5 => (prop::collection::vec(mangle(), POOL), prop::bool::weighted(0.2), prop::bool::weighted(0.1))
            .prop_map(|(mangles, twice, stranger)| Op::Poll { mangles, twice, stranger }),
        2 => (chat, mangle()).prop_map(|(chat, mangle)| Op::PollOne { chat, mangle }),
        1 => (0usize..6).prop_map(|back| Op::Replay { back }),
        1 => Just(Op::Restart),
        1 => Just(Op::RemoveFinished),
    ]
}

/// Chat ids with the characters that break naive encodings.
fn pool_ids() -> impl Strategy<Value = Vec<ChatId>> {
    prop::collection::btree_set("[a-zA-Z0-9.~%,&=?#+ /日-]{0,8}", POOL)
        .prop_map(|ids| ids.into_iter().map(ChatId::from).collect())
}

// ---- The fake server. ----

fn event(id: u64) -> Event {
    Event {
        id: EventId(id),
        time: None,
        kind: EventKind::Unknown {
            event_type: "test".into(),
            text: Some(format!("event {id}")),
        },
    }
}

fn ended_event(id: u64) -> Event {
    Event {
        id: EventId(id),
        time: None,
        kind: EventKind::State(ChatState::Ended),
    }
}

/// Deterministic shuffle (Fisher-Yates over a small LCG).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from((seed >> 33) % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

impl World {
    fn index_of(&self, id: &ChatId) -> usize {
        self.ids.iter().position(|i| i == id).unwrap()
    }

    /// The events the server answers `from` with, mangled.
    fn page(&self, chat: usize, from: u64, m: &Mangle) -> Vec<Event> {
        let server = &self.chats[&chat];
        let mut ids: Vec<u64> = (from..server.len).collect();
        if let Some(take) = m.take {
            ids.truncate(take);
        }
        if from > 0 {
            ids.extend(m.repeats.iter().map(|r| r % from));
        }
        shuffle(&mut ids, m.seed);
        let ended_id = server.ended_id;
        ids.into_iter()
            .map(|id| {
                if Some(id) == ended_id {
                    ended_event(id)
                } else {
                    event(id)
                }
            })
            .collect()
    }

    fn next_link(&self, chat: usize, path: &str, from: u64, m: &Mangle) -> Link {
        let skewed = from.saturating_add_signed(m.link_skew);
        let id = &self.ids[chat];
        Link::new(
            Rel::Next,
            format!(
                "{BASE}/{}{path}?from={skewed}&v=1",
                id.as_str().replace(['?', '#', '&'], "_")
            ),
        )
    }

    fn chat_body(&self, chat: usize, from: u64, m: &Mangle) -> Chat {
        let events = self.page(chat, from, m);
        let shown = from + events.iter().filter(|e| e.id.0 >= from).count() as u64;
        let mut ev = Events::default();
        ev.events = events;
        ev.links = vec![self.next_link(chat, "/events", shown, m)];
        let mut info = ChatInfo::default();
        info.chat_session_key = Some(self.ids[chat].clone());
        info.state = Some(if self.chats[&chat].closed {
            ChatState::Ended
        } else {
            ChatState::Chatting
        });
        let mut body = Chat::default();
        body.links = vec![self.next_link(chat, "", shown, m)];
        body.events = Some(ev);
        body.info = Some(info);
        body
    }
}

// ---- The process side, with the checks after every step. ----

impl World {
    /// Records a delivery and checks it: every id is the one after the last delivered for
    /// that chat (so once, increasing, nothing skipped: this server hides no event), and the
    /// server has it.
    fn record(&mut self, chat: usize, delivered: &[Event]) {
        let server = self.chats.get_mut(&chat).unwrap();
        for e in delivered {
            let want = server.delivered.last().map_or(0, |l| l + 1);
            assert_eq!(
                e.id.0, want,
                "chat {chat}: delivered {:?}",
                server.delivered
            );
            assert!(
                e.id.0 < server.len,
                "chat {chat}: id {} not on the server",
                e.id.0
            );
            server.delivered.push(e.id.0);
        }
    }

    fn check_cursors(&self) {
        for cursor in self.set.iter() {
            let chat = self.index_of(cursor.chat_id());
            let server = &self.chats[&chat];
            assert!(!server.removed);
            assert_eq!(cursor.from().0, server.delivered.len() as u64);
        }
    }

    fn accept_chats(&mut self, body: &Chats) {
        let before: Vec<ChatId> = self.set.iter().map(|c| c.chat_id().clone()).collect();
        let delivery = self.set.accept_chats(body);
        assert_eq!(delivery.unidentified, 0);
        for id in &delivery.unknown {
            assert!(
                !before.contains(id),
                "{id} is followed, yet reported unknown"
            );
        }
        for chat in &body.chats {
            let id = chat.chat_id().unwrap();
            if !before.contains(&id) {
                assert!(delivery.unknown.contains(&id), "{id} not reported");
            }
        }
        let mut by_chat: BTreeMap<usize, Vec<Event>> = BTreeMap::new();
        for (id, e) in delivery.events {
            assert!(before.contains(&id), "{id} delivered but not followed");
            by_chat.entry(self.index_of(&id)).or_default().push(e);
        }
        for (chat, events) in by_chat {
            self.record(chat, &events);
        }
    }

    fn poll(&mut self, mangles: &[Mangle], twice: bool, stranger: bool) {
        let Some((keys, froms)) = self.set.multi_chat_query() else {
            assert!(self.set.is_empty());
            return;
        };
        // The server reads the query as the API defines it: positional, comma-separated.
        let keys: Vec<ChatId> = keys
            .split(',')
            .map(|k| ChatId::from(percent_decode(k)))
            .collect();
        let froms: Vec<u64> = froms.split(',').map(|f| f.parse().unwrap()).collect();
        assert_eq!(keys.len(), froms.len());
        let order: Vec<ChatId> = self.set.iter().map(|c| c.chat_id().clone()).collect();
        assert_eq!(keys, order, "chatSessionKeys in set order");
        let mut body = Chats::default();
        for (key, from) in keys.iter().zip(&froms) {
            let chat = self.index_of(key);
            assert_eq!(
                *from,
                self.chats[&chat].delivered.len() as u64,
                "fromEventIds"
            );
            body.chats.push(self.chat_body(chat, *from, &mangles[chat]));
        }
        if stranger {
            let mut chat = Chat::default();
            let mut info = ChatInfo::default();
            info.chat_session_key = Some(ChatId::from(STRANGER));
            chat.info = Some(info);
            let mut ev = Events::default();
            ev.events = vec![event(0)];
            chat.events = Some(ev);
            body.chats.push(chat);
        }
        shuffle(&mut body.chats, mangles[0].seed ^ 0x5eed);
        self.accept_chats(&body);
        if twice {
            let before: Vec<usize> = self.chats.values().map(|c| c.delivered.len()).collect();
            self.accept_chats(&body);
            let after: Vec<usize> = self.chats.values().map(|c| c.delivered.len()).collect();
            assert_eq!(before, after, "the same page twice delivered something");
        }
        self.history.push(body);
    }

    fn poll_one(&mut self, chat: usize, m: &Mangle) {
        let id = self.ids[chat].clone();
        let Some(cursor) = self.set.get(&id) else {
            return;
        };
        let base = format!("{BASE}/{}", id.as_str().replace(['?', '#', '&'], "_"));
        let href = cursor.poll_href(&base);
        let from: u64 = Link::new(Rel::Next, href.clone())
            .query_param("from")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(from, self.chats[&chat].delivered.len() as u64, "{href}");
        let body = self.chat_body(chat, from, m);
        let events = body.events.clone().unwrap();
        let delivered = self.set.accept(&id, Page::from_events(&events)).unwrap();
        self.record(chat, &delivered);
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Append { chat, n } => {
                if let Some(server) = self.chats.get_mut(chat).filter(|s| !s.closed) {
                    server.len += n;
                }
            }
            Op::Join { chat, initial } => {
                if !self.chats.contains_key(chat) {
                    self.chats.insert(
                        *chat,
                        ServerChat {
                            len: *initial,
                            ..ServerChat::default()
                        },
                    );
                    assert!(self.set.add(self.ids[*chat].clone()));
                }
            }
            Op::End { chat, trailing } => {
                if let Some(server) = self.chats.get_mut(chat).filter(|s| !s.closed) {
                    server.ended_id = Some(server.len);
                    server.len += 1 + trailing;
                    server.closed = true;
                }
            }
            Op::Poll {
                mangles,
                twice,
                stranger,
            } => self.poll(mangles, *twice, *stranger),
            Op::PollOne { chat, mangle } => {
                if self.chats.contains_key(chat) {
                    self.poll_one(*chat, mangle);
                }
            }
            Op::Replay { back } => {
                if !self.history.is_empty() {
                    let i = self.history.len() - 1 - back % self.history.len();
                    let body = self.history[i].clone();
                    self.accept_chats(&body);
                }
            }
            Op::Restart => {
                let token = self.set.to_token();
                let restored = CursorSet::from_token(&token).unwrap();
                assert_eq!(restored.to_token(), token);
                self.set = restored;
            }
            Op::RemoveFinished => {
                // A real caller cannot know a chat is drained; the reference can, and that
                // is what this step tests: removal loses nothing and disturbs no other chat.
                for id in self.set.ended() {
                    let chat = self.index_of(&id);
                    let server = self.chats.get_mut(&chat).unwrap();
                    assert!(server.closed, "{id} reported ended before it ended");
                    if server.delivered.len() as u64 == server.len {
                        self.set.remove(&id).unwrap();
                        server.removed = true;
                    }
                }
            }
        }
        self.check_cursors();
    }

    /// Polls without mangling until every followed chat is drained, then checks that every
    /// event of every chat was delivered.
    fn finish(&mut self) {
        let clean = Mangle {
            take: None,
            repeats: vec![],
            seed: 0,
            link_skew: 0,
        };
        self.poll(&vec![clean; POOL], false, false);
        for (chat, server) in &self.chats {
            let all: Vec<u64> = (0..server.len).collect();
            assert_eq!(server.delivered, all, "chat {chat} lost events");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_event_lost_none_repeated(ids in pool_ids(), ops in prop::collection::vec(op(), 5..80)) {
        let mut world = World {
            ids,
            chats: BTreeMap::new(),
            set: CursorSet::new(),
            history: Vec::new(),
        };
        for op in &ops {
            world.step(op);
        }
        world.finish();
    }
}

// ---- Token round trips. ----

fn token_chars_are_url_safe(token: &str) {
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
        "{token}"
    );
}

proptest! {
    #[test]
    fn set_token_round_trips(entries in prop::collection::btree_map(any::<String>(), any::<Option<u64>>(), 0..6)) {
        let mut set = CursorSet::new();
        for (id, last) in &entries {
            set.insert(ChatCursor::resumed(ChatId::from(id.as_str()), last.map(EventId)));
        }
        let token = set.to_token();
        token_chars_are_url_safe(&token);
        let back = CursorSet::from_token(&token).unwrap();
        prop_assert_eq!(back.len(), entries.len());
        for (id, last) in &entries {
            let cursor = back.get(&ChatId::from(id.as_str())).unwrap();
            prop_assert_eq!(cursor.last_delivered(), last.map(EventId));
        }
        prop_assert_eq!(back.to_token(), token);
        prop_assert_eq!(back.multi_chat_query(), set.multi_chat_query());
    }

    #[test]
    fn cursor_token_round_trips(id in any::<String>(), delivered in 0u64..50) {
        let events: Vec<Event> = (0..delivered).map(event).collect();
        let mut cursor = ChatCursor::new(ChatId::from(id.as_str()));
        cursor.accept(Page::new(&events));
        let token = cursor.to_token();
        token_chars_are_url_safe(&token);
        let mut back = ChatCursor::from_token(&token).unwrap();
        prop_assert_eq!(back.chat_id(), cursor.chat_id());
        prop_assert_eq!(back.from(), cursor.from());
        // The restored cursor continues exactly: nothing repeated, nothing skipped.
        let more: Vec<Event> = (0..delivered + 3).map(event).collect();
        let got: Vec<u64> = back.accept(Page::new(&more)).iter().map(|e| e.id.0).collect();
        prop_assert_eq!(got, vec![delivered, delivered + 1, delivered + 2]);
    }

    #[test]
    fn any_text_is_a_token_or_a_typed_error(s in any::<String>()) {
        if let Ok(set) = CursorSet::from_token(&s) {
            // Whatever parsed writes back to a token that reads the same.
            let again = CursorSet::from_token(&set.to_token()).unwrap();
            prop_assert_eq!(again, set);
        }
    }

    #[test]
    fn near_tokens_are_typed_errors(prefix in "lpc[0-9]?\\.?", body in "[a-z0-9~.%+-]{0,12}") {
        let s = format!("{prefix}{body}");
        if let Ok(set) = CursorSet::from_token(&s) {
            prop_assert_eq!(CursorSet::from_token(&set.to_token()).unwrap(), set);
        }
    }
}
