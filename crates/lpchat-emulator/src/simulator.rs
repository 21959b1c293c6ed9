//! Scripted visitors: tasks inside the emulator that request chats, say lines, wait for
//! answers and end, driving the same engine operations as the visitor API. What each one
//! sent and received is recorded for no-loss checks.

use crate::app::{lock, App};
use crate::engine::{ChatRequest, ChatState, EventKind, LineInput, Source};
use crate::ids::IdGen;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A script for a group of visitors. Durations are emulated milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Scenario {
    /// How many visitors.
    pub visitors: usize,
    /// Skill name to request (any agent when absent).
    pub skill: Option<String>,
    /// Lines each visitor says, in order.
    pub lines: Vec<String>,
    /// Pause between a visitor's lines.
    pub pace_ms: u64,
    /// Pause between visitor starts.
    pub start_interval_ms: u64,
    /// Random extra pause, as a fraction of each pause (0.0-1.0), seeded.
    pub jitter: f64,
    /// Wait for an agent line after each visitor line (and for the accept before the first).
    pub wait_for_answer: bool,
    /// Give up waiting after this long; the visitor then ends its chat.
    pub answer_timeout_ms: u64,
    /// End the chat after the last line (otherwise leave it open).
    pub end: bool,
    /// Visitor names are `<prefix><n>`.
    pub name_prefix: String,
    /// Seed of the jitter (the emulator's seed when absent).
    pub seed: Option<u64>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            visitors: 1,
            skill: Some("Sales".into()),
            lines: vec![
                "Hello".into(),
                "I have a question about my order.".into(),
                "Thanks, bye".into(),
            ],
            pace_ms: 2_000,
            start_interval_ms: 1_000,
            jitter: 0.0,
            wait_for_answer: true,
            answer_timeout_ms: 120_000,
            end: true,
            name_prefix: "visitor".into(),
            seed: None,
        }
    }
}

impl Scenario {
    /// Largest number of visitors one scenario may start.
    pub const MAX_VISITORS: usize = 10_000;

    /// Reads a scenario from JSON (one object, fields as in `docs/emulator.md`).
    pub fn from_json(text: &str) -> Result<Scenario, String> {
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    /// Refuses scenarios that would exhaust the process (one task per visitor).
    pub fn validate(&self) -> Result<(), String> {
        if self.visitors > Self::MAX_VISITORS {
            return Err(format!(
                "at most {} visitors per scenario",
                Self::MAX_VISITORS
            ));
        }
        if !self.jitter.is_finite() {
            return Err("jitter must be a finite number".into());
        }
        Ok(())
    }
}

/// A line a scripted visitor sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentLine {
    /// Event id the line got.
    pub event_id: u64,
    /// Text.
    pub text: String,
}

/// An event a scripted visitor saw (everything visible to it but its own lines).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// Event id.
    pub event_id: u64,
    /// `line` or `state`.
    pub kind: String,
    /// Line text or state name.
    pub text: String,
    /// Line author (`by`), empty for states.
    pub by: String,
}

/// The record of one scripted visitor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorRecord {
    /// Visitor name.
    pub name: String,
    /// Chat id once requested.
    pub chat_id: Option<String>,
    /// Lines sent.
    pub sent: Vec<SentLine>,
    /// Events received.
    pub received: Vec<Received>,
    /// `running`, `completed`, `ended-by-agent`, `timeout`, `failed: …`.
    pub outcome: String,
}

/// A running group of scripted visitors.
#[derive(Debug)]
pub struct VisitorGroup {
    tasks: Vec<JoinHandle<()>>,
    /// Indexes of this group's records in the emulator's visitor list.
    pub records: Vec<usize>,
}

