"""The settings a Rust user of lpchat has, from Python: each one changes what the client
does on the wire or how its session behaves (a test here fails when the setting is
ignored), and a bad value is a ``ConfigError``. The emulator shows most effects (its quirks,
its fault rules' firing counts); a recording proxy in front of it shows headers, query
parameters and connections, which the emulator does not record.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import http.server
import threading
import time
import weakref
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import lpchat
from lpchat.testing import BOT, PUBLIC_VISITOR_APP_KEY, Emulator

from conftest import f, wait_for

# ---- a recording proxy ------------------------------------------------------------------

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Recorder(http.server.ThreadingHTTPServer):
    """Forwards every request to the emulator; records (method, path, headers) and counts
    the client's connections."""

    daemon_threads = True

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.requests: List[Tuple[str, str, Dict[str, str]]] = []
        self.connections = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's pool is what decides
    server: Recorder

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def log_message(self, *args: Any) -> None:
        pass

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        with self.server.lock:
            self.server.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.target_port, timeout=30)
        # The Host stays the one the client sent: an OAuth signature covers it.
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            upstream.putheader(k, v)
        upstream.putheader("Content-Length", str(len(body or b"")))
        upstream.endheaders(body)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = forward


@pytest.fixture
def proxied() -> Iterator[Tuple[Emulator, Recorder]]:
    with Emulator() as emu:
        rec = Recorder(emu.port)
        thread = threading.Thread(target=rec.serve_forever, daemon=True)
        thread.start()
        try:
            yield emu, rec
        finally:
            rec.shutdown()
            rec.server_close()


def through(emu: Emulator, rec: Recorder, **kwargs: Any) -> lpchat.Client:
    """A client whose agent and visitor APIs go through the recorder."""
    return emu.client(service_hosts={"agentVep": rec.host, "conversationVep": rec.host}, **kwargs)


def started(session: Any, timeout: float = 30) -> Any:
    """Waits on the session's stream (which holds events from the start) for its start, or
    its loss: not ``wait_started()``, whose watch can miss a start that comes before the
    binding registered it (seen under load: a race in AgentCore::new, not in these
    settings)."""
    stream = session.events()
    until = time.monotonic() + timeout
    while True:
        left = until - time.monotonic()
        assert left > 0, "the session did not start"
        event = stream.next(timeout=left)
        assert event is not None, "the session finished"
        if isinstance(event, (lpchat.AgentSessionStarted, lpchat.SessionLost)):
            return event


# ---- Options ------------------------------------------------------------------------------


def test_options_defaults_and_repr() -> None:
    o = lpchat.Options()
    assert (o.format_suffix, o.real_verbs, o.requested_with, o.app_key_in_query) == (False,) * 4
    assert repr(lpchat.Options(real_verbs=True)) == (
        "Options(format_suffix=False, real_verbs=True, requested_with=False, app_key_in_query=False)"
    )
    assert lpchat.Options(real_verbs=True) == lpchat.Options(real_verbs=True) != o
    with pytest.raises(TypeError):
        lpchat.Options(True)  # type: ignore[misc]


@pytest.mark.parametrize("asyncio_face", [False, True], ids=["sync", "asyncio"])
def test_format_suffix_is_sent(asyncio_face: bool) -> None:
    # A server that never learnt the suffix answers 404 to suffixed paths only.
    with Emulator(quirks={"suffix": "reject"}) as emu:

        async def scenario() -> None:
            plain = await f(emu.client(asyncio=asyncio_face).visitor(PUBLIC_VISITOR_APP_KEY))
            assert await f(plain.availability()) is False  # nobody logged in, but answered
            suffixed = await f(
                emu.client(asyncio=asyncio_face, options=lpchat.Options(format_suffix=True)).visitor(PUBLIC_VISITOR_APP_KEY)
            )
            with pytest.raises(lpchat.ApiError) as caught:
                await f(suffixed.availability())
            assert caught.value.status == 404

        asyncio.run(scenario())


def availability_writes(emu: Emulator, **client: Any) -> Tuple[int, int]:
    """How the start's availability change (a PUT) went on the wire: (real PUTs, POSTs)."""
    put = emu.add_fault(route="*/availability", method="PUT", type="latency", ms=0)
    post = emu.add_fault(route="*/availability", method="POST", type="latency", ms=0)
    with emu.client(**client).agent_session(emu.agent(), initial_availability="Away") as session:
        stream = session.events()
        wait_for_sync(stream, lambda e: isinstance(e, lpchat.AvailabilityChanged))
    fired = {r["id"]: r["fired"] for r in emu.faults}
    emu.clear_faults()
    return fired[put], fired[post]


