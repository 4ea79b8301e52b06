"""Which incidents a producer's output can depend on, decided from site rows alone.

Each selection returns the ids (sorted) of a set `S` such that the producer run on a
SiteData holding only the incidents of `S` (and their recorded times and clocks) writes the
same bytes as run on all of them. A rebuild keys each producer's output on the digests of
its selection, so a selection must be sound for any `now` and either audience, and small:
what it selects is what a rebuild has to materialise.

Times in rows are UTC POSIX floats made by `datetime.timestamp()`, which is monotone: an
earlier instant never gets a larger float. For instants stated in seconds (all YAML and Git
times) it is also exact, but past ~2255 two instants a microsecond apart may share a float.
So wherever a producer orders datetimes, a selection keeps every row whose float ties the
cut-off rather than trusting the float to break the tie: a strictly larger float is a
strictly later instant, an equal one proves nothing past 2**33 s (EXACT). Below it, equal
floats are one instant, possibly in different UTC offsets (min()/max() then return whichever
datetime comes first): either is shown in the site's zone, so where only the instant is
shown (the API's spans and `updated`) one of the tied rows is enough. That matters: a
repository whose history was imported in one commit gives thousands of incidents one
recorded time. Where a producer orders by the floats themselves (the API's newest lists,
by `timestamp()` and id), the selection takes exactly its order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import datetime
from operator import itemgetter

from warroom.site import api, feeds
from warroom.site.data import SiteData
from warroom.site.heldrows import held_answer
from warroom.site.siterows import EXACT, SiteRow, instant
from warroom.status import visible_components

# Maintenance statuses that settle its state whatever the window says (maintenance_state).
_SETTLED = frozenset({"canceled", "completed"})
_TIME = itemgetter(0)


# (time, incident id, ids of the components it lists) of every row, for the walks below.
Item = tuple[float, str, tuple[str, ...]]
# (newest entry time, incident id, component ids, every entry's time) of every row.
Entries = tuple[float, str, tuple[str, ...], tuple[float, ...]]


def _newest_by_float(items: list[tuple[float, str]], limit: int) -> list[str]:
    """Ids of the `limit` largest items by (time, id): what a producer ordering by the same
    floats (status.newest_first, api's maintenance by window) keeps, ties by id."""
    return [iid for _, iid in heapq.nlargest(limit, items)]




def _entry_owners(walk: list[Entries], lists: Iterable[str],
                  limit: int) -> dict[str | None, list[str]]:
    """Ids of the incidents that may own one of the `limit` newest entries of each feed
    list, by list: the feed of everything (None) and one per component in `lists` (an
    incident is in a component's feed once per time it names it, as in feeds._grouped).
    `walk` is newest top first. One walk for every list: each settles on its own.

    Per feed, let E be the `limit`-th latest entry time. Each of the feed's `limit` newest
    entries has a float at or after E (a float before E has `limit` entries strictly
    later: see the module's docstring), so its incident's top has too: the feed's
    incidents whose top is at or after E are kept. Along the walk the `limit`-th latest
    entry seen so far only grows towards E, so an incident whose top is before it owns
    nothing at or after E, nor does any incident after it: the feed is settled. Entries
    tied at E below 2**33 s are one instant, which the feed orders by id: only as many as
    it takes are kept (a history imported in one commit ties most of them)."""
    keys: tuple[str | None, ...] = (None, *lists)
    newest: dict[str | None, list[float]] = {key: [] for key in keys}  # min-heaps
    walked: dict[str | None, list[tuple[float, str, tuple[float, ...]]]] = {
        key: [] for key in keys}
    if limit <= 0:
        return {key: [] for key in keys}
    full = 0
    for top, iid, components, entries in walk:
        if full == len(keys) and top < min(heap[0] for heap in newest.values()):
            break  # every feed settled: the rest are older still
        for key in (None, *components):
            heap = newest.get(key)
            if heap is None:  # a component the audience does not see: no feed of its own
                continue
            if len(heap) == limit and top < heap[0]:
                continue  # this feed is settled
            walked[key].append((top, iid, entries))
            for when in entries:
                if len(heap) < limit:
                    heapq.heappush(heap, when)
                    full += len(heap) == limit
                elif when > heap[0]:
                    heapq.heapreplace(heap, when)
    owners: dict[str | None, list[str]] = {}
    for key, heap in newest.items():
        out = owners[key] = []
        cutoff = heap[0] if len(heap) == limit else float("-inf")
        if abs(cutoff) >= EXACT:  # fewer than `limit` entries, or a float past 2242
            out.extend(iid for top, iid, _ in walked[key] if top >= cutoff)
            continue
        # An exact float: the entries at the cut-off are one instant, which the feed
        # orders by id, then index (feeds._ORDER), newest first. Of them it takes as many
        # as the `limit` newest hold; every later entry's incident is kept.
        out.extend(iid for top, iid, _ in walked[key] if top > cutoff)
        needed = heap.count(cutoff)
        tied = sorted(((iid, entries.count(cutoff)) for top, iid, entries in walked[key]
                       if top >= cutoff and cutoff in entries), reverse=True)
        for iid, count in tied:
            if needed <= 0:
                break
            out.append(iid)
            needed -= count
    return owners


def _firsts(walk: Iterable[Item], lists: Mapping[str, str]) -> list[str]:
    """Ids of the first item of each component of `lists` along `walk` (a walk ordered by
    time, either way), and of every item tied with one of them whose float may hide
    another instant (see EXACT): equal instants show alike, one of them is enough."""
    found: dict[str, float] = {}
    last = 0.0
    out: list[str] = []
    for when, iid, components in walk:
        if len(found) == len(lists) and when != last:
            break  # every component found, and past the time of the last one found
        keep = False
        for cid in components:
            if cid not in lists:
                continue
            if cid in found:
                keep = keep or (found[cid] == when and abs(when) >= EXACT)
                continue
            found[cid] = when
            keep = True
            last = when
        if keep:
            out.append(iid)
    return out


def _pending(row: SiteRow, now: float) -> bool:
    """Maintenance scheduled or in progress at `now`, or too close to the window's end to
    tell from floats (then kept: a selection may hold more, never less)."""
    if row.status in _SETTLED:
        return False
    if row.window is None:  # maintenance_state: open means in progress
        return row.open
    return now <= row.window[1]


def _in_progress(row: SiteRow, now: float) -> bool:
    """Maintenance in progress at `now`, or too close to the window's end to tell."""
    if row.status in _SETTLED:
        return False
    if row.window is None:
        return row.open
    return row.window[0] <= now <= row.window[1]


def rollup_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """What status.rollup(data) reads: open incidents (status and indicator, even once
    mitigated, through their severity; `active`) and maintenance in progress (component
    status) or scheduled (`maintenance_upcoming`) at data.now. Closed incidents and past or
    canceled maintenance leave every field of the Rollup as it is."""
    now = data.now.timestamp()
    return sorted(iid for iid, row in rows.items()
                  if (_pending(row, now) if row.maintenance else row.open))


def badges_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The badges show the roll-up's indicator, whether maintenance is in progress and each
    component's status: upcoming maintenance (the rest of rollup_ids) shows on none."""
    now = data.now.timestamp()
    return sorted(iid for iid, row in rows.items()
                  if (_in_progress(row, now) if row.maintenance else row.open))


def ics_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The calendar lists every maintenance with a window, whatever its state: all of them
    (about a tenth of the incidents on the benchmark data; nothing smaller is sound)."""
    return sorted(iid for iid, row in rows.items() if row.maintenance and row.window is not None)


def feeds_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The incidents owning the LIMIT newest entries of the site's feed and of each visible
    component's: a SiteData holding them has the same LIMIT newest entries, and
    feeds._newest keeps exactly those. Feeds never read data.now."""
    return sorted({iid for ids in feeds_lists(rows, data).values() for iid in ids})


def feeds_lists(rows: Mapping[str, SiteRow], data: SiteData) -> dict[str | None, list[str]]:
    """feeds_ids one feed list at a time: the site's (None), then each visible component's
    in feeds.produce's order, each the owners of that list's LIMIT newest entries (sorted).
    A SiteData holding any superset of a list's owners gives that list the same LIMIT
    newest entries, so feeds.produce_lists renders it alike (its Atom and its RSS)."""
    shown = tuple(visible_components(data.config, data.audience))

    def make() -> dict[str | None, list[str]]:
        # Rows come in id order, oldest first near enough (ids start with a date): the
        # sort has little to do.
        walk = sorted([(row.top[0], iid, row.components, row.entries)
                       for iid, row in rows.items()], key=_TIME, reverse=True)
        return {key: sorted(set(ids))
                for key, ids in _entry_owners(walk, shown, feeds.LIMIT).items()}

    found = held_answer("feeds", (shown, feeds.LIMIT), rows, _feed_facts, make)
    return {key: list(ids) for key, ids in found.items()}


def _feed_facts(row: SiteRow) -> tuple[object, ...]:
    """All the feed lists read of a row (feeds_lists, _entry_owners)."""
    return (row.top, row.components, row.entries)


def _activity_facts(row: SiteRow) -> tuple[object, ...]:
    """All api_activity reads of a row."""
    return (row.latest, row.components)


def api_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """Every file of the API, from what each reads of other incidents:

    - the roll-up (status, component statuses, unresolved, upcoming and active maintenance);
    - `updated` (page.updated_at, and the span of an untouched component): the newest
      last_activity;
    - each visible component's span (first and last activity of its incidents; a group's
      is its members'), which every incident JSON embeds through its components: the
      incidents with the earliest and the latest activity per component;
    - incidents.json: the RECENT newest incidents (not maintenance) by best known start;
    - scheduled-maintenances.json: the RECENT latest by window start of the maintenance
      not canceled at data.now.
    Each incident's own JSON reads nothing else of other incidents. A rebuild told the
    activity (`api_activity`) needs only `api_listed_ids`.
    """
    shown = visible_components(data.config, data.audience)
    chosen = set(api_listed_ids(rows, data))
    by_activity = sorted([(row.latest, iid, row.components) for iid, row in rows.items()],
                         key=_TIME)  # nearly sorted already: ids start with a date
    for when, iid, _ in reversed(by_activity):  # `updated`: the newest, ties all kept
        if when != by_activity[-1][0]:
            break
        chosen.add(iid)
        if abs(when) < EXACT:
            break  # one instant: any of them gives the same text
    # Only components some incident names: a walk looking for one that none names would
    # go through every row.
    named = {cid for _, _, components in by_activity for cid in components if cid in shown}
    spans = {cid: shown[cid] for cid in named}
    chosen.update(_firsts(by_activity, spans))
    chosen.update(_firsts(reversed(by_activity), spans))
    return sorted(chosen)


def api_listed_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The incidents the API's files list (the roll-up's, the newest, the maintenance), all
    it needs once told every component's activity (`api.produce_with`). Only which
    maintenance is pending reads the build time: the rest is held between builds."""
    now = data.now.timestamp()
    fixed, maintenance = held_answer("api", api.RECENT, rows, _api_facts, lambda: _api_fixed(rows))
    chosen = set(fixed)
    chosen.update(iid for iid in maintenance if _pending(rows[iid], now))  # rollup_ids
    return sorted(chosen)


def _api_fixed(rows: Mapping[str, SiteRow]) -> tuple[frozenset[str], tuple[str, ...]]:
    """What api_listed_ids picks whatever the build time: the open incidents, the newest,
    the latest maintenance windows (and those with none); and every maintenance's id."""
    chosen: set[str] = set()
    incidents: list[tuple[float, str]] = []
    maintenance: list[tuple[float, str]] = []
    every: list[str] = []
    for iid, row in rows.items():  # one pass: 10,000 rows
        if not row.maintenance:
            incidents.append((row.best, iid))
            if row.open:  # rollup_ids
                chosen.add(iid)
            continue
        every.append(iid)
        if row.window is None:  # api._start refuses it: keep it to fail alike
            chosen.add(iid)
        elif row.status != "canceled":  # maintenance_state: canceled by status alone
            maintenance.append((row.window[0], iid))
    # Both orders are by the very floats a row holds (timestamp()), ties by id.
    chosen.update(_newest_by_float(incidents, api.RECENT))
    chosen.update(_newest_by_float(maintenance, api.RECENT))
    return frozenset(chosen), tuple(every)


def _api_facts(row: SiteRow) -> tuple[object, ...]:
    """All api_listed_ids reads of a row (_pending included)."""
    return (row.maintenance, row.best, row.open, row.window, row.status)


def api_activity(rows: Mapping[str, SiteRow], data: SiteData) -> api.Activity | None:
    """Every component's first and last activity and the newest of all, from rows (what
    api._Api works out from every incident). None when a time is past 2**33 s: floats no
    longer give the instants back exactly."""
    found = held_answer("activity", None, rows, _activity_facts, lambda: _activity(rows))
    if found is None:
        return None
    spans, newest = found
    return dict(spans), newest if newest is not None else data.now


def _activity(rows: Mapping[str, SiteRow]
              ) -> tuple[dict[str, tuple[datetime, datetime]], datetime | None] | None:
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    newest: float | None = None
    for row in rows.values():
        when = row.latest
        if abs(when) >= EXACT:
            return None
        if newest is None or when > newest:
            newest = when
        for cid in row.components:
            if cid not in first or when < first[cid]:
                first[cid] = when
            if cid not in last or when > last[cid]:
                last[cid] = when
    spans = {cid: (instant(first[cid]), instant(last[cid])) for cid in first}
    return spans, instant(newest) if newest is not None else None

