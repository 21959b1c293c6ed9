//! The ordered outgoing queues of chats, and how a machine learns whether an item whose
//! outcome is unknown reached the chat ([`find_delivered`]). The rules are in the
//! [machine docs](super#requests-that-change-state).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use super::answer::Sent;
use super::contract::RequestId;
use super::event::{CommandFailure, LineId};
use super::reply::{after, Retrier};
use super::schedule::{earliest, Schedule};
use crate::model::{
    ChatId, ChatState, Event, EventId, EventKind, NewEvent, Source, TransferRequest,
};
use crate::retry::{Decision, Failure, Idempotency};

/// How an item was settled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled {
    /// It is in the chat (once), as this event when known.
    Delivered(Queued, Option<EventId>),
    /// It is not, or its fate stayed unknown.
    Failed(Queued, CommandFailure),
}

/// What a queued item does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A line or the end of the chat (A16, A17, V12).
    Event(NewEvent),
    /// A transfer (A24, agent side).
    Transfer(TransferRequest),
}

/// An item and its id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Queued {
    pub(crate) id: LineId,
    pub(crate) item: Item,
}

/// What the head of a queue waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// To be sent (again).
    Send,
    /// Its outcome is unknown: read the chat's events and look for it.
    Check {
        /// The retries ran out: after this read, a missing item fails instead of being
        /// sent again.
        last: bool,
    },
}

/// One chat's queue.
#[derive(Debug, Clone)]
pub(crate) struct ChatQueue {
    pub(crate) items: VecDeque<Queued>,
    /// The head's schedule; its failure count is the head's attempt count.
    pub(crate) task: Schedule,
    pub(crate) stage: Stage,
    /// How many reads of the events failed in a row while checking the head.
    pub(crate) check_failures: u32,
    /// The first event id not yet delivered when the head was first sent: where to look
    /// for it.
    pub(crate) since: Option<EventId>,
    /// Event ids of our own delivered items.
    pub(crate) claimed: BTreeSet<EventId>,
}

impl ChatQueue {
    fn new() -> Self {
        ChatQueue {
            items: VecDeque::new(),
            task: Schedule::default(),
            stage: Stage::Send,
            check_failures: 0,
            since: None,
            claimed: BTreeSet::new(),
        }
    }

    /// The head item.
    pub(crate) fn head(&self) -> Option<&Queued> {
        self.items.front()
    }
}

/// The queues of all chats.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outgoing {
    queues: BTreeMap<ChatId, ChatQueue>,
    next_id: u64,
}

/// Which head of a queue [`Outgoing::drain`] leaves in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// A head that was sent at least once: its check or retry goes on.
    SentHead,
    /// Only a head whose request is in flight now.
    BusyHead,
    /// None.
    Nothing,
}

/// How many claimed event ids a queue remembers; older ones are below any search.
const MAX_CLAIMED: usize = 256;

impl Outgoing {
    /// Queues an item on `chat`; it is sent once the items before it are settled.
    pub(crate) fn push(&mut self, chat: &ChatId, item: Item, now: Instant) -> LineId {
        let id = self.fresh_id();
        let queue = self
            .queues
            .entry(chat.clone())
            .or_insert_with(ChatQueue::new);
        if queue.items.is_empty() {
            queue.task = Schedule::due_at(now);
            queue.stage = Stage::Send;
            queue.since = None;
            queue.check_failures = 0;
        }
        queue.items.push_back(Queued { id, item });
        id
    }

    /// An id for an item that is refused before it is queued.
    pub(crate) fn fresh_id(&mut self) -> LineId {
        self.next_id = self.next_id.saturating_add(1);
        LineId(self.next_id)
    }

    /// The queue of `chat`.
    pub(crate) fn queue(&self, chat: &ChatId) -> Option<&ChatQueue> {
        self.queues.get(chat)
    }

