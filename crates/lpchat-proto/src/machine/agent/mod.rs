//! The agent session machine (spec §5): login lifecycle, agent session, availability
//! keepalive, incoming chats, accepting, polling every chat through one multi-chat request,
//! and the ordered outgoing queue of each chat.
//!
//! # What runs
//!
//! After the login ([lifecycle](super#login-lifecycle)) the machine starts the agent session (A2,
//! 200 or 201), reads the agent's information once (A9), sets the initial availability
//! (A6) and then keeps, each in its own loop:
//!
//! - the incoming poll (A10, every 2 s): [`MachineEvent::ChatOffered`] when new chats
//!   ring (the count rises above what is left of the last one after this machine's accepts); these polls also keep the agent session from its idle logout
//!   (400 s, spec A2);
//! - the availability keepalive (A5, every 10 s): an availability other than the wanted
//!   one means the server forced it (typically Away after a chat rang unaccepted for 20 s):
//!   [`MachineEvent::AvailabilityForced`], and by the [`ForcedAwayPolicy`] the wanted one
//!   is set again;
//! - the chat poll (A13, every 2 s and never faster, while chats are followed): every chat
//!   in one request, each from its cursor's position ([`crate::cursor::CursorSet`]), so
//!   each event is delivered once ([`MachineEvent::ChatEvent`]) whatever the server
//!   repeats. Then [`MachineEvent::ChatEnded`] for the chats that are over, after their
//!   events of the same answer (see [Leaving](#leaving));
//! - the outgoing queues ([rules](super#requests-that-change-state)): per chat, in order,
//!   one item in flight.
//!
//! # Leaving
//!
//! A chat stops being followed, with [`MachineEvent::ChatEnded`], when:
//!
//! - the answer brings its `ended` state event: what the end brings (system message 5 or
//!   6) is written by the same server operation and is in the same answer, and nothing can
//!   be added to an ended chat ([`EndReason::Ended`](super::EndReason::Ended)); a chat whose
//!   information says `ended` while no `ended` event came is polled until an answer brings
//!   nothing new for it;
//! - it left the agent ([`EndReason::Left`](super::EndReason::Left)): its information shows
//!   it `waiting` (back in the queue: transferred by another session, requeued) or with
//!   another agent than the one A9 named (with no information: its last `state` event is
//!   `waiting`), or a poll of it alone is refused with 403 or 404. A multi-chat poll
//!   refused with 403 or 404 is followed by a round that polls each chat alone, to find
//!   the one refused;
//! - this machine transferred it ([`EndReason::Transferred`](super::EndReason::Transferred)):
//!   after [`MachineEvent::TransferDone`], once a poll sent after it was answered (it holds
//!   the transfer's note, system line and `waiting` state), or when the chat shows it left;
//! - it is missing from three answers in a row and the agent's chat sessions (A12) do not
//!   list it ([`EndReason::Gone`](super::EndReason::Gone));
//! - [`AgentMachine::unfollow`] was called ([`EndReason::Unfollowed`](super::EndReason::Unfollowed)).
//!
//! # Requests that change state
//!
//! An accept (A11) whose outcome is unknown is settled by reading the agent's chat sessions
//! (A12): a chat listed there that the machine does not follow is the accepted one
//! (INF: a chat this agent holds from another session it does not follow would be taken for
//! it). A line, an end or a transfer whose outcome is unknown is settled by reading the
//! chat's events (A15) from where the chat stood before the first send. Nothing is ever
//! re-posted blindly.
//!
//! # Resuming
//!
//! [`AgentMachine::cursor_token`] saves where every followed chat stands;
//! [`AgentConfig::resume_from`] starts a machine that goes on from there, none repeated,
//! none skipped. A chat the machine stopped following (ended) remembers its position too,
//! so a chat that comes back is not delivered again from its first event.

mod availability;
mod chats;
mod config;
mod incoming;
mod purpose;
mod send;
mod session;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Response;

pub use config::{AgentConfig, ForcedAwayPolicy, MIN_POLL_INTERVAL};

