"""Test your bot offline: the lpchat emulator, in process.

:class:`Emulator` starts a faithful local stand-in for LivePerson's servers (Domain API,
Login Service, Chat Agent API, Server Chat API; JSON and XML; quirks, faults, scripted
visitors, transcripts) on a free loopback port, for as long as its ``with`` block lasts::

    from lpchat.testing import Emulator

    with Emulator() as emu:
        client = emu.client()
        with client.agent_session(emu.agent("agent1"), auto_accept=True) as session:
            ...

The ``lpchat_emulator`` pytest fixture (registered as a pytest plugin when lpchat is
installed, or ``from lpchat.testing import lpchat_emulator``) gives one per test.

Settings are plain dicts in the shapes of docs/emulator.md (the emulator's control API).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from . import ApiKey, AsyncClient, Client, RetryPolicy, UserPassword
from ._lpchat import NativeEmulator

__all__ = ["Emulator", "VisitorGroup", "default_world", "PUBLIC_VISITOR_APP_KEY", "BOT", "fast_retry", "lpchat_emulator"]

#: The visitor app key the emulator accepts (the one published in LivePerson's docs).
PUBLIC_VISITOR_APP_KEY = "721c180b09eb463d9f3191c41762bb68"

#: The emulator's API-key bot (unlimited chats, OAuth-signed requests): its documented,
#: fixed test credentials.
BOT = {
    "username": "bot",
    "app_key": "emulatorbotappkey0000000000000001",
    "secret": "emulatorbotsecret01",
    "access_token": "emulatorbotaccesstoken00000000001",
    "access_token_secret": "emulatorbottokensecret01",
}


def fast_retry() -> RetryPolicy:
    """A retry schedule short enough for tests (0.1, 0.2, 0.4 s; outer loop 0.5 s)."""
    return RetryPolicy(schedule=[0.1, 0.2, 0.4], outer=0.5, max_retry_after=1.0)


def default_world() -> Dict[str, Any]:
    """The emulator's default world (account, skills, agents, app keys, ``sessionTtlMs`` …)
    as a dict, to change and pass as ``Emulator(world=...)``."""
    return json.loads(NativeEmulator.default_world_json())


class VisitorGroup:
    """A running group of scripted visitors."""

    def __init__(self, native: NativeEmulator, number: int) -> None:
        self._native = native
        self._number = number

    def wait(self) -> None:
        """Blocks (Ctrl-C works) until every visitor of the group has finished."""
        self._native.wait_visitors(self._number)

    def __repr__(self) -> str:
        return f"VisitorGroup({self._number})"


class Emulator:
    """The lpchat emulator on a free loopback port; a context manager.

    ``time_factor`` runs the emulated clock faster than real time (10 by default: a 2 s poll
    is 20 emulated seconds). ``world`` and ``quirks`` are dicts (docs/emulator.md).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        time_factor: float = 10.0,
        world: Optional[Mapping[str, Any]] = None,
        quirks: Optional[Mapping[str, Any]] = None,
        ring_timeout_s: float = 600.0,
        agent_idle_timeout_s: float = 100000.0,
        initial_availability: str = "Online",
        port: int = 0,
    ) -> None:
        self._native: Optional[NativeEmulator] = NativeEmulator(
            seed=seed,
            time_factor=time_factor,
            world=None if world is None else json.dumps(world),
            quirks=None if quirks is None else json.dumps(quirks),
            ring_timeout_s=ring_timeout_s,
            agent_idle_timeout_s=agent_idle_timeout_s,
            initial_availability=initial_availability,
            port=port,
        )

    @property
    def _n(self) -> NativeEmulator:
        if self._native is None:
            raise RuntimeError("the emulator was stopped")
        return self._native

    # -- lifecycle --

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stops serving (open connections close within a second)."""
        if self._native is not None:
            self._native.stop()
            self._native = None

    # -- where it is --

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the Domain API origin to give a client."""
        return self._n.base_url

    @property
    def account(self) -> str:
        """The account id."""
        return self._n.account

    @property
    def port(self) -> int:
        """The bound port."""
        return self._n.port

    def client(self, *, format: str = "json", asyncio: bool = False, **kwargs: Any) -> Any:
        """A :class:`lpchat.Client` (or :class:`lpchat.AsyncClient`) for this emulator, with
        the short test retry schedule unless ``retry`` is given."""
        kwargs.setdefault("retry", fast_retry())
        kwargs.setdefault("seed", 7)
        cls = AsyncClient if asyncio else Client
        return cls(self.account, domain=self.base_url, format=format, **kwargs)

    @staticmethod
    def agent(login: str = "agent1", password: str = "password") -> UserPassword:
        """Credentials of an agent of the default world (agent1-agent3, password ``password``)."""
        return UserPassword(login, password)

    @staticmethod
    def bot() -> ApiKey:
        """Credentials of the default world's API-key bot."""
        return ApiKey(**BOT)

    # -- quirks and faults --

    @property
    def quirks(self) -> Dict[str, Any]:
        """The quirks in force."""
        return json.loads(self._n.quirks_json())

    def set_quirks(self, quirks: Mapping[str, Any]) -> None:
        """Replaces the quirks."""
        self._n.set_quirks_json(json.dumps(quirks))

    def update_quirks(self, changes: Mapping[str, Any]) -> None:
        """Changes some quirks (top-level keys replace, nested dicts merge)."""
        current = self.quirks
        for k, v in changes.items():
            if isinstance(v, Mapping) and isinstance(current.get(k), dict):
                current[k].update(v)
            else:
                current[k] = v
        self.set_quirks(current)

    def add_fault(self, rule: Optional[Mapping[str, Any]] = None, **fields: Any) -> int:
        """Adds a fault rule, e.g. ``add_fault(route="*/chat/*", type="status", status=503,
        count=2)``; returns its id."""
        body = dict(rule or {})
        body.update(fields)
        return self._n.add_fault_json(json.dumps(body))

    def add_default_faults(self) -> List[int]:
        """Adds the soak's default fault mix (5xx, 429 + Retry-After, dropped connections,
        truncated bodies, repeated events on every agent-session route)."""
        return self._n.add_default_faults()

    def remove_fault(self, rule_id: int) -> bool:
        """Removes one fault rule."""
        return self._n.remove_fault(rule_id)

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self._n.clear_faults()

    @property
    def faults(self) -> List[Dict[str, Any]]:
        """The fault rules in force, with their firing counts."""
        return json.loads(self._n.faults_json())

    # -- the world --

    def expire_logins(self) -> None:
        """Expires every live login now: its bearer is refused from the next request on."""
        self._n.expire_logins()

    def now_ms(self) -> int:
        """Emulated now, ms since the epoch."""
        return self._n.now_ms()

    def state(self) -> Dict[str, Any]:
        """The control state snapshot (agents, sessions, chats)."""
        return json.loads(self._n.state_json())

    def run_visitors(self, scenario: Optional[Mapping[str, Any]] = None, **fields: Any) -> VisitorGroup:
        """Starts scripted visitors, e.g. ``run_visitors(visitors=3, lines=["hi", "bye"])``
        (durations in emulated ms)."""
        body = dict(scenario or {})
        body.update(fields)
        return VisitorGroup(self._n, self._n.run_visitors_json(json.dumps(body)))

    def visitor_records(self) -> List[Dict[str, Any]]:
        """What every scripted visitor sent and received so far."""
        return json.loads(self._n.visitor_records_json())

    def transcripts(self) -> List[Dict[str, Any]]:
        """Every chat's transcript (all events, in order), in creation order."""
        return json.loads(self._n.transcripts_json())

    def transcript(self, chat_id: str) -> Optional[Dict[str, Any]]:
        """One chat's transcript."""
        text = self._n.transcript_json(chat_id)
        return None if text is None else json.loads(text)

    # -- no-loss checks against the transcripts --

    def check_events(self, *delivered: Mapping[str, Sequence[int]]) -> Dict[str, int]:
        """Every transcript event against the event ids each session delivered
        (``{chat_id: [ids]}`` per session): ``{"expected", "lost", "doubled"}``."""
        return self._n.check_events([{k: list(v) for k, v in d.items()} for d in delivered])

    def check_visitor_lines(self, *delivered: Mapping[str, Sequence[int]]) -> Dict[str, int]:
        """Every line the scripted visitors sent against what the sessions delivered."""
        return self._n.check_visitor_lines([{k: list(v) for k, v in d.items()} for d in delivered])

    def check_sent_lines(self, sent: Sequence[Tuple[str, str]]) -> Dict[str, int]:
        """Lines a bot sent (``(chat_id, text)``, texts unique per chat) against the
        transcripts: each must be in its chat once."""
        return self._n.check_sent_lines([(c, t) for c, t in sent])

    def check_received_by_visitors(self, sent: Sequence[Tuple[str, str]]) -> Dict[str, int]:
        """Lines a bot sent against what the scripted visitors received."""
        return self._n.check_received_by_visitors([(c, t) for c, t in sent])

    def __repr__(self) -> str:
        if self._native is None:
            return "Emulator(stopped)"
        return f"Emulator(base_url={self.base_url!r}, account={self.account!r})"


try:  # The fixture needs pytest; lpchat itself does not.
    import pytest as _pytest

    @_pytest.fixture
    def lpchat_emulator() -> Iterator[Emulator]:
        """An :class:`Emulator` for one test, stopped after it."""
        with Emulator() as emu:
            yield emu

except ImportError:  # pragma: no cover - pytest absent
    pass
