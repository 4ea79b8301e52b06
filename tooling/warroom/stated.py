"""Stated times held against the commits that record them. Pure; problems located in the file.

Each stated time is compared with the recorded change that carries the same fact:

| stated | recorded by |
| --- | --- |
| `updates[i].at` | the commit that added update i |
| `detected_at` | the declaring commit (nobody declares before detecting) |
| `mitigated_at` | the first commit that reached monitoring (or resolved) |
| `resolved_at` | the first commit that reached resolved |

A stated time later than its record is impossible (`stated-after-recorded`, an error): the
repository knew the fact before the claimed time. A stated time earlier than its record by more
than `sla.stated_drift` (24 h by default) is allowed but reported (`stated-long-before`, a
warning): it is often a typo in the date, or a timeline written long after the facts.
Regulatory times (`aware_at`, `submitted_at`) are decisions and filings outside Git and have no
record to compare with.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from warroom.config import Config
from warroom.durations import format_span
from warroom.model import Incident
from warroom.problems import Level, Problem
from warroom.recorded import Change, Recorded
from warroom.yamlload import Marks, PathKey


def _pairs(incident: Incident, recorded: Recorded
           ) -> Iterator[tuple[PathKey, str, datetime, Change, str]]:
    """(where, what, stated, record, which record) for each comparable stated time."""
    for update, change in zip(incident.updates, recorded.updates, strict=False):
        if update.at is not None:
            yield (("updates", update.index, "at"), f"update {update.index + 1}'s time",
                   update.at, change, "the commit that added it")
    if incident.detected_at is not None:
        yield (("detected_at",), "detected_at", incident.detected_at, recorded.declared,
               "the commit that declared the incident")
    if incident.mitigated_at is not None and recorded.monitoring is not None:
        yield (("mitigated_at",), "mitigated_at", incident.mitigated_at, recorded.monitoring,
               "the first commit with status monitoring or resolved")
    if incident.resolved_at is not None and recorded.resolved is not None:
        yield (("resolved_at",), "resolved_at", incident.resolved_at, recorded.resolved,
               "the first commit with status resolved")


def _commit(change: Change) -> str:
    if change.uncommitted:
        return "uncommitted, counted as now"
    return f"commit {change.commit[:7]}"


def check_stated(incident: Incident, recorded: Recorded, config: Config,
                 marks: Marks | None = None) -> list[Problem]:
    """Problems for stated times after, or far before, the commits that record them."""
    drift = config.sla.stated_drift
    allowed = str(drift)  # once, not once per warning (10^5 of them at `sla --all`)
    out = []
    for path, what, stated, change, which in _pairs(incident, recorded):
        line, col = marks.at(path) if marks is not None else (1, 1)
        gap = change.at - stated
        if gap.total_seconds() < 0:
            out.append(Problem(
                incident.path, line, col, Level.ERROR, "stated-after-recorded",
                f"{what} {stated.isoformat()} is {format_span(-gap)} after {which} "
                f"({_commit(change)} at {change.at.isoformat()}); a stated time cannot be "
                "later than its record: correct it"))
        elif drift.after(stated) < change.at:
            out.append(Problem(
                incident.path, line, col, Level.WARNING, "stated-long-before",
                f"{what} {stated.isoformat()} is {format_span(gap)} before {which} "
                f"({_commit(change)} at {change.at.isoformat()}), more than sla.stated_drift "
                f"({allowed}); check the date"))
    return sorted(out)
