"""An incident's site row: the few plain values that decide which pages and files of a site
show it, and when they changed, without the Incident itself.

A row is made from the audience's view of one incident and what Git recorded about it
(`site_row`), never from other incidents: a row whose incident's file and history did not
change since the last build is still right, whatever else changed. What depends on other
incidents (which related ids are visible) or on the build time (open incidents, scheduled
maintenance) is worked out from rows when the site is planned, not stored in them.

Times are UTC POSIX seconds (floats): rows only order and compare times; what a page shows
comes from the Incident, materialised when the page is rendered. `digest` changes whenever
anything a page or file could show of the incident changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.sla import backfilled
from warroom.status import best_time, last_activity, update_time
from warroom.uptime import impact_end, impact_start

# impact_end returns the build time it is given only for an open incident with no end
# stated or recorded: passed this, it tells that case apart without a real `now`.
_NOW = datetime.max.replace(tzinfo=UTC)


# Below 2**33 s (the year 2242), distinct instants in microseconds get distinct floats and
# a float gives its instant back exactly: row times compare and convert like the datetimes.
EXACT = 2.0 ** 33


def instant(stamp: float) -> datetime:
    """The instant of a row's time (UTC), exact for an EXACT float."""
    return datetime.fromtimestamp(stamp, UTC)


class SiteRow(NamedTuple):
    digest: str  # the incident's file and everything Git recorded about it (build._Digests)
    title: str
    status: str
    open: bool  # Incident.open
    maintenance: bool  # Incident.maintenance
    window: tuple[float, float] | None  # maintenance window (start, end)
    best: float  # status.best_time: the incident's best known start
    start: float  # listed at: the window's start, else `best`
    month: str  # YYYY-MM of `start` in the site's time zone (history and component pages)
    components: tuple[str, ...]  # ids of the components shown, in order, repeats kept
    related: tuple[str, ...]  # as written; the view keeps those of incidents it shows
    latest: float  # status.last_activity (API spans, sitemap lastmod)
    top: tuple[float, int]  # the newest feed entry of the incident: (time, update index)
    mitigated: float | None  # stated mitigated_at (an open incident's impact ends there)
    # The time of each of its feed entries (feeds._grouped's candidates), in update order:
    # a feed needs only the incidents owning its LIMIT newest entries
    # (selections.feeds_ids), and an incident's top alone cannot tell how many it owns.
    entries: tuple[float, ...]
    # sel-b: what the availability, metrics and uptime selections need (selections_time)
    drill: bool  # Incident.drill: never counted in availability, uptime or metrics
    impacts: tuple[str, ...]  # each shown component's impact, aligned with `components`
    causes: tuple[str, ...]  # Incident.causes: repeats pair incidents sharing one
    impact_from: float | None  # uptime.impact_start (Recorded used): uptime, availability
    impact_to: float | None  # uptime.impact_end when it is not `now`: None while open
    # without a stated or recorded end (then it is `now`), or closed with no time at all
    metric_start: float | None  # metrics.incident_metrics' start (stated times when backfilled)
    lastmod: str  # `latest` as the sitemap writes it (W3C, UTC, seconds)
    # What a list shows of it (views.Views.row_summary), so that listing pages need no
    # incident: its type and severity ids, whether the public sees it, and when it ended
    # (views.Views.ended: None while open).
    type: str
    severity: str
    public: bool
    ended: float | None


def site_row(incident: Incident, recorded: Recorded | None, digest: str, zone: ZoneInfo,
             related: tuple[str, ...]) -> SiteRow:
    """The row of `incident` as the audience sees it (an audience_view's incident);
    `related` as written in its file (the view drops those it hides)."""
    window = incident.window
    best = best_time(incident, recorded)
    end = impact_end(incident, recorded, _NOW)  # sel-b
    # sel-b: metrics measure a backfilled incident on its stated times
    source = None if backfilled(incident, recorded) else recorded
    start = window.start if window is not None else best
    local = start.astimezone(zone)
    latest = last_activity(incident, recorded)
    updates = incident.updates
    if updates:
        # timestamp() of an aware time is the instant's, whatever its offset
        entries = tuple((upd.at if upd.at is not None else update_time(incident, upd, recorded)
                         ).timestamp() for upd in updates)
        top = max(zip(entries, (upd.index for upd in updates), strict=True))
    else:
        top = (latest.timestamp(), -1)
        entries = (top[0],)
    components = incident.components
    mitigated = incident.mitigated_at
    # Positional, in SiteRow's order: keywords cost a tenth of a build's rows at 10^4.
    return _make((
        digest, incident.title, incident.status, incident.open, incident.maintenance,
        (window.start.timestamp(), window.end.timestamp()) if window else None,
        best.timestamp(), start.timestamp(), f"{local.year:04d}-{local.month:02d}",
        tuple([c.id for c in components]), related, latest.timestamp(), top,
        mitigated.timestamp() if mitigated is not None else None,
        entries, incident.drill, tuple([c.impact for c in components]), tuple(incident.causes),
        _stamp(impact_start(incident, recorded)),
        None if end is _NOW else _stamp(end),
        (window.start.timestamp() if incident.maintenance and window
         else _stamp(impact_start(incident, source))),
        w3c(latest),
        incident.type, incident.severity, incident.public,
        _stamp(ended_at(incident, recorded)),
    ))


_make = SiteRow._make


def ended_at(incident: Incident, recorded: Recorded | None) -> datetime | None:
    """When a closed incident ended, as lists show it: stated resolution, else the
    resolving commit, else stated mitigation, else its last stated update; None while open."""
    if incident.open:
        return None
    for when in (incident.resolved_at, recorded.resolved.at if recorded and recorded.resolved
                 else None, incident.mitigated_at):
        if when is not None:
            return when
    stated = [u.at for u in incident.updates if u.at is not None]
    return max(stated) if stated else None


def w3c(moment: datetime) -> str:
    """A time as sitemaps write it: W3C, in UTC, to the second."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime's %Y does not pad; isoformat would
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    # isoformat is several times cheaper than strftime, for one call per incident
    return utc.isoformat(timespec="seconds")[:-6] + "Z"  # drop "+00:00"


def _stamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def moving(row: SiteRow) -> bool:
    """Shown differently as the build time moves on, whatever the files say (an open
    incident's clocks and durations, a scheduled maintenance's state)."""
    return row.open or (row.maintenance and row.status == "scheduled")
