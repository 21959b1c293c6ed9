//! `lpchat/testing`: the in-process emulator (`lpchat-emulator`) for users' own test suites,
//! with the no-loss checks of `lpchat_emulator::check`. Settings, fault rules, quirks and
//! scenarios cross as the emulator's own JSON forms (those of its control API).

use std::collections::BTreeMap;
use std::sync::Mutex;

use lpchat_emulator::{check, Emulator as Emu, EmulatorConfig, FaultRule, Scenario};
use napi::bindgen_prelude::within_runtime_if_available;
use napi_derive::napi;
use serde_json::Value;

use crate::convert::request;
use crate::error::{BindingError, Result};

/// Start-up settings of an emulator (defaults: seed 0, time factor 10, rings that wait
/// 600 s and sessions that are never logged out for idleness, as the Rust e2e tests use).
#[napi(object)]
#[derive(Default)]
pub struct EmulatorOptions {
    /// Seed of every generated id and of fault probabilities.
    pub seed: Option<u32>,
    /// How many times faster than real time the emulated clock runs.
    pub time_factor: Option<f64>,
    /// Seconds a ringing chat waits before the agent is set Away.
    pub ring_timeout_s: Option<f64>,
    /// Seconds without a request before an agent session is logged out.
    pub agent_idle_timeout_s: Option<f64>,
    /// Lifetime of a login (bearer), emulated ms.
    pub session_ttl_ms: Option<f64>,
    /// Availability of an agent whose first session starts (`Online`).
    pub initial_availability: Option<String>,
    /// Quirks to start with (merged into the defaults, as `setQuirks`).
    #[napi(ts_type = "Record<string, unknown>")]
    pub quirks: Option<Value>,
}

/// Counts of a no-loss check.
#[napi(object)]
pub struct Tally {
    /// Items that had to arrive.
    pub expected: u32,
    /// Items that never arrived.
    pub lost: u32,
    /// Extra arrivals of items that arrived more than once.
    pub doubled: u32,
}

fn tally(t: check::Tally) -> Tally {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Tally {
        expected: n(t.expected),
        lost: n(t.lost),
        doubled: n(t.doubled),
    }
}

