"""`warroom import cstate` and `warroom import statuspage`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from warroom.errors import WarroomError
from warroom.importers.apply import Outcome, apply_plan
from warroom.importers.common import Plan, parse_offset, read_target
from warroom.importers.report import as_json, as_text
from warroom.problems import Level
from warroom.repo import CONFIG_NAME, load_repository
from warroom.reporters import REPORTERS


class OffsetParam(click.ParamType):  # type: ignore[type-arg]
    name = "offset"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_offset(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _common(func: Any) -> Any:
    func = click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path),
                        help="Also write the report (every guess) as JSON to this file.")(func)
    func = click.option("--force", is_flag=True,
                        help="Overwrite incidents that exist with other content.")(func)
    return click.option("--into", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True,
                        help="The warroom repository to write into (created if need be).")(func)


def _finish(ctx: click.Context, plan: Plan, outcome: Outcome, source: Path, into: Path,
            report_json: Path | None, commits: list[tuple[str, str]] | None = None,
            already: int = 0) -> None:
    click.echo(as_text(plan, outcome, str(into), commits=commits, already=already), nl=False)
    if report_json is not None:
        report_json.write_text(as_json(plan, outcome, str(source), str(into), commits),
                               encoding="utf-8")
    # The result must validate; only what this import wrote counts against it.
    ours = {i.path for i in plan.incidents} | {CONFIG_NAME}
    repo = load_repository(into.resolve())
    problems = [p for p in repo.problems if p.path in ours and p.level is Level.ERROR]
    if problems:
        click.echo(REPORTERS["text"](problems), nl=False, err=True)
        click.echo(f"warroom: error: {len(problems)} problem(s) in the imported files; "
                   "please report this with the source files", err=True)
        ctx.exit(1)
    click.echo(f"checked: {len(repo.incidents)} incident file(s) valid", err=True)
    ctx.exit(0)


@click.group("import")
def command() -> None:
    """Import incidents from cState or Statuspage, with every guess reported."""


@command.command("cstate")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path))
@_common
@click.option("--with-history", is_flag=True,
              help="Replay the site's git history: one commit per source commit, with the "
                   "original authors and dates.")
@click.option("--assume-offset", type=OffsetParam(), default="+00:00", show_default=True,
              help="Offset for times written without one (cState expects UTC).")
@click.option("--detect-maintenance/--no-detect-maintenance", default=True,
              show_default=True, help="Import issues whose title says maintenance as "
                                      "scheduled maintenance.")
@click.pass_context
def cstate_command(ctx: click.Context, site_dir: Path, into: Path, force: bool,
                   report_json: Path | None, with_history: bool, assume_offset: timedelta,
                   detect_maintenance: bool) -> None:
    """Import a cState site: config.yml systems and content/issues/*.md."""
    from warroom.importers import cstate

    options = cstate.Options(assume_offset, detect_maintenance)
    if with_history:
        from warroom.importers.replay import replay_cstate

        done = replay_cstate(site_dir, into, options, force=force)
        _finish(ctx, done.plan, done.outcome, site_dir, into, report_json, done.commits,
                done.already)
        return
    into.mkdir(parents=True, exist_ok=True)
    plan = cstate.plan_site(cstate.read_site(site_dir), read_target(into), options)
    _finish(ctx, plan, apply_plan(plan, into, force=force), site_dir, into, report_json)


@command.command("statuspage")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_common
@click.pass_context
def statuspage_command(ctx: click.Context, path: Path, into: Path, force: bool,
                       report_json: Path | None) -> None:
    """Import Statuspage API v2 JSON: incidents.json, summary.json or a folder of files."""
    from warroom.importers.statuspage import plan_export

    into.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        raise WarroomError(f"{path}: no such file or folder")
    plan = plan_export(path, read_target(into))
    _finish(ctx, plan, apply_plan(plan, into, force=force), path, into, report_json)
