from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from status_fixtures import BASE_URL, outage, recorded, sample, site
from warroom.site import feeds

NOW = "2026-11-22T12:00:00Z"


def parse(raw: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_every_feed_parses_cleanly(tmp_path: Path) -> None:
    out = feeds.produce(sample(tmp_path))
    assert sorted(out) == ["components/api/feed.atom", "components/api/feed.rss",
                           "components/checkout/feed.atom", "components/checkout/feed.rss",
                           "components/web/feed.atom", "components/web/feed.rss",
                           "feed.atom", "feed.rss"]
    for raw in out.values():
        parse(raw)


def test_entries_and_their_content(tmp_path: Path) -> None:
    atom = parse(feeds.produce(sample(tmp_path))["feed.atom"])
    assert atom.version == "atom10"
    assert atom.feed.title == "Acme status"
    assert atom.feed.id == f"{BASE_URL}/feed.atom"
    first = atom.entries[0]
    assert first.id == "tag:status.acme.test,2026-11-22:2026-11-22-checkout-errors/2"
    assert first.title == "Checkout errors in eu-west: Identified"
    assert first.link == f"{BASE_URL}/incidents/2026-11-22-checkout-errors/"
    assert first.updated == "2026-11-22T09:41:00+01:00"  # the stated time, site offset
    assert [t.term for t in first.tags] == ["checkout", "api"]
    # Markdown rendered safely: the script is text, the javascript: link is not a link.
    html = first.content[0].value
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href" not in html
    # Newest first; the update with no stated time uses its recorded commit.
    second = atom.entries[1]
    assert second.id.endswith("checkout-errors/0")
    assert second.updated == "2026-11-22T09:10:00+01:00"
    assert atom.feed.updated == "2026-11-22T09:41:00+01:00"


def test_rss_mirrors_atom(tmp_path: Path) -> None:
    out = feeds.produce(sample(tmp_path))
    atom, rss = parse(out["feed.atom"]), parse(out["feed.rss"])
    assert rss.version == "rss20"
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    assert rss.entries[0].published == "Sun, 22 Nov 2026 08:41:00 GMT"
    assert rss.entries[0].guidislink is False


def test_component_feeds_hold_only_their_incidents(tmp_path: Path) -> None:
    out = feeds.produce(sample(tmp_path))
    web = parse(out["components/web/feed.atom"])
    ids = {e.id.split(":")[-1].split("/")[0] for e in web.entries}
    assert ids == {"2026-11-18-cdn", "2026-11-20-statements", "2026-11-21-network"}
    assert web.feed.title == "Acme status: Website"
    assert web.feed.link == f"{BASE_URL}/components/web/"


def test_ids_do_not_depend_on_build_time_and_survive_new_updates(tmp_path: Path) -> None:
    first = parse(feeds.produce(site(tmp_path / "a", {"2026-11-20-a": outage()}, NOW))
                  ["feed.atom"])
    later = parse(feeds.produce(site(tmp_path / "b", {"2026-11-20-a": outage()},
                                     "2027-03-01T00:00:00Z"))["feed.atom"])
    assert [(e.id, e.updated) for e in first.entries] == [(e.id, e.updated)
                                                          for e in later.entries]
    assert first.feed.updated == later.feed.updated
    more = outage(updates="  - {status: investigating, message: Looking.}\n"
                          "  - {status: identified, message: Found it.}\n"
                          "  - {status: resolved, message: Fixed.}\n")
    grown = parse(feeds.produce(site(tmp_path / "c", {"2026-11-20-a": more}, NOW))["feed.atom"])
    assert {e.id for e in first.entries} <= {e.id for e in grown.entries}


def test_feed_updated_is_the_latest_recorded_or_stated_time(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-20-a": outage()}, NOW, recorded_by_id={
        "2026-11-20-a": recorded("2026-11-20-a", "2026-11-20T10:00:00Z",
                                 updates=("2026-11-20T10:00:00Z", "2026-11-20T11:30:00Z"))})
    atom = parse(feeds.produce(data)["feed.atom"])
    assert atom.feed.updated == "2026-11-20T12:30:00+01:00"


