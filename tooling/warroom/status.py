"""What the public (or the team) may see, and the status it adds up to.

`audience_view` runs first: everything after it (roll-up, uptime, pages, feeds, API) only
ever sees what the audience may see, so an internal incident cannot leak into a public file
nor change the public status by construction rather than by care in each producer.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from warroom.config import Config
from warroom.model import Incident, Update
from warroom.recorded import Recorded
from warroom.site.data import SiteData
from warroom.uptime import impact_start

AUDIENCES = ("public", "internal")
T = TypeVar("T")

# Worst last. Maintenance ranks below every incident impact: an unplanned problem is the
# more useful thing to tell a reader, so "unless an incident is worse" means any incident.
COMPONENT_STATUSES = (
    "operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage",
)
INDICATORS = ("none", "minor", "major", "critical")
# Statuspage's own words for its indicators, so widgets that show `description` read as usual.
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
}
MAINTENANCE_DESCRIPTION = "Service Under Maintenance"
_COMPONENT_INDICATOR = {
    "operational": "none", "under_maintenance": "none", "degraded_performance": "minor",
    "partial_outage": "major", "major_outage": "critical",
}


@dataclass(frozen=True)
class Rollup:
    indicator: str  # none | minor | major | critical
    description: str  # Statuspage's English wording; pages translate from `indicator`
    components: dict[str, str]  # component id -> status (COMPONENT_STATUSES), config order
    active: tuple[Incident, ...]  # open incidents (not maintenance), newest first
    maintenance_active: tuple[Incident, ...]  # in progress, by window start
    maintenance_upcoming: tuple[Incident, ...]  # scheduled, by window start

    @property
    def maintenance_in_progress(self) -> bool:
        return bool(self.maintenance_active)


def visible_components(config: Config, audience: str) -> dict[str, str]:
    """Component id -> group id, in configuration order, as the audience sees them."""
    return {c.id: c.group for g in config.groups for c in g.components
            if audience == "internal" or not c.internal}


def audience_view(incidents: Sequence[Incident], config: Config, audience: str, *,
                  universe: Collection[str] | None = None) -> tuple[Incident, ...]:
    """The incidents as `audience` may see them; internal builds see everything unchanged.

    Public: internal incidents and drills are dropped; internal updates, internal components,
    unpublished or internal postmortems (with their action items), roles, update authors,
    pauses, links, regulatory details and `related` ids of hidden incidents are stripped.
    Updates keep their original `index`, the key of recorded times and of feed entry ids.
    `universe`: the ids of every incident the audience sees, when `incidents` are only some
    of them (related ids are kept when they name one).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    if audience == "internal":
        return tuple(incidents)
    shown = visible_components(config, audience)
    kept = [i for i in incidents if i.public and not i.drill]
    kept_ids = {i.id for i in kept} if universe is None else universe
    out = []
    for inc in kept:
        postmortem = inc.postmortem
        if postmortem is not None and not (postmortem.published
                                            and postmortem.visibility == "public"):
            postmortem = None
        components = inc.components
        if any(c.id not in shown for c in components):
            components = tuple(c for c in components if c.id in shown)
        updates = inc.updates
        if any(u.visibility != "public" or u.author is not None for u in updates):
            updates = tuple(_anonymous(u) for u in updates if u.public)
        related = inc.related
        if any(r not in kept_ids for r in related):
            related = tuple(r for r in related if r in kept_ids)
        out.append(_replace(
            inc,
            components=components,
            roles={},
            pauses=(),
            updates=updates,
            postmortem=postmortem,
            action_items=inc.action_items if postmortem is not None else (),
            regulatory=None,
            links=(),
            related=related,
        ))
    return tuple(out)


def ensure_view(data: SiteData) -> None:
    """Refuse a public SiteData that did not go through audience_view (a check that every
    producer makes, so a wiring mistake fails the build instead of leaking). The whole view
    is read once per SiteData; the producers after the first pay a dictionary look-up."""
    if data.internal:
        return
    memo = derived(data)
    if not memo.get("view checked"):
        _check_view(data)
        memo["view checked"] = True


