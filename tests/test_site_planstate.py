"""What planning a build's pages holds in this process for the next build (site/planstate.py):
a state made from the last one and the rows that changed must equal a state made from
nothing, whatever changed (a title, a month, a component, incidents added or removed, the
build time, the settings); the last state is dropped when the settings differ, never
changed in place, and a listing page's key is kept only while nothing it lists changed.
A rebuild's page keys are those of a build from nothing."""

from __future__ import annotations

import copy
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import ROOT
from site_support import retitle
from warroom.site import pages, planstate
from warroom.site.build import build
from warroom.site.planstate import PlanState, Settings
from warroom.site.siterows import SiteRow

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)
DAY = 86400.0
SETTINGS = Settings("base", 2, ("api", "web", "db"), (2026, 6), 2)
T0 = NOW.timestamp()
STATE_PARTS = ("digest_of", "windowed", "moving", "related", "maintenance", "paths", "order",
               "starts", "listed", "history", "by_component", "components", "shown")


def _row(start: float, *, digest: str = "d", comps: tuple[str, ...] = ("api",),
         window: tuple[float, float] | None = None, status: str = "resolved",
         related: tuple[str, ...] = ()) -> SiteRow:
    when = datetime.fromtimestamp(start, UTC)
    maintenance = window is not None
    return SiteRow(
        digest=digest, title="t", status=status, open=status == "investigating",
        maintenance=maintenance, window=window, best=start, start=start,
        month=f"{when.year:04d}-{when.month:02d}", components=comps, related=related,
        latest=start, top=(start, -1), mitigated=None, entries=(start,), drill=False,
        impacts=("major_outage",) * len(comps), causes=(), impact_from=start,
        impact_to=start + 60, metric_start=start, lastmod="", type="incident",
        severity="sev1", public=True, ended=None if maintenance else start + 60)


def _rows() -> dict[str, SiteRow]:
    """Incidents over five months, on three components; maintenance past, in progress and
    upcoming; one relating another; one open."""
    rows = {f"i{n:02d}": _row(T0 - (n * 7 + 1) * DAY, digest=f"d{n}",
                              comps=(("api",), ("web", "api"), ("db",))[n % 3])
            for n in range(20)}
    rows["i03"] = rows["i03"]._replace(related=("i04",))
    rows["i05"] = rows["i05"]._replace(status="investigating", open=True, ended=None)
    for n, (start, end, status) in enumerate([
            (T0 - 30 * DAY, T0 - 29 * DAY, "completed"), (T0 - 20 * DAY, T0 - 19 * DAY,
                                                          "completed"),
            (T0 - 10 * DAY, T0 - 9 * DAY, "completed"), (T0 - 3600, T0 + 3600, "in_progress"),
            (T0 + 1800, T0 + 7200, "scheduled")]):
        rows[f"m{n}"] = _row(start, digest=f"m{n}", window=(start, end), status=status)
    return rows


def _state(rows: dict[str, SiteRow], now: float = T0, settings: Settings = SETTINGS,
           prior: PlanState | None = None) -> PlanState:
    text = datetime.fromtimestamp(now, UTC).isoformat()
    return PlanState(settings, rows, now, text, prior)


def _assert_as_from_nothing(held: PlanState, rows: dict[str, SiteRow], now: float = T0,
                            settings: Settings = SETTINGS) -> None:
    fresh = _state(rows, now, settings)
    for part in STATE_PARTS:
        assert getattr(held, part) == getattr(fresh, part), part


def _moved(row: SiteRow, days: float) -> SiteRow:
    return _row(row.start + days * DAY, digest=row.digest, comps=row.components)


@pytest.mark.parametrize("change", ["retitle", "month", "component", "added", "removed",
                                    "related", "maintenance"])
def test_a_state_made_from_the_last_one_is_a_state_made_from_nothing(change: str) -> None:
    rows = _rows()
    prior = _state(rows)
    before = copy.deepcopy({part: getattr(prior, part) for part in STATE_PARTS})
    new = dict(rows)
    if change == "retitle":
        new["i07"] = new["i07"]._replace(digest="changed", title="Edited")
    elif change == "month":  # another month: the history and component pages move
        new["i07"] = _moved(new["i07"], -40)
    elif change == "component":
        new["i07"] = new["i07"]._replace(components=("db",), digest="changed")
    elif change == "added":
        new["new"] = _row(T0 - 2 * DAY, digest="new", comps=("web",))
    elif change == "removed":
        del new["i07"]
    elif change == "related":
        new["i09"] = new["i09"]._replace(related=("i08",), digest="changed")
    else:  # a maintenance in progress ends earlier: now over
        new["m3"] = new["m3"]._replace(window=(T0 - 3600, T0 - 60), digest="changed")
    held = _state(new, prior=prior)
    _assert_as_from_nothing(held, new)
    # The last state is shared: never changed in place.
    assert {part: getattr(prior, part) for part in STATE_PARTS} == before
    # Only what a change of listing shape needs is worked out again.
    assert (held.history is prior.history) == (change in ("retitle", "related", "maintenance"))
    # A component none of the moved incidents was or is on keeps its pages.
    assert (held.components["db"] is prior.components["db"]) == (change != "component")
    assert held.touched == {"retitle": {"i07"}, "month": set(), "component": {"i07"},
                            "added": {"new"}, "removed": {"i07"}, "related": {"i09"},
                            "maintenance": {"m3"}}[change]


