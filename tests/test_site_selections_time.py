"""The availability and uptime selections (site.selections_time): the availability producer
and uptime_by_component give the same output from the selected incidents alone as from all
of them, for both audiences and build times before, inside and after the data, and the
selections stay a small part of a realistic repository.

Data: benchmarks/_gen's incident files with SLOs added to the configuration, then changed
by hand (seeded) so that every way of measuring an impact is used: Recorded values whose
times differ from the stated ones, impact starts and ends known only from Git, backfilled
incidents, incidents open for weeks, drills and canceled ones."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT
from site_support import restricted
from warroom.availability import evaluate
from warroom.config import Config
from warroom.durations import Duration
from warroom.model import Incident
from warroom.recorded import Change, Recorded
from warroom.repo import load_repository
from warroom.site import availability
from warroom.site.build import sla_clocks
from warroom.site.data import SiteData
from warroom.site.selections_time import (
    availability_from_rows,
    availability_ids,
    uptime_from_rows,
    uptime_ids,
)
from warroom.site.siterows import SiteRow, site_row
from warroom.status import audience_view
from warroom.uptime import uptime_by_component

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import CONFIG, write_incidents

# SLOs of several windows, maintenance counted on two components (one internal) and,
# in the "weighted" variant, degraded performance weighing something.
SLOS = {
    "{id: checkout, name: Checkout}":
        "{id: checkout, name: Checkout, slo: {target: 99.9, window: 30d, "
        "maintenance: counted}}",
    "{id: api, name: Public API}": "{id: api, name: Public API, slo: {target: 99.5, "
                                   "window: 1mo}}",
    "{id: database, name: Primary database, internal: true}":
        "{id: database, name: Primary database, internal: true, slo: {target: 99.95, "
        "window: 7d, maintenance: counted}}",
    "{id: search, name: Search}": "{id: search, name: Search, slo: {target: 99, window: 90d}}",
}
WEIGHTED = "uptime: {degraded_performance: 0.1}\nrepeats: {window: 24mo}\n"

# before the data (2023-01 to 2026-06), inside it, just after it, long after it
NOWS = (datetime(2022, 11, 20, 8, tzinfo=UTC), datetime(2025, 3, 30, 1, 30, tzinfo=UTC),
        datetime(2026, 6, 2, tzinfo=UTC), datetime(2026, 10, 14, 17, 45, tzinfo=UTC))
AUDIENCES = ("public", "internal")
N = 400  # incidents per seed: about ten a month


def _config_text(weighted: bool) -> str:
    text: str = CONFIG
    for plain, with_slo in SLOS.items():
        assert plain in text
        text = text.replace(plain, with_slo)
    return text + (WEIGHTED if weighted else "")


FAR = timezone(timedelta(hours=-9, minutes=-30))
STATED = ("impact_started_at", "detected_at", "mitigated_at", "resolved_at")


def _change(at: datetime) -> Change:
    return Change(at, "c0ffee" * 6 + "abcd", "Someone <someone@example.com>")


def _rework(inc: Incident, rng: random.Random) -> tuple[Incident, Recorded | None]:
    """One incident changed by hand, and what Git recorded of it (or None)."""
    start = inc.impact_started_at or (inc.window.start if inc.window else None)
    assert start is not None
    roll = rng.random()
    if not inc.maintenance:
        if roll < 0.04:
            inc = replace(inc, drill=True)
        elif roll < 0.08:
            inc = replace(inc, status="canceled")
        elif roll < 0.13:  # open for weeks: its impact runs to the build time
            inc = replace(inc, status="investigating", mitigated_at=None, resolved_at=None,
                          updates=inc.updates[:1])
        elif roll < 0.2:  # closed without a stated end: the last update, or Git, ends it
            inc = replace(inc, mitigated_at=None, resolved_at=None)
        elif roll < 0.23:  # closed with no end known at all: no impact window
            return replace(inc, mitigated_at=None, resolved_at=None,
                           updates=tuple(replace(u, at=None) for u in inc.updates)), None
        if rng.random() < 0.25:  # impact start known from Git (or detection) only
            inc = replace(inc, impact_started_at=None,
                          detected_at=None if rng.random() < 0.3 else inc.detected_at)
    elif roll < 0.1:  # still to come, whenever its window
        inc = replace(inc, status="scheduled", updates=inc.updates[:1])
    elif roll < 0.18:
        inc = replace(inc, status="in_progress", updates=inc.updates[:2])
    elif roll < 0.22:
        inc = replace(inc, status="canceled")
    if rng.random() < 0.3:  # stated in another offset: months then count on its calendar
        inc = replace(inc, **{name: moment.astimezone(FAR) for name in STATED
                              if (moment := getattr(inc, name)) is not None})
    if rng.random() < 0.4:
        return inc, None
    declared = start + timedelta(minutes=rng.randint(-120, 3 * 24 * 60))
    end = inc.resolved_at or start + timedelta(hours=rng.randint(1, 30))
    if rng.random() < 0.15:  # written down after it was over: backfilled
        declared = end + timedelta(days=rng.randint(1, 40))
    resolved = None if inc.open else _change(max(declared, end) + timedelta(
        minutes=rng.randint(-300, 600)))
    monitoring = None if resolved is None else _change(resolved.at - timedelta(minutes=30))
    return inc, Recorded(inc.id, inc.path, _change(declared),
                         acknowledged=_change(declared + timedelta(minutes=7)),
                         monitoring=monitoring, resolved=resolved)


@cache
def repository(n: int, seed: int, weighted: bool
               ) -> tuple[Config, tuple[Incident, ...], dict[str, Recorded]]:
    import tempfile

    with tempfile.TemporaryDirectory() as where:
        root = Path(where)
        (root / "warroom.yaml").write_text(_config_text(weighted), encoding="utf-8")
        write_incidents(root, n, seed=seed)
        repo = load_repository(root)
    assert repo.config is not None and not repo.problems, repo.problems[:3]
    rng = random.Random(seed)
    incidents, recorded = [], {}
    for inc in sorted(repo.incidents, key=lambda i: i.id):
        inc, rec = _rework(inc, rng)
        incidents.append(inc)
        if rec is not None:
            recorded[inc.id] = rec
    return repo.config, tuple(incidents), recorded


def site_data(n: int, seed: int, weighted: bool, now: datetime, audience: str) -> SiteData:
    """The SiteData the build makes (audience view, its Recorded values, open clocks)."""
    config, incidents, recorded = repository(n, seed, weighted)
    visible = audience_view(incidents, config, audience)
    mine = {i.id: recorded[i.id] for i in visible if i.id in recorded}
    return SiteData(config=config, incidents=visible, recorded=mine, now=now, base_url="",
                    audience=audience,
                    clocks=sla_clocks(visible, mine, config, now) if audience == "internal"
                    else {})


def rows_of(data: SiteData) -> dict[str, SiteRow]:
    zone = ZoneInfo(data.config.site.timezone)
    return {i.id: site_row(i, data.recorded.get(i.id), "digest", zone, i.related)
            for i in data.incidents}


CASES = [(seed, now, audience) for seed in (1, 2, 3) for now in NOWS for audience in AUDIENCES]


@pytest.mark.parametrize(("seed", "now", "audience"), CASES)
def test_outputs_from_the_selection_alone(seed: int, now: datetime, audience: str) -> None:
    data = site_data(N, seed, seed % 2 == 0, now, audience)
    rows = rows_of(data)
    ids = availability_ids(rows, data)
    assert ids == sorted(ids)
    full = availability.produce(data)
    assert availability.produce(restricted(data, ids)) == full
    # From rows alone (a public rebuild): the same figures, the same page.
    found = availability_from_rows(rows, data)
    assert found is not None
    assert found == evaluate(data.config, data.incidents, data.recorded, data.now,
                             days=availability.DAYS, months=availability.MONTHS,
                             include_internal=data.internal)
    if not data.internal:
        assert availability.public_page(data, found) == full
    components = tuple(data.config.components)
    for days in (data.config.site.uptime_days, 7, 30):
        ids = uptime_ids(rows, data, days)
        assert ids == sorted(ids)
        assert (uptime_by_component(restricted(data, ids), days, components)
                == uptime_by_component(data, days, components)
                == uptime_from_rows(rows, data, days, components))


def test_the_data_uses_every_case() -> None:
    """The cases above are not vacuous: the reworked data holds each kind of incident."""
    _, incidents, recorded = repository(N, 2, True)
    data = site_data(N, 2, True, NOWS[2], "internal")
    rows = rows_of(data)
    assert any(r.drill for r in rows.values())
    assert any(r.status == "canceled" for r in rows.values())
    assert any(r.open and r.impact_to is None for r in rows.values())
    assert any(not r.open and r.impact_to is None for r in rows.values())
    assert any(i.impact_started_at is None and i.id in recorded for i in incidents)
    # backfilled: measured by the report on stated times, not on the recorded start
    assert any(r.metric_start != r.impact_from for r in rows.values() if not r.maintenance)
    assert any(r.maintenance and r.status == "scheduled" for r in rows.values())


def test_selections_are_small() -> None:
    """On 2,000 realistic incidents just after their span: the availability page needs the
    year its monthly figures cover (impacts that weigh something), the internal metrics
    page the year its trend plots count; the uptime bars their 90 days."""
    for audience, most in (("public", 0.25), ("internal", 0.35)):
        data = site_data(2000, 7, False, NOWS[2], audience)
        rows = rows_of(data)
        share = len(availability_ids(rows, data)) / len(rows)
        assert 0 < share < most, audience
        days = data.config.site.uptime_days
        uptime_share = len(uptime_ids(rows, data, days)) / len(rows)
        # about 5% of the reworked incidents stay open from their start: each reaches the bars
        assert 0 < uptime_share < 0.15, audience


def test_a_repeat_on_the_edge_of_a_window_counted_in_months() -> None:
    """find_repeats counts the repeat window's months on the calendar of the later
    incident's own offset: 13 months before 2026-04-30T20:00-09:30 is 2025-03-30T20:00
    there (2025-03-31T05:30Z), a day before what UTC months give. The incident starting
    exactly then is the only earlier one the metrics page names, and nothing else of that
    page (trend plots, availability) reaches back that far."""
    config, incidents, _ = repository(N, 1, False)
    config = replace(config, repeat_window=Duration.parse("13mo"))
    template = next(i for i in incidents if not i.maintenance and i.status == "resolved"
                    and not i.drill and i.public)

    def incident(ident: str, start: datetime) -> Incident:
        return replace(template, id=ident, components=template.components[:1],
                       causes=("deploy",), impact_started_at=start, detected_at=start,
                       mitigated_at=start + timedelta(hours=1),
                       resolved_at=start + timedelta(hours=2), related=())

    later = incident("2026-04-30-later", datetime(2026, 4, 30, 20, tzinfo=FAR))
    edge = incident("2025-03-31-edge", datetime(2025, 3, 31, 5, 30, tzinfo=UTC))
    older = incident("2025-03-30-older", datetime(2025, 3, 30, 5, 30, tzinfo=UTC))
    data = SiteData(config=config, incidents=(older, edge, later), recorded={},
                    now=NOWS[2], base_url="", audience="internal")
    ids = availability_ids(rows_of(data), data)
    assert edge.id in ids and later.id in ids
    assert availability.produce(restricted(data, ids)) == availability.produce(data)
