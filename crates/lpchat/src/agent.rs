//! [`AgentSession`]: a handle on one agent session, driven by a tokio task that runs the
//! proto [`AgentMachine`]: it sends what the machine asks (concurrently), sleeps until the
//! machine's timeout, and feeds back what came.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Response, StatusCode};
use lpchat_proto::machine::{
    AgentMachine, CommandFailure, ForcedAwayPolicy, LineId, MachineEvent, SessionLostReason,
};
use lpchat_proto::model::{
    AgentInfo, AgentState, AgentTyping, Availability, AvailableAgents, AvailableSlots, Chat,
    ChatId, ChatInfo, ChatSessions, EventId, Events as EventList, Generic, IncomingRequests,
    NewEvent, ParticipantInfo, Survey, SurveyAnswers, TransferRequest, TransferSkills, VisitorName,
    VisitorTyping,
};
use lpchat_proto::ops::{self, ChatRef, Context, SessionRef};
use lpchat_proto::{Limits, Operation, RetryPolicy};
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::driver::{Counters, SessionStats};
use crate::error::Error;
use crate::events::{Events, HandlerRegistry, Handlers, SharedHandlers};
use crate::oneoff::{Authority, OneOff};
use crate::transport::Transport;

/// What a handle asks of the driver.
enum Command {
    Line(
        ChatId,
        NewEvent,
        oneshot::Sender<Result<Option<EventId>, Error>>,
    ),
    End(ChatId, oneshot::Sender<Result<Option<EventId>, Error>>),
    Transfer(ChatId, TransferRequest, oneshot::Sender<Result<(), Error>>),
    Accept(oneshot::Sender<Result<ChatId, Error>>),
    Follow(ChatId),
    Unfollow(ChatId),
    SetAvailability(AgentState),
    ForcedAway(ForcedAwayPolicy),
    /// The context of a one-off request, once logged in with a generation newer than the
    /// one given (a 401 came back with it) and the session started.
    Context(Option<u64>, ContextWaiter),
    Observe(u64, Response<Bytes>),
    Token(oneshot::Sender<String>),
    Chats(oneshot::Sender<Vec<ChatId>>),
    Close(oneshot::Sender<()>),
}

/// The context of a one-off request: authentication, its login generation, the session.
type OneOffContext = (Context, u64, SessionRef);

/// Where the context of a one-off request goes.
type ContextWaiter = oneshot::Sender<Result<OneOffContext, Error>>;

/// What waits for a queued item to settle.
enum Waiter {
    Line(oneshot::Sender<Result<Option<EventId>, Error>>),
    Transfer(oneshot::Sender<Result<(), Error>>),
}

struct Inner {
    commands: crate::driver::CommandSender<Command>,
    events: Mutex<Option<crate::events::EventReceiver>>,
    handlers: SharedHandlers,
    oneoff: OneOff,
    counters: Arc<Counters>,
}

/// A handle on a running agent session. Cheap to clone; dropping the last handle closes
/// the session (end session, logout) on its task, and [`AgentSession::close`] does the same
/// and waits for it.
#[derive(Clone)]
pub struct AgentSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AgentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AgentSession")
    }
}

impl AgentSession {
    /// Starts the driver task for `machine` (which logs in and starts the session); one-off
    /// calls retry with `retry`, their jitter seeded with `seed`.
    pub(crate) fn spawn(
        machine: AgentMachine,
        transport: Transport,
        limits: Limits,
        retry: RetryPolicy,
        seed: u64,
        event_buffer: usize,
    ) -> Self {
        let (cmd_tx, cmd_rx) = crate::driver::command_channel();
        let (ev_tx, ev_rx) = crate::events::channel(event_buffer);
        let handlers: SharedHandlers = Arc::new(Mutex::new(Handlers::default()));
        let counters = Arc::new(Counters::default());
        let driver = AgentLoop {
            counters: counters.clone(),
            machine,
            events: ev_tx,
            handlers: handlers.clone(),
            lines: BTreeMap::new(),
            accepts: VecDeque::new(),
            closers: Vec::new(),
            contexts: Vec::new(),
        };
        tokio::spawn(
            crate::driver::run(Box::new(driver), transport.clone(), cmd_rx).instrument(
                tracing::info_span!("agent_session", n = crate::driver::next_task_number()),
            ),
        );
        AgentSession {
            inner: Arc::new(Inner {
                commands: cmd_tx,
                events: Mutex::new(Some(ev_rx)),
                handlers,
                oneoff: OneOff::new(transport, limits, retry, seed),
                counters,
            }),
        }
    }

