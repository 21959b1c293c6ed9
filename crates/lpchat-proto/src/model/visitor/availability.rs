//! V2 availability and V4 estimated wait time: scalar roots.

use std::fmt;
use std::time::Duration;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codec::lenient::{self, BoolVisitor, ScalarVisitor};
use crate::codec::Resource;
use crate::model::wire_struct::wire_struct;

/// Whether a chat can be requested now (V2): `{"availability":true}` /
/// `<availability>true</availability>`.
///
/// The browser SDK, asking with a repeated `skill` parameter, reads a per-skill form instead
/// (`availability.AvailabilityForSkills.skillAvailability[]`, undocumented, OBS); both are read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VisitorAvailability {
    /// The documented answer: whether an agent is available (for the skill, queue or agent
    /// asked about; with `maxWaitTime=0`, available right now).
    Any(bool),
    /// The per-skill answer.
    PerSkill(Vec<SkillAvailability>),
}

impl Default for VisitorAvailability {
    fn default() -> Self {
        VisitorAvailability::Any(false)
    }
}

impl VisitorAvailability {
    /// Whether a chat can be requested: the answer, or for the per-skill form whether any
    /// skill is available.
    pub fn is_available(&self) -> bool {
        match self {
            VisitorAvailability::Any(b) => *b,
            VisitorAvailability::PerSkill(skills) => skills.iter().any(|s| s.is_available),
        }
    }

    /// The per-skill answers (empty for the documented form).
    pub fn skills(&self) -> &[SkillAvailability] {
        match self {
            VisitorAvailability::Any(_) => &[],
            VisitorAvailability::PerSkill(skills) => skills,
        }
    }

    /// Whether `skill` is available, if the per-skill form names it.
    pub fn skill(&self, skill: &str) -> Option<bool> {
        self.skills()
            .iter()
            .find(|s| s.skill == skill)
            .map(|s| s.is_available)
    }
}

wire_struct! {
    /// One skill of the per-skill availability form.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct SkillAvailability {
        /// The skill's name, as asked.
        pub skill: String as string("skill"),
        /// Whether it has an available agent.
        #[serde(rename = "isAvailable", deserialize_with = "lenient::boolean")]
        pub is_available: bool,
    }
}

impl SkillAvailability {
    /// A skill's availability.
    pub fn new(skill: impl Into<String>, is_available: bool) -> Self {
        SkillAvailability {
            skill: skill.into(),
            is_available,
        }
    }
}

const FOR_SKILLS: &str = "AvailabilityForSkills";
const SKILL_ITEM: &str = "skillAvailability";

/// `{"skillAvailability":[…]}` under `AvailabilityForSkills`.
struct ForSkills(Vec<SkillAvailability>);

impl<'de> Deserialize<'de> for ForSkills {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::wrapped(d, SKILL_ITEM).map(ForSkills)
    }
}

struct ForSkillsRef<'a>(&'a [SkillAvailability]);

impl Serialize for ForSkillsRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        lenient::serialize_wrapped(self.0, SKILL_ITEM, s)
    }
}

/// A list of skill answers given directly under `skillAvailability`.
struct SkillList(Vec<SkillAvailability>);

impl<'de> Deserialize<'de> for SkillList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::list(d).map(SkillList)
    }
}

impl Serialize for VisitorAvailability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            VisitorAvailability::Any(b) => s.serialize_bool(*b),
            VisitorAvailability::PerSkill(skills) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(FOR_SKILLS, &ForSkillsRef(skills))?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for VisitorAvailability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AvailabilityVisitor)
    }
}

struct AvailabilityVisitor;

impl<'de> Visitor<'de> for AvailabilityVisitor {
    type Value = VisitorAvailability;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean or a per-skill availability")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(VisitorAvailability::Any(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        BoolVisitor.visit_i64(v).map(VisitorAvailability::Any)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        BoolVisitor.visit_u64(v).map(VisitorAvailability::Any)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        BoolVisitor.read_text(v).map(VisitorAvailability::Any)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut skills = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key.eq_ignore_ascii_case(FOR_SKILLS) {
                skills.extend(map.next_value::<ForSkills>()?.0);
            } else if key == SKILL_ITEM {
                skills.extend(map.next_value::<SkillList>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(VisitorAvailability::PerSkill(skills))
    }
}

impl Resource for VisitorAvailability {
    const ROOT: &'static str = "availability";
    const NAME: &'static str = "visitor-availability";
}

/// The estimated wait for a chat, in seconds (V4): `{"estimatedWaitTime":26}`. Negative
/// values are codes; read them with [`EstimatedWaitTime::estimate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EstimatedWaitTime(pub i64);