def _check_view(data: SiteData) -> None:
    shown = visible_components(data.config, data.audience)
    for inc in data.incidents:
        # plain loops rather than any(generator): this reads every update of every incident
        leaked = (not inc.public or inc.drill or inc.regulatory is not None or bool(inc.roles))
        for update in inc.updates:
            if update.visibility != "public":
                leaked = True
        for comp in inc.components:
            if comp.id not in shown:
                leaked = True
        if leaked:
            raise ValueError(f"public site data holds internal material of {inc.id}: "
                             "build SiteData.incidents with audience_view(..., 'public')")


# What is worked out from one SiteData (the checked view, the roll-up, every incident's
# latest activity) is kept while that SiteData lives: each producer and the pages ask, a
# build computes it once. SiteData is frozen and nothing changes its incidents or dicts
# after it is made. Keyed by id(): the finalizer drops the entry when the SiteData dies,
# so a later object given the same id never reads another build's answer.
_DERIVED: dict[int, dict[str, Any]] = {}


def derived(data: SiteData) -> dict[str, Any]:
    """The values remembered for this very SiteData (empty at first)."""
    key = id(data)
    found = _DERIVED.get(key)
    if found is None:
        found = _DERIVED[key] = {}
        weakref.finalize(data, _DERIVED.pop, key, None)
    return found


def remembered(data: SiteData, name: str, compute: Callable[[SiteData], T]) -> T:
    """compute(data), worked out once per SiteData. `compute` must not keep `data` in what
    it returns (the memo would then keep the SiteData alive)."""
    memo = derived(data)
    if name not in memo:
        memo[name] = compute(data)
    found: T = memo[name]
    return found


def _replace(incident: Incident, **changes: Any) -> Incident:
    return _frozen(Incident, {**incident.__dict__, **changes})


def _anonymous(update: Update) -> Update:
    if update.author is None:
        return update
    return _frozen(Update, {**update.__dict__, "author": None})


