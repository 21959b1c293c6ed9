//! The available-agents table (spec use case): every agent with its chat state and chats,
//! per skill.
//!
//! Against LivePerson: `LPCHAT_ACCOUNT=… LPCHAT_USER=… LPCHAT_PASSWORD=…`; without them an
//! embedded emulator is used.

use lpchat::{Client, Credentials, MachineEvent, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, credentials, emulator) = match std::env::var("LPCHAT_ACCOUNT") {
        Ok(account) => {
            let user = std::env::var("LPCHAT_USER")?;
            let password = std::env::var("LPCHAT_PASSWORD")?;
            let client = Client::builder(account).build()?;
            (
                client,
                Credentials::User(UserPassword::new(user, password)),
                None,
            )
        }
        Err(_) => {
            let emu = Emulator::start(EmulatorConfig::default()).await?;
            let client = Client::builder(emu.account())
                .domain_origin(emu.base_url())
                .build()?;
            let creds = Credentials::User(UserPassword::new("agent1", "password"));
            (client, creds, Some(emu))
        }
    };
    let config = client
        .agent_config(credentials)
        .await?
        .with_initial_availability(None);
    let session = client.start_agent(config);
    let mut events = session.events().ok_or("events taken")?;
    // Wait for the session to start before reading through it.
    while let Some(event) = events.next().await {
        match event {
            MachineEvent::AgentSessionStarted { .. } => break,
            MachineEvent::SessionLost(reason) => return Err(format!("{reason:?}").into()),
            _ => {}
        }
    }
    let agents = session.available_agents().await?;
    println!(
        "{:<12} {:<10} {:>5} {:>5}  skills",
        "agent", "chat", "chats", "max"
    );
    for agent in &agents.agents {
        println!(
            "{:<12} {:<10} {:>5} {:>5}  {}",
            agent.nickname.as_deref().unwrap_or("?"),
            agent
                .chat_state
                .as_ref()
                .map(|s| format!("{s:?}"))
                .unwrap_or_default(),
            agent.chat_count(),
            agent.max_chats.map(|m| m.to_string()).unwrap_or_default(),
            agent
                .skills
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    session.close().await?;
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
