"""What Git recorded about each incident: the contract between history and everything after.

`history` (the only module that runs git) produces these; `sla`, `site` and `metrics`
consume them and never look at git themselves. Tests of later stages build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, order=True)
class Change:
    """The commit that recorded a fact, and when (committer time, or landing time)."""

    at: datetime
    commit: str  # full hex id; "" for uncommitted changes in the working tree
    who: str  # committer "Name <email>"

    @property
    def uncommitted(self) -> bool:
        return self.commit == ""


@dataclass(frozen=True)
class SeverityChange:
    change: Change
    before: str
    after: str


@dataclass(frozen=True)
class Recorded:
    incident_id: str
    path: str  # latest repository-relative path
    declared: Change  # the commit that added the file
    acknowledged: Change | None = None  # first commit with a commander
    identified: Change | None = None  # first reached identified (or later)
    monitoring: Change | None = None  # first reached monitoring (or later)
    resolved: Change | None = None  # first reached resolved / completed / canceled
    updates: tuple[Change, ...] = ()  # recording commit of each update, by index
    postmortem_published: Change | None = None
    severity_changes: tuple[SeverityChange, ...] = ()
    deleted: Change | None = None
    paths: tuple[str, ...] = field(default=())  # every path it had, oldest first
