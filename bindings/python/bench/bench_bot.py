"""(2) Events delivered per CPU-second: an lpchat echo bot against a plain `requests`
polling bot written the simple way (log in, start the session, go Online, poll the ringing
count and each chat's events every 2 s, answer visitor lines), both against the same
emulator (in another process) with the same scripted chats. CPU time is this process's
(every thread: lpchat's runtime included)."""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import time
from pathlib import Path

import requests

import lpchat

HERE = Path(__file__).resolve().parent
CHATS = 100


class EmulatorProcess:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "emulator_proc.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.base_url, self.account = self.proc.stdout.readline().split()

    def send(self, cmd: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def wait_visitors(self) -> None:
        self.send("wait")
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "done"

    def close(self) -> None:
        self.send("quit")
        self.proc.wait(timeout=30)


def lpchat_bot(emu: EmulatorProcess) -> int:
    client = lpchat.Client(emu.account, domain=emu.base_url)
    events = 0
    ended = 0
    with client.agent_session(lpchat.UserPassword("agent1", "password"), auto_accept=True) as session:
        session.wait_started(30)
        emu.send(f"visitors {CHATS}")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for event in session.events():
                match event:
                    case lpchat.ChatEvent(chat=chat, event=lpchat.Line(text=text, source="visitor")):
                        events += 1
                        pool.submit(session.send_line, chat, f"echo: {text}")
                    case lpchat.ChatEvent():
                        events += 1
                    case lpchat.ChatEnded():
                        ended += 1
                        if ended == CHATS:
                            break
        stats = session.stats()
    print(f"  lpchat: {stats.requests} requests ({stats.retried} retried)")
    return events


def as_list(v: object) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def plain_bot(emu: EmulatorProcess) -> int:
    s = requests.Session()
    s.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
    host = s.get(f"{emu.base_url}/api/account/{emu.account}/service/agentVep/baseURI.json?version=1.0").json()["baseURI"]
    acct = f"http://{host}/api/account/{emu.account}"
    bearer = s.post(f"{acct}/login?v=1.3", json={"username": "agent1", "password": "password"}).json()["bearer"]
    s.headers["Authorization"] = f"Bearer {bearer}"
    agent = s.post(f"{acct}/agentSession?v=1&NC=true", json={"loginData": ""}).json()
    session = agent["agentSessionLocation"]["link"]["@href"]
    s.post(f"{session}/availability?v=1&NC=true", json={"availability": {"chat": "Online"}}, headers={"X-HTTP-Method-Override": "PUT"})
    emu.send(f"visitors {CHATS}")
    calls = 0

    def counted(response: requests.Response, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1

    s.hooks["response"].append(counted)
    chats: dict = {}  # chat URL -> the URL of its next events
    events = 0
    ended = 0
    while ended < CHATS:
        ringing = s.get(f"{session}/incomingRequests?v=1&NC=true").json()["incomingRequests"]
        for _ in range(int(ringing.get("ringingCount", 0))):
            r = s.post(f"{session}/incomingRequests?v=1&NC=true", json={})
            if r.status_code == 201:
                chat = r.json()["chatLocation"]["link"]["@href"]
                chats[chat] = f"{chat}/events?v=1&NC=true"
        for chat, url in list(chats.items()):
            body = s.get(url).json()["events"]
            for e in as_list(body.get("event")):
                events += 1
                if e.get("@type", e.get("type")) == "line" and e.get("source") == "visitor":
                    s.post(f"{chat}/events?v=1&NC=true", json={"event": {"@type": "line", "text": f"echo: {e['text']}", "textType": "plain"}})
                elif e.get("@type", e.get("type")) == "state" and e.get("state") == "ended":
                    ended += 1
                    del chats[chat]
            nxt = [l["@href"] for l in as_list(body.get("link")) if l.get("@rel") == "next"]
            if chat in chats and nxt:
                chats[chat] = nxt[0] + ("&" if "?" in nxt[0] else "?") + "v=1&NC=true"
        time.sleep(2)
    print(f"  requests: {calls} requests")
    return events


def measure(bot, name: str) -> float:
    emu = EmulatorProcess()
    try:
        wall, cpu = time.monotonic(), time.process_time()
        events = bot(emu)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        emu.wait_visitors()
    finally:
        emu.close()
    rate = events / cpu
    print(f"{name}: {events} events in {wall:.1f} s wall, {cpu:.2f} CPU-s: {rate:.0f} events per CPU-second")
    return rate


def main() -> None:
    lp = measure(lpchat_bot, "lpchat bot  ")
    plain = measure(plain_bot, "requests bot")
    print(f"events per CPU-second, lpchat / requests: {lp / plain:.1f}x ({CHATS} chats of 3 visitor lines)")


if __name__ == "__main__":
    main()
