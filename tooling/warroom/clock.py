"""SLA clock results: the contract between `sla` and its consumers (CLI, site, metrics)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class ClockState(enum.Enum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    MET = "met"
    BREACHED = "breached"
    PAUSED = "paused"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Clock:
    incident_id: str
    target: str  # acknowledge | identify | mitigate | resolve | first_update | update_every |
    #              postmortem, or "<regime>:<kind>" for regulatory deadlines
    start: datetime
    due: datetime
    stopped: datetime | None  # when the clock stopped (met or breached late); None if running
    elapsed: timedelta  # counted time (business hours only, pauses removed)
    allowed: timedelta  # the target's length in counted time
    state: ClockState
    severity: str  # severity whose targets applied
    note: str = ""  # one line for people: the regulatory report's name, which gap, ...

    @property
    def used(self) -> float:
        """Share of the allowed time used (1.0 = due now); may exceed 1."""
        total = self.allowed.total_seconds()
        return self.elapsed.total_seconds() / total if total else 0.0
