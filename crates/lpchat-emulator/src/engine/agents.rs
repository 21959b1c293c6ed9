//! Logins, agent sessions and availability.

use super::{AgentSession, ApiError, ChatState, Login, State};

/// Availability values an agent may set (spec §9.2).
const SETTABLE: [&str; 3] = ["Online", "Away", "Occupied"];

impl State {
    fn new_login(&mut self, now: i64, agent: usize) -> Login {
        let login = Login {
            id: self.ids.hex(32),
            agent,
            bearer: self.ids.hex(64),
            csrf: self.ids.hex(40),
            refreshed_ms: now,
            alive: true,
        };
        self.bearers.insert(login.bearer.clone(), login.id.clone());
        self.logins.insert(login.id.clone(), login.clone());
        login
    }

    /// User login (spec §7.2).
    pub fn login_password(
        &mut self,
        now: i64,
        username: &str,
        password: &str,
    ) -> Result<Login, ApiError> {
        let agent = self
            .world
            .agent_by_login(username)
            .filter(|&i| {
                self.world
                    .agents
                    .get(i)
                    .and_then(|a| a.password.as_ref())
                    .is_some_and(|p| p.expose() == password)
            })
            .ok_or_else(|| ApiError::unauthorized("Invalid username or password"))?;
        Ok(self.new_login(now, agent))
    }

    /// Application (API key) login (spec §7.2).
    pub fn login_app_key(
        &mut self,
        now: i64,
        username: &str,
        app_key: &str,
        secret: &str,
        access_token: &str,
        access_token_secret: &str,
    ) -> Result<Login, ApiError> {
        let agent = self
            .world
            .agent_by_login(username)
            .filter(|&i| {
                self.world
                    .agents
                    .get(i)
                    .and_then(|a| a.api_key.as_ref())
                    .is_some_and(|k| {
                        k.app_key == app_key
                            && k.secret.expose() == secret
                            && k.access_token == access_token
                            && k.access_token_secret.expose() == access_token_secret
                    })
            })
            .ok_or_else(|| ApiError::unauthorized("Invalid API key credentials"))?;
        Ok(self.new_login(now, agent))
    }

    fn live_login(&self, now: i64, id: &str) -> Result<&Login, ApiError> {
        let login = self
            .logins
            .get(id)
            .filter(|l| l.alive)
            .ok_or_else(|| ApiError::unauthorized("Login session not found"))?;
        if now - login.refreshed_ms > self.world.session_ttl_ms as i64 {
            return Err(ApiError::unauthorized("Login session expired"));
        }
        Ok(login)
    }

    /// The login and agent of a bearer, if it is alive and not expired.
    pub fn bearer_login(&self, now: i64, bearer: &str) -> Result<(String, usize), ApiError> {
        let id = self
            .bearers
            .get(bearer)
            .ok_or_else(|| ApiError::unauthorized("Invalid bearer token"))?;
        let login = self
            .live_login(now, id)
            .map_err(|_| ApiError::unauthorized("Bearer token expired"))?;
        Ok((login.id.clone(), login.agent))
    }

    fn check_csrf(
        &self,
        now: i64,
        session_id: Option<&str>,
        csrf: Option<&str>,
    ) -> Result<String, ApiError> {
        let sid = session_id.ok_or_else(|| ApiError::unauthorized("Session_id cookie missing"))?;
        let login = self.live_login(now, sid)?;
        if csrf != Some(login.csrf.as_str()) {
            return Err(ApiError::unauthorized(
                "CSRF token invalid! The CSRF token on request does not match the CSRF token on the session",
            ));
        }
        Ok(login.id.clone())
    }

    /// Refresh (spec §7.3): extends the bearer's life by `sessionTTl`.
    pub fn refresh(
        &mut self,
        now: i64,
        session_id: Option<&str>,
        csrf: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.check_csrf(now, session_id, csrf)?;
        if let Some(l) = self.logins.get_mut(&id) {
            l.refreshed_ms = now;
        }
        Ok(())
    }

