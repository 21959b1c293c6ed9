//! Incoming chats: the ringing count (A10), accepting (A11), and settling an accept whose
//! outcome is unknown through the agent's chat sessions (A12). [`Accepting`] owns their
//! state; the machine's handlers below feed it the answers.

use std::time::Instant;

use super::session::sent;
use super::{retry_loop, AgentMachine, Phase, Sent};
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, MachineError, MachineEvent};
use crate::machine::outbox::Outbox;
use crate::machine::reply::{after, Reply, Retrier};
use crate::machine::schedule::{earliest, Schedule};
use crate::model::{ChatId, ChatLocation, ChatSessions, IncomingRequests};
use crate::ops::{AcceptNextChat, GetChatSessions, GetIncomingRequests, SessionRef};
use crate::retry::{Decision, Failure, Idempotency};

use super::purpose::Purpose;

/// The ringing count and the accepts: what was counted, what is wanted, the accept under
/// way and how one of unknown outcome is being settled.
#[derive(Debug, Default)]
pub(super) struct Accepting {
    /// The incoming poll (A10).
    pub(super) poll: Schedule,
    /// The accept (A11), or the read of the chat sessions (A12) that settles one.
    pub(super) task: Schedule,
    /// The last ringing count.
    ringing: Option<u64>,
    /// A [`MachineEvent::ChatOffered`] was said and no [`MachineEvent::OfferWithdrawn`] since.
    offer_open: bool,
    /// The accept link of the last count, when it gave one.
    href: Option<String>,
    /// Accepts asked for and not settled (the one under way among them).
    wanted: u32,
    /// Chats accepted since the last count.
    since_count: u64,
    /// The accept under way is settled through the chat sessions (A12).
    check: Option<Check>,
    /// Accepts asked for while the last count was 0, waiting for a fresh count.
    recount: u32,
}

/// Settling an accept of unknown outcome through the chat sessions.
#[derive(Debug, Clone, Copy)]
struct Check {
    /// No accept follows when the accepted chat is not found: the accept fails.
    last: bool,
    /// Reads of the chat sessions that failed in a row.
    failures: u32,
}

impl Accepting {
    /// An accept asked for: wanted, or (when no count has been read yet, or the last said
    /// nothing rings, and no accept is under way) held until the count is read now.
    fn ask(&mut self, now: Instant) {
        if self.ringing.is_none_or(|count| count == 0) && !self.task.active() {
            // The last count (up to a poll interval old) said nothing rings: count again
            // now rather than refuse on stale news (a chat may ring for only a few seconds
            // before the server forces Away), then accept or refuse. With no count yet
            // (just after the session started), the first count decides too: an accept
            // sent blind would fail with whatever the server answers when nothing rings
            // (undocumented; the spec says to check `ringingCount` first).
            self.recount = self.recount.saturating_add(1);
            self.poll.schedule_by(now);
            return;
        }
        self.wanted = self.wanted.saturating_add(1);
        if !self.task.active() {
            self.task.schedule(now);
        }
    }

    /// Whether the incoming poll runs while the event polls are paused: only for accepts
    /// waiting for a count.
    fn polls_while_paused(&self) -> bool {
        self.recount > 0
    }

    /// When the machine wakes for the count or an accept.
    pub(super) fn wake(&self, paused: bool) -> Option<Instant> {
        earliest([
            self.poll
                .wake()
                .filter(|_| !paused || self.polls_while_paused()),
            self.task.wake(),
        ])
    }

    /// A fresh count (A10): offers said or withdrawn, accepts that waited for it go or fail,
    /// and with `auto_accept` one is wanted whenever chats ring.
    fn count_seen<P>(
        &mut self,
        incoming: &IncomingRequests,
        auto_accept: bool,
        now: Instant,
        out: &mut Outbox<P>,
    ) {
        let count = u64::try_from(incoming.ringing_count).unwrap_or(0);
        // What would ring now had no chat arrived: the last count less the chats this
        // machine accepted since. More than that means new chats rang, even when the count
        // never fell to 0 between them.
        let expected = self.ringing.unwrap_or(0).saturating_sub(self.since_count);
        self.ringing = Some(count);
        self.since_count = 0;
        self.href = incoming.accept_href().map(str::to_owned);
        if count > expected {
            self.offer_open = true;
            out.emit(MachineEvent::ChatOffered {
                ringing_count: count,
            });
        } else if count == 0 && self.offer_open {
            self.offer_open = false;
            out.emit(MachineEvent::OfferWithdrawn);
        }
        // Accepts that waited for this count go now, or are refused on fresh news.
        let waiting = std::mem::take(&mut self.recount);
        if count > 0 && waiting > 0 {
            self.wanted = self.wanted.saturating_add(waiting);
            self.task.schedule_by(now);
        } else {
            for _ in 0..waiting {
                out.emit(MachineEvent::AcceptFailed(CommandFailure::NothingToDo));
            }
        }
        // Auto-accept whenever chats ring and no accept is under way, not only when the
        // count rises from 0: a second chat that rang while the first did is taken too.
        if count > 0 && auto_accept && self.wanted == 0 && !self.task.active() {
            self.wanted = 1;
            self.task.schedule_by(now);
        }
    }

