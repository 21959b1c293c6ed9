//! Chat operations of both sides: request, accept, lines, end, transfer (spec §11.1).

use super::{ApiError, Chat, ChatState, EventKind, Line, Source, State};

/// Parameters of a chat request (V8), already read from the body.
#[derive(Debug, Clone, Default)]
pub struct ChatRequest {
    /// Skill name.
    pub skill: Option<String>,
    /// Skill id (Postman's `skillId`).
    pub skill_id: Option<i64>,
    /// Agent login name (routes to that agent only).
    pub agent: Option<String>,
    /// Pre-chat lines, posted as visitor lines.
    pub pre_chat_lines: Vec<String>,
    /// `interactionTimeout`: becomes the chat's `chatTimeout`.
    pub interaction_timeout: Option<u64>,
    /// Earlier visitor id to reuse.
    pub visitor_id: Option<i64>,
    /// `LETagVisitorId`.
    pub le_tag_visitor_id: Option<String>,
    /// `LETagSessionId`.
    pub le_tag_session_id: Option<String>,
    /// `LETagContextId`.
    pub le_tag_context_id: Option<String>,
    /// `engagementId`.
    pub engagement_id: Option<i64>,
    /// `campaignId`.
    pub campaign_id: Option<i64>,
    /// `language`.
    pub language: Option<String>,
    /// Custom variables.
    pub custom_variables: Vec<(String, String)>,
    /// SSO participant id.
    pub participant_id: Option<String>,
    /// `chatReferrer`.
    pub referrer: Option<String>,
    /// Pre-chat survey answers as sent.
    pub survey: Option<serde_json::Value>,
    /// Visitor name (scripted visitors).
    pub visitor_name: Option<String>,
}

/// A line to add, as read from an event body.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    /// Text.
    pub text: String,
    /// `textType`; `plain` when absent.
    pub text_type: Option<String>,
    /// `subType`; `REGULAR` when absent.
    pub sub_type: Option<String>,
    /// Structured content.
    pub json: Option<serde_json::Value>,
}

/// Where a transfer goes (A24); an agent wins over a skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    /// Skill id.
    Skill(i64),
    /// Agent user id.
    Agent(i64),
}

const TEXT_TYPES: [&str; 3] = ["plain", "html", "rich-content"];

fn make_line(input: LineInput, by: String, source: Source) -> Result<Line, ApiError> {
    let text_type = input.text_type.unwrap_or_else(|| "plain".into());
    if !TEXT_TYPES.contains(&text_type.as_str()) {
        return Err(ApiError::bad_request(format!(
            "invalid textType {text_type:?}"
        )));
    }
    let sub_type = input.sub_type.unwrap_or_else(|| "REGULAR".into());
    if sub_type != "REGULAR" && sub_type != "ONLY_TO_REP" {
        return Err(ApiError::bad_request(format!(
            "invalid subType {sub_type:?}"
        )));
    }
    Ok(Line {
        text: input.text,
        text_type,
        by,
        source,
        system_message_id: None,
        sub_type,
        json: input.json,
    })
}

impl State {
    /// Creates a waiting chat (V8): events `state waiting` and system line 4.
    pub fn request_chat(&mut self, now: i64, req: ChatRequest) -> Result<String, ApiError> {
        let mut skill = match (&req.skill, req.skill_id) {
            (Some(name), _) => Some(
                self.world
                    .skill_by_name(name)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown skill {name:?}")))?,
            ),
            (None, Some(id)) => Some(
                self.world
                    .skill_by_id(id)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown skill id {id}")))?,
            ),
            (None, None) => None,
        };
        let target_agent = match &req.agent {
            Some(name) => {
                skill = None;
                Some(
                    self.world
                        .agent_by_login(name)
                        .ok_or_else(|| ApiError::bad_request(format!("unknown agent {name:?}")))?,
                )
            }
            None => None,
        };
        let (id, visit_id) = self.ids.chat_id();
        let visitor_id = req
            .visitor_id
            .unwrap_or_else(|| self.ids.range(1_000_000_000_000_000, 9_000_000_000_000_000));
        let rt_session_id = self.ids.range(4_294_967_296, 4_295_967_296);
        let shark_visitor = req
            .le_tag_visitor_id
            .clone()
            .unwrap_or_else(|| self.ids.hex(22));
        let shark_session = req
            .le_tag_session_id
            .clone()
            .unwrap_or_else(|| self.ids.hex(22));
        let mut chat = Chat {
            id: id.clone(),
            visit_id,
            skill,
            target_agent,
            transferred: false,
            excluded: Vec::new(),
            state: ChatState::Waiting,
            agent: None,
            past_agents: Vec::new(),
            ringing: None,
            queued_ms: now,
            events: Vec::new(),
            visitor_name: req.visitor_name,
            agent_typing: false,
            visitor_typing: false,
            start_ms: now,
            last_update_ms: now,
            last_visitor_ms: now,
            chat_timeout_s: req.interaction_timeout.unwrap_or(self.world.chat_timeout_s),
            visitor_id,
            rt_session_id,
            shark_visitor_id: shark_visitor,
            shark_session_id: shark_session,
            shark_context_id: req.le_tag_context_id.unwrap_or_else(|| "2".into()),
            engagement_id: req.engagement_id.unwrap_or(0),
            campaign_id: req.campaign_id.unwrap_or(0),
            language: req.language.unwrap_or_else(|| "en-US".into()),
            participant_id: req.participant_id,
            custom_variables: req.custom_variables,
            transcript_emails: Vec::new(),
            surveys: req.survey.into_iter().collect(),
            pages: req.referrer.into_iter().collect(),
        };
        chat.set_state(now, ChatState::Waiting);
        chat.system_line(
            now,
            4,
            "Thank you for choosing to chat with us.  An agent will be with you shortly.".into(),
        );
        let by = chat.visitor_name_or("visitor").to_owned();
        for text in req.pre_chat_lines {
            let line = make_line(
                LineInput {
                    text,
                    ..LineInput::default()
                },
                by.clone(),
                Source::Visitor,
            )?;
            chat.push(now, EventKind::Line(line));
        }
        self.chats.insert(id.clone(), chat);
        self.chat_order.push(id.clone());
        self.route(now);
        Ok(id)
    }

