"""(1) Decoding a 50-chat x 40-event multi-chat body into objects: lpchat.decode (and
walking every chat's events, which builds the event objects) against what a Python user
writes without lpchat: json.loads (or xmltodict.parse) plus equivalent frozen dataclasses
with datetimes."""

from __future__ import annotations

import datetime
import json
import sys
import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

import lpchat
import xmltodict

from bodies import chats_json, chats_xml


@dataclass(frozen=True)
class Line:
    id: int
    time: Optional[datetime.datetime]
    text: str
    text_type: str
    by: Optional[str]
    source: Optional[str]
    system_message_id: Optional[int]
    sub_type: Optional[str]


@dataclass(frozen=True)
class StateChange:
    id: int
    time: Optional[datetime.datetime]
    state: str


@dataclass(frozen=True)
class Chat:
    links: Tuple[Tuple[str, str], ...]
    events: Tuple[object, ...]


def as_list(v: object) -> list:
    # The wire's one-or-many: a lone item comes as a bare object.
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def attr(d: dict, k: str) -> object:
    return d.get("@" + k, d.get(k))


def build(tree: dict) -> List[Chat]:
    out = []
    for c in as_list(tree["chats"].get("chat")):
        events = []
        for e in as_list(c.get("events", {}).get("event")):
            t = e.get("time")
            when = datetime.datetime.fromisoformat(t) if t else None
            if attr(e, "type") == "line":
                smi = e.get("systemMessageId")
                events.append(
                    Line(int(attr(e, "id")), when, e.get("text") or "", e.get("textType") or "plain", e.get("by"),
                         e.get("source"), int(smi) if smi is not None else None, e.get("subType"))
                )
            else:
                events.append(StateChange(int(attr(e, "id")), when, e.get("state")))
        links = tuple((attr(l, "rel"), attr(l, "href")) for l in as_list(c.get("link")))
        out.append(Chat(links, tuple(events)))
    return out


def walk_lpchat(model: lpchat.Model) -> int:
    n = 0
    for chat in model.chat:
        for e in chat.events.event:
            n += 1
            e.time  # noqa: B018 - the datetime is part of the object
    return n


def best(f, rounds: int = 15) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    chats, events = 50, 40
    j = json.dumps(chats_json(chats, events)).encode()
    x = chats_xml(chats, events).encode()
    # Same content either way.
    assert walk_lpchat(lpchat.decode("chats", j)) == chats * events == walk_lpchat(lpchat.decode("chats", x))
    assert sum(len(c.events) for c in build(json.loads(j))) == chats * events
    assert sum(len(c.events) for c in build(xmltodict.parse(x))) == chats * events

    lj = best(lambda: walk_lpchat(lpchat.decode("chats", j, "json")))
    bj = best(lambda: build(json.loads(j)))
    lx = best(lambda: walk_lpchat(lpchat.decode("chats", x, "xml")))
    bx = best(lambda: build(xmltodict.parse(x)))
    print(f"python {sys.version.split()[0]}, body {len(j) // 1024} KiB JSON / {len(x) // 1024} KiB XML, {chats} chats x {events} events")
    print(f"JSON: lpchat.decode {lj * 1e3:.2f} ms, json.loads + dataclasses {bj * 1e3:.2f} ms: {bj / lj:.1f}x")
    print(f"XML:  lpchat.decode {lx * 1e3:.2f} ms, xmltodict + dataclasses {bx * 1e3:.2f} ms: {bx / lx:.1f}x")


if __name__ == "__main__":
    main()
