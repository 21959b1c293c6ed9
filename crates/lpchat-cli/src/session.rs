//! Agent sessions for the commands: a runtime per command, opening a session and waiting
//! until it runs, finding a chat through the agent's chat sessions (A12 continuity), and
//! closing only the session the command opened.
//!
//! The session model (see `docs/cli.md`): `take` and `watch` hold a session while they
//! run; `chats`, `say`, `end`, `transfer`, `availability` and `agents` open a session of
//! their own, act and close it. Closing a session ends it (A4) and logs out its own
//! login only; the agent's chats stay with the agent while another of its sessions lives.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lpchat::proto::model::ChatSessions;
use lpchat::{
    AgentSession, AgentState, ChatId, Client, EventId, Events, ForcedAwayPolicy, MachineEvent,
};

use crate::config::Settings;
use crate::exit::{self, CliError};

/// How long opening a session may take before the host counts as unreachable.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many pages of a chat's events a command reads to find its last event.
const MAX_EVENT_PAGES: usize = 1000;
/// How long closing a session may take (A4 and logout) before the command exits anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs one command's future on a runtime of its own (the command is the process's only
/// work, so two worker threads are plenty).
pub fn block_on<F>(future: F) -> Result<(), CliError>
where
    F: Future<Output = Result<(), CliError>>,
{
    // reqwest is built with rustls and no default provider: install ring once. An error
    // means one is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(future)
}

/// Ctrl-C, listened for from the moment it is made: a Ctrl-C that comes while the
/// command logs in or prints is kept, and ends the command gracefully (closing its
/// session) instead of killing it.
pub struct Interrupt {
    signal: Option<Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>>,
}

impl Interrupt {
    /// Starts listening.
    pub async fn listen() -> Interrupt {
        let mut signal: Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> =
            Box::pin(tokio::signal::ctrl_c());
        // One poll installs the handler.
        let fired = tokio::select! {
            biased;
            _ = &mut signal => true,
            () = std::future::ready(()) => false,
        };
        Interrupt {
            signal: (!fired).then_some(signal),
        }
    }

    /// Resolves on Ctrl-C (at once if it came already).
    pub async fn wait(&mut self) {
        if let Some(signal) = &mut self.signal {
            let _ = signal.await;
            self.signal = None;
        }
    }
}

/// A running agent session and its event stream.
pub struct Opened {
    /// The session.
    pub session: AgentSession,
    /// Its events, from the start on.
    pub events: Events,
}

/// Logs in and starts an agent session; returns once it runs. `availability` is set at
/// the start (`None` leaves the agent's as it is). An availability the server forces (Away
/// after an unaccepted chat, or another session's `lpchat availability`) is adopted, not
/// fought.
pub async fn open(
    settings: &Settings,
    availability: Option<AgentState>,
) -> Result<Opened, CliError> {
    let mut builder = Client::builder(settings.account.clone()).format(settings.format);
    if let Some(origin) = &settings.domain {
        builder = builder.domain_origin(origin.clone());
    }
    let client = builder
        .build()
        .map_err(|e| CliError::client("set up the client", &e))?;
    let config = client
        .agent_config(settings.credentials.clone())
        .await
        .map_err(|e| lookup_error(&settings.account, &e))?
        .with_initial_availability(availability)
        .with_forced_away(ForcedAwayPolicy::Adopt);
    let session = client.start_agent(config);
    let mut events = session
        .events()
        .ok_or_else(|| CliError::input("the session's events were taken".to_owned()))?;
    let mut last_error = None;
    let started = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(event) = events.next().await {
            match event {
                MachineEvent::AgentSessionStarted { .. } => return Ok(()),
                MachineEvent::SessionLost(reason) => return Err(CliError::lost(&reason)),
                MachineEvent::Error(e) => last_error = Some(e),
                _ => {}
            }
        }
        Err(CliError::new(
            exit::SESSION_EXPIRED,
            "the session ended before it started",
        ))
    })
    .await;
    match started {
        Ok(Ok(())) => Ok(Opened { session, events }),
        Ok(Err(e)) => Err(e),
        Err(_) => {
            close(&session).await;
            let why = last_error.map(|e| format!(": {e}")).unwrap_or_default();
            Err(CliError::new(
                exit::UNREACHABLE,
                format!("no agent session after {} s{why}", START_TIMEOUT.as_secs()),
            ))
        }
    }
}