fn closed() -> BindingError {
    BindingError::new("LPCHAT_CLOSED", "the emulator is closed")
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A running emulator on a loopback port.
#[napi]
pub struct Emulator {
    inner: Mutex<Option<Emu>>,
    base_url: String,
    account: String,
}

impl Emulator {
    fn with<T>(&self, f: impl FnOnce(&Emu) -> T) -> Result<T> {
        let guard = self.inner.lock().map_err(|_| closed())?;
        guard.as_ref().map(f).ok_or_else(closed)
    }
}

#[napi]
impl Emulator {
    /// Starts an emulator on a free loopback port.
    #[napi(factory)]
    pub async fn start(options: Option<EmulatorOptions>) -> napi::Result<Emulator> {
        let o = options.unwrap_or_default();
        let mut config = EmulatorConfig {
            seed: u64::from(o.seed.unwrap_or(0)),
            time_factor: o.time_factor.unwrap_or(10.0),
            ring_timeout_s: o.ring_timeout_s.unwrap_or(600.0),
            agent_idle_timeout_s: o.agent_idle_timeout_s.unwrap_or(100_000.0),
            ..EmulatorConfig::default()
        };
        if !(config.time_factor.is_finite() && config.time_factor > 0.0) {
            return Err(BindingError::config("timeFactor must be a positive number").into());
        }
        if let Some(ttl) = o.session_ttl_ms {
            if !(ttl.is_finite() && ttl > 0.0) {
                return Err(BindingError::config("sessionTtlMs must be positive").into());
            }
            config.world.session_ttl_ms = ttl as u64;
        }
        if let Some(a) = o.initial_availability {
            config.initial_availability = a;
        }
        if let Some(q) = &o.quirks {
            config.quirks = config.quirks.merged(q).map_err(BindingError::config)?;
        }
        let emu = Emu::start(config)
            .await
            .map_err(|e| BindingError::config(format!("the emulator cannot start: {e}")))?;
        Ok(Emulator {
            base_url: emu.base_url(),
            account: emu.account(),
            inner: Mutex::new(Some(emu)),
        })
    }

    /// `http://127.0.0.1:PORT`: the Domain API origin to give a client.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The account id.
    #[napi(getter)]
    pub fn account(&self) -> String {
        self.account.clone()
    }

    /// Emulated now, ms since the epoch.
    #[napi]
    pub fn now_ms(&self) -> napi::Result<f64> {
        Ok(self.with(|e| e.now_ms() as f64)?)
    }

    /// Adds a fault rule (`{route, method?, type: "status"|"latency"|"drop"|"truncate"|
    /// "repeatEvents", status?, retryAfter?, ms?, count?, probability?}`); returns its id.
    #[napi(ts_args_type = "rule: FaultRule")]
    pub fn add_fault(&self, rule: Value) -> napi::Result<u32> {
        let rule: FaultRule = request("fault rule", rule)?;
        let id = self
            .with(|e| e.add_fault(rule))?
            .map_err(BindingError::config)?;
        Ok(u32::try_from(id).unwrap_or(u32::MAX))
    }

    /// Adds the soak's default fault mix (5xx, 429, drops, truncations, repeated events on
    /// every agent-session route); returns the rules' ids.
    #[napi]
    pub fn add_default_faults(&self) -> napi::Result<Vec<u32>> {
        let mut ids = Vec::new();
        for rule in lpchat_emulator::faults::default_mix() {
            let id = self
                .with(|e| e.add_fault(rule))?
                .map_err(BindingError::config)?;
            ids.push(u32::try_from(id).unwrap_or(u32::MAX));
        }
        Ok(ids)
    }

    /// Removes one fault rule; false when there was none with this id.
    #[napi]
    pub fn remove_fault(&self, id: u32) -> napi::Result<bool> {
        Ok(self.with(|e| e.remove_fault(u64::from(id)))?)
    }

    /// Removes every fault rule.
    #[napi]
    pub fn clear_faults(&self) -> napi::Result<()> {
        Ok(self.with(|e| e.clear_faults())?)
    }

    /// The fault rules in force, with their firing counts.
    #[napi(ts_return_type = "FaultRule[]")]
    pub fn faults(&self) -> napi::Result<Value> {
        Ok(self.with(|e| to_json(&e.faults()))?)
    }

    /// The quirks in force.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn quirks(&self) -> napi::Result<Value> {
        Ok(self.with(|e| to_json(&e.quirks()))?)
    }

    /// Merges a partial quirks object into the quirks in force (`null` resets a setting).
    #[napi(ts_args_type = "patch: Record<string, unknown>")]
    pub fn set_quirks(&self, patch: Value) -> napi::Result<()> {
        self.with(|e| e.quirks().merged(&patch).map(|q| e.set_quirks(q)))?
            .map_err(BindingError::config)?;
        Ok(())
    }

    /// Expires every live login now: its bearer is refused from the next request on.
    #[napi]
    pub fn expire_logins(&self) -> napi::Result<()> {
        Ok(self.with(|e| e.expire_logins())?)
    }

    /// Transcripts of every chat in creation order: the ground truth of no-loss checks.
    #[napi(ts_return_type = "Transcript[]")]
    pub fn transcripts(&self) -> napi::Result<Value> {
        Ok(self.with(|e| to_json(&e.transcripts()))?)
    }

    /// The transcript of one chat, `null` for an unknown chat.
    #[napi(ts_return_type = "Transcript | null")]
    pub fn transcript(&self, chat: String) -> napi::Result<Value> {
        Ok(self.with(|e| to_json(&e.transcript(&chat)))?)
    }

    /// The state snapshot of the control API (`/_emulator/state`).
    #[napi(ts_return_type = "Record<string, any>")]
    pub fn state(&self) -> napi::Result<Value> {
        Ok(self.with(|e| e.state())?)
    }

    /// Starts scripted visitors (`{visitors, skill?, lines, paceMs, startIntervalMs,
    /// waitForAnswer, answerTimeoutMs, end, …}`, emulated ms).
    #[napi(ts_args_type = "scenario: Scenario")]
    pub fn run_visitors(&self, scenario: Value) -> napi::Result<VisitorGroup> {
        let scenario: Scenario = request("scenario", scenario)?;
        scenario.validate().map_err(BindingError::config)?;
        // The visitors are tokio tasks: spawn them on napi's runtime.
        let group = self.with(|e| within_runtime_if_available(|| e.run_visitors(scenario)))?;
        Ok(VisitorGroup {
            inner: tokio::sync::Mutex::new(Some(group)),
        })
    }

    /// What every scripted visitor sent and received so far.
    #[napi(ts_return_type = "VisitorRecord[]")]
    pub fn visitor_records(&self) -> napi::Result<Value> {
        Ok(self.with(|e| to_json(&e.visitor_records()))?)
    }

    /// Every transcript event against what the sessions delivered (per session: chat id to
    /// event ids in delivery order, ids as strings or numbers).
    #[napi(ts_args_type = "delivered: Record<string, Array<string | number>>[]")]
    pub fn check_events(&self, delivered: Vec<Value>) -> napi::Result<Tally> {
        let sessions = delivered
            .into_iter()
            .map(delivered_ids)
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&check::Delivered> = sessions.iter().collect();
        Ok(self.with(|e| tally(check::events(&e.transcripts(), &refs)))?)
    }

    /// Every line a bot sent (`[chatId, text]` pairs) against the transcripts: lost when
    /// missing from a chat whose visitor completed, doubled when there more than once.
    #[napi(ts_args_type = "sent: Array<[string, string]>")]
    pub fn check_sent_lines(&self, sent: Vec<Vec<String>>) -> napi::Result<Tally> {
        let pairs = sent
            .into_iter()
            .map(|p| match <[String; 2]>::try_from(p) {
                Ok([chat, text]) => Ok((chat, text)),
                Err(_) => Err(BindingError::config("each sent line is [chatId, text]")),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self.with(|e| tally(check::sent_lines(&e.transcripts(), &pairs)))?)
    }

    /// Every line the scripted visitors sent against what the sessions delivered.
    #[napi(ts_args_type = "delivered: Record<string, Array<string | number>>[]")]
    pub fn check_visitor_lines(&self, delivered: Vec<Value>) -> napi::Result<Tally> {
        let sessions = delivered
            .into_iter()
            .map(delivered_ids)
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&check::Delivered> = sessions.iter().collect();
        Ok(self.with(|e| tally(check::visitor_lines(&e.transcripts(), &refs)))?)
    }

    /// Stops serving (open connections close within a second). Idempotent.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        let emu = self.inner.lock().ok().and_then(|mut g| g.take());
        if let Some(emu) = emu {
            emu.shutdown().await;
        }
        Ok(())
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.lock().map_or(true, |g| g.is_none())
    }
}

