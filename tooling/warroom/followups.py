"""Follow-ups that outlive the incident: overdue action items and postmortems, and pending
regulatory decisions. Pure: problems located in the incident file, `now` passed in.

- `action-item-overdue`: an open or in-progress action item whose due date has passed. A due
  date means the end of that day in the site's time zone (`site.timezone`).
- `postmortem-overdue`: the postmortem clock is breached and the postmortem still unpublished.
- `decision-pending`: a security or data-loss incident with `personal_data: yes|suspected`
  and no `aware_at` once `sla.decision_pending_after` (24 h by default) has passed since it
  was declared. Regulatory clocks start on that decision; without it none can run.

Drills are kept for the record: their action items are real work and are followed, but they
never have a postmortem clock nor a notification decision to take.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from warroom.clock import Clock, ClockState
from warroom.config import Config
from warroom.model import Incident
from warroom.problems import Level, Problem
from warroom.recorded import Recorded
from warroom.yamlload import Marks, PathKey

PERSONAL = frozenset({"yes", "suspected"})


def _problem(incident: Incident, marks: Marks | None, path: PathKey, code: str,
             message: str, key: bool = False) -> Problem:
    if marks is None:
        line, col = 1, 1
    else:
        line, col = marks.key_at(path) if key else marks.at(path)
    return Problem(incident.path, line, col, Level.WARNING, code, message)


def action_items(incident: Incident, config: Config, now: datetime,
                 marks: Marks | None) -> list[Problem]:
    today = now.astimezone(ZoneInfo(config.site.timezone)).date()
    out = []
    for i, item in enumerate(incident.action_items):
        if item.open and item.due is not None and item.due < today:
            days = (today - item.due).days
            who = f" (owner {item.owner})" if item.owner else ""
            out.append(_problem(
                incident, marks, ("action_items", i, "due"), "action-item-overdue",
                f"action item {item.title!r}{who} was due {item.due.isoformat()}, {days} day(s) "
                "ago; finish it, move the date, or mark it wont_do"))
    return out


def postmortem(incident: Incident, clocks: Sequence[Clock], marks: Marks | None
               ) -> list[Problem]:
    for clock in clocks:
        if clock.target == "postmortem" and clock.stopped is None \
                and clock.state is ClockState.BREACHED:
            owner = incident.postmortem.owner if incident.postmortem else None
            who = f" (owner {owner})" if owner else ""
            where: PathKey = ("postmortem",) if incident.postmortem else ("status",)
            return [_problem(
                incident, marks, where, "postmortem-overdue",
                f"the postmortem{who} was due {clock.due.isoformat()} and is not published; "
                "publish it (postmortem: {status: published})", key=True)]
    return []


def decision(incident: Incident, recorded: Recorded, config: Config, now: datetime,
             marks: Marks | None) -> list[Problem]:
    reg = incident.regulatory
    if incident.drill or incident.type not in ("security", "data-loss") or reg is None:
        return []
    if reg.personal_data not in PERSONAL or reg.aware_at is not None:
        return []
    limit = config.sla.decision_pending_after
    if now < limit.after(recorded.declared.at):
        return []
    return [_problem(
        incident, marks, ("regulatory",), "decision-pending",
        f"personal data is {reg.personal_data!r} and, more than {limit} after the incident was "
        "declared, nobody has stated aware_at; decide whether this is a notifiable breach and "
        "record aware_at with decided_by (notification clocks start there)", key=True)]


def follow_ups(incident: Incident, recorded: Recorded, clocks: Sequence[Clock],
               config: Config, now: datetime, marks: Marks | None = None) -> list[Problem]:
    """Every follow-up problem of one incident, sorted."""
    found = action_items(incident, config, now, marks)
    found += postmortem(incident, clocks, marks)
    found += decision(incident, recorded, config, now, marks)
    return sorted(found)
