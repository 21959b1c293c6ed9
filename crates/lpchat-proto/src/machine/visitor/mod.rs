//! The visitor chat machine (spec §6): request a chat, poll it, send lines in order,
//! keep it alive, set the visitor's name and typing state.
//!
//! # What runs
//!
//! - The chat request (V8): the chat's URL comes in `Location`
//!   ([`MachineEvent::ChatStarted`]). Its outcome cannot be checked (the visitor API lists no
//!   chats), so a request whose answer was lost is not repeated: the machine reports
//!   [`SessionLostReason::OutcomeUnknown`] rather than risk a second chat.
//! - The poll (V10 through the chat's `next` link, every 2 s): new events once each
//!   ([`MachineEvent::ChatEvent`]), changed information ([`MachineEvent::InfoUpdated`]). The
//!   answer that brings the chat's `ended` event (with the end's system line, written with
//!   it) ends it: [`MachineEvent::ChatEnded`] and [`MachineEvent::Closed`]; an end the
//!   information shows before its event is polled until an answer brings nothing new. A poll refused three times in
//!   a row (4xx) ends the chat as gone; a `chat.error` in the body ends it with that error.
//! - The keepalive (V13, Retrieve Chat Information, every 30 s, spec §8).
//! - The outgoing queue (V12): lines and the end in order, one in flight; an item whose
//!   outcome is unknown is looked for in the chat's events (V11) before it is sent again.
//! - The visitor's name (V14) and typing state (V15): the latest value wins.
//!
//! [`VisitorMachine::close`] ends the chat (after the lines queued before) and finishes once
//! the end is settled.

mod chat;
mod config;
mod purpose;
mod send;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Response;

pub use config::VisitorConfig;

use super::answer::{self, parse, Answering, Input, Sent};
use super::clock::WallClock;
use super::contract::{FailureKind, Machine, Output, RequestId, IDLE_WAKE};
use super::event::{CommandFailure, LineId, MachineError, MachineEvent, SessionLostReason};
use super::outbox::Outbox;
use super::outgoing::{Item, Keep, Outgoing};
use super::reply::{after, Retrier};
use super::rng::Rng;
use super::schedule::{earliest, Schedule};
use super::states::{enter, start, States};
use crate::cursor::ChatCursor;
use crate::model::{ChatId, ChatInfo, NewEvent};
use crate::ops::{Auth, ChatRef, Context};
use purpose::Purpose;

/// Where the machine stands (the diagram `visitor` of `docs/architecture.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Requesting the chat (V8).
    Requesting,
    /// The chat exists: polling, sending.
    Chatting,
    /// The chat is over (its `ended` event was read) while a line it was sent was not
    /// settled: only that line's answer, retry or check runs, then the machine finishes.
    /// Finishing at once would drop the answer of a line the server may have taken.
    Ending,
    /// Finished: the chat ended, was closed, or could not be had.
    Closed,
}

impl States for Phase {
    const DIAGRAM: &'static str = "visitor";
    const START: &'static [Self] = &[Phase::Requesting];
    const MOVES: &'static [(Self, Self)] = &[
        (Phase::Requesting, Phase::Chatting),
        (Phase::Requesting, Phase::Closed),
        (Phase::Chatting, Phase::Ending),
        (Phase::Chatting, Phase::Closed),
        (Phase::Ending, Phase::Closed),
    ];
    fn name(self) -> &'static str {
        match self {
            Phase::Requesting => "Requesting",
            Phase::Chatting => "Chatting",
            Phase::Ending => "Ending",
            Phase::Closed => "Closed",
        }
    }
}

/// The chat, once it exists.
#[derive(Debug, Clone)]
struct Joined {
    id: ChatId,
    chat: ChatRef,
    href: String,
    cursor: ChatCursor,
}

/// The visitor chat machine. See the [module docs](self).
///
/// `Debug` shows no secret (the app key is redacted).
#[derive(Debug)]
pub struct VisitorMachine {
    cfg: VisitorConfig,
    base_ctx: Context,
    rng: Rng,
    out: Outbox<Purpose>,
    phase: Phase,
    now: Instant,
    joined: Option<Joined>,
    request: Schedule,
    poll: Schedule,
    poll_refusals: u32,
    /// The end was seen; one more poll delivers what follows it.
    ending: bool,
    keepalive: Schedule,
    info: Option<ChatInfo>,
    outgoing: Outgoing,
    name: Schedule,
    name_wanted: Option<String>,
    typing: Schedule,
    typing_wanted: Option<bool>,
    /// `close()` was called: finish once the end is settled.
    closing: Option<LineId>,
    /// The driver's consumer is behind: no chat poll goes out.
    polling_paused: bool,
}

