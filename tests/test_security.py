"""Hostile inputs: planted cache files, crafted text in calendars, feeds and pages."""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
import yaml

from status_fixtures import maintenance, outage, sample, site
from warroom.problems import Level, Problem
from warroom.site import api, availability, badges, cache, feeds, ics, pages, sitemap
from warroom.site.data import SiteData


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


def _hostile(data: SiteData) -> SiteData:
    """`warroom validate` refuses these characters (control-character); the outputs must
    stay safe anyway, so the text is put into already-validated incidents here."""
    text = yaml.safe_load(HOSTILE_TITLE)
    return dataclasses.replace(data, incidents=tuple(
        dataclasses.replace(inc, title=text, summary=text, updates=tuple(
            dataclasses.replace(u, message=text) for u in inc.updates))
        for inc in data.incidents))


def test_validation_refuses_the_hostile_title(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="control-character"):
        site(tmp_path, {"2026-11-21-network": maintenance(
            "2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z", title=HOSTILE_TITLE)},
            "2026-11-22T12:00:00Z")


def test_a_title_cannot_add_a_calendar_property(tmp_path: Path) -> None:
    data = _hostile(site(tmp_path, {"2026-11-21-network": maintenance(
        "2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z")}, "2026-11-22T12:00:00Z"))
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
    data = _hostile(site(tmp_path, {"2026-11-22-disk": outage(status="investigating")},
                         "2026-11-22T12:00:00Z"))
    out = feeds.produce(data)
    assert out
    for path, raw in out.items():
        root = ElementTree.fromstring(raw)  # well-formed, whatever the title held
        assert b"<b>" not in raw, path  # markup in a title is text, not elements
        assert root.iter() is not None


def test_pages_and_availability_refuse_public_data_that_skipped_the_view(
        tmp_path: Path) -> None:
    """Like the other producers: a wiring mistake fails the build instead of leaking."""
    data = sample(tmp_path, audience="internal")
    unfiltered = SiteData(data.config, data.incidents, data.recorded, data.now, data.base_url,
                          "public")
    for producer in (pages, availability):
        with pytest.raises(ValueError, match="audience_view"):
            producer.produce(unfiltered)
    assert pages.produce(sample(tmp_path / "public"))  # the real view passes


# One public incident carrying every kind of internal material, beside an internal incident
# and a drill; each marker word appears only in material the public must not see.
LEAKY = {
    "2026-11-20-mixed": outage(
        title="Mixed outage",
        components="{id: ledger, impact: major_outage}, {id: web, impact: partial_outage}",
        extra=("roles: {commander: '@cmdrmole', scribe: '@scribevole'}\n"
               "pauses: [{start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z',"
               " reason: other, note: pausenotegnu}]\n"
               "links: [{title: linktitleibis, url: 'https://linkhostyak.example/d'}]\n"
               "regulatory: {personal_data: suspected, decided_by: '@regdecider',"
               " regimes: [gdpr], reports: [{regime: gdpr, kind: notification,"
               " reference: refnumokapi}]}\n"
               "related: [2026-11-19-hidden]\n"
               "postmortem: {status: draft, owner: '@pmownerlynx',"
               " url: 'https://pmurlhost.example/x', body: draftbodytapir}\n"
               "action_items: [{title: actiontitlekoala, owner: '@aiowner', due: 2026-12-01,"
               " status: open, url: 'https://aiurlhost.example/1'}]\n"),
        updates=("  - {status: investigating, author: '@authorbadger', message: Public words.}\n"
                 "  - {status: identified, visibility: internal, message: internalmsgnarwhal}\n"
                 "  - {status: resolved, message: Fixed.}\n")),
    "2026-11-19-hidden": outage(title="hiddentitleaxolotl", extra="visibility: internal\n"),
    "2026-11-18-drill": outage(title="drilltitledodo", extra="drill: true\n"),
    "2026-11-17-pubpm": outage(title="Published internally", extra=(
        "postmortem: {status: published, visibility: internal,"
        " url: 'https://pminternalurl.example/', body: pminternalbodyemu}\n"
        "action_items: [{title: aiinternalpmheron, owner: '@aa', due: 2026-12-01,"
        " status: open}]\n")),
    "2026-11-16-inreview": outage(title="In review", extra=(
        "postmortem: {status: in_review, body: inreviewbodystoat}\n"
        "action_items: [{title: aiinreviewmink, owner: '@aa', due: 2026-12-01,"
        " status: open}]\n")),
}
# Shown on the internal site, so the check below can tell the words really are in play.
SHOWN_INTERNALLY = (
    "ledger", "Ledger reconciliation", "cmdrmole", "scribevole", "linktitleibis",
    "linkhostyak", "2026-11-19-hidden", "pmurlhost", "draftbodytapir", "actiontitlekoala",
    "aiowner", "aiurlhost", "authorbadger", "internalmsgnarwhal", "hiddentitleaxolotl",
    "drilltitledodo", "2026-11-18-drill", "pminternalurl", "pminternalbodyemu",
    "aiinternalpmheron", "inreviewbodystoat", "aiinreviewmink")
NEVER_SHOWN = ("pausenotegnu", "regdecider", "refnumokapi", "pmownerlynx")


def _every_output(data: SiteData) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for producer in (api, availability, badges, feeds, ics, pages, sitemap):
        out.update(producer.produce(data))
    return out


def test_no_internal_material_reaches_any_public_output(tmp_path: Path) -> None:
    public = _every_output(site(tmp_path / "public", LEAKY, "2026-11-22T12:00:00Z"))
    for path, raw in public.items():
        for marker in SHOWN_INTERNALLY + NEVER_SHOWN:
            assert marker.lower().encode() not in raw.lower(), f"{marker} leaked into {path}"
    internal = b"".join(_every_output(site(tmp_path / "internal", LEAKY, "2026-11-22T12:00:00Z",
                                           audience="internal")).values()).lower()
    assert [m for m in SHOWN_INTERNALLY if m.lower().encode() not in internal] == []


def test_a_title_pasted_from_the_markdown_report_stays_text() -> None:
    from markdown_it import MarkdownIt

    from warroom.report.markdown import _cell

    cell = _cell("[click](javascript:alert(1)) <img src=x onerror=alert(1)> a|b `x`")
    html = MarkdownIt("commonmark").enable("table").render(f"| t |\n| --- |\n| {cell} |\n")
    assert "<a " not in html and "<img" not in html and "<code>" not in html
    assert "a|b" in html  # the pipe stayed in its cell
