"""Producer selections: a producer run on only the incidents its selection names writes the
same bytes as run on all of them, for either audience and any build time, and a selection
is a small part of a realistic repository."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT
from site_support import restricted
from warroom.config import Config
from warroom.model import Incident, Update
from warroom.recorded import Change, Recorded
from warroom.repo import load_repository
from warroom.site import api, badges, feeds, ics, selections
from warroom.site.data import SiteData
from warroom.site.siterows import SiteRow, site_row
from warroom.status import Rollup, audience_view, best_time, rollup

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import write_config, write_incidents

BASE_URL = "https://status.northwind.example"
SPAN = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))  # _gen's
OFFSETS = [timezone(timedelta(hours=h)) for h in (-8, -3.5, 5.5, 9, 14)]
Selection = Callable[[Mapping[str, SiteRow], SiteData], list[str]]
Produce = Callable[[SiteData], dict[str, bytes]]
PRODUCERS: dict[str, tuple[Selection, Produce]] = {
    "feeds": (selections.feeds_ids, feeds.produce),
    "api": (selections.api_ids, api.produce),
    "ics": (selections.ics_ids, ics.produce),
    "badges": (selections.badges_ids, badges.produce),
}


class Repo:
    """A generated repository's incidents, roughed up so that every rule a selection
    relies on is tested: recorded times that differ from the stated ones (and stand in for
    missing ones), the same instants stated in other UTC offsets, incidents whose instants
    tie exactly (twins), incidents left open for years, canceled maintenance and
    maintenance whose state follows its window, incidents whose every update the public
    may not see."""

    def __init__(self, root: Path, n: int | None, seed: int) -> None:
        """n incidents generated at root, or, with None, the repository already there."""
        if n is not None:
            write_config(root)
            write_incidents(root, n, seed=seed)
        loaded = load_repository(root)
        assert not loaded.problems
        assert loaded.config is not None
        self.config: Config = loaded.config
        rng = random.Random(seed)
        self.recorded: dict[str, Recorded] = {}
        out: list[Incident] = []
        for inc in loaded.incidents:
            inc = self._roughen(inc, rng)
            out.append(inc)
            if rng.random() < 0.03:  # a twin: every instant the same, in another offset
                out.append(replace(_in_offset(inc, rng.choice(OFFSETS)),
                                   id=inc.id + "-twin", path=inc.path + ".twin"))
                if inc.id in self.recorded:
                    self.recorded[inc.id + "-twin"] = self.recorded[inc.id]
        self.incidents = tuple(sorted(out, key=lambda i: i.id))

    def _roughen(self, inc: Incident, rng: random.Random) -> Incident:
        if rng.random() < 0.15:
            inc = _in_offset(inc, rng.choice(OFFSETS))
        if inc.maintenance and rng.random() < 0.1:
            inc = replace(inc, status="canceled")
        elif inc.maintenance and rng.random() < 0.4:  # never marked done: the window decides
            inc = replace(inc, status="scheduled")
        elif not inc.maintenance and rng.random() < 0.02:  # forgotten: open for years
            inc = replace(inc, status="monitoring", resolved_at=None)
        if rng.random() < 0.05:  # the public sees no update at all
            inc = replace(inc, updates=tuple(replace(u, visibility="internal")
                                             for u in inc.updates))
        if rng.random() < 0.35:
            inc = self._record(inc, rng)
        return inc

    def _record(self, inc: Incident, rng: random.Random) -> Incident:
        """Git's times, off the stated ones by minutes to days; often they are all there
        is (the stated start and update times dropped)."""
        def later(moment: datetime, spread: int) -> datetime:
            return (moment + timedelta(minutes=rng.randint(-30, spread))).astimezone(UTC)

        start = inc.window.start if inc.window is not None else best_time(inc, None)
        declared = later(start, 90)
        changes: list[Change] = []
        for upd in inc.updates:
            changes.append(Change(later(upd.at or declared, 120), f"{len(changes):040x}", "b"))
        resolved = None
        if not inc.open and rng.random() < 0.7:
            resolved = Change(later(inc.resolved_at or start, 600), "e" * 40, "b")
        published = None
        if inc.postmortem is not None and inc.postmortem.published:
            published = Change(later(start, 60 * 24 * 9), "f" * 40, "b")
        self.recorded[inc.id] = Recorded(inc.id, inc.path, Change(declared, "d" * 40, "b"),
                                         resolved=resolved, updates=tuple(changes),
                                         postmortem_published=published)
        if rng.random() < 0.5:
            inc = replace(inc, impact_started_at=None,
                          updates=tuple(replace(u, at=None) for u in inc.updates))
        return inc

    def nows(self, rng: random.Random) -> list[datetime]:
        """Before, inside and after the span, and on window bounds (the instant maintenance
        starts or ends)."""
        windows = [i.window for i in self.incidents
                   if i.window is not None and i.status == "scheduled"]
        inside = SPAN[0] + (SPAN[1] - SPAN[0]) * rng.random()
        picked = rng.sample(windows, 2)  # two windows: n of a few hundred has dozens
        return [datetime(2022, 6, 1, tzinfo=UTC), inside, picked[0].start, picked[1].end,
                datetime(2026, 6, 2, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)]

    def data(self, audience: str, now: datetime) -> SiteData:
        return SiteData(self.config, audience_view(self.incidents, self.config, audience),
                        self.recorded, now, BASE_URL, audience)

    def recorded_at_once(self, when: datetime) -> None:
        """As a history imported in one commit: no update states its time, and one commit
        at `when` recorded everything (every entry ties with every other)."""
        self.incidents = tuple(
            replace(i, updates=tuple(replace(u, at=None) for u in i.updates))
            for i in self.incidents)
        self.recorded = {i.id: Recorded(i.id, i.path, Change(when, "a" * 40, "b"))
                         for i in self.incidents}


def _in_offset(inc: Incident, offset: timezone) -> Incident:
    """The same incident with every stated instant written in `offset`."""
    def moved(moment: datetime | None) -> datetime | None:
        return moment.astimezone(offset) if moment is not None else None

    window = inc.window
    return replace(
        inc, impact_started_at=moved(inc.impact_started_at), detected_at=moved(inc.detected_at),
        mitigated_at=moved(inc.mitigated_at), resolved_at=moved(inc.resolved_at),
        window=replace(window, start=window.start.astimezone(offset),
                       end=window.end.astimezone(offset)) if window is not None else None,
        updates=tuple(_update_in(u, offset) for u in inc.updates))


def _update_in(update: Update, offset: timezone) -> Update:
    return replace(update, at=update.at.astimezone(offset) if update.at is not None else None)


def rows_of(data: SiteData, raw: tuple[Incident, ...]) -> dict[str, SiteRow]:
    written = {i.id: i.related for i in raw}
    zone = ZoneInfo(data.config.site.timezone)
    return {i.id: site_row(i, data.recorded.get(i.id), f"digest of {i.id}", zone, written[i.id])
            for i in data.incidents}


def plain(roll: Rollup) -> dict[str, Any]:
    return {"indicator": roll.indicator, "description": roll.description,
            "components": list(roll.components.items()),
            **{name: [i.id for i in getattr(roll, name)]
               for name in ("active", "maintenance_active", "maintenance_upcoming")}}


def check(repo: Repo, audience: str, nows: list[datetime]) -> Iterator[tuple[str, int, int]]:
    """Assert every selection sound at every `now`; yield (name, selected, rows)."""
    for now in nows:
        data = repo.data(audience, now)
        rows = rows_of(data, repo.incidents)
        assert list(rows) == sorted(rows)
        chosen = selections.rollup_ids(rows, data)
        assert chosen == sorted(set(chosen))
        assert plain(rollup(restricted(data, chosen))) == plain(rollup(data)), now
        yield "rollup", len(chosen), len(rows)
        for name, (select, produce) in PRODUCERS.items():
            chosen = select(rows, data)
            assert chosen == sorted(set(chosen)) and set(chosen) <= set(rows)
            full, sub = produce(data), produce(restricted(data, chosen))
            assert sorted(sub) == sorted(full), (name, now)
            for path, raw in full.items():
                assert sub[path] == raw, (name, path, audience, now)
            yield name, len(chosen), len(rows)
        # Told the activity from rows, the API needs only the incidents it lists.
        listed = selections.api_listed_ids(rows, data)
        activity = selections.api_activity(rows, data)
        assert activity is not None
        assert api.produce_with(restricted(data, listed), activity) == api.produce(data), now
        yield "api listed", len(listed), len(rows)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return Repo(tmp_path_factory.mktemp("big"), 2000, seed=11)


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_selections_are_sound_and_small_on_a_realistic_repository(big: Repo,
                                                                  audience: str) -> None:
    nows = big.nows(random.Random(audience))
    after = nows.index(datetime(2026, 6, 2, tzinfo=UTC))
    for name, selected, total in check(big, audience, [nows[after], nows[1]]):
        assert total > 1700
        # ics keeps every maintenance (a tenth); feeds and the API a hundred or two; the
        # roll-up and badges the open incidents (2% here, forgotten ones included) and
        # the maintenance still to come.
        assert selected < total // (6 if name == "ics" else 10), (name, selected)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_selections_are_sound_with_short_feeds_and_lists(tmp_path: Path, seed: int,
                                                         audience: str,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """Small feeds and API lists on a small repository: every cut-off falls among ties,
    twins, shifted offsets and recorded times, at every kind of build time."""
    rng = random.Random(seed)
    monkeypatch.setattr(feeds, "LIMIT", rng.choice([1, 3, 8]))
    monkeypatch.setattr(api, "RECENT", rng.choice([1, 2, 6]))
    repo = Repo(tmp_path, 160, seed=seed)
    assert any(i.id.endswith("-twin") for i in repo.incidents)
    nows = repo.nows(rng)
    rolls = [rollup(repo.data(audience, now)) for now in nows]
    # the data reaches every case: maintenance to come (before the span), in progress (at
    # a window's start), open incidents, and a window's end
    assert rolls[0].maintenance_upcoming and rolls[2].maintenance_active
    assert all(roll.active for roll in rolls)
    seen = {name: 0 for name in ("rollup", *PRODUCERS, "api listed")}
    for name, selected, total in check(repo, audience, nows):
        seen[name] += 1
        if name in ("feeds", "api"):
            assert selected < total
    assert set(seen.values()) == {6}


def test_a_selection_missing_an_incident_is_caught(big: Repo) -> None:
    """The comparison sees one incident too few: each selection holds incidents (one of
    the newest few; for badges, the open ones) without which the producer writes
    something else."""
    data = big.data("public", datetime(2026, 6, 2, tzinfo=UTC))
    rows = rows_of(data, big.incidents)
    for name, (select, produce) in PRODUCERS.items():
        full = produce(data)
        chosen = select(rows, data)
        newest = sorted(chosen, key=lambda iid: rows[iid].latest, reverse=True)[:4]
        # Badges show the worst of the open incidents, which several share: all go.
        drops = [{iid} for iid in newest] if name != "badges" else [set(chosen)]
        assert any(produce(restricted(data, [i for i in chosen if i not in drop])) != full
                   for drop in drops), name


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_selections_are_sound_on_the_golden_repository(audience: str,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Every kind of incident the golden site shows (internal ones, a drill, a hostile
    title, maintenance past and to come), with feeds and lists of one or two."""
    repo = Repo(ROOT / "tests" / "golden" / "repo", None, seed=5)
    nows = [datetime(2026, 1, 1, tzinfo=UTC), *(moment for i in repo.incidents if i.window
                                              for moment in (i.window.start, i.window.end)),
            datetime(2026, 3, 15, 12, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)]
    for limit, recent in ((1, 1), (2, 2)):
        monkeypatch.setattr(feeds, "LIMIT", limit)
        monkeypatch.setattr(api, "RECENT", recent)
        assert len(list(check(repo, audience, nows))) == 6 * len(nows)


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_api_selection_stays_small_when_one_commit_recorded_everything(
        tmp_path: Path, audience: str) -> None:
    """A history imported in one commit gives every incident one recorded resolution time,
    so thousands tie for the newest activity (as in the benchmarks' repositories). Tied
    floats below 2**33 s are one instant, shown alike: one incident per component span is
    enough, and the API's files stay the same."""
    repo = Repo(tmp_path, 600, seed=5)
    imported = datetime(2026, 6, 1, tzinfo=UTC)
    repo.recorded = {
        i.id: Recorded(i.id, i.path, Change(imported, "a" * 40, "b"),
                       resolved=None if i.open else Change(imported, "a" * 40, "b"))
        for i in repo.incidents}
    now = datetime(2026, 6, 2, tzinfo=UTC)
    data = repo.data(audience, now)
    rows = rows_of(data, repo.incidents)
    tied = sum(1 for row in rows.values() if row.latest == imported.timestamp())
    assert tied > len(rows) // 2  # the case this test is about
    for name, selected, total in check(repo, audience, [now]):
        if name == "api":
            components = len(data.config.components)
            # the newest lists, the roll-up, and one incident per end of each span
            assert selected <= 2 * api.RECENT + len(selections.rollup_ids(rows, data)) \
                + 2 * components + 1, (selected, total)