use super::answer::{self, parse, retry_loop, Answering, Input, Sent};
use super::clock::WallClock;
use super::contract::{FailureKind, Machine, Output, RequestId, IDLE_WAKE};
use super::event::{CommandFailure, LineId, MachineError, MachineEvent};
use super::login::{AuthState, LoginCall, LoginState};
use super::outbox::Outbox;
use super::outgoing::{Item, Keep, Outgoing};
use super::reply::{self, after, Retrier};
use super::rng::Rng;
use super::schedule::{earliest, Schedule};
use super::states::{enter, start, States};
use crate::codec::Limits;
use crate::cursor::CursorSet;
use crate::model::{AgentId, AgentState, ChatId, NewEvent, TransferRequest};
use crate::ops::{Context, SessionRef};
use crate::retry::RetryPolicy;
use chats::Following;
use incoming::Accepting;
use purpose::Purpose;

/// Where the machine stands as a whole (the diagram `agent` of `docs/architecture.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Logging in, starting or running the session.
    Running,
    /// `close()` was called: ending the agent session, then logging out.
    Closing,
    /// Finished after `close()`.
    Closed,
    /// The login was lost.
    Lost,
}

impl States for Phase {
    const DIAGRAM: &'static str = "agent";
    const START: &'static [Self] = &[Phase::Running];
    const MOVES: &'static [(Self, Self)] = &[
        (Phase::Running, Phase::Closing),
        (Phase::Running, Phase::Lost),
        (Phase::Closing, Phase::Closed),
        (Phase::Closing, Phase::Lost),
    ];
    fn name(self) -> &'static str {
        match self {
            Phase::Running => "Running",
            Phase::Closing => "Closing",
            Phase::Closed => "Closed",
            Phase::Lost => "Lost",
        }
    }
}

/// The agent session machine. See the [module docs](self).
///
/// `Debug` shows no secret (credentials, tokens and cookies are redacted).
#[derive(Debug)]
pub struct AgentMachine {
    cfg: AgentConfig,
    base_ctx: Context,
    rng: Rng,
    out: Outbox<Purpose>,
    login: LoginState,
    phase: Phase,
    /// The latest instant seen: time never goes backwards inside the machine.
    now: Instant,

    // The agent session (A2, A9, A4).
    session: Option<SessionRef>,
    start: Schedule,
    info: Schedule,
    close_session: Schedule,

    // Availability (A5, A6).
    wanted: Option<AgentState>,
    get_availability: Schedule,
    set_availability: Schedule,

    // Incoming chats and accepting (A10, A11, A12).
    accepting: Accepting,

    // The chats followed and their poll (A13, A12).
    following: Following,
    /// The agent's id (A9), to tell a chat taken by another agent.
    me: Option<AgentId>,

    // Outgoing queues (A16, A17, A24, A15).
    outgoing: Outgoing,

    /// The driver's consumer is behind: no chat or incoming poll goes out (but the count
    /// an accept waits for).
    polling_paused: bool,
}

impl AgentMachine {
    /// A machine that starts at `now`: it logs in (or uses the existing bearer) and starts
    /// the agent session.
    pub fn new(config: AgentConfig, now: Instant) -> Self {
        let cfg = config.normalized();
        let mut out = Outbox::default();
        let login = LoginState::new(cfg.credentials.clone(), cfg.login.clone(), now, &mut out);
        let base_ctx = Context::new(cfg.format)
            .with_base(cfg.base.clone())
            .with_options(cfg.options);
        let mut machine = AgentMachine {
            rng: Rng::new(cfg.seed),
            wanted: cfg.initial_availability.clone(),
            base_ctx,
            out,
            login,
            phase: start(Phase::Running),
            now,
            session: None,
            start: Schedule::due_at(now),
            info: Schedule::default(),
            close_session: Schedule::default(),
            get_availability: Schedule::default(),
            set_availability: Schedule::default(),
            accepting: Accepting::default(),
            following: Following::resumed(cfg.resume.clone()),
            me: None,
            outgoing: Outgoing::default(),
            polling_paused: false,
            cfg,
        };
        machine.check_lost();
        machine
    }

    // ---- Commands -------------------------------------------------------------------

    /// Queues a line (or any [`NewEvent`]) on `chat`, after the items queued before it.
    /// Settled by [`MachineEvent::LineDelivered`] or [`MachineEvent::LineFailed`].
    pub fn send_line(&mut self, chat: &ChatId, event: NewEvent) -> LineId {
        self.enqueue(chat, Item::Event(event))
    }

    /// Queues the end of `chat` (A17), after the lines queued before it.
    pub fn end_chat(&mut self, chat: &ChatId) -> LineId {
        self.enqueue(chat, Item::Event(NewEvent::End))
    }