/// Where a cursor token stands for one chat: the last event id delivered, `null` when the
/// token does not know the chat (for resume tests: what a session resumed from the token
/// must deliver next).
#[napi]
pub fn token_position(token: String, chat: String) -> napi::Result<Option<String>> {
    let set = lpchat::proto::CursorSet::from_token(&token)
        .map_err(|e| BindingError::config(format!("invalid cursor token: {e}")))?;
    Ok(set
        .get(&lpchat::ChatId::from(chat.as_str()))
        .and_then(|c| c.last_delivered())
        .map(|id| id.0.to_string()))
}

fn delivered_ids(v: Value) -> Result<check::Delivered> {
    let bad = || BindingError::config("delivered is {chatId: [eventId, …]}");
    let Value::Object(map) = v else {
        return Err(bad());
    };
    let mut out = BTreeMap::new();
    for (chat, ids) in map {
        let Value::Array(ids) = ids else {
            return Err(bad());
        };
        let ids = ids
            .iter()
            .map(|id| match id {
                Value::Number(n) => n.as_u64().ok_or_else(bad),
                Value::String(s) => s.parse::<u64>().map_err(|_| bad()),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>>>()?;
        out.insert(chat, ids);
    }
    Ok(out)
}

/// A group of scripted visitors.
#[napi]
pub struct VisitorGroup {
    inner: tokio::sync::Mutex<Option<lpchat_emulator::simulator::VisitorGroup>>,
}

#[napi]
impl VisitorGroup {
    /// Resolves when every visitor of the group has finished.
    #[napi]
    pub async fn wait(&self) -> napi::Result<()> {
        let group = self.inner.lock().await.take();
        if let Some(g) = group {
            g.wait().await;
        }
        Ok(())
    }

    /// Stops the visitors.
    #[napi]
    pub fn abort(&self) {
        if let Ok(guard) = self.inner.try_lock() {
            if let Some(g) = guard.as_ref() {
                g.abort();
            }
        }
    }
}
