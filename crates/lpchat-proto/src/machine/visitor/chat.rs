//! The chat itself: the request (V8), the poll (V10) and the keepalive (V13).

use std::time::Instant;

use super::{Joined, Phase, Sent, VisitorMachine};
use crate::cursor::{ChatCursor, Page};
use crate::machine::answer::retry_loop;
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, EndReason, MachineEvent, SessionLostReason};
use crate::machine::reply::{after, Reply, Retrier};
use crate::machine::states::enter;
use crate::model::{Chat, ChatInfo, ChatState, EventKind};
use crate::ops::{ChatRef, Created, GetChat, GetChatInfo, Operation, RequestChat};
use crate::retry::{Decision, Failure, Idempotency};

use super::purpose::Purpose;

/// How many refused polls in a row end the chat as gone.
const REFUSALS_LIMIT: u32 = 3;

impl VisitorMachine {
    pub(super) fn send_request(&mut self, now: Instant) -> Option<Output> {
        if !self.request.ready(now) {
            return None;
        }
        let op = RequestChat::new(self.cfg.request.clone());
        match self.issue(Purpose::Request(Box::new(op)), now) {
            Ok(output) => {
                if let Output::Send { id, .. } = &output {
                    self.request.sent(*id);
                }
                Some(output)
            }
            Err(error) => {
                self.lose(SessionLostReason::Refused(error));
                None
            }
        }
    }

    pub(super) fn request_answered(&mut self, reply: Reply<Created>, at: Sent) {
        if !self.request.settle(at.id) || self.phase != Phase::Requesting {
            return;
        }
        match reply {
            Reply::Ok(created) => {
                let href = created.href.clone();
                if self.join(href, None, at.now) {
                    if self.closing.is_some() {
                        // close() came while the request was in flight: end the chat now.
                        self.closing = None;
                        self.close();
                    }
                } else {
                    let error = crate::machine::event::MachineError::new(
                        "V8",
                        None,
                        "the chat's Location is not a usable URL",
                    );
                    self.lose(SessionLostReason::OutcomeUnknown(error));
                }
            }
            Reply::Unauthorized => self.lose(SessionLostReason::BadCredentials {
                status: http::StatusCode::UNAUTHORIZED,
            }),
            Reply::Failed { failure, error, .. } => {
                let attempt = self.request.failed();
                let decision = self.retrier().decide(
                    &failure,
                    attempt,
                    Idempotency::StateChanging,
                    true,
                    at.now_unix,
                );
                match decision {
                    Decision::Retry { after: pause } if self.closing.is_none() => {
                        self.request.schedule(after(at.now, pause))
                    }
                    Decision::Retry { .. } => self.finish(None),
                    Decision::Reconcile { .. } => {
                        self.lose(SessionLostReason::OutcomeUnknown(error))
                    }
                    Decision::GiveUp => match failure {
                        Failure::Status { status, .. } if status.is_client_error() => {
                            self.lose(SessionLostReason::Refused(error))
                        }
                        _ => self.lose(SessionLostReason::Unreachable(error)),
                    },
                }
            }
        }
    }

    /// The chat exists at `href`: follow it (from `cursor` when resuming). False when no
    /// request can be built for it.
    pub(super) fn join(&mut self, href: String, cursor: Option<ChatCursor>, now: Instant) -> bool {
        let by_href = ChatRef::Href(href.clone());
        let chat = if GetChatInfo::new(&by_href).build(&self.base_ctx).is_ok() {
            by_href
        } else {
            match by_href.id() {
                Some(id) => ChatRef::Visitor(id),
                None => return false,
            }
        };
        let Some(id) = cursor
            .as_ref()
            .map(|c| c.chat_id().clone())
            .or_else(|| chat.id())
        else {
            return false;
        };
        let cursor = cursor.unwrap_or_else(|| ChatCursor::new(id.clone()));
        self.joined = Some(Joined {
            id: id.clone(),
            chat,
            href,
            cursor,
        });
        enter(&mut self.phase, Phase::Chatting);
        self.poll.schedule(now);
        self.keepalive
            .schedule(after(now, self.cfg.keepalive_interval));
        self.out.emit(MachineEvent::ChatStarted(id));
        true
    }

    pub(super) fn send_poll(&mut self, now: Instant) -> Option<Output> {
        if self.polling_paused || !self.poll.ready(now) {
            return None;
        }
        let joined = self.joined.as_ref()?;
        // The server's `next` link with our own `from`; the chat's URL before any link.
        let by_link = joined
            .cursor
            .next_href()
            .map(|_| GetChat::at(joined.cursor.poll_href(&joined.href)))
            .filter(|op| op.build(&self.base_ctx).is_ok());
        let op = by_link.unwrap_or_else(|| GetChat::new(&joined.chat).from(joined.cursor.from()));
        match self.issue(Purpose::Poll(op), now) {
            Ok(output) => {
                if let Output::Send { id, .. } = &output {
                    self.poll.sent(*id);
                }
                Some(output)
            }
            Err(error) => {
                self.out.emit(MachineEvent::Error(error));
                self.end(EndReason::Gone);
                None
            }
        }
    }

