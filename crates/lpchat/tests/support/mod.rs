//! An echo bot run against an embedded emulator, and its comparison with the emulator's
//! transcripts: what the client delivered against what the server has, what visitors got
//! against what the bot sent.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use lpchat::proto::model::chat::Source;
use lpchat::proto::retry::{OuterLoop, RetryPolicy};
use lpchat::{
    AgentSession, ChatId, Client, CommandFailure, Credentials, Error, Format, MachineEvent,
    TransportConfig, UserPassword,
};
use lpchat_emulator::{check, Emulator, EmulatorConfig, Scenario};

/// Faster than real time, slow enough that a 2 s poll accepts before the ring timeout.
pub const TIME_FACTOR: f64 = 10.0;

pub async fn emulator(seed: u64) -> Emulator {
    emulator_with(seed, |_| {}).await
}

pub async fn emulator_with(seed: u64, tweak: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        time_factor: TIME_FACTOR,
        seed,
        ring_timeout_s: 600.0,
        agent_idle_timeout_s: 100_000.0,
        // `LPCHAT_E2E_TLS=1` runs every test of the suite over the emulator's TLS.
        tls: tls_from_env(),
        ..Default::default()
    };
    tweak(&mut config);
    Emulator::start(config).await.expect("emulator starts")
}

/// A retry schedule short enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_schedule(vec![
            Duration::from_millis(100),
            Duration::from_millis(200),
            Duration::from_millis(400),
        ])
        .with_outer(OuterLoop::Fixed(Duration::from_millis(500)))
        .with_max_retry_after(Duration::from_secs(1))
}

/// Whether `LPCHAT_E2E_TLS=1` asks for the whole suite over TLS.
pub fn tls_from_env() -> bool {
    std::env::var("LPCHAT_E2E_TLS").is_ok_and(|v| v == "1")
}

/// A client builder for `emu`: its Domain API, and under TLS its certificate as the one
/// extra root (nothing else is relaxed).
pub fn builder(emu: &Emulator) -> lpchat::ClientBuilder {
    let mut b = Client::builder(emu.account()).domain_origin(emu.base_url());
    if let Some(pem) = emu.cert_pem() {
        let mut t = TransportConfig::default();
        t.extra_roots = vec![pem.as_bytes().to_vec()];
        b = b.transport(t);
    }
    b
}

pub fn client(emu: &Emulator, format: Format) -> Client {
    builder(emu)
        .format(format)
        .retry(fast_retry())
        .seed(7)
        .build()
        .expect("client builds")
}

pub fn agent1() -> Credentials {
    Credentials::User(UserPassword::new("agent1", "password"))
}

#[derive(Debug, Default)]
pub struct Report {
    pub events_delivered: usize,
    pub events_lost: usize,
    pub events_duplicated: usize,
    pub lines_sent: usize,
    pub lines_lost: usize,
    pub lines_duplicated: usize,
    pub chats: usize,
    pub logged_in: usize,
    pub retried: u64,
    pub elapsed: Duration,
}

impl Report {
    pub fn line(&self) -> String {
        format!(
            "events: {} delivered, {} lost, {} duplicated; lines: {} sent, {} lost, {} duplicated ({} chats, {:.1} s)",
            self.events_delivered,
            self.events_lost,
            self.events_duplicated,
            self.lines_sent,
            self.lines_lost,
            self.lines_duplicated,
            self.chats,
            self.elapsed.as_secs_f64()
        )
    }

    pub fn clean(&self) -> bool {
        self.events_lost == 0
            && self.events_duplicated == 0
            && self.lines_lost == 0
            && self.lines_duplicated == 0
    }
}

/// Runs an echo bot (agent1, auto-accept) while `visitors` scripted visitors chat, until
/// every chat ended; then compares with the transcripts.
pub async fn run_echo(
    emu: &Emulator,
    client: &Client,
    visitors: usize,
    deadline: Duration,
) -> Report {
    run_echo_as(emu, client, agent1(), visitors, deadline).await
}

