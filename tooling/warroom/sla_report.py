"""The `warroom sla` report: every incident's clocks and problems, and what counts for CI.

Pure: built from loaded incidents and history, rendered to strings (text, json, GitHub
workflow commands and a Markdown job summary). The CLI prints and writes.

What counts for the exit code (`--fail-on`) depends on whether a change is under review
(`--base`, or `$GITHUB_BASE_REF` in a pull request). A clock counts when

- its incident is open (every clock of an open incident is live), or
- the incident was touched by the change under review: its file changed in `--base..HEAD`,
  or it has uncommitted changes, or
- no change is under review (a scheduled or local run) and the clock is still running: an
  unpublished postmortem, a regulatory report not yet submitted. Someone can still act on
  it, and the scheduled run must catch it even when nobody commits.

So a breach that stopped long ago never fails a run, an overdue postmortem fails the scheduled
watch until it is published but not every unrelated pull request, and a pull request that
resolves an incident late fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from zoneinfo import ZoneInfo

from warroom.clock import Clock, ClockState
from warroom.config import Config
from warroom.durations import format_span
from warroom.followups import follow_ups
from warroom.jsonout import dumps
from warroom.model import Incident
from warroom.problems import Level, Problem
from warroom.recorded import Change, Recorded
from warroom.reporters import escape_data, escape_property, github_command
from warroom.sla import evaluate
from warroom.stated import check_stated
from warroom.yamlload import Marks

FAIL_ON = ("breach", "at-risk", "never")
_FAILING = {"breach": {ClockState.BREACHED},
            "at-risk": {ClockState.BREACHED, ClockState.AT_RISK}, "never": set()}
LIVE = frozenset({ClockState.RUNNING, ClockState.AT_RISK, ClockState.PAUSED})
# Problem's own order (its fields in turn), compared in C: 7 problems an incident at --all.
_PROBLEM_ORDER = attrgetter("path", "line", "col", "level", "code", "message")
# str() of an enum member goes through a descriptor: a lookup is cheaper, 10^5 times over.
_LEVEL_NAME = {level: str(level) for level in Level}
_STATE_NAME = {state: str(state) for state in ClockState}


@dataclass(frozen=True)
class IncidentSla:
    incident: Incident
    recorded: Recorded
    clocks: tuple[Clock, ...]
    # Follow-ups always (someone still has to act); stated-time problems for incidents in
    # scope only, so an imported or backfilled history does not drown the report.
    problems: tuple[Problem, ...]
    touched: bool  # changed under review, or uncommitted
    reviewing: bool = False  # a change is under review (a pull request), see above
    # Positions are computed on demand: asking costs a second parse of the file.
    marks: Marks | None = field(default=None, compare=False, repr=False)

    def counts(self, clock: Clock) -> bool:
        return (self.incident.open or self.touched
                or (clock.stopped is None and not self.reviewing))

    @property
    def in_scope(self) -> bool:
        return self.incident.open or self.touched

    @property
    def status_at(self) -> tuple[int, int]:
        """The `status:` key, where annotations go."""
        return self.marks.key_at(("status",)) if self.marks is not None else (1, 1)


@dataclass(frozen=True)
class SlaReport:
    now: datetime
    timezone: str
    incidents: tuple[IncidentSla, ...]
    problems: tuple[Problem, ...]  # from history, not tied to one incident's evaluation

    def counted(self, states: Iterable[ClockState]) -> list[tuple[IncidentSla, Clock]]:
        wanted = set(states)
        return [(i, c) for i in self.incidents for c in i.clocks
                if c.state in wanted and i.counts(c)]

    def failing(self, fail_on: str) -> list[tuple[IncidentSla, Clock]]:
        return self.counted(_FAILING[fail_on])

    def exit_code(self, fail_on: str) -> int:
        """1 when a counted clock is in a failing state, or a stated time is impossible on an
        incident in scope (unless --fail-on never)."""
        if fail_on == "never":
            return 0
        errors = any(p.level is Level.ERROR for i in self.incidents if i.in_scope
                     for p in i.problems)
        return 1 if self.failing(fail_on) or errors else 0

    def shown(self, everything: bool) -> list[IncidentSla]:
        """Incidents worth a table: a counted clock or a live problem (all on request)."""
        return [i for i in self.incidents
                if everything or i.problems or any(i.counts(c) for c in i.clocks)]


def _uncommitted(rec: Recorded) -> bool:
    changes: list[Change | None] = [rec.declared, rec.acknowledged, rec.identified,
                                    rec.monitoring, rec.resolved, rec.postmortem_published]
    changes += rec.updates
    return any(c is not None and c.uncommitted for c in changes)


def build_report(config: Config, incidents: Iterable[Incident],
                 marks: Mapping[str, Marks], recorded: Mapping[str, Recorded],
                 history_problems: Iterable[Problem], now: datetime,
                 touched: frozenset[str] = frozenset(), reviewing: bool = False,
                 all_stated: bool = False) -> SlaReport:
    """Evaluate every incident; one with no record counts as recorded now, uncommitted.

    Stated times are checked for incidents in scope (open or touched), or all of them with
    `all_stated`. `marks` (by path) locate problems; asked only for a problem's position."""
    out = []
    for inc in sorted(incidents, key=lambda i: i.id):
        rec = recorded.get(inc.id) or Recorded(inc.id, inc.path, Change(now, "", ""))
        where = marks.get(inc.path)
        clocks = evaluate(inc, rec, config, now)
        is_touched = inc.id in touched or _uncommitted(rec)
        problems = follow_ups(inc, rec, clocks, config, now, where)
        if all_stated or inc.open or is_touched:
            problems += check_stated(inc, rec, config, where)
        out.append(IncidentSla(inc, rec, clocks, tuple(sorted(problems, key=_PROBLEM_ORDER)),
                               is_touched, reviewing, where))
    return SlaReport(now, config.site.timezone, tuple(out),
                     tuple(sorted(history_problems, key=_PROBLEM_ORDER)))