    /// The first chat whose head is due at `now`, with what it waits for.
    pub(crate) fn ready(&self, now: Instant) -> Option<(ChatId, Stage)> {
        self.queues
            .iter()
            .find(|(_, q)| !q.items.is_empty() && q.task.ready(now))
            .map(|(c, q)| (c.clone(), q.stage))
    }

    /// When the next head is due.
    pub(crate) fn wake(&self) -> Option<Instant> {
        earliest(
            self.queues
                .values()
                .filter(|q| !q.items.is_empty())
                .map(|q| q.task.wake()),
        )
    }

    /// Settles the head of `chat` (delivered or failed): the next item is due at `now`.
    /// Returns the settled item. `claimed` is the head's event id, when known.
    pub(crate) fn finish_head(
        &mut self,
        chat: &ChatId,
        claimed: Option<EventId>,
        now: Instant,
    ) -> Option<Queued> {
        let queue = self.queues.get_mut(chat)?;
        let head = queue.items.pop_front();
        if let Some(id) = claimed {
            queue.claimed.insert(id);
            while queue.claimed.len() > MAX_CLAIMED {
                queue.claimed.pop_first();
            }
        }
        queue.task = Schedule::due_at(now);
        queue.stage = Stage::Send;
        queue.since = None;
        queue.check_failures = 0;
        if queue.items.is_empty() {
            queue.task.cancel();
            if queue.claimed.is_empty() {
                self.queues.remove(chat);
            }
        }
        head
    }

    /// Takes items of `chat` out of its queue (the chat ended, the machine closes or lost
    /// its login), each with whether it was ever sent (its outcome may then be unknown).
    /// `keep` says which head stays to settle by itself.
    pub(crate) fn drain(&mut self, chat: &ChatId, keep: Keep) -> Vec<(Queued, bool)> {
        let Some(queue) = self.queues.get_mut(chat) else {
            return Vec::new();
        };
        let head_sent = queue.since.is_some() || queue.task.busy();
        let keep_head = match keep {
            Keep::SentHead => head_sent,
            Keep::BusyHead => queue.task.busy(),
            Keep::Nothing => false,
        };
        let kept = if keep_head {
            queue.items.pop_front()
        } else {
            None
        };
        let mut drained: Vec<(Queued, bool)> = queue.items.drain(..).map(|q| (q, false)).collect();
        if let (false, Some(first)) = (keep_head, drained.first_mut()) {
            first.1 = head_sent;
        }
        match kept {
            Some(head) => queue.items.push_back(head),
            None => {
                queue.task.cancel();
                queue.task.abandon();
            }
        }
        drained
    }

    /// The chat is over (its `ended` event was read). Every end queued on it is done,
    /// whatever became of its request: what it asked for is true, and its answer may never
    /// be read (the end of another side raced it). A head that was sent stays queued to be
    /// settled by its answer, retry or check, as [`Keep::SentHead`] (a line sent just before
    /// the end may have reached the chat). The other items were never sent: they come back
    /// as failed with `reason`. Returns what settled now, in queue order.
    pub(crate) fn chat_over(&mut self, chat: &ChatId, reason: &CommandFailure) -> Vec<Settled> {
        let Some(queue) = self.queues.get_mut(chat) else {
            return Vec::new();
        };
        let head_sent = queue.since.is_some() || queue.task.busy();
        let mut settled = Vec::new();
        let mut kept = None;
        for (i, queued) in std::mem::take(&mut queue.items).into_iter().enumerate() {
            if queued.item == Item::Event(NewEvent::End) {
                settled.push(Settled::Delivered(queued, None));
            } else if i == 0 && head_sent {
                kept = Some(queued);
            } else {
                settled.push(Settled::Failed(queued, reason.clone()));
            }
        }
        match kept {
            Some(head) => queue.items.push_back(head),
            None => {
                // A head in flight that settled here (an end): its answer is ignored.
                queue.task = Schedule::default();
                queue.stage = Stage::Send;
                queue.since = None;
                queue.check_failures = 0;
            }
        }
        settled
    }

