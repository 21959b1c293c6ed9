//! End-to-end, agent and visitor in chats: incoming requests and accept, two chats polled
//! through one multi-chat request, the chat resource, events, info, participant info, a
//! raw GET, visitor name and typing both ways, lines in plain, html, rich content and
//! `ONLY_TO_REP` (what the visitor sees and does not see), chat sessions, transfer skills,
//! transfer to a skill and to an agent, the agent survey, the end by agent and by visitor,
//! the visitor's exit survey and transcript; in JSON and XML.

use crate::common::{self, both_formats, eventually, wait_for};
use crate::support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lpchat::proto::model::chat::{SubType, TextType, TypingState};
use lpchat::proto::model::visitor::ConversationRequest;
use lpchat::proto::model::{AgentId, ChatRequest, LinksExt, Rel, SurveyAnswers, TransferRequest};
use lpchat::proto::ops;
use lpchat::{AgentState, ChatId, Events, Format, MachineEvent, NewEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chats_lines_typing_transfers_surveys_and_ends() {
    both_formats(scenario).await;
}

fn line(text: &str, text_type: TextType, sub_type: Option<SubType>) -> NewEvent {
    NewEvent::Line {
        text: text.into(),
        text_type,
        sub_type,
        json: None,
    }
}

/// Waits until `chat`'s information shows `pred`.
async fn info_shows(
    events: &mut Events,
    chat: &ChatId,
    pred: impl Fn(&lpchat::proto::model::ChatInfo) -> bool,
) {
    wait_for(
        events,
        |e| matches!(e, MachineEvent::InfoUpdated { chat: c, info } if c == chat && pred(info)),
    )
    .await;
}

async fn scenario(format: Format) {
    let (emu, client) = common::setup(51, format).await;
    // agent1 takes the chats; agent2 (Occupied: transferred chats only) and agent3
    // (Billing) are the transfer targets and take what rings for them.
    let (agent1, mut events1) = common::agent(&client, support::agent1(), |c| c).await;
    let (agent2, mut events2) = common::agent(
        &client,
        lpchat::Credentials::User(lpchat::UserPassword::new("agent2", "password")),
        |c| {
            c.with_auto_accept(true)
                .with_initial_availability(Some(AgentState::Occupied))
        },
    )
    .await;
    let (agent3, mut events3) = common::agent(
        &client,
        lpchat::Credentials::User(lpchat::UserPassword::new("agent3", "password")),
        |c| c.with_auto_accept(true),
    )
    .await;
    wait_for(&mut events2, |e| {
        matches!(e, MachineEvent::AvailabilityChanged(AgentState::Occupied))
    })
    .await;

    // What agent1's per-type handlers see.
    let offered = Arc::new(AtomicUsize::new(0));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let lines = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(Mutex::new(Vec::new()));
    {
        let (offered, taken, lines) = (offered.clone(), taken.clone(), lines.clone());
        agent1
            .handlers()
            .on_chat_offered(move |_| {
                offered.fetch_add(1, Ordering::SeqCst);
            })
            .on_chat_accepted(move |c| taken.lock().unwrap().push(c.clone()))
            .on_chat_event(move |_, e| {
                if e.line().is_some() {
                    lines.fetch_add(1, Ordering::SeqCst);
                }
            });
        let ended = ended.clone();
        agent3
            .handlers()
            .on_chat_ended(move |c| ended.lock().unwrap().push(c.clone()));
    }

    // Visitor 1 is authenticated (V9), so its chat carries a participant id.
    let visitor = common::visitor(&client).await;
    let mut conversation = ConversationRequest::default();
    conversation.sso_key = Some("sso-code".into());
    let created = visitor
        .call(ops::CreateConversation::new(conversation))
        .await
        .unwrap();
    let mut request = ChatRequest::for_skill("Sales");
    request.conversation_id = created.href.rsplit('/').next().map(str::to_owned);
    let v1 = visitor.request_chat(request).await.unwrap();
    let mut v1_events = v1.events().unwrap();

    // Incoming requests and an explicit accept.
    wait_for(&mut events1, |e| {
        matches!(e, MachineEvent::ChatOffered { .. })
    })
    .await;
    assert!(agent1.incoming_requests().await.unwrap().is_ringing());
    let chat1 = agent1.accept_next().await.unwrap();
    assert_eq!(&chat1, v1.id());
    let (v2, mut v2_events) = common::visitor_chat(&visitor, "Sales").await;
    // The second chat is offered too, whether or not the count fell to 0 in between.
    wait_for(&mut events1, |e| {
        matches!(e, MachineEvent::ChatOffered { .. })
    })
    .await;
    assert!(agent1.incoming_requests().await.unwrap().is_ringing());
    let chat2 = agent1.accept_next().await.unwrap();
    assert_eq!(&chat2, v2.id());
    assert_eq!(agent1.chats().await.unwrap().len(), 2);
    assert_eq!(agent1.chat_sessions().await.unwrap().sessions.len(), 2);

    // Both chats are followed through one multi-chat poll: lines of each arrive.
    v1.send_line("one").await.unwrap();
    v2.send_line("two").await.unwrap();
    let mut heard = BTreeSet::new();
    while heard.len() < 2 {
        if let MachineEvent::ChatEvent { chat, event } = wait_for(
            &mut events1,
            |e| matches!(e, MachineEvent::ChatEvent { event, .. } if event.line().is_some()),
        )
        .await
        {
            let text = event.line().unwrap().text.clone();
            if (chat == chat1 && text == "one") || (chat == chat2 && text == "two") {
                heard.insert(text);
            }
        }
    }

    // The chat resource, its events and information; participant info; a raw GET.
    let resource = agent1.chat(&chat1, None).await.unwrap();
    assert!(resource.events.is_some_and(|e| !e.events.is_empty()));
    let events = agent1.chat_events(&chat1, None).await.unwrap();
    assert!(events
        .events
        .iter()
        .any(|e| e.line().is_some_and(|l| l.text == "one")));
    let info = agent1.chat_info(&chat1).await.unwrap();
    let participant = info.participant_id.clone().unwrap();
    agent1.participant_info(&participant).await.unwrap();
    let transfer_account = resource.links.href(&Rel::TransferAccount).unwrap();
    agent1.raw_get(transfer_account).await.unwrap();

    // Visitor name and typing, both ways; typing changes come as information updates.
    v1.set_name("Alice").unwrap();
    let name = eventually("visitor name", || async {
        let n = agent1.visitor_name(&chat1).await.unwrap();
        (n.0 == "Alice").then_some(n.0)
    })
    .await;
    assert_eq!(name, "Alice");
    v1.set_typing(true).unwrap();
    info_shows(&mut events1, &chat1, |i| {
        i.visitor_typing == Some(TypingState::Typing)
    })
    .await;
    assert!(agent1.visitor_typing(&chat1).await.unwrap().is_typing());
    agent1.set_typing(&chat1, true).await.unwrap();
    assert!(agent1.agent_typing(&chat1).await.unwrap().is_typing());
    info_shows(&mut v1_events, &chat1, |i| {
        i.agent_typing == Some(TypingState::Typing)
    })
    .await;
    assert!(v1.agent_typing().await.unwrap().is_typing());

    // Lines: plain, html, rich content, and a note only agents see.
    agent1
        .send(&chat1, line("plain line", TextType::Plain, None))
        .await
        .unwrap();
    agent1
        .send(&chat1, line("<b>html line</b>", TextType::Html, None))
        .await
        .unwrap();
    let rich = NewEvent::Line {
        text: String::new(),
        text_type: TextType::RichContent,
        sub_type: None,
        json: Some(
            serde_json::json!({"type": "vertical", "elements": [{"type": "text", "text": "rich"}]}),
        ),
    };
    agent1.send(&chat1, rich).await.unwrap();
    agent1
        .send(
            &chat1,
            line("agents only", TextType::Plain, Some(SubType::OnlyToRep)),
        )
        .await
        .unwrap();

    // The agent survey.
    let survey = agent1.agent_survey(&chat1).await.unwrap();
    let answers = SurveyAnswers::new(survey.id.clone().unwrap()).answer("26386685", ["Yes"]);
    agent1.submit_agent_survey(&chat1, answers).await.unwrap();

    // Transfers: chat 1 to the Billing skill (agent3 takes it), chat 2 to agent2.
    let skills = agent1.transfer_skills(&chat1).await.unwrap();
    assert!(
        skills
            .skills
            .iter()
            .any(|s| s.name.as_deref() == Some("Billing")),
        "{skills:?}"
    );
    agent1
        .transfer(
            &chat1,
            TransferRequest::to_skill("2").with_text("over to billing"),
        )
        .await
        .unwrap();
    assert_eq!(common::accepted(&mut events3).await, chat1);
    agent1
        .transfer(&chat2, TransferRequest::to_agent(AgentId::from("102")))
        .await
        .unwrap();
    assert_eq!(common::accepted(&mut events2).await, chat2);

    // agent3 ends chat 1; visitor 1 saw every line but the note.
    agent3.end_chat(&chat1).await.unwrap();
    let seen = common::lines_until_end(&mut v1_events).await;
    let texts: Vec<&str> = seen.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"plain line"), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("html line")), "{texts:?}");
    assert!(
        seen.iter().any(|l| l.json.is_some()),
        "rich content: {texts:?}"
    );
    assert!(!texts.contains(&"agents only"), "{texts:?}");
    assert!(!texts.contains(&"over to billing"), "{texts:?}");
    wait_for(
        &mut events3,
        |e| matches!(e, MachineEvent::ChatEnded { chat, .. } if *chat == chat1),
    )
    .await;

    // After the chat: the exit survey and the transcript.
    let exit = v1.exit_survey().await.unwrap();
    let answers = SurveyAnswers::new(exit.id.clone().unwrap()).answer("25245945", ["Very"]);
    v1.submit_exit_survey(answers).await.unwrap();
    v1.request_transcript("alice@example.com").await.unwrap();

    // Visitor 2 ends its chat; agent2 sees the end.
    v2.end().await.unwrap();
    wait_for(
        &mut events2,
        |e| matches!(e, MachineEvent::ChatEnded { chat, .. } if *chat == chat2),
    )
    .await;
    wait_for(&mut v2_events, |e| {
        matches!(e, MachineEvent::ChatEnded { .. })
    })
    .await;

    // The per-type handlers saw what the streams did: agent1 the offer, both accepts and
    // the lines; agent3 the end of chat 1.
    assert!(offered.load(Ordering::SeqCst) >= 1);
    assert_eq!(*taken.lock().unwrap(), vec![chat1.clone(), chat2.clone()]);
    assert!(lines.load(Ordering::SeqCst) >= 2);
    assert_eq!(*ended.lock().unwrap(), vec![chat1.clone()]);
    for session in [&agent1, &agent2, &agent3] {
        session.close().await.unwrap();
    }
    emu.shutdown().await;
}
