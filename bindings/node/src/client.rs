//! `Client`, `AgentSession`, `EventStream`, `Visitor` and `VisitorChat`: thin napi classes
//! holding clones of the Rust handles. Every I/O method is async (a Promise); results are
//! models as plain objects (`convert::model`); failures are `error::BindingError`s.

use std::cell::RefCell;
use std::sync::Arc;

use lpchat::proto::model::domain::Service;
use lpchat::proto::model::visitor::{ConversationRequest, CustomVariables};
use lpchat::proto::model::{
    AvailableAgents, ChatId, ChatRequest, EventId, NewEvent, SurveyAnswers, TransferRequest,
};
use lpchat::proto::ops;
use lpchat::{ApiKey, Credentials, ExistingBearer, MachineEvent, UserPassword};
use napi::bindgen_prelude::{within_runtime_if_available, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::convert::{event, model, request};
use crate::error::{BindingError, Result};
use crate::options::{
    agent_config, agent_state, client_builder, forced_away, token_error, visitor_config,
};

/// A handler's callback: weak (it never keeps a finished process alive, napi-rs #1732), its
/// errors left to Node (an exception in a handler is an uncaught exception, as in an
/// `EventEmitter` listener).
type Callback = ThreadsafeFunction<Value, (), Value, napi::Status, false, true>;

fn chat_id(chat: &str) -> Result<ChatId> {
    if chat.is_empty() {
        return Err(BindingError::config("a chat id cannot be empty"));
    }
    Ok(ChatId::from(chat))
}

fn event_id(from: Option<String>) -> Result<Option<EventId>> {
    from.map(|s| {
        s.parse::<u64>()
            .map(EventId)
            .map_err(|_| BindingError::config("an event id is a decimal number (as a string)"))
    })
    .transpose()
}

fn text_of<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(BindingError::config(format!(
            "credentials.{key} must be a string"
        ))),
    }
}

/// Credentials from `{user, password}`, `{username, apiKey: {…}}`, `{jwt}` or
/// `{bearer, csrf?}`. Error messages name the fields, never their values.
fn credentials(v: &Value) -> Result<Credentials> {
    if !v.is_object() {
        return Err(BindingError::config("credentials must be an object"));
    }
    if let (Some(user), Some(password)) = (text_of(v, "user")?, text_of(v, "password")?) {
        return Ok(Credentials::User(UserPassword::new(user, password)));
    }
    if let (Some(username), Some(key)) = (text_of(v, "username")?, v.get("apiKey")) {
        let part = |name: &str| -> Result<String> {
            match key.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(BindingError::config(format!(
                    "credentials.apiKey.{name} must be a non-empty string"
                ))),
            }
        };
        return Ok(Credentials::ApiKey {
            username: username.to_owned(),
            key: ApiKey::new(
                part("appKey")?,
                part("secret")?,
                part("accessToken")?,
                part("accessTokenSecret")?,
            ),
        });
    }
    if let Some(jwt) = text_of(v, "jwt")? {
        return Ok(Credentials::Jwt(jwt.into()));
    }
    if let Some(bearer) = text_of(v, "bearer")? {
        let mut b = ExistingBearer::new(bearer);
        if let Some(csrf) = text_of(v, "csrf")? {
            b = b.with_csrf(csrf);
        }
        return Ok(Credentials::Bearer(b));
    }
    Err(BindingError::config(
        "credentials need {user, password}, {username, apiKey}, {jwt} or {bearer}",
    ))
}

/// How many session, chat and stream objects exist (their JS objects not yet collected),
/// for the tests: a leak of one per cycle shows here exactly.
static LIVE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Counts one live object in [`LIVE`] from creation to drop.
struct Live;

