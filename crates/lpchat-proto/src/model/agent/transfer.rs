//! Transfer of a chat: the skills it can go to (A23) and the request that moves it (A24).

use serde::{Deserialize, Serialize};

use crate::codec::Resource;
use crate::model::ids::{AgentId, SkillId};
use crate::model::wire_struct::wire_struct;

wire_struct! {
    /// A skill a chat can be transferred to (A23 `skill`).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct TransferSkill {
        /// The skill id.
        pub id: SkillId,
        /// The skill's name.
        pub name: Option<String> as opt_string("name"),
        /// Agents of the skill online now (absent in the 2017 form).
        pub online_agents: Option<i64> as opt_int("onlineAgents"),
    }
}

wire_struct! {
    /// The skills a chat can be transferred to (A23 `GET …/chat/{c}/transfer`): those with at
    /// least one online agent not already in the chat. `<transfer/>` or `"transfer":""` when none.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct TransferSkills {
        /// The skills.
        pub skills: Vec<TransferSkill> as list("skill"),
    }
}

impl TransferSkills {
    /// The skill with this name (ignoring ASCII case).
    pub fn named(&self, name: &str) -> Option<&TransferSkill> {
        self.skills.iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// The skill with this id.
    pub fn find(&self, id: &SkillId) -> Option<&TransferSkill> {
        self.skills.iter().find(|s| &s.id == id)
    }
}

impl Resource for TransferSkills {
    const ROOT: &'static str = "transfer";
    const NAME: &'static str = "transfer-skills";
}

/// Where a transfer sends the chat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransferTarget {
    /// A skill (its queue); transferring to a skill with no available agent is an error.
    Skill(SkillId),
    /// An agent.
    Agent(AgentId),
}

/// The A24 request body: `{"transfer":{"skill":{"id":2},"text":"…"}}` or with
/// `"agent":{"id":6}`; XML `<transfer><skill><id>3</id></skill><text>…</text></transfer>`.
///
/// Reading follows the server's rules (spec A24): when both a skill and an agent are given
/// the agent wins and the skill is ignored; of several skills only the first counts. A body
/// with neither is an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTransfer", into = "RawTransfer")]
#[non_exhaustive]
pub struct TransferRequest {
    /// The skill or agent to transfer to.
    pub target: TransferTarget,
    /// A note for the receiving agent only.
    pub text: Option<String>,
}

impl TransferRequest {
    /// A transfer to a skill.
    pub fn to_skill(skill: impl Into<SkillId>) -> Self {
        TransferRequest {
            target: TransferTarget::Skill(skill.into()),
            text: None,
        }
    }

    /// A transfer to an agent.
    pub fn to_agent(agent: impl Into<AgentId>) -> Self {
        TransferRequest {
            target: TransferTarget::Agent(agent.into()),
            text: None,
        }
    }

    /// The same with a note for the receiving agent.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}

impl Resource for TransferRequest {
    const ROOT: &'static str = "transfer";
    const NAME: &'static str = "request-transfer";
}

wire_struct! {
    /// `{"id": …}`, the shape of both targets.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct IdRef {
        id: String as string("id"),
    }
}

/// Writes a one-target list as the bare object the docs show (`"skill":{"id":2}`).
fn first<S: serde::Serializer>(items: &[IdRef], s: S) -> Result<S::Ok, S::Error> {
    match items.first() {
        Some(item) => item.serialize(s),
        None => s.serialize_none(),
    }
}

wire_struct! {
    /// The wire form of a transfer request: everything a body may hold.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct RawTransfer {
        skill: Vec<IdRef> as list("skill", serialize_with = "first"),
        agent: Vec<IdRef> as list("agent", serialize_with = "first"),
        text: Option<String> as opt_string("text"),
    }
}

impl TryFrom<RawTransfer> for TransferRequest {
    type Error = &'static str;