/// What an estimated wait time says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitEstimate {
    /// `0`: an agent is free now.
    FreeNow,
    /// About this long (a statistical estimate).
    Wait(Duration),
    /// `-1`: nobody is online, or the service is unavailable.
    NobodyOnline,
    /// `-2`: not enough data to estimate.
    NotEnoughData,
    /// Another negative value (undocumented), as it came.
    Unknown(i64),
}

impl EstimatedWaitTime {
    /// The estimate, with the codes told apart.
    pub fn estimate(&self) -> WaitEstimate {
        match self.0 {
            0 => WaitEstimate::FreeNow,
            -1 => WaitEstimate::NobodyOnline,
            -2 => WaitEstimate::NotEnoughData,
            n => match u64::try_from(n) {
                Ok(secs) => WaitEstimate::Wait(Duration::from_secs(secs)),
                Err(_) => WaitEstimate::Unknown(n),
            },
        }
    }

    /// The wait as a duration (zero when an agent is free), `None` for the codes.
    pub fn duration(&self) -> Option<Duration> {
        u64::try_from(self.0).ok().map(Duration::from_secs)
    }
}

impl Serialize for EstimatedWaitTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for EstimatedWaitTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::int(d).map(EstimatedWaitTime)
    }
}

impl Resource for EstimatedWaitTime {
    const ROOT: &'static str = "estimatedWaitTime";
    const NAME: &'static str = "estimated-wait-time";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn read<T: Resource>(format: Format, s: &str) -> T {
        decode(format, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn availability_scalar_in_every_spelling() {
        for (f, body, want) in [
            (Format::Json, r#"{"availability":true}"#, true),
            (Format::Json, r#"{"availability":"false"}"#, false),
            (Format::Json, r#"{"availability":1}"#, true),
            (Format::Xml, "<availability>true</availability>", true),
            (Format::Xml, "<availability> FALSE </availability>", false),
        ] {
            let a: VisitorAvailability = read(f, body);
            assert_eq!(a, VisitorAvailability::Any(want), "{body}");
            assert_eq!(a.is_available(), want);
        }
        assert!(decode::<VisitorAvailability>(
            Format::Json,
            br#"{"availability":"maybe"}"#,
            &Limits::default()
        )
        .is_err());
    }

    #[test]
    fn per_skill_form() {
        let j: VisitorAvailability = read(
            Format::Json,
            r#"{"availability":{"AvailabilityForSkills":{"skillAvailability":[{"skill":"Sales","isAvailable":true},{"skill":"Billing","isAvailable":"false"}]}}}"#,
        );
        let x: VisitorAvailability = read(
            Format::Xml,
            "<availability><AvailabilityForSkills><skillAvailability><skill>Sales</skill><isAvailable>true</isAvailable></skillAvailability><skillAvailability><skill>Billing</skill><isAvailable>false</isAvailable></skillAvailability></AvailabilityForSkills></availability>",
        );
        assert_eq!(j, x);
        assert!(j.is_available());
        assert_eq!(j.skill("Billing"), Some(false));
        assert_eq!(j.skill("Other"), None);
        let one: VisitorAvailability = read(
            Format::Json,
            r#"{"availability":{"AvailabilityForSkills":{"skillAvailability":{"skill":"Billing","isAvailable":false}}}}"#,
        );
        assert!(!one.is_available());
        assert_eq!(one.skills().len(), 1);
        assert_eq!(
            &encode(Format::Json, &one).unwrap()[..],
            br#"{"availability":{"AvailabilityForSkills":{"skillAvailability":[{"skill":"Billing","isAvailable":false}]}}}"#
        );
    }

    #[test]
    fn wait_time_codes() {
        let w: EstimatedWaitTime = read(Format::Xml, "<estimatedWaitTime>26</estimatedWaitTime>");
        assert_eq!(w.estimate(), WaitEstimate::Wait(Duration::from_secs(26)));
        assert_eq!(w.duration(), Some(Duration::from_secs(26)));
        let s: EstimatedWaitTime = read(Format::Json, r#"{"estimatedWaitTime":"-2"}"#);
        assert_eq!(s.estimate(), WaitEstimate::NotEnoughData);
        assert_eq!(s.duration(), None);
        assert_eq!(EstimatedWaitTime(0).estimate(), WaitEstimate::FreeNow);
        assert_eq!(EstimatedWaitTime(0).duration(), Some(Duration::ZERO));
        assert_eq!(EstimatedWaitTime(-1).estimate(), WaitEstimate::NobodyOnline);
        assert_eq!(EstimatedWaitTime(-7).estimate(), WaitEstimate::Unknown(-7));
        assert_eq!(
            &encode(Format::Json, &EstimatedWaitTime(-1)).unwrap()[..],
            br#"{"estimatedWaitTime":-1}"#
        );
    }
}