    /// Whether nothing is queued on `chat`.
    pub(crate) fn is_idle(&self, chat: &ChatId) -> bool {
        self.queues.get(chat).is_none_or(|q| q.items.is_empty())
    }

    /// Forgets the queue of a chat no longer followed, once nothing is left in it (its
    /// claimed ids go too: the chat will not be searched again).
    pub(crate) fn forget(&mut self, chat: &ChatId) {
        if self.queues.get(chat).is_some_and(|q| q.items.is_empty()) {
            self.queues.remove(chat);
        }
    }

    /// Every chat with a queue.
    pub(crate) fn chats(&self) -> Vec<ChatId> {
        self.queues.keys().cloned().collect()
    }
}

impl Outgoing {
    /// The head of `chat`, about to be sent (again) as request `id`. The first send
    /// remembers `from`, the chat's first undelivered event id, as where to look for it.
    pub(crate) fn sending(&mut self, chat: &ChatId, id: RequestId, from: EventId) {
        if let Some(q) = self.queues.get_mut(chat) {
            q.since.get_or_insert(from);
            q.task.sent(id);
        }
    }

    /// The head of `chat` is being checked by request `id`; returns where to read from.
    pub(crate) fn checking(&mut self, chat: &ChatId, id: RequestId) -> EventId {
        match self.queues.get_mut(chat) {
            Some(q) => {
                q.task.sent(id);
                q.since.unwrap_or_default()
            }
            None => EventId(0),
        }
    }

    /// Settles request `id` of `chat`'s queue: false when it is not that queue's request.
    fn settle(&mut self, chat: &ChatId, id: RequestId) -> bool {
        self.queues.get_mut(chat).is_some_and(|q| q.task.settle(id))
    }

    /// A 401 to request `id` of `chat`: it did not act; the head goes again once logged
    /// in, at the same stage — or, when `stop`, is settled: a send as not done, a check as
    /// unknown.
    pub(crate) fn unauthorized(&mut self, chat: &ChatId, at: Sent, stop: bool) -> Option<Settled> {
        let now = at.now;
        if !self.settle(chat, at.id) {
            return None;
        }
        let q = self.queues.get_mut(chat)?;
        if !stop {
            q.task.schedule(now);
            return None;
        }
        let reason = match q.stage {
            Stage::Send if q.task.failures() == 0 => CommandFailure::Closed,
            _ => CommandFailure::OutcomeUnknown,
        };
        self.fail_head(chat, reason, now)
    }

    /// The head of `chat` was accepted (its request `id` succeeded).
    pub(crate) fn sent_ok(
        &mut self,
        chat: &ChatId,
        event: Option<EventId>,
        at: Sent,
    ) -> Option<Settled> {
        if !self.settle(chat, at.id) {
            return None;
        }
        let head = self.finish_head(chat, event, at.now)?;
        Some(Settled::Delivered(head, event))
    }

    /// The head's request `id` failed. `stop` (the machine is closing, or its chat is over)
    /// turns every retry into a failure.
    pub(crate) fn sent_failed(
        &mut self,
        chat: &ChatId,
        failure: &Failure,
        retrier: &mut Retrier<'_>,
        at: Sent,
        stop: bool,
    ) -> Option<Settled> {
        let Sent { now, now_unix, .. } = at;
        if !self.settle(chat, at.id) {
            return None;
        }
        let q = self.queues.get_mut(chat)?;
        let attempt = q.task.failed();
        let decision = retrier.decide(
            failure,
            attempt,
            Idempotency::StateChanging,
            false,
            now_unix,
        );
        let unknown = !failure.certainly_not_applied() && !is_refusal(failure);
        match decision {
            _ if stop => {
                let reason = if unknown {
                    CommandFailure::OutcomeUnknown
                } else {
                    CommandFailure::Closed
                };
                self.fail_head(chat, reason, now)
            }
            Decision::Retry { after: pause } => {
                q.stage = Stage::Send;
                q.task.schedule(after(now, pause));
                None
            }
            Decision::Reconcile { after: pause } => {
                q.stage = Stage::Check { last: false };
                q.task.schedule(after(now, pause));
                None
            }
            // The retries ran out while the outcome is unknown: read once more.
            Decision::GiveUp if unknown => {
                q.stage = Stage::Check { last: true };
                q.task.schedule(now);
                None
            }
            Decision::GiveUp => {
                let reason = match failure {
                    Failure::Status { status, .. } if is_refusal(failure) => {
                        CommandFailure::Rejected { status: *status }
                    }
                    _ => CommandFailure::GaveUp,
                };
                self.fail_head(chat, reason, now)
            }
        }
    }

