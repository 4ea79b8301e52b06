"""SLA clocks: each severity target held against what Git recorded. Pure: `now` is passed in.

Every response clock starts when the incident was declared (the commit that added the file)
and stops on a recorded event (see docs/sla.md for each target):

- acknowledge: the first commit with a commander;
- identify / mitigate / resolve: the first commit that reached identified / monitoring /
  resolved (or a later status);
- first_update: the first public update recorded after the declaring commit;
- update_every: restarts on each public update; the longest silence decides;
- postmortem: starts at the recorded resolution, stops when the postmortem is published.

Rules shared by all of them:

- A target with `stop_on: stated` stops on the stated time (`mitigated_at`, `resolved_at`, an
  update's `at`) when the event is recorded and a time is stated, but never later than the
  record: a stated time after its commit is an error reported by `stated`, not a way to
  lengthen a clock.
- A closed incident (resolved or canceled) stops every clock still running at its closing
  commit; an event recorded after closing does not count. Canceled incidents get no
  postmortem clock.
- The strictest severity the incident ever had (lowest rank) applies from the original start;
  lowering the severity later does not relax the clocks.
- Maintenance and drills get no clocks at all. An incident recorded after the fact (its file
  first committed after its stated resolution: an import, a write-up) gets no response
  clocks: its commits say when someone typed it, not how the response went. Its
  regulatory clocks, which run on stated decisions, still apply.
- A target on a calendar counts only its working hours; pauses stated in the incident
  (`pauses`, all targets or the ones listed) are cut out. A pause still open counts as ending
  now, so `due` is the earliest the clock could fall due if work resumed now.
- SLA durations in months count 30 days (regulatory deadlines use calendar months instead).
"""

from __future__ import annotations

from datetime import datetime

from warroom.calendars import Interval, counted, reach
from warroom.clock import Clock, ClockState
from warroom.config import Config, Severity, Target
from warroom.model import Incident
from warroom.recorded import Change, Recorded
from warroom.regulatory import regulatory_clocks

IDENTIFIED = frozenset({"identified", "monitoring", "resolved"})
MITIGATED = frozenset({"monitoring", "resolved"})
CLOSED = frozenset({"resolved", "completed"})


def applied_severity(incident: Incident, recorded: Recorded, config: Config) -> Severity | None:
    """The strictest (lowest rank) known severity the incident has had."""
    ids = {incident.severity}
    for change in recorded.severity_changes:
        ids |= {change.before, change.after}
    known = [s for s in (config.severity(i) for i in ids) if s is not None]
    return min(known, key=lambda s: s.rank, default=None)


def pauses_for(incident: Incident, target: str, now: datetime) -> list[Interval]:
    """Pause intervals that stop `target`; an open pause ends now."""
    out = []
    for pause in incident.pauses:
        if pause.targets and target not in pause.targets:
            continue
        end = pause.end if pause.end is not None else now
        if end > pause.start:
            out.append((pause.start, end))
    return out


def paused_at(incident: Incident, target: str, now: datetime) -> bool:
    for pause in incident.pauses:
        if pause.targets and target not in pause.targets:
            continue
        if pause.start <= now and (pause.end is None or now < pause.end):
            return True
    return False


def measure(incident: Incident, target: Target, severity: str, start: datetime,
            stop: datetime | None, config: Config, now: datetime, note: str = "") -> Clock:
    """One clock from its start and stop (None: still running at `now`)."""
    calendar = config.calendars.get(target.calendar) if target.calendar else None
    pauses = pauses_for(incident, target.name, now)
    allowed = target.within.approx()
    due = reach(start, allowed, calendar, pauses)
    if stop is not None:
        elapsed = counted(start, stop, calendar, pauses)
        state = ClockState.MET if elapsed <= allowed else ClockState.BREACHED
    else:
        elapsed = counted(start, now, calendar, pauses)
        used = elapsed / allowed if allowed else 1.0
        if elapsed > allowed:
            state = ClockState.BREACHED
        elif paused_at(incident, target.name, now):
            state = ClockState.PAUSED
        elif used >= config.sla.at_risk:
            state = ClockState.AT_RISK
        else:
            state = ClockState.RUNNING
    return Clock(incident.id, target.name, start, due, stop, elapsed, allowed, state, severity,
                 note)