    /// Accepts the longest-ringing chat offered to `agent` (A11).
    pub fn accept_next(&mut self, now: i64, agent: usize) -> Result<String, ApiError> {
        let id = self
            .chats
            .values()
            .filter_map(|c| {
                c.ringing
                    .filter(|r| r.agent == agent)
                    .map(|r| (r.since_ms, c.start_ms, c.id.clone()))
            })
            .min()
            .map(|(_, _, id)| id)
            .ok_or_else(|| ApiError::not_found(12, "no chat request is ringing for this agent"))?;
        let nick = self.nickname(agent);
        let chat = self.chat_mut(&id)?;
        chat.ringing = None;
        chat.agent = Some(agent);
        if !chat.past_agents.contains(&agent) {
            chat.past_agents.push(agent);
        }
        chat.target_agent = None;
        chat.transferred = false;
        chat.excluded.clear();
        chat.set_state(now, ChatState::Chatting);
        chat.system_line(now, 3, format!("You are now chatting with {nick}."));
        Ok(id)
    }

    /// Whether `agent` may read the chat: it rings for them or they had it.
    pub fn agent_can_read(&self, agent: usize, chat: &Chat) -> bool {
        chat.agent == Some(agent)
            || chat.past_agents.contains(&agent)
            || chat.ringing.is_some_and(|r| r.agent == agent)
    }

    /// A chat the agent may read.
    pub fn agent_chat(&self, agent: usize, id: &str) -> Result<&Chat, ApiError> {
        let chat = self.chat(id)?;
        if !self.agent_can_read(agent, chat) {
            return Err(ApiError::not_found(
                12,
                format!("chat {id} not found for this agent"),
            ));
        }
        Ok(chat)
    }

    /// A chat the agent is currently chatting in, mutable.
    pub fn agent_active_chat(&mut self, agent: usize, id: &str) -> Result<&mut Chat, ApiError> {
        let readable = self.agent_can_read(agent, self.chat(id)?);
        let chat = self.chat_mut(id)?;
        if !readable {
            return Err(ApiError::not_found(
                12,
                format!("chat {id} not found for this agent"),
            ));
        }
        if chat.state == ChatState::Ended {
            return Err(ApiError::bad_request("the chat has ended"));
        }
        if chat.agent != Some(agent) || chat.state != ChatState::Chatting {
            return Err(ApiError::forbidden(
                "the chat is not assigned to this agent",
            ));
        }
        Ok(chat)
    }

    /// An agent line (A16).
    pub fn agent_line(
        &mut self,
        now: i64,
        agent: usize,
        id: &str,
        input: LineInput,
    ) -> Result<u64, ApiError> {
        let nick = self.nickname(agent);
        let chat = self.agent_active_chat(agent, id)?;
        let line = make_line(input, nick, Source::Agent)?;
        chat.agent_typing = false;
        Ok(chat.push(now, EventKind::Line(line)))
    }

    /// Agent ends the chat (A17): system line 5, then `state ended`.
    pub fn agent_end(&mut self, now: i64, agent: usize, id: &str) -> Result<u64, ApiError> {
        let nick = self.nickname(agent);
        let chat = self.agent_active_chat(agent, id)?;
        chat.system_line(now, 5, format!("{nick} has ended the chat."));
        chat.agent_typing = false;
        let ended = chat.set_state(now, ChatState::Ended);
        self.route(now);
        Ok(ended)
    }

