//! End-to-end: the echo bot against the emulator over loopback, JSON and XML.

use crate::support;

use std::time::Duration;

use lpchat::Format;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_json_delivers_every_event_once() {
    let emu = support::emulator(1).await;
    let client = support::client(&emu, Format::Json);
    let report = support::run_echo(&emu, &client, 2, Duration::from_secs(40)).await;
    eprintln!("{}", report.line());
    assert!(report.clean(), "{}", report.line());
    assert_eq!(report.chats, 2);
    assert!(report.lines_sent >= 4, "{}", report.line());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_xml_delivers_every_event_once() {
    let emu = support::emulator(2).await;
    let client = support::client(&emu, Format::Xml);
    let report = support::run_echo(&emu, &client, 2, Duration::from_secs(40)).await;
    eprintln!("{}", report.line());
    assert!(report.clean(), "{}", report.line());
    assert!(report.lines_sent >= 4, "{}", report.line());
    emu.shutdown().await;
}