impl VisitorMachine {
    /// A machine that starts at `now`: it requests the chat, or goes on with the one in
    /// [`VisitorConfig::resume`].
    pub fn new(config: VisitorConfig, now: Instant) -> Self {
        let cfg = config.normalized();
        let base_ctx = Context::new(cfg.format)
            .with_base(cfg.base.clone())
            .with_options(cfg.options)
            .with_auth(Auth::AppKey(cfg.app_key.clone()));
        let mut machine = VisitorMachine {
            rng: Rng::new(cfg.seed),
            base_ctx,
            out: Outbox::default(),
            phase: start(Phase::Requesting),
            now,
            joined: None,
            request: Schedule::due_at(now),
            poll: Schedule::default(),
            poll_refusals: 0,
            ending: false,
            keepalive: Schedule::default(),
            info: None,
            outgoing: Outgoing::default(),
            name: Schedule::default(),
            name_wanted: None,
            typing: Schedule::default(),
            typing_wanted: None,
            closing: None,
            polling_paused: false,
            cfg,
        };
        if let Some((href, cursor)) = machine.cfg.resume.clone() {
            machine.request.cancel();
            machine.join(href, Some(cursor), now);
        }
        machine
    }

    // ---- Commands -------------------------------------------------------------------

    /// Queues a line (or any [`NewEvent`]) after the items queued before it. Settled by
    /// [`MachineEvent::LineDelivered`] or [`MachineEvent::LineFailed`].
    pub fn send_line(&mut self, event: NewEvent) -> LineId {
        self.enqueue(Item::Event(event))
    }

    /// Queues the end of the chat after the lines queued before it.
    pub fn end_chat(&mut self) -> LineId {
        self.enqueue(Item::Event(NewEvent::End))
    }

    /// Sets the visitor's name (V14); the latest value wins.
    pub fn set_visitor_name(&mut self, name: impl Into<String>) {
        if matches!(self.phase, Phase::Closed | Phase::Ending) {
            return;
        }
        self.name_wanted = Some(name.into());
        self.name.schedule(self.now);
    }

    /// Says whether the visitor is typing (V15); the latest value wins.
    pub fn set_typing(&mut self, typing: bool) {
        if matches!(self.phase, Phase::Closed | Phase::Ending) {
            return;
        }
        self.typing_wanted = Some(typing);
        self.typing.schedule(self.now);
    }

    /// Ends the chat (after the lines queued before) and finishes once the end is settled;
    /// before the chat exists, finishes at once.
    pub fn close(&mut self) {
        match self.phase {
            Phase::Closed | Phase::Ending => {}
            Phase::Requesting if self.request.busy() => {
                // The chat may be created: end it once it is.
                if self.closing.is_none() {
                    self.closing = Some(self.outgoing.fresh_id());
                }
            }
            Phase::Requesting => self.finish(None),
            Phase::Chatting if self.closing.is_none() => {
                let id = self.enqueue(Item::Event(NewEvent::End));
                self.closing = Some(id);
            }
            Phase::Chatting => {}
        }
    }

    // ---- Accessors ------------------------------------------------------------------

    /// The chat id, once the chat exists.
    pub fn chat_id(&self) -> Option<&ChatId> {
        self.joined.as_ref().map(|j| &j.id)
    }

    /// The chat's URL, once it exists (for [`VisitorConfig::resume`]).
    pub fn chat_href(&self) -> Option<&str> {
        self.joined.as_ref().map(|j| j.href.as_str())
    }

    /// Where the chat's cursor stands, as a token (for [`VisitorConfig::resume`]).
    pub fn cursor_token(&self) -> Option<String> {
        self.joined.as_ref().map(|j| j.cursor.to_token())
    }

    /// The chat information last seen.
    pub fn info(&self) -> Option<&ChatInfo> {
        self.info.as_ref()
    }

    // ---- Internals --------------------------------------------------------------------

    fn enqueue(&mut self, item: Item) -> LineId {
        let chat = self.joined.as_ref().map(|j| j.id.clone());
        match (self.phase, chat) {
            (Phase::Chatting, Some(chat)) => self.outgoing.push(&chat, item, self.now),
            (phase, chat) => {
                let id = self.outgoing.fresh_id();
                let reason = match phase {
                    Phase::Closed => CommandFailure::Closed,
                    Phase::Ending => CommandFailure::ChatEnded,
                    _ => CommandFailure::UnknownChat,
                };
                self.out.emit(MachineEvent::LineFailed {
                    id,
                    chat: chat.unwrap_or_else(|| ChatId::from("")),
                    reason,
                });
                id
            }
        }
    }

