"""lpchat.decode over every wire fixture (tests/fixtures, shared with the Rust and Node
suites): good bodies decode, the JSON and XML forms of one body decode to equal models,
and every bad or hostile body raises a typed DecodeError that shows no value of the body.
Random and mutated bodies never crash the process.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from pathlib import Path

import pytest

import lpchat

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
KNOWN = lpchat.resources()
DECODABLE = [e for e in MANIFEST if e["resource"] in KNOWN and e["format"] in ("json", "xml")]
GOOD = [e for e in DECODABLE if "error" not in e["expect"]]
BAD = [e for e in DECODABLE if "error" in e["expect"]]


def body(entry: dict) -> bytes:
    return (FIXTURES / entry["file"]).read_bytes()


def test_the_fixtures_are_there() -> None:
    assert len(GOOD) > 100 and len(BAD) > 20, (len(GOOD), len(BAD))


@pytest.mark.parametrize("entry", GOOD, ids=[e["file"] for e in GOOD])
def test_every_good_fixture_decodes(entry: dict) -> None:
    value = lpchat.decode(entry["resource"], body(entry), entry["format"])
    # The format is detected when not given.
    assert lpchat.decode(entry["resource"], body(entry)) == value
    if isinstance(value, lpchat.Model):
        assert value.kind
        assert isinstance(value.to_dict(), dict)
        repr(value)
        for name in value.fields():
            getattr(value, name)


PAIRS = [e for e in GOOD if e["format"] == "json" and e.get("same_as")]


@pytest.mark.parametrize("entry", PAIRS, ids=[e["file"] for e in PAIRS])
def test_equivalent_forms_decode_to_the_same_model(entry: dict) -> None:
    """A body's XML form, or its other quirk shapes, decode to the same model."""
    other = next(e for e in MANIFEST if e["file"] == entry["same_as"])
    assert lpchat.decode(entry["resource"], body(entry), "json") == lpchat.decode(
        other["resource"], body(other), other["format"]
    )


def test_agent_info_fields_are_typed() -> None:
    entry = next(e for e in GOOD if e["file"] == "agent/agent-info.basic.json")
    info = lpchat.decode("agent-info", body(entry))
    expect = entry["expect"]
    assert info.id == expect["agent_id"]
    assert info.login_name == expect["login_name"]
    assert info.max_chats == expect["max_chats"], "numbers written as strings are ints"
    assert [link.rel for link in info.link] == expect["link_rels"]
    with pytest.raises(AttributeError):
        info.no_such_field
    assert info.get("no_such_field", 5) == 5


def test_events_are_event_classes_with_datetimes() -> None:
    entries = [e for e in GOOD if e["resource"] == "events" and e["format"] == "json"]
    seen = set()
    for entry in entries:
        events = lpchat.decode("events", body(entry))
        for e in events.get("event", ()):
            assert isinstance(e, (lpchat.Line, lpchat.StateChange, lpchat.UrlPushed, lpchat.A2aTransfer, lpchat.UnknownEvent))
            assert isinstance(e.id, int)
            assert e.time is None or (isinstance(e.time, datetime.datetime) and e.time.tzinfo is not None)
            seen.add(type(e))
    assert lpchat.Line in seen and lpchat.StateChange in seen


def test_an_iso_timestamp_keeps_its_offset_and_milliseconds() -> None:
    events = lpchat.decode(
        "events",
        b'{"events":{"event":[{"@id":"4","@type":"line","time":"2018-01-29T08:19:43.963-05:00","text":"hi","by":"V","source":"visitor"}]}}',
    )
    (line,) = events.event
    assert line == lpchat.Line(4, line.time, "hi", "plain", "V", "visitor", None, None, None)
    assert line.time == datetime.datetime(2018, 1, 29, 13, 19, 43, 963000, tzinfo=datetime.timezone.utc)
    assert line.time.utcoffset() == datetime.timedelta(hours=-5)


def test_a_multi_chat_body_holds_chats_with_events() -> None:
    entry = next(e for e in GOOD if e["resource"] == "chats" and e["format"] == "json")
    chats = lpchat.decode("chats", body(entry))
    assert chats.kind == "Chats"
    for chat in chats.chat:
        assert isinstance(chat, lpchat.Model)


KIND_OF = {"type": {"type", "root", "empty"}, "syntax": {"syntax", "empty", "root"}, "utf8": {"utf8"}, "entity": {"entity", "syntax"}}


@pytest.mark.parametrize("entry", BAD, ids=[e["file"] for e in BAD])
def test_every_bad_fixture_is_a_typed_error_that_echoes_nothing(entry: dict) -> None:
    raw = body(entry)
    with pytest.raises(lpchat.DecodeError) as caught:
        lpchat.decode(entry["resource"], raw, entry["format"])
    err = caught.value
    assert isinstance(err, ValueError) and isinstance(err, lpchat.LpchatError)
    assert err.code == "LPCHAT_DECODE"
    assert err.resource and err.format == entry["format"]
    assert err.kind in KIND_OF[entry["expect"]["error"]], (err.kind, entry["expect"])
    assert_no_value_echoed(raw, err)


def assert_no_value_echoed(raw: bytes, err: BaseException) -> None:
    text = str(err) + repr(err)
    for token in set(re.findall(rb"[A-Za-z0-9]{6,}", raw)):
        word = token.decode("ascii")
        if word.lower() in {"events", "event", "state", "chatting", "ended", "availableslots", "version", "encoding"}:
            continue  # names of the format, not values
        assert word not in text, f"{word!r} echoed in {text!r}"


def test_a_secret_in_a_bad_body_is_not_echoed() -> None:
    secret = "S3cr3tBearerValue0123456789"
    bad = f'{{"login":{{"bearer":"{secret}","csrf":42,"sessionTTl":"not a number"}}}}'.encode()
    with pytest.raises(lpchat.DecodeError) as caught:
        lpchat.decode("login", bad)
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    good = lpchat.decode("login", f'{{"bearer":"{secret}","csrf":"c5rfValue99","sessionTTl":"600000"}}'.encode(), "json")
    assert secret not in repr(good) and "c5rfValue99" not in repr(good)
    assert good.bearer == secret, "the value itself is the caller's"


def test_unknown_resources_formats_and_bodies_are_config_errors() -> None:
    with pytest.raises(lpchat.ConfigError):
        lpchat.decode("no-such-resource", b"{}")
    with pytest.raises(lpchat.ConfigError):
        lpchat.decode("events", b"{}", "yaml")
    with pytest.raises(lpchat.ConfigError):
        lpchat.decode("events", b"oauth_problem=x")
    with pytest.raises(lpchat.ConfigError):
        lpchat.decode("events", 42)  # type: ignore[arg-type]
    with pytest.raises(lpchat.DecodeError) as too_big:
        lpchat.decode("events", b"{" + b" " * (64 * 1024 * 1024) + b"}")
    assert too_big.value.kind == "too_large"


def test_random_and_mutated_bodies_never_crash() -> None:
    rng = random.Random(1234)
    seeds = [body(e) for e in GOOD[:60]]
    names = sorted(KNOWN)
    for n in range(3000):
        if n % 2:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        else:
            raw = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 6)):
                if raw:
                    raw[rng.randrange(len(raw))] = rng.randrange(256)
            raw = bytes(raw[: rng.randrange(len(raw) + 1)])
        try:
            lpchat.decode(rng.choice(names), raw, rng.choice(["json", "xml", None]))
        except (lpchat.DecodeError, lpchat.ConfigError):
            pass