# --- rendering -------------------------------------------------------------------------

def when(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def left(clock: Clock) -> str:
    """Counted time left for a live clock; how far over for a breached running one."""
    if clock.stopped is not None:
        return ""
    rest = clock.allowed - clock.elapsed
    return format_span(rest) if rest.total_seconds() >= 0 else f"{format_span(-rest)} over"


def percent(clock: Clock) -> str:
    return f"{clock.used * 100:.0f}%"


def _row(clock: Clock, zone: str) -> list[str]:
    return [clock.target, when(clock.start, zone), when(clock.due, zone),
            format_span(clock.elapsed), percent(clock), str(clock.state), left(clock)]


HEADER = ["target", "start", "due", "elapsed", "used", "state", "left"]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def _problem_line(p: Problem) -> str:
    return f"{p.path}:{p.line}:{p.col}: {_LEVEL_NAME[p.level]}: {p.message} [{p.code}]"


def summary_counts(report: SlaReport) -> str:
    breached = len(report.counted([ClockState.BREACHED]))
    at_risk = len(report.counted([ClockState.AT_RISK]))
    live = len(report.counted(LIVE - {ClockState.AT_RISK}))
    past = sum(1 for i in report.incidents for c in i.clocks
               if c.state is ClockState.BREACHED and not i.counts(c))
    text = f"{breached} breached, {at_risk} at risk, {live} running or paused"
    return text + (f"; {past} past breach(es) not counted" if past else "")


def text(report: SlaReport, everything: bool = False) -> str:
    zone = report.timezone
    lines = [f"warroom sla at {when(report.now, zone)} (times in {zone})", ""]
    shown = report.shown(everything)
    for item in shown:
        inc = item.incident
        lines.append(f"{inc.id}  {item.clocks[0].severity if item.clocks else inc.severity}  "
                     f"{inc.status}  {inc.title}")
        if item.clocks:
            lines += _table([HEADER, *(_row(c, zone) for c in item.clocks)])
        else:
            lines.append("  no clocks (maintenance, drill, recorded after the fact, or no targets)")
        lines += ["  " + _problem_line(p)
                  for p in item.problems]
        lines.append("")
    if report.problems:
        lines.append("history:")
        lines += ["  " + _problem_line(p) for p in report.problems]
        lines.append("")
    hidden = len(report.incidents) - len(shown)
    tail = f"; {hidden} other incident(s) not shown (--all)" if hidden else ""
    lines.append(f"{len(report.incidents)} incident(s): {summary_counts(report)}{tail}")
    return "\n".join(lines) + "\n"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _problem_json(p: Problem) -> dict[str, object]:
    return {"path": p.path, "line": p.line, "col": p.col, "severity": _LEVEL_NAME[p.level],
            "code": p.code, "message": p.message}


def _clock_json(item: IncidentSla, c: Clock) -> dict[str, object]:
    elapsed, allowed = c.elapsed.total_seconds(), c.allowed.total_seconds()
    return {
        "target": c.target, "note": c.note, "severity": c.severity,
        "start": c.start.isoformat(), "due": c.due.isoformat(), "stopped": _iso(c.stopped),
        "elapsed_seconds": int(elapsed), "allowed_seconds": int(allowed),
        # Clock.used, without asking each timedelta twice
        "used": round(elapsed / allowed if allowed else 0.0, 4),
        "state": _STATE_NAME[c.state], "counts": item.counts(c),
    }


def json_data(report: SlaReport, fail_on: str) -> dict[str, object]:
    """What `as_json` writes, as plain data."""
    return {
        "now": report.now.isoformat(),
        "fail_on": fail_on,
        "exit_code": report.exit_code(fail_on),
        "incidents": [{
            "id": i.incident.id, "path": i.incident.path, "title": i.incident.title,
            "severity": i.incident.severity, "status": i.incident.status,
            "open": i.incident.open, "touched": i.touched,
            "clocks": [_clock_json(i, c) for c in i.clocks],
            "problems": [_problem_json(p) for p in i.problems],
        } for i in report.incidents],
        "problems": [_problem_json(p) for p in report.problems],
    }


def as_json(report: SlaReport, fail_on: str) -> str:
    # jsonout.dumps writes json.dumps(..., indent=2, ensure_ascii=False)'s text, faster.
    return dumps(json_data(report, fail_on)) + "\n"


def _clock_message(item: IncidentSla, clock: Clock, zone: str) -> str:
    note = f" ({clock.note})" if clock.note else ""
    return (f"{item.incident.id}: {clock.target} {clock.state}: "
            f"{format_span(clock.elapsed)} of {format_span(clock.allowed)} used "
            f"({percent(clock)}), due {when(clock.due, zone)} {zone}{note}")


def github(report: SlaReport) -> str:
    """Annotations on each incident's `status:` line for counted at-risk or breached clocks,
    then live problems (follow-ups; stated times of incidents in scope) and history's."""
    out: list[str] = []
    for item, clock in report.counted([ClockState.BREACHED, ClockState.AT_RISK]):
        level = Level.ERROR if clock.state is ClockState.BREACHED else Level.WARNING
        word = "breached" if clock.state is ClockState.BREACHED else "at risk"
        line, col = item.status_at
        out.append(github_command(level, _clock_message(item, clock, report.timezone), {
            "file": item.incident.path, "line": line, "col": col,
            "title": f"SLA {word}: {clock.target}"}))
    problems = [p for i in report.incidents for p in i.problems]
    out += _annotations([*problems, *report.problems])
    return "\n".join(out) + ("\n" if out else "")


def _annotations(problems: list[Problem]) -> list[str]:
    """`github_command(p.level, p.message, {"file": p.path, "line": p.line, "col": p.col,
    "title": f"warroom {p.code}"})` for each problem: the same text, with each file and title
    escaped once (--all reports 10^5 problems in 10^4 files, with a handful of codes)."""
    files: dict[str, str] = {}
    titles: dict[str, str] = {}
    out = []
    for p in problems:
        file = files.get(p.path)
        if file is None:
            file = files[p.path] = escape_property(p.path)
        title = titles.get(p.code)
        if title is None:
            title = titles[p.code] = escape_property(f"warroom {p.code}")
        # A level's name is its workflow command; line and col are numbers: nothing to escape.
        out.append(f"::{_LEVEL_NAME[p.level]} file={file},line={p.line},col={p.col},"
                   f"title={title}::{escape_data(p.message)}")
    return out


def _cell(value: str) -> str:
    """Table-safe Markdown: no HTML, no column breaks, no line breaks."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def markdown(report: SlaReport) -> str:
    """The job summary: live and breached counted clocks, then follow-ups."""
    zone = report.timezone
    lines = ["## warroom SLA", "",
             f"At {when(report.now, zone)} ({zone}): {summary_counts(report)}.", ""]
    rows = report.counted([ClockState.BREACHED, *LIVE])
    if rows:
        lines += ["| incident | target | due | elapsed | used | state | left |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for item, c in rows:
            state = f"**{c.state}**" if c.state is not ClockState.RUNNING else str(c.state)
            lines.append(
                f"| {_cell(item.incident.id)}: {_cell(item.incident.title)} | {_cell(c.target)}"
                f" | {when(c.due, zone)} | {format_span(c.elapsed)} of "
                f"{format_span(c.allowed)} | {percent(c)} | {state} | {left(c)} |")
        lines.append("")
    problems = [p for i in report.incidents for p in i.problems]
    if problems:
        lines += ["### Follow-ups and stated times", ""]
        cells: dict[str, str] = {}  # _cell works char by char: a path's is kept
        for p in problems:
            path = cells.get(p.path)
            if path is None:
                path = cells[p.path] = _cell(p.path)
            lines.append(f"- `{path}:{p.line}:{p.col}` {_LEVEL_NAME[p.level]}: "
                         f"{_cell(p.message)} ({p.code})")
        lines.append("")
    return "\n".join(lines) + "\n"