    /// The request of the accept under way: the accept itself, or the read that settles it.
    fn purpose(&self, session: &SessionRef) -> Purpose {
        match self.check {
            Some(_) => Purpose::AcceptCheck(GetChatSessions::new(session)),
            None => Purpose::Accept(match &self.href {
                Some(href) => AcceptNextChat::at(href),
                None => AcceptNextChat::new(session),
            }),
        }
    }

    /// Settles the accept under way through the chat sessions (A12); `last` when no accept
    /// may follow.
    fn check(&mut self, last: bool, now: Instant) {
        self.check = Some(Check { last, failures: 0 });
        self.task.schedule(now);
    }

    /// Whether the check under way is the last (no accept follows it).
    fn check_is_last(&self) -> bool {
        self.check.is_none_or(|c| c.last)
    }

    /// One more read of the chat sessions failed; the count of them in a row.
    fn check_failed(&mut self) -> u32 {
        match &mut self.check {
            Some(check) => {
                check.failures = check.failures.saturating_add(1);
                check.failures
            }
            // Cleared while the read was in flight (closing): its first failure.
            None => 1,
        }
    }

    /// The accept under way fails with `reason`.
    pub(super) fn fail_one<P>(&mut self, reason: CommandFailure, out: &mut Outbox<P>) {
        self.wanted = self.wanted.saturating_sub(1);
        self.check = None;
        out.emit(MachineEvent::AcceptFailed(reason));
    }

    /// Every accept wanted fails with `reason`, but the one in flight when `keep_in_flight`
    /// (it settles by its answer); so do those waiting for a count.
    pub(super) fn fail_all<P>(
        &mut self,
        keep_in_flight: bool,
        reason: &CommandFailure,
        out: &mut Outbox<P>,
    ) {
        let kept = u32::from(keep_in_flight && self.task.busy());
        while self.wanted > kept {
            self.fail_one(reason.clone(), out);
        }
        for _ in 0..std::mem::take(&mut self.recount) {
            out.emit(MachineEvent::AcceptFailed(reason.clone()));
        }
    }

    /// The accept under way took a chat. With `auto_accept`, chats the last count saw still
    /// ring: the next is wanted at once rather than one per incoming poll.
    fn took_one(&mut self, auto_accept: bool) {
        self.task.succeeded();
        self.wanted = self.wanted.saturating_sub(1);
        self.check = None;
        self.offer_open = false;
        self.since_count = self.since_count.saturating_add(1);
        if auto_accept && self.wanted == 0 && self.ringing.unwrap_or(0) > self.since_count {
            self.wanted = 1;
        }
    }

    /// Schedules the next wanted accept, if any and `running`.
    fn next(&mut self, now: Instant, running: bool) {
        if self.wanted > 0 && running {
            self.task.schedule(now);
        } else {
            self.task.cancel();
        }
    }
}

impl AgentMachine {
    /// [`AgentMachine::accept_next`] while running.
    pub(super) fn ask_accept(&mut self) {
        let now = self.now;
        self.accepting.ask(now);
    }