impl Live {
    fn new() -> Self {
        LIVE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Live
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How many `AgentSession`, `VisitorChat` and `EventStream` objects are alive.
#[napi]
pub fn live_objects() -> i64 {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// The entry point: one per account.
#[napi]
pub struct Client {
    inner: lpchat::Client,
}

#[napi]
impl Client {
    /// A client for `account`. Fails with `LPCHAT_CONFIG` on bad settings (a malformed
    /// proxy or certificate, a bad format name, a wrong type or unknown field).
    #[napi(constructor, ts_args_type = "account: string, options?: ClientOptions")]
    pub fn new(account: String, options: Option<Value>) -> napi::Result<Self> {
        let builder = client_builder(account, options)?;
        // reqwest's client may start timers of its pool: build it inside napi's runtime.
        let inner = within_runtime_if_available(|| builder.build()).map_err(BindingError::from)?;
        Ok(Client { inner })
    }

    /// The account id.
    #[napi(getter)]
    pub fn account(&self) -> String {
        self.inner.account().to_owned()
    }

    /// The host of a service (`agentVep`, `conversationVep`, …): the override, the cache or
    /// the Domain API.
    #[napi]
    pub async fn domain(&self, service: String) -> napi::Result<String> {
        let service = Service::parse(&service);
        Ok(self
            .inner
            .domain(service)
            .await
            .map_err(BindingError::from)?)
    }

    /// Starts an agent session (logs in, starts the session, sets the availability, polls)
    /// once the Domain API has answered.
    #[napi(ts_args_type = "credentials: Credentials, options?: AgentOptions")]
    pub async fn agent_session(
        &self,
        credentials: Value,
        options: Option<Value>,
    ) -> napi::Result<AgentSession> {
        let creds = self::credentials(&credentials)?;
        let base = self
            .inner
            .agent_config(creds)
            .await
            .map_err(BindingError::from)?;
        let config = agent_config(base, options)?;
        let inner = self.inner.start_agent(config);
        let (tx, finished) = tokio::sync::watch::channel(false);
        inner.handlers().on_session(move |e| {
            if matches!(e, MachineEvent::Closed | MachineEvent::SessionLost(_)) {
                let _ = tx.send(true);
            }
        });
        Ok(AgentSession {
            inner,
            finished,
            _live: Live::new(),
        })
    }

    /// The visitor side (Server Chat API) with this app key.
    #[napi]
    pub async fn visitor(&self, app_key: String) -> napi::Result<Visitor> {
        let inner = self
            .inner
            .visitor(app_key)
            .await
            .map_err(BindingError::from)?;
        Ok(Visitor { inner })
    }
}

/// How many requests a session sent, and how many failed and were retried.
#[napi(object)]
pub struct SessionStats {
    /// Requests sent by the session's loop.
    pub requests: f64,
    /// Of those, the ones that failed the way the retry policy handles.
    pub retried: f64,
}

/// The events of a session or chat, each once and in order; `next()` resolves `null` once
/// the session has finished. `index.js` makes it an async iterator.
#[napi]
pub struct EventStream {
    inner: Arc<Mutex<lpchat::Events>>,
    _live: Live,
}

#[napi]
impl EventStream {
    /// The next event, `null` when the session has finished.
    #[napi(ts_return_type = "Promise<SessionEvent | null>")]
    pub async fn next(&self) -> napi::Result<Option<Value>> {
        let mut events = self.inner.lock().await;
        Ok(events.next().await.map(|e| event(&e)))
    }
}

fn stream(events: Option<lpchat::Events>) -> napi::Result<EventStream> {
    let events = events.ok_or_else(|| {
        BindingError::config("the event stream was already taken (events() works once)")
    })?;
    Ok(EventStream {
        inner: Arc::new(Mutex::new(events)),
        _live: Live::new(),
    })
}

fn callback(f: Function<'_, Value, ()>) -> napi::Result<Callback> {
    f.build_threadsafe_function::<Value>()
        .weak::<true>()
        .callee_handled::<false>()
        .build()
}

fn call(cb: &Callback, args: Value) {
    // NonBlocking: the driver never waits for JS. The status only says the loop is gone.
    let _ = cb.call(args, ThreadsafeFunctionCallMode::NonBlocking);
}

thread_local! {
    /// The one threadsafe function of this JS thread (its environment) that carries every
    /// handler call, set by `index.js` at load. One per environment, not one per handler:
    /// each threadsafe function costs Node about 300 bytes that are not given back when it
    /// is released (measured: 10,000 sessions with two handlers each grew RSS by 9 MiB).
    static DISPATCHER: RefCell<Option<Arc<Callback>>> = const { RefCell::new(None) };
}

/// Sets the function that receives every handler call: `{id, args}` for a call,
/// `{id, done: true}` once the handler is gone (its session finished and was dropped), so
/// that `index.js` can forget the callback.
#[napi(
    ts_args_type = "dispatch: (message: { id: number; args?: unknown[]; done?: boolean }) => void"
)]
pub fn set_dispatcher(dispatch: Function<'_, Value, ()>) -> napi::Result<()> {
    let cb = callback(dispatch)?;
    DISPATCHER.with(|d| *d.borrow_mut() = Some(Arc::new(cb)));
    Ok(())
}

/// A registered handler's way back to JS; dropping it (with the session's handler registry)
/// tells JS the handler is gone.
struct Target {
    id: u32,
    dispatcher: Arc<Callback>,
}

impl Target {
    fn send(&self, args: Value) {
        call(&self.dispatcher, json!({"id": self.id, "args": args}));
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        call(&self.dispatcher, json!({"id": self.id, "done": true}));
    }
}

/// A running agent session.
#[napi]
pub struct AgentSession {
    inner: lpchat::AgentSession,
    /// Turns true when the session has finished (its `closed` or `sessionLost` event); the
    /// sender lives in a session handler, so a session whose handlers are gone reads as
    /// finished too.
    finished: tokio::sync::watch::Receiver<bool>,
    _live: Live,
}

macro_rules! one_off {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        $self
            .inner
            .$method($($arg),*)
            .await
            .map(|m| model(&m))
            .map_err(|e| napi::Error::from(BindingError::from(e)))
    };
}

