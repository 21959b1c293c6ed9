"""An emulator in a process of its own, so that a benchmark's CPU and memory figures are the
client's alone. Prints its base URL, then obeys lines on stdin: `visitors N` starts N
scripted visitors (two lines each, waiting for answers), `wait` prints `done` once they have
finished, `quit` stops."""

from __future__ import annotations

import sys

from lpchat.testing import Emulator, default_world


def main() -> None:
    world = default_world()
    for agent in world["agents"]:
        agent["maxChats"] = -1  # one agent takes every chat
    with Emulator(seed=5, world=world) as emu:
        print(emu.base_url, emu.account, flush=True)
        group = None
        for line in sys.stdin:
            cmd = line.split()
            if not cmd:
                continue
            if cmd[0] == "visitors":
                group = emu.run_visitors(
                    visitors=int(cmd[1]),
                    lines=["hello", "how are you?", "thanks, bye"],
                    pace_ms=1000,
                    start_interval_ms=100,
                    answer_timeout_ms=3_000_000,
                )
            elif cmd[0] == "wait" and group is not None:
                group.wait()
                group = None
                print("done", flush=True)
            elif cmd[0] == "quit":
                break


if __name__ == "__main__":
    main()
