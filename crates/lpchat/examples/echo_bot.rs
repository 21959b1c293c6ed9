//! An echo bot: takes every chat offered and answers each visitor line.
//!
//! Against LivePerson: `LPCHAT_ACCOUNT=… LPCHAT_USER=… LPCHAT_PASSWORD=… cargo run -p lpchat
//! --example echo_bot`. Without `LPCHAT_ACCOUNT` it starts an embedded emulator with three
//! scripted visitors and stops when their chats are over.

use lpchat::proto::model::chat::Source;
use lpchat::{Client, Credentials, MachineEvent, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario};

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
            let emu = Emulator::start(EmulatorConfig {
                time_factor: 10.0,
                ring_timeout_s: 600.0,
                ..Default::default()
            })
            .await?;
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
        .with_auto_accept(true);
    let session = client.start_agent(config);
    let mut events = session.events().ok_or("events taken")?;
    let mut remaining = emulator.as_ref().map(|emu| {
        emu.run_visitors(Scenario {
            visitors: 3,
            ..Default::default()
        });
        3
    });
    while let Some(event) = events.next().await {
        match event {
            MachineEvent::ChatAccepted(chat) => println!("accepted {chat}"),
            MachineEvent::ChatEvent { chat, event } => {
                if let Some(line) = event.line() {
                    println!(
                        "[{chat}] {}: {}",
                        line.by.as_deref().unwrap_or("?"),
                        line.text
                    );
                    if line.source == Some(Source::Visitor) {
                        let session = session.clone();
                        let text = format!("You said: {}", line.text);
                        tokio::spawn(async move { session.send_line(&chat, &text).await });
                    }
                }
            }
            MachineEvent::ChatEnded { chat, .. } => {
                println!("ended {chat}");
                if let Some(n) = remaining.as_mut() {
                    *n -= 1;
                    if *n == 0 {
                        break;
                    }
                }
            }
            MachineEvent::SessionLost(reason) => {
                eprintln!("session lost: {reason:?}");
                break;
            }
            _ => {}
        }
    }
    session.close().await?;
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
