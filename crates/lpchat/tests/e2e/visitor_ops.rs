//! End-to-end, the visitor side: availability, slots, wait time, the pre-chat and offline
//! surveys, and the info keepalive that holds a quiet chat past the visitor timeout; in
//! JSON and XML.

use crate::common::{self, both_formats};
use crate::support;

use std::time::Duration;

use lpchat::proto::model::{ChatRequest, EngagementRequest, SurveyAnswers};
use lpchat_emulator::engine::ChatState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_availability_slots_wait_time_and_surveys() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(61, format).await;
        let visitor = common::visitor(&client).await;
        // Nobody logged in: not available, no slots, nobody to wait for.
        assert!(!visitor
            .availability(Some("Sales"))
            .await
            .unwrap()
            .is_available());
        assert_eq!(visitor.wait_time().await.unwrap().0, -1);
        let offline = visitor.offline_survey().await.unwrap();
        let answers =
            SurveyAnswers::new(offline.id.clone().unwrap()).answer("4991310", ["call me back"]);
        visitor.submit_offline_survey(answers).await.unwrap();

        let (agent, _events) = common::agent(&client, support::agent1(), |c| c).await;
        assert!(visitor
            .availability(Some("Sales"))
            .await
            .unwrap()
            .is_available());
        assert_eq!(visitor.available_slots(Some("Sales")).await.unwrap().0, 3);
        assert_eq!(visitor.wait_time().await.unwrap().0, 0);
        let pre = visitor.pre_chat_survey().await.unwrap();
        assert!(pre.id.is_some());
        agent.close().await.unwrap();
        emu.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_info_keepalive_holds_a_quiet_chat_past_the_visitor_timeout() {
    both_formats(|format| async move {
        // The visitor timeout is 40 emulated seconds: 4 s real. Both chats poll at their
        // start and then every 8 s real; one reads the chat information every 1 s (10
        // emulated seconds: well inside the timeout, so a loaded machine's late tick does
        // not end it), the other every 8 s. At 6 s real the first is alive, the second
        // timed out.
        let (emu, client) = common::setup(62, format).await;
        let visitor = common::visitor(&client).await;
        let quiet = |keepalive: u64| {
            let mut config = visitor.chat_config(ChatRequest::for_skill("Sales"));
            config.poll_interval = Duration::from_secs(8);
            config.keepalive_interval = Duration::from_secs(keepalive);
            config
        };
        let kept = visitor.start_chat(quiet(1)).await.unwrap();
        let idle = visitor.start_chat(quiet(8)).await.unwrap();
        let until = emu.now_ms() + 60_000;
        while emu.now_ms() < until {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let kept_t = emu.transcript(kept.id().as_str()).unwrap();
        let idle_t = emu.transcript(idle.id().as_str()).unwrap();
        assert_ne!(kept_t.state, ChatState::Ended, "{kept_t:?}");
        assert_eq!(idle_t.state, ChatState::Ended, "the control chat timed out");
        assert!(
            kept.info().await.is_ok(),
            "the keepalive read the information"
        );
        // Closing waits for a last poll (8 s): the handles are dropped instead, and the
        // chats' tasks end with the test's runtime.
        emu.shutdown().await;
    })
    .await;
}

/// Step 2 of the visitor flow: the engagement request on the `smt` host opens the visitor
/// session; its ids go into the chat request, and the chat carries them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engagement_step_before_the_chat_request() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(63, format).await;
        let visitor = common::visitor(&client).await;
        let smt = client
            .base_uri(lpchat::proto::model::Service::Smt)
            .await
            .unwrap();
        let none = visitor
            .engage(&smt, EngagementRequest::external().sections(["Billing"]))
            .await
            .unwrap();
        assert!(!none.is_available(), "nobody online: {none:?}");

        let (agent, mut events) =
            common::agent(&client, support::agent1(), |c| c.with_auto_accept(true)).await;
        let engagement = visitor
            .engage(&smt, EngagementRequest::external().sections(["Billing"]))
            .await
            .unwrap();
        assert!(engagement.is_available(), "{engagement:?}");
        let details = engagement.details.clone().unwrap();
        assert_eq!(details.skill_name.as_deref(), Some("Billing"));
        let chat = visitor
            .request_chat(ChatRequest::default().with_engagement(&engagement))
            .await
            .unwrap();
        let accepted = common::accepted(&mut events).await;
        assert_eq!(accepted.as_str(), chat.id().as_str());
        // The chat's information is what its poll last read: there once the first poll
        // has been answered (not at once on a loaded machine).
        let info = common::eventually("the chat's information", || async {
            chat.info().await.ok()
        })
        .await;
        assert_eq!(info.skill_name.as_deref(), Some("Billing"));
        assert_eq!(
            info.shark_visitor_id.as_deref(),
            engagement.visitor_id.as_deref()
        );
        assert_eq!(
            info.shark_session_id.as_deref(),
            engagement.session_id.as_deref()
        );
        chat.end().await.unwrap();
        agent.close().await.unwrap();
        emu.shutdown().await;
    })
    .await;
}