    fn command(&self, cmd: Command) -> Result<(), Error> {
        self.inner.commands.send(cmd).map_err(|_| Error::Closed)
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.command(make(tx))?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// The session's event stream. It can be taken once; later calls return `None`.
    pub fn events(&self) -> Option<Events> {
        self.inner
            .events
            .lock()
            .ok()
            .and_then(|mut e| e.take())
            .map(Events::new)
    }

    /// Per-event-type handlers.
    pub fn handlers(&self) -> HandlerRegistry {
        HandlerRegistry {
            inner: self.inner.handlers.clone(),
        }
    }

    /// Sends a line (or any [`NewEvent`]) on `chat`, after the lines queued before it, and
    /// waits until the server has it exactly once. Returns its event id when known.
    pub async fn send(&self, chat: &ChatId, event: NewEvent) -> Result<Option<EventId>, Error> {
        let chat = chat.clone();
        self.ask(|tx| Command::Line(chat, event, tx)).await?
    }

    /// Sends a plain-text line.
    pub async fn send_line(&self, chat: &ChatId, text: &str) -> Result<Option<EventId>, Error> {
        self.send(chat, NewEvent::plain(text)).await
    }

    /// Ends `chat` (after the lines queued before it).
    pub async fn end_chat(&self, chat: &ChatId) -> Result<Option<EventId>, Error> {
        let chat = chat.clone();
        self.ask(|tx| Command::End(chat, tx)).await?
    }

    /// Transfers `chat` to a skill or an agent.
    pub async fn transfer(&self, chat: &ChatId, request: TransferRequest) -> Result<(), Error> {
        let chat = chat.clone();
        self.ask(|tx| Command::Transfer(chat, request, tx)).await?
    }

    /// Accepts the next ringing chat. Before the session's first ringing count, or when the
    /// last count was 0, the count is read first; if it is 0 the call fails with
    /// [`Error::Command`] with [`CommandFailure::NothingToDo`].
    pub async fn accept_next(&self) -> Result<ChatId, Error> {
        self.ask(Command::Accept).await?
    }

    /// Follows a chat the agent holds through another of its agent sessions (A12
    /// continuity, see [`AgentSession::chat_sessions`]): its events come on this session's
    /// stream and lines, ends and transfers can be sent on it. A call before
    /// [`MachineEvent::AgentSessionStarted`] is kept: the chat is polled once the session
    /// exists.
    pub fn follow(&self, chat: &ChatId) -> Result<(), Error> {
        self.command(Command::Follow(chat.clone()))
    }

    /// Stops following a chat: it is no longer polled, and the stream reports
    /// [`MachineEvent::ChatEnded`] with [`EndReason::Unfollowed`](crate::EndReason::Unfollowed).
    /// Lines queued on it and not yet sent fail; a chat that left the agent (transferred
    /// away, requeued, taken by another agent) needs no call: the session stops following
    /// it by itself ([`EndReason::Left`](crate::EndReason::Left)). Nothing happens for a
    /// chat not followed; [`AgentSession::follow`] takes it up again where it stopped.
    pub fn unfollow(&self, chat: &ChatId) -> Result<(), Error> {
        self.command(Command::Unfollow(chat.clone()))
    }

    /// Sets the availability the keepalive holds.
    pub fn set_availability(&self, state: AgentState) -> Result<(), Error> {
        self.command(Command::SetAvailability(state))
    }

    /// What to do when the server forces another availability.
    pub fn set_forced_away_policy(&self, policy: ForcedAwayPolicy) -> Result<(), Error> {
        self.command(Command::ForcedAway(policy))
    }

    /// Where every followed chat stands, as a token to resume from.
    pub async fn cursor_token(&self) -> Result<String, Error> {
        self.ask(Command::Token).await
    }

    /// The chats followed now.
    pub async fn chats(&self) -> Result<Vec<ChatId>, Error> {
        self.ask(Command::Chats).await
    }

    /// How many requests the session sent so far, and how many failed and were retried.
    pub fn stats(&self) -> SessionStats {
        self.inner.counters.stats()
    }

    /// Ends the agent session and logs out, and waits until done.
    pub async fn close(&self) -> Result<(), Error> {
        match self.ask(Command::Close).await {
            Ok(()) | Err(Error::Closed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ---- One-off operations -------------------------------------------------------------

    /// Runs one operation with the session's authentication and cookies (for endpoints the
    /// machine runs no loop for), once the session has started. A 401 waits for the
    /// session's re-login and goes again once; 5xx, 429 and transport failures are retried
    /// by the retry policy when the operation may be repeated; a state-changing one whose
    /// outcome is unknown fails with [`Error::OutcomeUnknown`] (use [`AgentSession::send`],
    /// [`AgentSession::end_chat`], [`AgentSession::transfer`] and
    /// [`AgentSession::accept_next`], which reconcile, for those).
    pub async fn call<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        self.inner.oneoff.run(op, self).await
    }

    /// The session's context once it has started (waits for the login, at most as long as
    /// a one-off call does).
    async fn session_ref(&self) -> Result<SessionRef, Error> {
        let (_, _, session) = self
            .context_after(None, self.inner.oneoff.login_wait())
            .await?;
        Ok(session)
    }

    async fn context_after(
        &self,
        refused: Option<u64>,
        wait: Duration,
    ) -> Result<OneOffContext, Error> {
        match tokio::time::timeout(wait, self.ask(|tx| Command::Context(refused, tx))).await {
            Ok(answer) => answer?,
            Err(_) => Err(Error::NotReady),
        }
    }

    async fn session_op<O: Operation>(
        &self,
        make: impl FnOnce(&SessionRef) -> O,
    ) -> Result<O::Output, Error> {
        let session = self.session_ref().await?;
        self.call(make(&session)).await
    }

    async fn chat_op<O: Operation>(
        &self,
        chat: &ChatId,
        make: impl FnOnce(&ChatRef) -> O,
    ) -> Result<O::Output, Error> {
        let session = self.session_ref().await?;
        let chat = ChatRef::Agent {
            session,
            chat: chat.clone(),
        };
        self.call(make(&chat)).await
    }

    /// The availability the server shows (A5).
    pub async fn availability(&self) -> Result<Availability, Error> {
        self.session_op(ops::GetAvailability::new).await
    }

    /// The available agents (A7), all of them.
    pub async fn available_agents(&self) -> Result<AvailableAgents, Error> {
        self.session_op(ops::GetAvailableAgents::new).await
    }

    /// The available agents with filters (build with `GetAvailableAgents::new(session)` via
    /// [`AgentSession::call`]), or the `next` link of an earlier answer.
    pub async fn available_agents_next(
        &self,
        previous: &AvailableAgents,
    ) -> Result<AvailableAgents, Error> {
        self.call(ops::GetAvailableAgents::next(previous)?).await
    }

    /// Available agents of one skill (A7 `skill=`).
    pub async fn available_agents_of_skill(&self, skill: &str) -> Result<AvailableAgents, Error> {
        self.session_op(|s| ops::GetAvailableAgents::new(s).skill(skill))
            .await
    }

    /// Free chat slots (A8), optionally for one skill.
    pub async fn available_slots(&self, skill: Option<&str>) -> Result<AvailableSlots, Error> {
        self.session_op(|s| {
            let op = ops::GetAvailableSlots::new(s);
            match skill {
                Some(name) => op.skill(name, None),
                None => op,
            }
        })
        .await
    }

    /// The logged-in agent's information (A9).
    pub async fn agent_info(&self) -> Result<AgentInfo, Error> {
        self.session_op(ops::GetAgentInfo::new).await
    }

    /// The chats ringing for the agent (A10); the machine polls them too, and
    /// [`AgentSession::accept_next`] takes one.
    pub async fn incoming_requests(&self) -> Result<IncomingRequests, Error> {
        self.session_op(ops::GetIncomingRequests::new).await
    }

    /// A chat's resource (A14): its links, events and information, events from an id
    /// (inclusive) when given.
    pub async fn chat(&self, chat: &ChatId, from: Option<EventId>) -> Result<Chat, Error> {
        self.chat_op(chat, |c| {
            let op = ops::GetChat::new(c);
            match from {
                Some(id) => op.from(id),
                None => op,
            }
        })
        .await
    }

    /// The agent's chat sessions (A12).
    pub async fn chat_sessions(&self) -> Result<ChatSessions, Error> {
        self.session_op(ops::GetChatSessions::new).await
    }

    /// A chat's events (A15), from an event id (inclusive).
    pub async fn chat_events(
        &self,
        chat: &ChatId,
        from: Option<EventId>,
    ) -> Result<EventList, Error> {
        self.chat_op(chat, |c| {
            let op = ops::GetEvents::new(c);
            match from {
                Some(id) => op.from(id),
                None => op,
            }
        })
        .await
    }

    /// A chat's information (A18).
    pub async fn chat_info(&self, chat: &ChatId) -> Result<ChatInfo, Error> {
        self.chat_op(chat, ops::GetChatInfo::new).await
    }

    /// The visitor's name (A19).
    pub async fn visitor_name(&self, chat: &ChatId) -> Result<VisitorName, Error> {
        self.chat_op(chat, ops::GetVisitorName::new).await
    }

    /// Whether the visitor types (A20).
    pub async fn visitor_typing(&self, chat: &ChatId) -> Result<VisitorTyping, Error> {
        self.chat_op(chat, ops::GetVisitorTyping::new).await
    }

    /// Whether the agent types, as the server shows (A21).
    pub async fn agent_typing(&self, chat: &ChatId) -> Result<AgentTyping, Error> {
        self.chat_op(chat, ops::GetAgentTyping::new).await
    }

    /// Sets the agent's typing state (A22).
    pub async fn set_typing(&self, chat: &ChatId, typing: bool) -> Result<(), Error> {
        self.chat_op(chat, |c| ops::SetAgentTyping::new(c, typing))
            .await
    }

    /// Skills a chat can be transferred to (A23).
    pub async fn transfer_skills(&self, chat: &ChatId) -> Result<TransferSkills, Error> {
        self.chat_op(chat, ops::GetTransferSkills::new).await
    }

    /// The agent survey of a chat (A26).
    pub async fn agent_survey(&self, chat: &ChatId) -> Result<Survey, Error> {
        self.chat_op(chat, ops::GetAgentSurvey::new).await
    }

    /// Submits the agent survey of a chat (A27).
    pub async fn submit_agent_survey(
        &self,
        chat: &ChatId,
        answers: SurveyAnswers,
    ) -> Result<(), Error> {
        self.chat_op(chat, |c| ops::SubmitAgentSurvey::new(c, answers))
            .await
    }

    /// A participant's extended information (A31).
    pub async fn participant_info(&self, participant_id: &str) -> Result<ParticipantInfo, Error> {
        self.session_op(|s| ops::GetParticipantInfo::new(s, participant_id))
            .await
    }

    /// GET of an undocumented link (A25, A28-A30 …), as a generic tree.
    pub async fn raw_get(&self, href: &str) -> Result<Generic, Error> {
        self.call(ops::GetGeneric::at(href)).await
    }
}

/// One-off requests of an agent session are authenticated by its login; a 401 starts its
/// re-login.
impl Authority for AgentSession {
    async fn context(&self, refused: Option<u64>, wait: Duration) -> Result<(Context, u64), Error> {
        let (ctx, generation, _) = self.context_after(refused, wait).await?;
        Ok((ctx, generation))
    }

    fn observe(&self, generation: u64, response: &Response<Bytes>) {
        // Only the status and headers (cookies) matter to the machine.
        let mut seen = Response::new(Bytes::new());
        *seen.status_mut() = response.status();
        *seen.headers_mut() = response.headers().clone();
        let _ = self.command(Command::Observe(generation, seen));
    }

    fn can_relogin(&self) -> bool {
        true
    }
}

/// The task that owns the machine.
struct AgentLoop {
    machine: AgentMachine,
    events: crate::events::EventSender,
    handlers: SharedHandlers,
    lines: BTreeMap<LineId, Waiter>,
    accepts: VecDeque<oneshot::Sender<Result<ChatId, Error>>>,
    closers: Vec<oneshot::Sender<()>>,
    counters: Arc<Counters>,
    /// One-off calls waiting for a (newer) login or the session's start.
    contexts: Vec<(Option<u64>, ContextWaiter)>,
}

impl AgentLoop {
    /// Hands a context to each one-off call waiting for one that is ready now.
    fn serve_contexts(&mut self) {
        if self.contexts.is_empty() {
            return;
        }
        let now = Instant::now();
        let waiting = std::mem::take(&mut self.contexts);
        for (refused, tx) in waiting {
            if tx.is_closed() {
                continue; // the call gave up waiting
            }
            let ready = self
                .machine
                .request_context(now)
                .filter(|(_, g)| refused.is_none_or(|r| *g > r))
                .zip(self.machine.session().cloned());
            match ready {
                Some(((ctx, g), session)) => {
                    let _ = tx.send(Ok((ctx, g, session)));
                }
                None => self.contexts.push((refused, tx)),
            }
        }
    }

    /// The session was lost: no login will come for the waiting calls.
    fn fail_contexts(&mut self, reason: &SessionLostReason) {
        for (_, tx) in self.contexts.drain(..) {
            let _ = tx.send(Err(Error::Lost(reason.clone())));
        }
    }

    fn on_event(&mut self, event: MachineEvent) {
        tracing::debug!(event = event_name(&event), "event");
        match &event {
            MachineEvent::LineDelivered {
                id: line,
                event: id,
                ..
            } => {
                if let Some(Waiter::Line(tx)) = self.lines.remove(line) {
                    let _ = tx.send(Ok(*id));
                }
            }
            MachineEvent::LineFailed {
                id: line, reason, ..
            } => {
                if let Some(Waiter::Line(tx)) = self.lines.remove(line) {
                    let _ = tx.send(Err(Error::Command(reason.clone())));
                }
            }
            MachineEvent::TransferDone { id, .. } => {
                if let Some(Waiter::Transfer(tx)) = self.lines.remove(id) {
                    let _ = tx.send(Ok(()));
                }
            }
            MachineEvent::TransferFailed { id, reason, .. } => {
                if let Some(Waiter::Transfer(tx)) = self.lines.remove(id) {
                    let _ = tx.send(Err(Error::Command(reason.clone())));
                }
            }
            MachineEvent::ChatAccepted(chat) => {
                if let Some(tx) = self.accepts.pop_front() {
                    let _ = tx.send(Ok(chat.clone()));
                }
            }
            MachineEvent::AcceptFailed(reason) => {
                if let Some(tx) = self.accepts.pop_front() {
                    let _ = tx.send(Err(Error::Command(reason.clone())));
                }
            }
            MachineEvent::SessionLost(reason) => self.fail_contexts(reason),
            MachineEvent::LoggedIn
            | MachineEvent::SessionRenewed
            | MachineEvent::AgentSessionStarted { .. } => self.serve_contexts(),
            _ => {}
        }
        if let Ok(mut h) = self.handlers.lock() {
            h.dispatch(&event);
        }
        self.events.send(event);
    }

    fn on_command(&mut self, cmd: Command) {
        let now = Instant::now();
        match cmd {
            Command::Line(chat, event, tx) => {
                let id = self.machine.send_line(&chat, event);
                self.lines.insert(id, Waiter::Line(tx));
            }
            Command::End(chat, tx) => {
                let id = self.machine.end_chat(&chat);
                self.lines.insert(id, Waiter::Line(tx));
            }
            Command::Transfer(chat, request, tx) => {
                let id = self.machine.transfer(&chat, request);
                self.lines.insert(id, Waiter::Transfer(tx));
            }
            Command::Accept(tx) => {
                self.accepts.push_back(tx);
                self.machine.accept_next();
            }
            Command::Follow(chat) => self.machine.follow_chat(chat),
            Command::Unfollow(chat) => self.machine.unfollow(&chat),
            Command::SetAvailability(state) => self.machine.set_availability(state),
            Command::ForcedAway(policy) => self.machine.set_forced_away_policy(policy),
            Command::Context(refused, tx) => {
                self.contexts.push((refused, tx));
                self.serve_contexts();
            }
            Command::Observe(generation, response) => {
                self.machine.observe_response(generation, &response, now);
                if response.status() == StatusCode::UNAUTHORIZED {
                    tracing::debug!("one-off request unauthorized");
                }
            }
            Command::Token(tx) => {
                let _ = tx.send(self.machine.cursor_token());
            }
            Command::Chats(tx) => {
                let _ = tx.send(self.machine.chats());
            }
            Command::Close(tx) => {
                self.closers.push(tx);
                self.machine.close();
            }
        }
    }

    /// The machine finished: every waiter learns it.
    fn on_finish(&mut self) {
        for (_, waiter) in std::mem::take(&mut self.lines) {
            match waiter {
                Waiter::Line(tx) => {
                    let _ = tx.send(Err(Error::Command(CommandFailure::Closed)));
                }
                Waiter::Transfer(tx) => {
                    let _ = tx.send(Err(Error::Command(CommandFailure::Closed)));
                }
            }
        }
        for tx in self.accepts.drain(..) {
            let _ = tx.send(Err(Error::Closed));
        }
        for tx in self.closers.drain(..) {
            let _ = tx.send(());
        }
        for (_, tx) in self.contexts.drain(..) {
            let _ = tx.send(Err(Error::Closed));
        }
        tracing::debug!("agent session driver finished");
    }
}

/// A short name of an event for logs (events carry no secret, but lines carry user text).
fn event_name(event: &MachineEvent) -> &'static str {
    match event {
        MachineEvent::LoggedIn => "logged_in",
        MachineEvent::SessionRenewed => "session_renewed",
        MachineEvent::SessionLost(_) => "session_lost",
        MachineEvent::AgentSessionStarted { .. } => "agent_session_started",
        MachineEvent::AgentInfo(_) => "agent_info",
        MachineEvent::AvailabilityChanged(_) => "availability_changed",
        MachineEvent::AvailabilityForced { .. } => "availability_forced",
        MachineEvent::ChatOffered { .. } => "chat_offered",
        MachineEvent::OfferWithdrawn => "offer_withdrawn",
        MachineEvent::ChatAccepted(_) => "chat_accepted",
        MachineEvent::AcceptFailed(_) => "accept_failed",
        MachineEvent::ChatEvent { .. } => "chat_event",
        MachineEvent::InfoUpdated { .. } => "info_updated",
        MachineEvent::ChatEnded { .. } => "chat_ended",
        MachineEvent::LineDelivered { .. } => "line_delivered",
        MachineEvent::LineFailed { .. } => "line_failed",
        MachineEvent::TransferDone { .. } => "transfer_done",
        MachineEvent::TransferFailed { .. } => "transfer_failed",
        MachineEvent::ChatStarted(_) => "chat_started",
        MachineEvent::Error(_) => "error",
        MachineEvent::Closed => "closed",
        _ => "other",
    }
}

impl crate::driver::SessionLoop for AgentLoop {
    type Machine = AgentMachine;
    type Command = Command;

    fn machine(&mut self) -> &mut AgentMachine {
        &mut self.machine
    }

    fn close_machine(&mut self) {
        self.machine.close();
    }

    fn pacer(&self) -> crate::events::Pacer {
        self.events.pacer()
    }

    fn command(&mut self, command: Command) {
        self.on_command(command);
    }

    fn deliver(&mut self, event: MachineEvent) {
        self.on_event(event);
    }

    fn finish(&mut self) {
        self.on_finish();
    }

    fn counters(&self) -> Option<&Counters> {
        Some(&self.counters)
    }
}