    /// A visitor call on the chat: resets the visitor idle timer.
    pub fn visitor_touch(&mut self, now: i64, id: &str) -> Result<&mut Chat, ApiError> {
        let chat = self.chat_mut(id)?;
        chat.last_visitor_ms = now;
        Ok(chat)
    }

    /// A visitor line (V12).
    pub fn visitor_line(&mut self, now: i64, id: &str, input: LineInput) -> Result<u64, ApiError> {
        let chat = self.visitor_touch(now, id)?;
        if chat.state == ChatState::Ended {
            return Err(ApiError::bad_request("the chat has ended"));
        }
        let by = chat.visitor_name_or("visitor").to_owned();
        // Visitors cannot post agent-only notes or structured content (spec §5 A16, §6 V12).
        let input = LineInput {
            sub_type: None,
            json: None,
            ..input
        };
        let line = make_line(input, by, Source::Visitor)?;
        chat.visitor_typing = false;
        Ok(chat.push(now, EventKind::Line(line)))
    }

    /// Visitor ends the chat (V12): `state ended`, no system line.
    pub fn visitor_end(&mut self, now: i64, id: &str) -> Result<u64, ApiError> {
        let chat = self.visitor_touch(now, id)?;
        if chat.state == ChatState::Ended {
            return Err(ApiError::bad_request("the chat has ended"));
        }
        chat.ringing = None;
        chat.visitor_typing = false;
        let ended = chat.set_state(now, ChatState::Ended);
        self.route(now);
        Ok(ended)
    }

    /// Skills a chat may be transferred to, with their online agent counts (A23): skills
    /// with at least one Online agent other than those already in the chat.
    pub fn transfer_skills(&self, chat: &Chat) -> Vec<(usize, usize)> {
        self.world
            .skills
            .iter()
            .enumerate()
            .filter_map(|(i, skill)| {
                let online = self
                    .world
                    .agents
                    .iter()
                    .enumerate()
                    .filter(|(a, def)| {
                        def.skills.contains(&skill.id)
                            && chat.agent != Some(*a)
                            && self.agent_logged_in(*a)
                            && self
                                .agents
                                .get(*a)
                                .is_some_and(|rt| rt.availability == "Online")
                    })
                    .count();
                (online > 0).then_some((i, online))
            })
            .collect()
    }

    /// Transfers the chat (A24): an optional agent-only note, system line 13 (agent) or 15
    /// (skill), `state waiting`; the chat then rings for the target.
    pub fn transfer(
        &mut self,
        now: i64,
        agent: usize,
        id: &str,
        target: TransferTarget,
        text: Option<String>,
    ) -> Result<(), ApiError> {
        let nick = self.nickname(agent);
        self.agent_active_chat(agent, id)?;
        let (skill, target_agent, msg_id, msg) = match target {
            TransferTarget::Agent(uid) => {
                let a = self
                    .world
                    .agent_by_id(uid)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown agent id {uid}")))?;
                let available = a != agent
                    && self.agent_logged_in(a)
                    && self.agents.get(a).is_some_and(|rt| {
                        rt.availability == "Online" || rt.availability == "Occupied"
                    });
                if !available {
                    return Err(ApiError::bad_request(format!(
                        "agent {uid} is not available for transfer"
                    )));
                }
                (
                    None,
                    Some(a),
                    13,
                    format!(
                        "Please wait while I transfer the chat to '{}'.",
                        self.nickname(a)
                    ),
                )
            }
            TransferTarget::Skill(sid) => {
                let s = self
                    .world
                    .skill_by_id(sid)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown skill id {sid}")))?;
                let chat = self.chat(id)?;
                if !self.transfer_skills(chat).iter().any(|(i, _)| *i == s) {
                    return Err(ApiError::bad_request(format!(
                        "skill {sid} is not available for transfer"
                    )));
                }
                let name = self
                    .world
                    .skills
                    .get(s)
                    .map(|k| k.name.clone())
                    .unwrap_or_default();
                (
                    Some(s),
                    None,
                    15,
                    format!("Please wait while I transfer the chat to '{name}'."),
                )
            }
        };
        let chat = self.chat_mut(id)?;
        if let Some(note) = text.filter(|t| !t.is_empty()) {
            let line = make_line(
                LineInput {
                    text: note,
                    sub_type: Some("ONLY_TO_REP".into()),
                    ..LineInput::default()
                },
                nick,
                Source::Agent,
            )?;
            chat.push(now, EventKind::Line(line));
        }
        chat.system_line(now, msg_id, msg);
        if skill.is_some() {
            chat.skill = skill;
        }
        chat.target_agent = target_agent;
        chat.transferred = true;
        chat.excluded = vec![agent];
        chat.agent = None;
        chat.agent_typing = false;
        chat.queued_ms = now;
        chat.set_state(now, ChatState::Waiting);
        self.route(now);
        Ok(())
    }
}
