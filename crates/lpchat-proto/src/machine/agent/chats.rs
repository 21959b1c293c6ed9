//! Following chats: the multi-chat poll (A13) through the cursor set, the end of chats,
//! and the positions of chats no longer followed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use super::session::sent;
use super::{retry_loop, AgentMachine, Phase, Sent};
use crate::cursor::{ChatCursor, CursorSet};
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, EndReason, MachineEvent};
use crate::machine::outgoing::Keep;
use crate::machine::reply::{after, Reply, Retrier};
use crate::machine::schedule::Schedule;
use crate::model::chat::ChatState;
use crate::model::{AgentId, ChatId, ChatInfo, ChatSessions, Chats, EventId, EventKind};
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

/// The chats followed and their poll: where each stands, how to reach it, what the last
/// answers said of it, and the round of the multi-chat poll (A13) with the reads of the chat
/// sessions (A12) that tell a missing or refused chat's fate.
#[derive(Debug, Default)]
pub(super) struct Following {
    /// Where every followed chat stands.
    pub(super) cursors: CursorSet,
    /// The chats' links, where usable.
    hrefs: BTreeMap<ChatId, String>,
    /// The last information of each chat.
    infos: BTreeMap<ChatId, ChatInfo>,
    /// Positions of chats no longer followed.
    retired: Retired,
    /// Chats this machine transferred, with the poll sequence at the transfer: followed
    /// until a later poll is answered.
    transferred: BTreeMap<ChatId, u64>,
    /// The multi-chat poll.
    pub(super) poll: Schedule,
    /// When the last poll was sent.
    last_poll: Option<Instant>,
    /// How many polls were sent; the one in flight is the last.
    poll_seq: u64,
    /// The chats the poll in flight asked for.
    polled: Vec<ChatId>,
    /// Chats still to poll alone in this round, after a multi-chat poll refused with 403
    /// or 404.
    split: VecDeque<ChatId>,
    /// Chats refused when polled alone, not polled until A12 says whether they left.
    refused: BTreeSet<ChatId>,
    /// The read of the chat sessions (A12) for chats missing or refused.
    pub(super) verify: Schedule,
    /// Answers in a row that missed each chat.
    missing: BTreeMap<ChatId, u32>,
}

impl Following {
    /// Followed from `resume` (positions saved by [`CursorSet::to_token`]).
    pub(super) fn resumed(resume: CursorSet) -> Self {
        Following {
            cursors: resume,
            ..Following::default()
        }
    }

    /// Whether `chat` is followed, or was.
    pub(super) fn knows(&self, chat: &ChatId) -> bool {
        self.cursors.contains(chat) || self.retired.contains(chat)
    }

    /// Whether `chat` was transferred by this machine (it is no longer this agent's, though
    /// polled once more).
    pub(super) fn was_transferred(&self, chat: &ChatId) -> bool {
        self.transferred.contains_key(chat)
    }

    /// This machine's transfer of `chat` is done: it leaves once a later poll is answered.
    pub(super) fn transfer_done(&mut self, chat: &ChatId) {
        self.transferred.insert(chat.clone(), self.poll_seq);
    }

    /// Starts following `chat` from where it stopped if it was followed before, else from
    /// its first event; `href` is its link, when usable.
    fn follow(&mut self, chat: ChatId, href: Option<String>) {
        if !self.cursors.contains(&chat) {
            let cursor = match self.retired.take(&chat) {
                Some(last) => ChatCursor::resumed(chat.clone(), last),
                None => ChatCursor::new(chat.clone()),
            };
            self.cursors.insert(cursor);
        }
        if let Some(href) = href {
            self.hrefs.insert(chat, href);
        }
    }

    /// The chats the next poll asks for: the next of a round of single polls, else every
    /// chat not refused (those wait for A12).
    fn next_asked(&mut self) -> Vec<ChatId> {
        let refused = &self.refused;
        let cursors = &self.cursors;
        self.split
            .retain(|c| cursors.contains(c) && !refused.contains(c));
        match self.split.pop_front() {
            Some(chat) => vec![chat],
            None => self
                .cursors
                .iter()
                .map(|c| c.chat_id().clone())
                .filter(|c| !self.refused.contains(c))
                .collect(),
        }
    }