def test_the_feeds_and_the_calendar_do_not_read_the_build_time(big: Repo) -> None:
    """Their files are keyed without it (selecting.TIME_PARTS), so a build an hour later
    keeps them: at any two build times (here every one of the repository's nows, window
    bounds included, a second either side) they must be the same bytes."""
    from warroom.site.selecting import time_part

    nows = big.nows(random.Random("time"))
    nows += [now + timedelta(seconds=s) for now in nows[2:4] for s in (-1, 1)]
    for audience in ("public", "internal"):
        for name in ("feeds", "ics"):
            select, produce = PRODUCERS[name]
            made = []
            for now in nows:
                data = big.data(audience, now)
                rows = rows_of(data, big.incidents)
                assert time_part(name, rows, select(rows, data), data) == ""
                made.append(produce(data))
            assert all(out == made[0] for out in made), (name, audience)


def test_badges_keyed_alike_at_two_build_times_are_the_same_bytes(big: Repo) -> None:
    """The badges' key reads of the build time only which selected maintenance is in
    progress and which open incident's mitigation has passed (selecting._badges_time): at
    build times on window bounds and stated mitigations, and a second either side, badges
    keyed alike must be the same bytes, and the key must not be the build time."""
    from warroom.site.selecting import time_part

    select, produce = PRODUCERS["badges"]
    nows = big.nows(random.Random("badges"))
    mitigations = sorted({i.mitigated_at for i in big.incidents
                          if i.open and not i.maintenance and i.mitigated_at is not None})
    assert len(mitigations) >= 3  # the case this test is about
    windows = sorted((i.window.start, i.window.end) for i in big.incidents if i.window
                     and i.status in ("scheduled", "in_progress"))
    bounds = [b for w in windows[:2] + windows[-2:] for b in w]
    nows += [m + timedelta(seconds=s) for m in mitigations[:3] + mitigations[-3:] + bounds
             for s in (-1, 0, 1)]
    nows += [now + timedelta(seconds=s) for now in nows[2:4] for s in (-1, 1)]
    for audience in ("public", "internal"):
        made: dict[tuple[str, ...], dict[str, bytes]] = {}
        for now in nows:
            data = big.data(audience, now)
            rows = rows_of(data, big.incidents)
            ids = select(rows, data)
            part = time_part("badges", rows, ids, data)
            assert part != now.isoformat()
            key = (part, *(f"{i}:{rows[i].digest}" for i in ids))
            out = produce(data)
            assert made.setdefault(key, out) == out, (audience, now)
        assert len(made) > 2  # the key did move with the build time


