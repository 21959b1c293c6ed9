//! The demo's bot: agent sessions on `lpchat` (auto-accept) that answer every visitor line
//! once, transfer one chat to another skill, and end each chat after the visitor's goodbye.
//! It logs what each session delivered and what it sent, for the checks.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use lpchat::proto::model::chat::Source;
use lpchat::proto::model::TransferRequest;
use lpchat::{AgentSession, ChatId, CommandFailure, EndReason, Error, MachineEvent};
use lpchat_emulator::check::Delivered;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A deliberate fault in the bot's own bookkeeping or sending, to show that the check
/// catches it (hidden `--sabotage`, for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sabotage {
    /// Send one answer twice while logging it once: a doubled line.
    Double,
    /// Leave one delivered visitor line out of the log: a lost line.
    Drop,
}

/// What the bot does, the same for every session.
#[derive(Debug)]
pub struct Plan {
    /// The visitor line after whose answer the bot ends the chat.
    pub farewell: String,
    /// The skill id one chat is transferred to, by the first session.
    pub transfer_to: Option<String>,
    /// The test-only fault, if any.
    pub sabotage: Option<Sabotage>,
}

/// What the sessions did, shared by their tasks.
#[derive(Debug, Default)]
pub struct Log {
    /// Event ids each session delivered, by session index.
    pub delivered: Vec<Delivered>,
    /// Lines the bot sent and the server confirmed: chat id, text.
    pub sent: Vec<(String, String)>,
    /// Answers: chat id, the visitor line's event id, the answer's text.
    pub answers: Vec<(String, u64, String)>,
    /// Visitor lines the sessions delivered, each counted once (a session that takes a
    /// transferred chat delivers its history again; repeats by one session are in the
    /// checks).
    pub visitor_lines: usize,
    /// Chats some session accepted.
    pub accepted: BTreeSet<String>,
    /// Chats over for good (not counting a session's end of following by transfer).
    pub ended: BTreeSet<String>,
    /// The chat transferred to the other skill, once the transfer is done.
    pub transferred: Option<String>,
    /// Logins per session (more than one: the bearer expired and the session logged in again).
    pub logins: Vec<usize>,
    /// Sessions whose agent session has started.
    pub ready: usize,
    /// Commands that failed, as one-line descriptions.
    pub failures: Vec<String>,
    /// Visitor lines answered or being answered: chat id, event id.
    answered: HashSet<(String, u64)>,
    /// The transfer started, if any: the session that hands the chat over, and the chat.
    transferring: Option<(usize, String)>,
    /// Whether the sabotage was done.
    sabotaged: bool,
    /// The visitor line left out of the log by `Sabotage::Drop`: chat id, event id.
    dropped: Option<(String, u64)>,
}

/// The log behind a lock, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SharedLog(Arc<Mutex<Log>>);

impl SharedLog {
    /// A log for `sessions` sessions.
    pub fn new(sessions: usize) -> Self {
        let log = Log {
            delivered: vec![Delivered::new(); sessions],
            logins: vec![0; sessions],
            ..Log::default()
        };
        SharedLog(Arc::new(Mutex::new(log)))
    }

    /// The log; a task that panicked while holding it left it usable.
    pub fn lock(&self) -> MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What to do after an answer.
enum Then {
    Nothing,
    End,
    Transfer(String),
}

/// Runs one session's bot until `stop` turns true, then waits for its sends to settle.
/// Fails when the session is lost.
pub async fn serve(
    session: AgentSession,
    index: usize,
    plan: Arc<Plan>,
    log: SharedLog,
    mut stop: watch::Receiver<bool>,
) -> Result<(), String> {
    let mut events = session
        .events()
        .ok_or_else(|| "the session's events were taken".to_owned())?;
    let mut sends = JoinSet::new();
    let outcome = loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = stop.wait_for(|&s| s) => break Ok(()),
        };
        let Some(event) = event else {
            break Err("the bot's session finished early".to_owned());
        };
        match event {
            MachineEvent::ChatEvent { chat, event } => {
                let line = event
                    .line()
                    .filter(|l| l.source == Some(Source::Visitor))
                    .map(|l| l.text.clone());
                let todo = on_chat_event(&log, &plan, index, &chat, event.id.0, line);
                if let Some((text, then, double)) = todo {
                    sends.spawn(answer(
                        session.clone(),
                        chat,
                        text,
                        then,
                        double,
                        log.clone(),
                    ));
                }
            }
            MachineEvent::ChatAccepted(chat) => {
                log.lock().accepted.insert(chat.as_str().to_owned());
            }
            // Transferred: over for this session only; the one that takes it ends it.
            MachineEvent::ChatEnded { chat, reason } if reason != EndReason::Transferred => {
                log.lock().ended.insert(chat.as_str().to_owned());
            }
            MachineEvent::LoggedIn => {
                if let Some(n) = log.lock().logins.get_mut(index) {
                    *n += 1;
                }
            }
            MachineEvent::AgentSessionStarted { .. } => log.lock().ready += 1,
            MachineEvent::SessionLost(reason) => {
                break Err(format!("the bot's session was lost: {reason}"));
            }
            _ => {}
        }
    };
    while sends.join_next().await.is_some() {}
    outcome
}