    /// Queues a transfer of `chat` (A24), after the lines queued before it. Settled by
    /// [`MachineEvent::TransferDone`] or [`MachineEvent::TransferFailed`]. Once done, items
    /// queued after it fail ([`CommandFailure::ChatEnded`]) and the chat is polled once more
    /// for the events the transfer brought, then [`MachineEvent::ChatEnded`] with
    /// [`EndReason::Transferred`](super::EndReason::Transferred).
    pub fn transfer(&mut self, chat: &ChatId, request: TransferRequest) -> LineId {
        self.enqueue(chat, Item::Transfer(request))
    }

    /// Follows `chat`, a chat the agent holds through another of its agent sessions (A12
    /// continuity): its events are polled and delivered like an accepted chat's (from where
    /// it stopped if it was followed before, else from its first event), and lines, ends
    /// and transfers can be queued on it.
    pub fn follow_chat(&mut self, chat: ChatId) {
        if self.phase == Phase::Running {
            let now = self.now;
            self.follow(chat, None, now);
        }
    }

    /// Stops following `chat`: no more polls of it, [`MachineEvent::ChatEnded`] with
    /// [`EndReason::Unfollowed`](super::EndReason::Unfollowed); items queued on it and not
    /// sent fail with [`CommandFailure::UnknownChat`] (one already sent still settles). Its
    /// position is kept, so following it again goes on from there. Nothing when it is not
    /// followed.
    pub fn unfollow(&mut self, chat: &ChatId) {
        self.finish_chat(chat, super::EndReason::Unfollowed);
    }

    /// Accepts the next ringing chat (A11): [`MachineEvent::ChatAccepted`] or
    /// [`MachineEvent::AcceptFailed`]. Several calls accept several chats, one at a time.
    /// When no incoming count was read yet or the last was 0, the count is read first (A10)
    /// and the accept fails with [`CommandFailure::NothingToDo`] only if it is 0.
    pub fn accept_next(&mut self) {
        match self.phase {
            Phase::Running => self.ask_accept(),
            Phase::Closing | Phase::Closed => {
                self.out
                    .emit(MachineEvent::AcceptFailed(CommandFailure::Closed));
            }
            Phase::Lost => {
                self.out
                    .emit(MachineEvent::AcceptFailed(CommandFailure::SessionLost));
            }
        }
    }

    /// Sets the wanted availability (A6); the keepalive holds it from then on.
    pub fn set_availability(&mut self, state: AgentState) {
        if self.phase != Phase::Running {
            return;
        }
        self.wanted = Some(state);
        self.set_availability.schedule(self.now);
    }

    /// What the machine does when the server forces another availability.
    pub fn set_forced_away_policy(&mut self, policy: ForcedAwayPolicy) {
        self.cfg.forced_away = policy;
    }

    /// Ends the agent session (A4) and logs out (L3), then [`MachineEvent::Closed`]. Items
    /// not yet sent fail with [`CommandFailure::Closed`].
    pub fn close(&mut self) {
        if self.phase != Phase::Running {
            return;
        }
        enter(&mut self.phase, Phase::Closing);
        let now = self.now;
        for task in [
            &mut self.start,
            &mut self.info,
            &mut self.get_availability,
            &mut self.set_availability,
            &mut self.accepting.poll,
            &mut self.accepting.task,
            &mut self.following.poll,
            &mut self.following.verify,
        ] {
            task.cancel();
        }
        // An accept in flight settles by itself; the others will not be sent.
        self.accepting
            .fail_all(true, &CommandFailure::Closed, &mut self.out);
        for chat in self.outgoing.chats() {
            self.fail_waiting(&chat, Keep::BusyHead, CommandFailure::Closed);
        }
        if self.session.is_some() && self.login.ready() {
            self.close_session.schedule(now);
        } else {
            self.logout(now);
        }
    }

    // ---- Accessors ------------------------------------------------------------------

    /// Where every followed chat stands, as a token for [`AgentConfig::resume_from`].
    pub fn cursor_token(&self) -> String {
        self.following.cursors.to_token()
    }

    /// The cursors of the followed chats.
    pub fn cursors(&self) -> &CursorSet {
        &self.following.cursors
    }

    /// The chats followed now.
    pub fn chats(&self) -> Vec<ChatId> {
        self.following
            .cursors
            .iter()
            .map(|c| c.chat_id().clone())
            .collect()
    }

