//! Surveys: the structure of the agent (post-chat) survey (A26) and of the visitor's
//! pre-chat (V5), offline (V6) and exit (V17) surveys, which share one shape, and the body
//! that submits answers (A27, V7, V17 PUT, and the pre-chat answers inside a chat request).
//!
//! Survey attributes arrive plain (`"id":"40216"`, spec §3.1.4) or `@`-prefixed; scalars are
//! strings in the pre-chat and offline examples and real numbers/booleans in the exit
//! survey's JSON. Both are read; `@`-keys are written, so that XML gets its attributes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ids::SurveyId;
use super::link::Link;
use super::wire_enum::wire_enum;
use super::wire_struct::wire_struct;
use crate::codec::{lenient, Resource};

wire_enum! {
    /// How a survey question is asked (spec §9.6).
    pub enum QuestionType {
        /// A drop-down list of entries.
        DropdownBox = "Dropdown Box",
        /// Check boxes: several entries may be chosen.
        Checkbox = "Checkbox",
        /// Radio buttons laid out side by side.
        RadioButtonSideBySide = "Radio Button (side by side)",
        /// Radio buttons.
        RadioButton = "Radio Button",
        /// A one-line text field.
        TextField = "Text Field",
        /// A multi-line text area.
        TextArea = "Text Area",
    }
}

impl QuestionType {
    /// Whether the answer is chosen among the question's entries (rather than typed).
    pub fn has_entries(&self) -> bool {
        matches!(
            self,
            QuestionType::DropdownBox
                | QuestionType::Checkbox
                | QuestionType::RadioButtonSideBySide
                | QuestionType::RadioButton
        )
    }

    /// Whether several entries may be chosen (the answer is then a list).
    pub fn is_multi_select(&self) -> bool {
        matches!(self, QuestionType::Checkbox)
    }
}

wire_enum! {
    /// What a typed answer must look like (spec §9.6).
    pub enum ValidationType {
        /// Letters and digits (any text in practice).
        AlphaNumeric = "alpha_numeric",
        /// A number.
        Numeric = "numeric",
        /// An e-mail address.
        Email = "email",
    }
}

crate::wrapped_list!(mod question_list = "question");

wire_struct! {
    /// A survey's structure (A26, V5, V6, V17 GET).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Survey {
        /// The survey's id.
        pub id: Option<SurveyId> as opt("@id" | "id"),
        /// Links, should a server send any (none documented).
        pub links: Vec<Link> as list("link"),
        /// The title (empty in every example).
        pub title: Option<String> as opt_string("title"),
        /// Text shown above the questions.
        pub header: Option<String> as opt_string("header"),
        /// The questions (`questions.question`), in the order the server sent them; see
        /// [`Question::order`] for the display order.
        pub questions: Vec<Question> as list("questions", with = "question_list"),
    }
}

impl Survey {
    /// The questions in display order (by `order`, questions without one last, stable).
    pub fn questions_in_order(&self) -> Vec<&Question> {
        let mut out: Vec<&Question> = self.questions.iter().collect();
        out.sort_by_key(|q| q.order.unwrap_or(i64::MAX));
        out
    }

    /// The question with this id.
    pub fn question(&self, id: &SurveyId) -> Option<&Question> {
        self.questions.iter().find(|q| q.id.as_ref() == Some(id))
    }
}

impl Resource for Survey {
    const ROOT: &'static str = "survey";
    const NAME: &'static str = "survey";
}

wire_struct! {
    /// A survey question.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Question {
        /// The question's id: what an answer refers to.
        pub id: Option<SurveyId> as opt("@id" | "id"),
        /// How it is asked; unknown types (`Star Rating`) are kept.
        pub question_type: Option<QuestionType> as opt("@type" | "type"),
        /// Whether an answer is required.
        pub mandatory: Option<bool> as opt_bool("@mandatory" | "mandatory"),
        /// Display position (from 0).
        pub order: Option<i64> as opt_int("@order" | "order"),
        /// This question's logic id: entries whose [`Entry::show_logic_ids`] name it reveal it.
        pub logic_id: Option<i64> as opt_int("@logicId" | "logicId"),
        /// What a typed answer must look like.
        pub validation_type: Option<ValidationType> as opt("@validationType" | "validationType"),
        /// The question's text.
        pub label: Option<String> as opt_string("label"),
        /// The visitor's previous answer (`""` when none; absent on questions that have entries).
        pub last_known_value: Option<String> as opt_string("lastKnownValue"),
        /// The choices of a drop-down, radio or check-box question.
        pub entries: Vec<Entry> as list("entry"),
    }
}