    /// A poll asking for `asked` was sent at `now`.
    fn poll_sent(&mut self, asked: Vec<ChatId>, now: Instant) {
        self.last_poll = Some(now);
        self.poll_seq = self.poll_seq.saturating_add(1);
        self.polled = asked;
    }

    /// A poll was refused (403, 404) for what it asked: a chat asked alone waits for A12
    /// (true); several are asked one by one in a round (false).
    fn poll_refused(&mut self) -> Option<bool> {
        let asked = std::mem::take(&mut self.polled);
        match asked.as_slice() {
            [] => None,
            [chat] => {
                self.refused.insert(chat.clone());
                Some(true)
            }
            _ => {
                self.split = asked.into();
                Some(false)
            }
        }
    }

    /// One more answer missed `chat` (`present` false) or brought it; true when the misses
    /// reach a multiple of the limit (time to ask A12).
    fn count_missing(&mut self, chat: &ChatId, present: bool) -> bool {
        if present {
            self.missing.remove(chat);
            return false;
        }
        let n = self.missing.entry(chat.clone()).or_insert(0);
        *n = n.saturating_add(1);
        *n % MISSING_LIMIT == 0
    }

    /// Whether a poll sent after this machine's transfer of `chat` was answered.
    fn transfer_seen(&self, chat: &ChatId) -> bool {
        self.transferred
            .get(chat)
            .is_some_and(|at| self.poll_seq > *at)
    }

    /// The chats missed by enough answers in a row to ask A12 about.
    fn long_missing(&self) -> Vec<ChatId> {
        self.missing
            .iter()
            .filter(|(_, n)| **n >= MISSING_LIMIT)
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// `chat` was listed by A12: no longer counted as missing.
    fn listed(&mut self, chat: &ChatId) {
        self.missing.remove(chat);
    }

    /// Whether the chat's information shows it left this agent (`me`): back in the queue,
    /// or with another agent where the last information named this one (so an agent id that
    /// A9 and the chat write differently never makes a chat leave).
    fn shows_left(&self, me: Option<&AgentId>, chat: &ChatId, info: &ChatInfo) -> bool {
        if info.state == Some(ChatState::Waiting) {
            return true;
        }
        let (Some(me), Some(agent)) = (me, &info.agent_id) else {
            return false;
        };
        let was_mine = self
            .infos
            .get(chat)
            .and_then(|i| i.agent_id.as_ref())
            .is_some_and(|a| a == me);
        was_mine && agent != me
    }

    /// Keeps the chat's information; true when it changed.
    fn info_changed(&mut self, chat: &ChatId, info: &ChatInfo) -> bool {
        if self.infos.get(chat) == Some(info) {
            return false;
        }
        self.infos.insert(chat.clone(), info.clone());
        true
    }

    /// Why a chat that left is over: this machine's transfer, or elsewhere.
    fn left_reason(&self, chat: &ChatId) -> EndReason {
        if self.transferred.contains_key(chat) {
            EndReason::Transferred
        } else {
            EndReason::Left
        }
    }

    /// Stops following `chat`, keeping its position; false when it was not followed.
    fn unfollow(&mut self, chat: &ChatId) -> bool {
        let Some(cursor) = self.cursors.remove(chat) else {
            return false;
        };
        self.retired.insert(chat.clone(), cursor.last_delivered());
        self.missing.remove(chat);
        self.infos.remove(chat);
        self.transferred.remove(chat);
        self.refused.remove(chat);
        self.split.retain(|c| c != chat);
        true
    }
}

impl AgentMachine {
    /// Starts following `chat` (accepted, or found): from where it stopped if it was
    /// followed before, else from its first event.
    pub(super) fn follow(&mut self, chat: ChatId, href: Option<String>, now: Instant) {
        let href = href.filter(|h| self.chat_href_usable(h));
        self.following.follow(chat, href);
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
        if let Some(href) = self.following.hrefs.get(chat) {
            return Some(crate::ops::ChatRef::Href(href.clone()));
        }
        Some(crate::ops::ChatRef::Agent {
            session: self.session.clone()?,
            chat: chat.clone(),
        })
    }

