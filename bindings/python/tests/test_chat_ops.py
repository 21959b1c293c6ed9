"""Agent and visitor in chats, every chat operation, in JSON and XML, sync and asyncio.

Mirrors crates/lpchat/tests/e2e/chat_ops.rs: incoming requests and accept, two chats
polled at once, the chat resource, events, info, participant info (after a V9
conversation), a raw GET, visitor name and typing both ways, lines in plain, html, rich
content and ONLY_TO_REP (what the visitor sees and does not), chat sessions, transfer
skills, transfer to a skill and to an agent, the agent survey, the end by agent and by
visitor, the visitor's exit survey and transcript; per-type handlers.
"""

from __future__ import annotations

import threading

import pytest

import lpchat
from lpchat.testing import PUBLIC_VISITOR_APP_KEY, Emulator

from conftest import eventually, f, run_both_formats, wait_for


async def scenario(fmt: str, aio: bool) -> None:
    with Emulator(seed=51) as emu:
        client = emu.client(format=fmt, asyncio=aio)
        agent1 = await f(client.agent_session(emu.agent("agent1")))
        agent2 = await f(
            client.agent_session(emu.agent("agent2"), auto_accept=True, initial_availability="Occupied")
        )
        agent3 = await f(client.agent_session(emu.agent("agent3"), auto_accept=True))
        for s in (agent1, agent2, agent3):
            await f(s.wait_started(30))
        ev1, ev2, ev3 = agent1.events(), agent2.events(), agent3.events()
        assert agent1.events() is ev1, "the same stream on every call"
        await wait_for(ev2, aio, lambda e: e == lpchat.AvailabilityChanged(state="Occupied"))

        # What agent1's and agent3's per-type handlers see.
        lock = threading.Lock()
        offered: list = []
        taken: list = []
        lines: list = []
        ended: list = []

        def on_line(chat: str, event: object) -> None:
            if isinstance(event, lpchat.Line):
                with lock:
                    lines.append((chat, event.text))

        agent1.on_chat_offered(lambda n: offered.append(n))
        agent1.on_chat_accepted(lambda c: taken.append(c))
        agent1.on_chat_event(on_line)
        agent3.on_chat_ended(lambda c: ended.append(c))

        # Visitor 1 is authenticated (V9), so its chat carries a participant id.
        visitor = await f(client.visitor(PUBLIC_VISITOR_APP_KEY))
        conversation = await f(visitor.create_conversation(sso_key="sso-code"))
        assert isinstance(conversation, str) and conversation
        v1 = await f(visitor.request_chat("Sales", conversation_id=conversation))
        v1_events = v1.events()

        # Incoming requests and an explicit accept.
        await wait_for(ev1, aio, lambda e: isinstance(e, lpchat.ChatOffered))
        ringing = await f(agent1.incoming_requests())
        assert ringing.ringing_count >= 1
        chat1 = await f(agent1.accept_next())
        assert chat1 == v1.id
        v2 = await f(visitor.request_chat("Sales"))
        v2_events = v2.events()
        await wait_for(ev1, aio, lambda e: isinstance(e, lpchat.ChatOffered))
        chat2 = await f(agent1.accept_next())
        assert chat2 == v2.id
        assert sorted(await f(agent1.chats())) == sorted([chat1, chat2])
        sessions = await f(agent1.chat_sessions())
        assert len(sessions.chat_session) == 2

        # Both chats are polled through one multi-chat request: lines of each arrive.
        assert isinstance(await f(v1.send_line("one")), int)
        await f(v2.send_line("two"))
        heard = set()
        while len(heard) < 2:
            e = await wait_for(ev1, aio, lambda e: isinstance(e, lpchat.ChatEvent) and isinstance(e.event, lpchat.Line))
            match e:
                case lpchat.ChatEvent(chat=c, event=lpchat.Line(text="one", source="visitor")) if c == chat1:
                    heard.add("one")
                case lpchat.ChatEvent(chat=c, event=lpchat.Line(text="two", source="visitor")) if c == chat2:
                    heard.add("two")

        # The chat resource, its events and information; participant info; a raw GET.
        resource = await f(agent1.chat(chat1))
        assert resource.events.event, "the chat resource carries events"
        events = await f(agent1.chat_events(chat1))
        assert any(isinstance(e, lpchat.Line) and e.text == "one" for e in events.event)
        from_two = await f(agent1.chat_events(chat1, from_id=2))
        assert all(e.id >= 2 for e in from_two.event)
        info = await f(agent1.chat_info(chat1))
        assert info.chat_session_key == chat1
        assert info.start_time.tzinfo is not None, "timestamps are aware datetimes"
        participant = await f(agent1.participant_info(info.participant_id))
        assert isinstance(participant, lpchat.Model)
        links = {link.rel: link.href for link in resource.link}
        generic = await f(agent1.raw_get(links["transfer-account"]))
        assert generic is not None

        # Visitor name and typing, both ways; typing changes come as information updates.
        v1.set_name("Alice")

        async def named() -> bool:
            return await f(agent1.visitor_name(chat1)) == "Alice"

        await eventually("visitor name", named)
        v1.set_typing(True)
        await wait_for(
            ev1,
            aio,
            lambda e: isinstance(e, lpchat.InfoUpdated) and e.chat == chat1 and e.info.visitor_typing == "typing",
        )
        assert await f(agent1.visitor_typing(chat1)) == "typing"
        await f(agent1.set_typing(chat1, True))
        assert await f(agent1.agent_typing(chat1)) == "typing"
        await wait_for(
            v1_events, aio, lambda e: isinstance(e, lpchat.InfoUpdated) and e.info.agent_typing == "typing"
        )
        assert await f(v1.agent_typing()) == "typing"

        # Lines: plain, html, rich content, and a note only agents see.
        assert isinstance(await f(agent1.send(chat1, "plain line")), int)
        await f(agent1.send(chat1, "<b>html line</b>", html=True))
        rich = {"type": "vertical", "elements": [{"type": "text", "text": "rich"}]}
        await f(agent1.send(chat1, "", json=rich))
        await f(agent1.send(chat1, "agents only", only_to_rep=True))
        with pytest.raises(lpchat.ConfigError):
            agent1.send(chat1, "x", html=True, json=rich)

        # The agent survey.
        survey = await f(agent1.agent_survey(chat1))
        await f(agent1.submit_agent_survey(chat1, survey.id, {"26386685": "Yes"}))

        # Transfers: chat 1 to the Billing skill (agent3 takes it), chat 2 to agent2.
        skills = await f(agent1.transfer_skills(chat1))
        assert "Billing" in str(skills.to_dict()), skills.to_dict()
        await f(agent1.transfer(chat1, skill="2", text="over to billing"))
        accepted3 = await wait_for(ev3, aio, lambda e: isinstance(e, lpchat.ChatAccepted))
        assert accepted3.chat == chat1
        await f(agent1.transfer(chat2, agent="102"))
        accepted2 = await wait_for(ev2, aio, lambda e: isinstance(e, lpchat.ChatAccepted))
        assert accepted2.chat == chat2
        with pytest.raises(lpchat.ConfigError):
            agent1.transfer(chat2)

        # agent3 ends chat 1; visitor 1 saw every line but the note and the transfer text.
        await f(agent3.end_chat(chat1))
        seen: list = []
        await wait_for(v1_events, aio, lambda e: isinstance(e, lpchat.ChatEnded), timeout=40, seen=seen)
        got = [e.event for e in seen if isinstance(e, lpchat.ChatEvent) and isinstance(e.event, lpchat.Line)]
        texts = [line.text for line in got]
        assert "plain line" in texts, texts
        assert any("html line" in t for t in texts), texts
        rich_lines = [line for line in got if line.text_type == "rich-content"]
        assert rich_lines and rich_lines[0].json is not None, texts
        if fmt == "json":
            assert rich_lines[0].json == rich, "rich content arrives as plain Python values"
        assert "agents only" not in texts and "over to billing" not in texts, texts
        await wait_for(ev3, aio, lambda e: isinstance(e, lpchat.ChatEnded) and e.chat == chat1)

        # After the chat: the exit survey and the transcript.
        exit_survey = await f(v1.exit_survey())
        await f(v1.submit_exit_survey(exit_survey.id, {"25245945": ["Very"]}))
        await f(v1.request_transcript("alice@example.com"))

        # Visitor 2 ends its chat; agent2 sees the end.
        await f(v2.end())
        end2 = await wait_for(ev2, aio, lambda e: isinstance(e, lpchat.ChatEnded) and e.chat == chat2)
        assert end2.reason == "ended"
        await wait_for(v2_events, aio, lambda e: isinstance(e, lpchat.ChatEnded))

        # The handlers saw what the streams did. They run on their own thread (sync face)
        # or on the loop (asyncio face): wait until they caught up.
        async def caught_up() -> bool:
            return len(taken) == 2 and ended == [chat1] and len(lines) >= 2

        await eventually("handlers caught up", caught_up)
        assert offered and all(n >= 1 for n in offered)
        assert taken == [chat1, chat2]
        assert (chat1, "one") in lines and (chat2, "two") in lines

        stats = agent1.stats()
        assert stats.requests > 0
        for s in (agent1, agent2, agent3):
            await f(s.close())
        await f(v1.close())
        await f(v2.close())
        # Closed sessions refuse commands with a typed error.
        with pytest.raises((lpchat.ClosedError, lpchat.CommandError)):
            await f(agent1.send_line(chat2, "too late"))


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_chats_lines_typing_transfers_surveys_and_ends(aio: bool) -> None:
    run_both_formats(scenario, aio)