wire_struct! {
    /// A choice of a question.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Entry {
        /// The value to answer with.
        pub value: Option<String> as opt_string("value"),
        /// The text to show, when it differs from `value` (exit survey).
        pub display_value: Option<String> as opt_string("displayValue"),
        /// Whether the entry is pre-selected.
        pub checked: Option<bool> as opt_bool("checked"),
        /// Logic ids of the questions this entry reveals when chosen (`logic.showLogicId`).
        pub show_logic_ids: Vec<i64> as list("logic", with = "show_logic"),
    }
}

impl Entry {
    /// The text to show: `displayValue`, else `value`.
    pub fn display(&self) -> Option<&str> {
        self.display_value.as_deref().or(self.value.as_deref())
    }
}

/// `"logic":{"showLogicId":…}` with lenient integer ids (one or several).
mod show_logic {
    use super::*;

    struct Id(i64);

    impl<'de> Deserialize<'de> for Id {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            lenient::int(d).map(Id)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        lenient::wrapped::<D, Id>(d, "showLogicId")
            .map(|ids| ids.into_iter().map(|i| i.0).collect())
    }

    pub(super) fn serialize<S: Serializer>(ids: &[i64], s: S) -> Result<S::Ok, S::Error> {
        lenient::serialize_wrapped(ids, "showLogicId", s)
    }
}

wire_struct! {
    /// Answers to a survey (A27, V7, V17 PUT; inside a chat request, the pre-chat answers):
    /// `{"survey":{"id":…,"question":[{"id":…,"answer":…}]}}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct SurveyAnswers {
        /// The survey's id.
        pub id: Option<SurveyId> as opt("@id" | "id"),
        /// One entry per answered question.
        pub questions: Vec<Answer> as list("question"),
        /// Offline survey (V7): the visitor's monitoring id.
        pub le_tag_visitor_id: Option<String> as opt_string("LETagVisitorId"),
        /// Offline survey (V7): the monitoring session id.
        pub le_tag_session_id: Option<String> as opt_string("LETagSessionId"),
        /// Offline survey (V7): the monitoring context id.
        pub le_tag_context_id: Option<String> as opt_string("LETagContextId"),
        /// Offline survey (V7): the skill the message is for.
        pub skill: Option<String> as opt_string("skill"),
        /// Offline survey (V7): the visitor's browser.
        pub user_agent: Option<String> as opt_string("userAgent"),
    }
}

impl SurveyAnswers {
    /// Answers to the survey `id`, no question answered yet.
    pub fn new(id: impl Into<SurveyId>) -> Self {
        SurveyAnswers {
            id: Some(id.into()),
            ..SurveyAnswers::default()
        }
    }

    /// Adds the answer(s) to question `id` (several for a check-box question).
    pub fn answer<I, A>(mut self, id: impl Into<SurveyId>, answers: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<String>,
    {
        self.questions.push(Answer {
            id: id.into(),
            answers: answers.into_iter().map(Into::into).collect(),
        });
        self
    }
}

impl Resource for SurveyAnswers {
    const ROOT: &'static str = "survey";
    const NAME: &'static str = "request-survey";
}

wire_struct! {
    /// The answer(s) to one question. An empty list means "no answer": XML cannot tell an empty
    /// answer from none.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Answer {
        /// The question's id.
        #[serde(rename = "@id", alias = "id")]
        pub id: SurveyId,
        /// The answer; several for a multi-select question (repeated `<answer>`).
        pub answers: Vec<String> as list("answer", deserialize_with = "string_list"),
    }
}