    /// The agent session, once started.
    pub fn session(&self) -> Option<&SessionRef> {
        self.session.as_ref()
    }

    /// The availability the machine holds.
    pub fn wanted_availability(&self) -> Option<&AgentState> {
        self.wanted.as_ref()
    }

    /// The names of the session's cookies (their values are secret).
    pub fn cookie_names(&self) -> Vec<String> {
        self.login.jar().names().map(str::to_owned).collect()
    }

    /// The context of a one-off agent request that the driver sends itself (an operation the
    /// machine runs no loop for: available agents, chat info, typing, surveys, a raw GET):
    /// the login's authentication (bearer or a fresh OAuth signature) and the jar's cookies,
    /// with the login generation to hand back to [`AgentMachine::observe_response`]. `None`
    /// while logging in, and once closed or lost.
    pub fn request_context(&mut self, now: Instant) -> Option<(Context, u64)> {
        let now = self.clock(now);
        if self.phase != Phase::Running || !self.login.ready() {
            return None;
        }
        let ctx =
            self.login
                .agent_context(&self.base_ctx, &mut self.rng, &self.cfg.wall_clock, now);
        Some((ctx, self.login.generation()))
    }

    /// The response to a one-off request made with [`AgentMachine::request_context`]: its
    /// cookies are kept, and a 401 starts one re-login (as for the machine's own requests).
    pub fn observe_response(&mut self, generation: u64, response: &Response<Bytes>, now: Instant) {
        let now = self.clock(now);
        let unix = reply::now_unix(Some(response.headers()), Some(&self.cfg.wall_clock), now);
        self.login.store_cookies(response.headers(), unix);
        if response.status() == http::StatusCode::UNAUTHORIZED && self.phase == Phase::Running {
            self.unauthorized(generation, now);
        }
    }

    // ---- Internals --------------------------------------------------------------------

    fn enqueue(&mut self, chat: &ChatId, item: Item) -> LineId {
        let refusal = match self.phase {
            // A transferred chat is no longer this agent's, though polled once more.
            Phase::Running if self.following.was_transferred(chat) => {
                Some(CommandFailure::ChatEnded)
            }
            Phase::Running if self.following.cursors.contains(chat) => None,
            Phase::Running => Some(CommandFailure::UnknownChat),
            Phase::Closing | Phase::Closed => Some(CommandFailure::Closed),
            Phase::Lost => Some(CommandFailure::SessionLost),
        };
        match refusal {
            None => self.outgoing.push(chat, item, self.now),
            Some(reason) => {
                let id = self.outgoing.fresh_id();
                self.emit_failed(chat, id, &item, reason);
                id
            }
        }
    }

    fn emit_failed(&mut self, chat: &ChatId, id: LineId, item: &Item, reason: CommandFailure) {
        let chat = chat.clone();
        self.out.emit(match item {
            Item::Transfer(_) => MachineEvent::TransferFailed { id, chat, reason },
            Item::Event(_) => MachineEvent::LineFailed { id, chat, reason },
        });
    }

    /// Fails the items of `chat` that `keep` does not leave in place: those never sent
    /// with `reason`, a head that was sent with [`CommandFailure::OutcomeUnknown`].
    fn fail_waiting(&mut self, chat: &ChatId, keep: Keep, reason: CommandFailure) {
        for (item, sent) in self.outgoing.drain(chat, keep) {
            let reason = if sent {
                CommandFailure::OutcomeUnknown
            } else {
                reason.clone()
            };
            self.emit_failed(chat, item.id, &item.item, reason);
        }
    }

