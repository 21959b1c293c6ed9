//! The commands that hold a session and stream events until Ctrl-C: `take` (accepts the
//! next chat and prints its events until it ends) and `watch` (every active chat of the
//! agent, those of its other sessions included, A12 continuity).

use std::collections::BTreeSet;
use std::time::Duration;

use lpchat::{AgentSession, AgentState, ChatId, EndReason, Events, MachineEvent};
use serde_json::json;

use crate::config::{self, ConnectArgs};
use crate::output::{end_reason, event_json, event_text, Out};
use crate::session::{self, Interrupt, Opened};
use crate::{exit, CliError};

/// How often `watch` looks for chats the agent took meanwhile (A12: no faster than 2 s).
const RESCAN: Duration = Duration::from_secs(3);
/// How long `take` waits after a failed accept before trying again.
const ACCEPT_RETRY: Duration = Duration::from_secs(2);

/// Arguments of `lpchat take`.
#[derive(Debug, clap::Args)]
pub struct TakeArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Arguments of `lpchat watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// `lpchat take`: sets the agent Online, accepts the next chat that rings, prints its
/// events until it ends or Ctrl-C, then closes the session.
pub fn take(args: &TakeArgs) -> Result<(), CliError> {
    hold(&args.connect, Held::Take)
}

/// `lpchat watch`: prints the events of every active chat of the agent until Ctrl-C.
pub fn watch(args: &WatchArgs) -> Result<(), CliError> {
    hold(&args.connect, Held::Watch)
}

/// Which of the two streaming commands runs.
#[derive(Clone, Copy)]
enum Held {
    Take,
    Watch,
}

/// Opens a session (Online for `take`; `watch` leaves the availability alone), runs the
/// command's loop, and closes the session whatever the loop returned.
fn hold(connect: &ConnectArgs, held: Held) -> Result<(), CliError> {
    let settings = config::resolve(connect)?;
    let mut out = Out::stdout(settings.json);
    session::block_on(async {
        let mut interrupt = Interrupt::listen().await;
        let availability = match held {
            Held::Take => Some(AgentState::Online),
            Held::Watch => None,
        };
        // Ctrl-C while logging in stops at once (the half-open session closes on drop).
        let opening = session::open(&settings, availability);
        let Opened {
            session,
            mut events,
        } = tokio::select! {
            opened = opening => opened?,
            () = interrupt.wait() => return Ok(()),
        };
        let result = match held {
            Held::Take => take_loop(&session, &mut events, &mut interrupt, &mut out).await,
            Held::Watch => watch_loop(&session, &mut events, &mut interrupt, &mut out).await,
        };
        session::close(&session).await;
        result
    })
}

/// Prints what the session reports that both commands show; `Err` ends the command.
fn common(event: &MachineEvent, out: &mut Out) -> Result<(), CliError> {
    match event {
        MachineEvent::ChatEvent { chat, event } => {
            out.either(&event_json(chat, event), &event_text(chat, event))
        }
        MachineEvent::ChatEnded { chat, reason } => {
            // The session stopped following it: it ended, or left the agent (the session
            // saw it back in the queue or with another agent, after its last events).
            let why = end_reason(reason);
            let text = match reason {
                EndReason::Left => format!("[{chat}] left the agent (transferred or requeued)"),
                _ => format!("[{chat}] {why}"),
            };
            out.either(
                &json!({ "type": "ended", "chat": chat.as_str(), "reason": why }),
                &text,
            )
        }
        MachineEvent::AvailabilityForced { seen, .. } => out.either(
            &json!({ "type": "availability", "state": seen.as_str() }),
            &format!("availability is now {}", seen.as_str()),
        ),
        MachineEvent::SessionLost(reason) => Err(CliError::lost(reason)),
        MachineEvent::Error(e) => {
            // A poll that failed and was given up; polling goes on. One line, no secret.
            eprintln!("lpchat: {e}");
            Ok(())
        }
        _ => Ok(()),
    }
}

fn lost_stream() -> CliError {
    CliError::new(exit::SESSION_EXPIRED, "the agent session ended")
}

async fn take_loop(
    session: &AgentSession,
    events: &mut Events,
    interrupt: &mut Interrupt,
    out: &mut Out,
) -> Result<(), CliError> {
    let mut taken: Option<ChatId> = None;
    let mut accepting = false;
    // "online" is said once, before the first chat: the availability's answer can come after
    // the incoming-requests poll that already shows a chat ringing (the requests go out
    // together), and a chat rings only for an agent the server shows Online.
    let mut online_said = false;
    let mut retry_at: Option<tokio::time::Instant> = None;
    loop {
        let retry = async {
            match retry_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            () = interrupt.wait() => return Ok(()),
            () = retry => {
                retry_at = None;
                if taken.is_none() && !accepting {
                    accepting = true;
                    spawn_accept(session);
                }
                continue;
            }
            event = events.next() => event.ok_or_else(lost_stream)?,
        };
        if !online_said
            && matches!(
                event,
                MachineEvent::AvailabilityChanged(AgentState::Online)
                    | MachineEvent::ChatOffered { .. }
                    | MachineEvent::ChatAccepted(_)
            )
        {
            online_said = true;
            say_online(out)?;
        }
        match &event {
            MachineEvent::ChatOffered { .. } if taken.is_none() && !accepting => {
                accepting = true;
                spawn_accept(session);
            }
            MachineEvent::ChatAccepted(chat) => {
                accepting = false;
                taken = Some(chat.clone());
                out.either(
                    &json!({ "type": "accepted", "chat": chat.as_str() }),
                    &format!("accepted {chat}"),
                )?;
            }
            MachineEvent::AcceptFailed(_) => {
                accepting = false;
                retry_at = Some(tokio::time::Instant::now() + ACCEPT_RETRY);
            }
            MachineEvent::ChatEnded { chat, .. } if taken.as_ref() == Some(chat) => {
                common(&event, out)?;
                return Ok(());
            }
            MachineEvent::AvailabilityChanged(AgentState::Online) => {}
            other => common(other, out)?,
        }
    }
}

/// The server shows the agent Online: chats can ring from now on.
fn say_online(out: &mut Out) -> Result<(), CliError> {
    if out.json {
        out.object(&json!({ "type": "online" }))
    } else {
        eprintln!("lpchat: Online, waiting for a chat (Ctrl-C to stop)");
        Ok(())
    }
}

/// Asks for the next ringing chat; the outcome comes on the event stream.
fn spawn_accept(session: &AgentSession) {
    let session = session.clone();
    tokio::spawn(async move {
        let _ = session.accept_next().await;
    });
}

async fn watch_loop(
    session: &AgentSession,
    events: &mut Events,
    interrupt: &mut Interrupt,
    out: &mut Out,
) -> Result<(), CliError> {
    if !out.json {
        eprintln!("lpchat: watching the agent's chats (Ctrl-C to stop)");
    }
    let mut followed: BTreeSet<ChatId> = BTreeSet::new();
    let mut rescan = tokio::time::interval(RESCAN);
    rescan.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = interrupt.wait() => return Ok(()),
            _ = rescan.tick() => {
                let chats = session::active_chats(session).await?;
                for chat in chats.chat_ids() {
                    if followed.insert(chat.clone()) {
                        session
                            .follow(&chat)
                            .map_err(|e| CliError::client("follow the chat", &e))?;
                        out.either(
                            &json!({ "type": "following", "chat": chat.as_str() }),
                            &format!("following {chat}"),
                        )?;
                    }
                }
            }
            event = events.next() => {
                let event = event.ok_or_else(lost_stream)?;
                match &event {
                    // Ended or left (the session stopped following it, after its last
                    // events): found again by a later scan only if the agent has it again.
                    // A chat missing from a scan is not unfollowed here: it may have just
                    // ended, and its last events are still to come from the next poll.
                    MachineEvent::ChatEnded { chat, .. } => {
                        if followed.remove(chat) {
                            common(&event, out)?;
                        }
                    }
                    _ => common(&event, out)?,
                }
            }
        }
    }
}
