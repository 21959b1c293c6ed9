//! The fixed surveys of the emulated account (agent, pre-chat, offline, exit) and the
//! checking of submitted answers.

use crate::engine::ApiError;
use crate::quirks::{resource, Render};
use crate::wire::read::{as_list, get, get_str, scalar_text};
use crate::wire::{Elem, Scalar};

/// A question of a survey.
#[derive(Debug, Clone)]
pub struct Question {
    /// Question id.
    pub id: i64,
    /// Label.
    pub label: &'static str,
    /// Type (spec §9.6).
    pub kind: &'static str,
    /// Must be answered.
    pub mandatory: bool,
    /// Choices for list-like types.
    pub entries: &'static [&'static str],
}

/// A survey.
#[derive(Debug, Clone)]
pub struct Survey {
    /// Survey id.
    pub id: i64,
    /// Header.
    pub header: &'static str,
    /// Questions in order.
    pub questions: Vec<Question>,
}

/// Which survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Agent post-chat survey (A26).
    Agent,
    /// Pre-chat survey (V5).
    PreChat,
    /// Offline survey (V6); one question, so its JSON shows the one-item list quirk.
    Offline,
    /// Exit survey (V17).
    Exit,
}

/// The survey of `kind`.
pub fn survey(kind: Kind) -> Survey {
    let q = |id, label, kind, mandatory, entries| Question {
        id,
        label,
        kind,
        mandatory,
        entries,
    };
    match kind {
        Kind::Agent => Survey {
            id: 41108,
            header: "Agent Survey",
            questions: vec![
                q(
                    26386685,
                    "Was the issue resolved?",
                    "Radio Button",
                    true,
                    &["Yes", "No"],
                ),
                q(26386686, "Notes", "Text Area", false, &[]),
            ],
        },
        Kind::PreChat => Survey {
            id: 40216,
            header: "Pre-Chat Survey",
            questions: vec![
                q(13387460, "Your name", "Text Field", true, &[]),
                q(
                    13387461,
                    "Topic",
                    "Dropdown Box",
                    false,
                    &["Sales", "Billing"],
                ),
            ],
        },
        Kind::Offline => Survey {
            id: 361346,
            header: "Offline Survey",
            questions: vec![q(4991310, "Leave us a message", "Text Area", true, &[])],
        },
        Kind::Exit => Survey {
            id: 40292,
            header: "Exit Survey",
            questions: vec![
                q(
                    25245945,
                    "How satisfied are you?",
                    "Radio Button",
                    true,
                    &["Very", "Somewhat", "Not at all"],
                ),
                q(25245946, "Comments", "Text Area", false, &[]),
            ],
        },
    }
}

/// The wire tree of a survey. Surveys are written without `@` by default; the exit survey
/// uses real numbers and booleans as its documented JSON does.
pub fn render(r: Render<'_>, s: &Survey) -> Elem {
    let exit = r.resource == resource::EXIT_SURVEY;
    let flag = |b: bool| {
        if exit {
            Scalar::Bool(b)
        } else {
            Scalar::Str(b.to_string())
        }
    };
    let questions = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let entries = q
                .entries
                .iter()
                .map(|e| {
                    let el = Elem::new("entry").field("value", *e);
                    if exit {
                        el.field("checked", Scalar::Bool(false))
                            .field("displayValue", *e)
                    } else {
                        el
                    }
                })
                .collect();
            Elem::new("question")
                .attr("mandatory", flag(q.mandatory))
                .attr("order", r.num_attr("order", i as i64))
                .attr("logicId", r.num_attr("logicId", i as i64 + 1))
                .attr("id", r.num_attr("id", q.id))
                .attr("validationType", "alpha_numeric")
                .attr("type", q.kind)
                .field("label", q.label)
                .list("entry", entries)
        })
        .collect();
    Elem::new("survey")
        .attr("id", r.num_attr("id", s.id))
        .field("header", s.header)
        .child(Elem::new("questions").list("question", questions))
}

/// Checks a submitted `survey` body: the id must match and every mandatory question
/// must have an answer; unknown question ids are refused.
pub fn check(s: &Survey, body: &serde_json::Value) -> Result<(), ApiError> {
    let id = get_str(body, "id").ok_or_else(|| ApiError::bad_request("survey id is required"))?;
    if id != s.id.to_string() {
        return Err(ApiError::bad_request(format!("unknown survey id {id}")));
    }
    let mut answered = Vec::new();
    for q in as_list(get(body, "question")) {
        let qid =
            get_str(q, "id").ok_or_else(|| ApiError::bad_request("question id is required"))?;
        let known = s.questions.iter().find(|k| k.id.to_string() == qid);
        let known =
            known.ok_or_else(|| ApiError::bad_request(format!("unknown question id {qid}")))?;
        let has_answer = as_list(get(q, "answer"))
            .iter()
            .any(|a| scalar_text(a).is_some_and(|t| !t.is_empty()));
        if has_answer {
            answered.push(known.id);
        }
    }
    if let Some(missing) = s
        .questions
        .iter()
        .find(|q| q.mandatory && !answered.contains(&q.id))
    {
        return Err(ApiError::bad_request(format!(
            "mandatory question {} has no answer",
            missing.id
        )));
    }
    Ok(())
}
