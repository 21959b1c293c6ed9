"""(3) Resident memory of 1,000 idle agent sessions in one Python process (the emulator in
another): (RSS after - RSS before) / sessions, after every session started and polled a
while."""

from __future__ import annotations

import sys
import time

import lpchat

from bench_bot import EmulatorProcess

SESSIONS = 1000


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    emu = EmulatorProcess()
    try:
        client = lpchat.Client(emu.account, domain=emu.base_url)
        client.domain("agentVep")  # the runtime and the transport exist
        before = rss_kib()
        sessions = [
            client.agent_session(lpchat.UserPassword(f"agent{1 + n % 3}", "password")) for n in range(SESSIONS)
        ]
        for s in sessions:
            s.wait_started(120)
        time.sleep(10)  # idle: keepalives and polls only
        after = rss_kib()
        per = (after - before) / SESSIONS
        print(f"{SESSIONS} idle agent sessions: RSS {before} KiB -> {after} KiB: {per:.1f} KiB per session")
        for s in sessions:
            s.close()
    finally:
        emu.close()


if __name__ == "__main__":
    sys.exit(main())