def test_empty_site_and_no_base_url(tmp_path: Path) -> None:
    empty = parse(feeds.produce(site(tmp_path / "a", {}, NOW))["feed.atom"])
    assert empty.entries == [] and empty.feed.updated == "1970-01-01T01:00:00+01:00"
    relative = feeds.produce(site(tmp_path / "b", {"2026-11-20-a": outage()}, NOW, base_url=""))
    atom = parse(relative["feed.atom"])
    assert atom.entries[0].id.startswith("urn:uuid:")
    assert atom.entries[0].link == "incidents/2026-11-20-a/"
    again = parse(feeds.produce(site(tmp_path / "c", {"2026-11-20-a": outage()}, NOW,
                                     base_url=""))["feed.atom"])
    assert [e.id for e in again.entries] == [e.id for e in atom.entries]


def test_incident_without_public_update_is_listed_by_title(tmp_path: Path) -> None:
    body = outage(status="investigating", updates=(
        "  - {status: investigating, message: hushmarmot, visibility: internal}\n"))
    raw = feeds.produce(site(tmp_path, {"2026-11-22-a": body}, NOW))["feed.atom"]
    atom = parse(raw)
    assert [(e.id, e.title) for e in atom.entries] == [
        ("tag:status.acme.test,2026-11-22:2026-11-22-a", "Checkout errors in eu-west")]
    assert b"hushmarmot" not in raw


def test_french_site_says_statuses_in_french(tmp_path: Path) -> None:
    from status_fixtures import CONFIG
    config = CONFIG.replace("  timezone: Europe/Paris\n", "  timezone: Europe/Paris\n"
                            "  language: fr\n")
    raw = feeds.produce(site(tmp_path, {"2026-11-20-a": outage()}, NOW, config=config))
    atom = parse(raw["feed.atom"])
    assert atom.entries[0].title == "Checkout errors in eu-west: Résolu"
    assert atom.feed.language == "fr"


def test_each_feed_keeps_its_newest_entries_in_order(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feed holds the LIMIT newest entries of its incidents, newest first, ties by id
    and index reversed: the selection (nlargest, per component) must equal sorting all."""
    monkeypatch.setattr(feeds, "LIMIT", 5)
    incidents, expected = {}, []
    for n in range(12):
        ident = f"2026-11-{n + 1:02d}-i{n}"
        comps = ["checkout"] if n % 2 else ["api"]
        if n % 3 == 0:
            comps.append("web")
        times = [f"2026-11-{(n * 7) % 12 + 1:02d}T10:00:00Z", f"2026-11-{n % 4 + 13:02d}T08:00:00Z"]
        updates = "".join(f"  - {{status: investigating, at: '{at}', message: m{i}}}\n"
                          for i, at in enumerate(times))
        incidents[ident] = outage(status="investigating", updates=updates, components=", ".join(
            f"{{id: {c}, impact: major_outage}}" for c in comps))
        expected += [(at, ident, i, comps) for i, at in enumerate(times)]
    expected.sort(key=lambda e: (e[0], e[1], e[2]), reverse=True)
    out = feeds.produce(site(tmp_path, incidents, NOW))

    def ids(chosen: list[tuple[str, str, int, list[str]]]) -> list[str]:
        return [f"tag:status.acme.test,{ident[:10]}:{ident}/{i}" for _, ident, i, _ in chosen]

    assert [e.id for e in parse(out["feed.atom"]).entries] == ids(expected[:5])
    for cid in ("api", "checkout", "web"):
        mine = [e for e in expected if cid in e[3]][:5]
        assert [e.id for e in parse(out[f"components/{cid}/feed.atom"]).entries] == ids(mine)
        assert [e.id for e in parse(out[f"components/{cid}/feed.rss"]).entries] == ids(mine)