    /// Makes the poll due when chats are followed: at the interval after the last poll.
    pub(super) fn schedule_poll(&mut self, now: Instant) {
        let f = &mut self.following;
        if f.cursors.is_empty() || f.poll.active() || self.session.is_none() {
            return;
        }
        let at = match f.last_poll {
            Some(last) => after(last, self.cfg.poll_interval).max(now),
            None => now,
        };
        f.poll.schedule(at);
    }

    pub(super) fn send_poll(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if self.polling_paused || !self.following.poll.ready(now) {
            return None;
        }
        // A round after a refused multi-chat poll asks for each chat alone; chats refused
        // alone wait for the chat sessions (A12) to tell whether they left.
        let asked = self.following.next_asked();
        if asked.is_empty() {
            self.following.poll.cancel();
            return None;
        }
        let cursors = &self.following.cursors;
        let chats: Vec<(ChatId, EventId)> = asked
            .iter()
            .filter_map(|c| Some((c.clone(), cursors.get(c)?.from())))
            .collect();
        match self.issue(Purpose::Chats(GetChats::new(&session, &chats)), now) {
            Ok(output) => {
                self.following.poll_sent(asked, now);
                sent(&mut self.following.poll, &output);
                Some(output)
            }
            Err(error) => {
                self.following.poll.schedule(self.after_refusal(now));
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn chats_answered(&mut self, reply: Reply<Chats>, at: Sent) {
        if !self.following.poll.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(chats) => {
                self.login.agent_succeeded(at.generation);
                self.following.poll.succeeded();
                self.deliver_chats(&chats, at.now);
                self.schedule_next_poll(at);
            }
            Reply::Unauthorized => {
                self.following.poll.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                if refuses_chat(&failure) && self.poll_refused(at) {
                    return;
                }
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                let task = &mut self.following.poll;
                if let Some(error) = retry_loop(task, &mut retrier, &failure, error, at, true) {
                    let again = self.after_refusal(at.now);
                    self.following.poll.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// A poll refused with 403 or 404: a chat asked alone is refused (the chat, or the
    /// agent session? A12 tells); several are polled one by one in a round that starts at
    /// the interval, as the next poll would. False when the poll asked for nothing.
    fn poll_refused(&mut self, at: Sent) -> bool {
        let Some(alone) = self.following.poll_refused() else {
            return false;
        };
        let f = &mut self.following;
        f.poll.succeeded();
        if alone {
            if !f.verify.active() {
                f.verify.schedule(at.now);
            }
            self.schedule_next_poll(at);
        } else {
            let next = after(at.sent_at, self.cfg.poll_interval).max(at.now);
            f.poll.schedule(next);
        }
        true
    }

    /// The next poll after an answer: at once while a round of single-chat polls goes on,
    /// else at the interval after the last one was sent.
    fn schedule_next_poll(&mut self, at: Sent) {
        let f = &mut self.following;
        if f.cursors.is_empty() {
            return;
        }
        let next = if f.split.is_empty() {
            after(at.sent_at, self.cfg.poll_interval).max(at.now)
        } else {
            at.now
        };
        f.poll.schedule(next);
    }

    /// Delivers a multi-chat answer: new events, changed information, then the chats that
    /// are over ([module docs](super#leaving)).
    fn deliver_chats(&mut self, chats: &Chats, now: Instant) {
        let delivery = self.following.cursors.accept_chats(chats);
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
        let asked = std::mem::take(&mut self.following.polled);
        let (present, left) = self.read_chats(chats, &last_state);
        for chat in asked {
            let Some(cursor) = self.following.cursors.get(&chat) else {
                continue;
            };
            // The end's own events come with it; only an end the information shows before
            // its `ended` event arrived waits for an answer with nothing new.
            let over = ended.contains(&chat) || (cursor.ended() && !fresh.contains(&chat));
            let f = &mut self.following;
            if f.count_missing(&chat, present.contains(&chat)) && !f.verify.active() {
                f.verify.schedule(now);
            }
            if over {
                self.finish_chat(&chat, EndReason::Ended);
            } else if left.contains(&chat) || self.following.transfer_seen(&chat) {
                let reason = self.following.left_reason(&chat);
                self.finish_chat(&chat, reason);
            }
        }
    }

    /// The chats of a multi-chat answer: those present, and those that left this agent (by
    /// their information, else by their last `state` event, `last_waiting`). A chat with an
    /// error in the body ends with it.
    fn read_chats(
        &mut self,
        chats: &Chats,
        last_waiting: &BTreeMap<ChatId, bool>,
    ) -> (BTreeSet<ChatId>, BTreeSet<ChatId>) {
        let mut present = BTreeSet::new();
        let mut left = BTreeSet::new();
        for chat in &chats.chats {
            let Some(id) = chat.chat_id() else { continue };
            if !self.following.cursors.contains(&id) {
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
                    let moved = self.following.shows_left(self.me.as_ref(), &id, info);
                    self.info_seen(&id, info);
                    moved
                }
                None => last_waiting.get(&id) == Some(&true),
            };
            if gone_elsewhere {
                left.insert(id.clone());
            }
            present.insert(id);
        }
        (present, left)
    }

    pub(super) fn send_verify(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.following.verify.ready(now) {
            return None;
        }
        match self.issue(Purpose::Verify(GetChatSessions::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.following.verify, &output);
                Some(output)
            }
            Err(error) => {
                self.following.verify.cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    /// The agent's chat sessions, read because chats were missing from the multi-chat
    /// answers: those not listed are gone, the others are waited for again.
    pub(super) fn verify_answered(&mut self, reply: Reply<ChatSessions>, at: Sent) {
        if !self.following.verify.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(sessions) => {
                self.login.agent_succeeded(at.generation);
                self.following.verify.succeeded();
                let listed: BTreeSet<ChatId> = sessions.chat_ids().collect();
                for chat in self.following.long_missing() {
                    if listed.contains(&chat) {
                        self.following.listed(&chat);
                    } else if self.following.was_transferred(&chat) {
                        self.finish_chat(&chat, EndReason::Transferred);
                    } else {
                        self.finish_chat(&chat, EndReason::Gone);
                    }
                }
                // Refused to this agent and no longer its: left. Listed: polled again.
                for chat in std::mem::take(&mut self.following.refused) {
                    if !listed.contains(&chat) {
                        let reason = self.following.left_reason(&chat);
                        self.finish_chat(&chat, reason);
                    }
                }
                self.schedule_poll(at.now);
            }
            Reply::Unauthorized => {
                self.following.verify.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                let task = &mut self.following.verify;
                if let Some(error) = retry_loop(task, &mut retrier, &failure, error, at, false) {
                    // A12 refused too: the session, not the chats, is the trouble. The chats
                    // refused alone are polled again, after the pause of a refused poll.
                    if !self.following.refused.is_empty() {
                        self.following.refused.clear();
                        if !self.following.cursors.is_empty() {
                            let again = self.after_refusal(at.now);
                            self.following.poll.schedule(again);
                        }
                    }
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// Events read outside the poll (checking an outgoing item) go through the cursor too.
    pub(super) fn deliver_events(&mut self, chat: &ChatId, page: crate::cursor::Page<'_>) {
        let Some(events) = self.following.cursors.accept(chat, page) else {
            return;
        };
        for event in events {
            self.out.emit(MachineEvent::ChatEvent {
                chat: chat.clone(),
                event,
            });
        }
    }

    fn info_seen(&mut self, chat: &ChatId, info: &ChatInfo) {
        if self.following.info_changed(chat, info) {
            self.out.emit(MachineEvent::InfoUpdated {
                chat: chat.clone(),
                info: Box::new(info.clone()),
            });
        }
    }

    /// Drops what is kept for a chat no longer followed once its queue is empty (a head
    /// still settling keeps its link).
    pub(super) fn forget_chat(&mut self, chat: &ChatId) {
        if self.outgoing.queue(chat).is_none_or(|q| q.items.is_empty()) {
            self.following.hrefs.remove(chat);
            self.outgoing.forget(chat);
        }
    }

    /// Stops following `chat`: its waiting items fail, its position is kept.
    pub(super) fn finish_chat(&mut self, chat: &ChatId, reason: EndReason) {
        if !self.following.unfollow(chat) {
            return;
        }
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
        if self.following.cursors.is_empty() {
            self.following.poll.cancel();
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