    /// The events read to check the head of `chat` (request `id`): found, it is delivered;
    /// not found, it is sent again, or fails after the last check.
    pub(crate) fn checked(
        &mut self,
        chat: &ChatId,
        events: &[Event],
        own: Source,
        at: Sent,
        stop: bool,
    ) -> Option<Settled> {
        let now = at.now;
        if !self.settle(chat, at.id) {
            return None;
        }
        let q = self.queues.get_mut(chat)?;
        let head = q.items.front()?;
        let since = q.since.unwrap_or_default();
        if let Some(found) = find_delivered(events, &head.item, own, since, &q.claimed) {
            let head = self.finish_head(chat, Some(found), now)?;
            return Some(Settled::Delivered(head, Some(found)));
        }
        match q.stage {
            Stage::Check { last: true } => self.fail_head(chat, CommandFailure::GaveUp, now),
            _ if stop => self.fail_head(chat, CommandFailure::Closed, now),
            _ => {
                q.check_failures = 0;
                q.stage = Stage::Send;
                q.task.schedule(now);
                None
            }
        }
    }

    /// Reading the events to check the head failed.
    pub(crate) fn check_failed(
        &mut self,
        chat: &ChatId,
        failure: &Failure,
        retrier: &mut Retrier<'_>,
        at: Sent,
        stop: bool,
    ) -> Option<Settled> {
        let Sent { now, now_unix, .. } = at;
        if !self.settle(chat, at.id) {
            return None;
        }
        let q = self.queues.get_mut(chat)?;
        q.check_failures = q.check_failures.saturating_add(1);
        let decision = retrier.decide(
            failure,
            q.check_failures,
            Idempotency::Safe,
            false,
            now_unix,
        );
        match decision {
            Decision::Retry { after: pause } | Decision::Reconcile { after: pause } if !stop => {
                q.task.schedule(after(now, pause));
                None
            }
            _ => self.fail_head(chat, CommandFailure::OutcomeUnknown, now),
        }
    }

    /// The head of `chat` cannot even be built: it fails.
    pub(crate) fn unbuildable(
        &mut self,
        chat: &ChatId,
        reason: CommandFailure,
        now: Instant,
    ) -> Option<Settled> {
        self.fail_head(chat, reason, now)
    }

    fn fail_head(
        &mut self,
        chat: &ChatId,
        reason: CommandFailure,
        now: Instant,
    ) -> Option<Settled> {
        let head = self.finish_head(chat, None, now)?;
        Some(Settled::Failed(head, reason))
    }
}

/// Whether a failure is a refusal that proves the request did nothing (a 4xx; 401 and 429
/// are handled before).
fn is_refusal(failure: &Failure) -> bool {
    matches!(failure, Failure::Status { status, .. } if status.is_client_error())
}

/// The id of the event that shows `item` reached the chat, among `events` with ids from
/// `since` on that are not `claimed`; `own` is the source of our lines.
pub(crate) fn find_delivered(
    events: &[Event],
    item: &Item,
    own: Source,
    since: EventId,
    claimed: &BTreeSet<EventId>,
) -> Option<EventId> {
    let mut candidates: Vec<&Event> = events
        .iter()
        .filter(|e| e.id >= since && !claimed.contains(&e.id))
        .collect();
    candidates.sort_by_key(|e| e.id);
    candidates
        .into_iter()
        .find(|e| matches(e, item, &own))
        .map(|e| e.id)
}

