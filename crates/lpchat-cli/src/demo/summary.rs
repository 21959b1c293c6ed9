//! The demo's summary: what was handled, the checks of the visitors' transcripts against
//! the bot's log, answer times, retries and faults; as text or one JSON object.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use lpchat_emulator::check::{self, Delivered, Tally};
use lpchat_emulator::engine::EventKind;
use lpchat_emulator::{FaultKind, FaultRule, Transcript};
use serde_json::{json, Value};

use super::bot::Log;
use super::{SKILL, TRANSFER_SKILL};

/// Everything the summary is made of, gathered when the run is over.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// Every chat's transcript.
    pub transcripts: &'a [Transcript],
    /// The bot's log.
    pub log: &'a Log,
    /// The fault rules with their firing counts (empty without `--chaos`).
    pub faults: &'a [FaultRule],
    /// Requests the sessions sent, and how many of them failed and were retried.
    pub requests: u64,
    /// See `requests`.
    pub retried: u64,
    /// Visitors started.
    pub visitors: usize,
    /// The emulator's time factor (transcript times are emulated).
    pub time_factor: f64,
    /// Seed of the run.
    pub seed: u64,
    /// Whether the fault mix was on.
    pub chaos: bool,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Answer times, real milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// How many answers were measured.
    pub samples: usize,
}

/// The demo's results.
#[derive(Debug)]
pub struct Summary {
    visitors: usize,
    handled: usize,
    transferred: Option<String>,
    visitor_lines_sent: usize,
    visitor_lines_delivered: usize,
    bot_lines_sent: usize,
    bot_lines_received: usize,
    /// Visitor lines against the sessions' deliveries.
    visitor_lines: Tally,
    /// Bot lines against what the visitors received.
    bot_lines: Tally,
    /// Transcript events against the sessions' deliveries.
    events: Tally,
    /// Bot lines against the transcripts (each in its chat once).
    in_transcripts: Tally,
    latency: Option<Latency>,
    requests: u64,
    retried: u64,
    relogins: usize,
    faults: BTreeMap<String, u64>,
    failures: Vec<String>,
    chaos: bool,
    seed: u64,
    time_factor: f64,
    elapsed: Duration,
}

impl Summary {
    /// Compares and measures.
    pub fn new(i: &Inputs<'_>) -> Summary {
        let t = i.transcripts;
        let sessions: Vec<&Delivered> = i.log.delivered.iter().collect();
        let handled = i.log.accepted.intersection(&i.log.ended).count();
        Summary {
            visitors: i.visitors,
            handled,
            transferred: i.log.transferred.clone(),
            visitor_lines_sent: t
                .iter()
                .flat_map(|t| t.visitor.iter())
                .map(|v| v.sent.len())
                .sum(),
            visitor_lines_delivered: i.log.visitor_lines,
            bot_lines_sent: i.log.sent.len(),
            bot_lines_received: check::agent_lines_received(t),
            visitor_lines: check::visitor_lines(t, &sessions),
            bot_lines: check::received_by_visitors(t, &i.log.sent),
            events: check::events(t, &sessions),
            in_transcripts: check::sent_lines(t, &i.log.sent),
            latency: latency(t, &i.log.answers, i.time_factor),
            requests: i.requests,
            retried: i.retried,
            relogins: i.log.logins.iter().map(|n| n.saturating_sub(1)).sum(),
            faults: fired(i.faults),
            failures: i.log.failures.clone(),
            chaos: i.chaos,
            seed: i.seed,
            time_factor: i.time_factor,
            elapsed: i.elapsed,
        }
    }

    /// Lines lost, either way.
    pub fn lost(&self) -> usize {
        self.visitor_lines.lost + self.bot_lines.lost
    }

    /// Lines doubled, either way.
    pub fn doubled(&self) -> usize {
        self.visitor_lines.doubled + self.bot_lines.doubled
    }

