"""A multi-chat body (A13) of N chats x M events, in JSON and XML, shaped as the server
writes it (tests/fixtures/agent/chats.basic.*)."""

from __future__ import annotations

from xml.sax.saxutils import escape

BASE = "https://va-a.agentvep.liveperson.net/api/account/25025413/agentSession/1027882276"


def chat_id(c: int) -> str:
    return f"H47094746153288{c:05d}-2767456311409308813K84140{c:02d}"


def event(i: int) -> dict:
    t = f"2015-08-30T18:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}+03:00"
    if i % 10 == 0:
        return {"@id": str(i), "@type": "state", "time": t, "state": "chatting"}
    who = "visitor" if i % 2 else "agent"
    return {
        "@id": str(i),
        "@type": "line",
        "time": t,
        "textType": "plain",
        "text": f"Line number {i} of this chat, with some ordinary words in it.",
        "by": "Visitor" if who == "visitor" else "Agent Nick",
        "source": who,
        "systemMessageId": "0",
        "subType": "REGULAR",
    }


def chats_json(chats: int, events: int) -> dict:
    out = []
    for c in range(chats):
        href = f"{BASE}/chat/{chat_id(c)}"
        out.append(
            {
                "link": [
                    {"@href": href, "@rel": "self"},
                    {"@href": f"{href}?from={events}", "@rel": "next"},
                ],
                "events": {
                    "link": [{"@href": f"{href}/events?from={events}", "@rel": "next"}],
                    "event": [event(i) for i in range(events)],
                },
            }
        )
    return {"chats": {"chat": out}}


def chats_xml(chats: int, events: int) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', "<chats>"]
    for c in range(chats):
        href = f"{BASE}/chat/{chat_id(c)}"
        parts.append("<chat>")
        parts.append(f'<link href="{href}" rel="self"/><link href="{href}?from={events}" rel="next"/>')
        parts.append(f'<events><link href="{href}/events?from={events}" rel="next"/>')
        for i in range(events):
            e = event(i)
            attrs = f'id="{e["@id"]}" type="{e["@type"]}"'
            inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in e.items() if not k.startswith("@"))
            parts.append(f"<event {attrs}>{inner}</event>")
        parts.append("</events></chat>")
    parts.append("</chats>")
    return "".join(parts)