def _frozen(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the frozen dataclass `cls` holding `values` (every field, taken from
    an instance of it): dataclasses.replace() costs ~25 us a call and the frozen __init__
    ~10 us (one object.__setattr__ per field), a third of a 10,000-incident build's view;
    setting the instance's dict at once gives the same object for ~1 us."""
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", values)
    return new


def maintenance_state(incident: Incident, now: datetime) -> str:
    """scheduled | in_progress | completed | canceled, from the status and the window.

    The window decides, not the latest update: before the start it is scheduled even if an
    update already says in_progress (a component is never shown down early), and after the
    end it is completed (to overrun, extend `window.end`).
    """
    if incident.status == "canceled":
        return "canceled"
    if incident.status == "completed":
        return "completed"
    window = incident.window
    if window is None:  # not maintenance: say where it stands in the same words
        return "in_progress" if incident.open else "completed"
    if now < window.start:
        return "scheduled"
    if now < window.end:
        return "in_progress"
    return "completed"


def impact_over(incident: Incident, now: datetime) -> bool:
    """An open incident stops affecting status once its stated mitigation time has passed."""
    return incident.mitigated_at is not None and incident.mitigated_at <= now


def _worst(statuses: Sequence[str]) -> str:
    return max(statuses, key=COMPONENT_STATUSES.index, default="operational")


def _worse(a: str, b: str) -> str:
    return max(a, b, key=INDICATORS.index)


def best_time(incident: Incident, recorded: Recorded | None) -> datetime:
    """When the incident started as best known: stated start, declaration, first update time,
    else midnight UTC of the date in its id (ids always start with one)."""
    known = impact_start(incident, recorded)
    if known is not None:
        return known
    return datetime.fromisoformat(incident.id[:10]).replace(tzinfo=UTC)


def update_time(incident: Incident, update: Update, recorded: Recorded | None) -> datetime:
    """When an update was posted: its stated `at`, else the commit that added it, else the
    incident's best known start (an uncommitted file in a test or a preview)."""
    if update.at is not None:
        return update.at
    if recorded is not None and update.index < len(recorded.updates):
        return recorded.updates[update.index].at
    if recorded is not None and update.index == 0:
        return recorded.declared.at
    return best_time(incident, recorded)


def last_activity(incident: Incident, recorded: Recorded | None) -> datetime:
    """The latest stated or recorded time known for the incident (feeds' `updated`)."""
    latest = best_time(incident, recorded)
    for update in incident.updates:
        # update_time, inlined for the common stated time: this runs for every update of
        # every incident. Ties keep the earlier time, as max() would.
        moment = update.at if update.at is not None else update_time(incident, update,
                                                                      recorded)
        if moment > latest:
            latest = moment
    if recorded is not None:
        for change in (recorded.resolved, recorded.postmortem_published):
            if change and change.at > latest:
                latest = change.at
    for stated in (incident.mitigated_at, incident.resolved_at):
        if stated is not None and stated > latest:
            latest = stated
    return latest


def latest_activity(data: SiteData) -> dict[str, datetime]:
    """last_activity of every incident in data, by id (computed once per SiteData)."""
    return remembered(data, "latest activity", _latest_activity)


def _latest_activity(data: SiteData) -> dict[str, datetime]:
    recorded = data.recorded
    return {i.id: last_activity(i, recorded.get(i.id)) for i in data.incidents}


def newest_first(incidents: Sequence[Incident], data: SiteData,
                 limit: int | None = None) -> list[Incident]:
    """By best known start, latest first; ties by id, also reversed (ids start with a date).
    With `limit`, only that many (the same as slicing the whole list, without sorting it)."""
    recorded = data.recorded

    def key(i: Incident) -> tuple[float, str]:
        return best_time(i, recorded.get(i.id)).timestamp(), i.id

    if limit is not None:  # from the end: incidents usually come oldest first
        return heapq.nlargest(limit, reversed(incidents), key=key)
    return sorted(incidents, reverse=True, key=key)


def rollup(data: SiteData) -> Rollup:
    """Component and overall status now, from open incidents and maintenance in progress
    (worked out once per SiteData: the API, the badges and the pages all show it)."""
    return remembered(data, "rollup", _rollup)


def _rollup(data: SiteData) -> Rollup:
    config, now = data.config, data.now
    affected: dict[str, list[str]] = {cid: [] for cid in visible_components(config, data.audience)}
    active, in_progress, upcoming = [], [], []
    indicator = "none"
    for inc in data.incidents:
        if inc.maintenance:
            state = maintenance_state(inc, now)
            if state == "in_progress":
                in_progress.append(inc)
                for comp in inc.components:
                    affected.get(comp.id, []).append("under_maintenance")
            elif state == "scheduled":
                upcoming.append(inc)
            continue
        if not inc.open:
            continue
        active.append(inc)
        severity = config.severity(inc.severity)
        if severity is not None:
            indicator = _worse(indicator, severity.impact)
        if impact_over(inc, now):
            continue
        for comp in inc.components:
            affected.get(comp.id, []).append(comp.impact)
    components = {cid: _worst(found) for cid, found in affected.items()}
    for status in components.values():
        indicator = _worse(indicator, _COMPONENT_INDICATOR[status])
    description = DESCRIPTIONS[indicator]
    if indicator == "none" and in_progress:
        description = MAINTENANCE_DESCRIPTION

    def by_window(inc: Incident) -> tuple[datetime, str]:
        assert inc.window is not None
        return (inc.window.start.astimezone(UTC), inc.id)

    return Rollup(
        indicator=indicator,
        description=description,
        components=components,
        active=tuple(newest_first(active, data)),
        maintenance_active=tuple(sorted(in_progress, key=by_window)),
        maintenance_upcoming=tuple(sorted(upcoming, key=by_window)),
    )
