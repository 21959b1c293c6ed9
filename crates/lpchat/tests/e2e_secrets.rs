//! Every log line of a full run (login, session, chat, lines, close, at TRACE level) is
//! free of the password, the bearer, the csrf and the cookies.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lpchat::{Credentials, Format, UserPassword};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const PASSWORD: &str = "pw-Zq81-unique-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_log_line() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Global: the session's task runs on other worker threads (one test in this binary).
    tracing::subscriber::set_global_default(subscriber).expect("subscriber");

    let emu = support::emulator_with(6, |c| {
        if let Some(agent) = c.world.agents.iter_mut().find(|a| a.login_name == "agent1") {
            agent.password = Some(PASSWORD.into());
        }
    })
    .await;
    let client = support::client(&emu, Format::Json);
    let creds = Credentials::User(UserPassword::new("agent1", PASSWORD));
    let report = support::run_echo_as(&emu, &client, creds, 1, Duration::from_secs(40)).await;
    assert!(report.clean(), "{}", report.line());
    emu.shutdown().await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 20, "the run logged: {logs}");
    assert!(logs.contains("lpchat::agent"), "the client logged");
    for needle in [
        PASSWORD,
        "Bearer ",
        "Session_id=",
        "LPAgentSession",
        "\"csrf\":\"",
        "bearer\":\"",
    ] {
        assert!(!logs.contains(needle), "{needle:?} found in logs");
    }
}
