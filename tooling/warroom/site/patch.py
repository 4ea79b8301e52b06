"""A patch build: a rebuild after a small change, from the last build's catalogue (see
docs/site.md, "A patch build"). Each producer whose selection's rows did not change keeps
its files; the others run on their selection alone, the availability page, the API's
activity and the calendar's unchanged events coming from what the last build kept."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from warroom.site import api, availability, feeds, ics, pages, selections
from warroom.site.build import PRODUCERS, Built, Context, assemble, producer
from warroom.site.parallel import Shared
from warroom.site.selecting import parts, selection
from warroom.site.selections_time import availability_from_rows, uptime_from_rows
from warroom.site.siterows import EXACT
from warroom.status import rollup
from warroom.uptime import uptime_by_component


def patch_build(context: Context) -> Built:
    """A rebuild after a small change: each producer whose selection's rows did not change
    keeps its files; the others run on their selection alone."""
    data, sources, previous = context.data, context.sources, context.previous
    assert previous is not None and sources.changed is not None
    rows = sources.rows
    results: list[tuple[str, dict[str, bytes]]] = []
    kept: list[str] = []
    keys: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name in PRODUCERS:
        # The parts whose key changed (one per feed list, else the whole output): part ->
        # (its new key, its selection, its files or None for all the producer makes).
        stale: dict[str, tuple[str, list[str], tuple[str, ...] | None]] = {}
        for part, (ids, paths) in parts(name, rows, data).items():
            key = context.producer_key(part, ids)
            before = previous.producers.get(part)
            if before is not None and before[0] == key and _present(context, before[1]):
                kept += before[1]
                keys[part] = before
            else:
                stale[part] = (key, ids, paths)
        if not stale:
            if name == "ics":
                context.events = previous.events
            continue
        if name == "feeds":
            out = _feeds(context, {part: ids for part, (_, ids, _) in stale.items()})
        else:
            out = _rerun(context, name, stale[name][1])
        results.append((name, out))
        for part, (key, _, paths) in stale.items():
            keys[part] = (key, tuple(sorted(out if paths is None else paths)))
    context.lap("producers")
    page_cache = context.page_cache
    roll = rollup(context.sub(selection("rollup", rows, data)))
    days = data.config.site.uptime_days
    uptime = (uptime_from_rows(rows, data, days, tuple(roll.components))
              or uptime_by_component(context.sub(selection("uptime", rows, data)), days,
                                     tuple(roll.components)))
    renderer = pages.Pages(data, cache=page_cache, rows=rows, materialise=sources.materialise,
                           roll=roll, uptime=uptime, changed=sources.changed,
                           theme_key=context.theme_key,
                           produced=frozenset([*kept, *(p for _, out in results for p in out)]))
    todo, live = renderer.plan()
    context.lap("plan")
    with Shared(renderer, todo) as shared:
        results.insert(0, ("pages", renderer.finish(shared, live)))
    return assemble(context, renderer, results, kept, page_cache, keys)


def _rerun(context: Context, name: str, ids: list[str]) -> dict[str, bytes]:
    """Producer `name`'s files from its selection alone; the availability page (public)
    and the API's activity come from rows, so they need no more incidents than they list."""
    data, rows = context.data, context.sources.rows
    if name == "availability" and not data.internal:
        found = availability_from_rows(rows, data, ids)  # ids: its selection, made already
        if found is not None:
            return availability.public_page(data, found)
        return producer(name)(context.sub(ids))
    if name == "ics":
        events = _calendar_events(context, ids)
        if events is not None:
            context.events = events
            return ics.calendar(data, list(events.values()))
        return producer(name)(context.sub(ids))  # no events kept: the next build makes all
    if name == "api":
        activity = selections.api_activity(rows, data)
        if activity is not None:
            return api.produce_with(context.sub(ids), activity)
        return producer(name)(context.sub(selections.api_ids(rows, data)))
    return producer(name)(context.sub(ids))


def _feeds(context: Context, stale: dict[str, list[str]]) -> dict[str, bytes]:
    """The files of the feed lists whose key changed (by part: selecting.feed_part), from
    the owners of their entries alone: the union of their selections, a superset of each
    list's owners, gives each the same entries. Every other list keeps its files."""
    wanted = sorted({i for ids in stale.values() for i in ids})
    lists = [part.partition(":")[2] if ":" in part else None for part in stale]
    return feeds.produce_lists(context.sub(wanted), lists)


def _calendar_events(context: Context, ids: list[str]) -> dict[str, str] | None:
    """The calendar's events in its order, by id: the last build's text for an incident
    that did not change (an event reads nothing else), made for the others. None when a
    window's time is past 2**33 s (its float no longer orders it exactly)."""
    rows, previous = context.sources.rows, context.previous
    starts: dict[str, float] = {}
    for i in ids:
        window = rows[i].window
        if window is None or max(abs(window[0]), abs(window[1])) >= EXACT:
            return None
        starts[i] = window[0]
    # ics.maintenance_of's order: window start (as instants), then id
    order = sorted(ids, key=lambda i: (starts[i], i))
    kept = previous.events if previous is not None else {}
    changed = context.sources.changed or frozenset()
    need = [i for i in order if i in changed or i not in kept]
    made: dict[str, str] = {}
    if need:
        sub = context.sub(need)
        made = {inc.id: ics.event_text(sub, inc) for inc in sub.incidents}
    return {i: made[i] if i in made else kept[i] for i in order}


def _present(context: Context, paths: Sequence[str]) -> bool:
    """Whether the last site still has these files; their lstat, made under the build's
    lock, goes to the writer with the kept pages' (see write_site's `seen`)."""
    if context.target is None or context.page_cache is None:
        return False
    found: dict[str, os.stat_result] = {}
    for path in paths:
        try:
            info = os.lstat(f"{context.target}/{path}")
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        found[path] = info
    context.page_cache.seen.update(found)
    return True