    pub(super) fn send_incoming(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        let paused = self.polling_paused && !self.accepting.polls_while_paused();
        if paused || !self.accepting.poll.ready(now) {
            return None;
        }
        match self.issue(Purpose::Incoming(GetIncomingRequests::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.accepting.poll, &output);
                Some(output)
            }
            Err(error) => {
                self.accepting.poll.schedule(self.after_refusal(now));
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn incoming_answered(&mut self, reply: Reply<IncomingRequests>, at: Sent) {
        if !self.accepting.poll.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(incoming) => {
                self.login.agent_succeeded(at.generation);
                self.accepting.poll.succeeded();
                let next = after(at.sent_at, self.cfg.incoming_interval).max(at.now);
                self.accepting.poll.schedule(next);
                let auto = self.cfg.auto_accept;
                self.accepting
                    .count_seen(&incoming, auto, at.now, &mut self.out);
            }
            Reply::Unauthorized => {
                self.accepting.poll.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                let task = &mut self.accepting.poll;
                if let Some(error) = retry_loop(task, &mut retrier, &failure, error, at, true) {
                    let again = self.after_refusal(at.now);
                    self.accepting.poll.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    pub(super) fn send_accept(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if self.accepting.wanted == 0 || !self.accepting.task.ready(now) {
            return None;
        }
        match self.issue(self.accepting.purpose(&session), now) {
            Ok(output) => {
                sent(&mut self.accepting.task, &output);
                Some(output)
            }
            Err(error) => {
                // The accept link may be unusable; the session's own URL is the fallback.
                if self.accepting.href.take().is_none() {
                    self.accepting.task.cancel();
                    let reason = CommandFailure::InvalidRequest(error.message);
                    self.accepting.fail_one(reason, &mut self.out);
                    self.next_accept(now);
                }
                None
            }
        }
    }

    pub(super) fn accept_answered(&mut self, reply: Reply<ChatLocation>, at: Sent) {
        if !self.accepting.task.settle(at.id) || self.phase == Phase::Lost {
            return;
        }
        match reply {
            Reply::Ok(location) => {
                self.login.agent_succeeded(at.generation);
                match location.chat_id() {
                    Some(chat) => {
                        let href = location.href().map(str::to_owned);
                        self.accepted(chat, href, at.now);
                    }
                    // Something was accepted, but which chat? The chat sessions tell.
                    None => self.accepting.check(false, at.now),
                }
            }
            Reply::Unauthorized => {
                self.accepting.task.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => self.accept_failed(&failure, error, at),
        }
    }

    fn accept_failed(&mut self, failure: &Failure, error: MachineError, at: Sent) {
        let attempt = self.accepting.task.failed();
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
        let accepting = &mut self.accepting;
        match decision {
            _ if closing && unknown => accepting.check(true, at.now),
            _ if closing => {
                accepting.fail_one(CommandFailure::Closed, &mut self.out);
                accepting.task.succeeded();
            }
            Decision::Retry { after: pause } => accepting.task.schedule(after(at.now, pause)),
            Decision::Reconcile { after: pause } => {
                accepting.check(false, at.now);
                accepting.task.schedule(after(at.now, pause));
            }
            Decision::GiveUp if unknown => accepting.check(true, at.now),
            Decision::GiveUp => {
                let reason = match failure {
                    Failure::Status { status, .. } => CommandFailure::Rejected { status: *status },
                    _ => CommandFailure::InvalidRequest(error.message),
                };
                accepting.task.succeeded();
                accepting.fail_one(reason, &mut self.out);
                self.next_accept(at.now);
            }
        }
    }

    pub(super) fn accept_check_answered(&mut self, reply: Reply<ChatSessions>, at: Sent) {
        if !self.accepting.task.settle(at.id) || self.phase == Phase::Lost {
            return;
        }
        let last = self.accepting.check_is_last() || self.phase != Phase::Running;
        match reply {
            Reply::Ok(sessions) => {
                self.login.agent_succeeded(at.generation);
                let following = &self.following;
                let fresh = sessions
                    .sessions
                    .iter()
                    .filter_map(|s| s.chat_id().map(|c| (s, c)))
                    .filter(|(_, c)| !following.knows(c))
                    .max_by_key(|(s, _)| s.start_time.map(|t| t.0));
                match fresh {
                    Some((session, chat)) => {
                        let href = session.href().map(str::to_owned);
                        self.accepted(chat, href, at.now);
                    }
                    None if last => {
                        self.accepting.task.succeeded();
                        self.accepting
                            .fail_one(CommandFailure::GaveUp, &mut self.out);
                        self.next_accept(at.now);
                    }
                    // Not accepted: accept again, as the next attempt.
                    None => {
                        self.accepting.check = None;
                        self.accepting.task.schedule(at.now);
                    }
                }
            }
            Reply::Unauthorized => {
                self.accepting.task.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, .. } => {
                let n = self.accepting.check_failed();
                let decision =
                    self.retrier()
                        .decide(&failure, n, Idempotency::Safe, false, at.now_unix);
                match decision.after() {
                    Some(pause) if self.phase == Phase::Running => {
                        self.accepting.task.schedule(after(at.now, pause))
                    }
                    _ => {
                        self.accepting.task.succeeded();
                        self.accepting
                            .fail_one(CommandFailure::OutcomeUnknown, &mut self.out);
                        self.next_accept(at.now);
                    }
                }
            }
        }
    }

    /// A chat was accepted: follow it.
    fn accepted(&mut self, chat: ChatId, href: Option<String>, now: Instant) {
        self.accepting.took_one(self.cfg.auto_accept);
        self.follow(chat.clone(), href, now);
        self.out.emit(MachineEvent::ChatAccepted(chat));
        self.next_accept(now);
    }

    /// Schedules the next wanted accept, if any.
    fn next_accept(&mut self, now: Instant) {
        let running = self.phase == Phase::Running;
        self.accepting.next(now, running);
    }
}
