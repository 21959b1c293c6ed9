"""The exception hierarchy against docs/errors.md, row by row, and real failures raising
the class of their row with its attributes."""

from __future__ import annotations

import builtins
import pickle
import re
from pathlib import Path

import pytest

import lpchat
from lpchat import errors
from lpchat.testing import PUBLIC_VISITOR_APP_KEY, Emulator

TABLE = Path(__file__).resolve().parents[3] / "docs" / "errors.md"


def rows() -> list:
    out = []
    for line in TABLE.read_text().splitlines():
        m = re.match(r"\| .* \| `(LPCHAT_\w+)` \| `(LPCHAT_\w+)` \| `(\w+)\(([\w, ]+)\)` \|", line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), [b.strip() for b in m.group(4).split(",")]))
    return out


def test_the_table_has_every_row() -> None:
    assert len(rows()) == 14


@pytest.mark.parametrize("code, node_code, name, bases", rows(), ids=[r[2] for r in rows()])
def test_each_row_is_a_class_with_its_code_and_bases(code: str, node_code: str, name: str, bases: list) -> None:
    cls = getattr(errors, name)
    assert getattr(lpchat, name) is cls, "re-exported from lpchat"
    assert cls.code == code == node_code
    assert issubclass(cls, lpchat.LpchatError)
    for base in bases:
        expected = getattr(errors, base, None) or getattr(builtins, base)
        assert issubclass(cls, expected), (name, base)
    err = cls("message", status=404, reason="rejected")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and again.status == 404 and again.reason == "rejected" and str(again) == "message"


def test_every_class_in_the_module_is_in_the_table() -> None:
    named = {r[2] for r in rows()}
    classes = {n for n in errors.__all__ if n != "LpchatError"}
    assert classes == named


def test_transport_errors() -> None:
    client = lpchat.Client("12345678", domain="http://127.0.0.1:9")
    with pytest.raises(lpchat.TransportError) as caught:
        client.domain("agentVep")
    assert isinstance(caught.value, ConnectionError)
    assert caught.value.kind == "connect_failed" and caught.value.code == "LPCHAT_TRANSPORT"


def test_a_request_timeout_is_a_timeout_error() -> None:
    with Emulator() as emu:
        emu.add_fault(route="*baseURI*", type="latency", ms=3000)
        client = emu.client(transport=lpchat.TransportConfig(request_timeout=0.3))
        with pytest.raises(lpchat.RequestTimeoutError) as caught:
            client.domain("agentVep")
        assert isinstance(caught.value, TimeoutError) and isinstance(caught.value, lpchat.TransportError)
        assert caught.value.code == "LPCHAT_TIMEOUT" and caught.value.kind == "timeout"


def test_api_auth_outcome_unknown_command_closed_not_ready() -> None:
    with Emulator() as emu:
        client = emu.client()
        # A refused app key: 401.
        stranger = client.visitor("0" * 32)
        with pytest.raises(lpchat.AuthError) as auth:
            stranger.availability()
        assert auth.value.status == 401 and isinstance(auth.value, PermissionError)
        assert "0" * 32 not in str(auth.value)

        session = client.agent_session(emu.agent())
        session.wait_started(30)
        # Another 4xx: an ApiError with its status.
        with pytest.raises(lpchat.ApiError) as api:
            session.raw_get(emu.base_url + "/api/account/12345678/no/such/thing")
        assert api.value.status == 404 and api.value.code == "LPCHAT_API"
        assert not isinstance(api.value, lpchat.AuthError)
        # Nothing rings: the accept fails as a command.
        with pytest.raises(lpchat.CommandError) as command:
            session.accept_next()
        assert command.value.reason == "nothing_to_do" and command.value.code == "LPCHAT_COMMAND"

        # A transcript request whose answer is a 500 may have been handled: not sent again.
        visitor = client.visitor(PUBLIC_VISITOR_APP_KEY)
        chat = visitor.request_chat("Sales")
        emu.add_fault(route="*/transcriptRequest", type="status", status=500, count=1)
        with pytest.raises(lpchat.OutcomeUnknownError) as unknown:
            chat.request_transcript("someone@example.com")
        assert unknown.value.endpoint == "V18" and isinstance(unknown.value, lpchat.CommandError)
        assert unknown.value.code == "LPCHAT_OUTCOME_UNKNOWN"
        assert "someone@example.com" not in str(unknown.value)
        chat.close()

        session.close()
        with pytest.raises(lpchat.ClosedError) as closed:
            session.cursor_token()
        assert closed.value.code == "LPCHAT_CLOSED" and isinstance(closed.value, RuntimeError)

        # A login that takes longer than the wait: not ready yet.
        emu.add_fault(route="*/authentication*", type="latency", ms=2000, count=1)
        emu.add_fault(route="*/agentSession*", type="latency", ms=2000, count=1)
        slow = client.agent_session(emu.agent())
        with pytest.raises(lpchat.NotReadyError) as not_ready:
            slow.wait_started(0.2)
        assert not_ready.value.code == "LPCHAT_NOT_READY"
        slow.wait_started(30)
        slow.close()


