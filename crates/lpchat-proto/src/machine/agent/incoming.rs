//! Incoming chats: the ringing count (A10), accepting (A11), and settling an accept whose
//! outcome is unknown through the agent's chat sessions (A12).

use std::time::Instant;

use super::session::sent;
use super::{retry_loop, AgentMachine, Phase, Sent};
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, MachineError, MachineEvent};
use crate::machine::reply::{after, Reply, Retrier};
use crate::model::{ChatLocation, ChatSessions, IncomingRequests};
use crate::ops::{AcceptNextChat, GetChatSessions, GetIncomingRequests};
use crate::retry::{Decision, Failure, Idempotency};

use super::purpose::Purpose;

impl AgentMachine {
    pub(super) fn send_incoming(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if (self.polling_paused && self.recount == 0) || !self.incoming.ready(now) {
            return None;
        }
        match self.issue(Purpose::Incoming(GetIncomingRequests::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.incoming, &output);
                Some(output)
            }
            Err(error) => {
                self.incoming.schedule(self.after_refusal(now));
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn on_incoming(&mut self, reply: Reply<IncomingRequests>, at: Sent) {
        if !self.incoming.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(incoming) => {
                self.login.agent_succeeded();
                self.incoming.succeeded();
                let next = after(at.sent_at, self.cfg.incoming_interval).max(at.now);
                self.incoming.schedule(next);
                self.ringing_seen(&incoming, at.now);
            }
            Reply::Unauthorized => {
                self.incoming.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) =
                    retry_loop(&mut self.incoming, &mut retrier, &failure, error, at, true)
                {
                    let again = self.after_refusal(at.now);
                    self.incoming.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    fn ringing_seen(&mut self, incoming: &IncomingRequests, now: Instant) {
        let count = u64::try_from(incoming.ringing_count).unwrap_or(0);
        // What would ring now had no chat arrived: the last count less the chats this
        // machine accepted since. More than that means new chats rang, even when the count
        // never fell to 0 between them.
        let expected = self
            .ringing
            .unwrap_or(0)
            .saturating_sub(self.accepted_since_poll);
        self.ringing = Some(count);
        self.accepted_since_poll = 0;
        self.accept_href = incoming.accept_href().map(str::to_owned);
        if count > expected {
            self.offer_open = true;
            self.out.emit(MachineEvent::ChatOffered {
                ringing_count: count,
            });
        } else if count == 0 && self.offer_open {
            self.offer_open = false;
            self.out.emit(MachineEvent::OfferWithdrawn);
        }
        // Accepts that waited for this count go now, or are refused on fresh news.
        let waiting = std::mem::take(&mut self.recount);
        if count > 0 && waiting > 0 {
            self.accepts_wanted = self.accepts_wanted.saturating_add(waiting);
            self.accept.schedule_by(now);
        } else {
            for _ in 0..waiting {
                self.out
                    .emit(MachineEvent::AcceptFailed(CommandFailure::NothingToDo));
            }
        }
        // Auto-accept whenever chats ring and no accept is under way, not only when the
        // count rises from 0: a second chat that rang while the first did is taken too.
        if count > 0 && self.cfg.auto_accept && self.accepts_wanted == 0 && !self.accept.active() {
            self.accepts_wanted = 1;
            self.accept.schedule_by(now);
        }
    }

    pub(super) fn send_accept(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if self.accepts_wanted == 0 || !self.accept.ready(now) {
            return None;
        }
        let purpose = match self.accept_check {
            Some(_) => Purpose::AcceptCheck(GetChatSessions::new(&session)),
            None => Purpose::Accept(match &self.accept_href {
                Some(href) => AcceptNextChat::at(href),
                None => AcceptNextChat::new(&session),
            }),
        };
        match self.issue(purpose, now) {
            Ok(output) => {
                sent(&mut self.accept, &output);
                Some(output)
            }
            Err(error) => {
                // The accept link may be unusable; the session's own URL is the fallback.
                if self.accept_href.take().is_none() {
                    self.accept.cancel();
                    self.fail_accept(CommandFailure::InvalidRequest(error.message));
                    self.next_accept(now);
                }
                None
            }
        }
    }

    pub(super) fn on_accept(&mut self, reply: Reply<ChatLocation>, at: Sent) {
        if !self.accept.settle(at.id) || self.phase == Phase::Lost {
            return;
        }
        match reply {
            Reply::Ok(location) => {
                self.login.agent_succeeded();
                match location.chat_id() {
                    Some(chat) => {
                        let href = location.href().map(str::to_owned);
                        self.accepted(chat, href, at.now);
                    }
                    // Something was accepted, but which chat? The chat sessions tell.
                    None => self.check_accept(false, at.now),
                }
            }
            Reply::Unauthorized => {
                self.accept.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => self.accept_failed(&failure, error, at),
        }
    }

    fn accept_failed(&mut self, failure: &Failure, error: MachineError, at: Sent) {
        let attempt = self.accept.failed();
        let closing = self.phase != Phase::Running;
        let unknown = !failure.certainly_not_applied()
            && !matches!(failure, Failure::Status { status, .. } if status.is_client_error());
        let decision = self.retrier().decide(
            failure,
            attempt,
            Idempotency::StateChanging,
            false,
            at.now_unix,
        );
        match decision {
            _ if closing && unknown => self.check_accept(true, at.now),
            _ if closing => {
                self.fail_accept(CommandFailure::Closed);
                self.accept.succeeded();
            }
            Decision::Retry { after: pause } => self.accept.schedule(after(at.now, pause)),
            Decision::Reconcile { after: pause } => {
                self.accept_check = Some(false);
                self.accept.schedule(after(at.now, pause));
            }
            Decision::GiveUp if unknown => self.check_accept(true, at.now),
            Decision::GiveUp => {
                let reason = match failure {
                    Failure::Status { status, .. } => CommandFailure::Rejected { status: *status },
                    _ => CommandFailure::InvalidRequest(error.message),
                };
                self.accept.succeeded();
                self.fail_accept(reason);
                self.next_accept(at.now);
            }
        }
    }

    /// Settles an accept of unknown outcome by reading the chat sessions (A12); `last`
    /// when no accept may follow.
    fn check_accept(&mut self, last: bool, now: Instant) {
        self.accept_check = Some(last);
        self.accept_check_failures = 0;
        self.accept.schedule(now);
    }

    pub(super) fn on_accept_check(&mut self, reply: Reply<ChatSessions>, at: Sent) {
        if !self.accept.settle(at.id) || self.phase == Phase::Lost {
            return;
        }
        let last = self.accept_check.unwrap_or(true) || self.phase != Phase::Running;
        match reply {
            Reply::Ok(sessions) => {
                self.login.agent_succeeded();
                let fresh = sessions
                    .sessions
                    .iter()
                    .filter_map(|s| s.chat_id().map(|c| (s, c)))
                    .filter(|(_, c)| !self.cursors.contains(c) && !self.retired.contains(c))
                    .max_by_key(|(s, _)| s.start_time.map(|t| t.0));
                match fresh {
                    Some((session, chat)) => {
                        let href = session.href().map(str::to_owned);
                        self.accepted(chat, href, at.now);
                    }
                    None if last => {
                        self.accept.succeeded();
                        self.fail_accept(CommandFailure::GaveUp);
                        self.next_accept(at.now);
                    }
                    // Not accepted: accept again, as the next attempt.
                    None => {
                        self.accept_check = None;
                        self.accept.schedule(at.now);
                    }
                }
            }
            Reply::Unauthorized => {
                self.accept.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, .. } => {
                self.accept_check_failures = self.accept_check_failures.saturating_add(1);
                let n = self.accept_check_failures;
                let decision =
                    self.retrier()
                        .decide(&failure, n, Idempotency::Safe, false, at.now_unix);
                match decision.after() {
                    Some(pause) if self.phase == Phase::Running => {
                        self.accept.schedule(after(at.now, pause))
                    }
                    _ => {
                        self.accept.succeeded();
                        self.fail_accept(CommandFailure::OutcomeUnknown);
                        self.next_accept(at.now);
                    }
                }
            }
        }
    }

    /// A chat was accepted: follow it.
    fn accepted(&mut self, chat: crate::model::ChatId, href: Option<String>, now: Instant) {
        self.accept.succeeded();
        self.accepts_wanted = self.accepts_wanted.saturating_sub(1);
        self.accept_check = None;
        self.accept_check_failures = 0;
        self.offer_open = false;
        self.follow(chat.clone(), href, now);
        self.out.emit(MachineEvent::ChatAccepted(chat));
        // Chats the last poll counted are still ringing: auto-accept the next one at once
        // rather than one per incoming poll.
        self.accepted_since_poll = self.accepted_since_poll.saturating_add(1);
        if self.cfg.auto_accept
            && self.accepts_wanted == 0
            && self.ringing.unwrap_or(0) > self.accepted_since_poll
        {
            self.accepts_wanted = 1;
        }
        self.next_accept(now);
    }

    /// Schedules the next wanted accept, if any.
    fn next_accept(&mut self, now: Instant) {
        if self.accepts_wanted > 0 && self.phase == Phase::Running {
            self.accept.schedule(now);
        } else {
            self.accept.cancel();
        }
    }
}
