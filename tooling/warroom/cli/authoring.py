"""`warroom new`, `warroom update`, `warroom resolve`: write incident files, validated first."""

from __future__ import annotations

import difflib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click

from warroom import gitrepo
from warroom.atomic import write_text
from warroom.authoring.create import TYPES, NewIncident, allocate, parse_component, render
from warroom.authoring.edit import UPDATE_STATUSES, Change, edit_text
from warroom.authoring.issueform import from_issue
from warroom.authoring.save import check_text, save
from warroom.cli.options import TimeParam, resolve_root, root_option
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.problems import Problem, has_errors
from warroom.repo import incident_files, load_config, relative
from warroom.reporters import text as text_report

git_option = click.option(
    "--git", "use_git", is_flag=True,
    help="Switch to (or create) branch incident/<id> and commit the file alone.",
)


def _config(root: Path) -> Config:
    config, _, problems = load_config(root)
    if config is None:
        click.echo(text_report(problems), err=True, nl=False)
        raise WarroomError("warroom.yaml has errors; fix them first (see above)")
    return config


def _message(value: str | None, what: str) -> str | None:
    if value == "-":
        value = sys.stdin.read()
    if value is not None and not value.strip():
        raise WarroomError(f"{what}: the message is empty")
    return value.strip("\n") if value is not None else None


def _handle(value: str | None) -> str | None:
    if value is None:
        return None
    return value if value.startswith("@") else "@" + value


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _refuse(problems: list[Problem], display: str, what: str) -> None:
    click.echo(text_report(problems), err=True, nl=False)
    raise WarroomError(f"{display}: {what} would make the file invalid (the lines above are "
                       "in the edited text); nothing was written",
                       hint="fix the options above and run the command again")


def _warn(problems: list[Problem]) -> None:
    if problems:
        click.echo(text_report(problems), err=True, nl=False)


@click.command("new")
@click.argument("title", required=False)
@click.option("--severity", help="Severity id from warroom.yaml, e.g. SEV2.")
@click.option("--type", "kind", type=click.Choice(TYPES), default=None,
              help="Kind of event  [default: outage, or maintenance with --maintenance]")
@click.option("--component", "components", multiple=True, metavar="ID:IMPACT",
              help="Affected component and impact, e.g. checkout:major_outage; repeat it.")
@click.option("--internal", is_flag=True, help="Keep the incident off the public site.")
@click.option("--commander", help="Incident commander handle, e.g. @alice.")
@click.option("-m", "--message", help="First update ('-' reads standard input).")
@click.option("--maintenance", is_flag=True, help="Scheduled maintenance (needs --start/--end).")
@click.option("--start", type=TimeParam(), help="Maintenance window start (with offset).")
@click.option("--end", type=TimeParam(), help="Maintenance window end (with offset).")
@click.option("--personal-data", type=click.Choice(("yes", "no", "suspected", "unknown")),
              help="Whether personal data is involved  [default: unknown for security "
                   "and data-loss]")
@click.option("--impact-started-at", type=TimeParam(),
              help="Stated: when customers started to be affected.")
@click.option("--from-issue", "issue", type=click.File("r", encoding="utf-8"),
              help="Read an issue-form body ('-' for standard input) instead of options.")
@click.option("--reporter", help="With --from-issue: the reporter's handle.")
@click.option("--issue-url", help="With --from-issue: the issue's address.")
@click.option("--issue-number", help="With --from-issue: the issue's number.")
@click.option("--now", type=TimeParam(), default=None,
              help="Pin the present (the id's date); for tests and replays.")
@git_option
@root_option
def new_command(title: str | None, severity: str | None, kind: str | None,
                components: tuple[str, ...], internal: bool, commander: str | None,
                message: str | None, maintenance: bool, start: datetime | None,
                end: datetime | None, personal_data: str | None,
                impact_started_at: datetime | None, issue: IO[str] | None, reporter: str | None,
                issue_url: str | None, issue_number: str | None, now: datetime | None,
                use_git: bool, root: Path | None) -> None:
    """Declare an incident: write incidents/<year>/<id>.yaml and print its path.

    \b
      warroom new "Checkout errors in eu-west" --severity SEV2 \\
          --component checkout:major_outage --commander @alice
      warroom new "Database upgrade" --maintenance --component api \\
          --start 2026-11-21T22:00:00Z --end 2026-11-21T23:00:00Z
      warroom new --from-issue body.md --reporter @octocat --issue-url URL
    """
    top = resolve_root(root)
    config = _config(top)
    moment = now or datetime.now(UTC)
    if issue is not None:
        incident = from_issue(issue.read(), config, moment, title=title,
                              reporter=_handle(reporter), url=issue_url, number=issue_number)
    else:
        incident = _from_options(config, title, severity, kind, components, internal,
                                 commander, _message(message, "new"), maintenance, start, end,
                                 impact_started_at, personal_data)
    incident_id, path = allocate(top, config, incident.title, moment)
    display = relative(top, path)
    text = render(incident, incident_id, config)
    # Validate before touching git or the disk, so a refusal leaves no trace at all.
    problems = check_text(text, display, config)
    if has_errors(problems):
        _refuse(problems, display, "these options")
    _warn(problems)
    if use_git:
        click.echo(gitrepo.switch_to_branch(top, f"incident/{incident_id}"), err=True)
    write_text(path, text)
    if use_git:
        gitrepo.commit_file(top, path, f"incident({incident_id}): declared", incident.title)
    click.echo(_shown(path))


