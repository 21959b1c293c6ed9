"""Echo bots written in Python (sync, asyncio, handlers) deliver every event and line once,
with and without the default fault mix; a session resumed from a cursor token repeats and
skips nothing. The emulator's transcripts and scripted visitors' records are the ground
truth (lpchat_emulator::check, as crates/lpchat/examples/soak.rs uses them).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections import defaultdict
from typing import Any, Dict, List, Tuple

import pytest

import lpchat
from lpchat.testing import PUBLIC_VISITOR_APP_KEY, Emulator, default_world

from conftest import f, wait_for

SCENARIO = dict(
    lines=["hello", "bye"],
    pace_ms=500,
    start_interval_ms=300,
    # Queued visitors wait for their accept however long the bot takes.
    answer_timeout_ms=3_000_000,
)


def echo(text: str, event_id: int) -> str:
    return f"echo: {text} #{event_id}"


# How many times a bot sends a line whose retries ran out.
SENDS_PER_LINE = 3


def send_line(session: lpchat.AgentSession, chat: str, line: str) -> None:
    """Sends a line again when the client says it certainly did not happen (``gave_up``),
    never when its outcome is unknown: the rule of ``lpchat demo``'s bot, and why a soak
    needs it, in docs/reliability.md ("A line is in the chat exactly once")."""
    for sends in range(1, SENDS_PER_LINE + 1):
        try:
            session.send_line(chat, line)
            return
        except lpchat.CommandError as e:
            if e.reason != "gave_up" or sends == SENDS_PER_LINE:
                raise


async def send_line_async(session: lpchat.AsyncAgentSession, chat: str, line: str) -> None:
    """:func:`send_line` for asyncio."""
    for sends in range(1, SENDS_PER_LINE + 1):
        try:
            await session.send_line(chat, line)
            return
        except lpchat.CommandError as e:
            if e.reason != "gave_up" or sends == SENDS_PER_LINE:
                raise


def run_sync_bot(emu: Emulator, session: lpchat.AgentSession, visitors: int, deadline: float) -> Tuple[Dict[str, List[int]], List[Tuple[str, str]]]:
    """The sync echo bot: ``for event in session.events()``, sends on a thread pool (a
    send resolves when the server has the line, a poll later)."""
    delivered: Dict[str, List[int]] = defaultdict(list)
    sent: List[Tuple[str, str]] = []
    ended = 0
    until = time.monotonic() + deadline
    stream = session.events()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sends = []
        while ended < visitors:
            left = until - time.monotonic()
            assert left > 0, f"deadline: {ended} of {visitors} chats ended"
            event = stream.next(left)
            assert event is not None, "the session finished early"
            match event:
                case lpchat.ChatEvent(chat=chat, event=lpchat.Line(id=i, text=text, source="visitor")):
                    delivered[chat].append(i)
                    line = echo(text, i)
                    sent.append((chat, line))
                    sends.append(pool.submit(send_line, session, chat, line))
                case lpchat.ChatEvent(chat=chat, event=e):
                    delivered[chat].append(e.id)
                case lpchat.ChatEnded():
                    ended += 1
        for s in sends:
            # A line to a chat the visitor already ended may be refused: not a loss.
            try:
                s.result()
            except lpchat.CommandError:
                pass
    return delivered, sent


async def run_async_bot(session: lpchat.AsyncAgentSession, visitors: int, deadline: float) -> Tuple[Dict[str, List[int]], List[Tuple[str, str]]]:
    """The asyncio echo bot: ``async for event in session.events()``, a task per send."""
    delivered: Dict[str, List[int]] = defaultdict(list)
    sent: List[Tuple[str, str]] = []
    ended = 0
    tasks = []

    async def consume() -> None:
        nonlocal ended
        async for event in session.events():
            match event:
                case lpchat.ChatEvent(chat=chat, event=lpchat.Line(id=i, text=text, source="visitor")):
                    delivered[chat].append(i)
                    line = echo(text, i)
                    sent.append((chat, line))
                    tasks.append(asyncio.ensure_future(send_line_async(session, chat, line)))
                case lpchat.ChatEvent(chat=chat, event=e):
                    delivered[chat].append(e.id)
                case lpchat.ChatEnded():
                    ended += 1
                    if ended == visitors:
                        return

    await asyncio.wait_for(consume(), deadline)
    for r in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(r, BaseException) and not isinstance(r, lpchat.CommandError):
            raise r
    return delivered, sent


def assert_clean(emu: Emulator, delivered: Dict[str, List[int]], sent: List[Tuple[str, str]], visitors: int) -> None:
    transcripts = emu.transcripts()
    assert len(transcripts) == visitors
    events = emu.check_events(delivered)
    assert events["lost"] == 0 and events["doubled"] == 0, events
    assert events["expected"] > 0
    lines = emu.check_visitor_lines(delivered)
    assert lines == {"expected": 2 * visitors, "lost": 0, "doubled": 0}, lines
    mine = emu.check_sent_lines(sent)
    assert mine["lost"] == 0 and mine["doubled"] == 0, mine
    assert mine["expected"] >= visitors, "the bot answered"
    received = emu.check_received_by_visitors(sent)
    assert received["doubled"] == 0, received


def test_sync_echo_bot_delivers_every_line_once() -> None:
    with Emulator(seed=21) as emu:
        client = emu.client()
        visitors = 4
        with client.agent_session(emu.agent(), auto_accept=True) as session:
            group = emu.run_visitors(visitors=visitors, **SCENARIO)
            delivered, sent = run_sync_bot(emu, session, visitors, 90)
            group.wait()
        assert_clean(emu, delivered, sent, visitors)
        # Every visitor got the echo of each of its lines, once.
        received = emu.check_received_by_visitors(sent)
        assert received == {"expected": len(sent), "lost": 0, "doubled": 0}, received


def test_asyncio_echo_bot_delivers_every_line_once_in_xml() -> None:
    async def main() -> None:
        with Emulator(seed=22) as emu:
            client = emu.client(format="xml", asyncio=True)
            visitors = 4
            async with await client.agent_session(emu.agent(), auto_accept=True) as session:
                group = emu.run_visitors(visitors=visitors, **SCENARIO)
                delivered, sent = await run_async_bot(session, visitors, 90)
                await asyncio.get_running_loop().run_in_executor(None, group.wait)
            assert_clean(emu, delivered, sent, visitors)
            received = emu.check_received_by_visitors(sent)
            assert received == {"expected": len(sent), "lost": 0, "doubled": 0}, received

    asyncio.run(main())


def test_handler_echo_bot_answers_from_the_handler_thread() -> None:
    """Handlers run on their own thread, never on the driver: a handler may block (here it
    sends and waits for the line) without stalling the session."""
    with Emulator(seed=23) as emu:
        client = emu.client()
        visitors = 2
        delivered: Dict[str, List[int]] = defaultdict(list)
        sent: List[Tuple[str, str]] = []
        ended = threading.Semaphore(0)
        with client.agent_session(emu.agent(), auto_accept=True) as session:

            def on_event(chat: str, event: Any) -> None:
                delivered[chat].append(event.id)
                if isinstance(event, lpchat.Line) and event.source == "visitor":
                    line = echo(event.text, event.id)
                    sent.append((chat, line))
                    try:
                        session.send_line(chat, line)
                    except lpchat.CommandError:
                        pass

            session.on_chat_event(on_event)
            session.on_chat_ended(lambda chat: ended.release())
            group = emu.run_visitors(visitors=visitors, **SCENARIO)
            for _ in range(visitors):
                assert ended.acquire(timeout=90), "chats did not end"
            group.wait()
        assert_clean(emu, delivered, sent, visitors)


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "asyncio"])
def test_soak_under_the_default_fault_mix_loses_and_doubles_nothing(aio: bool) -> None:
    world = default_world()
    # The bearer lives 60 emulated seconds (6 s real): it expires during the run.
    world["sessionTtlMs"] = 60_000
    visitors = 12
    with Emulator(seed=11, world=world) as emu:
        emu.add_default_faults()
        assert emu.faults, "the fault mix is in force"
        fmt = "xml" if aio else "json"
        if aio:

            async def main() -> Tuple[Dict[str, List[int]], List[Tuple[str, str]], lpchat.SessionStats]:
                client = emu.client(format=fmt, asyncio=True)
                session = await client.agent_session(emu.bot(), auto_accept=True)
                emu.run_visitors(visitors=visitors, **SCENARIO)
                d, s = await run_async_bot(session, visitors, 60 + 3 * visitors)
                stats = session.stats()
                await session.close()
                return d, s, stats

            delivered, sent, stats = asyncio.run(main())
        else:
            client = emu.client(format=fmt)
            with client.agent_session(emu.bot(), auto_accept=True) as session:
                emu.run_visitors(visitors=visitors, **SCENARIO)
                delivered, sent = run_sync_bot(emu, session, visitors, 60 + 3 * visitors)
                stats = session.stats()
        assert stats.retried > 0, "faults fired and were retried"
        assert sum(r["fired"] for r in emu.faults) > 0
        events = emu.check_events(delivered)
        assert events["lost"] == 0 and events["doubled"] == 0, events
        lines = emu.check_sent_lines(sent)
        assert lines["lost"] == 0 and lines["doubled"] == 0, lines
        assert lines["expected"] > 0


async def resume_scenario(fmt: str) -> None:
    """A second session started from the first's cursor token, taken mid-chat while lines
    keep coming, goes on with no event repeated and none skipped."""
    with Emulator(seed=81) as emu:
        client = emu.client(format=fmt, asyncio=True)
        first = await client.agent_session(emu.agent(), auto_accept=True)
        first_events = first.events()
        visitor = await client.visitor(PUBLIC_VISITOR_APP_KEY)
        vchat = await visitor.request_chat("Sales")
        accepted = await wait_for(first_events, True, lambda e: isinstance(e, lpchat.ChatAccepted))
        chat = accepted.chat

        async def write() -> None:
            for n in range(8):
                await vchat.send_line(f"line {n}")
                await asyncio.sleep(0.3)
            await vchat.end()

        writer = asyncio.ensure_future(write())
        before: Dict[int, int] = defaultdict(int)
        while len(before) < 5:
            e = await wait_for(first_events, True, lambda e: True)
            if isinstance(e, lpchat.ChatEvent):
                before[e.event.id] += 1
        token = await first.cursor_token()
        position = lpchat.cursor_positions(token)[chat]
        assert position is not None
        second = await client.agent_session(emu.agent(), resume_from=token)
        second_events = second.events()
        await second.wait_started(30)
        await first.close()
        while True:
            e = await wait_for(first_events, True, lambda e: True)
            if isinstance(e, lpchat.ChatEvent):
                before[e.event.id] += 1
            if isinstance(e, lpchat.Closed):
                break
        after: Dict[int, int] = defaultdict(int)
        while True:
            e = await wait_for(second_events, True, lambda e: True, timeout=60)
            if isinstance(e, lpchat.ChatEvent):
                after[e.event.id] += 1
            if isinstance(e, lpchat.ChatEnded):
                break
        await writer
        transcript = [e["id"] for e in emu.transcript(chat)["events"]]
        expected_after = [i for i in transcript if i > position]
        expected_before = [i for i in transcript if i <= position]
        assert expected_after, "the token was taken mid-chat"
        assert sorted(after) == expected_after, "none skipped, none from before the token"
        assert all(n == 1 for n in after.values()), f"none repeated: {dict(after)}"
        assert sorted(i for i in before if i <= position) == expected_before
        await second.close()
        with pytest.raises(lpchat.ConfigError):
            await client.agent_session(emu.agent(), resume_from="garbage")


def test_a_session_resumed_from_a_cursor_token_repeats_and_skips_nothing() -> None:
    async def both() -> None:
        await asyncio.gather(resume_scenario("json"), resume_scenario("xml"))

    asyncio.run(both())


def test_async_handlers_run_on_the_loop_and_coroutine_handlers_are_awaited() -> None:
    async def main() -> None:
        with Emulator(seed=24) as emu:
            client = emu.client(asyncio=True)
            session = await client.agent_session(emu.agent(), auto_accept=True)
            loop = asyncio.get_running_loop()
            on_loop: List[bool] = []
            answered: List[str] = []
            done = asyncio.Event()

            def plain(chat: str) -> None:
                on_loop.append(asyncio.get_running_loop() is loop)

            async def answer(chat: str, event: Any) -> None:
                if isinstance(event, lpchat.Line) and event.source == "visitor":
                    await session.send_line(chat, "from a coroutine handler")
                    answered.append(chat)

            session.on_chat_accepted(plain)
            session.on_chat_event(answer)
            session.on_chat_ended(lambda chat: done.set())
            group = emu.run_visitors(visitors=1, lines=["one"], pace_ms=500)
            await asyncio.wait_for(done.wait(), 60)
            await loop.run_in_executor(None, group.wait)
            assert on_loop == [True], "a plain handler ran on the loop it was registered from"
            assert len(answered) == 1
            (t,) = emu.transcripts()
            assert any(e.get("text") == "from a coroutine handler" for e in t["events"])
            await session.close()

    asyncio.run(main())
