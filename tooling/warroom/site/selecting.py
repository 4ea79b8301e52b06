"""Which incidents each producer may show, from rows alone (see siterows): a producer given
only those gives the same bytes as given every incident, so its files are keyed on their
rows, and a rebuild runs it on them alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter

from warroom.site import availability, feeds, selections, selections_time
from warroom.site.data import SiteData
from warroom.site.heldrows import held_answer
from warroom.site.siterows import EXACT, SiteRow

Selection = Callable[[Mapping[str, SiteRow], SiteData], list[str]]


def _everything(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    return list(rows)


def _uptime(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    return selections_time.uptime_ids(rows, data, data.config.site.uptime_days)


SELECTIONS: dict[str, Selection] = {
    "feeds": selections.feeds_ids,
    "api": selections.api_listed_ids,  # told the activity (see _api_time)
    "ics": selections.ics_ids,
    "badges": selections.badges_ids,
    "availability": selections_time.availability_ids,
    "rollup": selections.rollup_ids,  # the home page and component pages
    "uptime": _uptime,  # their uptime bars
}


# Selections made with a pass over every row (10^4), which a rebuild in the same process
# (`warroom serve`) at the same build time gets back held while no row changed a field
# any of them reads (~15 ms of a rebuild after one change; a retitle changes none).
HELD = frozenset({"ics", "badges", "availability", "rollup", "uptime"})
# Every field of a row those five read (rollup and badges: _pending, _in_progress; ics;
# availability_ids with _downtime_ids, _metrics_ids and _repeat_partners; uptime_ids).
READ = ("status", "open", "maintenance", "window", "impact_from", "impact_to", "components",
        "impacts", "drill", "metric_start", "causes")
READ_FIELDS = attrgetter(*READ)


def selection(name: str, rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The ids (in id order) that producer `name`'s output may depend on; every id for a
    producer with no selection of its own."""
    select = SELECTIONS.get(name, _everything)
    if name not in HELD:
        return select(rows, data)
    # Everything a selection reads but the rows: the build time (to the offset), the
    # audience, the settings, the periods the availability and report pages cover.
    key = (select, data.now.isoformat(), data.audience, data.config, availability.DAYS,
           availability.MONTHS, availability.METRICS_DAYS)
    return list(held_answer(f"selection:{name}", key, rows, READ_FIELDS,
                            lambda: tuple(select(rows, data))))


# One part of a producer's output as the catalogue keys it: (its selection, its files, or
# None for every file the producer makes).
Part = tuple[list[str], tuple[str, ...] | None]


def feed_part(component: str | None) -> str:
    """The catalogue's name of one feed list: `feeds` for the site's, `feeds:<id>` for a
    component's."""
    return "feeds" if component is None else f"feeds:{component}"


def parts(name: str, rows: Mapping[str, SiteRow], data: SiteData) -> dict[str, Part]:
    """Producer `name`'s output in the parts a rebuild keys and keeps on their own, by the
    catalogue's name: one per feed list (its Atom and RSS, keyed on the owners of that
    list's newest entries, so a change to a component's newest incident renders that
    component's feeds and the site's, not every component's, whose quiet lists reach back
    years), else the whole output under the producer's name."""
    if name == "feeds":
        return {feed_part(key): (ids, feeds.list_paths(key))
                for key, ids in selections.feeds_lists(rows, data).items()}
    return {name: (selection(name, rows, data), None)}


def _timeless(rows: Mapping[str, SiteRow], ids: list[str], data: SiteData) -> str:
    return ""


TimePart = Callable[[Mapping[str, SiteRow], list[str], SiteData], str]
# Feeds never read the build time; the calendar reads it only for a maintenance's state,
# and shows every state but canceled (decided by the status alone) as CONFIRMED.
def _api_time(rows: Mapping[str, SiteRow], ids: list[str], data: SiteData) -> str:
    # The API is told every component's activity (selections.api_activity) rather than
    # given the incidents it comes from: the activity is part of the key instead. Of the
    # build time it reads only where it stands against each listed incident's window and
    # stated mitigation (the roll-up, a maintenance's state): a build minutes later keeps
    # its eight files unless a window opened or closed or a mitigation passed.
    activity = selections.api_activity(rows, data)
    if activity is None:  # the API is given every incident it reads (api_ids)
        return data.now.isoformat() + "|" + ",".join(
            f"{i}:{rows[i].digest}" for i in selections.api_ids(rows, data))
    spans, updated = activity
    return f"{_moments(rows, ids, data)}" \
        f"|{sorted((c, a.isoformat(), b.isoformat()) for c, (a, b) in spans.items())}" \
        f"|{updated.isoformat()}"


def _moments(rows: Mapping[str, SiteRow], ids: list[str], data: SiteData) -> str:
    """Where the build time stands against each selected maintenance's window (before it,
    in it, past it: status.maintenance_state) and each open incident's stated mitigation
    (status.impact_over): what a roll-up and a maintenance's state read of it. Floats tell
    those exactly below 2**33 s; past that, the build time itself."""
    now = data.now.timestamp()
    if abs(now) >= EXACT:
        return data.now.isoformat()
    stands = []
    for i in ids:
        row = rows[i]
        if row.maintenance and row.window is not None:
            start, end = row.window
            if max(abs(start), abs(end)) >= EXACT:
                return data.now.isoformat()
            stands.append(f"{i}:{'before' if now < start else 'in' if now < end else 'after'}")
        elif not row.maintenance and row.mitigated is not None:
            if abs(row.mitigated) >= EXACT:
                return data.now.isoformat()
            if row.mitigated <= now:
                stands.append(f"{i}:mitigated")
    return ",".join(stands)


# The badges read the build time only through the roll-up (_moments).
TIME_PARTS: dict[str, TimePart] = {"feeds": _timeless, "ics": _timeless, "api": _api_time,
                                   "badges": _moments}


def time_part(name: str, rows: Mapping[str, SiteRow], ids: list[str], data: SiteData) -> str:
    """What of the build time producer (or part) `name`'s output depends on, given its
    selection: its files are keyed on it, so a build an hour later keeps what the hour did
    not change. The build time itself for a producer with no narrower answer."""
    found = TIME_PARTS.get(name.partition(":")[0])  # a part's is its producer's
    return found(rows, ids, data) if found is not None else data.now.isoformat()