    /// What failed the check, one phrase each; empty when it passed.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let mut tally = |what: &str, t: &Tally| {
            if t.lost > 0 {
                p.push(format!("{} {what} lost", t.lost));
            }
            if t.doubled > 0 {
                p.push(format!("{} {what} doubled", t.doubled));
            }
        };
        tally("visitor line(s) to the bot", &self.visitor_lines);
        tally("bot line(s) to visitors", &self.bot_lines);
        tally("event(s) of the transcripts", &self.events);
        tally("bot line(s) in the transcripts", &self.in_transcripts);
        if self.handled != self.visitors {
            p.push(format!(
                "{} of {} chats handled",
                self.handled, self.visitors
            ));
        }
        if !self.failures.is_empty() {
            p.push(format!(
                "{} command(s) failed ({})",
                self.failures.len(),
                self.failures.join("; ")
            ));
        }
        p
    }

    /// The summary as text, one fact a line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let transferred = match &self.transferred {
            Some(_) => format!("1 transferred {SKILL} -> {TRANSFER_SKILL} and finished there"),
            None => "none transferred".to_owned(),
        };
        let _ = writeln!(
            s,
            "chats handled   {} of {} ({transferred})",
            self.handled, self.visitors
        );
        let _ = writeln!(
            s,
            "visitor lines   {} sent, {} delivered to the bot, {} lost, {} doubled",
            self.visitor_lines_sent,
            self.visitor_lines_delivered,
            self.visitor_lines.lost,
            self.visitor_lines.doubled
        );
        let _ = writeln!(
            s,
            "bot lines       {} sent, {} received by visitors, {} lost, {} doubled",
            self.bot_lines_sent,
            self.bot_lines_received,
            self.bot_lines.lost,
            self.bot_lines.doubled
        );
        let _ = writeln!(
            s,
            "events          {} in the transcripts, {} lost, {} doubled by the client",
            self.events.expected, self.events.lost, self.events.doubled
        );
        match &self.latency {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "answer time     p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} answers; visitor line to bot answer, emulator transcript timestamps)",
                    l.p50, l.p99, l.max, l.samples
                );
            }
            None => s.push_str("answer time     no answers measured\n"),
        }
        let _ = writeln!(
            s,
            "requests        {}, {} failed and retried",
            self.requests, self.retried
        );
        if self.chaos {
            let kinds: Vec<String> = self
                .faults
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            let _ = writeln!(
                s,
                "faults          {} injected: {}; {} bearer expir{} (logged in again)",
                self.faults.values().sum::<u64>(),
                kinds.join(", "),
                self.relogins,
                if self.relogins == 1 { "y" } else { "ies" }
            );
        }
        let problems = self.problems();
        let verdict = if problems.is_empty() {
            "passed: every line arrived exactly once".to_owned()
        } else {
            format!("FAILED: {}", problems.join(", "))
        };
        let _ = writeln!(
            s,
            "check           {verdict} ({:.1} s, seed {}, time factor {})",
            self.elapsed.as_secs_f64(),
            self.seed,
            self.time_factor
        );
        s
    }

    /// The summary as one JSON object.
    pub fn json(&self) -> Value {
        let tally =
            |t: &Tally| json!({"expected": t.expected, "lost": t.lost, "doubled": t.doubled});
        let problems = self.problems();
        json!({
            "visitors": self.visitors,
            "chatsHandled": self.handled,
            "transferred": self.transferred.is_some(),
            "visitorLines": {
                "sent": self.visitor_lines_sent,
                "delivered": self.visitor_lines_delivered,
                "lost": self.visitor_lines.lost,
                "doubled": self.visitor_lines.doubled,
            },
            "botLines": {
                "sent": self.bot_lines_sent,
                "received": self.bot_lines_received,
                "lost": self.bot_lines.lost,
                "doubled": self.bot_lines.doubled,
            },
            "events": tally(&self.events),
            "botLinesInTranscripts": tally(&self.in_transcripts),
            "lost": self.lost(),
            "doubled": self.doubled(),
            "latencyMs": self.latency.map(|l| json!({
                "p50": l.p50, "p99": l.p99, "max": l.max, "samples": l.samples,
                "measured": "visitor line to bot answer, emulator transcript timestamps",
            })),
            "requests": self.requests,
            "retries": self.retried,
            "faults": self.chaos.then(|| json!({
                "injected": self.faults.values().sum::<u64>(),
                "byKind": self.faults,
                "bearerExpiries": self.relogins,
            })),
            "failures": self.failures,
            "check": if problems.is_empty() { "passed" } else { "failed" },
            "problems": problems,
            "seconds": self.elapsed.as_secs_f64(),
            "seed": self.seed,
            "timeFactor": self.time_factor,
        })
    }
}

/// Fired counts by fault kind.
fn fired(rules: &[FaultRule]) -> BTreeMap<String, u64> {
    let mut by_kind = BTreeMap::new();
    for r in rules {
        let kind = match &r.kind {
            FaultKind::Status { status, .. } => format!("status {status}"),
            FaultKind::Latency { .. } => "latency".to_owned(),
            FaultKind::SlowAnswer { .. } => "slow answer".to_owned(),
            FaultKind::Drop => "dropped connection".to_owned(),
            FaultKind::Truncate => "truncated body".to_owned(),
            FaultKind::RepeatEvents { .. } => "repeated events".to_owned(),
        };
        *by_kind.entry(kind).or_insert(0) += r.fired;
    }
    by_kind
}

/// Time from each answered visitor line to its answer, on the transcripts' (emulated)
/// clock scaled back to real time.
fn latency(
    transcripts: &[Transcript],
    answers: &[(String, u64, String)],
    time_factor: f64,
) -> Option<Latency> {
    let mut ms: Vec<f64> = answers
        .iter()
        .filter_map(|(chat, line, answer)| {
            let t = transcripts.iter().find(|t| &t.chat_id == chat)?;
            let asked = t.events.iter().find(|e| e.event.id == *line)?.event.time_ms;
            let answered = t
                .events
                .iter()
                .find(|e| matches!(&e.event.kind, EventKind::Line(l) if &l.text == answer))?
                .event
                .time_ms;
            Some(answered.saturating_sub(asked) as f64 / time_factor)
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    Some(Latency {
        p50: percentile(&ms, 50.0)?,
        p99: percentile(&ms, 99.0)?,
        max: ms.last().copied()?,
        samples: ms.len(),
    })
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