    /// Logout (spec §7.3): the bearer dies and the agent sessions it opened end.
    pub fn logout(
        &mut self,
        now: i64,
        session_id: Option<&str>,
        csrf: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.check_csrf(now, session_id, csrf)?;
        if let Some(l) = self.logins.get_mut(&id) {
            l.alive = false;
            self.bearers.remove(&l.bearer);
        }
        let sessions: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.alive && s.login.as_deref() == Some(&id))
            .map(|s| s.id.clone())
            .collect();
        for s in sessions {
            self.end_session(now, &s, "logout");
        }
        Ok(())
    }

    /// Starts an agent session (A2).
    pub fn start_session(&mut self, now: i64, agent: usize, login: Option<String>) -> AgentSession {
        if !self.agent_logged_in(agent) {
            if let Some(rt) = self.agents.get_mut(agent) {
                rt.availability = self.settings.initial_availability.clone();
            }
        }
        let session = AgentSession {
            id: self.ids.digits(10),
            agent,
            login,
            cookie: self.ids.hex(32),
            last_activity_ms: now,
            alive: true,
            end_reason: None,
        };
        self.sessions.insert(session.id.clone(), session.clone());
        self.route(now);
        session
    }

    /// A live session of `agent`, touched (any request keeps it from idling out).
    pub fn session_for(
        &mut self,
        now: i64,
        id: &str,
        agent: usize,
    ) -> Result<&AgentSession, ApiError> {
        let s = self
            .sessions
            .get_mut(id)
            .filter(|s| s.agent == agent)
            .ok_or_else(|| ApiError::not_found(39, format!("agent session {id} not found")))?;
        if !s.alive {
            let why = s.end_reason.clone().unwrap_or_default();
            return Err(ApiError::not_found(
                39,
                format!("agent session {id} has ended ({why})"),
            ));
        }
        s.last_activity_ms = now;
        Ok(s)
    }

    /// Ends an agent session; when it was the agent's last, its chats go back to the queue
    /// (spec §5 A12) and the agent becomes Offline.
    pub fn end_session(&mut self, now: i64, id: &str, reason: &str) {
        let Some(s) = self.sessions.get_mut(id).filter(|s| s.alive) else {
            return;
        };
        s.alive = false;
        s.end_reason = Some(reason.to_owned());
        let agent = s.agent;
        if self.agent_logged_in(agent) {
            return;
        }
        if let Some(rt) = self.agents.get_mut(agent) {
            rt.availability = "Offline".into();
        }
        let ids: Vec<String> = self.chat_order.clone();
        for cid in ids {
            let Some(c) = self.chats.get_mut(&cid) else {
                continue;
            };
            if c.ringing.is_some_and(|r| r.agent == agent) {
                c.ringing = None;
            }
            if c.state == ChatState::Chatting && c.agent == Some(agent) {
                c.agent = None;
                c.agent_typing = false;
                c.target_agent = None;
                c.set_state(now, ChatState::Waiting);
                c.system_line(now, 23, "The chat has been requeued by the system.".into());
            }
        }
        self.route(now);
    }

    /// Sets availability (A6).
    pub fn set_availability(
        &mut self,
        now: i64,
        agent: usize,
        value: &str,
        reason: Option<String>,
    ) -> Result<(), ApiError> {
        if !SETTABLE.contains(&value) {
            return Err(ApiError::bad_request(format!(
                "invalid availability {value:?}; expected Online, Away or Occupied"
            )));
        }
        if let Some(rt) = self.agents.get_mut(agent) {
            rt.availability = value.to_owned();
            rt.chat_reason_id = reason;
        }
        self.route(now);
        Ok(())
    }

    /// Records an OAuth nonce; false when it was seen recently (replay).
    pub fn fresh_nonce(&mut self, key: String) -> bool {
        if self.nonces.contains(&key) {
            return false;
        }
        self.nonces.push_back(key);
        if self.nonces.len() > 4096 {
            self.nonces.pop_front();
        }
        true
    }
}
