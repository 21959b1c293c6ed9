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

/// The echo flow over the emulator's TLS, trusting only its generated certificate.
async fn echo_over_tls(seed: u64, format: Format) {
    let emu = support::emulator_with(seed, |c| c.tls = true).await;
    assert!(emu.base_url().starts_with("https://"), "{}", emu.base_url());
    let client = support::client(&emu, format);
    let report = support::run_echo(&emu, &client, 1, Duration::from_secs(40)).await;
    eprintln!("{}", report.line());
    assert!(report.clean(), "{}", report.line());
    assert_eq!(report.chats, 1);
    assert!(report.lines_sent >= 2, "{}", report.line());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_over_tls_json() {
    echo_over_tls(3, Format::Json).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_bot_over_tls_xml() {
    echo_over_tls(4, Format::Xml).await;
}
