"""The sitemap made from rows keeps, in this process, what it made last for each base URL
and audience (`sitemap._last`): each rebuild must write what a sitemap made afresh
writes, whatever changed."""

from __future__ import annotations

import random
from dataclasses import replace
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from status_fixtures import BASE_URL, sample
from warroom.site import sitemap
from warroom.site.data import SiteData
from warroom.site.siterows import SiteRow, site_row
from warroom.status import visible_components

PUBLIC = (f"{BASE_URL}/", "public")
BLANK = dict.fromkeys(SiteRow._fields)
PAGES = ["index.html", "history/2/index.html", "components/api/2/index.html", "a/index.html",
         "a/b/index.html", "feed.xml", "availability/index.html", "incidents/x-0/index.html"]


def row(latest: float, lastmod: str, components: tuple[str, ...]) -> SiteRow:
    return SiteRow(**{**BLANK, "latest": latest,  # type: ignore[arg-type]
                      "lastmod": lastmod, "components": components})


def afresh(data: SiteData, rows: dict[str, SiteRow], pages: list[str]) -> bytes:
    """What the sitemap made from rows wrote before anything was kept between builds."""
    return sitemap._sitemap(data, {i: (r.latest, r.lastmod) for i, r in rows.items()},
                            {i: r.components for i, r in rows.items()}, pages,
                            itemgetter(1))["sitemap.xml"]


@pytest.fixture()
def data(tmp_path: Path) -> SiteData:
    sitemap.forget()
    return sample(tmp_path)


def some_rows(data: SiteData, count: int, rng: random.Random) -> dict[str, SiteRow]:
    components = [*visible_components(data.config, data.audience), "hidden"]
    return {f"x-{n}": moment(rng, components) for n in range(count)}


def moment(rng: random.Random, components: list[str]) -> SiteRow:
    when = rng.randrange(10**6)  # repeats: ties between rows
    return row(float(when), f"t{when:07d}", tuple(rng.sample(components, rng.randrange(3))))


def test_each_rebuild_writes_what_a_fresh_sitemap_writes(data: SiteData) -> None:
    rng = random.Random(7)
    components = [*visible_components(data.config, data.audience), "hidden"]
    rows = some_rows(data, 300, rng)
    for step in range(60):
        rows = dict(rows)
        kind = step % 6
        ids = list(rows)
        if kind == 0:  # one incident changed
            rows[rng.choice(ids)] = moment(rng, components)
        elif kind == 1:  # the newest one goes back in time, or loses its components
            newest = max(ids, key=lambda i: (rows[i].latest, rows[i].lastmod))
            rows[newest] = row(0.0, "t0000000", () if step % 2 else rows[newest].components)
        elif kind == 2:  # one goes
            del rows[rng.choice(ids)]
        elif kind == 3:  # one comes, sorting anywhere
            rows[f"x-{rng.randrange(10**4)}a"] = moment(rng, components)
        elif kind == 4:  # the same values, other objects
            for i in rng.sample(ids, 5):
                rows[i] = row(rows[i].latest, rows[i].lastmod, rows[i].components)
        pages = [*PAGES, *(f"incidents/{i}/index.html" for i in rows)]
        assert sitemap.from_rows(data, rows, pages)["sitemap.xml"] == afresh(data, rows, pages)


def test_rows_that_did_not_change_keep_their_line(data: SiteData) -> None:
    rows = some_rows(data, 50, random.Random(1))
    sitemap.from_rows(data, rows)
    before = sitemap._last[PUBLIC]
    rows = {**rows, "x-3": row(5.0, "t0000005", ())}
    sitemap.from_rows(data, rows)
    after = sitemap._last[PUBLIC]
    assert after is not before
    assert after.lines["x-3"] != before.lines["x-3"]
    assert all(after.lines[i] is before.lines[i] for i in rows if i != "x-3")
    assert before.rows["x-3"] is not rows["x-3"]  # what was kept was never changed


def test_another_base_url_makes_every_line_again(data: SiteData) -> None:
    rows = some_rows(data, 50, random.Random(2))
    sitemap.from_rows(data, rows)
    other = replace(data, base_url="https://other.test/status&co")
    made = sitemap.from_rows(other, rows)["sitemap.xml"]
    assert made == afresh(other, rows, [])
    assert b"status.acme.test" not in made
    assert sitemap.from_rows(data, rows)["sitemap.xml"] == afresh(data, rows, [])


def test_an_empty_site_and_back(data: SiteData) -> None:
    rows = some_rows(data, 20, random.Random(3))
    for now in (rows, {}, rows, {"x-1": rows["x-1"]}):
        assert sitemap.from_rows(data, now, PAGES)["sitemap.xml"] == afresh(data, now, PAGES)


def test_it_matches_the_sitemap_made_from_incidents(data: SiteData) -> None:
    zone = ZoneInfo(data.config.site.timezone)
    rows = {i.id: site_row(i, data.recorded.get(i.id), "digest", zone, i.related)
            for i in data.incidents}
    produced = sitemap.produce(data, PAGES)
    assert sitemap.from_rows(data, rows, PAGES) == produced
    assert sitemap.from_rows(data, rows, PAGES) == produced  # from what it kept


def test_each_audience_keeps_its_own(data: SiteData) -> None:
    rows = some_rows(data, 40, random.Random(4))
    inside = replace(data, audience="internal")
    internal_rows = {i: row(r.latest, r.lastmod, r.components) for i, r in rows.items()}
    internal_rows["x-secret"] = row(9.0, "t0000009", ("api",))  # other rows, one more
    sitemap.from_rows(data, rows)
    sitemap.from_rows(inside, internal_rows)
    public = sitemap._last[PUBLIC]
    assert sitemap.from_rows(data, rows)["sitemap.xml"] == afresh(data, rows, [])
    again = sitemap._last[PUBLIC]
    assert all(again.lines[i] is public.lines[i] for i in rows)  # nothing made again
    made = sitemap.from_rows(inside, internal_rows)["sitemap.xml"]
    assert made == afresh(inside, internal_rows, []) and b"x-secret" in made
