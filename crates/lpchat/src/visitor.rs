//! The visitor side (Server Chat API) with the app key: one-off calls on [`Visitor`], and
//! each [`VisitorChat`] driven by a tokio task that runs the proto [`VisitorMachine`]
//! (poll through `next` every 2 s, info keepalive every 30 s, lines in order with
//! reconciliation, name and typing).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use lpchat_proto::machine::{CommandFailure, LineId, MachineEvent, VisitorConfig, VisitorMachine};
use lpchat_proto::model::{
    AgentTyping, AvailableSlots, ChatId, ChatInfo, ChatRequest, Engagement, EngagementRequest,
    EstimatedWaitTime, Event, EventId, NewEvent, Survey, SurveyAnswers, VisitorAvailability,
};
use lpchat_proto::ops::{self, ChatRef, Context};
use lpchat_proto::{Limits, Operation};
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::error::Error;
use crate::events::Events;
use crate::oneoff::OneOff;
use crate::transport::Transport;

/// The Server Chat API of an account, with an app key.
#[derive(Clone)]
pub struct Visitor {
    ctx: Context,
    chats: VisitorConfig,
    transport: Transport,
    oneoff: Arc<OneOff>,
    event_buffer: usize,
}

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Visitor")
    }
}

impl Visitor {
    pub(crate) fn new(
        ctx: Context,
        chats: VisitorConfig,
        transport: Transport,
        limits: Limits,
        event_buffer: usize,
    ) -> Self {
        let oneoff = OneOff::new(transport.clone(), limits, chats.retry.clone(), chats.seed);
        Visitor {
            ctx,
            chats,
            transport,
            oneoff: Arc::new(oneoff),
            event_buffer,
        }
    }

    /// Runs one visitor operation with the app key. 5xx, 429 and transport failures are
    /// retried by the retry policy when the operation may be repeated; a state-changing one
    /// whose outcome is unknown fails with [`Error::OutcomeUnknown`].
    pub async fn call<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        self.oneoff.run(op, &self.ctx).await
    }

    /// Step 2 of the visitor flow: the engagement request to the `smt` service
    /// (`smt` = [`crate::Client::base_uri`] of `Service::Smt`), which opens the visitor
    /// session. When [`Engagement::is_available`], pass it to the chat request with
    /// [`ChatRequest::with_engagement`]. Not retried when its outcome is unknown (a repeat
    /// opens another visitor session).
    pub async fn engage(
        &self,
        smt: &ops::BaseUri,
        request: EngagementRequest,
    ) -> Result<Engagement, Error> {
        self.call(ops::RequestEngagement::new(smt, request)).await
    }

    /// Free chat slots (V3), optionally for one skill.
    pub async fn available_slots(&self, skill: Option<&str>) -> Result<AvailableSlots, Error> {
        let op = ops::GetAvailableSlots::visitor();
        self.call(match skill {
            Some(name) => op.skill(name, None),
            None => op,
        })
        .await
    }

    /// The offline survey (V6), for visitors who find no agent.
    pub async fn offline_survey(&self) -> Result<Survey, Error> {
        self.call(ops::GetOfflineSurvey::new()).await
    }

    /// Submits the offline survey (V7). Each submission is a new offline message: one whose
    /// outcome is unknown is not sent again ([`Error::OutcomeUnknown`]).
    pub async fn submit_offline_survey(&self, answers: SurveyAnswers) -> Result<(), Error> {
        self.call(ops::SubmitOfflineSurvey::new(answers)).await
    }

    /// Whether a chat can be requested (V2), optionally for a skill.
    pub async fn availability(&self, skill: Option<&str>) -> Result<VisitorAvailability, Error> {
        let op = ops::GetVisitorAvailability::new();
        self.call(match skill {
            Some(s) => op.skill(s),
            None => op,
        })
        .await
    }

    /// The estimated wait time (V4).
    pub async fn wait_time(&self) -> Result<EstimatedWaitTime, Error> {
        self.call(ops::GetEstimatedWaitTime::new()).await
    }

    /// The pre-chat survey (V5).
    pub async fn pre_chat_survey(&self) -> Result<Survey, Error> {
        self.call(ops::GetPreChatSurvey::new()).await
    }

    /// The configuration [`Visitor::request_chat`] starts a chat with (the client's format,
    /// switches, retry policy and limits), for this request; adjust it and start it with
    /// [`Visitor::start_chat`] (e.g. to resume a chat).
    pub fn chat_config(&self, request: ChatRequest) -> VisitorConfig {
        let mut config = self.chats.clone();
        config.request = request;
        config
    }

    /// Requests a chat (V8) and waits until it exists.
    pub async fn request_chat(&self, request: ChatRequest) -> Result<VisitorChat, Error> {
        self.start_chat(self.chat_config(request)).await
    }

    /// Starts a chat machine with this configuration (requests the chat, or goes on with
    /// the one of [`VisitorConfig::resume`]) and waits until the chat exists.
    pub async fn start_chat(&self, mut config: VisitorConfig) -> Result<VisitorChat, Error> {
        config.request_deadline = self.transport.machine_deadline(config.request_deadline);
        let resumed_href = config.resume.as_ref().map(|(href, _)| href.clone());
        let machine = VisitorMachine::new(config, Instant::now());
        let resumed = machine.chat_id().cloned().zip(resumed_href);
        let (cmd_tx, cmd_rx) = crate::driver::command_channel();
        let (ev_tx, ev_rx) = crate::events::channel(self.event_buffer);
        let (started_tx, started_rx) = oneshot::channel();
        let driver = VisitorLoop {
            machine,
            events: ev_tx,
            started: match resumed {
                Some(_) => None,
                None => Some(started_tx),
            },
            lines: Vec::new(),
            closers: Vec::new(),
        };
        tokio::spawn(
            crate::driver::run(Box::new(driver), self.transport.clone(), cmd_rx).instrument(
                tracing::info_span!("visitor_chat", n = crate::driver::next_task_number()),
            ),
        );
        let (id, href) = match resumed {
            Some(started) => started,
            None => started_rx.await.map_err(|_| Error::Closed)??,
        };
        Ok(VisitorChat {
            inner: Arc::new(Inner {
                commands: cmd_tx,
                events: Mutex::new(Some(ev_rx)),
                ctx: self.ctx.clone(),
                oneoff: self.oneoff.clone(),
                chat: ChatRef::Href(href),
            }),
            id,
        })
    }
}