#[napi]
impl AgentSession {
    /// The session's event stream; works once (later calls fail with `LPCHAT_CONFIG`).
    #[napi]
    pub fn events(&self) -> napi::Result<EventStream> {
        stream(self.inner.events())
    }

    /// Registers handler `id` of `index.js`, called on the session's task before the
    /// event reaches the stream. `kind`: `any`, `chatEvent`, `chatOffered`, `chatAccepted`,
    /// `chatEnded`, `session`, `availability`. Calls go through the dispatcher
    /// (`setDispatcher`) with the handler's arguments as an array.
    #[napi]
    pub fn add_handler(&self, kind: String, id: u32) -> napi::Result<()> {
        let dispatcher = DISPATCHER
            .with(|d| d.borrow().as_ref().map(Arc::clone))
            .ok_or_else(|| {
                BindingError::config("no handler dispatcher (load the package through index.js)")
            })?;
        let t = Target { id, dispatcher };
        let handlers = self.inner.handlers();
        match kind.as_str() {
            "any" => {
                handlers.on_any(move |e: &MachineEvent| t.send(json!([event(e)])));
            }
            "chatEvent" => {
                handlers.on_chat_event(move |chat, e| t.send(json!([chat.as_str(), model(e)])));
            }
            "chatOffered" => {
                handlers.on_chat_offered(move |n| t.send(json!([n])));
            }
            "chatAccepted" => {
                handlers.on_chat_accepted(move |chat| t.send(json!([chat.as_str()])));
            }
            "chatEnded" => {
                handlers.on_chat_ended(move |chat| t.send(json!([chat.as_str()])));
            }
            "session" => {
                handlers.on_session(move |e| t.send(json!([event(e)])));
            }
            "availability" => {
                handlers.on_availability(move |e| t.send(json!([event(e)])));
            }
            other => {
                return Err(BindingError::config(format!("unknown handler kind {other:?}")).into())
            }
        }
        Ok(())
    }

    /// Sends a line (or any new event: `{type: "line", text, textType?, subType?, json?}`
    /// or `{type: "state", state: "ended"}`) after the items queued before it; resolves
    /// with its event id when known, once the server has it exactly once.
    #[napi(ts_args_type = "chat: string, event: NewEvent")]
    pub async fn send(&self, chat: String, event: Value) -> napi::Result<Option<String>> {
        let event: NewEvent = request("event", event)?;
        let id = self
            .inner
            .send(&chat_id(&chat)?, event)
            .await
            .map_err(BindingError::from)?;
        Ok(id.map(|i| i.0.to_string()))
    }

    /// Sends a plain-text line.
    #[napi]
    pub async fn send_line(&self, chat: String, text: String) -> napi::Result<Option<String>> {
        let id = self
            .inner
            .send_line(&chat_id(&chat)?, &text)
            .await
            .map_err(BindingError::from)?;
        Ok(id.map(|i| i.0.to_string()))
    }

    /// Ends a chat after the lines queued before it.
    #[napi]
    pub async fn end_chat(&self, chat: String) -> napi::Result<Option<String>> {
        let id = self
            .inner
            .end_chat(&chat_id(&chat)?)
            .await
            .map_err(BindingError::from)?;
        Ok(id.map(|i| i.0.to_string()))
    }

