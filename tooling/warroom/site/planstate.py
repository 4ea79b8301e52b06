"""What planning a site's pages works out from every row (site/pages.py, site/listings.py),
held in this process from one build to the next.

`warroom serve` rebuilds after each change in one process, and a rebuild's rows of
unchanged incidents are the last build's very objects (the catalogue is held). Planning
used to go over all ~10^4 rows again and again: listing digests, the incidents listed by
start, their months and pages per component, the maintenance page's ids, the key of each
listing page (~250 digests hashed a page). A `PlanState` is made from the last one and the
rows that are not the same objects (`prev.get(i) is not row`): what only those rows shape
is worked out again, the rest is the last state's.

Every value here is a function of the rows' values, the build time and the `Settings`, so a
state is only ever made from one with equal settings, and a row that is the same object
has the same values: nothing held can be applied to another site, audience, configuration,
theme, code or build month. States and what they hold are never changed once made (but
`keys`, filled by the build that made the state).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import compress
from operator import attrgetter, is_not, itemgetter
from typing import NamedTuple

from warroom import held
from warroom.site import paging
from warroom.site.paging import Month, Page
from warroom.site.siterows import EXACT, SiteRow, moving
from warroom.site.views import component_path, incident_path, row_exact, row_maintenance_state

# (in progress, upcoming, the latest past ones, whether older ones were left out)
Shown = tuple[list[str], list[str], list[str], bool]

# More rows than this moving in the listings (came, went, or changed their start, month or
# components): the listings are made again from all rows rather than updated.
MOVED_MAX = 64

_START = attrgetter("start")
_MONTH = attrgetter("month")

# A listing page's key as made: (what it lists, the repr of its other parts, its key).
HeldKey = tuple[object, str, str]


class Settings(NamedTuple):
    """What planned pages depend on besides rows and the build time."""

    base: str  # the page keys' base: code, theme, warroom.yaml, audience, base URL
    per_page: int  # site.history_per_page
    components: tuple[str, ...]  # the configured components' ids
    local: tuple[int, int]  # the build time's year and month in the site's zone
    past: int  # how many past windows the maintenance page lists


class PlanState:
    """Planning values from one build's rows, build time and settings."""

    order: list[tuple[float, str]]  # (start, id) of every row, sorted
    starts: list[float]  # every row's start, sorted (whether a start lies between two times)
    listed: tuple[tuple[str, str], ...]  # (local YYYY-MM, id) of the started, newest first
    history: list[Page]
    by_component: dict[str, list[tuple[str, str]]]  # `listed` of each component
    components: dict[str, list[Page]]  # by configured component id

    def __init__(self, settings: Settings, rows: Mapping[str, SiteRow], now: float,
                 now_text: str, prior: PlanState | None = None) -> None:
        self.settings, self.now, self.now_text = settings, now, now_text
        self.rows = dict(rows)  # a copy: what the next build compares its rows with
        self.exact = abs(now) < EXACT
        self.keys: dict[str, HeldKey] = {}  # listing pages' keys, as this build makes them
        if prior is not None and prior.settings != settings:
            prior = None
        changed = (list(self.rows) if prior is None else
                   list(compress(self.rows, map(is_not, map(prior.rows.get, self.rows),
                                                self.rows.values()))))
        removed = ([] if prior is None or len(prior.rows) == len(self.rows) - sum(
            i not in prior.rows for i in changed) else list(prior.rows.keys() - self.rows))
        self.prior_keys: Mapping[str, HeldKey] = prior.keys if prior is not None else {}
        self._digests(prior, changed, removed)
        self._flags(prior, changed, removed)
        moved = None if prior is None else self._moved(prior, changed, removed)
        if prior is None or moved is None:
            self._shape()
        elif not moved:
            self.order, self.starts, self.listed = prior.order, prior.starts, prior.listed
            self.history, self.by_component = prior.history, prior.by_component
            self.components = prior.components
        else:
            self._reshape(prior, moved)
        if (prior is not None and prior.now == now and prior.shown is not None
                and not removed and _same_windows(prior.rows, self.rows, changed)):
            self.shown: Shown | None = prior.shown
        else:
            self.shown = self._maintenance_shown()

    # -- listing digests and flags --------------------------------------------------------
    def digest(self, row: SiteRow) -> str:
        """The incident's digest as a list shows it (history, component and maintenance
        pages, related incidents): a list shows nothing of the build time but a
        maintenance's state (views.row_summary), so only that is added."""
        if row.window is None:
            return row.digest
        if self.exact and row_exact(row):
            return f"{row.digest}@{row_maintenance_state(row, self.now)}"
        return f"{row.digest}@{self.now_text}"

    def _digests(self, prior: PlanState | None, changed: list[str],
                 removed: list[str]) -> None:
        rows, digest = self.rows, self.digest
        if prior is None:
            self.digest_of = {iid: digest(row) for iid, row in rows.items()}
            self.touched: frozenset[str] = frozenset(rows)  # listing digests that differ
            self.paths = {iid: f"{incident_path(iid)}index.html" for iid in rows}
            return
        again = set(changed)
        if prior.now != self.now or prior.now_text != self.now_text:  # a maintenance's
            again.update(i for i in prior.windowed if i in rows)  # state moves with it
        before = prior.digest_of
        self.digest_of = dict(before)
        for iid in removed:
            del self.digest_of[iid]
        for iid in again:
            self.digest_of[iid] = digest(rows[iid])
        self.touched = frozenset([*removed, *(i for i in again
                                              if before.get(i) != self.digest_of[i])])
        added = [i for i in changed if i not in prior.rows]
        self.paths = prior.paths
        if added or removed:
            self.paths = dict(prior.paths)
            for iid in removed:
                del self.paths[iid]
            self.paths.update((iid, f"{incident_path(iid)}index.html") for iid in added)

    def _flags(self, prior: PlanState | None, changed: list[str],
               removed: list[str]) -> None:
        """The ids of rows with a window, moving with the build time, relating others, and
        of maintenance: few, asked for on every build."""
        rows = self.rows
        if prior is None:
            self.windowed = frozenset(i for i, row in rows.items() if row.window is not None)
            self.moving = frozenset(i for i, row in rows.items() if moving(row))
            self.related = frozenset(i for i, row in rows.items() if row.related)
            self.maintenance = frozenset(i for i, row in rows.items() if row.maintenance)
            return
        if not changed and not removed:
            self.windowed, self.moving = prior.windowed, prior.moving
            self.related, self.maintenance = prior.related, prior.maintenance
            return
        mine = [rows[i] for i in changed]

        def flag(held: frozenset[str], yes: Iterable[bool]) -> frozenset[str]:
            return held.difference(changed, removed).union(compress(changed, yes))

        self.windowed = flag(prior.windowed, (row.window is not None for row in mine))
        self.moving = flag(prior.moving, map(moving, mine))
        self.related = flag(prior.related, (bool(row.related) for row in mine))
        self.maintenance = flag(prior.maintenance, (row.maintenance for row in mine))

    # -- what is listed where ---------------------------------------------------------
    def _moved(self, prior: PlanState, changed: list[str], removed: list[str]
               ) -> list[str] | None:
        """The ids whose place in the listings changed since the last state: rows that came
        or went, or changed their start, month or components. None when the started ones
        are not the same (a start lies between the two build times) or too many moved:
        then all is worked out again."""
        moved = list(removed)
        for iid in changed:
            old, new = prior.rows.get(iid), self.rows[iid]
            if (old is None or old.start != new.start or old.month != new.month
                    or old.components != new.components):
                moved.append(iid)
        if len(moved) > MOVED_MAX:
            return None
        if prior.now == self.now or (bisect_right(prior.starts, prior.now)
                                     == bisect_right(prior.starts, self.now)):
            return moved
        return None

    def _shape(self) -> None:
        rows = self.rows
        self.order = sorted(zip(map(_START, rows.values()), rows, strict=True))
        self._listing()
        by_component: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for month_id, iid in self.listed:
            for comp_id in dict.fromkeys(rows[iid].components):
                by_component[comp_id].append((month_id, iid))
        self.by_component = dict(by_component)
        self.components = {comp_id: self._component_pages(comp_id)
                           for comp_id in self.settings.components}

    def _reshape(self, prior: PlanState, moved: list[str]) -> None:
        """The listings of the last state with the `moved` ids taken out of their old
        places and put in their new ones: only the components they were or are on are
        listed again."""
        rows, before = self.rows, prior.rows
        order = list(prior.order)
        comps: set[str] = set()
        for iid in moved:
            old = before.get(iid)
            if old is not None:
                del order[bisect_left(order, (old.start, iid))]
                comps.update(old.components)
        for iid in moved:
            new = rows.get(iid)
            if new is not None:
                insort(order, (new.start, iid))
                comps.update(new.components)
        self.order = order
        self._listing()
        self.by_component = dict(prior.by_component)
        for comp_id in comps:
            listed = list(self.by_component.get(comp_id, ()))
            for iid in moved:
                old = before.get(iid)
                if old is not None and old.start <= prior.now and comp_id in old.components:
                    listed.remove((old.month, iid))
            for iid in moved:
                new = rows.get(iid)
                if new is not None and new.start <= self.now and comp_id in new.components:
                    _insert_newest_first(listed, (new.month, iid), rows)
            self.by_component[comp_id] = listed
        self.components = {
            comp_id: self._component_pages(comp_id) if comp_id in comps
            else prior.components[comp_id] for comp_id in self.settings.components}

    def _listing(self) -> None:
        """`starts`, `listed` and the history pages, from `order`."""
        rows, order = self.rows, self.order
        self.starts = list(map(itemgetter(0), order))
        started = bisect_right(self.starts, self.now)
        ids = list(map(itemgetter(1), reversed(order[:started])))  # newest first
        self.listed = tuple(zip(map(_MONTH, map(rows.__getitem__, ids)), ids, strict=True))
        year, month = self.settings.local
        self.history = paging.pages("history/", paging.months(self.listed, year, month),
                                    self.settings.per_page)

    def _component_pages(self, comp_id: str) -> list[Page]:
        year, month = self.settings.local
        months: list[Month] = [
            (m, g) for m, g in paging.months(self.by_component.get(comp_id, ()), year, month)
            if g]
        return paging.pages(component_path(comp_id), months, self.settings.per_page)

    def _maintenance_shown(self) -> Shown | None:
        """The maintenance page's ids (see Listings._maintenance_shown), from rows; None
        when a time is past what a row's float holds exactly (then from the incidents)."""
        rows, now = self.rows, self.now
        if not all(row_exact(rows[i]) for i in self.maintenance):
            return None
        states: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for iid in self.maintenance:
            row = rows[iid]
            states[row_maintenance_state(row, now)].append(
                (row.window[0] if row.window is not None else now, iid))
        past = sorted([*states["completed"], *states["canceled"]], reverse=True)
        limit = self.settings.past
        return ([i for _, i in sorted(states["in_progress"])],
                [i for _, i in sorted(states["scheduled"])],
                [i for _, i in past[:limit]], len(past) > limit)

    # -- listing keys -----------------------------------------------------------------
    def held_key(self, path: str, listed: object, parts: str,
                 ids: Iterable[list[str]]) -> str | None:
        """The last build's key of the listing page `path`, if it listed the same ids with
        the same other parts and none of their listing digests changed since."""
        before = self.prior_keys.get(path)
        if before is None or before[1] != parts or not (before[0] is listed
                                                        or before[0] == listed):
            return None
        touched = self.touched
        if touched and not all(map(touched.isdisjoint, ids)):
            return None
        return before[2]


