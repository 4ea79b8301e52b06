"""Repeat incidents: a shared component and a shared cause within `repeats.window`.

A repeat names the action items still open on the earlier incident: the follow-up work
that, had it been done, might have prevented the second one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.availability import window_start
from warroom.config import Config
from warroom.metrics import excluded_reason
from warroom.model import ActionItem, Incident
from warroom.recorded import Recorded
from warroom.uptime import impact_start


@dataclass(frozen=True)
class Repeat:
    incident: Incident  # the later incident
    earlier: Incident
    components: tuple[str, ...]  # shared components
    causes: tuple[str, ...]  # shared causes
    gap: timedelta  # from the earlier impact start to the later one
    open_actions: tuple[ActionItem, ...]  # still open (or in progress) on the earlier one


def _shared(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    other = set(second)
    return tuple(x for x in dict.fromkeys(first) if x in other)


def find_repeats(incidents: Iterable[Incident], recorded: Mapping[str, Recorded],
                 config: Config) -> tuple[Repeat, ...]:
    """Each incident against the latest earlier one sharing a component and a cause, within
    the window. Linking the latest only keeps a long chain readable (A <- B <- C rather than
    every pair) and linear to compute; the chain still links them all."""
    dated: list[tuple[datetime, Incident]] = []
    for incident in incidents:
        start = impact_start(incident, recorded.get(incident.id))
        if start is not None and excluded_reason(incident) is None and incident.causes:
            dated.append((start, incident))
    dated.sort(key=lambda pair: (pair[0], pair[1].id))
    latest: dict[tuple[str, str], tuple[datetime, Incident]] = {}
    out: list[Repeat] = []
    for start, incident in dated:
        earliest = window_start(start, config.repeat_window)
        components = tuple(dict.fromkeys(c.id for c in incident.components))
        causes = tuple(dict.fromkeys(incident.causes))
        found: dict[str, tuple[datetime, Incident]] = {}
        for key in ((c, k) for c in components for k in causes):
            before = latest.get(key)
            if before is not None and before[0] >= earliest:
                found[before[1].id] = before
        for earlier_start, earlier in sorted(found.values(), key=lambda p: (p[0], p[1].id)):
            out.append(Repeat(
                incident, earlier,
                _shared(components, (c.id for c in earlier.components)),
                _shared(causes, earlier.causes), start - earlier_start,
                tuple(a for a in earlier.action_items if a.open)))
        for key in ((c, k) for c in components for k in causes):
            latest[key] = (start, incident)
    return tuple(out)


def by_incident(repeats: Iterable[Repeat]) -> dict[str, list[Repeat]]:
    """Repeats touching each incident id, as the later or the earlier one (for links)."""
    out: dict[str, list[Repeat]] = {}
    for repeat in repeats:
        out.setdefault(repeat.incident.id, []).append(repeat)
        out.setdefault(repeat.earlier.id, []).append(repeat)
    return out
