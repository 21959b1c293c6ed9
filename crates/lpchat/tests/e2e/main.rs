//! End-to-end tests of the client against `lpchat-emulator` over loopback. One binary, so
//! that the tests (which mostly wait for 2 s polls) run in parallel.

#[path = "../support/mod.rs"]
mod support;

mod common;
mod faults;
mod flow;
mod ops;
mod retries;
mod soak;