/// Where a sent item's outcome goes.
type LineWaiter = oneshot::Sender<Result<Option<EventId>, Error>>;

/// What a handle asks of the driver.
enum Command {
    Send(NewEvent, LineWaiter),
    Name(String),
    Typing(bool),
    Info(oneshot::Sender<Option<ChatInfo>>),
    Resume(oneshot::Sender<Option<(String, String)>>),
    Close(oneshot::Sender<()>),
}

struct Inner {
    commands: crate::driver::CommandSender<Command>,
    events: Mutex<Option<crate::events::EventReceiver>>,
    /// The app key's context, for one-off calls on the chat.
    ctx: Context,
    oneoff: Arc<OneOff>,
    /// The chat's URL.
    chat: ChatRef,
}

/// One visitor chat, driven by its own task. Cheap to clone; dropping the last handle ends
/// the chat (after the lines queued before), and [`VisitorChat::close`] does the same and
/// waits for it.
#[derive(Clone)]
pub struct VisitorChat {
    inner: Arc<Inner>,
    id: ChatId,
}

impl std::fmt::Debug for VisitorChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitorChat").field("id", &self.id).finish()
    }
}

impl VisitorChat {
    fn command(&self, cmd: Command) -> Result<(), Error> {
        self.inner.commands.send(cmd).map_err(|_| Error::Closed)
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.command(make(tx))?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// The chat id.
    pub fn id(&self) -> &ChatId {
        &self.id
    }

    /// The chat's event stream: each event once and in order ([`MachineEvent::ChatEvent`]),
    /// changed information, settled lines, [`MachineEvent::ChatEnded`] and
    /// [`MachineEvent::Closed`]. It can be taken once; later calls return `None`, and
    /// [`VisitorChat::poll`] then fails.
    pub fn events(&self) -> Option<Events> {
        self.inner
            .events
            .lock()
            .ok()
            .and_then(|mut e| e.take())
            .map(Events::new)
    }

    /// The chat events that came since the last call, each once, without waiting (the
    /// chat's task polls every 2 s). Other machine events are dropped; use
    /// [`VisitorChat::events`] to see them.
    pub fn poll(&mut self) -> Result<Vec<Event>, Error> {
        let mut guard = self
            .inner
            .events
            .lock()
            .map_err(|_| Error::Config("event stream poisoned".into()))?;
        let rx = guard
            .as_mut()
            .ok_or_else(|| Error::Config("the event stream was taken".into()))?;
        let mut out = Vec::new();
        while let Some(event) = rx.try_next() {
            if let MachineEvent::ChatEvent { event, .. } = event {
                out.push(event);
            }
        }
        Ok(out)
    }

    /// Sends a line (or any [`NewEvent`]) after the items queued before it, and waits until
    /// the server has it exactly once. Returns its event id when known.
    pub async fn send(&self, event: NewEvent) -> Result<Option<EventId>, Error> {
        self.ask(|tx| Command::Send(event, tx)).await?
    }

    /// Sends a plain line (V12).
    pub async fn send_line(&self, text: &str) -> Result<Option<EventId>, Error> {
        self.send(NewEvent::plain(text)).await
    }

    /// Ends the chat (V12), after the lines queued before it.
    pub async fn end(&self) -> Result<(), Error> {
        self.send(NewEvent::End).await.map(|_| ())
    }

    /// Sets the visitor's name (V14); the latest value wins.
    pub fn set_name(&self, name: impl Into<String>) -> Result<(), Error> {
        self.command(Command::Name(name.into()))
    }

    /// Says whether the visitor types (V15); the latest value wins.
    pub fn set_typing(&self, typing: bool) -> Result<(), Error> {
        self.command(Command::Typing(typing))
    }

    /// The chat's information as last read (V13, the 30 s keepalive, and the polls);
    /// [`Error::NotReady`] before the first read.
    pub async fn info(&self) -> Result<ChatInfo, Error> {
        self.ask(Command::Info).await?.ok_or(Error::NotReady)
    }

    /// The chat's URL and where its cursor stands, to go on later with
    /// [`VisitorConfig::resume`].
    pub async fn resume_point(&self) -> Result<(String, String), Error> {
        self.ask(Command::Resume).await?.ok_or(Error::NotReady)
    }

    /// Runs one operation on this chat with the app key (as [`Visitor::call`]); `make`
    /// builds it from the chat's reference.
    pub async fn call<O: Operation>(
        &self,
        make: impl FnOnce(&ChatRef) -> O,
    ) -> Result<O::Output, Error> {
        self.inner
            .oneoff
            .run(make(&self.inner.chat), &self.inner.ctx)
            .await
    }

    /// Whether the agent types, as the visitor sees it (V16).
    pub async fn agent_typing(&self) -> Result<AgentTyping, Error> {
        self.call(ops::GetAgentTyping::new).await
    }

    /// The exit survey (V17).
    pub async fn exit_survey(&self) -> Result<Survey, Error> {
        self.call(ops::GetExitSurvey::new).await
    }

    /// Submits the exit survey (V17).
    pub async fn submit_exit_survey(&self, answers: SurveyAnswers) -> Result<(), Error> {
        self.call(|c| ops::SubmitExitSurvey::new(c, answers)).await
    }

    /// E-mails the chat's transcript to `email` (V18). Each request sends an e-mail: one
    /// whose outcome is unknown is not sent again ([`Error::OutcomeUnknown`]).
    pub async fn request_transcript(&self, email: &str) -> Result<(), Error> {
        self.call(|c| ops::RequestTranscript::new(c, email)).await
    }

    /// Ends the chat (after the lines queued before) and waits until the task finished.
    pub async fn close(&self) -> Result<(), Error> {
        match self.ask(Command::Close).await {
            Ok(()) | Err(Error::Closed) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The task that owns the machine.
struct VisitorLoop {
    machine: VisitorMachine,
    events: crate::events::EventSender,
    /// Where the new chat's id and URL go.
    started: Option<oneshot::Sender<Result<(ChatId, String), Error>>>,
    lines: Vec<(LineId, LineWaiter)>,
    closers: Vec<oneshot::Sender<()>>,
}

impl VisitorLoop {
    fn settle(&mut self, line: LineId, result: Result<Option<EventId>, Error>) {
        if let Some(i) = self.lines.iter().position(|(id, _)| *id == line) {
            let (_, tx) = self.lines.swap_remove(i);
            let _ = tx.send(result);
        }
    }

    fn on_event(&mut self, event: MachineEvent) {
        match &event {
            MachineEvent::ChatStarted(chat) => {
                if let Some(tx) = self.started.take() {
                    let started = match self.machine.chat_href() {
                        Some(href) => Ok((chat.clone(), href.to_owned())),
                        None => Err(Error::NotReady),
                    };
                    let _ = tx.send(started);
                }
            }
            MachineEvent::SessionLost(reason) => {
                if let Some(tx) = self.started.take() {
                    let _ = tx.send(Err(Error::Lost(reason.clone())));
                }
            }
            MachineEvent::LineDelivered {
                id: line,
                event: id,
                ..
            } => self.settle(*line, Ok(*id)),
            MachineEvent::LineFailed {
                id: line, reason, ..
            } => self.settle(*line, Err(Error::Command(reason.clone()))),
            _ => {}
        }
        self.events.send(event);
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Send(event, tx) => {
                let id = self.machine.send_line(event);
                self.lines.push((id, tx));
            }
            Command::Name(name) => self.machine.set_visitor_name(name),
            Command::Typing(typing) => self.machine.set_typing(typing),
            Command::Info(tx) => {
                let _ = tx.send(self.machine.info().cloned());
            }
            Command::Resume(tx) => {
                let point = self
                    .machine
                    .chat_href()
                    .map(str::to_owned)
                    .zip(self.machine.cursor_token());
                let _ = tx.send(point);
            }
            Command::Close(tx) => {
                self.closers.push(tx);
                self.machine.close();
            }
        }
    }

    /// The machine finished: every waiter learns it.
    fn on_finish(&mut self) {
        if let Some(tx) = self.started.take() {
            let _ = tx.send(Err(Error::Closed));
        }
        for (_, tx) in self.lines.drain(..) {
            let _ = tx.send(Err(Error::Command(CommandFailure::Closed)));
        }
        for tx in self.closers.drain(..) {
            let _ = tx.send(());
        }
        tracing::debug!("visitor chat driver finished");
    }
}

impl crate::driver::SessionLoop for VisitorLoop {
    type Machine = VisitorMachine;
    type Command = Command;

    fn machine(&mut self) -> &mut VisitorMachine {
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
}
