"""Helpers shared by the suite: one scenario body for both faces.

A scenario is written once as ``async def`` and awaits ``f(x)`` around every lpchat call:
with the asyncio face the call returned an awaitable, which ``f`` awaits; with the sync face
it returned the value already (the call blocked, GIL released), which ``f`` passes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import time
from typing import Any, Awaitable, Callable, Optional

import lpchat

#: How long a test waits for one expected event before it fails.
EVENT_WAIT = 30.0


async def f(value: Any) -> Any:
    """Awaits an awaitable (asyncio face), passes a value on (sync face)."""
    if inspect.isawaitable(value):
        return await value
    return value


async def next_event(stream: lpchat.EventStream, asyncio_face: bool, timeout: float = EVENT_WAIT) -> Any:
    if asyncio_face:
        return await stream.anext(timeout)
    return stream.next(timeout)


async def wait_for(
    stream: lpchat.EventStream,
    asyncio_face: bool,
    pred: Callable[[Any], bool],
    timeout: float = EVENT_WAIT,
    seen: Optional[list] = None,
) -> Any:
    """The first event matching ``pred`` within ``timeout`` seconds; fails on a lost or
    finished session. Events passed over are appended to ``seen`` if given."""
    until = time.monotonic() + timeout
    while True:
        left = until - time.monotonic()
        assert left > 0, "timed out waiting for an event"
        event = await next_event(stream, asyncio_face, left)
        assert event is not None, "the session finished"
        assert not isinstance(event, lpchat.SessionLost), f"session lost: {event!r}"
        if pred(event):
            return event
        if seen is not None:
            seen.append(event)


async def eventually(what: str, check: Callable[[], Awaitable[Any]], timeout: float = EVENT_WAIT) -> Any:
    """Polls ``check`` every 0.1 s until it gives a truthy value (state the server shows with
    no event: names, typing)."""
    until = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < until, f"timed out: {what}"
        await asyncio.sleep(0.1)


def run_both_formats(scenario: Callable[[str, bool], Awaitable[None]], asyncio_face: bool) -> None:
    """Runs ``scenario(format, asyncio_face)`` in JSON and in XML at once, each on its own
    emulator: with the asyncio face in one loop, with the sync face in two threads (whose
    blocking calls release the GIL)."""
    if asyncio_face:

        async def both() -> None:
            await asyncio.gather(scenario("json", True), scenario("xml", True))

        asyncio.run(both())
    else:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(asyncio.run, scenario(fmt, False)) for fmt in ("json", "xml")]
            for fut in futures:
                fut.result()
