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

mod decode;
mod demo;
mod view;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// lpchat: LivePerson legacy chat from the command line.
#[derive(Debug, Parser)]
#[command(name = "lpchat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode one response body and print its model as JSON.
    Decode(decode::DecodeArgs),
    /// Run the emulator, scripted visitors and a bot; summarize and check every line.
    Demo(demo::DemoArgs),
}

/// A failure the user can act on, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// Bad input data (a body that does not decode, an unreadable file): exit 1.
    pub fn input(message: String) -> Self {
        CliError { message, code: 1 }
    }

    /// Wrong use of the command: exit 2, as clap does.
    pub fn usage(message: String) -> Self {
        CliError { message, code: 2 }
    }

    /// A check of `lpchat demo` failed (a line lost or doubled): exit 8.
    pub fn check_failed(message: String) -> Self {
        CliError { message, code: 8 }
    }

    /// Writing the output failed (closed pipe): exit 1.
    pub fn io(e: std::io::Error) -> Self {
        CliError {
            message: format!("cannot write output: {e}"),
            code: 1,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match &cli.command {
        Command::Decode(args) => decode::run(args, &mut stdout),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, whatever the error text holds.
            eprintln!("lpchat: {}", e.message.replace('\n', " "));
            ExitCode::from(e.code)
        }
    }
}
