//! Builds the wire trees of chat resources (events, info, chat, multi-chat) for both
//! sides from the engine state.

use crate::clock::iso;
use crate::engine::{Chat, Event, EventKind, State};
use crate::quirks::Render;
use crate::wire::{Elem, Scalar};

/// Who looks at a chat, and under which URL the chat lives for them.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// An agent session; `chat_base` = `…/agentSession/{s}/chat/{c}`.
    Agent {
        /// Absolute chat URL.
        chat_base: String,
        /// Absolute agent session URL.
        session_base: String,
    },
    /// The visitor; `chat_base` = `…/chat/{c}`.
    Visitor {
        /// Absolute chat URL.
        chat_base: String,
    },
}

impl Viewer {
    fn chat_base(&self) -> &str {
        match self {
            Viewer::Agent { chat_base, .. } | Viewer::Visitor { chat_base } => chat_base,
        }
    }

    fn sees(&self, e: &Event) -> bool {
        match self {
            Viewer::Agent { .. } => true,
            Viewer::Visitor { .. } => e.visible_to_visitor(),
        }
    }
}

/// One event.
pub fn event(r: Render<'_>, e: &Event, tz: i32) -> Elem {
    let id = i64::try_from(e.id).unwrap_or(i64::MAX);
    let (kind, mut el) = match &e.kind {
        EventKind::State { .. } => ("state", Elem::new("event")),
        EventKind::Line(_) => ("line", Elem::new("event")),
    };
    // `id` before `type`, as in every documented event (`{"@id":"0","@type":"state",…}`).
    el = el
        .attr("id", r.num_attr("id", id))
        .attr("type", kind)
        .field("time", iso(e.time_ms, tz));
    match &e.kind {
        EventKind::State { state } => el.field("state", state.as_str()),
        EventKind::Line(l) => {
            let mut el = el
                .field("textType", l.text_type.as_str())
                .field("text", l.text.as_str())
                .field("by", l.by.as_str())
                .field("source", l.source.as_str());
            if let Some(m) = l.system_message_id {
                el = el.field("systemMessageId", r.num("systemMessageId", m));
            }
            el = el.field("subType", l.sub_type.as_str());
            if let Some(j) = &l.json {
                el = el.child(Elem::new("json").raw(j.clone()));
            }
            el
        }
    }
}

/// The `events` resource from event id `from` (inclusive), with `self` and `next` links.
/// `repeat_below` widens the window downwards (the repeated-events fault).
pub fn events(
    r: Render<'_>,
    chat: &Chat,
    viewer: &Viewer,
    from: u64,
    repeat_below: u64,
    tz: i32,
) -> Elem {
    let base = format!("{}/events", viewer.chat_base());
    let start = from.saturating_sub(repeat_below);
    let items: Vec<Elem> = chat
        .events
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .filter(|e| viewer.sees(e))
        .map(|e| event(r, e, tz))
        .collect();
    Elem::new("events")
        .list(
            "link",
            vec![
                Elem::link("self", &base),
                Elem::link("next", &format!("{base}?from={}", chat.next_id())),
            ],
        )
        .list("event", items)
}

