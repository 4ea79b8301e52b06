"""`warroom validate`."""

from __future__ import annotations

from pathlib import Path

import click

from warroom.cli.options import format_option, resolve_root, root_option
from warroom.problems import has_errors
from warroom.reporters import REPORTERS, resolve_format
from warroom.validation import validate


@click.command("validate")
@click.argument("paths", nargs=-1,
                type=click.Path(exists=True, path_type=Path))
@format_option()
@root_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for many files; defaults to the number of CPUs.")
@click.option("--no-cache", is_flag=True,
              help="Ignore and do not update the caches in .git/warroom-cache "
                   "(results never depend on them).")
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], fmt: str, root: Path | None,
            jobs: int | None, no_cache: bool) -> None:
    """Check incident files and warroom.yaml; every problem with file:line:col.

    A folder validates the files under it; no argument validates the whole repository,
    and stores what it loaded for `warroom sla` and `warroom build` to reuse.
    warroom.yaml is always checked. Exit status: 0 clean, 1 problems, 2 usage.
    """
    top = resolve_root(root)
    result = validate(top, list(paths) if paths else None, jobs=jobs, use_cache=not no_cache)
    name = resolve_format(fmt)
    out = REPORTERS[name](result.problems)
    if out:
        click.echo(out, nl=False)
    if name == "text" and not has_errors(result.problems):
        click.echo(f"ok: {result.valid} incident file(s) valid", err=True)
    ctx.exit(1 if has_errors(result.problems) else 0)