    fn try_from(raw: RawTransfer) -> Result<Self, Self::Error> {
        let agent = raw.agent.into_iter().next();
        let skill = raw.skill.into_iter().next();
        let target = match (agent, skill) {
            (Some(agent), _) => TransferTarget::Agent(AgentId(agent.id)),
            (None, Some(skill)) => TransferTarget::Skill(SkillId(skill.id)),
            (None, None) => return Err("a transfer needs a skill or an agent"),
        };
        Ok(TransferRequest {
            target,
            text: raw.text,
        })
    }
}

impl From<TransferRequest> for RawTransfer {
    fn from(request: TransferRequest) -> Self {
        let (skill, agent) = match request.target {
            TransferTarget::Skill(id) => (vec![IdRef { id: id.0 }], Vec::new()),
            TransferTarget::Agent(id) => (Vec::new(), vec![IdRef { id: id.0 }]),
        };
        RawTransfer {
            skill,
            agent,
            text: request.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn json<T: Resource>(s: &str) -> T {
        decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
    }

    fn xml<T: Resource>(s: &str) -> T {
        decode(Format::Xml, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn skills_in_every_shape() {
        let s: TransferSkills = json(
            r#"{"transfer":{"skill":[{"id":"25975313","name":"Sales","onlineAgents":"1"},{"id":26060413,"name":"Billing","onlineAgents":1}]}}"#,
        );
        assert_eq!(s.skills.len(), 2);
        assert_eq!(s.named("billing").map(|x| x.online_agents), Some(Some(1)));
        assert_eq!(
            s.find(&SkillId::from("25975313"))
                .and_then(|x| x.name.as_deref()),
            Some("Sales")
        );
        let one: TransferSkills =
            xml("<transfer><skill><id>2</id><name>Sales</name></skill></transfer>");
        assert_eq!(one.skills[0].online_agents, None);
        assert_eq!(one.skills[0].id, SkillId::from("2"));
        assert!(json::<TransferSkills>(r#"{"transfer":""}"#)
            .skills
            .is_empty());
        assert!(xml::<TransferSkills>("<transfer/>").skills.is_empty());
    }

    #[test]
    fn requests_read_the_documented_forms() {
        let s: TransferRequest = json(r#"{"transfer":{"skill":{"id":2},"text":"help"}}"#);
        assert_eq!(s, TransferRequest::to_skill("2").with_text("help"));
        let a: TransferRequest = json(r#"{"transfer":{"agent":{"id":"6"}}}"#);
        assert_eq!(a, TransferRequest::to_agent("6"));
        let x: TransferRequest = xml("<transfer><skill><id>3</id></skill><text>This person needs your help.</text></transfer>");
        assert_eq!(x.target, TransferTarget::Skill(SkillId::from("3")));
    }

    #[test]
    fn agent_wins_and_the_first_skill_counts() {
        let both: TransferRequest = json(r#"{"transfer":{"skill":{"id":"2"},"agent":{"id":"6"}}}"#);
        assert_eq!(both.target, TransferTarget::Agent(AgentId::from("6")));
        let many: TransferRequest =
            xml("<transfer><skill><id>3</id></skill><skill><id>4</id></skill></transfer>");
        assert_eq!(many.target, TransferTarget::Skill(SkillId::from("3")));
        assert!(decode::<TransferRequest>(
            Format::Json,
            br#"{"transfer":{"text":"x"}}"#,
            &Limits::default()
        )
        .is_err());
        assert!(
            decode::<TransferRequest>(Format::Xml, b"<transfer/>", &Limits::default()).is_err()
        );
    }

    #[test]
    fn requests_encode_as_documented() {
        let r = TransferRequest::to_skill("2")
            .with_text("I think this person needs some help from you.");
        assert_eq!(
            &encode(Format::Json, &r).unwrap()[..],
            br#"{"transfer":{"skill":{"id":"2"},"text":"I think this person needs some help from you."}}"#
        );
        assert_eq!(
            &encode(Format::Xml, &TransferRequest::to_agent("6")).unwrap()[..],
            b"<transfer><agent><id>6</id></agent></transfer>"
        );
    }
}
