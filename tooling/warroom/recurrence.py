"""Repeat incidents: the same component and a shared cause within `repeats.window`.

A repeat names the action items still open on the earlier incident: the follow-up work
that, had it been done, might have prevented the second one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    """Every (earlier, later) pair that repeats, ordered by the later incident's start."""
    dated: list[tuple[datetime, Incident]] = []
    for incident in incidents:
        start = impact_start(incident, recorded.get(incident.id))
        if start is not None and excluded_reason(incident) is None and incident.causes:
            dated.append((start, incident))
    dated.sort(key=lambda pair: (pair[0], pair[1].id))
    out = []
    for index, (start, incident) in enumerate(dated):
        for earlier_start, earlier in dated[:index]:
            if config.repeat_window.after(earlier_start) < start:
                continue
            components = _shared((c.id for c in incident.components),
                                 (c.id for c in earlier.components))
            causes = _shared(incident.causes, earlier.causes)
            if components and causes:
                out.append(Repeat(incident, earlier, components, causes, start - earlier_start,
                                  tuple(a for a in earlier.action_items if a.open)))
    return tuple(out)


def by_incident(repeats: Iterable[Repeat]) -> dict[str, list[Repeat]]:
    """Repeats touching each incident id, as the later or the earlier one (for links)."""
    out: dict[str, list[Repeat]] = {}
    for repeat in repeats:
        out.setdefault(repeat.incident.id, []).append(repeat)
        out.setdefault(repeat.earlier.id, []).append(repeat)
    return out
