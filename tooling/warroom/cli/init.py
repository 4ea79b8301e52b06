"""`warroom init`: scaffold an incident repository that validates, checks and publishes."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from warroom.atomic import write_text
from warroom.authoring.create import today
from warroom.cli.options import TimeParam
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.repo import CONFIG_NAME, load_config
from warroom.reporters import text as text_report
from warroom.scaffold import ISSUE_FORM, Options, config_text, files, issue_form


def _load(root: Path) -> Config:
    config, _, problems = load_config(root)
    if config is None:
        click.echo(text_report(problems), err=True, nl=False)
        raise WarroomError(f"{root / CONFIG_NAME} has errors (see above)")
    return config


def _scaffold_config(options: Options) -> Config:
    """The Config the new warroom.yaml gives, so the issue form lists its components."""
    with tempfile.TemporaryDirectory(prefix="warroom-init-") as tmp:
        (Path(tmp) / CONFIG_NAME).write_text(config_text(options), encoding="utf-8")
        return _load(Path(tmp))


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--title", default="Status", show_default=True, help="Status page title.")
@click.option("--timezone", default="UTC", show_default=True,
              help="IANA time zone for the page and for the dates in incident ids.")
@click.option("--default-branch", default="main", show_default=True,
              help="Branch whose pushes publish the status page.")
@click.option("--requirement", default=None,
              help="What the workflows pip install  [default: this warroom's version]")
@click.option("--refresh-issue-form", is_flag=True,
              help="Only rewrite the issue form from DIRECTORY's warroom.yaml.")
@click.option("--now", type=TimeParam(), default=None, help="Pin the present (example's id).")
def command(directory: Path, title: str, timezone: str, default_branch: str,
            requirement: str | None, refresh_issue_form: bool, now: datetime | None) -> None:
    """Create an incident repository in DIRECTORY (default: here).

    Writes warroom.yaml with commented defaults, the schemas, GitHub workflows (checks on
    pull requests, an SLA watch, Pages publishing, issue-to-incident), a pull-request
    template, an issue form, an example incident and a .gitignore. Existing files are kept.
    """
    if refresh_issue_form:
        path = directory / ISSUE_FORM
        write_text(path, issue_form(_load(directory.resolve())))
        click.echo(f"wrote {path}", err=True)
        return
    if (directory / CONFIG_NAME).exists():
        raise WarroomError(f"{directory / CONFIG_NAME} already exists",
                           hint="this is already an incident repository; "
                                "--refresh-issue-form rewrites only the issue form")
    options = Options(title=title, timezone=timezone, default_branch=default_branch)
    if requirement:
        options = Options(title, timezone, default_branch, requirement)
    config = _scaffold_config(options)
    day = today(config, now or datetime.now(UTC))
    written, kept = [], []
    for rel, text in files(options, config, day).items():
        target = directory / rel
        if target.exists():
            kept.append(rel)
            continue
        write_text(target, text)
        written.append(rel)
    for rel in written:
        click.echo(f"wrote {rel}", err=True)
    for rel in kept:
        click.echo(f"kept the existing {rel}", err=True)
    click.echo(
        "\nnext: edit warroom.yaml (components, severities), then\n"
        "  git init && git add -A && git commit -m 'warroom init'\n"
        "  warroom validate\n"
        "and in the repository's settings on GitHub: Pages > Source: GitHub Actions; "
        "create the labels 'incident' and 'incident-report'.", err=True)
