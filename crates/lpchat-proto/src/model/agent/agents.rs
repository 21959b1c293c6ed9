//! Available agents (A7): every non-disabled agent of the account, online or not.

use serde::{Deserialize, Serialize};

use super::availability::{opt_state, AgentState};
use crate::codec::Resource;
use crate::model::ids::{AgentId, SkillId};
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::time::EpochMillis;
use crate::model::wire_struct::wire_struct;

crate::wrapped_list!(mod agent_list = "agent");
crate::wrapped_list!(mod skill_list = "skill");

wire_struct! {
    /// One agent of the account (A7 `agent`). Its attributes arrive as `@id` or `id`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AvailableAgent {
        /// The agent's user id.
        #[serde(rename = "@id", alias = "id")]
        pub id: AgentId,
        /// Chat state; numeric on the wire here (`4` = Away), read in either form.
        pub chat_state: Option<AgentState>
            as opt("@chatState" | "chatState", deserialize_with = "opt_state"),
        /// Voice state, in the same forms.
        pub voice_state: Option<AgentState>
            as opt("@voiceState" | "voiceState", deserialize_with = "opt_state"),
        /// Most chats at once; `-1` = unlimited.
        pub max_chats: Option<i64> as opt_int("@maxChats" | "maxChats"),
        /// Login name.
        pub user_name: Option<String> as opt_string("userName"),
        /// The name visitors see.
        pub nickname: Option<String> as opt_string("nickname"),
        /// E-mail address.
        pub email: Option<String> as opt_string("email"),
        /// The agent's privilege group (`administrators`, `Agents`).
        pub privilege_group: Option<String> as opt_string("privilegeGroup"),
        /// Ids of the agent's skills (`"skills":{"skill":["2","4"]}`).
        pub skills: Vec<SkillId> as list("skills", with = "skill_list"),
        /// Chats the agent has now; the server leaves it out when there are none.
        pub chats: Option<i64> as opt_int("chats"),
    }
}

impl AvailableAgent {
    /// Whether the agent's chat state is `Online`.
    pub fn is_online(&self) -> bool {
        self.chat_state.as_ref().is_some_and(AgentState::is_online)
    }

    /// Chats the agent has now (an absent `chats` means none).
    pub fn chat_count(&self) -> i64 {
        self.chats.unwrap_or(0)
    }

    /// Whether `max_chats` says unlimited (`-1`).
    pub fn has_unlimited_chats(&self) -> bool {
        self.max_chats == Some(-1)
    }

    /// Whether the agent is online and below its chat limit (unknown limit counts as room).
    pub fn has_room(&self) -> bool {
        self.is_online()
            && match self.max_chats {
                Some(max) if max >= 0 => self.chat_count() < max,
                _ => true,
            }
    }

    /// Whether the agent has the skill.
    pub fn has_skill(&self, skill: &SkillId) -> bool {
        self.skills.contains(skill)
    }
}

wire_struct! {
    /// The agents of the account (A7) and the `next` link to ask for changes since this answer.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AvailableAgents {
        /// The agents (`"agents":{"agent":[…]}`); `<agents/>` or `"agents":""` when none.
        pub agents: Vec<AvailableAgent> as list("agents", with = "agent_list"),
        /// `next` (`…/availableAgents?timeStamp=<epoch ms>`), for the following call.
        pub links: Vec<Link> as list("link"),
    }
}

impl AvailableAgents {
    /// The agents whose chat state is `Online`.
    pub fn online(&self) -> impl Iterator<Item = &AvailableAgent> {
        self.agents.iter().filter(|a| a.is_online())
    }

    /// The agents that have the skill.
    pub fn with_skill(&self, skill: &SkillId) -> impl Iterator<Item = &AvailableAgent> {
        let skill = skill.clone();
        self.agents.iter().filter(move |a| a.has_skill(&skill))
    }

    /// The agent with the id.
    pub fn find(&self, id: &AgentId) -> Option<&AvailableAgent> {
        self.agents.iter().find(|a| &a.id == id)
    }

    /// The `next` link's href.
    pub fn next_href(&self) -> Option<&str> {
        self.links.href(&Rel::Next)
    }

    /// The `timeStamp` of the `next` link: the time to pass to the following call.
    pub fn next_time_stamp(&self) -> Option<EpochMillis> {
        self.links
            .find_rel(&Rel::Next)?
            .query_param("timeStamp")?
            .trim()
            .parse::<i64>()
            .ok()
            .map(EpochMillis)
    }
}

