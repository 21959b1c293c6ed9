//! No-loss checks against the transcripts: what a client's sessions delivered and what its
//! bot sent, compared with what the emulator holds and with what its scripted visitors sent
//! and received. Plain chat ids, event ids and texts in, so any client can report; shared by
//! the client's soak and `lpchat demo`.

use crate::engine::EventKind;
use crate::transcript::Transcript;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Event ids one client session delivered, per chat id, in delivery order.
pub type Delivered = BTreeMap<String, Vec<u64>>;

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// How many items had to arrive.
    pub expected: usize,
    /// Items that never arrived.
    pub lost: usize,
    /// Extra arrivals of items that arrived more than once.
    pub doubled: usize,
}

impl Tally {
    /// Nothing lost, nothing doubled.
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.doubled == 0
    }

    /// Counts one item that arrived `n` times.
    fn add(&mut self, n: usize) {
        self.expected += 1;
        match n {
            0 => self.lost += 1,
            n => self.doubled += n - 1,
        }
    }

    /// Counts one item by how often each session delivered it: lost when none did,
    /// doubled for every extra delivery by one session (two sessions that both had the
    /// chat, before and after a transfer, may each deliver it once).
    fn add_per_session(&mut self, counts: impl Iterator<Item = usize>) {
        self.expected += 1;
        let (mut any, mut extra) = (false, 0);
        for n in counts {
            any |= n > 0;
            extra += n.saturating_sub(1);
        }
        if !any {
            self.lost += 1;
        }
        self.doubled += extra;
    }
}

fn count_in(delivered: &Delivered, chat: &str, id: u64) -> usize {
    delivered
        .get(chat)
        .map_or(0, |ids| ids.iter().filter(|&&x| x == id).count())
}

/// Every event of every transcript against what the sessions delivered.
pub fn events(transcripts: &[Transcript], sessions: &[&Delivered]) -> Tally {
    let mut tally = Tally::default();
    for t in transcripts {
        for e in &t.events {
            let id = e.event.id;
            tally.add_per_session(sessions.iter().map(|d| count_in(d, &t.chat_id, id)));
        }
    }
    tally
}

/// Every line each scripted visitor sent against what the sessions delivered.
pub fn visitor_lines(transcripts: &[Transcript], sessions: &[&Delivered]) -> Tally {
    let mut tally = Tally::default();
    for t in transcripts {
        for line in t.visitor.iter().flat_map(|v| &v.sent) {
            let id = line.event_id;
            tally.add_per_session(sessions.iter().map(|d| count_in(d, &t.chat_id, id)));
        }
    }
    tally
}

/// Lines a client sent (chat id, text; texts unique per chat) against the transcripts:
/// each must be in its chat once. A line missing from a chat whose scripted visitor did not
/// complete is not lost: the chat ended before it could go.
pub fn sent_lines(transcripts: &[Transcript], sent: &[(String, String)]) -> Tally {
    let mut tally = Tally::default();
    for (chat, text) in sent {
        let t = transcripts.iter().find(|t| &t.chat_id == chat);
        let n = t.map_or(0, |t| {
            t.events
                .iter()
                .filter(|e| matches!(&e.event.kind, EventKind::Line(l) if &l.text == text))
                .count()
        });
        let ended_first =
            t.is_some_and(|t| t.visitor.as_ref().is_some_and(|v| v.outcome != "completed"));
        if n == 0 && ended_first {
            continue;
        }
        tally.add(n);
    }
    tally
}

/// Lines a client sent (chat id, text; texts unique per chat) against what the chat's
/// scripted visitor received: each must have arrived once.
pub fn received_by_visitors(transcripts: &[Transcript], sent: &[(String, String)]) -> Tally {
    let mut received: HashMap<(&str, &str), usize> = HashMap::new();
    for t in transcripts {
        for r in t.visitor.iter().flat_map(|v| &v.received) {
            if r.kind == "line" {
                *received
                    .entry((t.chat_id.as_str(), r.text.as_str()))
                    .or_default() += 1;
            }
        }
    }
    let mut tally = Tally::default();
    for (chat, text) in sent {
        tally.add(
            received
                .get(&(chat.as_str(), text.as_str()))
                .copied()
                .unwrap_or(0),
        );
    }
    tally
}

/// Lines written by agents that the scripted visitors received (system lines excluded).
pub fn agent_lines_received(transcripts: &[Transcript]) -> usize {
    transcripts
        .iter()
        .flat_map(|t| t.visitor.iter().flat_map(|v| &v.received))
        .filter(|r| r.kind == "line" && !r.by.is_empty() && r.by != "info")
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_session_counts() {
        let mut t = Tally::default();
        t.add_per_session([0, 0].into_iter());
        t.add_per_session([1, 1].into_iter());
        t.add_per_session([2, 0].into_iter());
        assert_eq!(
            t,
            Tally {
                expected: 3,
                lost: 1,
                doubled: 1
            }
        );
        assert!(!t.clean());
    }
}