def test_bad_arguments_are_config_errors_and_value_errors() -> None:
    with pytest.raises(lpchat.ConfigError) as bad_format:
        lpchat.Client("1", format="yaml")
    assert isinstance(bad_format.value, ValueError) and bad_format.value.code == "LPCHAT_CONFIG"
    with pytest.raises(lpchat.ConfigError):
        lpchat.RetryPolicy(schedule=[-1.0])
    with pytest.raises(lpchat.ConfigError):
        lpchat.RetryPolicy(jitter=2.0)
    with pytest.raises(lpchat.ConfigError):
        lpchat.TransportConfig(connect_timeout=float("nan"))
    with pytest.raises(lpchat.ConfigError):
        lpchat.Client("1", transport=lpchat.TransportConfig(proxy="::not a url::"))
    with pytest.raises(lpchat.ConfigError):
        lpchat.cursor_positions("garbage")


def test_messages_are_the_rust_sentences() -> None:
    """A message is the Rust client's `Display` (crates/lpchat/src/error.rs pins the same
    sentences in `messages_read_as_sentences`): no snake_case code, no Debug braces."""
    with Emulator() as emu:
        client = emu.client()
        session = client.agent_session(emu.agent())
        session.wait_started(30)
        with pytest.raises(lpchat.CommandError) as unknown_chat:
            session.send_line("H-no-such-chat", "hello")
        assert unknown_chat.value.reason == "unknown_chat"
        assert str(unknown_chat.value) == "command failed: the chat is not followed"

        visitor = client.visitor(PUBLIC_VISITOR_APP_KEY)
        chat = visitor.request_chat("Sales")
        emu.add_fault(route="*/transcriptRequest", type="status", status=500, count=1)
        with pytest.raises(lpchat.OutcomeUnknownError) as unknown:
            chat.request_transcript("someone@example.com")
        assert str(unknown.value) == "V18: outcome unknown (HTTP 500 Internal Server Error); not sent again"
        chat.close()
        session.close()
        with pytest.raises(lpchat.ClosedError) as closed:
            session.cursor_token()
        assert str(closed.value) == "the session is closed"

        refused = client.agent_session(lpchat.UserPassword("agent1", "wrong password"))
        with pytest.raises(lpchat.SessionLostError) as lost:
            refused.wait_started(30)
        assert lost.value.reason == "bad_credentials" and lost.value.status == 401
        assert str(lost.value) == "session lost: the Login Service refused the credentials (HTTP 401 Unauthorized)"
        assert "wrong password" not in str(lost.value) + repr(lost.value)

    for message in (str(unknown_chat.value), str(unknown.value), str(closed.value), str(lost.value)):
        assert "{" not in message and not re.search(r"\b[a-z]+_[a-z_]+\b", message), message