    /// Transfers a chat: `{skill: {id}}` or `{agent: {id}}`, with an optional `text` note.
    #[napi(ts_args_type = "chat: string, request: TransferRequest")]
    pub async fn transfer(&self, chat: String, request: Value) -> napi::Result<()> {
        let req: TransferRequest = self::request("transfer request", request)?;
        Ok(self
            .inner
            .transfer(&chat_id(&chat)?, req)
            .await
            .map_err(BindingError::from)?)
    }

    /// Accepts the next ringing chat; resolves with its id.
    #[napi]
    pub async fn accept_next(&self) -> napi::Result<String> {
        let chat = self.inner.accept_next().await.map_err(BindingError::from)?;
        Ok(chat.as_str().to_owned())
    }

    /// Follows a chat the agent holds through another of its sessions.
    #[napi]
    pub fn follow(&self, chat: String) -> napi::Result<()> {
        Ok(self
            .inner
            .follow(&chat_id(&chat)?)
            .map_err(BindingError::from)?)
    }

    /// Stops following a chat (`chatEnded` with reason `unfollowed`).
    #[napi]
    pub fn unfollow(&self, chat: String) -> napi::Result<()> {
        Ok(self
            .inner
            .unfollow(&chat_id(&chat)?)
            .map_err(BindingError::from)?)
    }

    /// Sets the availability the keepalive holds.
    #[napi(ts_args_type = "state: AgentStateName")]
    pub fn set_availability(&self, state: String) -> napi::Result<()> {
        Ok(self
            .inner
            .set_availability(agent_state(&state)?)
            .map_err(BindingError::from)?)
    }

    /// What to do when the server forces another availability.
    #[napi(ts_args_type = "policy: 'reassert' | 'adopt'")]
    pub fn set_forced_away_policy(&self, policy: String) -> napi::Result<()> {
        Ok(self
            .inner
            .set_forced_away_policy(forced_away(&policy)?)
            .map_err(BindingError::from)?)
    }

    /// Where every followed chat stands, as a token for `agentSession(…, {resumeFrom})`.
    #[napi]
    pub async fn cursor_token(&self) -> napi::Result<String> {
        Ok(self
            .inner
            .cursor_token()
            .await
            .map_err(BindingError::from)?)
    }

    /// The chats followed now.
    #[napi]
    pub async fn chats(&self) -> napi::Result<Vec<String>> {
        let chats = self.inner.chats().await.map_err(BindingError::from)?;
        Ok(chats.iter().map(|c| c.as_str().to_owned()).collect())
    }

    /// Requests sent so far, and how many failed and were retried.
    #[napi]
    pub fn stats(&self) -> SessionStats {
        let s = self.inner.stats();
        SessionStats {
            requests: s.requests as f64,
            retried: s.retried as f64,
        }
    }

    /// Resolves once the session has finished (closed, or lost). While it is pending it
    /// keeps the process alive, which handlers alone do not: `await session.closed()` is
    /// how a handler-only bot waits.
    #[napi]
    pub async fn closed(&self) -> napi::Result<()> {
        let mut finished = self.finished.clone();
        // An error means the sender is gone with the session's handlers: finished too.
        let _ = finished.wait_for(|done| *done).await;
        Ok(())
    }