def _from_options(config: Config, title: str | None, severity: str | None, kind: str | None,
                  components: tuple[str, ...], internal: bool, commander: str | None,
                  message: str | None, maintenance: bool, start: datetime | None,
                  end: datetime | None, impact_started_at: datetime | None,
                  personal_data: str | None) -> NewIncident:
    if not title or not title.strip():
        raise click.UsageError("give the incident a TITLE (or use --from-issue)")
    maintenance = maintenance or kind == "maintenance"
    if maintenance and (start is None or end is None):
        raise click.UsageError("--maintenance needs --start and --end")
    if not maintenance and (start is not None or end is not None):
        raise click.UsageError("--start and --end are for --maintenance")
    if severity is None:
        if not maintenance:
            ids = ", ".join(s.id for s in config.severities)
            raise click.UsageError(f"--severity is required; one of {ids}")
        severity = config.severities[-1].id  # the mildest level for planned work
    return NewIncident(
        title=title.strip(),
        severity=severity,
        type="maintenance" if maintenance else (kind or "outage"),
        components=tuple(parse_component(c, maintenance) for c in components),
        internal=internal,
        commander=_handle(commander),
        message=message,
        window=(start, end) if start is not None and end is not None else None,
        impact_started_at=impact_started_at,
        # A security or data-loss incident must say; "unknown" is the honest first answer.
        personal_data=personal_data or ("unknown" if kind in ("security", "data-loss")
                                        else None),
    )


def find_incident(root: Path, reference: str) -> Path:
    """An incident file by id (its stem) or by path."""
    as_path = Path(reference)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path.resolve()
    files = incident_files(root)
    for path in files:
        if path.stem == reference:
            return path
    close = difflib.get_close_matches(reference, [p.stem for p in files], n=3)
    raise WarroomError(f"no incident with id {reference!r} under incidents/",
                       hint=f"did you mean {' or '.join(close)}?" if close
                       else "`ls incidents/*/` lists the ids")


def _exists(root: Path, reference: str) -> bool:
    try:
        find_incident(root, reference)
    except WarroomError:
        return False
    return True


def _edit(root: Path | None, reference: str, change: Change, use_git: bool) -> None:
    top = resolve_root(root)
    config = _config(top)
    if use_git and not _exists(top, reference) \
            and gitrepo.has_branch(top, f"incident/{reference}"):
        path = top / f"incident/{reference}"  # declared on its branch, not merged yet
    else:
        path = find_incident(top, reference)
    if use_git:
        click.echo(gitrepo.switch_to_branch(top, f"incident/{path.stem}"), err=True)
        path = find_incident(top, reference)  # the branch may hold a newer version
    display = relative(top, path)
    before = path.read_bytes()
    edited = edit_text(before.decode("utf-8-sig"), display, change)
    problems = save(path, display, edited.text, config)
    if has_errors(problems):
        _refuse(problems, display, "this update")
    _warn(problems)
    if use_git:
        gitrepo.commit_file(top, path, f"incident({edited.incident_id or path.stem}): "
                            f"{edited.summary}", change.message)
    click.echo(_shown(path))


@click.command("update")
@click.argument("incident")
@click.option("-m", "--message", required=True, help="The update's text ('-' reads stdin).")
@click.option("--status", type=click.Choice(UPDATE_STATUSES), default=None,
              help="New status  [default: unchanged]")
@click.option("--severity", help="Change the severity (stricter targets apply from the start).")
@click.option("--component", "components", multiple=True, metavar="ID:IMPACT",
              help="Set a component's impact, adding it if absent; repeat it.")
@click.option("--commander", help="Set the incident commander (acknowledges the incident).")
@click.option("--internal-update", is_flag=True, help="Mark this update internal.")
@click.option("--author", help="Who wrote the update, e.g. @bob.")
@git_option
@root_option
def update_command(incident: str, message: str, status: str | None, severity: str | None,
                   components: tuple[str, ...], commander: str | None, internal_update: bool,
                   author: str | None, use_git: bool, root: Path | None) -> None:
    """Append an update to INCIDENT (an id or a path), changing fields in place.

    Comments, key order, quoting and block scalars of the file are kept.
    """
    text = _message(message, "update")
    assert text is not None
    change = Change(
        message=text, status=status, severity=severity,
        components=tuple(parse_component(c, False) for c in components),
        commander=_handle(commander), internal=internal_update, author=_handle(author),
    )
    _edit(root, incident, change, use_git)


@click.command("resolve")
@click.argument("incident")
@click.option("-m", "--message", required=True, help="The closing update ('-' reads stdin).")
@click.option("--author", help="Who wrote the update, e.g. @bob.")
@git_option
@root_option
def resolve_command(incident: str, message: str, author: str | None, use_git: bool,
                    root: Path | None) -> None:
    """Close INCIDENT: status resolved (completed for maintenance) with a last update."""
    text = _message(message, "resolve")
    assert text is not None
    _edit(root, incident, Change(message=text, resolve=True, author=_handle(author)), use_git)