    fn retrier(&mut self) -> Retrier<'_> {
        Retrier::new(&self.cfg.retry, &mut self.rng)
    }

    fn issue(&mut self, purpose: Purpose, now: Instant) -> Result<Output, MachineError> {
        let request = purpose
            .build(&self.base_ctx)
            .map_err(|e| MachineError::from_op(purpose.endpoint(), &e))?;
        let id = self.out.register(purpose, 0, now);
        Ok(Output::Send { id, request })
    }

    fn next_send(&mut self, now: Instant) -> Option<Output> {
        match self.phase {
            Phase::Requesting => self.send_request(now),
            Phase::Chatting => self
                .send_outgoing(now)
                .or_else(|| self.send_name(now))
                .or_else(|| self.send_typing(now))
                .or_else(|| self.send_poll(now))
                .or_else(|| self.send_keepalive(now)),
            Phase::Ending => self.send_outgoing(now),
            Phase::Closed => None,
        }
    }

    fn wake(&self, now: Instant) -> Instant {
        let at = match self.phase {
            Phase::Requesting => self.request.wake(),
            Phase::Chatting => earliest([
                self.outgoing.wake(),
                self.name.wake(),
                self.typing.wake(),
                self.poll.wake().filter(|_| !self.polling_paused),
                self.keepalive.wake(),
            ]),
            Phase::Ending => self.outgoing.wake(),
            Phase::Closed => None,
        };
        earliest([at, self.out.next_deadline(self.cfg.request_deadline)])
            .map(|at| at.max(now))
            .unwrap_or_else(|| after(now, IDLE_WAKE))
    }

    fn dispatch_purpose(&mut self, purpose: Purpose, input: Input, at: Sent) {
        let limits = self.cfg.limits;
        match purpose {
            Purpose::Request(op) => self.request_answered(parse(op.as_ref(), input, &limits), at),
            Purpose::Poll(op) => self.poll_answered(parse(&op, input, &limits), at),
            Purpose::Keepalive(op) => self.keepalive_answered(parse(&op, input, &limits), at),
            Purpose::Send(op) => self.send_answered(parse(&op, input, &limits), at),
            Purpose::Check(op) => self.check_answered(parse(&op, input, &limits), at),
            Purpose::Name(op) => {
                let asked = op.body().as_str().to_owned();
                let reply = parse(&op, input, &limits);
                self.name_answered(reply, asked, at)
            }
            Purpose::Typing(op) => {
                let asked = op.body().is_typing();
                let reply = parse(&op, input, &limits);
                self.typing_answered(reply, asked, at)
            }
        }
    }

    /// The app key was refused, or the chat cannot be had: the machine is finished.
    fn lose(&mut self, reason: SessionLostReason) {
        self.out.emit(MachineEvent::SessionLost(reason));
        self.finish(Some(CommandFailure::SessionLost));
    }

    /// Finishes: every item not settled fails (`reason`, or [`CommandFailure::Closed`]),
    /// then [`MachineEvent::Closed`].
    fn finish(&mut self, reason: Option<CommandFailure>) {
        if self.phase == Phase::Closed {
            return;
        }
        enter(&mut self.phase, Phase::Closed);
        let reason = reason.unwrap_or(CommandFailure::Closed);
        for chat in self.outgoing.chats() {
            for (item, sent) in self.outgoing.drain(&chat, Keep::Nothing) {
                let reason = if sent {
                    CommandFailure::OutcomeUnknown
                } else {
                    reason.clone()
                };
                self.out.emit(MachineEvent::LineFailed {
                    id: item.id,
                    chat: chat.clone(),
                    reason,
                });
            }
        }
        self.out.forget_all();
        self.out.emit(MachineEvent::Closed);
    }
}

impl Answering for VisitorMachine {
    type Purpose = Purpose;

    fn outbox(&mut self) -> &mut Outbox<Purpose> {
        &mut self.out
    }

    fn clock(&mut self, now: Instant) -> Instant {
        self.now = self.now.max(now);
        self.now
    }

    fn request_deadline(&self) -> Duration {
        self.cfg.request_deadline
    }

    fn wall_clock(&self) -> Option<&WallClock> {
        self.cfg.wall_clock.as_ref()
    }

    fn next_send(&mut self, now: Instant) -> Option<Output> {
        VisitorMachine::next_send(self, now)
    }

    fn wake(&self, now: Instant) -> Instant {
        VisitorMachine::wake(self, now)
    }

    fn dispatch(&mut self, purpose: Purpose, input: Input, at: Sent) {
        self.dispatch_purpose(purpose, input, at);
    }
}

impl Machine for VisitorMachine {
    fn poll_output(&mut self, now: Instant) -> Output {
        answer::poll_output(self, now)
    }

    fn handle_response(&mut self, id: RequestId, response: Response<Bytes>, now: Instant) {
        answer::handle(self, id, Input::Response(response), now);
    }

    fn handle_failure(&mut self, id: RequestId, kind: FailureKind, now: Instant) {
        answer::handle(self, id, Input::Failure(kind.as_failure()), now);
    }

    fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    fn set_polling_paused(&mut self, paused: bool) {
        self.polling_paused = paused;
    }
}