    fn retrier(&mut self) -> Retrier<'_> {
        Retrier::new(&self.cfg.retry, &mut self.rng)
    }

    /// Builds and registers a request: the login's context for Login Service calls, else
    /// the agent context (bearer or OAuth signature, cookies). An error when it cannot be
    /// built; the caller's task decides what that means.
    fn issue(&mut self, purpose: Purpose, now: Instant) -> Result<Output, MachineError> {
        let ctx = if purpose.is_login() {
            self.login.login_context(&self.base_ctx)
        } else {
            self.login
                .agent_context(&self.base_ctx, &mut self.rng, &self.cfg.wall_clock, now)
        };
        let request = purpose
            .build(&ctx)
            .map_err(|e| MachineError::from_op(endpoint_of(&purpose), &e))?;
        let id = self.out.register(purpose, self.login.generation(), now);
        Ok(Output::Send { id, request })
    }

    /// The next request to send at `now`, if any.
    fn next_send(&mut self, now: Instant) -> Option<Output> {
        if let Some(call) = self.login.due_call(now) {
            match self.issue(Purpose::Login(call.clone()), now) {
                Ok(output) => {
                    if let Output::Send { id, .. } = &output {
                        self.login.sent(&call, *id);
                    }
                    return Some(output);
                }
                Err(error) => {
                    self.login.unbuildable(&call, error, &mut self.out);
                    self.after_login_change();
                    return None;
                }
            }
        }
        if !self.login.ready() {
            return None;
        }
        match self.phase {
            Phase::Running => self.next_session_send(now),
            Phase::Closing => self.next_close_send(now),
            Phase::Closed | Phase::Lost => None,
        }
    }

    fn next_session_send(&mut self, now: Instant) -> Option<Output> {
        if self.session.is_none() {
            return self.send_start(now);
        }
        self.send_set_availability(now)
            .or_else(|| self.send_outgoing(now))
            .or_else(|| self.send_accept(now))
            .or_else(|| self.send_poll(now))
            .or_else(|| self.send_verify(now))
            .or_else(|| self.send_incoming(now))
            .or_else(|| self.send_get_availability(now))
            .or_else(|| self.send_info(now))
    }

    /// When the machine wants to wake next.
    fn wake(&self, now: Instant) -> Instant {
        let login = self.login.wake();
        let rest = if self.login.ready() {
            match self.phase {
                Phase::Running if self.session.is_none() => self.start.wake(),
                Phase::Running => earliest([
                    self.info.wake(),
                    self.get_availability.wake(),
                    self.set_availability.wake(),
                    self.accepting.wake(self.polling_paused),
                    self.following.poll.wake().filter(|_| !self.polling_paused),
                    self.following.verify.wake(),
                    self.outgoing.wake(),
                ]),
                Phase::Closing => self.close_session.wake(),
                Phase::Closed | Phase::Lost => None,
            }
        } else {
            None
        };
        earliest([
            login,
            rest,
            self.out.next_deadline(self.cfg.request_deadline),
        ])
        .map(|at| at.max(now))
        .unwrap_or_else(|| after(now, IDLE_WAKE))
    }

    fn dispatch_purpose(&mut self, purpose: Purpose, input: Input, at: Sent) {
        let limits = self.cfg.limits;
        match purpose {
            Purpose::Login(call) => self.login_call_answered(call, input, &limits, at),
            Purpose::StartSession(op) => self.start_answered(parse(&op, input, &limits), at),
            Purpose::Info(op) => self.info_answered(parse(&op, input, &limits), at),
            Purpose::GetAvailability(op) => {
                self.get_availability_answered(parse(&op, input, &limits), at)
            }
            Purpose::SetAvailability(op) => {
                let wanted = op.body().chat.clone();
                self.set_availability_answered(parse(&op, input, &limits), wanted, at)
            }
            Purpose::Incoming(op) => self.incoming_answered(parse(&op, input, &limits), at),
            Purpose::Accept(op) => self.accept_answered(parse(&op, input, &limits), at),
            Purpose::AcceptCheck(op) => self.accept_check_answered(parse(&op, input, &limits), at),
            Purpose::Chats(op) => self.chats_answered(parse(&op, input, &limits), at),
            Purpose::Verify(op) => self.verify_answered(parse(&op, input, &limits), at),
            Purpose::Send(chat, op) => self.send_answered(chat, op, input, &limits, at),
            Purpose::Check(chat, op) => self.check_answered(chat, parse(&op, input, &limits), at),
            Purpose::CloseSession(op) => {
                let _ = parse(&op, input, &limits);
                self.close_session_answered(at)
            }
        }
    }

    fn login_call_answered(&mut self, call: LoginCall, input: Input, limits: &Limits, at: Sent) {
        let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
        match call {
            LoginCall::Login(op) => {
                let r = parse(&op, input, limits);
                self.login
                    .login_answered(r, at, &mut retrier, &mut self.out);
            }
            LoginCall::Refresh(op) => {
                let r = parse(&op, input, limits);
                self.login
                    .refresh_answered(r, at, &mut retrier, &mut self.out);
            }
            LoginCall::Logout(_) => self.login.logout_answered(at.id),
        }
        self.after_login_change();
    }

    /// After the login changed: a lost login ends the machine; a finished logout closes it.
    fn after_login_change(&mut self) {
        self.check_lost();
        if self.phase == Phase::Closing && self.login.finished() && !self.close_session.active() {
            self.finish_close();
        }
    }

    /// A 401 to an agent request of `generation`: the task goes again once logged in.
    fn unauthorized(&mut self, generation: u64, now: Instant) {
        if self.phase != Phase::Running {
            return;
        }
        self.login.unauthorized(generation, now, &mut self.out);
        self.check_lost();
    }

    fn check_lost(&mut self) {
        if self.login.state() != AuthState::Lost || self.phase == Phase::Lost {
            return;
        }
        let closing = self.phase == Phase::Closing;
        enter(&mut self.phase, Phase::Lost);
        self.out.forget_all();
        let reason = if closing {
            CommandFailure::Closed
        } else {
            CommandFailure::SessionLost
        };
        self.accepting.fail_all(false, &reason, &mut self.out);
        for chat in self.outgoing.chats() {
            // Nothing is in flight any more: every item fails.
            self.fail_waiting(&chat, Keep::Nothing, reason.clone());
        }
    }

    fn logout(&mut self, now: Instant) {
        if !self.login.close(now) {
            self.finish_close();
        }
    }

    fn finish_close(&mut self) {
        if self.phase == Phase::Closed {
            return;
        }
        enter(&mut self.phase, Phase::Closed);
        self.out.forget_all();
        self.out.emit(MachineEvent::Closed);
    }
}

