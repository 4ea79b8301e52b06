"""`warroom report`: how a period went, for stakeholders (internal: it carries SLA figures)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from warroom import collector, reporters
from warroom.atomic import write_text
from warroom.cli.options import TimeParam, resolve_root, root_option
from warroom.durations import add_months, parse_time
from warroom.errors import WarroomError
from warroom.problems import Level

DEFAULT_DAYS = 90


class DateOrTime(click.ParamType):  # type: ignore[type-arg]
    """A date (YYYY-MM-DD, taken in the site's time zone) or a time with an offset."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date | datetime:
        if isinstance(value, date):
            return value
        text = str(value)
        try:
            return date.fromisoformat(text) if len(text) == 10 else parse_time(text)
        except ValueError:
            self.fail(f"{text!r} is not a date (2026-11-01) nor a time with an offset "
                      f"(2026-11-01T00:00:00+01:00)", param, ctx)


class MonthParam(click.ParamType):  # type: ignore[type-arg]
    name = "month"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            self.fail(f"{value!r} is not a month; write it like 2026-11", param, ctx)


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def period(since: date | datetime | None, until: date | datetime | None, month: date | None,
           now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[since, until): dates are midnights in the site's time zone, --until's day included."""
    if month is not None:
        start = _start_of(month, tz)
        return start, add_months(start, 1)
    if isinstance(until, datetime):
        end = until
    elif isinstance(until, date):
        end = _start_of(until + timedelta(days=1), tz)
    else:
        end = now
    if isinstance(since, datetime):
        start = since
    elif isinstance(since, date):
        start = _start_of(since, tz)
    else:
        start = end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise click.UsageError(f"the period is empty: --since {start.isoformat()} is not "
                               f"before --until {end.isoformat()}")
    return start, end


def _write(out: Path, text: str) -> None:
    """Write beside the target, then rename: a failed run never leaves half a report."""
    target = out.resolve()
    if not target.parent.is_dir():
        raise WarroomError(f"{out}: the folder {out.parent} does not exist")
    write_text(target, text)


@click.command("report")
@click.option("--since", type=DateOrTime(), default=None,
              help="Start of the period: a date (midnight in the site's time zone) or a time "
                   f"with an offset. Default: {DEFAULT_DAYS} days before --until.")
@click.option("--until", type=DateOrTime(), default=None,
              help="End of the period: a date (that whole day included) or a time with an "
                   "offset (excluded). Default: now.")
@click.option("--month", type=MonthParam(), default=None,
              help="A calendar month in the site's time zone, e.g. 2026-11 (instead of "
                   "--since/--until).")
@click.option("--format", "fmt", type=click.Choice(("markdown", "json", "html")),
              default="markdown", show_default=True,
              help="markdown to paste into an e-mail or a wiki; json; html: one "
                   "self-contained file with plots.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--now", type=TimeParam(), default=None,
              help="The present, for open incidents and running clocks (default: the clock).")
@click.option("--landed", is_flag=True,
              help="Recorded times are when changes reached the default branch.")
@root_option
@click.pass_context
def command(ctx: click.Context, since: date | datetime | None, until: date | datetime | None,
            month: date | None, fmt: str, out: Path | None, now: datetime | None,
            landed: bool, root: Path | None) -> None:
    """Metrics, SLA compliance, availability against SLOs and repeat incidents for a period.

    Counts incidents whose impact started in the period. Internal: the report contains
    SLA figures; the public site shows availability only.
    """
    if month is not None and (since is not None or until is not None):
        raise click.UsageError("use either --month or --since/--until, not both")
    from warroom.history import read_history
    from warroom.lazyrepo import load
    from warroom.report import build_report, renderer
    from warroom.sla import evaluate

    top = resolve_root(root)
    with collector.paused():
        repo = load(top)  # the report locates nothing: no file is parsed again
        if repo.config is None:
            raise WarroomError("warroom.yaml has errors; run `warroom validate` to see them")
        moment = now or datetime.now(UTC)
        start, end = period(since, until, month, moment, ZoneInfo(repo.config.site.timezone))
        history = read_history(top, landed=landed, now=moment, known=repo.known)
        # Outside git every file would count as recorded "now": stated times say more.
        recorded = history.recorded if history.head is not None else {}
        clocks = {i.id: evaluate(i, recorded[i.id], repo.config, moment)
                  for i in repo.incidents if i.id in recorded}
        report = build_report(repo.config, repo.incidents, recorded, clocks, moment, start, end)
        text = renderer(fmt)(report)
    warnings = [p for p in history.problems if p.level is not Level.NOTICE]
    if warnings:
        click.echo(reporters.text(warnings), err=True, nl=False)
    broken = {p.path for p in repo.problems if p.level is Level.ERROR}
    if broken:
        click.echo(f"warroom: warning: {len(broken)} file(s) with errors left out of the "
                   f"report; run `warroom validate`", err=True)
    if out is None:
        click.echo(text, nl=False)
    else:
        _write(out, text)
        click.echo(f"report written to {out}", err=True)
    ctx.exit(0)
