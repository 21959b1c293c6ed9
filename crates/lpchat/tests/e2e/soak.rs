//! A short soak: 6 chats under the default fault mix with a bearer that expires; zero
//! lost and zero duplicated.

use crate::support;

use std::time::Duration;

use lpchat::Format;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_soak_loses_and_repeats_nothing() {
    let emu = support::emulator_with(12, |c| c.world.session_ttl_ms = 60_000).await;
    support::default_faults(&emu);
    let client = support::client(&emu, Format::Json);
    let report =
        support::run_echo_as(&emu, &client, support::bot(), 6, Duration::from_secs(55)).await;
    eprintln!("{}", report.line());
    assert!(report.clean(), "{}", report.line());
    assert_eq!(report.chats, 6);
    emu.shutdown().await;
}
