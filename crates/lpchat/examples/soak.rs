//! Soak: an echo bot against an embedded emulator with faults, compared with the
//! emulator's transcripts.
//!
//! `cargo run --release -p lpchat --example soak -- --chats 200 --faults default`
//!
//! Prints `events: N delivered, L lost, D duplicated; lines: M sent, L lost, D duplicated`
//! and the time taken; exits with status 1 when anything was lost or duplicated.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use lpchat::Format;

#[tokio::main]
async fn main() {
    let mut chats = 20usize;
    let mut faults = "default".to_owned();
    let mut format = Format::Json;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--chats" => chats = args.next().and_then(|v| v.parse().ok()).unwrap_or(chats),
            "--faults" => faults = args.next().unwrap_or(faults),
            "--xml" => format = Format::Xml,
            other => {
                eprintln!("unknown argument {other}; usage: soak [--chats N] [--faults default|none] [--xml]");
                std::process::exit(2);
            }
        }
    }
    // The bearer lives 60 emulated seconds (6 s real): it expires during any longer run.
    let emu = support::emulator_with(11, |c| c.world.session_ttl_ms = 60_000).await;
    if faults == "default" {
        support::default_faults(&emu);
    }
    let client = support::client(&emu, format);
    // Visitors start every 0.3 s; each chat takes a few 2 s polls.
    // Auto-accept takes every chat a poll counts, one accept after another.
    let deadline = Duration::from_secs(60 + 3 * chats as u64);
    // The API-key bot takes any number of chats at once.
    let report = support::run_echo_as(&emu, &client, support::bot(), chats, deadline).await;
    println!("{}", report.line());
    emu.shutdown().await;
    if !report.clean() {
        std::process::exit(1);
    }
}
