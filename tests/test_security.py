"""Hostile inputs: planted cache files, crafted text in calendars, feeds and pages."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest

from status_fixtures import maintenance, outage, site
from warroom.problems import Level, Problem
from warroom.site import cache, feeds, ics


def _name(text: str) -> bytes:
    raw = text.encode()
    return pickle.SHORT_BINUNICODE + bytes([len(raw)]) + raw


def _global(module: str, name: str) -> bytes:
    return _name(module) + _name(name) + pickle.STACK_GLOBAL


def test_a_planted_load_cache_cannot_run_code(tmp_path: Path) -> None:
    """Protocol 4 resolves dotted names attribute by attribute: from an allowed module,
    `Incident.__dataclass_fields__.__class__.__getitem__` and `parse_time.__builtins__`
    give dict.__getitem__ and the builtins, hence eval."""
    marker = tmp_path / "ran"
    payload = (
        pickle.PROTO + b"\x04"
        + _global("warroom.model", "Incident.__dataclass_fields__.__class__.__getitem__")
        + _global("warroom.model", "parse_time.__builtins__")
        + _name("eval") + pickle.TUPLE2 + pickle.REDUCE
        + _name(f"open({str(marker)!r}, 'w').close()") + pickle.TUPLE1 + pickle.REDUCE
        + pickle.STOP)
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        cache._Unpickler(io.BytesIO(payload)).load()
    assert not marker.exists()
    (tmp_path / "load.pickle").write_bytes(payload)
    assert cache.LoadCache(tmp_path).read("anything") == {}
    assert not marker.exists()


@pytest.mark.parametrize("module, name", [
    ("warroom.model", "parse_time"),  # a function, not a class of the module
    ("warroom.model", "datetime"),  # a class, but imported, not defined there
    ("builtins", "eval"),
    ("os", "system"),
])
def test_the_load_cache_allows_only_its_own_classes(module: str, name: str) -> None:
    payload = pickle.PROTO + b"\x04" + _global(module, name) + pickle.STOP
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        cache._Unpickler(io.BytesIO(payload)).load()


def test_a_real_load_cache_still_reads_back(tmp_path: Path) -> None:
    entries = {"incidents/2026/x.yaml": ("sha", None,
                                         [Problem("p", 1, 2, Level.ERROR, "unsafe-tag", "m")])}
    cache.LoadCache(tmp_path).write("header", entries)
    assert cache.LoadCache(tmp_path).read("header") == entries


# Every way a YAML double-quoted string can spell a line break or a control character.
HOSTILE_TITLE = ('"Disk swap\\r\\nATTENDEE:mailto:a@evil.test\\nX-A:1\\rX-B:2\\x85X-C:3'
                 '\\u2028X-D:4\\u2029X-E:5\\vX-F:6\\fX-G:7\\x1cX-H:8\\x01\\0\\x7f <b>&amp;"')


def test_a_title_cannot_add_a_calendar_property(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-21-network": maintenance(
        "2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z", title=HOSTILE_TITLE,
        extra=f"summary: {HOSTILE_TITLE}\n")}, "2026-11-22T12:00:00Z")
    raw = ics.produce(data)["maintenance.ics"]
    body = raw.decode("utf-8")
    for line in body.split("\r\n"):
        assert not line.startswith(("ATTENDEE", "X-")) or line.startswith("X-WR-CALNAME:"), line
        assert not any(ch in line for ch in "\r\n\x85\u2028\u2029\v\f\x1c\x01\x00\x7f"), line
    # Even a parser that splits on every Unicode line break sees one SUMMARY, no attendee.
    unfolded = body.replace("\r\n ", "")
    assert [line for line in unfolded.splitlines() if line.startswith("ATTENDEE")] == []
    event = next(iter(icalendar.Calendar.from_ical(raw).walk("VEVENT")))
    assert "ATTENDEE" not in event
    assert str(event["SUMMARY"]).startswith("Disk swap\nATTENDEE:mailto:a@evil.test\nX-A:1")


def test_control_characters_never_break_a_feed(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-22-disk": outage(
        title=HOSTILE_TITLE, updates=f"  - {{status: investigating, message: {HOSTILE_TITLE}}}\n",
        status="investigating")}, "2026-11-22T12:00:00Z")
    out = feeds.produce(data)
    assert out
    for path, raw in out.items():
        root = ElementTree.fromstring(raw)  # well-formed, whatever the title held
        assert b"<b>" not in raw, path  # markup in a title is text, not elements
        assert root.iter() is not None
