//! `LPCHAT_LOG`: the client's `tracing` output on stderr, for finding out what a session did
//! against a real server or in the demo. The client never puts a password, bearer, csrf,
//! key or cookie in a log line, so any level is safe to share.

use tracing::Level;

/// The environment variable that names the level (`error`, `warn`, `info`, `debug`, `trace`).
pub const ENV: &str = "LPCHAT_LOG";

/// Installs a stderr subscriber when `LPCHAT_LOG` names a level; nothing otherwise.
/// An unknown level is reported on stderr and logging stays off: a typo must not stop
/// the command.
pub fn init() {
    let Ok(value) = std::env::var(ENV) else {
        return;
    };
    let level = match value.trim().to_ascii_lowercase().as_str() {
        "" | "off" => return,
        "error" => Level::ERROR,
        "warn" => Level::WARN,
        "info" => Level::INFO,
        "debug" => Level::DEBUG,
        "trace" => Level::TRACE,
        _ => {
            eprintln!("lpchat: {ENV} takes error, warn, info, debug or trace; logging stays off");
            return;
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