pub async fn run_echo_as(
    emu: &Emulator,
    client: &Client,
    credentials: Credentials,
    visitors: usize,
    deadline: Duration,
) -> Report {
    let started = Instant::now();
    let config = client
        .agent_config(credentials)
        .await
        .expect("domain lookup")
        .with_auto_accept(true);
    let session = client.start_agent(config);
    let mut events = session.events().expect("stream");
    let group = emu.run_visitors(Scenario {
        visitors,
        lines: vec!["hello".into(), "bye".into()],
        pace_ms: 500,
        start_interval_ms: 300,
        // Queued visitors wait for their accept however long the bot takes.
        answer_timeout_ms: 3_000_000,
        ..Default::default()
    });
    let mut delivered: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut sent: Vec<(String, String)> = Vec::new();
    let mut ended = 0;
    let mut logged_in = 0;
    let mut sends = tokio::task::JoinSet::new();
    let until = tokio::time::Instant::now() + deadline;
    while ended < visitors {
        let event = match tokio::time::timeout_at(until, events.next()).await {
            Ok(Some(e)) => e,
            Ok(None) => panic!("session finished early"),
            Err(_) => panic!(
                "deadline: {ended} of {visitors} chats ended; delivered {delivered:?}; state {}; visitors {:?}",
                emu.state(),
                emu.visitor_records()
            ),
        };
        match event {
            MachineEvent::ChatEvent { chat, event } => {
                delivered
                    .entry(chat.as_str().to_owned())
                    .or_default()
                    .push(event.id.0);
                if let Some(line) = event.line() {
                    if line.source == Some(Source::Visitor) {
                        let text = format!("echo: {} #{}", line.text, event.id.0);
                        sent.push((chat.as_str().to_owned(), text.clone()));
                        let s = session.clone();
                        sends.spawn(async move { send_line(&s, &chat, &text).await });
                    }
                }
            }
            MachineEvent::ChatEnded { .. } => ended += 1,
            MachineEvent::LoggedIn => logged_in += 1,
            _ => {}
        }
    }
    while let Some(r) = sends.join_next().await {
        // A line to a chat the visitor already ended may be refused; that is not a loss.
        let _ = r.expect("send task");
    }
    group.wait().await;
    let retried = session.stats().retried;
    session.close().await.expect("close");
    let mut report = compare(emu, &delivered, &sent);
    report.logged_in = logged_in;
    report.retried = retried;
    report.elapsed = started.elapsed();
    report
}

/// How many times a bot sends a line whose retries ran out.
const SENDS_PER_LINE: u32 = 3;

/// Sends a line again when the client says it certainly did not happen (`GaveUp`), never
/// when its outcome is unknown: the rule of `lpchat demo`'s bot (`demo/bot.rs`), and why a
/// soak needs it, in docs/reliability.md ("A line is in the chat exactly once").
pub async fn send_line(session: &AgentSession, chat: &ChatId, text: &str) -> Result<(), Error> {
    let mut sends = 0;
    loop {
        sends += 1;
        match session.send_line(chat, text).await {
            Err(Error::Command(CommandFailure::GaveUp)) if sends < SENDS_PER_LINE => continue,
            other => return other.map(|_| ()),
        }
    }
}

pub fn compare(
    emu: &Emulator,
    delivered: &BTreeMap<String, Vec<u64>>,
    sent: &[(String, String)],
) -> Report {
    let transcripts = emu.transcripts();
    let events = check::events(&transcripts, &[delivered]);
    let lines = check::sent_lines(&transcripts, sent);
    Report {
        events_delivered: delivered.values().map(Vec::len).sum(),
        events_lost: events.lost,
        events_duplicated: events.doubled,
        lines_sent: sent.len(),
        lines_lost: lines.lost,
        lines_duplicated: lines.doubled,
        chats: transcripts.len(),
        ..Report::default()
    }
}

/// The soak's default fault mix: 5xx, 429 with `Retry-After`, dropped connections,
/// truncated bodies and repeated events on every agent-session route.
pub fn default_faults(emu: &Emulator) {
    for rule in lpchat_emulator::faults::default_mix() {
        emu.add_fault(rule).expect("fault");
    }
}

/// The emulator's API-key bot (unlimited chats; requests OAuth-signed).
pub fn bot() -> Credentials {
    Credentials::ApiKey {
        username: "bot".into(),
        key: lpchat::ApiKey::new(
            "emulatorbotappkey0000000000000001",
            "emulatorbotsecret01",
            "emulatorbotaccesstoken00000000001",
            "emulatorbottokensecret01",
        ),
    }
}
