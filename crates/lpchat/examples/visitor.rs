//! A visitor: asks whether chat is available, requests a chat, says a few lines, prints
//! what comes back and ends the chat.
//!
//! Against LivePerson: `LPCHAT_ACCOUNT=… LPCHAT_APP_KEY=…`; without them an embedded
//! emulator is used, with an echo agent (agent1) answering.

use std::time::Duration;

use lpchat::proto::model::ChatRequest;
use lpchat::{Client, Credentials, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, app_key, emulator) = match std::env::var("LPCHAT_ACCOUNT") {
        Ok(account) => (
            Client::builder(account).build()?,
            std::env::var("LPCHAT_APP_KEY")?,
            None,
        ),
        Err(_) => {
            let emu = Emulator::start(EmulatorConfig {
                time_factor: 10.0,
                ring_timeout_s: 600.0,
                ..Default::default()
            })
            .await?;
            let client = Client::builder(emu.account())
                .domain_origin(emu.base_url())
                .build()?;
            (
                client,
                "721c180b09eb463d9f3191c41762bb68".to_owned(),
                Some(emu),
            )
        }
    };
    // With the emulator, an agent takes the chat.
    let agent = if emulator.is_some() {
        let config = client
            .agent_config(Credentials::User(UserPassword::new("agent1", "password")))
            .await?
            .with_auto_accept(true);
        Some(client.start_agent(config))
    } else {
        None
    };
    let visitor = client.visitor(app_key).await?;
    println!("available: {:?}", visitor.availability(None).await?);
    let mut chat = visitor.request_chat(ChatRequest::default()).await?;
    println!("chat {}", chat.id());
    for text in ["Hello", "Is anyone there?"] {
        chat.send_line(text).await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        for event in chat.poll()? {
            if let Some(line) = event.line() {
                println!("{}: {}", line.by.as_deref().unwrap_or("?"), line.text);
            }
        }
    }
    chat.close().await?;
    if let Some(agent) = agent {
        agent.close().await?;
    }
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