    /// Ends the agent session and logs out; resolves when done.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        Ok(self.inner.close().await.map_err(BindingError::from)?)
    }

    /// The availability the server shows (A5).
    #[napi(ts_return_type = "Promise<Availability>")]
    pub async fn availability(&self) -> napi::Result<Value> {
        one_off!(self.availability())
    }

    /// The available agents (A7); with `skill`, those of one skill.
    #[napi(ts_return_type = "Promise<AvailableAgents>")]
    pub async fn available_agents(&self, skill: Option<String>) -> napi::Result<Value> {
        match skill {
            Some(s) => one_off!(self.available_agents_of_skill(&s)),
            None => one_off!(self.available_agents()),
        }
    }

    /// The `next` link of an earlier `availableAgents` answer (only the changes since).
    #[napi(
        ts_args_type = "previous: AvailableAgents",
        ts_return_type = "Promise<AvailableAgents>"
    )]
    pub async fn available_agents_next(&self, previous: Value) -> napi::Result<Value> {
        let previous: AvailableAgents = request("available agents", previous)?;
        one_off!(self.available_agents_next(&previous))
    }

    /// Free chat slots (A8), optionally of one skill.
    #[napi(ts_return_type = "Promise<AvailableSlots>")]
    pub async fn available_slots(&self, skill: Option<String>) -> napi::Result<Value> {
        one_off!(self.available_slots(skill.as_deref()))
    }

    /// The logged-in agent's information (A9).
    #[napi(ts_return_type = "Promise<AgentInfo>")]
    pub async fn agent_info(&self) -> napi::Result<Value> {
        one_off!(self.agent_info())
    }

    /// The chats ringing for the agent (A10).
    #[napi(ts_return_type = "Promise<IncomingRequests>")]
    pub async fn incoming_requests(&self) -> napi::Result<Value> {
        one_off!(self.incoming_requests())
    }

    /// The agent's chat sessions (A12).
    #[napi(ts_return_type = "Promise<ChatSessions>")]
    pub async fn chat_sessions(&self) -> napi::Result<Value> {
        one_off!(self.chat_sessions())
    }

    /// A chat's resource (A14), events from `from` (an event id, inclusive) when given.
    #[napi(ts_return_type = "Promise<ChatResource>")]
    pub async fn chat(&self, chat: String, from: Option<String>) -> napi::Result<Value> {
        let (chat, from) = (chat_id(&chat)?, event_id(from)?);
        one_off!(self.chat(&chat, from))
    }

    /// A chat's events (A15), from `from` (inclusive) when given.
    #[napi(ts_return_type = "Promise<ChatEvents>")]
    pub async fn chat_events(&self, chat: String, from: Option<String>) -> napi::Result<Value> {
        let (chat, from) = (chat_id(&chat)?, event_id(from)?);
        one_off!(self.chat_events(&chat, from))
    }

    /// A chat's information (A18).
    #[napi(ts_return_type = "Promise<ChatInfo>")]
    pub async fn chat_info(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.chat_info(&chat))
    }

    /// The visitor's name (A19).
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn visitor_name(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.visitor_name(&chat))
    }

    /// Whether the visitor types (A20).
    #[napi(ts_return_type = "Promise<TypingStateName>")]
    pub async fn visitor_typing(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.visitor_typing(&chat))
    }

    /// Whether the agent types, as the server shows (A21).
    #[napi(ts_return_type = "Promise<TypingStateName>")]
    pub async fn agent_typing(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.agent_typing(&chat))
    }

    /// Sets the agent's typing state (A22).
    #[napi]
    pub async fn set_typing(&self, chat: String, typing: bool) -> napi::Result<()> {
        let chat = chat_id(&chat)?;
        Ok(self
            .inner
            .set_typing(&chat, typing)
            .await
            .map_err(BindingError::from)?)
    }

    /// Skills a chat can be transferred to (A23).
    #[napi(ts_return_type = "Promise<TransferSkills>")]
    pub async fn transfer_skills(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.transfer_skills(&chat))
    }

    /// The agent survey of a chat (A26).
    #[napi(ts_return_type = "Promise<Survey>")]
    pub async fn agent_survey(&self, chat: String) -> napi::Result<Value> {
        let chat = chat_id(&chat)?;
        one_off!(self.agent_survey(&chat))
    }

    /// Submits the agent survey of a chat (A27): `{id, question: [{id, answer}]}`.
    #[napi(ts_args_type = "chat: string, answers: SurveyAnswers")]
    pub async fn submit_agent_survey(&self, chat: String, answers: Value) -> napi::Result<()> {
        let chat = chat_id(&chat)?;
        let answers: SurveyAnswers = request("survey answers", answers)?;
        Ok(self
            .inner
            .submit_agent_survey(&chat, answers)
            .await
            .map_err(BindingError::from)?)
    }

    /// A participant's extended information (A31).
    #[napi(ts_return_type = "Promise<ParticipantInfo>")]
    pub async fn participant_info(&self, participant_id: String) -> napi::Result<Value> {
        one_off!(self.participant_info(&participant_id))
    }

    /// GET of an undocumented link (A25, A28-A30 …), as a generic tree.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn raw_get(&self, href: String) -> napi::Result<Value> {
        one_off!(self.raw_get(&href))
    }
}

