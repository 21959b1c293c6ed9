//! `lpchat`: a command line for LivePerson's legacy chat APIs.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod agents;
mod chats;
mod config;
mod decode;
mod demo;
mod emulator;
mod exit;
mod log;
mod output;
mod session;
mod stream;
mod view;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::CliError;

/// lpchat: LivePerson legacy chat from the command line.
#[derive(Debug, Parser)]
#[command(name = "lpchat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the emulator on loopback until Ctrl-C.
    Emulator(emulator::EmulatorArgs),
    /// The account's agents: state, chats against max chats, skills.
    Agents(agents::AgentsArgs),
    /// The agent's active chats.
    Chats(chats::ChatsArgs),
    /// Go Online, accept the next chat and print its events until it ends or Ctrl-C.
    Take(stream::TakeArgs),
    /// Print the events of every active chat of the agent until Ctrl-C.
    Watch(stream::WatchArgs),
    /// Send a line on a chat.
    Say(chats::SayArgs),
    /// End a chat.
    End(chats::EndArgs),
    /// Transfer a chat to a skill or an agent.
    Transfer(chats::TransferArgs),
    /// Show or set the agent's availability.
    Availability(chats::AvailabilityArgs),
    /// Decode one response body and print its model as JSON.
    Decode(decode::DecodeArgs),
    /// Run the emulator, scripted visitors and a bot; summarize and check every line.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    log::init();
    let result = match &cli.command {
        Command::Emulator(args) => emulator::run(args),
        Command::Agents(args) => agents::run(args),
        Command::Chats(args) => chats::chats(args),
        Command::Take(args) => stream::take(args),
        Command::Watch(args) => stream::watch(args),
        Command::Say(args) => chats::say(args),
        Command::End(args) => chats::end(args),
        Command::Transfer(args) => chats::transfer(args),
        Command::Availability(args) => chats::availability(args),
        Command::Decode(args) => decode::run(args, &mut std::io::stdout().lock()),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            // One line, whatever the error text holds.
            eprintln!("lpchat: {}", e.message());
            ExitCode::from(e.code())
        }
    }
}
