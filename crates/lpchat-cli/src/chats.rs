//! The one-shot commands: `chats`, `say`, `end`, `transfer`, `availability`. Each opens an
//! agent session of its own, finds the chat among the agent's active chats (A12: those
//! of every session of the agent), acts through the session's ordered queue (each line
//! once, an unknown outcome looked up before any resend), and closes its own session.

use lpchat::proto::model::{AgentId, SkillId, TransferRequest};
use std::future::Future;

use lpchat::{AgentSession, AgentState, ChatId};
use serde_json::json;

use crate::agents::capitalized;
use crate::config::{self, ConnectArgs};
use crate::output::Out;
use crate::session;
use crate::CliError;

/// Arguments of `lpchat chats`.
#[derive(Debug, clap::Args)]
pub struct ChatsArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Arguments of `lpchat say`.
#[derive(Debug, clap::Args)]
pub struct SayArgs {
    /// The chat id (see `lpchat chats`).
    pub chat: String,
    /// The line to send.
    pub text: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Arguments of `lpchat end`.
#[derive(Debug, clap::Args)]
pub struct EndArgs {
    /// The chat id (see `lpchat chats`).
    pub chat: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Arguments of `lpchat transfer`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["skill", "agent"])))]
pub struct TransferArgs {
    /// The chat id (see `lpchat chats`).
    pub chat: String,
    /// To this skill (its name, or its id).
    #[arg(long, value_name = "NAME")]
    pub skill: Option<String>,
    /// To this agent (its id, or its login name).
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    /// A note for the receiving agent (not shown to the visitor).
    #[arg(long)]
    pub text: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Arguments of `lpchat availability`.
#[derive(Debug, clap::Args)]
pub struct AvailabilityArgs {
    /// Set it: Online, Occupied or Away. Without it, show it.
    pub state: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// `lpchat chats`: the agent's active chats with their visitor and state.
pub fn chats(args: &ChatsArgs) -> Result<(), CliError> {
    let settings = config::resolve(&args.connect)?;
    let mut out = Out::stdout(settings.json);
    session::block_on(async {
        session::one_shot(&settings, |o| async move {
            let s = o.session;
            let sessions = session::active_chats(&s).await?;
            let mut rows = Vec::new();
            for chat in &sessions.sessions {
                let Some(id) = chat.chat_id() else { continue };
                // The information is a nicety: a chat that ended meanwhile still lists.
                let info = s.chat_info(&id).await.ok();
                rows.push(json!({
                    "chat": id.as_str(),
                    "start_time": chat.start_time.map(|t| t.0),
                    "state": info.as_ref().and_then(|i| i.state.as_ref()).map(|s| s.as_str()),
                    "visitor_name": info.as_ref().and_then(|i| i.visitor_name.clone()),
                    "skill": info.as_ref().and_then(|i| i.skill_name.clone()),
                    "last_update": info.as_ref().and_then(|i| i.last_update.as_ref()).map(|t| t.to_string()),
                }));
            }
            if out.json {
                return out.object(&json!({ "chats": rows }));
            }
            if rows.is_empty() {
                return out.line("no active chats");
            }
            let width = rows
                .iter()
                .filter_map(|r| r["chat"].as_str().map(str::len))
                .max()
                .unwrap_or(4);
            out.line(&format!("{:<width$} {:<9} VISITOR", "CHAT", "STATE"))?;
            for row in &rows {
                out.line(&format!(
                    "{:<width$} {:<9} {}",
                    row["chat"].as_str().unwrap_or(""),
                    row["state"].as_str().unwrap_or("?"),
                    crate::output::printable(row["visitor_name"].as_str().unwrap_or(""))
                ))?;
            }
            Ok(())
        })
        .await
    })
}

/// Runs `act` on the chat named on the command line through a session of its own: the
/// settings, the session, finding and following the chat, closing the session.
fn on_chat<F, Fut>(connect: &ConnectArgs, chat: &str, act: F) -> Result<(), CliError>
where
    F: FnOnce(AgentSession, ChatId, Out) -> Fut,
    Fut: Future<Output = Result<(), CliError>>,
{
    let settings = config::resolve(connect)?;
    let out = Out::stdout(settings.json);
    session::block_on(session::one_shot(&settings, |mut o| async move {
        let id = session::adopt(&mut o, chat).await?;
        act(o.session, id, out).await
    }))
}

/// `lpchat say CHAT TEXT`.
pub fn say(args: &SayArgs) -> Result<(), CliError> {
    on_chat(&args.connect, &args.chat, |s, chat, mut out| async move {
        let id = s
            .send_line(&chat, &args.text)
            .await
            .map_err(|e| CliError::chat("send the line", &e))?;
        let event = id.map(|i| i.0);
        out.either(
            &json!({ "chat": chat.as_str(), "event_id": event }),
            &format!(
                "sent to {chat}{}",
                event.map(|e| format!(" as event {e}")).unwrap_or_default()
            ),
        )
    })
}

/// `lpchat end CHAT`.
pub fn end(args: &EndArgs) -> Result<(), CliError> {
    on_chat(&args.connect, &args.chat, |s, chat, mut out| async move {
        let id = s
            .end_chat(&chat)
            .await
            .map_err(|e| CliError::chat("end the chat", &e))?;
        out.either(
            &json!({ "chat": chat.as_str(), "ended": true, "event_id": id.map(|i| i.0) }),
            &format!("ended {chat}"),
        )
    })
}

/// `lpchat transfer CHAT --skill NAME | --agent ID`.
pub fn transfer(args: &TransferArgs) -> Result<(), CliError> {
    on_chat(&args.connect, &args.chat, |s, chat, mut out| async move {
        let (request, target, shown) = match (&args.agent, &args.skill) {
            (Some(agent), _) => {
                let id = agent_id(&s, agent).await?;
                let target = json!({ "agent": { "id": id.as_str() } });
                let shown = format!("agent {id}");
                (TransferRequest::to_agent(id), target, shown)
            }
            (None, Some(skill)) => {
                let (id, name) = skill_id(&s, &chat, skill).await?;
                let shown = format!("skill {} (id {id})", name.as_deref().unwrap_or("?"));
                let target = json!({ "skill": { "id": id.as_str(), "name": name } });
                (TransferRequest::to_skill(id), target, shown)
            }
            (None, None) => return Err(CliError::usage("name --skill or --agent".to_owned())),
        };
        let request = match &args.text {
            Some(text) => request.with_text(text.clone()),
            None => request,
        };
        s.transfer(&chat, request)
            .await
            .map_err(|e| CliError::chat("transfer the chat", &e))?;
        out.either(
            &json!({ "chat": chat.as_str(), "transferred_to": target }),
            &format!("transferred {chat} to {shown}"),
        )
    })
}

/// A skill by id or name among those the chat can go to (A23).
async fn skill_id(
    s: &AgentSession,
    chat: &ChatId,
    skill: &str,
) -> Result<(SkillId, Option<String>), CliError> {
    let skills = s
        .transfer_skills(chat)
        .await
        .map_err(|e| CliError::chat("list the skills to transfer to", &e))?;
    let found = skills
        .named(skill)
        .or_else(|| skills.find(&SkillId::from(skill)));
    match found {
        Some(k) => Ok((k.id.clone(), k.name.clone())),
        None => {
            let names: Vec<String> = skills
                .skills
                .iter()
                .map(|k| k.name.clone().unwrap_or_else(|| k.id.to_string()))
                .collect();
            Err(CliError::new(
                crate::exit::API,
                format!(
                    "cannot transfer to skill `{skill}`: it has no available agent (available: {})",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            ))
        }
    }
}

/// An agent by id or login name among the account's agents (A7).
async fn agent_id(s: &AgentSession, agent: &str) -> Result<AgentId, CliError> {
    let agents = s
        .available_agents()
        .await
        .map_err(|e| CliError::client("list the agents", &e))?;
    agents
        .agents
        .iter()
        .find(|a| a.id.as_str() == agent || a.user_name.as_deref() == Some(agent))
        .map(|a| a.id.clone())
        .ok_or_else(|| {
            CliError::usage(format!(
                "no agent `{agent}` on this account (see `lpchat agents`)"
            ))
        })
}

/// `lpchat availability [STATE]`.
pub fn availability(args: &AvailabilityArgs) -> Result<(), CliError> {
    let wanted = args
        .state
        .as_deref()
        .map(|name| match AgentState::parse(&capitalized(name)) {
            state @ (AgentState::Online | AgentState::Occupied | AgentState::Away) => Ok(state),
            _ => Err(CliError::usage(format!(
                "cannot set `{name}` (Online, Occupied or Away)"
            ))),
        })
        .transpose()?;
    let settings = config::resolve(&args.connect)?;
    let mut out = Out::stdout(settings.json);
    session::block_on(async {
        session::one_shot(&settings, |o| async move {
            let s = o.session;
            if let Some(state) = wanted {
                s.set_availability(state.clone())
                    .map_err(|e| CliError::client("set the availability", &e))?;
                // The session's keepalive sends it; wait until the server shows it.
                let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
                loop {
                    let now = s
                        .availability()
                        .await
                        .map_err(|e| CliError::client("read the availability", &e))?;
                    if now.chat.as_ref() == Some(&state) {
                        break;
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Err(CliError::new(
                            crate::exit::API,
                            format!(
                                "the server did not take the availability {}",
                                state.as_str()
                            ),
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
            let now = s
                .availability()
                .await
                .map_err(|e| CliError::client("read the availability", &e))?;
            let chat = now.chat.as_ref().map(AgentState::as_str);
            let voice = now.voice.as_ref().map(AgentState::as_str);
            out.either(
                &json!({ "chat": chat, "voice": voice }),
                &format!("chat {}", chat.unwrap_or("?")),
            )
        })
        .await
    })
}