fn matches(event: &Event, item: &Item, own: &Source) -> bool {
    match (item, &event.kind) {
        (Item::Event(NewEvent::End), EventKind::State(state)) => *state == ChatState::Ended,
        (Item::Event(NewEvent::Line { text, json, .. }), EventKind::Line(line)) => {
            if line.source.as_ref() != Some(own) {
                return false;
            }
            match json {
                Some(json) if text.trim().is_empty() => line.json.as_ref() == Some(json),
                _ => line.text.trim() == text.trim(),
            }
        }
        (Item::Transfer(_), EventKind::Line(line)) => {
            line.source == Some(Source::System)
                && matches!(line.system_message_id, Some(13) | Some(15))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, TextType};

    fn line(id: u64, text: &str, source: Source) -> Event {
        let mut l = Line {
            text: text.into(),
            text_type: TextType::Plain,
            by: None,
            source: Some(source),
            system_message_id: None,
            sub_type: None,
            json: None,
        };
        if l.source == Some(Source::System) {
            l.system_message_id = Some(15);
        }
        Event {
            id: EventId(id),
            time: None,
            kind: EventKind::Line(l),
        }
    }

    #[test]
    fn finds_our_line_once() {
        let events = [
            line(3, "hi", Source::Visitor),
            line(4, " hi ", Source::Agent),
            line(5, "hi", Source::Agent),
        ];
        let item = Item::Event(NewEvent::plain("hi"));
        let mut claimed = BTreeSet::new();
        let found = find_delivered(&events, &item, Source::Agent, EventId(0), &claimed);
        assert_eq!(found, Some(EventId(4)));
        claimed.insert(EventId(4));
        let found = find_delivered(&events, &item, Source::Agent, EventId(0), &claimed);
        assert_eq!(found, Some(EventId(5)));
        assert_eq!(
            find_delivered(&events, &item, Source::Agent, EventId(6), &claimed),
            None
        );
        assert_eq!(
            find_delivered(&events, &item, Source::Visitor, EventId(0), &claimed),
            Some(EventId(3))
        );
        let end = Event {
            id: EventId(9),
            time: None,
            kind: EventKind::State(ChatState::Ended),
        };
        let events = [line(8, "x", Source::System), end];
        let end_item = Item::Event(NewEvent::End);
        assert_eq!(
            find_delivered(&events, &end_item, Source::Agent, EventId(0), &claimed),
            Some(EventId(9))
        );
        let transfer = Item::Transfer(TransferRequest::to_skill("2"));
        assert_eq!(
            find_delivered(&events, &transfer, Source::Agent, EventId(0), &claimed),
            Some(EventId(8))
        );
    }

    #[test]
    fn queues_are_ordered_per_chat() {
        let now = Instant::now();
        let mut out = Outgoing::default();
        let a = ChatId::from("A");
        let l1 = out.push(&a, Item::Event(NewEvent::plain("1")), now);
        let l2 = out.push(&a, Item::Event(NewEvent::plain("2")), now);
        assert_ne!(l1, l2);
        assert_eq!(out.ready(now), Some((a.clone(), Stage::Send)));
        out.sending(&a, crate::machine::contract::RequestId(1), EventId(0));
        assert_eq!(out.ready(now), None);
        assert_eq!(out.drain(&a, Keep::BusyHead).len(), 1);
        assert_eq!(out.queue(&a).unwrap().head().unwrap().id, l1);
        let head = out.finish_head(&a, Some(EventId(4)), now).unwrap();
        assert_eq!(head.id, l1);
        assert!(out.queue(&a).unwrap().items.is_empty());
        assert!(out.queue(&a).unwrap().claimed.contains(&EventId(4)));
    }
}