def wait_for_sync(stream: lpchat.EventStream, pred: Any) -> Any:
    return asyncio.run(wait_for(stream, False, pred))


def test_real_verbs_sends_put_instead_of_a_tunnelled_post(lpchat_emulator: Emulator) -> None:
    puts, posts = availability_writes(lpchat_emulator)
    assert puts == 0 and posts >= 1, "tunnelled by default (POST + X-HTTP-Method-Override)"
    puts, posts = availability_writes(lpchat_emulator, options=lpchat.Options(real_verbs=True))
    assert puts >= 1 and posts == 0


def test_requested_with_and_app_key_in_query(proxied: Tuple[Emulator, Recorder]) -> None:
    emu, rec = proxied

    def run(options: lpchat.Options) -> List[Tuple[str, str, Dict[str, str]]]:
        rec.requests.clear()
        client = through(emu, rec, options=options)
        with client.agent_session(emu.agent()) as session:
            started(session)
        client.visitor(PUBLIC_VISITOR_APP_KEY).availability()
        return list(rec.requests)

    def agent_calls(reqs: list) -> list:
        return [h for m, p, h in reqs if "/agentSession" in p]

    def visitor_calls(reqs: list) -> list:
        return [(p, h) for m, p, h in reqs if "/chat/availability" in p]

    default = run(lpchat.Options())
    assert agent_calls(default) and not any("x-requested-with" in h for h in agent_calls(default))
    ((path, headers),) = visitor_calls(default)
    assert "appKey=" not in path and "LivePerson appKey=" in headers.get("authorization", "")

    switched = run(lpchat.Options(requested_with=True, app_key_in_query=True))
    assert agent_calls(switched)
    assert all(h.get("x-requested-with") == "XMLHttpRequest" for h in agent_calls(switched))
    ((path, headers),) = visitor_calls(switched)
    assert f"appKey={PUBLIC_VISITOR_APP_KEY}" in path and "authorization" not in headers


# ---- event_buffer -------------------------------------------------------------------------


def fired(emu: Emulator, rule: int) -> int:
    return next(r["fired"] for r in emu.faults if r["id"] == rule)


