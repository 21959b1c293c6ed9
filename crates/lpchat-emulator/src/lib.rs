//! `lpchat-emulator`: a local, stateful stand-in for LivePerson's legacy chat servers.
//!
//! It serves the Domain API, the Login Service, the Chat Agent API and the Server Chat
//! (visitor) API over real HTTP on loopback, in JSON and XML, with the documented quirks
//! switchable at runtime, chat routing and timeouts scaled by a time factor, scripted
//! visitors, and faults on demand. It writes and reads the wire format with its own code
//! and shares nothing with the client crates, so a client's model mistake cannot be
//! mirrored here.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use lpchat_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig { time_factor: 10.0, ..EmulatorConfig::default() }).await?;
//! println!("serving account {} at {}", emu.account(), emu.base_url());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See `docs/emulator.md` for the world, the control endpoints and every behaviour chosen
//! where the spec is silent.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod app;
pub mod auth;
pub mod check;
pub mod clock;
pub mod config;
pub mod emulator;
pub mod engine;
pub mod faults;
pub mod http;
pub mod ids;
pub mod quirks;
pub mod render;
pub mod simulator;
pub mod surveys;
pub mod tls;
pub mod transcript;
pub mod wire;
pub mod world;

pub use config::EmulatorConfig;
pub use emulator::Emulator;
pub use faults::{FaultKind, FaultRule};
pub use quirks::{NumStyle, Quirks, SuffixMode};
pub use simulator::{Scenario, VisitorRecord};
pub use tls::TlsCert;
pub use transcript::Transcript;
pub use world::World;