/// Logs a delivered event; for a visitor line not yet answered, returns the answer to send,
/// what follows it, and whether to (deliberately) send it twice.
fn on_chat_event(
    log: &SharedLog,
    plan: &Plan,
    index: usize,
    chat: &ChatId,
    id: u64,
    visitor_line: Option<String>,
) -> Option<(String, Then, bool)> {
    let mut log = log.lock();
    let log = &mut *log;
    let chat_id = chat.as_str().to_owned();
    // The line to leave out is the first visitor line, in every session's log.
    let key = (chat_id.clone(), id);
    if visitor_line.is_some()
        && plan.sabotage == Some(Sabotage::Drop)
        && !std::mem::replace(&mut log.sabotaged, true)
    {
        log.dropped = Some(key.clone());
    }
    let drop_it = log.dropped.as_ref() == Some(&key);
    if !drop_it {
        if let Some(d) = log.delivered.get_mut(index) {
            d.entry(chat_id.clone()).or_default().push(id);
        }
    }
    let text = visitor_line?;
    // Lines that reach the handing-over session after it decided to transfer are left to
    // the session that takes the chat (it delivers the history): an answer sent now would
    // queue behind the transfer and fail once the chat has left.
    if log.transferring.as_ref() == Some(&(index, chat_id.clone())) {
        return None;
    }
    // A session that takes a transferred chat delivers its history too: answered already.
    if !log.answered.insert(key) {
        return None;
    }
    if !drop_it {
        log.visitor_lines += 1;
    }
    let answer = format!("You said \"{text}\" (#{id})");
    log.answers.push((chat_id.clone(), id, answer.clone()));
    let then = if text == plan.farewell {
        Then::End
    } else {
        match &plan.transfer_to {
            Some(skill) if index == 0 && log.transferring.is_none() => {
                log.transferring = Some((index, chat_id.clone()));
                Then::Transfer(skill.clone())
            }
            _ => Then::Nothing,
        }
    };
    let double =
        plan.sabotage == Some(Sabotage::Double) && !std::mem::replace(&mut log.sabotaged, true);
    Some((answer, then, double))
}

/// Sends an answer, then ends or transfers the chat when asked; logs what the server took.
async fn answer(
    session: AgentSession,
    chat: ChatId,
    text: String,
    then: Then,
    double: bool,
    log: SharedLog,
) {
    match send_line(&session, &chat, &text).await {
        Ok(()) => log
            .lock()
            .sent
            .push((chat.as_str().to_owned(), text.clone())),
        Err(e) => log.lock().failures.push(format!("answer in {chat}: {e}")),
    }
    if double {
        let _ = send_line(&session, &chat, &text).await;
    }
    let failed = match then {
        Then::Nothing => None,
        Then::End => session
            .end_chat(&chat)
            .await
            .err()
            .map(|e| format!("end of {chat}: {e}")),
        Then::Transfer(skill) => {
            let request =
                TransferRequest::to_skill(skill).with_text("Billing question, over to you.");
            match session.transfer(&chat, request).await {
                Ok(()) => {
                    log.lock().transferred = Some(chat.as_str().to_owned());
                    None
                }
                Err(e) => Some(format!("transfer of {chat}: {e}")),
            }
        }
    };
    if let Some(f) = failed {
        log.lock().failures.push(f);
    }
}

/// Sends a line; sends it again when the client says it certainly did not happen
/// (retries ran out), never when its outcome is unknown.
async fn send_line(session: &AgentSession, chat: &ChatId, text: &str) -> Result<(), Error> {
    let mut tries = 0;
    loop {
        tries += 1;
        match session.send_line(chat, text).await {
            Err(Error::Command(CommandFailure::GaveUp)) if tries < 3 => continue,
            other => return other.map(|_| ()),
        }
    }
}
