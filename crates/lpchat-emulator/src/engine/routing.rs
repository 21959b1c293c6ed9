//! Routing of waiting chats to agents and the timers of spec §11: ringing (20 s), visitor
//! idle (`chatTimeout`), agent-session idle (400 s).

use super::{ChatState, Ring, State};

impl State {
    fn eligible(&self, agent: usize, chat_idx: &super::Chat) -> bool {
        let Some(def) = self.world.agents.get(agent) else {
            return false;
        };
        let Some(rt) = self.agents.get(agent) else {
            return false;
        };
        let availability_ok =
            rt.availability == "Online" || (chat_idx.transferred && rt.availability == "Occupied");
        if !availability_ok || !self.agent_logged_in(agent) || chat_idx.excluded.contains(&agent) {
            return false;
        }
        if let Some(t) = chat_idx.target_agent {
            if t != agent {
                return false;
            }
        } else if let Some(skill) = chat_idx.skill.and_then(|s| self.world.skills.get(s)) {
            if !def.skills.contains(&skill.id) {
                return false;
            }
        }
        def.max_chats < 0 || self.agent_load(agent) < def.max_chats
    }

    /// Offers every waiting, non-ringing chat (oldest first) to the eligible agent with the
    /// lowest load, ties to the agent listed first: deterministic, no randomness.
    pub fn route(&mut self, now: i64) {
        let mut waiting: Vec<(i64, usize, String)> = self
            .chat_order
            .iter()
            .enumerate()
            .filter_map(|(pos, id)| {
                let c = self.chats.get(id)?;
                (c.state == ChatState::Waiting && c.ringing.is_none())
                    .then(|| (c.queued_ms, pos, id.clone()))
            })
            .collect();
        waiting.sort();
        for (_, _, id) in waiting {
            let Some(chat) = self.chats.get(&id) else {
                continue;
            };
            let best = (0..self.world.agents.len())
                .filter(|&a| self.eligible(a, chat))
                .min_by_key(|&a| (self.agent_load(a), a));
            if let Some(agent) = best {
                let deadline = now.saturating_add(self.settings.ring_timeout_ms);
                if let Some(c) = self.chats.get_mut(&id) {
                    c.ringing = Some(Ring {
                        agent,
                        since_ms: now,
                        deadline_ms: deadline,
                    });
                }
            }
        }
    }

    /// Runs the timers due at `now`, then routes.
    pub fn tick(&mut self, now: i64) {
        let mut changed = false;
        // Unaccepted offers: the agent goes Away and the chat is requeued (system message 23).
        let mut away = Vec::new();
        for id in &self.chat_order {
            let Some(c) = self.chats.get_mut(id) else {
                continue;
            };
            if let Some(r) = c.ringing.filter(|r| now >= r.deadline_ms) {
                c.ringing = None;
                c.system_line(now, 23, "The chat has been requeued by the system.".into());
                away.push(r.agent);
                changed = true;
            }
        }
        for a in away {
            if let Some(rt) = self.agents.get_mut(a) {
                if rt.availability != "Offline" {
                    rt.availability = "Away".into();
                }
            }
        }
        // Visitor silence beyond chatTimeout ends the chat (system message 6).
        for id in &self.chat_order {
            let Some(c) = self.chats.get_mut(id) else {
                continue;
            };
            if c.state != ChatState::Ended
                && now - c.last_visitor_ms
                    > i64::try_from(c.chat_timeout_s)
                        .unwrap_or(i64::MAX)
                        .saturating_mul(1000)
            {
                c.ringing = None;
                c.system_line(
                    now,
                    6,
                    "The chat was disconnected because the visitor was inactive.".into(),
                );
                c.agent_typing = false;
                c.set_state(now, ChatState::Ended);
                changed = true;
            }
        }
        // Agent sessions without requests for the idle limit are logged out.
        let idle: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.alive && now - s.last_activity_ms > self.settings.agent_idle_ms)
            .map(|s| s.id.clone())
            .collect();
        for s in idle {
            self.end_session(now, &s, "idle");
        }
        if changed {
            self.route(now);
        }
    }
}