def test_event_buffer_pauses_polling_while_the_stream_is_not_read(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    polls = emu.add_fault(route="*/incomingRequests", method="GET", type="latency", ms=0)
    client = emu.client(event_buffer=1)
    with client.agent_session(emu.agent(), incoming_interval=1.0) as session:
        stream = session.events()  # taken; once not read, one unread event fills it
        started(session)
        time.sleep(1.5)  # what was in flight lands
        paused_at = fired(emu, polls)
        time.sleep(4)
        assert fired(emu, polls) <= paused_at + 1, "polled on with a full stream"
        # Read again: polling resumes.
        until = time.monotonic() + 6
        while time.monotonic() < until and fired(emu, polls) < paused_at + 3:
            try:
                stream.next(timeout=0.2)
            except TimeoutError:
                pass
        assert fired(emu, polls) >= paused_at + 3, "polling never resumed"

    # The default buffer holds those few events: polling never pauses.
    before = fired(emu, polls)
    with emu.client().agent_session(emu.agent(), incoming_interval=1.0) as session:
        session.events()
        started(session)
        time.sleep(5)
        assert fired(emu, polls) >= before + 3


# ---- agent session settings ---------------------------------------------------------------


def test_incoming_interval_sets_how_often_incoming_requests_are_polled(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    client = emu.client()
    counts = []
    for interval in (1.0, 5.0):
        rule = emu.add_fault(route="*/incomingRequests", method="GET", type="latency", ms=0)
        with client.agent_session(emu.agent(), incoming_interval=interval) as session:
            started(session)
            time.sleep(6)
            counts.append(fired(emu, rule))
        emu.remove_fault(rule)
    fast, slow = counts
    assert fast >= 4, counts
    assert slow * 2 < fast, counts


def test_max_relogins_zero_loses_the_session_at_the_first_refused_bearer(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    client = emu.client()
    for max_relogins, lost in ((3, False), (0, True)):
        login = lpchat.LoginSettings(max_relogins=max_relogins)
        with client.agent_session(emu.agent(), login=login) as session:
            stream = session.events()
            started(session)
            emu.expire_logins()
            until = time.monotonic() + 20
            seen = None
            while time.monotonic() < until:
                event = stream.next(timeout=until - time.monotonic())
                if isinstance(event, lpchat.SessionLost) or (
                    isinstance(event, lpchat.LoggedIn) and not lost
                ):
                    seen = event
                    break
            assert seen is not None, f"max_relogins={max_relogins}: neither lost nor logged in again"
            assert isinstance(seen, lpchat.SessionLost) is lost, (max_relogins, seen)


def test_refresh_max_sets_the_refresh_pace(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    client = emu.client()
    renewals = []
    for login in (lpchat.LoginSettings(refresh_max=1.0), lpchat.LoginSettings()):
        with client.agent_session(emu.agent(), login=login) as session:
            stream = session.events()
            started(session)
            n = 0
            until = time.monotonic() + 4
            while time.monotonic() < until:
                try:
                    if isinstance(stream.next(timeout=max(0.01, until - time.monotonic())), lpchat.SessionRenewed):
                        n += 1
                except TimeoutError:
                    break
            renewals.append(n)
    assert renewals[0] >= 2 and renewals[1] == 0, renewals


def test_sign_requests_false_uses_the_bearer(proxied: Tuple[Emulator, Recorder]) -> None:
    emu, rec = proxied
    schemes = []
    for sign in (True, False):
        rec.requests.clear()
        client = through(emu, rec)
        with client.agent_session(emu.bot(), login=lpchat.LoginSettings(sign_requests=sign)) as session:
            # Unsigned, the emulator may refuse the bot's later calls (lost): what was sent
            # is what this test is about.
            started(session)
        agent = [h.get("authorization", "") for m, p, h in rec.requests if "/agentSession" in p]
        assert agent
        schemes.append({a.split(" ", 1)[0] for a in agent})
    assert schemes == [{"OAuth"}, {"Bearer"}], schemes


def test_login_settings_defaults_and_repr() -> None:
    s = lpchat.LoginSettings()
    assert (s.refresh_max, s.sign_requests, s.max_relogins) == (300.0, True, 3)
    assert repr(s) == "LoginSettings(refresh_max=300, sign_requests=True, max_relogins=3)"


# ---- transport ----------------------------------------------------------------------------


def test_max_body_caps_what_is_read(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    # The Domain API's answer is about 100 bytes.
    assert emu.client(transport=lpchat.TransportConfig(max_body=4096)).domain("agentVep")
    small = emu.client(transport=lpchat.TransportConfig(max_body=16))
    with pytest.raises(lpchat.TransportError) as caught:
        small.domain("agentVep")
    assert "too large" in str(caught.value)


def test_pool_max_idle_per_host_zero_opens_a_connection_per_request(proxied: Tuple[Emulator, Recorder]) -> None:
    emu, rec = proxied
    phases = []
    for idle in (256, 0):
        conns, reqs = rec.connections, len(rec.requests)
        visitor = through(emu, rec, transport=lpchat.TransportConfig(pool_max_idle_per_host=idle)).visitor(PUBLIC_VISITOR_APP_KEY)
        for _ in range(6):
            visitor.availability()
        phases.append((rec.connections - conns, len(rec.requests) - reqs))
    (kept, sent), (none_kept, sent_too) = phases
    assert sent >= 6 and kept <= 2, phases  # reused
    assert none_kept == sent_too >= 6, phases  # one each


def test_pool_idle_timeout_closes_idle_connections(proxied: Tuple[Emulator, Recorder]) -> None:
    emu, rec = proxied
    opened = []
    for timeout in (30.0, 0.2):
        start = rec.connections
        visitor = through(emu, rec, transport=lpchat.TransportConfig(pool_idle_timeout=timeout)).visitor(PUBLIC_VISITOR_APP_KEY)
        visitor.availability()
        time.sleep(1.0)
        visitor.availability()
        opened.append(rec.connections - start)
    assert opened == [1, 2], opened
    assert "pool_idle_timeout=None" in repr(lpchat.TransportConfig(pool_idle_timeout=None))


# ---- visitor chat timings -------------------------------------------------------------------


def test_resume_chat_takes_the_chat_timings(lpchat_emulator: Emulator) -> None:
    emu = lpchat_emulator
    client = emu.client()
    visitor = client.visitor(PUBLIC_VISITOR_APP_KEY)
    with client.agent_session(emu.agent(), auto_accept=True):
        # Two chats whose own tasks barely poll; each resumed at another pace.
        chats = [visitor.request_chat("Sales", poll_interval=600.0, keepalive_interval=600.0) for _ in range(2)]
        rules = [emu.add_fault(route=f"*/chat/{c.id}*", method="GET", type="latency", ms=0) for c in chats]
        resumed = [
            visitor.resume_chat(*c.resume_point(), poll_interval=interval, keepalive_interval=600.0, request_deadline=90.0)
            for c, interval in zip(chats, (1.0, 8.0))
        ]
        start = [fired(emu, r) for r in rules]
        time.sleep(10)
        fast, slow = (fired(emu, r) - s for r, s in zip(rules, start))
        assert fast >= 5 and slow * 2 < fast, (fast, slow)
        for c in resumed:
            c.close()


# ---- bad values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: lpchat.Client("1", event_buffer=0),
        lambda: lpchat.Client("1", event_buffer=-5),
        lambda: lpchat.AsyncClient("1", event_buffer=0),
        lambda: lpchat.TransportConfig(max_body=0),
        lambda: lpchat.TransportConfig(pool_max_idle_per_host=-1),
        lambda: lpchat.TransportConfig(pool_idle_timeout=-1.0),
        lambda: lpchat.TransportConfig(pool_idle_timeout=float("nan")),
        lambda: lpchat.LoginSettings(refresh_max=-1.0),
        lambda: lpchat.LoginSettings(max_relogins=-1),
        lambda: lpchat.LoginSettings(max_relogins=2**40),
    ],
    ids=[
        "event_buffer=0",
        "event_buffer<0",
        "async event_buffer=0",
        "max_body=0",
        "pool_max_idle<0",
        "pool_idle_timeout<0",
        "pool_idle_timeout=nan",
        "refresh_max<0",
        "max_relogins<0",
        "max_relogins too big",
    ],
)
def test_bad_values_are_config_errors(make: Any) -> None:
    with pytest.raises(lpchat.ConfigError) as caught:
        make()
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("kwarg", ["incoming_interval", "request_deadline"])
def test_bad_session_intervals_are_config_errors(lpchat_emulator: Emulator, kwarg: str) -> None:
    client = lpchat_emulator.client()
    with pytest.raises(lpchat.ConfigError):
        client.agent_session(lpchat_emulator.agent(), **{kwarg: -1.0})


def test_bad_visitor_timings_are_config_errors(lpchat_emulator: Emulator) -> None:
    visitor = lpchat_emulator.client().visitor(PUBLIC_VISITOR_APP_KEY)
    with pytest.raises(lpchat.ConfigError):
        visitor.request_chat("Sales", request_deadline=-1.0)
    with pytest.raises(lpchat.ConfigError):
        visitor.resume_chat("http://127.0.0.1:9/x", "token", poll_interval=-1.0)


# ---- garbage collection -------------------------------------------------------------------


@pytest.mark.parametrize("asyncio_face", [False, True], ids=["sync", "asyncio"])
def test_a_handler_closing_over_its_session_is_collected(lpchat_emulator: Emulator, asyncio_face: bool) -> None:
    emu = lpchat_emulator

    async def scenario() -> Tuple[weakref.ref, weakref.ref]:
        session = await f(emu.client(asyncio=asyncio_face).agent_session(emu.agent()))
        started(session)

        seen: List[Any] = []

        def handler(event: Any) -> None:
            session.stats()  # the handler holds its session: a reference cycle
            seen.append(event)

        session.on_any(handler)
        session.events()
        await f(session.close())
        # The last call is over: no dispatcher holds a reference while the check runs.
        until = time.monotonic() + 10
        while not any(isinstance(e, lpchat.Closed) for e in seen):
            assert time.monotonic() < until, "no Closed event"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        return weakref.ref(session), weakref.ref(handler)

    gc.disable()  # no collection before the check: the cycle must be what is collected
    try:
        session_ref, handler_ref = asyncio.run(scenario())
        assert handler_ref() is not None, "held by the cycle until a collection"
        gc.collect()
    finally:
        gc.enable()
    assert session_ref() is None and handler_ref() is None, "the cycle was not collected"