/// The visitor side (Server Chat API) of an account, with an app key.
#[napi]
pub struct Visitor {
    inner: lpchat::Visitor,
}

#[napi]
impl Visitor {
    /// Whether a chat can be requested (V2), optionally for a skill.
    #[napi(ts_return_type = "Promise<VisitorAvailability>")]
    pub async fn availability(&self, skill: Option<String>) -> napi::Result<Value> {
        one_off!(self.availability(skill.as_deref()))
    }

    /// Free chat slots (V3), optionally of one skill.
    #[napi(ts_return_type = "Promise<AvailableSlots>")]
    pub async fn available_slots(&self, skill: Option<String>) -> napi::Result<Value> {
        one_off!(self.available_slots(skill.as_deref()))
    }

    /// The estimated wait time (V4).
    #[napi(ts_return_type = "Promise<EstimatedWaitTime>")]
    pub async fn wait_time(&self) -> napi::Result<Value> {
        one_off!(self.wait_time())
    }

    /// The pre-chat survey (V5).
    #[napi(ts_return_type = "Promise<Survey>")]
    pub async fn pre_chat_survey(&self) -> napi::Result<Value> {
        one_off!(self.pre_chat_survey())
    }

    /// The offline survey (V6).
    #[napi(ts_return_type = "Promise<Survey>")]
    pub async fn offline_survey(&self) -> napi::Result<Value> {
        one_off!(self.offline_survey())
    }

    /// Submits the offline survey (V7); one whose outcome is unknown is not sent again
    /// (`LPCHAT_OUTCOME_UNKNOWN`).
    #[napi(ts_args_type = "answers: SurveyAnswers")]
    pub async fn submit_offline_survey(&self, answers: Value) -> napi::Result<()> {
        let answers: SurveyAnswers = request("survey answers", answers)?;
        Ok(self
            .inner
            .submit_offline_survey(answers)
            .await
            .map_err(BindingError::from)?)
    }

    /// Creates an authenticated conversation (V9); resolves with its URL (pass its last
    /// segment as `conversationId` of `requestChat`).
    #[napi(ts_args_type = "request: ConversationRequest")]
    pub async fn create_conversation(&self, request: Value) -> napi::Result<String> {
        let request: ConversationRequest = self::request("conversation request", request)?;
        let created = self
            .inner
            .call(ops::CreateConversation::new(request))
            .await
            .map_err(BindingError::from)?;
        Ok(created.href)
    }

    /// Requests a chat (V8) and resolves once it exists: `{skill?, skillId?, …}`.
    #[napi(ts_args_type = "request?: ChatRequest, options?: VisitorChatOptions")]
    pub async fn request_chat(
        &self,
        request: Option<Value>,
        options: Option<Value>,
    ) -> napi::Result<VisitorChat> {
        let request: ChatRequest = match request {
            Some(v) => self::request("chat request", v)?,
            None => ChatRequest::default(),
        };
        let config = visitor_config(self.inner.chat_config(request), options)?;
        let chat = self
            .inner
            .start_chat(config)
            .await
            .map_err(BindingError::from)?;
        Ok(VisitorChat {
            inner: chat,
            _live: Live::new(),
        })
    }

    /// Goes on with a chat from its `resumePoint()` (its URL and cursor token): nothing is
    /// delivered twice or skipped.
    #[napi(ts_args_type = "href: string, token: string, options?: VisitorChatOptions")]
    pub async fn resume_chat(
        &self,
        href: String,
        token: String,
        options: Option<Value>,
    ) -> napi::Result<VisitorChat> {
        let config = self
            .inner
            .chat_config(ChatRequest::default())
            .resume(href, &token)
            .map_err(token_error)?;
        let config = visitor_config(config, options)?;
        let chat = self
            .inner
            .start_chat(config)
            .await
            .map_err(BindingError::from)?;
        Ok(VisitorChat {
            inner: chat,
            _live: Live::new(),
        })
    }
}

/// Where a visitor chat stands: its URL and cursor token.
#[napi(object)]
pub struct ResumePoint {
    /// The chat's URL.
    pub href: String,
    /// The cursor token.
    pub token: String,
}

/// One visitor chat, driven by its own task.
#[napi]
pub struct VisitorChat {
    inner: lpchat::VisitorChat,
    _live: Live,
}

