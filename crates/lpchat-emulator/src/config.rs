//! Start-up settings of an emulator.

use crate::quirks::Quirks;
use crate::world::World;
use std::net::{IpAddr, Ipv4Addr};

/// Everything [`crate::Emulator::start`] needs. `Default` gives the documented world on a
/// random loopback port, seed 0, real time.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to bind; loopback by default.
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Seed of every generated id and of fault probabilities.
    pub seed: u64,
    /// How many times faster than real time the emulated clock runs.
    pub time_factor: f64,
    /// The account.
    pub world: World,
    /// Initial quirks.
    pub quirks: Quirks,
    /// Seconds a ringing chat waits for an accept before the agent is set Away (20 s, spec §5 A6).
    pub ring_timeout_s: f64,
    /// Seconds without any request on an agent session before it is logged out (400 s, spec §8).
    pub agent_idle_timeout_s: f64,
    /// Availability of an agent whose first agent session starts.
    pub initial_availability: String,
    /// Largest accepted request body, bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Emulated start time, ms since the epoch; the wall clock when `None`.
    pub start_epoch_ms: Option<i64>,
    /// Serve HTTPS with a self-signed certificate generated at start (see
    /// [`crate::Emulator::cert_pem`]); links and OAuth base strings then use `https://`.
    pub tls: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: 0,
            time_factor: 1.0,
            world: World::default(),
            quirks: Quirks::default(),
            ring_timeout_s: 20.0,
            agent_idle_timeout_s: 400.0,
            initial_availability: "Online".to_owned(),
            max_body_bytes: 64 * 1024,
            start_epoch_ms: None,
            tls: false,
        }
    }
}