    pub(super) fn poll_answered(&mut self, reply: Reply<Chat>, at: Sent) {
        if !self.poll.settle(at.id) || self.phase != Phase::Chatting {
            return;
        }
        let next = after(at.sent_at, self.cfg.poll_interval).max(at.now);
        match reply {
            Reply::Ok(chat) => {
                self.poll.succeeded();
                self.poll_refusals = 0;
                let (fresh, ended_event) = self.deliver(Page::from_chat(&chat));
                if let Some(info) = &chat.info {
                    self.info_seen(info);
                }
                // What comes with an end (its system line) is written with it and arrives in
                // the same answer: the `ended` event ends the chat at once. Only an end the
                // information shows before its event waits for an answer with nothing new.
                let ended = self.joined.as_ref().is_some_and(|j| j.cursor.ended());
                if ended_event || (ended && self.ending && fresh == 0) {
                    self.end(EndReason::Ended);
                    return;
                }
                self.ending |= ended;
                self.poll.schedule(next);
            }
            Reply::Unauthorized => self.lose(SessionLostReason::BadCredentials {
                status: http::StatusCode::UNAUTHORIZED,
            }),
            Reply::Failed {
                failure,
                error,
                op_error,
            } => {
                if let Some(crate::ops::Error::ChatError(e)) = op_error.as_deref() {
                    let message = e.message.clone().unwrap_or_else(|| "chat error".to_owned());
                    self.end(EndReason::ServerError(message));
                    return;
                }
                if matches!(failure, Failure::Status { status, .. } if status.is_client_error() && status.as_u16() != 429)
                {
                    self.poll_refusals = self.poll_refusals.saturating_add(1);
                    self.out.emit(MachineEvent::Error(error));
                    if self.poll_refusals >= REFUSALS_LIMIT {
                        self.end(EndReason::Gone);
                    } else {
                        self.poll.schedule(next);
                    }
                    return;
                }
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) =
                    retry_loop(&mut self.poll, &mut retrier, &failure, error, at, true)
                {
                    self.out.emit(MachineEvent::Error(error));
                    self.poll.schedule(next);
                }
            }
        }
    }

    /// Feeds a page to the cursor; returns how many events were new.
    /// Delivers the page's new events; returns how many, and whether the chat's `ended`
    /// state event was among them.
    pub(super) fn deliver(&mut self, page: Page<'_>) -> (usize, bool) {
        let Some(joined) = self.joined.as_mut() else {
            return (0, false);
        };
        let events = joined.cursor.accept(page);
        let n = events.len();
        let ended = events
            .iter()
            .any(|e| matches!(e.kind, EventKind::State(ChatState::Ended)));
        for event in events {
            self.out.emit(MachineEvent::ChatEvent {
                chat: joined.id.clone(),
                event,
            });
        }
        (n, ended)
    }

    fn info_seen(&mut self, info: &ChatInfo) {
        if self.info.as_ref() == Some(info) {
            return;
        }
        self.info = Some(info.clone());
        if let Some(chat) = self.chat_id().cloned() {
            self.out.emit(MachineEvent::InfoUpdated {
                chat,
                info: Box::new(info.clone()),
            });
        }
    }

    pub(super) fn send_keepalive(&mut self, now: Instant) -> Option<Output> {
        if !self.keepalive.ready(now) {
            return None;
        }
        let op = GetChatInfo::new(&self.joined.as_ref()?.chat);
        match self.issue(Purpose::Keepalive(op), now) {
            Ok(output) => {
                if let Output::Send { id, .. } = &output {
                    self.keepalive.sent(*id);
                }
                Some(output)
            }
            Err(error) => {
                self.keepalive.cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn keepalive_answered(&mut self, reply: Reply<ChatInfo>, at: Sent) {
        if !self.keepalive.settle(at.id) || self.phase != Phase::Chatting {
            return;
        }
        let next = after(at.sent_at, self.cfg.keepalive_interval).max(at.now);
        match reply {
            Reply::Ok(info) => {
                self.keepalive.succeeded();
                self.keepalive.schedule(next);
                if info.state == Some(ChatState::Ended) {
                    // The poll delivers what is left, then ends the chat.
                    let ended = Page {
                        ended: true,
                        ..Page::default()
                    };
                    self.deliver(ended);
                }
                self.info_seen(&info);
            }
            Reply::Unauthorized => self.lose(SessionLostReason::BadCredentials {
                status: http::StatusCode::UNAUTHORIZED,
            }),
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) = retry_loop(
                    &mut self.keepalive,
                    &mut retrier,
                    &failure,
                    error,
                    at,
                    false,
                ) {
                    self.out.emit(MachineEvent::Error(error));
                    self.keepalive.schedule(next);
                }
            }
        }
    }

    /// The chat is over: [`MachineEvent::ChatEnded`]; the ends queued are done, the items
    /// never sent fail, and the machine finishes, once a line that was sent is settled
    /// ([`Phase::Ending`]).
    pub(super) fn end(&mut self, reason: EndReason) {
        let Some(chat) = self.chat_id().cloned() else {
            self.finish(Some(CommandFailure::ChatEnded));
            return;
        };
        self.out.emit(MachineEvent::ChatEnded {
            chat: chat.clone(),
            reason,
        });
        for task in [
            &mut self.poll,
            &mut self.keepalive,
            &mut self.name,
            &mut self.typing,
        ] {
            task.cancel();
        }
        for settled in self.outgoing.chat_over(&chat, &CommandFailure::ChatEnded) {
            self.report(settled);
        }
        if self.phase == Phase::Closed {
            return;
        }
        enter(&mut self.phase, Phase::Ending);
        if self.outgoing.is_idle(&chat) {
            self.finish(Some(CommandFailure::ChatEnded));
        }
    }
}