#[napi]
impl VisitorChat {
    /// The chat id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().as_str().to_owned()
    }

    /// The chat's event stream; works once, and `poll()` fails after it.
    #[napi]
    pub fn events(&self) -> napi::Result<EventStream> {
        stream(self.inner.events())
    }

    /// The chat events that came since the last call, without waiting.
    #[napi(ts_return_type = "ChatEvent[]")]
    pub fn poll(&self) -> napi::Result<Vec<Value>> {
        let events = self.inner.clone().poll().map_err(BindingError::from)?;
        Ok(events.iter().map(model).collect())
    }

    /// Sends a line (or `{type: "state", state: "ended"}`); resolves with its event id when
    /// known, once the server has it exactly once.
    #[napi(ts_args_type = "event: NewEvent")]
    pub async fn send(&self, event: Value) -> napi::Result<Option<String>> {
        let event: NewEvent = request("event", event)?;
        let id = self.inner.send(event).await.map_err(BindingError::from)?;
        Ok(id.map(|i| i.0.to_string()))
    }

    /// Sends a plain line (V12).
    #[napi]
    pub async fn send_line(&self, text: String) -> napi::Result<Option<String>> {
        let id = self
            .inner
            .send_line(&text)
            .await
            .map_err(BindingError::from)?;
        Ok(id.map(|i| i.0.to_string()))
    }

    /// Ends the chat (V12) after the lines queued before it.
    #[napi]
    pub async fn end(&self) -> napi::Result<()> {
        Ok(self.inner.end().await.map_err(BindingError::from)?)
    }

    /// Sets the visitor's name (V14); the latest value wins.
    #[napi]
    pub fn set_name(&self, name: String) -> napi::Result<()> {
        Ok(self.inner.set_name(name).map_err(BindingError::from)?)
    }

    /// Says whether the visitor types (V15); the latest value wins.
    #[napi]
    pub fn set_typing(&self, typing: bool) -> napi::Result<()> {
        Ok(self.inner.set_typing(typing).map_err(BindingError::from)?)
    }

    /// The chat's information as last read (`LPCHAT_NOT_READY` before the first read).
    #[napi(ts_return_type = "Promise<ChatInfo>")]
    pub async fn info(&self) -> napi::Result<Value> {
        one_off!(self.info())
    }

    /// The chat's URL and cursor token, for `visitor.resumeChat`.
    #[napi]
    pub async fn resume_point(&self) -> napi::Result<ResumePoint> {
        let (href, token) = self
            .inner
            .resume_point()
            .await
            .map_err(BindingError::from)?;
        Ok(ResumePoint { href, token })
    }

    /// Whether the agent types, as the visitor sees it (V16).
    #[napi(ts_return_type = "Promise<TypingStateName>")]
    pub async fn agent_typing(&self) -> napi::Result<Value> {
        one_off!(self.agent_typing())
    }

    /// The exit survey (V17).
    #[napi(ts_return_type = "Promise<Survey>")]
    pub async fn exit_survey(&self) -> napi::Result<Value> {
        one_off!(self.exit_survey())
    }

    /// Submits the exit survey (V17).
    #[napi(ts_args_type = "answers: SurveyAnswers")]
    pub async fn submit_exit_survey(&self, answers: Value) -> napi::Result<()> {
        let answers: SurveyAnswers = request("survey answers", answers)?;
        Ok(self
            .inner
            .submit_exit_survey(answers)
            .await
            .map_err(BindingError::from)?)
    }

    /// E-mails the transcript (V18); one whose outcome is unknown is not sent again.
    #[napi]
    pub async fn request_transcript(&self, email: String) -> napi::Result<()> {
        Ok(self
            .inner
            .request_transcript(&email)
            .await
            .map_err(BindingError::from)?)
    }

    /// Sets the chat's custom variables (V19, deprecated by LivePerson):
    /// `{customVariable: [{name, value}]}`.
    #[napi(ts_args_type = "variables: CustomVariables")]
    pub async fn set_custom_variables(&self, variables: Value) -> napi::Result<()> {
        let variables: CustomVariables = request("custom variables", variables)?;
        Ok(self
            .inner
            .call(|c| ops::SetCustomVariables::new(c, variables))
            .await
            .map_err(BindingError::from)?)
    }

    /// Ends the chat (after the lines queued before) and resolves when its task finished.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        Ok(self.inner.close().await.map_err(BindingError::from)?)
    }
}
