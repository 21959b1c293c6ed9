//! `lpchat-emulator`: runs the emulator until interrupted.
//!
//! ```text
//! lpchat-emulator [--port N] [--host IP] [--seed N] [--time-factor F] [--world FILE]
//!                 [--scenario FILE] [--require-session-cookie] [--tls]
//! ```

use lpchat_emulator::clock::FACTORS;
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario, World};
use std::process::ExitCode;

const USAGE: &str = "usage: lpchat-emulator [--port N] [--host IP] [--seed N] [--time-factor F] \
[--world FILE] [--scenario FILE] [--require-session-cookie] [--tls]";

fn parse_args(args: &[String]) -> Result<(EmulatorConfig, Option<Scenario>), String> {
    let mut config = EmulatorConfig::default();
    let mut scenario = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => config.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--host" => config.host = value()?.parse().map_err(|e| format!("--host: {e}"))?,
            "--seed" => config.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--time-factor" => {
                let f: f64 = value()?
                    .parse()
                    .map_err(|e| format!("--time-factor: {e}"))?;
                if !FACTORS.contains(&f) {
                    return Err(format!(
                        "--time-factor must be from {} to {}",
                        FACTORS.start(),
                        FACTORS.end()
                    ));
                }
                config.time_factor = f;
            }
            "--world" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                config.world = World::from_json(&text)?;
            }
            "--scenario" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                scenario = Some(Scenario::from_json(&text)?);
            }
            "--require-session-cookie" => config.quirks.require_session_cookie = true,
            "--tls" => config.tls = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((config, scenario))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, scenario) = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let served = Emulator::serve_until_ctrl_c(config, scenario, |emu| print!("{}", emu.banner()));
    match served.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lpchat-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
