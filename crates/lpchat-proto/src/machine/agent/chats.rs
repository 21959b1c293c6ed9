//! Following chats: the multi-chat poll (A13) through the cursor set, the end of chats,
//! and the positions of chats no longer followed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use super::session::sent;
use super::{retry_task, AgentMachine, Phase, Sent};
use crate::cursor::ChatCursor;
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, EndReason, MachineEvent};
use crate::machine::outgoing::Keep;
use crate::machine::reply::{after, Reply, Retrier};
use crate::model::{ChatId, ChatSessions, Chats, EventId};
use crate::ops::{GetChatSessions, GetChats};

use super::purpose::Purpose;

/// How many polls in a row may miss a chat before it counts as gone.
const MISSING_LIMIT: u32 = 3;
/// How many chats no longer followed keep their position.
const RETIRED_CAP: usize = 4096;

/// The last delivered event of chats no longer followed, so that a chat followed again
/// goes on from there instead of from event 0 (which would deliver its events twice).
#[derive(Debug, Default)]
pub(super) struct Retired {
    last: BTreeMap<ChatId, Option<EventId>>,
    order: VecDeque<ChatId>,
}

impl Retired {
    fn insert(&mut self, chat: ChatId, last: Option<EventId>) {
        if self.last.insert(chat.clone(), last).is_none() {
            self.order.push_back(chat);
        }
        while self.order.len() > RETIRED_CAP {
            if let Some(old) = self.order.pop_front() {
                self.last.remove(&old);
            }
        }
    }

    fn take(&mut self, chat: &ChatId) -> Option<Option<EventId>> {
        let last = self.last.remove(chat)?;
        self.order.retain(|c| c != chat);
        Some(last)
    }

    /// Whether the chat was followed before.
    pub(super) fn contains(&self, chat: &ChatId) -> bool {
        self.last.contains_key(chat)
    }
}

impl AgentMachine {
    /// Starts following `chat` (accepted, or found): from where it stopped if it was
    /// followed before, else from its first event.
    pub(super) fn follow(&mut self, chat: ChatId, href: Option<String>, now: Instant) {
        if !self.cursors.contains(&chat) {
            let cursor = match self.retired.take(&chat) {
                Some(last) => ChatCursor::resumed(chat.clone(), last),
                None => ChatCursor::new(chat.clone()),
            };
            self.cursors.insert(cursor);
        }
        if let Some(href) = href.filter(|h| self.chat_href_usable(h)) {
            self.chat_hrefs.insert(chat, href);
        }
        self.schedule_poll(now);
    }

    /// Whether requests can be built on a chat link.
    fn chat_href_usable(&self, href: &str) -> bool {
        use crate::ops::Operation;
        crate::ops::GetEvents::new(&crate::ops::ChatRef::Href(href.to_owned()))
            .build(&self.base_ctx)
            .is_ok()
    }

    /// The chat as operations want it: its link, or its id under the session.
    pub(super) fn chat_ref(&self, chat: &ChatId) -> Option<crate::ops::ChatRef> {
        if let Some(href) = self.chat_hrefs.get(chat) {
            return Some(crate::ops::ChatRef::Href(href.clone()));
        }
        Some(crate::ops::ChatRef::Agent {
            session: self.session.clone()?,
            chat: chat.clone(),
        })
    }

    /// Makes the poll due when chats are followed: at the interval after the last poll.
    pub(super) fn schedule_poll(&mut self, now: Instant) {
        if self.cursors.is_empty() || self.poll.active() || self.session.is_none() {
            return;
        }
        let at = match self.last_poll {
            Some(last) => after(last, self.cfg.poll_interval).max(now),
            None => now,
        };
        self.poll.schedule(at);
    }

