//! What the commands print: a line per item for people (state coloured on a terminal), or
//! one JSON object per line for scripts. The JSON shapes are documented in `docs/cli.md`.

use std::io::{IsTerminal, Write};

use lpchat::proto::model::chat::SubType;
use lpchat::proto::model::EventKind;
use lpchat::{AgentState, ChatId, EndReason, Event};
use serde_json::{json, Value};

use crate::CliError;

/// Where and how a command prints.
pub struct Out {
    out: Box<dyn Write>,
    /// One JSON object per line instead of text.
    pub json: bool,
    /// ANSI colours: standard output is a terminal and `NO_COLOR` is unset.
    pub color: bool,
}

impl Out {
    /// Standard output.
    pub fn stdout(json: bool) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Out {
            out: Box::new(std::io::stdout()),
            json,
            color: terminal && !no_color && !json,
        }
    }

    /// Whether standard output is a terminal that takes colours (and so screen clearing).
    pub fn is_terminal(&self) -> bool {
        self.color
    }

    /// Writes one line of text and flushes it (streams are read line by line).
    pub fn line(&mut self, text: &str) -> Result<(), CliError> {
        writeln!(self.out, "{text}")
            .and_then(|()| self.out.flush())
            .map_err(CliError::io)
    }

    /// Writes one JSON object on one line.
    pub fn object(&mut self, value: &Value) -> Result<(), CliError> {
        self.line(&value.to_string())
    }

    /// Writes `value` in JSON mode, else `text`.
    pub fn either(&mut self, value: &Value, text: &str) -> Result<(), CliError> {
        if self.json {
            self.object(value)
        } else {
            self.line(text)
        }
    }

    /// Writes text as it is (screen control, a banner that ends its own lines).
    pub fn raw(&mut self, text: &str) -> Result<(), CliError> {
        write!(self.out, "{text}")
            .and_then(|()| self.out.flush())
            .map_err(CliError::io)
    }

    /// An agent state, coloured on a terminal: Online green, Occupied yellow, Away red,
    /// Offline dim.
    pub fn state(&self, state: Option<&AgentState>, width: usize) -> String {
        let name = state.map_or("?", AgentState::as_str);
        let padded = format!("{name:<width$}");
        if !self.color {
            return padded;
        }
        let code = match state {
            Some(AgentState::Online) => "32",
            Some(AgentState::Occupied) => "33",
            Some(AgentState::Away) => "31",
            Some(AgentState::Offline) => "2",
            _ => "0",
        };
        format!("\x1b[{code}m{padded}\x1b[0m")
    }
}

/// A chat event as a JSON object: `{"type":"event","chat","id","time","kind",…}`.
pub fn event_json(chat: &ChatId, event: &Event) -> Value {
    let mut v = json!({
        "type": "event",
        "chat": chat.as_str(),
        "id": event.id.0,
        "time": event.time.as_ref().map(|t| t.to_string()),
        "kind": event.event_type().as_str(),
    });
    let extra = match &event.kind {
        EventKind::State(state) => json!({ "state": state.as_str() }),
        EventKind::Line(line) => json!({
            "text": line.text,
            "text_type": line.text_type.as_str(),
            "by": line.by,
            "source": line.source.as_ref().map(|s| s.as_str()),
            "sub_type": line.sub_type.as_ref().map(|s| s.as_str()),
            "system_message_id": line.system_message_id,
        }),
        EventKind::Url(url) => json!({ "url": url }),
        EventKind::Unknown { text, .. } => json!({ "text": text }),
        _ => json!({}),
    };
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
}

/// A chat event as one line of text: `[chat #id] by: text`.
pub fn event_text(chat: &ChatId, event: &Event) -> String {
    let what = match &event.kind {
        EventKind::State(state) => format!("chat is {}", state.as_str()),
        EventKind::Line(line) => {
            let by = line.by.as_deref().unwrap_or("?");
            let note = match line.sub_type {
                Some(SubType::OnlyToRep) => " (agents only)",
                _ => "",
            };
            format!("{}: {}{note}", printable(by), printable(&line.text))
        }
        EventKind::Url(url) => format!("url {}", printable(url.as_deref().unwrap_or(""))),
        EventKind::A2aTransfer(t) => format!(
            "transfer to account {}",
            printable(t.remote_site_id.as_deref().unwrap_or("?"))
        ),
        EventKind::Unknown { event_type, text } => format!(
            "{}: {}",
            printable(event_type),
            printable(text.as_deref().unwrap_or(""))
        ),
        _ => event.event_type().as_str().to_owned(),
    };
    format!("[{chat} #{}] {what}", event.id.0)
}

/// Text from the server or a visitor made safe for one line of a terminal: control
/// characters (newlines, and the escape that starts a terminal control sequence a visitor
/// could type to rewrite the agent's screen) become spaces. `--json` keeps the text exact.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Why a chat ended, as printed.
pub fn end_reason(reason: &EndReason) -> &'static str {
    match reason {
        EndReason::Ended => "ended",
        EndReason::Transferred => "transferred",
        EndReason::Left => "left",
        EndReason::Gone => "gone",
        EndReason::Unfollowed => "unfollowed",
        EndReason::ServerError(_) => "error",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lpchat::proto::model::chat::ChatState;
    use lpchat::EventId;

    #[test]
    fn line_events_carry_their_fields() {
        let chat = ChatId::from("H1K2");
        let event: Event = serde_json::from_value(json!({
            "@id": "4", "@type": "line", "text": "Hello", "by": "visitor1", "source": "visitor"
        }))
        .unwrap();
        let v = event_json(&chat, &event);
        assert_eq!(v["type"], "event");
        assert_eq!(v["chat"], "H1K2");
        assert_eq!(v["id"], 4);
        assert_eq!(v["kind"], "line");
        assert_eq!(v["text"], "Hello");
        assert_eq!(event_text(&chat, &event), "[H1K2 #4] visitor1: Hello");
        let sneaky: Event = serde_json::from_value(json!({
            "@id": "5", "@type": "line", "text": "a\nb\u{1b}[2Jc", "by": "v\r", "source": "visitor"
        }))
        .unwrap();
        assert_eq!(event_text(&chat, &sneaky), "[H1K2 #5] v : a b [2Jc");
        assert_eq!(event_json(&chat, &sneaky)["text"], "a\nb\u{1b}[2Jc");
        let unknown: Event = serde_json::from_value(json!({
            "@id": "6", "@type": "cobrowse", "text": "invite"
        }))
        .unwrap();
        assert_eq!(event_text(&chat, &unknown), "[H1K2 #6] cobrowse: invite");
        let state = Event {
            id: EventId(0),
            time: None,
            kind: EventKind::State(ChatState::Waiting),
        };
        assert_eq!(event_json(&chat, &state)["state"], "waiting");
    }
}
