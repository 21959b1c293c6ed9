//! End-to-end tests of the client against `lpchat-emulator` over loopback. One binary, so
//! that the tests (which mostly wait for 2 s polls) run in parallel.

#[path = "../support/mod.rs"]
mod support;

mod agent_ops;
mod backpressure;
mod chat_ops;
mod common;
mod faults;
mod flow;
mod leaving;
mod ops;
mod resume;
mod retries;
mod session_events;
mod soak;
mod visitor_ops;