/// The pause of a loop after a refusal it cannot cure (a 4xx): the outer loop's first.
fn refusal_pause(policy: &RetryPolicy) -> Duration {
    policy.outer.pause(0)
}

/// The endpoint of a purpose, for reports.
fn endpoint_of(purpose: &Purpose) -> &'static str {
    use crate::ops::*;
    match purpose {
        Purpose::Login(LoginCall::Login(_)) => Login::ENDPOINT,
        Purpose::Login(LoginCall::Refresh(_)) => Refresh::ENDPOINT,
        Purpose::Login(LoginCall::Logout(_)) => Logout::ENDPOINT,
        Purpose::StartSession(_) => OpenAgentSession::ENDPOINT,
        Purpose::Info(_) => GetAgentInfo::ENDPOINT,
        Purpose::GetAvailability(_) => GetAvailability::ENDPOINT,
        Purpose::SetAvailability(_) => SetAvailability::ENDPOINT,
        Purpose::Incoming(_) => GetIncomingRequests::ENDPOINT,
        Purpose::Accept(_) => AcceptNextChat::ENDPOINT,
        Purpose::AcceptCheck(_) => GetChatSessions::ENDPOINT,
        Purpose::Chats(_) => GetChats::ENDPOINT,
        Purpose::Verify(_) => GetChatSessions::ENDPOINT,
        Purpose::Send(_, purpose::SendOp::Line(_)) => SendLine::ENDPOINT,
        Purpose::Send(_, purpose::SendOp::End(_)) => EndChat::ENDPOINT,
        Purpose::Send(_, purpose::SendOp::Transfer(_)) => TransferChat::ENDPOINT,
        Purpose::Check(..) => GetEvents::ENDPOINT,
        Purpose::CloseSession(_) => CloseAgentSession::ENDPOINT,
    }
}

impl Answering for AgentMachine {
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
        Some(&self.cfg.wall_clock)
    }

    fn next_send(&mut self, now: Instant) -> Option<Output> {
        AgentMachine::next_send(self, now)
    }

    fn wake(&self, now: Instant) -> Instant {
        AgentMachine::wake(self, now)
    }

    fn dispatch(&mut self, purpose: Purpose, input: Input, at: Sent) {
        self.dispatch_purpose(purpose, input, at);
    }

    fn headers_seen(&mut self, headers: &http::HeaderMap, now_unix: u64) {
        self.login.store_cookies(headers, now_unix);
    }

    fn answered(&mut self) {
        self.check_lost();
    }
}

impl Machine for AgentMachine {
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
        matches!(self.phase, Phase::Closed | Phase::Lost)
    }

    fn set_polling_paused(&mut self, paused: bool) {
        self.polling_paused = paused;
    }
}
