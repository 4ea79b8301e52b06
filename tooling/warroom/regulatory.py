"""Regulatory deadline clocks: notification chains from configuration, started by people.

A chain (`regimes:` in warroom.yaml, GDPR art. 33, NIS2 art. 23 and DORA art. 19 shipped as
defaults) lists reports, each due a duration after a start event:

- `aware`: the stated `regulatory.aware_at` (a decision, with `decided_by`);
- `classified`: the stated `regulatory.classified_at` (DORA's major-incident classification);
- the kind of an earlier report of the same regime: that report's stated `submitted_at`.

Never a commit: the law counts from when the organisation knew, not from when it wrote it
down. With several `due` entries the earliest deadline among the started ones applies (DORA's
initial notification: 4 h after classification but at most 24 h after awareness), and the
clock's start is that deadline's start event. A report whose start events have not happened
yet has no clock. `1mo` is a calendar month (31 January + 1mo = 28 or 29 February).

Clocks only exist for regimes listed in the incident's `regulatory.regimes`, count every
second (legal deadlines know no business hours) and cannot be paused. State: met when
submitted on or before the due time, breached when submitted late or still missing past it,
at risk past `sla.at_risk` of the allowed time, running otherwise. The target is
`"<regime>:<kind>"`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.clock import Clock, ClockState
from warroom.config import Config, Regime, ReportRule
from warroom.model import Incident, Regulatory

_ZERO = timedelta(0)


def submitted(reg: Regulatory, regime: str, kind: str) -> datetime | None:
    """The earliest stated submission of a report (several entries may name one kind)."""
    times = [r.submitted_at for r in reg.reports
             if r.regime == regime and r.kind == kind and r.submitted_at is not None]
    return min(times, default=None)


def start_event(reg: Regulatory, regime: str, name: str) -> datetime | None:
    if name == "aware":
        return reg.aware_at
    if name == "classified":
        return reg.classified_at
    return submitted(reg, regime, name)


def deadline(reg: Regulatory, regime: str, rule: ReportRule
             ) -> tuple[datetime, datetime] | None:
    """(start, due) of the earliest deadline among those whose start event happened."""
    options = []
    for entry in rule.due:
        start = start_event(reg, regime, entry.start)
        if start is not None:
            options.append((entry.after.after(start), start))
    if not options:
        return None
    due, start = min(options)
    return start, due


def report_clock(incident: Incident, reg: Regulatory, regime: Regime, rule: ReportRule,
                 config: Config, now: datetime) -> Clock | None:
    found = deadline(reg, regime.id, rule)
    if found is None:
        return None
    start, due = found
    allowed = due - start
    stop = submitted(reg, regime.id, rule.kind)
    elapsed = max((stop if stop is not None else now) - start, _ZERO)
    if stop is not None:
        state = ClockState.MET if stop <= due else ClockState.BREACHED
    elif now > due:
        state = ClockState.BREACHED
    elif allowed > _ZERO and elapsed / allowed >= config.sla.at_risk:
        state = ClockState.AT_RISK
    else:
        state = ClockState.RUNNING
    return Clock(incident.id, f"{regime.id}:{rule.kind}", start, due, stop, elapsed, allowed,
                 state, incident.severity, f"{regime.name}: {rule.name}")


def regulatory_clocks(incident: Incident, config: Config, now: datetime) -> list[Clock]:
    """Every started report deadline of the regimes the incident lists, chain order."""
    reg = incident.regulatory
    if reg is None or incident.drill:
        return []
    out = []
    for regime_id in reg.regimes:
        regime = config.regimes.get(regime_id)
        if regime is None:
            continue  # reported by validation (unknown-regime)
        for rule in regime.reports:
            clock = report_clock(incident, reg, regime, rule, config, now)
            if clock is not None:
                out.append(clock)
    return out
