//! The shared core of a running emulator: state, quirks, faults, scripted-visitor records.

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::engine::State;
use crate::faults::Faults;
use crate::quirks::Quirks;
use crate::simulator::VisitorRecord;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Locks a mutex, recovering the data if a holder panicked: one failed request must not
/// take the whole emulator down.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    /// `http://host:port` (`https://` under TLS), the prefix of every link.
    pub base: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host:port`, the Domain API's `baseURI`.
    pub host_port: String,
    /// Emulated time.
    pub clock: Clock,
    /// Account, logins, sessions, chats.
    pub state: Mutex<State>,
    /// Serialisation quirks in force.
    pub quirks: RwLock<Arc<Quirks>>,
    /// Fault rules.
    pub faults: Mutex<Faults>,
    /// What scripted visitors sent and received.
    pub visitors: Mutex<Vec<VisitorRecord>>,
    /// Largest accepted request body.
    pub max_body: usize,
    /// Time zone offset of timestamps, minutes.
    pub tz: i32,
    /// The seed (scripted visitors derive theirs from it).
    pub seed: u64,
    /// The account id (fixed for the emulator's life; kept here so routing needs no lock).
    pub account: String,
}

impl App {
    /// Builds the shared core for an emulator listening on `host_port`.
    pub fn new(config: &EmulatorConfig, host_port: String) -> App {
        let scheme = if config.tls { "https" } else { "http" };
        App {
            base: format!("{scheme}://{host_port}"),
            scheme,
            host_port,
            clock: Clock::new(config.time_factor, config.start_epoch_ms),
            state: Mutex::new(State::new(config)),
            quirks: RwLock::new(Arc::new(config.quirks.clone())),
            faults: Mutex::new(Faults::new(config.seed)),
            visitors: Mutex::new(Vec::new()),
            max_body: config.max_body_bytes,
            tz: config.world.timezone_offset_minutes,
            seed: config.seed,
            account: config.world.account.clone(),
        }
    }

    /// The quirks in force.
    pub fn quirks(&self) -> Arc<Quirks> {
        match self.quirks.read() {
            Ok(q) => Arc::clone(&q),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the quirks.
    pub fn set_quirks(&self, q: Quirks) {
        match self.quirks.write() {
            Ok(mut w) => *w = Arc::new(q),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(q),
        }
    }

    /// The state, locked.
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Emulated now, ms.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// `http://host:port/api/account/{a}`.
    pub fn account_base(&self, account: &str) -> String {
        format!("{}/api/account/{account}", self.base)
    }
}