/// A failed Domain API lookup: the account is part of the credentials, so a refusal of it
/// (401 "invalid site", or 404) counts as bad credentials.
fn lookup_error(account: &str, error: &lpchat::Error) -> CliError {
    let refused = matches!(error, lpchat::Error::Api(e)
        if e.status().is_some_and(|s| s.as_u16() == 401 || s.as_u16() == 404));
    if refused {
        CliError::new(
            exit::BAD_CREDENTIALS,
            format!("the Domain API does not know account `{account}`: {error}"),
        )
    } else {
        CliError::client("look up the account's agent host", error)
    }
}

/// Ends the session this command opened (A4, logout), waiting a bounded time.
pub async fn close(session: &AgentSession) {
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, session.close()).await;
}

/// Runs `act` on a session opened for it, then closes the session whatever `act` did.
pub async fn one_shot<T, F, Fut>(settings: &Settings, act: F) -> Result<T, CliError>
where
    F: FnOnce(Opened) -> Fut,
    Fut: Future<Output = Result<T, CliError>>,
{
    let opened = open(settings, None).await?;
    let session = opened.session.clone();
    let result = act(opened).await;
    close(&session).await;
    result
}

/// The agent's active chats (A12): those of every session of the agent.
pub async fn active_chats(session: &AgentSession) -> Result<ChatSessions, CliError> {
    session
        .chat_sessions()
        .await
        .map_err(|e| CliError::client("list the agent's chats", &e))
}

/// Finds `chat` among the agent's active chats (another session's included, A12
/// continuity) and follows it on the opened session, so that lines, ends and transfers can
/// go through the session's ordered queue. Returns once the session has delivered the
/// chat's events up to the last one that exists now: a send whose outcome is unknown is
/// looked up among the events from the session's position on, and a fresh session starts
/// at the chat's first event, where an earlier line with the same text (or an earlier
/// transfer) would be taken for the new one and the new one never sent.
pub async fn adopt(opened: &mut Opened, chat: &str) -> Result<ChatId, CliError> {
    let chats = active_chats(&opened.session).await?;
    let id = chats
        .chat_ids()
        .find(|c| c.as_str() == chat)
        .ok_or_else(|| CliError::unknown_chat(chat))?;
    let last = last_event(&opened.session, &id).await?;
    opened
        .session
        .follow(&id)
        .map_err(|e| CliError::client("follow the chat", &e))?;
    if let Some(last) = last {
        let caught_up =
            tokio::time::timeout(START_TIMEOUT, delivered(&mut opened.events, &id, last));
        match caught_up.await {
            Ok(result) => result?,
            Err(_) => {
                return Err(CliError::new(
                    exit::UNREACHABLE,
                    format!(
                        "cannot read the events of chat `{id}` within {} s",
                        START_TIMEOUT.as_secs()
                    ),
                ))
            }
        }
    }
    Ok(id)
}

/// The id of the chat's last event now (A15), reading on while pages come.
async fn last_event(session: &AgentSession, chat: &ChatId) -> Result<Option<EventId>, CliError> {
    let mut last: Option<EventId> = None;
    // A chat has at most a few hundred events and one page usually holds them all; the bound
    // keeps a server that keeps inventing events from holding the command forever.
    for _ in 0..MAX_EVENT_PAGES {
        let from = last.map(|l| EventId(l.0.saturating_add(1)));
        let page = session
            .chat_events(chat, from)
            .await
            .map_err(|e| CliError::chat("read the chat's events", &e))?;
        // Only ids past the last one count: a server that repeats events cannot loop this.
        match page
            .events
            .iter()
            .map(|e| e.id)
            .filter(|i| Some(*i) > last)
            .max()
        {
            Some(newest) => last = Some(newest),
            None => return Ok(last),
        }
    }
    Err(CliError::new(
        exit::API,
        format!("the events of chat `{chat}` did not end after {MAX_EVENT_PAGES} pages"),
    ))
}

/// Waits until `events` has delivered event `last` (or a later one) of `chat`.
async fn delivered(events: &mut Events, chat: &ChatId, last: EventId) -> Result<(), CliError> {
    while let Some(event) = events.next().await {
        match event {
            MachineEvent::ChatEvent { chat: c, event } if &c == chat && event.id >= last => {
                return Ok(())
            }
            MachineEvent::ChatEnded { chat: c, .. } if &c == chat => {
                return Err(CliError::command(
                    "follow the chat",
                    &lpchat::CommandFailure::ChatEnded,
                ))
            }
            MachineEvent::SessionLost(reason) => return Err(CliError::lost(&reason)),
            _ => {}
        }
    }
    Err(CliError::new(
        exit::SESSION_EXPIRED,
        "the session ended while following the chat",
    ))
}