/// The chat `info` resource.
pub fn info(r: Render<'_>, st: &State, chat: &Chat, viewer: &Viewer, tz: i32) -> Elem {
    let base = format!("{}/info", viewer.chat_base());
    let links = vec![
        Elem::link("self", &base),
        Elem::link("visitor-name", &format!("{base}/visitorName")),
        Elem::link("visitor-typing", &format!("{base}/visitorTyping")),
        Elem::link("agent-typing", &format!("{base}/agentTyping")),
    ];
    let visitor = matches!(viewer, Viewer::Visitor { .. });
    let mut el = Elem::new("info")
        .list("link", links)
        .field("state", chat.state.as_str())
        .field("chatSessionKey", chat.id.as_str());
    if visitor {
        if let Some(skill) = chat.skill.and_then(|s| st.world.skills.get(s)) {
            el = el
                .field("skillName", skill.name.as_str())
                .field("skillId", r.num("skillId", skill.id));
        }
    }
    if let Some(agent) = chat.agent.and_then(|a| st.world.agents.get(a)) {
        el = el
            .field("agentName", agent.nickname.as_str())
            .field("agentId", r.num("agentId", agent.id));
    }
    let typing = |t: bool| if t { "typing" } else { "not-typing" };
    el = el
        .field("startTime", iso(chat.start_ms, tz))
        .field("duration", r.num("duration", 0))
        .field("lastUpdate", iso(chat.last_update_ms, tz))
        .field(
            "chatTimeout",
            r.num(
                "chatTimeout",
                i64::try_from(chat.chat_timeout_s).unwrap_or(i64::MAX),
            ),
        )
        .field("visitorId", r.num("visitorId", chat.visitor_id))
        .field("agentTyping", typing(chat.agent_typing))
        .field("visitorTyping", typing(chat.visitor_typing))
        .field(
            "visitorName",
            chat.visitor_name_or(if visitor { "You" } else { "visitor" }),
        )
        .field("rtSessionId", r.num("rtSessionId", chat.rt_session_id))
        .field("sharkVisitorId", chat.shark_visitor_id.as_str())
        .field("sharkSessionId", chat.shark_session_id.as_str())
        .field(
            "sharkContextId",
            num_text(r, "sharkContextId", &chat.shark_context_id),
        )
        .field("engagementId", r.num("engagementId", chat.engagement_id))
        .field("campaignId", r.num("campaignId", chat.campaign_id))
        .field("language", chat.language.as_str());
    el.opt_field("participantId", chat.participant_id.as_deref())
}

/// A numeric-looking text field: styled like a number when it parses as one.
fn num_text(r: Render<'_>, field: &str, text: &str) -> Scalar {
    match text.parse::<i64>() {
        Ok(n) => r.num(field, n),
        Err(_) => Scalar::Str(text.to_owned()),
    }
}

/// The chat resource: links, events from `from`, info.
pub fn chat(
    r: Render<'_>,
    st: &State,
    chat: &Chat,
    viewer: &Viewer,
    from: u64,
    repeat_below: u64,
    tz: i32,
) -> Elem {
    let base = viewer.chat_base().to_owned();
    let mut links = vec![
        Elem::link("self", &base),
        Elem::link("next", &format!("{base}?from={}", chat.next_id())),
        Elem::link("events", &format!("{base}/events")),
        Elem::link("info", &format!("{base}/info")),
    ];
    match viewer {
        Viewer::Agent { session_base, .. } => {
            links.push(Elem::link(
                "collaboration-channels",
                &format!("{base}/collaborationChannels"),
            ));
            links.push(Elem::link(
                "visit-id",
                &format!("{session_base}/visits/visit/{}", chat.visit_id),
            ));
            links.push(Elem::link("transfer", &format!("{base}/transfer")));
            links.push(Elem::link(
                "transfer-account",
                &format!("{base}/transferAccount"),
            ));
            links.push(Elem::link("agent-survey", &format!("{base}/survey")));
        }
        Viewer::Visitor { .. } => {
            links.push(Elem::link(
                "transcript-request",
                &format!("{base}/transcriptRequest"),
            ));
            links.push(Elem::link(
                "transcript-with-subject-request",
                &format!("{base}/transcriptWithSubjectRequest"),
            ));
            links.push(Elem::link("exit-survey", &format!("{base}/exitSurvey")));
            links.push(Elem::link(
                "custom-variables",
                &format!("{base}/customVariables"),
            ));
        }
    }
    Elem::new("chat")
        .list("link", links)
        .child(events(r, chat, viewer, from, repeat_below, tz))
        .child(info(r, st, chat, viewer, tz))
}
