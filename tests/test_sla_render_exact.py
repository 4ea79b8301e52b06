"""`warroom sla` text, GitHub annotations and job summary are the text they were before their
problem lines were made faster: the renderers as they stood at ceb745d are the oracle, on
the hostile reports of test_sla_json_exact (odd paths, titles, messages; every level)."""

from __future__ import annotations

from test_sla_json_exact import reports
from warroom.clock import ClockState
from warroom.problems import Level, Problem
from warroom.reporters import github_command
from warroom.sla_report import (
    HEADER,
    LIVE,
    SlaReport,
    _cell,
    _clock_message,
    _row,
    _table,
    format_span,
    github,
    left,
    markdown,
    percent,
    summary_counts,
    text,
    when,
)


def _old_problem_line(p: Problem) -> str:
    return f"{p.location()}: {p.level}: {p.message} [{p.code}]"


def old_text(report: SlaReport, everything: bool = False) -> str:
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
        lines += ["  " + _old_problem_line(p)
                  for p in item.problems]
        lines.append("")
    if report.problems:
        lines.append("history:")
        lines += ["  " + _old_problem_line(p) for p in report.problems]
        lines.append("")
    hidden = len(report.incidents) - len(shown)
    tail = f"; {hidden} other incident(s) not shown (--all)" if hidden else ""
    lines.append(f"{len(report.incidents)} incident(s): {summary_counts(report)}{tail}")
    return "\n".join(lines) + "\n"


def old_github(report: SlaReport) -> str:
    out: list[str] = []
    for item, clock in report.counted([ClockState.BREACHED, ClockState.AT_RISK]):
        level = Level.ERROR if clock.state is ClockState.BREACHED else Level.WARNING
        word = "breached" if clock.state is ClockState.BREACHED else "at risk"
        line, col = item.status_at
        out.append(github_command(level, _clock_message(item, clock, report.timezone), {
            "file": item.incident.path, "line": line, "col": col,
            "title": f"SLA {word}: {clock.target}"}))
    problems = [p for i in report.incidents for p in i.problems]
    for p in [*problems, *report.problems]:
        out.append(github_command(p.level, p.message, {
            "file": p.path, "line": p.line, "col": p.col, "title": f"warroom {p.code}"}))
    return "\n".join(out) + ("\n" if out else "")


def old_markdown(report: SlaReport) -> str:
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
        lines += [f"- `{_cell(p.location())}` {p.level}: {_cell(p.message)} ({p.code})"
                  for p in problems]
        lines.append("")
    return "\n".join(lines) + "\n"


def with_every_level(report: SlaReport) -> SlaReport:
    """The history problems once more at each level (follow-ups are warnings, stated times
    errors and warnings: notices come only from here)."""
    extra = tuple(Problem(p.path, p.line, p.col, level, p.code, p.message)
                  for p in report.problems for level in Level)
    return SlaReport(report.now, report.timezone, report.incidents,
                     tuple(sorted(report.problems + extra)))


def test_text_github_and_summary_are_the_text_the_former_renderers_wrote() -> None:
    levels: set[Level] = set()
    for report in map(with_every_level, reports()):
        for everything in (False, True):
            assert text(report, everything) == old_text(report, everything)
        assert github(report) == old_github(report)
        assert markdown(report) == old_markdown(report)
        levels |= {p.level for i in report.incidents for p in i.problems}
        levels |= {p.level for p in report.problems}
    assert levels == set(Level)
    # the odd paths need escaping in each format
    assert any("%2C%25%3A" in github(r) for r in reports())
    assert any("\\|&lt;&amp;&gt;`" in markdown(r) for r in reports())
