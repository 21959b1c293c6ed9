//! `lpchat emulator`: serves the embedded emulator until Ctrl-C, as the `lpchat-emulator`
//! binary does (same banner, from the emulator library).

use std::net::IpAddr;
use std::path::PathBuf;

use lpchat_emulator::clock::FACTORS;
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario, World};
use serde_json::json;

use crate::output::Out;
use crate::CliError;

/// Arguments of `lpchat emulator`.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Seeds every generated id and token and the fault probabilities.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Runs emulated time this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub time_factor: f64,
    /// Another world (JSON, the shape of `GET /_emulator/world`).
    #[arg(long, value_name = "FILE")]
    pub world: Option<PathBuf>,
    /// Scripted visitors to start (JSON, see docs/emulator.md).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Requires the per-agent-session cookie on unsigned agent requests.
    #[arg(long)]
    pub require_session_cookie: bool,
    /// Serves HTTPS with a self-signed certificate generated at start; its PEM path is
    /// printed (the root a client must trust).
    #[arg(long)]
    pub tls: bool,
    /// Prints the address and account as one JSON object instead of the banner.
    #[arg(long)]
    pub json: bool,
}

fn read(path: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

/// Runs the command.
pub fn run(args: &EmulatorArgs) -> Result<(), CliError> {
    if !FACTORS.contains(&args.time_factor) {
        return Err(CliError::usage(format!(
            "--time-factor must be from {} to {}",
            FACTORS.start(),
            FACTORS.end()
        )));
    }
    let mut config = EmulatorConfig {
        host: args.host,
        port: args.port,
        seed: args.seed,
        time_factor: args.time_factor,
        ..EmulatorConfig::default()
    };
    config.quirks.require_session_cookie = args.require_session_cookie;
    config.tls = args.tls;
    if let Some(path) = &args.world {
        config.world = World::from_json(&read(path)?)
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    }
    let scenario = match &args.scenario {
        Some(path) => Some(
            Scenario::from_json(&read(path)?)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?,
        ),
        None => None,
    };
    let mut out = Out::stdout(args.json);
    let mut printed = Ok(());
    crate::session::block_on(async {
        Emulator::serve_until_ctrl_c(config, scenario, |emu| {
            printed = if out.json {
                out.object(&json!({
                    "base_url": emu.base_url(),
                    "account": emu.account(),
                    "account_url": emu.account_url(),
                    "seed": emu.seed(),
                    "time_factor": emu.time_factor(),
                    "control_url": format!("{}/_emulator/state", emu.base_url()),
                    "tls_cert_path": emu.cert_path().map(|p| p.display().to_string()),
                }))
            } else {
                out.raw(&emu.banner())
            };
        })
        .await
        .map_err(|e| CliError::new(crate::exit::UNREACHABLE, format!("emulator: {e}")))
    })?;
    printed
}
