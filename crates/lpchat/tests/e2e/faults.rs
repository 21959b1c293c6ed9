//! End-to-end under targeted faults: a fault on the send of a line, and a bearer that
//! expires (the default fault mix runs in `soak.rs`).

use crate::support;

use std::time::Duration;

use lpchat::Format;
use lpchat_emulator::{FaultKind, FaultRule};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_whose_send_fails_is_delivered_once() {
    let emu = support::emulator(4).await;
    // The first two line posts: one processed but its answer cut, one dropped.
    emu.add_fault(
        FaultRule::new("*/agentSession/*/chat/*/events", FaultKind::Truncate)
            .on_method("POST")
            .times(1),
    )
    .expect("fault");
    emu.add_fault(
        FaultRule::new("*/agentSession/*/chat/*/events", FaultKind::Drop)
            .on_method("POST")
            .times(1),
    )
    .expect("fault");
    let client = support::client(&emu, Format::Xml);
    let report = support::run_echo(&emu, &client, 1, Duration::from_secs(40)).await;
    eprintln!("{}", report.line());
    assert!(report.clean(), "{}", report.line());
    assert!(emu.faults().is_empty(), "both faults fired");
    // Both rules fire on the first post (a drop wins over a truncation): one failed request.
    assert!(report.retried >= 1, "retries counted: {}", report.retried);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_bearer_logs_in_again() {
    // 20 emulated seconds = 2 real seconds: the bearer expires long before the first
    // refresh (10 s real), so a request gets 401 and the session logs in again.
    let emu = support::emulator_with(5, |c| c.world.session_ttl_ms = 20_000).await;
    let client = support::client(&emu, Format::Json);
    let report = support::run_echo(&emu, &client, 1, Duration::from_secs(40)).await;
    eprintln!("{} logins: {}", report.line(), report.logged_in);
    assert!(report.clean(), "{}", report.line());
    assert!(report.logged_in >= 2, "re-logged in: {}", report.logged_in);
    emu.shutdown().await;
}