    pub(super) fn send_poll(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.poll.ready(now) {
            return None;
        }
        if self.cursors.is_empty() {
            self.poll.cancel();
            return None;
        }
        let chats: Vec<(ChatId, EventId)> = self
            .cursors
            .iter()
            .map(|c| (c.chat_id().clone(), c.from()))
            .collect();
        match self.issue(Purpose::Chats(GetChats::new(&session, &chats)), now) {
            Ok(output) => {
                self.last_poll = Some(now);
                sent(&mut self.poll, &output);
                Some(output)
            }
            Err(error) => {
                self.poll.schedule(self.after_refusal(now));
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn on_chats(&mut self, reply: Reply<Chats>, at: Sent) {
        if !self.poll.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(chats) => {
                self.login.agent_succeeded();
                self.poll.succeeded();
                self.deliver_chats(&chats, at.now);
                if !self.cursors.is_empty() {
                    let next = after(at.sent_at, self.cfg.poll_interval).max(at.now);
                    self.poll.schedule(next);
                }
            }
            Reply::Unauthorized => {
                self.poll.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier {
                    policy: &self.cfg.retry,
                    rng: &mut self.rng,
                };
                if let Some(error) =
                    retry_task(&mut self.poll, &mut retrier, &failure, error, at, true)
                {
                    let again = self.after_refusal(at.now);
                    self.poll.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// Delivers a multi-chat answer: new events, changed information, ends.
    fn deliver_chats(&mut self, chats: &Chats, now: Instant) {
        let delivery = self.cursors.accept_chats(chats);
        let fresh: BTreeSet<ChatId> = delivery.events.iter().map(|(c, _)| c.clone()).collect();
        for (chat, event) in delivery.events {
            self.out.emit(MachineEvent::ChatEvent { chat, event });
        }
        let mut present = BTreeSet::new();
        for chat in &chats.chats {
            let Some(id) = chat.chat_id() else { continue };
            if !self.cursors.contains(&id) {
                continue;
            }
            if let Some(error) = &chat.error {
                let message = error
                    .message
                    .clone()
                    .unwrap_or_else(|| "error in the chat body".to_owned());
                self.finish_chat(&id, EndReason::ServerError(message));
                continue;
            }
            if let Some(info) = &chat.info {
                self.info_seen(&id, info);
            }
            present.insert(id);
        }
        for chat in self.chats() {
            if present.contains(&chat) {
                self.missing.remove(&chat);
            } else {
                let n = self.missing.entry(chat.clone()).or_insert(0);
                *n = n.saturating_add(1);
                if *n % MISSING_LIMIT == 0 && !self.verify.active() {
                    self.verify.schedule(now);
                }
            }
            let ended = self.cursors.get(&chat).is_some_and(ChatCursor::ended);
            if !ended {
                continue;
            }
            // Polled once more after the end, for what follows it; then it is over.
            if self.ending.contains(&chat) && !fresh.contains(&chat) {
                self.finish_chat(&chat, EndReason::Ended);
            } else {
                self.ending.insert(chat);
            }
        }
    }

    pub(super) fn send_verify(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.verify.ready(now) {
            return None;
        }
        match self.issue(Purpose::Verify(GetChatSessions::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.verify, &output);
                Some(output)
            }
            Err(error) => {
                self.verify.cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    /// The agent's chat sessions, read because chats were missing from the multi-chat
    /// answers: those not listed are gone, the others are waited for again.
    pub(super) fn on_verify(&mut self, reply: Reply<ChatSessions>, at: Sent) {
        if !self.verify.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(sessions) => {
                self.login.agent_succeeded();
                self.verify.succeeded();
                let listed: BTreeSet<ChatId> = sessions.chat_ids().collect();
                let missing: Vec<ChatId> = self
                    .missing
                    .iter()
                    .filter(|(_, n)| **n >= MISSING_LIMIT)
                    .map(|(c, _)| c.clone())
                    .collect();
                for chat in missing {
                    if listed.contains(&chat) {
                        self.missing.remove(&chat);
                    } else {
                        self.finish_chat(&chat, EndReason::Gone);
                    }
                }
            }
            Reply::Unauthorized => {
                self.verify.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier {
                    policy: &self.cfg.retry,
                    rng: &mut self.rng,
                };
                if let Some(error) =
                    retry_task(&mut self.verify, &mut retrier, &failure, error, at, false)
                {
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// Events read outside the poll (checking an outgoing item) go through the cursor too.
    pub(super) fn deliver_events(&mut self, chat: &ChatId, page: crate::cursor::Page<'_>) {
        let Some(events) = self.cursors.accept(chat, page) else {
            return;
        };
        for event in events {
            self.out.emit(MachineEvent::ChatEvent {
                chat: chat.clone(),
                event,
            });
        }
    }

    fn info_seen(&mut self, chat: &ChatId, info: &crate::model::ChatInfo) {
        if self.infos.get(chat) == Some(info) {
            return;
        }
        self.infos.insert(chat.clone(), info.clone());
        self.out.emit(MachineEvent::InfoUpdated {
            chat: chat.clone(),
            info: Box::new(info.clone()),
        });
    }

    /// Drops what is kept for a chat no longer followed once its queue is empty (a head
    /// still settling keeps its link).
    pub(super) fn forget_chat(&mut self, chat: &ChatId) {
        if self.outgoing.queue(chat).is_none_or(|q| q.items.is_empty()) {
            self.chat_hrefs.remove(chat);
            self.outgoing.forget(chat);
        }
    }

    /// Stops following `chat`: its waiting items fail, its position is kept.
    pub(super) fn finish_chat(&mut self, chat: &ChatId, reason: EndReason) {
        let Some(cursor) = self.cursors.remove(chat) else {
            return;
        };
        self.retired.insert(chat.clone(), cursor.last_delivered());
        self.ending.remove(chat);
        self.missing.remove(chat);
        self.infos.remove(chat);
        self.fail_waiting(chat, Keep::SentHead, CommandFailure::ChatEnded);
        self.forget_chat(chat);
        self.out.emit(MachineEvent::ChatEnded {
            chat: chat.clone(),
            reason,
        });
        if self.cursors.is_empty() {
            self.poll.cancel();
        }
    }
}