def test_the_build_time_moving_on_within_the_month() -> None:
    """A maintenance starts and another ends between the two build times: the listing,
    the listing digests (a maintenance's state) and the maintenance page follow."""
    rows = _rows()
    prior = _state(rows)
    later = T0 + 5400  # m3 has ended, m4 has started
    held = _state(rows, later, prior=prior)
    _assert_as_from_nothing(held, rows, later)
    assert held.touched == {"m3", "m4"}
    assert ("2026-06", "m4") in held.listed and ("2026-06", "m4") not in prior.listed
    assert held.shown is not None and held.shown[0] == ["m4"]
    # Within the hour, nothing starts or ends: the same listing.
    moved = _state(rows, T0 + 60, prior=prior)
    _assert_as_from_nothing(moved, rows, T0 + 60)
    assert moved.listed is prior.listed and not moved.touched


@pytest.mark.parametrize("settings", [
    SETTINGS._replace(local=(2026, 7)), SETTINGS._replace(per_page=1),
    SETTINGS._replace(base="another theme"), SETTINGS._replace(components=("api",)),
    SETTINGS._replace(past=1)])
def test_the_last_state_is_dropped_under_other_settings(settings: Settings) -> None:
    rows = _rows()
    prior = _state(rows)
    prior.keys["history/index.html"] = (prior.history[0][1], "'history'", "K")
    held = _state(rows, settings=settings, prior=prior)
    _assert_as_from_nothing(held, rows, settings=settings)
    assert held.prior_keys == {} and held.touched == set(rows)


def test_a_listing_key_is_kept_only_while_its_incidents_and_parts_stand() -> None:
    rows = _rows()
    prior = _state(rows)
    path, chunk, _ = prior.history[0]
    listed = [i for _, ids in chunk for i in ids]
    prior.keys[path] = (chunk, "'history'\0Pager", "K")
    ids = [ids for _, ids in chunk]
    outside = next(i for i in rows if i not in listed and not rows[i].maintenance)
    new = dict(rows)
    new[outside] = new[outside]._replace(digest="changed")
    held = _state(new, prior=prior)
    assert held.held_key(path, chunk, "'history'\0Pager", ids) == "K"
    assert held.held_key(path, chunk, "'history'\0Other", ids) is None
    assert held.held_key(path, [*chunk, ("1999-01", [])], "'history'\0Pager", ids) is None
    new[listed[0]] = new[listed[0]]._replace(digest="changed")
    assert _state(new, prior=prior).held_key(path, chunk, "'history'\0Pager", ids) is None


def test_rebuilds_make_the_keys_of_a_build_from_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilds in one process (a title changed, the build time moved on, into the next
    month) give every page the key a build from nothing gives it, working out again only
    the keys of the listing pages that list the changed incident."""
    repo = make_git_repo(tmp_path / "repo", 60)
    out = tmp_path / "site"
    made: list[str] = []
    key_text = pages.Pages.key_text

    def counted(self: pages.Pages, text: str) -> str:
        made.append(text.partition("\0")[0])
        return key_text(self, text)

    monkeypatch.setattr(pages.Pages, "key_text", counted)
    build(repo, out, now=NOW)
    for step, now in enumerate([NOW, NOW + timedelta(hours=5), NOW + timedelta(days=30)]):
        retitle(repo, step)
        made.clear()
        built = build(repo, out, now=now)
        assert built.patched
        listing = [kind for kind in made if kind not in ("'incident'", "'404'")]
        if now == NOW:
            # the changed incident's history page, its components' pages, maybe the
            # maintenance page: not every listing page
            assert 1 <= len(listing) <= 5, made
        elif now.month == NOW.month:  # the components' status and uptime moved on too
            assert listing.count("'history'") == 1, made
        planstate.forget()
        fresh = build(repo, tmp_path / f"fresh-{step}", now=now)
        assert built.page_keys == fresh.page_keys
