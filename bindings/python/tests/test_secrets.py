"""No secret (password, bearer, csrf, API-key secrets, app key, proxy password) in any
repr, exception text or log record; the Rust client's tracing reaches Python's logging
under the ``lpchat`` logger."""

from __future__ import annotations

import asyncio
import logging
import time

import lpchat
from lpchat.testing import PUBLIC_VISITOR_APP_KEY, BOT, Emulator, default_world

from conftest import wait_for

PASSWORD = "Pa55-Unique-Secret-9"
BEARER = "Bearer-Unique-Token-77"
CSRF = "Csrf-Unique-Token-55"
SECRETS = [PASSWORD, BEARER, CSRF, BOT["secret"], BOT["access_token"], BOT["access_token_secret"], BOT["app_key"], PUBLIC_VISITOR_APP_KEY]


def test_reprs_show_no_secret() -> None:
    shown = [
        repr(lpchat.UserPassword("agent1", PASSWORD)),
        repr(lpchat.ApiKey(**BOT)),
        repr(lpchat.Bearer(BEARER, csrf=CSRF)),
        repr(lpchat.Jwt(BEARER)),
        repr(lpchat.TransportConfig(proxy=f"http://user:{PASSWORD}@proxy.example:8080")),
        repr(lpchat.RetryPolicy()),
        repr(lpchat.Client("12345678")),
    ]
    text = "\n".join(shown)
    for secret in SECRETS:
        assert secret not in text, (secret, text)
    assert "agent1" in shown[0] and "bot" in shown[1], "the user name is shown, the secret is not"
    login = lpchat.decode("login", f'{{"bearer":"{BEARER}","csrf":"{CSRF}","sessionTTl":"600000"}}')
    assert BEARER not in repr(login) and CSRF not in repr(login)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_logs_reach_python_logging_and_carry_no_secret() -> None:
    logger = logging.getLogger("lpchat")
    handler = Records()
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    lpchat.refresh_log_level()
    errors_text = []
    try:
        world = default_world()
        for agent in world["agents"]:
            if agent["loginName"] == "agent1":
                agent["password"] = PASSWORD
        with Emulator(world=world) as emu:
            client = emu.client()
            with client.agent_session(lpchat.UserPassword("agent1", PASSWORD), auto_accept=True) as session:
                events = session.events()
                visitor = client.visitor(PUBLIC_VISITOR_APP_KEY)
                chat = visitor.request_chat("Sales")
                accepted = asyncio.run(wait_for(events, False, lambda e: isinstance(e, lpchat.ChatAccepted)))
                chat.send_line("hello there")
                # The bearer expires: the session logs in again with the password.
                emu.expire_logins()
                session.agent_info()
                session.send_line(accepted.chat, "answer")
                chat.close()
            with client.agent_session(lpchat.ApiKey(**BOT)) as bot:
                bot.wait_started(30)
                bot.agent_info()
            stale = client.agent_session(lpchat.Bearer(BEARER, csrf=CSRF))
            try:
                stale.wait_started(30)
            except lpchat.LpchatError as e:
                errors_text.append(str(e) + repr(e))
            bad = client.agent_session(lpchat.UserPassword("agent2", PASSWORD + "x"))
            try:
                bad.wait_started(30)
            except lpchat.LpchatError as e:
                errors_text.append(str(e) + repr(e))
        # Records come through the log thread: wait until the last session's are in.
        until = time.monotonic() + 10
        while time.monotonic() < until and not any("agent_session" in r.getMessage() for r in handler.records):
            time.sleep(0.05)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
        lpchat.refresh_log_level()
    messages = [r.getMessage() for r in handler.records]
    assert len(messages) > 20, "the client's tracing reached logging"
    assert all(r.name == "lpchat" or r.name.startswith("lpchat.") for r in handler.records)
    assert any("agent_session{" in m for m in messages), messages[:5]
    assert any(r.levelno == logging.DEBUG for r in handler.records)
    assert len(errors_text) == 2
    text = "\n".join(messages + errors_text)
    for secret in SECRETS:
        assert secret not in text, secret


def test_below_the_logger_level_nothing_is_forwarded() -> None:
    logger = logging.getLogger("lpchat")
    handler = Records()
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)
    lpchat.refresh_log_level()
    try:
        with Emulator() as emu:
            with emu.client().agent_session(emu.agent()) as session:
                session.wait_started(30)
                session.agent_info()
        time.sleep(0.3)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        lpchat.refresh_log_level()
    assert [r for r in handler.records if r.levelno < logging.ERROR] == []