def test_the_api_keyed_alike_at_two_build_times_is_the_same_bytes(big: Repo) -> None:
    """The API's key reads of the build time only where it stands against each listed
    maintenance's window and open incident's stated mitigation (selecting._moments), besides
    the activity: at build times on window bounds and stated mitigations, a second either
    side and a minute on, API files keyed alike must be the same bytes, and the key must
    not be the build time."""
    from warroom.site.selecting import time_part

    nows = big.nows(random.Random("api"))
    mitigations = sorted({i.mitigated_at for i in big.incidents
                          if i.open and not i.maintenance and i.mitigated_at is not None})
    windows = sorted((i.window.start, i.window.end) for i in big.incidents if i.window
                     and i.status in ("scheduled", "in_progress"))
    bounds = [b for w in windows[:2] + windows[-2:] for b in w]
    nows += [m + timedelta(seconds=s) for m in mitigations[:3] + mitigations[-3:] + bounds
             for s in (-1, 0, 1, 60)]
    nows += [now + timedelta(minutes=m) for now in nows[2:5] for m in (1, 7)]
    for audience in ("public", "internal"):
        made: dict[tuple[str, ...], dict[str, bytes]] = {}
        for now in nows:
            data = big.data(audience, now)
            rows = rows_of(data, big.incidents)
            listed = selections.api_listed_ids(rows, data)
            part = time_part("api", rows, listed, data)
            assert now.isoformat() not in part
            key = (part, *(f"{i}:{rows[i].digest}" for i in listed))
            out = api.produce(data)
            assert made.setdefault(key, out) == out, (audience, now)
        assert len(made) > 2  # the key did move with the build time
        assert len(made) < len(nows)  # and kept still when nothing the API shows moved


def test_feeds_take_entries_tied_at_one_instant_by_id(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every update posted at one recorded time (no stated times, one commit): a feed takes
    the tied entries by id, so only the incidents it takes are selected, not every one."""
    monkeypatch.setattr(feeds, "LIMIT", 3)
    repo = Repo(tmp_path, 150, seed=9)
    imported = datetime(2026, 6, 1, tzinfo=UTC)
    repo.recorded_at_once(imported)
    now = datetime(2026, 6, 2, tzinfo=UTC)
    data = repo.data("public", now)
    tops = [row.top[0] for row in rows_of(data, repo.incidents).values()]
    assert tops.count(imported.timestamp()) > 3 * (1 + len(data.config.components))
    feeds_total = 1 + len(data.config.components)
    for name, selected, _ in check(repo, "public", [now]):
        if name == "feeds":
            assert selected <= 3 * feeds_total, selected
