"""`warroom validate`."""

from __future__ import annotations

from pathlib import Path

import click

from warroom.cli.options import format_option, resolve_root, root_option
from warroom.problems import has_errors
from warroom.repo import load_repository
from warroom.reporters import REPORTERS, resolve_format


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option()
@root_option
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], fmt: str, root: Path | None) -> None:
    """Check incident files and warroom.yaml; every problem with file:line:col.

    A folder validates the files under it; no argument validates the whole repository.
    """
    top = resolve_root(root)
    repo = load_repository(top, list(paths) if paths else None)
    out = REPORTERS[resolve_format(fmt)](repo.problems)
    if out:
        click.echo(out, nl=False)
    elif fmt in ("text", "auto"):
        click.echo(f"ok: {len(repo.incidents)} incident(s) valid", err=True)
    ctx.exit(1 if has_errors(repo.problems) else 0)
