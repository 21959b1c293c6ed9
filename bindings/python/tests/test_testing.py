"""lpchat.testing: the pytest fixture (registered as a plugin), and the Emulator's controls
a user's own tests rely on: quirks, faults, logins, scripted visitors, transcripts."""

from __future__ import annotations

import pytest

import lpchat
from lpchat.testing import Emulator, default_world


def test_the_fixture_comes_from_the_installed_plugin(lpchat_emulator: Emulator) -> None:
    # No import of the fixture here: pytest found it through the lpchat entry point.
    assert lpchat_emulator.base_url.startswith("http://127.0.0.1:")
    assert lpchat_emulator.account == "12345678"
    assert lpchat_emulator.client().domain("agentVep") == lpchat_emulator.base_url.split("//")[1]


def test_emulator_controls() -> None:
    world = default_world()
    world["account"] = "87654321"
    with Emulator(world=world, seed=3) as emu:
        assert emu.account == "87654321" and repr(emu).startswith("Emulator(")
        # Quirks: a nested change merges, the rest stays.
        before = emu.quirks
        emu.update_quirks({"atPrefix": {"chats": True}})
        after = emu.quirks
        assert after["atPrefix"]["chats"] is True
        assert after["atPrefix"]["survey"] == before["atPrefix"]["survey"]
        # Faults: added, listed with counts, fired, removed.
        rule = emu.add_fault(route="*baseURI*", type="status", status=503, count=5)
        client = emu.client(retry=lpchat.RetryPolicy(schedule=[0.05], outer=0.05, max_retry_after=0.1))
        with pytest.raises(lpchat.LpchatError):
            client.domain("agentVep")
        (listed,) = emu.faults
        assert listed["id"] == rule and listed["fired"] >= 1
        assert emu.remove_fault(rule) and emu.faults == []
        assert not emu.remove_fault(rule)
        with pytest.raises(lpchat.ConfigError):
            emu.add_fault(route="*", type="no-such-fault")
        # Logins expire on demand: the session logs in again and goes on.
        with emu.client().agent_session(emu.agent()) as session:
            session.wait_started(30)
            stream = session.events()
            emu.expire_logins()
            assert session.agent_info().login_name == "agent1"
            seen = []
            while not any(isinstance(e, lpchat.LoggedIn) for e in seen[1:]):
                seen.append(stream.next(30))
        assert emu.transcript("no-such-chat") is None
        assert emu.visitor_records() == []
        assert emu.now_ms() > 0
        with pytest.raises(lpchat.ConfigError):
            emu.run_visitors(visitors=100_000)
        emu.stop()
        emu.stop()  # a second stop does nothing
        assert repr(emu) == "Emulator(stopped)"
        with pytest.raises(RuntimeError):
            emu.state()


def test_a_bad_world_or_quirks_is_a_config_error() -> None:
    world = default_world()
    world["agents"][0]["skills"] = [999]
    with pytest.raises(lpchat.ConfigError):
        Emulator(world=world)
    with pytest.raises(lpchat.ConfigError):
        Emulator(quirks={"suffix": "sideways"})
    with pytest.raises(lpchat.ConfigError):
        Emulator(time_factor=0)
