//! Following chats: the multi-chat poll (A13) through the cursor set, the end of chats,
//! and the positions of chats no longer followed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use super::session::sent;
use super::{retry_loop, AgentMachine, Phase, Sent};
use crate::cursor::ChatCursor;
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, EndReason, MachineEvent};
use crate::machine::outgoing::Keep;
use crate::machine::reply::{after, Reply, Retrier};
use crate::model::chat::ChatState;
use crate::model::{ChatId, ChatInfo, ChatSessions, Chats, EventId, EventKind};
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
        if self.polling_paused || !self.poll.ready(now) {
            return None;
        }
        // A round after a refused multi-chat poll asks for each chat alone; chats refused
        // alone wait for the chat sessions (A12) to tell whether they left.
        let refused = &self.refused;
        let cursors = &self.cursors;
        self.split
            .retain(|c| cursors.contains(c) && !refused.contains(c));
        let asked: Vec<ChatId> = match self.split.pop_front() {
            Some(chat) => vec![chat],
            None => self
                .cursors
                .iter()
                .map(|c| c.chat_id().clone())
                .filter(|c| !self.refused.contains(c))
                .collect(),
        };
        if asked.is_empty() {
            self.poll.cancel();
            return None;
        }
        let chats: Vec<(ChatId, EventId)> = asked
            .iter()
            .filter_map(|c| Some((c.clone(), self.cursors.get(c)?.from())))
            .collect();
        match self.issue(Purpose::Chats(GetChats::new(&session, &chats)), now) {
            Ok(output) => {
                self.last_poll = Some(now);
                self.poll_seq = self.poll_seq.saturating_add(1);
                self.polled = asked;
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
                self.schedule_next_poll(at);
            }
            Reply::Unauthorized => {
                self.poll.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, .. } if refuses_chat(&failure) && !self.polled.is_empty() => {
                self.poll.succeeded();
                let asked = std::mem::take(&mut self.polled);
                if let [chat] = asked.as_slice() {
                    // Refused alone: the chat, or the agent session? A12 tells.
                    self.refused.insert(chat.clone());
                    if !self.verify.active() {
                        self.verify.schedule(at.now);
                    }
                    self.schedule_next_poll(at);
                } else {
                    // The round of single polls starts at the interval, as the next poll would.
                    self.split = asked.into();
                    let next = after(at.sent_at, self.cfg.poll_interval).max(at.now);
                    self.poll.schedule(next);
                }
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) =
                    retry_loop(&mut self.poll, &mut retrier, &failure, error, at, true)
                {
                    let again = self.after_refusal(at.now);
                    self.poll.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// The next poll after an answer: at once while a round of single-chat polls goes on,
    /// else at the interval after the last one was sent.
    fn schedule_next_poll(&mut self, at: Sent) {
        if self.cursors.is_empty() {
            return;
        }
        let next = if self.split.is_empty() {
            after(at.sent_at, self.cfg.poll_interval).max(at.now)
        } else {
            at.now
        };
        self.poll.schedule(next);
    }

    /// Delivers a multi-chat answer: new events, changed information, then the chats that
    /// are over ([module docs](super#leaving)).
    fn deliver_chats(&mut self, chats: &Chats, now: Instant) {
        let delivery = self.cursors.accept_chats(chats);
        let mut fresh = BTreeSet::new();
        let mut ended = BTreeSet::new();
        let mut last_state: BTreeMap<ChatId, bool> = BTreeMap::new();
        for (chat, event) in delivery.events {
            if let EventKind::State(state) = &event.kind {
                ended.extend((*state == ChatState::Ended).then(|| chat.clone()));
                last_state.insert(chat.clone(), *state == ChatState::Waiting);
            }
            fresh.insert(chat.clone());
            self.out.emit(MachineEvent::ChatEvent { chat, event });
        }
        let asked = std::mem::take(&mut self.polled);
        let mut present = BTreeSet::new();
        let mut left = BTreeSet::new();
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
            let gone_elsewhere = match &chat.info {
                Some(info) => {
                    let moved = self.shows_left(&id, info);
                    self.info_seen(&id, info);
                    moved
                }
                None => last_state.get(&id) == Some(&true),
            };
            if gone_elsewhere {
                left.insert(id.clone());
            }
            present.insert(id);
        }
        for chat in asked {
            let Some(cursor) = self.cursors.get(&chat) else {
                continue;
            };
            // The end's own events come with it; only an end the information shows before
            // its `ended` event arrived waits for an answer with nothing new.
            let over = ended.contains(&chat) || (cursor.ended() && !fresh.contains(&chat));
            if present.contains(&chat) {
                self.missing.remove(&chat);
            } else {
                let n = self.missing.entry(chat.clone()).or_insert(0);
                *n = n.saturating_add(1);
                if *n % MISSING_LIMIT == 0 && !self.verify.active() {
                    self.verify.schedule(now);
                }
            }
            let transfer_seen = self
                .transferred
                .get(&chat)
                .is_some_and(|at| self.poll_seq > *at);
            if over {
                self.finish_chat(&chat, EndReason::Ended);
            } else if left.contains(&chat) || transfer_seen {
                let reason = self.left_reason(&chat);
                self.finish_chat(&chat, reason);
            }
        }
    }

    /// Whether the chat's information shows it left this agent: back in the queue, or with
    /// another agent where the last information named this one (so an agent id that A9
    /// and the chat write differently never makes a chat leave).
    fn shows_left(&self, chat: &ChatId, info: &ChatInfo) -> bool {
        if info.state == Some(ChatState::Waiting) {
            return true;
        }
        let (Some(me), Some(agent)) = (&self.me, &info.agent_id) else {
            return false;
        };
        let was_mine = self
            .infos
            .get(chat)
            .and_then(|i| i.agent_id.as_ref())
            .is_some_and(|a| a == me);
        was_mine && agent != me
    }

    /// Why a chat that left is over: this machine's transfer, or elsewhere.
    fn left_reason(&self, chat: &ChatId) -> EndReason {
        if self.transferred.contains_key(chat) {
            EndReason::Transferred
        } else {
            EndReason::Left
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
                    } else if self.transferred.contains_key(&chat) {
                        self.finish_chat(&chat, EndReason::Transferred);
                    } else {
                        self.finish_chat(&chat, EndReason::Gone);
                    }
                }
                // Refused to this agent and no longer its: left. Listed: polled again.
                for chat in std::mem::take(&mut self.refused) {
                    if !listed.contains(&chat) {
                        let reason = self.left_reason(&chat);
                        self.finish_chat(&chat, reason);
                    }
                }
                self.schedule_poll(at.now);
            }
            Reply::Unauthorized => {
                self.verify.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) =
                    retry_loop(&mut self.verify, &mut retrier, &failure, error, at, false)
                {
                    // A12 refused too: the session, not the chats, is the trouble. The chats
                    // refused alone are polled again, after the pause of a refused poll.
                    if !self.refused.is_empty() {
                        self.refused.clear();
                        if !self.cursors.is_empty() {
                            let again = self.after_refusal(at.now);
                            self.poll.schedule(again);
                        }
                    }
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
        self.missing.remove(chat);
        self.infos.remove(chat);
        self.transferred.remove(chat);
        self.refused.remove(chat);
        self.split.retain(|c| c != chat);
        match reason {
            // Over for everyone: the ends queued on it are done, as on the visitor side.
            EndReason::Ended => {
                for settled in self.outgoing.chat_over(chat, &CommandFailure::ChatEnded) {
                    self.report(chat, settled);
                }
            }
            EndReason::Unfollowed => {
                self.fail_waiting(chat, Keep::SentHead, CommandFailure::UnknownChat)
            }
            _ => self.fail_waiting(chat, Keep::SentHead, CommandFailure::ChatEnded),
        }
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

/// Whether a poll's failure refuses the chats asked for (403 or 404): a chat that is no
/// longer this agent's may be answered so (INF), as may a session that is gone.
fn refuses_chat(failure: &crate::retry::Failure) -> bool {
    matches!(
        failure,
        crate::retry::Failure::Status { status, .. }
            if *status == http::StatusCode::FORBIDDEN || *status == http::StatusCode::NOT_FOUND
    )
}