impl VisitorGroup {
    /// Waits until every visitor of the group has finished.
    pub async fn wait(self) {
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Stops the group's visitors (their chats stay as they are).
    pub fn abort(&self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Starts the visitors of `scenario`.
pub fn start(app: &Arc<App>, scenario: Scenario) -> VisitorGroup {
    let mut rng = IdGen::new(scenario.seed.unwrap_or(app.seed) ^ 0x0517_0000);
    let mut tasks = Vec::new();
    let mut records = Vec::new();
    let scenario = Arc::new(scenario);
    for n in 0..scenario.visitors {
        let name = format!("{}{}", scenario.name_prefix, n + 1);
        let index = {
            let mut v = lock(&app.visitors);
            v.push(VisitorRecord {
                name: name.clone(),
                chat_id: None,
                sent: Vec::new(),
                received: Vec::new(),
                outcome: "running".into(),
            });
            v.len() - 1
        };
        records.push(index);
        let jitter = |rng: &mut IdGen, base: u64| {
            base as f64 * (1.0 + scenario.jitter.clamp(0.0, 1.0) * rng.unit())
        };
        let start_delay = scenario.start_interval_ms as f64 * n as f64 + jitter(&mut rng, 0);
        let pauses: Vec<f64> = scenario
            .lines
            .iter()
            .map(|_| jitter(&mut rng, scenario.pace_ms))
            .collect();
        let app = Arc::clone(app);
        let sc = Arc::clone(&scenario);
        tasks.push(tokio::spawn(async move {
            app.clock.sleep(start_delay).await;
            let outcome = run_one(&app, &sc, index, name, &pauses).await;
            if let Some(r) = lock(&app.visitors).get_mut(index) {
                r.outcome = outcome;
            }
        }));
    }
    VisitorGroup { tasks, records }
}

/// Polling period while waiting: 20 ms of real time, whatever the time factor.
fn poll_ms(app: &App) -> f64 {
    20.0 * app.clock.factor()
}

/// Records newly visible events; returns (agent lines seen so far, chat state).
fn observe(app: &App, index: usize, chat_id: &str, seen: &mut u64) -> Option<(usize, ChatState)> {
    let now = app.now();
    let mut st = app.state();
    let chat = st.visitor_touch(now, chat_id).ok()?;
    let state = chat.state;
    let mut fresh = Vec::new();
    for e in chat
        .events
        .iter()
        .skip(usize::try_from(*seen).unwrap_or(usize::MAX))
    {
        *seen = e.id + 1;
        if !e.visible_to_visitor() {
            continue;
        }
        match &e.kind {
            EventKind::Line(l) if l.source == Source::Visitor => {}
            EventKind::Line(l) => fresh.push(Received {
                event_id: e.id,
                kind: "line".into(),
                text: l.text.clone(),
                by: l.by.clone(),
            }),
            EventKind::State { state } => fresh.push(Received {
                event_id: e.id,
                kind: "state".into(),
                text: state.as_str().into(),
                by: String::new(),
            }),
        }
    }
    drop(st);
    let mut v = lock(&app.visitors);
    let rec = v.get_mut(index)?;
    rec.received.extend(fresh);
    let agent_lines = rec
        .received
        .iter()
        .filter(|r| r.kind == "line" && !r.by.is_empty() && r.by != "info")
        .count();
    Some((agent_lines, state))
}

async fn wait_until(
    app: &App,
    sc: &Scenario,
    index: usize,
    chat_id: &str,
    seen: &mut u64,
    done: impl Fn(usize, ChatState) -> bool,
) -> Result<(), &'static str> {
    let deadline = app
        .now()
        .saturating_add(i64::try_from(sc.answer_timeout_ms).unwrap_or(i64::MAX));
    loop {
        let Some((lines, state)) = observe(app, index, chat_id, seen) else {
            return Err("chat vanished");
        };
        if done(lines, state) {
            return Ok(());
        }
        if state == ChatState::Ended {
            return Err("ended-by-agent");
        }
        if app.now() > deadline {
            return Err("timeout");
        }
        app.clock.sleep(poll_ms(app)).await;
    }
}

async fn run_one(app: &App, sc: &Scenario, index: usize, name: String, pauses: &[f64]) -> String {
    let req = ChatRequest {
        skill: sc.skill.clone(),
        visitor_name: Some(name),
        ..ChatRequest::default()
    };
    let created = app.state().request_chat(app.now(), req);
    let chat_id = match created {
        Ok(id) => id,
        Err(e) => return format!("failed: {}", e.message),
    };
    if let Some(r) = lock(&app.visitors).get_mut(index) {
        r.chat_id = Some(chat_id.clone());
    }
    let mut seen = 0u64;
    if sc.wait_for_answer {
        if let Err(why) = wait_until(app, sc, index, &chat_id, &mut seen, |_, s| {
            s == ChatState::Chatting
        })
        .await
        {
            return end_after(app, &chat_id, why);
        }
    }
    for (i, text) in sc.lines.iter().enumerate() {
        if i > 0 {
            app.clock.sleep(pauses.get(i).copied().unwrap_or(0.0)).await;
        }
        let before = observe(app, index, &chat_id, &mut seen)
            .map(|(n, _)| n)
            .unwrap_or(0);
        let sent = app.state().visitor_line(
            app.now(),
            &chat_id,
            LineInput {
                text: text.clone(),
                ..LineInput::default()
            },
        );
        match sent {
            Ok(id) => {
                if let Some(r) = lock(&app.visitors).get_mut(index) {
                    r.sent.push(SentLine {
                        event_id: id,
                        text: text.clone(),
                    });
                }
            }
            Err(_) => return "ended-by-agent".into(),
        }
        if sc.wait_for_answer {
            if let Err(why) =
                wait_until(app, sc, index, &chat_id, &mut seen, |n, _| n > before).await
            {
                return end_after(app, &chat_id, why);
            }
        }
    }
    if sc.end {
        let _ = app.state().visitor_end(app.now(), &chat_id);
    }
    observe(app, index, &chat_id, &mut seen);
    "completed".into()
}

fn end_after(app: &App, chat_id: &str, why: &str) -> String {
    if why == "timeout" {
        let _ = app.state().visitor_end(app.now(), chat_id);
    }
    why.to_owned()
}
