//! `lpchat agents`: the account's agents (A7) as a table, refreshed through the answer's
//! `next` link (`timeStamp`) with `--watch`.

use std::collections::HashMap;
use std::time::Duration;

use lpchat::proto::model::{AvailableAgent, AvailableAgents};
use lpchat::proto::ops::GetAvailableAgents;
use lpchat::{AgentSession, AgentState};
use serde_json::{json, Value};

use crate::config::{self, ConnectArgs};
use crate::output::Out;
use crate::session::{self, Interrupt};
use crate::CliError;

/// Arguments of `lpchat agents`.
#[derive(Debug, clap::Args)]
pub struct AgentsArgs {
    /// Only agents with this skill (by name).
    #[arg(long, value_name = "NAME")]
    pub skill: Option<String>,
    /// Only agents in this chat state: Online, Occupied, Away or Offline.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Keep refreshing the table until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between refreshes with --watch (at least 2).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub interval: u64,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Runs the command.
pub fn run(args: &AgentsArgs) -> Result<(), CliError> {
    let state = args.state.as_deref().map(parse_any_state).transpose()?;
    let settings = config::resolve(&args.connect)?;
    let mut out = Out::stdout(settings.json);
    session::block_on(async {
        let mut interrupt = Interrupt::listen().await;
        session::one_shot(&settings, |o| {
            list(o.session, args, state, &mut interrupt, &mut out)
        })
        .await
    })
}

/// A state name as the user typed it (any case).
fn parse_any_state(name: &str) -> Result<AgentState, CliError> {
    match AgentState::parse(&capitalized(name)) {
        AgentState::Unknown(_) => Err(CliError::usage(format!(
            "unknown state `{name}` (Online, Occupied, Away or Offline)"
        ))),
        state => Ok(state),
    }
}

/// `online` -> `Online`.
pub fn capitalized(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

async fn list(
    session: AgentSession,
    args: &AgentsArgs,
    state: Option<AgentState>,
    interrupt: &mut Interrupt,
    out: &mut Out,
) -> Result<(), CliError> {
    // Skill names the logged-in agent knows; others print as ids.
    let names: HashMap<String, String> = session
        .agent_info()
        .await
        .map(|info| {
            info.skills
                .iter()
                .filter_map(|s| Some((s.id.as_str().to_owned(), s.name.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let filter = |op: GetAvailableAgents| {
        let op = match &args.skill {
            Some(skill) => op.skill(skill),
            None => op,
        };
        match &state {
            Some(state) => op.chat_state(state),
            None => op,
        }
    };
    let fetch_error = |e: lpchat::Error| CliError::client("read the available agents", &e);
    // The first answer comes from the session's A7 (with the skill filter); the state
    // filter is applied here, and on the server from the `next` links on.
    let first = match &args.skill {
        Some(skill) => session.available_agents_of_skill(skill).await,
        None => session.available_agents().await,
    };
    let mut agents = first.map_err(fetch_error)?;
    loop {
        print(out, &agents, state.as_ref(), &names, args.watch)?;
        if !args.watch {
            return Ok(());
        }
        let pause = Duration::from_secs(args.interval.max(2));
        tokio::select! {
            () = interrupt.wait() => return Ok(()),
            () = tokio::time::sleep(pause) => {}
        }
        // The `next` link carries `timeStamp`; the filters are set on it again.
        let next = GetAvailableAgents::next(&agents)
            .map_err(|e| CliError::client("follow the `next` link", &lpchat::Error::Api(e)))?;
        agents = session.call(filter(next)).await.map_err(fetch_error)?;
    }
}

fn print(
    out: &mut Out,
    agents: &AvailableAgents,
    state: Option<&AgentState>,
    names: &HashMap<String, String>,
    watching: bool,
) -> Result<(), CliError> {
    // The server filters; the state filter is applied again in case it does not.
    let shown: Vec<&AvailableAgent> = agents
        .agents
        .iter()
        .filter(|a| state.is_none_or(|s| a.chat_state.as_ref() == Some(s)))
        .collect();
    let skills = |a: &AvailableAgent| -> Vec<String> {
        a.skills
            .iter()
            .map(|id| {
                names
                    .get(id.as_str())
                    .cloned()
                    .unwrap_or_else(|| id.to_string())
            })
            .collect()
    };
    if out.json {
        let list: Vec<Value> = shown
            .iter()
            .map(|a| {
                json!({
                    "id": a.id.as_str(),
                    "user_name": a.user_name,
                    "nickname": a.nickname,
                    "state": a.chat_state.as_ref().map(AgentState::as_str),
                    "chats": a.chat_count(),
                    "max_chats": a.max_chats,
                    "skills": skills(a),
                })
            })
            .collect();
        return out.object(&json!({
            "time_stamp": agents.next_time_stamp().map(|t| t.0),
            "agents": list,
        }));
    }
    if watching && out.is_terminal() {
        out.raw("\x1b[2J\x1b[H")?;
    }
    out.line(&format!(
        "{:<8} {:<16} {:<9} {:>7}  SKILLS",
        "ID", "NAME", "STATE", "CHATS"
    ))?;
    for a in shown {
        let name = a
            .nickname
            .as_deref()
            .or(a.user_name.as_deref())
            .unwrap_or("?");
        let max = match a.max_chats {
            Some(-1) => "∞".to_owned(),
            Some(m) => m.to_string(),
            None => "?".to_owned(),
        };
        let chats = format!("{}/{max}", a.chat_count());
        let line = format!(
            "{:<8} {:<16} {} {:>7}  {}",
            a.id.as_str(),
            crate::output::printable(name),
            out.state(a.chat_state.as_ref(), 9),
            chats,
            skills(a).join(", ")
        );
        out.line(&line)?;
    }
    if watching && !out.is_terminal() {
        out.line("")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_in_any_case() {
        assert_eq!(parse_any_state("online").unwrap(), AgentState::Online);
        assert_eq!(parse_any_state("AWAY").unwrap(), AgentState::Away);
        assert!(parse_any_state("sleepy").is_err());
    }
}