def _insert_newest_first(listed: list[tuple[str, str]], entry: tuple[str, str],
                         rows: Mapping[str, SiteRow]) -> None:
    """Put `entry` (month, id) in its place in `listed`, newest first by (start, id)."""
    key = (rows[entry[1]].start, entry[1])
    low, high = 0, len(listed)
    while low < high:
        middle = (low + high) // 2
        iid = listed[middle][1]
        if (rows[iid].start, iid) > key:
            low = middle + 1
        else:
            high = middle
    listed.insert(low, entry)


def _same_windows(before: Mapping[str, SiteRow], rows: Mapping[str, SiteRow],
                  changed: list[str]) -> bool:
    """Whether the maintenance page's ids stand: every changed row (an open incident's is
    made again on every build) is no maintenance, then or now, or one whose window, status
    and times (row_exact) are as they were."""
    for iid in changed:
        old, new = before.get(iid), rows[iid]
        if not new.maintenance and (old is None or not old.maintenance):
            continue
        if old is None or (old.maintenance, old.status, old.open, old.window, old.best,
                           old.ended) != (new.maintenance, new.status, new.open, new.window,
                                          new.best, new.ended):
            return False
    return True


_HELD: list[PlanState] = []  # the last build's, in this process
held.also_forget(_HELD.clear)


def plan_state(settings: Settings, rows: Mapping[str, SiteRow], now: float, now_text: str,
               *, hold: bool) -> PlanState:
    """The planning state of these rows, made from the last one held when `hold`
    (the build has a page cache, whose keys it serves), and then held in its place."""
    if not hold:
        return PlanState(settings, rows, now, now_text)
    state = PlanState(settings, rows, now, now_text, _HELD[0] if _HELD else None)
    _HELD[:] = [state]
    return state


def forget() -> None:
    """Drop the held state (tests: a process that plans from nothing again)."""
    _HELD.clear()
