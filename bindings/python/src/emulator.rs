//! The in-process emulator for `lpchat.testing`: `lpchat_emulator::Emulator` on the binding's
//! runtime. Settings (world, quirks, faults, scenarios) cross as JSON text, in the shapes
//! of docs/emulator.md, so the Python side passes plain dicts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use lpchat_emulator::{check, Emulator, EmulatorConfig, FaultRule, Quirks, Scenario, World};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::error::config;
use crate::runtime::{runtime, wait};

fn json_err(what: &str) -> impl Fn(serde_json::Error) -> PyErr + '_ {
    move |e| config(format!("invalid {what}: {e}"))
}

/// A running emulator. Use `lpchat.testing.Emulator` (a context manager over this).
#[pyclass(frozen, module = "lpchat._lpchat")]
pub struct NativeEmulator {
    emu: Mutex<Option<Emulator>>,
    groups: Mutex<Vec<Option<lpchat_emulator::simulator::VisitorGroup>>>,
}

impl NativeEmulator {
    fn with<T>(&self, f: impl FnOnce(&Emulator) -> PyResult<T>) -> PyResult<T> {
        crate::runtime::check_not_forked()?;
        let guard = self.emu.lock().map_err(|_| config("emulator poisoned"))?;
        match guard.as_ref() {
            Some(emu) => f(emu),
            None => Err(config("the emulator was stopped")),
        }
    }
}

fn tally(py: Python<'_>, t: check::Tally) -> PyResult<Py<PyAny>> {
    let d = pyo3::types::PyDict::new(py);
    d.set_item("expected", t.expected)?;
    d.set_item("lost", t.lost)?;
    d.set_item("doubled", t.doubled)?;
    d.into_py_any(py)
}