impl Resource for AvailableAgents {
    const ROOT: &'static str = "availableAgents";
    const NAME: &'static str = "available-agents";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn json(s: &str) -> AvailableAgents {
        decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
    }

    fn xml(s: &str) -> AvailableAgents {
        decode(Format::Xml, s.as_bytes(), &Limits::default()).unwrap()
    }

    const DOC: &str = r#"{"availableAgents":{"agents":{"agent":[{"@chatState":"4","@id":"2","@maxChats":"-1","@voiceState":"1",
        "email":"test@test.com","nickname":"Agent1-Nickname","privilegeGroup":"administrators",
        "skills":{"skill":["2","4"]},"userName":"Agent1"}]},
        "link":{"@href":"https://webserver/api/account/20026006/agentSession/982759926/availableAgents?timeStamp=1331544926464","@rel":"next"}}}"#;

    #[test]
    fn documented_json_example() {
        let a = json(DOC);
        assert_eq!(a.agents.len(), 1);
        let agent = &a.agents[0];
        assert_eq!(agent.id, AgentId::from("2"));
        assert_eq!(agent.chat_state, Some(AgentState::Away));
        assert_eq!(agent.voice_state, Some(AgentState::Offline));
        assert_eq!(agent.max_chats, Some(-1));
        assert!(agent.has_unlimited_chats());
        assert_eq!(agent.skills, vec![SkillId::from("2"), SkillId::from("4")]);
        assert_eq!(agent.chats, None);
        assert_eq!(agent.chat_count(), 0);
        assert_eq!(a.next_time_stamp(), Some(EpochMillis(1_331_544_926_464)));
        assert_eq!(a.online().count(), 0);
    }

    #[test]
    fn bare_agent_bare_skill_plain_keys_and_numbers() {
        let a = json(
            r#"{"availableAgents":{"agents":{"agent":{"id":1000,"chatState":2,"voiceState":"online","maxChats":3,
            "userName":"Christopher Ben","skills":{"skill":"13"},"chats":"3"}}}}"#,
        );
        let agent = &a.agents[0];
        assert_eq!(agent.id.as_str(), "1000");
        assert_eq!(agent.chat_state, Some(AgentState::Online));
        assert_eq!(agent.voice_state, Some(AgentState::Online));
        assert_eq!(agent.skills, vec![SkillId::from("13")]);
        assert_eq!(agent.chats, Some(3));
        assert!(!agent.has_room());
        assert_eq!(a.next_time_stamp(), None);
    }

    #[test]
    fn documented_xml_example_and_empty_containers() {
        let a = xml(r#"<availableAgents><agents>
            <agent id="1000" chatState="1" voiceState="1" maxChats="3">
              <userName>Christopher Ben</userName><nickname>Christopher</nickname><email>test@test.com</email>
              <privilegeGroup>Test operators</privilegeGroup><skills><skill>1</skill><skill>13</skill></skills><chats>3</chats>
            </agent></agents>
            <link href="https://webserver/a/availableAgents?timeStamp=1322077963361" rel="next"/>
            </availableAgents>"#);
        assert_eq!(a.agents[0].chat_state, Some(AgentState::Offline));
        assert_eq!(a.agents[0].skills.len(), 2);
        assert_eq!(a.agents[0].chats, Some(3));
        assert_eq!(a.next_time_stamp(), Some(EpochMillis(1_322_077_963_361)));
        let empty = xml(
            r#"<availableAgents><agents/><link rel="next" href="h?timeStamp=1"/></availableAgents>"#,
        );
        assert!(empty.agents.is_empty());
        let empty = json(r#"{"availableAgents":{"agents":"","link":{"rel":"next","href":"h"}}}"#);
        assert!(empty.agents.is_empty());
        let no_skills = json(r#"{"availableAgents":{"agents":{"agent":{"@id":"1","skills":""}}}}"#);
        assert!(no_skills.agents[0].skills.is_empty());
    }

    #[test]
    fn unknown_states_are_kept_and_written_back() {
        let a = json(
            r#"{"availableAgents":{"agents":{"agent":[{"@id":"2","@chatState":"7","@voiceState":"Busy","@newAttr":"x"}]}}}"#,
        );
        assert_eq!(
            a.agents[0].chat_state,
            Some(AgentState::Unknown("7".into()))
        );
        assert_eq!(
            a.agents[0].voice_state,
            Some(AgentState::Unknown("Busy".into()))
        );
        let xml_body = encode(Format::Xml, &a).unwrap();
        assert_eq!(
            std::str::from_utf8(&xml_body).unwrap(),
            r#"<availableAgents><agents><agent chatState="7" id="2" voiceState="Busy"/></agents></availableAgents>"#
        );
    }

    #[test]
    fn helpers_select_agents() {
        let a = json(
            r#"{"availableAgents":{"agents":{"agent":[
            {"@id":"1","@chatState":"2","@maxChats":"2","chats":"2","skills":{"skill":["7"]}},
            {"@id":"2","@chatState":"Online","@maxChats":"-1","chats":"5"},
            {"@id":"3","@chatState":"3","skills":{"skill":["7"]}}]}}}"#,
        );
        let online: Vec<_> = a.online().map(|x| x.id.as_str()).collect();
        assert_eq!(online, ["1", "2"]);
        assert!(!a.agents[0].has_room());
        assert!(a.agents[1].has_room());
        let skilled: Vec<_> = a
            .with_skill(&SkillId::from("7"))
            .map(|x| x.id.as_str())
            .collect();
        assert_eq!(skilled, ["1", "3"]);
        assert_eq!(
            a.find(&AgentId::from("3"))
                .and_then(|x| x.chat_state.clone()),
            Some(AgentState::Occupied)
        );
    }
}
