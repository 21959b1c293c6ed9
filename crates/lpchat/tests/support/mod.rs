//! An echo bot run against an embedded emulator, and its comparison with the emulator's
//! transcripts: what the client delivered against what the server has, what visitors got
//! against what the bot sent.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use lpchat::proto::model::chat::Source;
use lpchat::proto::retry::{OuterLoop, RetryPolicy};
use lpchat::{Client, Credentials, Format, MachineEvent, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario};

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

pub fn client(emu: &Emulator, format: Format) -> Client {
    Client::builder(emu.account())
        .domain_origin(emu.base_url())
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
                        sends.spawn(async move { s.send_line(&chat, &text).await });
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
    session.close().await.expect("close");
    let mut report = compare(emu, &delivered, &sent);
    report.logged_in = logged_in;
    report.elapsed = started.elapsed();
    report
}

pub fn compare(
    emu: &Emulator,
    delivered: &BTreeMap<String, Vec<u64>>,
    sent: &[(String, String)],
) -> Report {
    let mut r = Report::default();
    let transcripts = emu.transcripts();
    r.chats = transcripts.len();
    for t in &transcripts {
        let got = delivered.get(&t.chat_id).cloned().unwrap_or_default();
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for id in &got {
            *counts.entry(*id).or_default() += 1;
        }
        r.events_delivered += got.len();
        r.events_duplicated += counts.values().map(|c| c - 1).sum::<usize>();
        r.events_lost += t
            .events
            .iter()
            .filter(|e| !counts.contains_key(&e.event.id))
            .count();
    }
    // Lines: each sent text is in its chat's transcript exactly once, unless the chat ended
    // before it went (then it must not be there at all).
    for (chat, text) in sent {
        r.lines_sent += 1;
        let t = transcripts.iter().find(|t| &t.chat_id == chat);
        let n = t.map_or(0, |t| {
            serde_json::to_value(&t.events)
                .ok()
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter(|e| e.get("text").and_then(|x| x.as_str()) == Some(text.as_str()))
                .count()
        });
        let chat_ended_first = t.is_some_and(|t| {
            // the echo's question was the last visitor line and the visitor ended right after
            serde_json::to_value(&t.events).is_ok()
                && n == 0
                && t.visitor.as_ref().is_some_and(|v| v.outcome != "completed")
        });
        match n {
            0 if chat_ended_first => {}
            0 => r.lines_lost += 1,
            1 => {}
            k => r.lines_duplicated += k - 1,
        }
    }
    r
}

/// The soak's default fault mix: 5xx, 429 with `Retry-After`, dropped connections,
/// truncated bodies and repeated events on every agent-session route.
pub fn default_faults(emu: &Emulator) {
    use lpchat_emulator::{FaultKind, FaultRule};
    let rules = [
        FaultRule::new(
            "*/agentSession/*",
            FaultKind::Status {
                status: 503,
                retry_after: None,
            },
        )
        .with_probability(0.05),
        FaultRule::new(
            "*/agentSession/*",
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
        )
        .with_probability(0.02),
        FaultRule::new(
            "*/agentSession/*",
            FaultKind::Status {
                status: 429,
                retry_after: Some(1),
            },
        )
        .with_probability(0.03),
        FaultRule::new("*/agentSession/*", FaultKind::Drop).with_probability(0.03),
        FaultRule::new("*/agentSession/*", FaultKind::Truncate).with_probability(0.03),
        FaultRule::new(
            "*/agentSession/*/chat*",
            FaultKind::RepeatEvents { count: 3 },
        )
        .with_probability(0.3)
        .on_method("GET"),
    ];
    for rule in rules {
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