#[pymethods]
impl NativeEmulator {
    /// Starts an emulator on a free loopback port.
    #[new]
    #[pyo3(signature = (*, seed = 0, time_factor = 10.0, world = None, quirks = None, ring_timeout_s = 600.0, agent_idle_timeout_s = 100000.0, initial_availability = "Online".to_owned(), port = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        seed: u64,
        time_factor: f64,
        world: Option<String>,
        quirks: Option<String>,
        ring_timeout_s: f64,
        agent_idle_timeout_s: f64,
        initial_availability: String,
        port: u16,
    ) -> PyResult<Self> {
        if !(time_factor.is_finite() && time_factor > 0.0) {
            return Err(config("time_factor must be a positive number"));
        }
        let mut cfg = EmulatorConfig {
            seed,
            time_factor,
            ring_timeout_s,
            agent_idle_timeout_s,
            initial_availability,
            port,
            ..EmulatorConfig::default()
        };
        if let Some(w) = world {
            cfg.world = World::from_json(&w).map_err(config)?;
        }
        if let Some(q) = quirks {
            cfg.quirks = serde_json::from_str::<Quirks>(&q).map_err(json_err("quirks"))?;
        }
        runtime()?;
        let emu = wait(py, Emulator::start(cfg))?
            .map_err(|e| config(format!("the emulator cannot start: {e}")))?;
        Ok(NativeEmulator {
            emu: Mutex::new(Some(emu)),
            groups: Mutex::new(Vec::new()),
        })
    }

    /// The default world (docs/emulator.md) as JSON, to tweak and pass as `world`. Its
    /// credentials are the emulator's fixed, documented test ones.
    #[staticmethod]
    fn default_world_json() -> PyResult<String> {
        serde_json::to_string(&World::default()).map_err(json_err("world"))
    }

    /// `http://127.0.0.1:PORT`.
    #[getter]
    fn base_url(&self) -> PyResult<String> {
        self.with(|e| Ok(e.base_url()))
    }

    /// The account id.
    #[getter]
    fn account(&self) -> PyResult<String> {
        self.with(|e| Ok(e.account()))
    }

    /// The bound port.
    #[getter]
    fn port(&self) -> PyResult<u16> {
        self.with(|e| Ok(e.addr().port()))
    }

    /// The quirks in force, as JSON.
    fn quirks_json(&self) -> PyResult<String> {
        self.with(|e| serde_json::to_string(&e.quirks()).map_err(json_err("quirks")))
    }

    /// Replaces the quirks (JSON of the whole `Quirks`).
    fn set_quirks_json(&self, quirks: &str) -> PyResult<()> {
        let q: Quirks = serde_json::from_str(quirks).map_err(json_err("quirks"))?;
        self.with(|e| {
            e.set_quirks(q);
            Ok(())
        })
    }

    /// Adds a fault rule (JSON, docs/emulator.md); returns its id.
    fn add_fault_json(&self, rule: &str) -> PyResult<u64> {
        let r: FaultRule = serde_json::from_str(rule).map_err(json_err("fault rule"))?;
        self.with(|e| e.add_fault(r).map_err(config))
    }

    /// Adds the soak's default fault mix (5xx, 429, drops, truncation, repeated events).
    fn add_default_faults(&self) -> PyResult<Vec<u64>> {
        self.with(|e| {
            lpchat_emulator::faults::default_mix()
                .into_iter()
                .map(|r| e.add_fault(r).map_err(config))
                .collect()
        })
    }

    /// Removes one fault rule.
    fn remove_fault(&self, id: u64) -> PyResult<bool> {
        self.with(|e| Ok(e.remove_fault(id)))
    }

    /// Removes every fault rule.
    fn clear_faults(&self) -> PyResult<()> {
        self.with(|e| {
            e.clear_faults();
            Ok(())
        })
    }

    /// The fault rules (with firing counts), as JSON.
    fn faults_json(&self) -> PyResult<String> {
        self.with(|e| serde_json::to_string(&e.faults()).map_err(json_err("faults")))
    }

    /// Every chat's transcript, as JSON.
    fn transcripts_json(&self) -> PyResult<String> {
        self.with(|e| serde_json::to_string(&e.transcripts()).map_err(json_err("transcripts")))
    }

    /// One chat's transcript as JSON, or `None`.
    fn transcript_json(&self, chat_id: &str) -> PyResult<Option<String>> {
        self.with(|e| {
            e.transcript(chat_id)
                .map(|t| serde_json::to_string(&t).map_err(json_err("transcript")))
                .transpose()
        })
    }

    /// The control state snapshot, as JSON.
    fn state_json(&self) -> PyResult<String> {
        self.with(|e| Ok(e.state().to_string()))
    }

    /// Starts scripted visitors (a scenario as JSON); returns the group's number.
    fn run_visitors_json(&self, scenario: &str) -> PyResult<usize> {
        let s = Scenario::from_json(scenario).map_err(config)?;
        let group = self.with(|e| {
            let rt = runtime()?;
            let _guard = rt.enter();
            Ok(e.run_visitors(s))
        })?;
        let mut groups = self
            .groups
            .lock()
            .map_err(|_| config("emulator poisoned"))?;
        groups.push(Some(group));
        Ok(groups.len() - 1)
    }

    /// Waits (GIL released, Ctrl-C works) until every visitor of the group has finished.
    fn wait_visitors(&self, py: Python<'_>, group: usize) -> PyResult<()> {
        let g = {
            let mut groups = self
                .groups
                .lock()
                .map_err(|_| config("emulator poisoned"))?;
            // Taken out for the wait; `None` keeps the other groups' numbers.
            groups
                .get_mut(group)
                .and_then(Option::take)
                .ok_or_else(|| config("no such visitor group, or it was waited for already"))?
        };
        wait(py, g.wait())
    }

    /// Records of every scripted visitor so far, as JSON.
    fn visitor_records_json(&self) -> PyResult<String> {
        self.with(|e| serde_json::to_string(&e.visitor_records()).map_err(json_err("records")))
    }

    /// Expires every live login now (the bearer is refused from the next request on).
    fn expire_logins(&self) -> PyResult<()> {
        self.with(|e| {
            e.expire_logins();
            Ok(())
        })
    }

    /// Emulated now, ms since the epoch.
    fn now_ms(&self) -> PyResult<i64> {
        self.with(|e| Ok(e.now_ms()))
    }

    /// Every transcript event against what the sessions delivered (each a
    /// `{chat_id: [event ids]}`): `{"expected", "lost", "doubled"}`.
    fn check_events(
        &self,
        py: Python<'_>,
        delivered: Vec<BTreeMap<String, Vec<u64>>>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.with(|e| {
            let transcripts = e.transcripts();
            let refs: Vec<&check::Delivered> = delivered.iter().collect();
            Ok(check::events(&transcripts, &refs))
        })?;
        tally(py, t)
    }

    /// Every line the scripted visitors sent against what the sessions delivered.
    fn check_visitor_lines(
        &self,
        py: Python<'_>,
        delivered: Vec<BTreeMap<String, Vec<u64>>>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.with(|e| {
            let transcripts = e.transcripts();
            let refs: Vec<&check::Delivered> = delivered.iter().collect();
            Ok(check::visitor_lines(&transcripts, &refs))
        })?;
        tally(py, t)
    }

    /// Lines a client sent (`[(chat_id, text)]`, texts unique per chat) against the
    /// transcripts: each must be in its chat once.
    fn check_sent_lines(&self, py: Python<'_>, sent: Vec<(String, String)>) -> PyResult<Py<PyAny>> {
        let t = self.with(|e| Ok(check::sent_lines(&e.transcripts(), &sent)))?;
        tally(py, t)
    }

    /// Lines a client sent against what the scripted visitors received.
    fn check_received_by_visitors(
        &self,
        py: Python<'_>,
        sent: Vec<(String, String)>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.with(|e| Ok(check::received_by_visitors(&e.transcripts(), &sent)))?;
        tally(py, t)
    }

    /// Stops the emulator (open connections close within a second).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let emu = self
            .emu
            .lock()
            .map_err(|_| config("emulator poisoned"))?
            .take();
        if let Ok(mut groups) = self.groups.lock() {
            for g in groups.drain(..).flatten() {
                g.abort();
            }
        }
        if let Some(emu) = emu {
            crate::runtime::check_not_forked()?;
            wait(py, emu.shutdown())?;
        }
        Ok(())
    }
}
