"""Agent-side and visitor-side one-off operations, availability and its keepalive, forced
Away re-asserted, follow/unfollow, API-key and bearer logins; JSON and XML, both faces.

Mirrors crates/lpchat/tests/e2e/agent_ops.rs, visitor_ops.rs and ops.rs.
"""

from __future__ import annotations

import asyncio

import pytest

import lpchat
from lpchat.testing import PUBLIC_VISITOR_APP_KEY, Emulator

from conftest import eventually, f, run_both_formats, wait_for


async def agent_scenario(fmt: str, aio: bool) -> None:
    # Time runs 4x (not 10x): a chat rings 20 emulated seconds, 5 s real, which leaves the
    # session more than two 2 s polls to see it ring and accept it before the server sets
    # the agent Away again. At 10x the window was one poll long, and on a loaded machine the
    # accept missed it round after round.
    with Emulator(seed=41, time_factor=4.0, ring_timeout_s=20.0, agent_idle_timeout_s=30.0) as emu:
        client = emu.client(format=fmt, asyncio=aio)
        started_ms = emu.now_ms()
        session = await f(client.agent_session(emu.agent(), availability_interval=2.0))
        await f(session.wait_started(30))
        events = session.events()
        forced: list = []
        session.on_availability(lambda e: forced.append(e))

        assert (await f(session.availability())).chat == "Online"
        session.set_availability("Away")
        await wait_for(events, aio, lambda e: e == lpchat.AvailabilityChanged("Away"))
        assert (await f(session.availability())).chat == "Away"
        session.set_availability("Online")
        await wait_for(events, aio, lambda e: e == lpchat.AvailabilityChanged("Online"))
        with pytest.raises(lpchat.ConfigError):
            session.set_availability("Sleepy")

        billing = await f(session.available_agents(skill="Billing"))
        ids = [a.id for a in billing.agents.agent]
        assert "103" in ids and "102" not in ids, ids
        everyone = await f(session.available_agents())
        nxt = [link.href for link in everyone.link if link.rel == "next"]
        assert nxt and "timeStamp=" in nxt[0], nxt
        later = await f(session.available_agents_next(everyone))
        assert len(later.agents.agent) == len(everyone.agents.agent)
        assert await f(session.available_slots("Sales")) == 3, "agent1's three free slots"
        info = await f(session.agent_info())
        assert info.login_name == "agent1" and info.id == "101"

        # A chat rings unaccepted for 20 emulated s: the server forces Away; the session
        # (policy "reassert") sets Online again, then accepts.
        visitor = await f(client.visitor(PUBLIC_VISITOR_APP_KEY))
        vchat = await f(visitor.request_chat("Sales"))
        await wait_for(events, aio, lambda e: isinstance(e, lpchat.ChatOffered))
        assert (await f(session.incoming_requests())).ringing_count >= 1
        got = await wait_for(events, aio, lambda e: isinstance(e, lpchat.AvailabilityForced))
        assert got == lpchat.AvailabilityForced(wanted="Online", seen="Away")
        await wait_for(events, aio, lambda e: e == lpchat.AvailabilityChanged("Online"))

        async def accept() -> str:
            try:
                return await f(session.accept_next())
            except lpchat.CommandError:
                return ""

        chat = await eventually("the chat is accepted", accept)
        assert chat == vchat.id
        assert any(isinstance(e, lpchat.AvailabilityForced) for e in forced), forced

        # The keepalive holds the session past the server's 30 s idle logout.
        while emu.now_ms() - started_ms < 35_000:
            await asyncio.sleep(0.2)
        alive = [s for s in emu.state()["agentSessions"] if s["alive"]]
        assert len(alive) == 1, emu.state()

        # Unfollow stops polling the chat; follow takes it up again.
        session.unfollow(chat)
        end = await wait_for(events, aio, lambda e: isinstance(e, lpchat.ChatEnded))
        assert end == lpchat.ChatEnded(chat=chat, reason="unfollowed", detail=None)
        assert await f(session.chats()) == []
        session.follow(chat)

        async def followed() -> bool:
            return await f(session.chats()) == [chat]

        await eventually("followed again", followed)
        token = await f(session.cursor_token())
        assert isinstance(token, str) and token
        session.set_forced_away_policy("adopt")
        with pytest.raises(lpchat.ConfigError):
            session.set_forced_away_policy("ignore")
        await f(vchat.close())
        await f(session.close())


