//! The live display while the demo runs: on a terminal, one stderr line redrawn in place
//! (a bar and the chats waiting, active and ended); elsewhere nothing, so logs and pipes
//! get only the summary.

use std::io::{IsTerminal, Write};
use std::time::Duration;

/// Chats by state, as the emulator shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requested, not yet accepted (queued, ringing or being transferred).
    pub waiting: usize,
    /// Accepted and going on.
    pub active: usize,
    /// Over.
    pub ended: usize,
}

impl Counts {
    /// Counts the chats of an emulator state snapshot (`/_emulator/state`).
    pub fn of_state(state: &serde_json::Value) -> Counts {
        let mut c = Counts::default();
        let chats = state.get("chats").and_then(|v| v.as_array());
        for chat in chats.into_iter().flatten() {
            match chat.get("state").and_then(|s| s.as_str()) {
                Some("waiting") => c.waiting += 1,
                Some("chatting") => c.active += 1,
                Some("ended") => c.ended += 1,
                _ => {}
            }
        }
        c
    }
}

/// Width of the bar, in cells.
const BAR: usize = 24;

/// The display line: bar of ended chats out of `total`, then the counts and the time.
pub fn render(total: usize, c: Counts, elapsed: Duration) -> String {
    let filled = (c.ended * BAR).checked_div(total).unwrap_or(BAR).min(BAR);
    format!(
        "[{}{}] {}/{} ended  {} active  {} waiting  {:.1} s",
        "#".repeat(filled),
        "-".repeat(BAR - filled),
        c.ended,
        total,
        c.active,
        c.waiting,
        elapsed.as_secs_f64()
    )
}

/// The stderr display; inert when stderr is not a terminal.
#[derive(Debug)]
pub struct Progress {
    total: usize,
    live: bool,
}

impl Progress {
    /// A display for `total` chats.
    pub fn new(total: usize) -> Self {
        Progress {
            total,
            live: std::io::stderr().is_terminal(),
        }
    }

    /// Redraws the line in place (the caller paces it: at most 10 times a second).
    pub fn draw(&self, c: Counts, elapsed: Duration) {
        if self.live {
            // Carriage return and erase-line: the same line, redrawn.
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", render(self.total, c, elapsed));
            let _ = err.flush();
        }
    }

    /// Erases the line, before the summary.
    pub fn clear(&self) {
        if self.live {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_with_ended_chats() {
        let c = Counts {
            waiting: 2,
            active: 3,
            ended: 10,
        };
        let line = render(20, c, Duration::from_millis(4200));
        assert_eq!(
            line,
            "[############------------] 10/20 ended  3 active  2 waiting  4.2 s"
        );
        assert!(render(0, Counts::default(), Duration::ZERO)
            .starts_with(&format!("[{}]", "#".repeat(BAR))));
    }

    #[test]
    fn counts_chat_states_of_a_snapshot() {
        let state = serde_json::json!({"chats": [
            {"state": "waiting"}, {"state": "chatting"}, {"state": "ended"}, {"state": "ended"}
        ]});
        assert_eq!(
            Counts::of_state(&state),
            Counts {
                waiting: 1,
                active: 1,
                ended: 2
            }
        );
    }
}