/// A list of strings whose items may arrive as numbers or booleans.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    lenient::list::<D, lenient::Text>(d).map(|v| v.into_iter().map(|t| t.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn read<T: Resource>(format: Format, s: &str) -> T {
        decode(format, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn exit_survey_numbers_and_prechat_strings_agree() {
        let numbers: Survey = read(
            Format::Json,
            r#"{"survey":{"id":361348,"questions":{"question":[{"type":"Radio Button","validationType":"alpha_numeric","id":4991315,"logicId":1,"order":0,"mandatory":false,"label":"Transcript?","entry":[{"checked":false,"value":"yes","displayValue":"Yes"},{"checked":true,"value":1}]}]}}}"#,
        );
        let strings: Survey = read(
            Format::Json,
            r#"{"survey":{"@id":"361348","questions":{"question":{"@type":"Radio Button","@validationType":"alpha_numeric","@id":"4991315","@logicId":"1","@order":"0","@mandatory":"false","label":"Transcript?","entry":[{"checked":"false","value":"yes","displayValue":"Yes"},{"checked":"true","value":"1"}]}}}}"#,
        );
        assert_eq!(numbers, strings);
        let q = &numbers.questions[0];
        assert_eq!(q.question_type, Some(QuestionType::RadioButton));
        assert_eq!(q.validation_type, Some(ValidationType::AlphaNumeric));
        assert_eq!(q.mandatory, Some(false));
        assert_eq!(q.entries[0].display(), Some("Yes"));
        assert_eq!(q.entries[1].display(), Some("1"));
        assert_eq!(q.entries[1].checked, Some(true));
    }

    #[test]
    fn entry_logic_and_unknown_types() {
        let s: Survey = read(
            Format::Xml,
            r#"<survey id="41108"><header>H</header><questions>
            <question mandatory="true" order="2" logicId="5" id="26386685" validationType="phone" type="Star Rating">
            <label>L</label><entry><value>Yes</value><logic><showLogicId>6</showLogicId></logic></entry>
            <entry><value>No</value></entry></question>
            <question order="1" id="2" type="Radio Button (side by side)"/></questions></survey>"#,
        );
        let q = &s.questions[0];
        assert_eq!(
            q.question_type,
            Some(QuestionType::Unknown("Star Rating".into()))
        );
        assert_eq!(
            q.validation_type,
            Some(ValidationType::Unknown("phone".into()))
        );
        assert_eq!(q.entries[0].show_logic_ids, vec![6]);
        assert!(q.entries[1].show_logic_ids.is_empty());
        assert_eq!(
            s.questions[1].question_type,
            Some(QuestionType::RadioButtonSideBySide)
        );
        let ordered: Vec<_> = s.questions_in_order().iter().map(|q| q.order).collect();
        assert_eq!(ordered, vec![Some(1), Some(2)]);
        assert!(s.question(&SurveyId::from("2")).is_some());
        assert!(QuestionType::Checkbox.is_multi_select());
        assert!(!QuestionType::TextArea.has_entries());
    }

    #[test]
    fn answers_one_or_several() {
        let a: SurveyAnswers = read(
            Format::Xml,
            r#"<survey id="40292"><question id="1"><answer>a</answer></question><question id="2"><answer>b</answer><answer>c</answer></question></survey>"#,
        );
        let expected = SurveyAnswers::new("40292")
            .answer("1", ["a"])
            .answer("2", ["b", "c"]);
        assert_eq!(a, expected);
        let j: SurveyAnswers = read(
            Format::Json,
            r#"{"survey":{"id":40292,"question":[{"id":1,"answer":"a"},{"id":2,"answer":["b","c"]}]}}"#,
        );
        assert_eq!(j, expected);
        assert_eq!(
            &encode(Format::Xml, &expected).unwrap()[..],
            br#"<survey id="40292"><question id="1"><answer>a</answer></question><question id="2"><answer>b</answer><answer>c</answer></question></survey>"#
        );
    }
}