async def visitor_scenario(fmt: str, aio: bool) -> None:
    with Emulator(seed=61) as emu:
        client = emu.client(format=fmt, asyncio=aio)
        visitor = await f(client.visitor(PUBLIC_VISITOR_APP_KEY))
        # Nobody logged in: not available, nobody to wait for; the offline survey.
        assert await f(visitor.availability("Sales")) is False
        assert await f(visitor.wait_time()) == -1
        offline = await f(visitor.offline_survey())
        assert offline.questions.question
        await f(visitor.submit_offline_survey(offline.id, {"4991310": "call me back"}))
        agent = await f(client.agent_session(emu.agent()))
        await f(agent.wait_started(30))
        assert await f(visitor.availability("Sales")) is True
        assert await f(visitor.availability()) is True
        assert await f(visitor.available_slots("Sales")) == 3
        assert await f(visitor.available_slots()) >= 3
        assert await f(visitor.wait_time()) == 0
        pre = await f(visitor.pre_chat_survey())
        assert pre.id

        # A chat: its information, poll(), resume point; the chat goes on from it.
        chat = await f(visitor.request_chat("Sales"))
        assert repr(chat).startswith(type(chat).__name__)

        async def has_info() -> object:
            try:
                return await f(chat.info())
            except lpchat.NotReadyError:
                return None

        info = await eventually("chat info read", has_info)
        assert info.chat_session_key == chat.id
        assert chat.poll() is not None
        href, token = await f(chat.resume_point())
        assert chat.id in href and token
        again = await f(visitor.resume_chat(href, token))
        assert again.id == chat.id
        with pytest.raises(lpchat.ConfigError):
            await f(visitor.resume_chat(href, "not a token"))
        await f(again.close())
        await f(agent.close())


async def logins_scenario(fmt: str, aio: bool) -> None:
    with Emulator(seed=31) as emu:
        client = emu.client(format=fmt, asyncio=aio)
        # The API-key bot (OAuth 1.0-signed requests).
        bot = await f(client.agent_session(emu.bot()))
        await f(bot.wait_started(30))
        assert (await f(bot.agent_info())).login_name == "bot"
        assert await f(client.domain("agentVep")) == emu.base_url.split("//", 1)[1]
        await f(bot.close())
        # Bad credentials lose the session, with a typed error.
        bad = await f(client.agent_session(lpchat.UserPassword("agent1", "wrong")))
        with pytest.raises(lpchat.SessionLostError) as lost:
            await f(bad.wait_started(30))
        assert lost.value.reason == "bad_credentials" and lost.value.code == "LPCHAT_SESSION_LOST"
        # A bearer the server does not know: refused, not renewable, lost.
        stale = await f(client.agent_session(lpchat.Bearer("not-a-real-bearer", csrf="x")))
        with pytest.raises(lpchat.SessionLostError):
            await f(stale.wait_started(30))


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_availability_keepalive_forced_away_agents_slots_accept_follow(aio: bool) -> None:
    run_both_formats(agent_scenario, aio)


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_visitor_availability_slots_wait_time_surveys_and_resume(aio: bool) -> None:
    run_both_formats(visitor_scenario, aio)


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_api_key_bad_password_and_stale_bearer(aio: bool) -> None:
    run_both_formats(logins_scenario, aio)


async def keepalive_scenario(fmt: str, aio: bool) -> None:
    """The visitor timeout is 40 emulated seconds (4 s real). Both chats poll every 8 s real;
    one reads the chat information every 1 s, the other every 8 s. After 60 emulated
    seconds the first is alive, the second timed out."""
    with Emulator(seed=62) as emu:
        client = emu.client(format=fmt, asyncio=aio)
        visitor = await f(client.visitor(PUBLIC_VISITOR_APP_KEY))
        kept = await f(visitor.request_chat("Sales", poll_interval=8.0, keepalive_interval=1.0))
        idle = await f(visitor.request_chat("Sales", poll_interval=8.0, keepalive_interval=8.0))
        until = emu.now_ms() + 60_000
        while emu.now_ms() < until:
            await asyncio.sleep(0.2)
        assert emu.transcript(kept.id)["state"] != "ended"
        assert emu.transcript(idle.id)["state"] == "ended", "the control chat timed out"
        # Not closed here: a close waits for the chat's next 8 s poll; dropping the handles
        # ends the chats in the background.


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_the_info_keepalive_holds_a_quiet_chat_past_the_visitor_timeout(aio: bool) -> None:
    run_both_formats(keepalive_scenario, aio)