class _Stops:
    """Stop times per target for one incident, recorded or stated."""

    def __init__(self, incident: Incident, recorded: Recorded) -> None:
        self.incident, self.recorded = incident, recorded
        self.close: datetime | None = None
        if not incident.open:
            changes = [c.at for c in _changes(recorded)]
            self.close = recorded.resolved.at if recorded.resolved else max(changes)

    def bounded(self, event: datetime | None) -> datetime | None:
        """An event stops a clock unless the incident closed first; closing stops it too."""
        if self.close is None:
            return event
        return self.close if event is None else min(event, self.close)

    def pick(self, change: Change | None, stated: datetime | None, stop_on: str
             ) -> datetime | None:
        if change is None:
            return None
        if stop_on == "stated" and stated is not None:
            return min(stated, change.at)
        return change.at

    def first_stated(self, statuses: frozenset[str]) -> datetime | None:
        return next((u.at for u in self.incident.updates if u.status in statuses), None)

    def public_marks(self, stop_on: str) -> list[datetime]:
        """When each public update after the declaring commit was recorded (or stated)."""
        declared = self.recorded.declared.commit
        out = []
        for update, change in zip(self.incident.updates, self.recorded.updates, strict=False):
            # Updates written in the declaring commit (or, for a file never committed, in the
            # working tree along with it) are the declaration, not a follow-up.
            if update.public and change.commit != declared:
                at = self.pick(change, update.at, stop_on)
                if at is not None:
                    out.append(at)
        return sorted(out)

    def stop(self, target: Target) -> datetime | None:
        inc, rec, how = self.incident, self.recorded, target.stop_on
        if target.name == "acknowledge":
            event = rec.acknowledged.at if rec.acknowledged else None
        elif target.name == "identify":
            event = self.pick(rec.identified, self.first_stated(IDENTIFIED), how)
        elif target.name == "mitigate":
            stated = inc.mitigated_at or self.first_stated(MITIGATED)
            event = self.pick(rec.monitoring, stated, how)
        elif target.name == "resolve":
            stated = inc.resolved_at or self.first_stated(frozenset({"resolved"}))
            event = self.pick(rec.resolved, stated, how)
        else:  # first_update
            marks = self.public_marks(how)
            event = marks[0] if marks else None
        return self.bounded(event)


def _changes(recorded: Recorded) -> list[Change]:
    found = [recorded.declared, recorded.acknowledged, recorded.identified,
             recorded.monitoring, recorded.resolved, recorded.postmortem_published]
    found += recorded.updates
    return [c for c in found if c is not None]


def update_every(incident: Incident, target: Target, severity: str, stops: _Stops,
                 config: Config, now: datetime) -> Clock:
    """The public silence that decides the state: the worst gap that already breached; else
    the current gap while open; else the longest gap (which met)."""
    start = stops.recorded.declared.at
    end = stops.close
    marks = [m for m in stops.public_marks(target.stop_on)
             if m >= start and (end is None or m <= end)]
    points = [start, *marks]
    # A silence ending where it starts (the resolving update is the closing commit) is none.
    gaps = [(a, b) for a, b in zip(points, [*points[1:], end], strict=True)
            if b is None or b > a] or [(start, end)]
    done = [(a, b) for a, b in gaps if b is not None]
    clocks = [measure(incident, target, severity, a, b, config, now) for a, b in done]
    worst = max(clocks, key=lambda c: (c.elapsed, c.start), default=None)
    if worst is not None and worst.state is ClockState.BREACHED:
        return _with_note(worst, "longest public silence")
    if end is None:
        current = measure(incident, target, severity, points[-1], None, config, now)
        return _with_note(current, "current public silence")
    assert worst is not None
    return _with_note(worst, "longest public silence")


def _with_note(clock: Clock, note: str) -> Clock:
    return Clock(clock.incident_id, clock.target, clock.start, clock.due, clock.stopped,
                 clock.elapsed, clock.allowed, clock.state, clock.severity, note)


def _postmortem(incident: Incident, recorded: Recorded, target: Target, severity: Severity,
                config: Config, now: datetime) -> Clock | None:
    wanted = config.sla.postmortem_for
    if incident.status != "resolved" or recorded.resolved is None:
        return None
    if wanted and severity.id not in wanted:
        return None
    start = recorded.resolved.at
    published = recorded.postmortem_published
    stop = max(published.at, start) if published is not None else None
    return measure(incident, target, severity.id, start, stop, config, now)


def backfilled(incident: Incident, recorded: Recorded | None) -> bool:
    """Written down after it was over (an import, a file added after the fact)."""
    if recorded is None:
        return False
    end = incident.resolved_at or next(
        (u.at for u in incident.updates if u.status in CLOSED and u.at), None)
    return end is not None and end < recorded.declared.at


def evaluate(incident: Incident, recorded: Recorded, config: Config,
             now: datetime) -> tuple[Clock, ...]:
    """Every SLA and regulatory clock of one incident, in target order."""
    if incident.maintenance or incident.drill:
        return ()
    if backfilled(incident, recorded):
        return tuple(regulatory_clocks(incident, config, now))
    severity = applied_severity(incident, recorded, config)
    clocks: list[Clock] = []
    if severity is not None:
        stops = _Stops(incident, recorded)
        start = recorded.declared.at
        for name, target in sorted(severity.targets.items(), key=lambda kv: _ORDER[kv[0]]):
            if name == "postmortem":
                clock = _postmortem(incident, recorded, target, severity, config, now)
            elif name == "update_every":
                clock = update_every(incident, target, severity.id, stops, config, now)
            else:
                clock = measure(incident, target, severity.id, start, stops.stop(target),
                                config, now)
            if clock is not None:
                clocks.append(clock)
    clocks += regulatory_clocks(incident, config, now)
    return tuple(clocks)


_ORDER = {name: i for i, name in enumerate(
    ("acknowledge", "first_update", "update_every", "identify", "mitigate", "resolve",
     "postmortem"))}

