"""The process-level promises: a blocked sync call answers Ctrl-C within a second; a fork
after the runtime started gives ForkedError in the child, never a hang (a fork before it
works normally); a blocking call from a runtime thread is refused. Each runs in a
subprocess, so the test process itself is neither interrupted nor forked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import lpchat

PYTHON = sys.executable


def spawn(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


BLOCKED = """
    import sys, time
    import lpchat
    from lpchat.testing import Emulator
    with Emulator() as emu:
        # Every Domain API answer is held back a minute: the lookup below blocks.
        emu.add_fault(route="*baseURI*", type="latency", ms=60000)
        client = emu.client()
        print("ready", flush=True)
        try:
            client.domain("agentVep")
        except KeyboardInterrupt:
            print("interrupted", time.monotonic(), flush=True)
            sys.exit(0)
        print("not interrupted", flush=True)
        sys.exit(3)
"""


def test_a_blocked_sync_call_answers_sigint_within_a_second() -> None:
    child = spawn(BLOCKED)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # the call is blocked in the lookup by now
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().split()
        assert line and line[0] == "interrupted", (line, child.stderr.read() if child.stderr else "")
        answered = float(line[1])
        # time.monotonic is system-wide on Linux: the two processes' clocks agree.
        assert answered - sent < 1.0, f"KeyboardInterrupt after {answered - sent:.2f} s"
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


FORK_AFTER = """
    import os, sys
    import lpchat
    from lpchat.testing import Emulator
    emu = Emulator()
    client = emu.client()
    client.domain("agentVep")  # the runtime runs now
    pid = os.fork()
    if pid == 0:
        codes = []
        for call in (lambda: client.domain("agentVep"), lambda: Emulator(), lambda: emu.state(),
                     lambda: lpchat.Client("1").domain("agentVep")):
            try:
                call()
                codes.append("no error")
            except lpchat.ForkedError as e:
                codes.append(e.code if isinstance(e, RuntimeError) else "not a RuntimeError")
        print(" ".join(codes), flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child exit", os.waitstatus_to_exitcode(status), flush=True)
    print("parent still works", client.domain("agentVep") == emu.base_url.split("//")[1], flush=True)
    emu.stop()
"""


def test_a_fork_after_the_runtime_started_is_refused_in_the_child_not_hung() -> None:
    child = spawn(FORK_AFTER)
    out, err = child.communicate(timeout=60)
    lines = out.splitlines()
    assert lines[0] == " ".join(["LPCHAT_FORKED"] * 4), (out, err)
    assert lines[1] == "child exit 0", (out, err)
    assert lines[2] == "parent still works True", (out, err)


FORK_BEFORE = """
    import os
    import lpchat
    from lpchat.testing import Emulator
    pid = os.fork()  # before lpchat's runtime exists
    if pid == 0:
        with Emulator() as emu:
            ok = emu.client().domain("agentVep") == emu.base_url.split("//")[1]
        print("child works", ok, flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child exit", os.waitstatus_to_exitcode(status), flush=True)
"""


def test_a_fork_before_the_runtime_started_works_in_the_child() -> None:
    child = spawn(FORK_BEFORE)
    out, err = child.communicate(timeout=60)
    assert out.splitlines() == ["child works True", "child exit 0"], (out, err)


def test_a_blocking_call_from_a_runtime_thread_is_refused() -> None:
    client = lpchat.Client("12345678", domain="http://127.0.0.1:9")
    with pytest.raises(lpchat.RuntimeMisuseError) as caught:
        lpchat._lpchat._call_on_runtime_thread(lambda: client.domain("agentVep"))
    assert caught.value.code == "LPCHAT_RUNTIME"
    assert isinstance(caught.value, RuntimeError)
    # The runtime is fine afterwards.
    assert lpchat._lpchat._call_on_runtime_thread(lambda: 7) == 7


EXIT_OPEN = """
    import sys
    import lpchat
    client = lpchat.Client(sys.argv[2], domain=sys.argv[1])
    session = client.agent_session(lpchat.UserPassword("agent1", "password"))
    session.wait_started(30)
    print("started", flush=True)
    # No close: the interpreter exits with the session open.
"""


def test_a_session_left_open_at_exit_is_closed() -> None:
    from lpchat.testing import Emulator

    with Emulator() as emu:
        child = subprocess.run(
            [PYTHON, "-c", textwrap.dedent(EXIT_OPEN), emu.base_url, emu.account],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child.stdout.strip() == "started", child.stderr
        assert child.returncode == 0, child.stderr
        sessions = emu.state()["agentSessions"]
        assert len(sessions) == 1 and sessions[0]["alive"] is False, sessions
