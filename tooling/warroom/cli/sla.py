"""`warroom sla`: SLA, regulatory and follow-up clocks from the Git history."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import click

from warroom import collector, gitrepo
from warroom.cli.options import TimeParam, format_option, resolve_root, root_option
from warroom.durations import parse_time
from warroom.errors import WarroomError
from warroom.history import read_history
from warroom.lazyrepo import Loaded, load
from warroom.problems import has_errors
from warroom.repo import CONFIG_NAME, INCIDENTS_DIR
from warroom.reporters import REPORTERS, resolve_format
from warroom.sla_report import FAIL_ON, SlaReport, as_json, build_report, github, markdown, text


def _touched(top: Path, base: str | None, head: str) -> frozenset[str] | None:
    """Ids of incidents whose file a commit in base..head touched (the change under review);
    None when no change is under review."""
    if base is None:
        ref = os.environ.get("GITHUB_BASE_REF")
        if not ref:
            return None
        base = gitrepo.resolve_base(top, ref)
    paths = gitrepo.paths_changed(top, base, head, INCIDENTS_DIR)
    return frozenset(PurePosixPath(p).stem for p in paths
                     if PurePosixPath(p).suffix in (".yaml", ".yml"))


def _load(top: Path, at: str | None, scratch: Path, only: str | None) -> Loaded:
    """The working tree through the build's load cache; a past revision exported to
    `scratch` is checked without one (its files are new to any cache there, and recording
    the scratch copies' stats in the repository's cache would make the next build hash
    every file again); positions are read from `scratch` later, so it must outlive them.
    With `only` (--incident), that incident alone is materialised from the cache."""
    if at is None:
        return load(top, only=only)
    gitrepo.export_tree(top, at, scratch, (CONFIG_NAME, INCIDENTS_DIR))
    if not (scratch / CONFIG_NAME).is_file():
        raise WarroomError(f"--at {at}: that revision has no {CONFIG_NAME}")
    return load(scratch, cached=False, only=only)


def _render(report: SlaReport, fmt: str, fail_on: str, everything: bool) -> str:
    if fmt == "json":
        return as_json(report, fail_on)
    if fmt == "github":
        return github(report)
    return text(report, everything)


@click.command("sla")
@format_option()
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="breach", show_default=True,
              help="Exit 1 when a counted clock is breached (or at risk); never: always 0.")
@click.option("--incident", "incident_id", metavar="ID", help="Only this incident.")
@click.option("--at", "at_rev", metavar="REV",
              help="Evaluate the repository as it was at a revision (now defaults to its "
                   "commit time).")
@click.option("--landed", is_flag=True,
              help="Record changes when they reached the default branch (first parent).")
@click.option("--now", type=TimeParam(), default=None,
              help="Pin the present (RFC 3339 with offset).")
@click.option("--base", metavar="REV",
              help="Count clocks of incidents changed in REV..HEAD (default: the merge-base "
                   "with $GITHUB_BASE_REF when set).")
@click.option("--all", "everything", is_flag=True,
              help="Show every incident in the text table, not only those that count.")
@root_option
@click.pass_context
def command(ctx: click.Context, fmt: str, fail_on: str, incident_id: str | None,
            at_rev: str | None, landed: bool, now: datetime | None, base: str | None,
            everything: bool, root: Path | None) -> None:
    """Hold each incident against its severity's SLA targets, regulatory deadlines and
    follow-ups, using the times Git recorded.

    Counted for --fail-on: every clock of an open incident or of one changed under review
    (--base, $GITHUB_BASE_REF) or not yet committed; without a change under review, also
    clocks still running (unpublished postmortems, unsubmitted reports). See docs/sla.md.
    """
    top = resolve_root(root)
    fmt = resolve_format(fmt)
    with tempfile.TemporaryDirectory(prefix="warroom-sla-") as scratch, collector.paused():
        code = _run(top, _load(top, at_rev, Path(scratch), incident_id), fmt, fail_on, incident_id,
                    at_rev, landed, now, base, everything)
    ctx.exit(code)


def _run(top: Path, repo: Loaded, fmt: str, fail_on: str, incident_id: str | None,
         at_rev: str | None, landed: bool, now: datetime | None, base: str | None,
         everything: bool) -> int:
    if has_errors(repo.problems) or repo.config is None:
        click.echo(REPORTERS[fmt](repo.problems), nl=False)
        click.echo("warroom: sla: the repository has errors; fix them first "
                   "(warroom validate)", err=True)
        return 1
    if now is None:
        now = parse_time(gitrepo.commit_time(top, at_rev)) if at_rev else datetime.now(UTC)
    # The files just loaded need not be parsed again from git (HEAD holds most of them).
    history = read_history(top, landed=landed, at=at_rev, now=now, known=repo.known)
    incidents = repo.incidents
    if incident_id is not None:
        incidents = [i for i in incidents if i.id == incident_id]
        if not incidents:
            raise WarroomError(f"no incident {incident_id!r}",
                               hint="ids are file names without .yaml, e.g. 2026-11-20-slug")
    touched = _touched(top, base, at_rev or "HEAD") if history.head else None
    history_problems = [p for p in history.problems
                        if incident_id is None or incident_id in p.path]
    report = build_report(repo.config, incidents, repo.marks, history.recorded,
                          history_problems, now, touched or frozenset(),
                          reviewing=touched is not None,
                          all_stated=everything or incident_id is not None)
    click.echo(_render(report, fmt, fail_on, everything or incident_id is not None), nl=False)
    repo.keep_positions()
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown(report))
    return report.exit_code(fail_on)
