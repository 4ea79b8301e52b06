"""`warroom build`: the status site, written atomically."""

from __future__ import annotations

from pathlib import Path

import click

from warroom.cli import exit_at_once
from warroom.cli.options import format_option, resolve_root, root_option
from warroom.problems import Level
from warroom.reporters import REPORTERS, resolve_format
from warroom.site.build import BuildFailed, Built, build


def output_folder(top: Path, out: Path | None, configured: str) -> Path:
    return out if out is not None else top / configured


def report_built(built: Built, out: Path) -> str:
    written = built.written
    counts = (f"{written.written} written, {written.linked} unchanged" if written else "")
    total = len(built.outputs) + len(built.kept)
    return f"built {total} files into {out} ({counts}) for the {built.data.audience} audience"


@click.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site.output in warroom.yaml, usually _site). "
                   "It is replaced atomically.")
@click.option("--base-url", default=None, metavar="URL",
              help="Public address of the site, for links and feeds (default: site.base_url; "
                   "'' for relative links).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True,
              help="internal adds internal incidents, internal updates and SLA clocks: never "
                   "publish it.")
@click.option("--no-cache", is_flag=True,
              help="Render everything from scratch (ignore .git/warroom-cache/site).")
@format_option()
@root_option
@click.pass_context
def command(ctx: click.Context, out: Path | None, base_url: str | None, audience: str,
            no_cache: bool, fmt: str, root: Path | None) -> None:
    """Build the status site: pages, feeds, calendar, JSON API and badges.

    Errors in the repository are reported like `warroom validate` and nothing is written.
    SOURCE_DATE_EPOCH sets the build time, so a build can be reproduced byte for byte.
    """
    top = resolve_root(root)
    from warroom.repo import load_config  # only for the configured output folder

    config, _, _ = load_config(top)
    target = output_folder(top, out, config.site.output if config is not None else "_site")
    reporter = REPORTERS[resolve_format(fmt)]
    from warroom.outpaths import check_target

    check_target(target, top)  # a target refused before the work, not after it
    try:
        built = build(top, target, audience=audience, base_url=base_url,
                      use_cache=not no_cache, waiting=lambda: click.echo(
                          f"warroom: waiting for another build into {target.parent} to "
                          "finish", err=True))
    except BuildFailed as failed:
        click.echo(reporter(failed.problems), nl=False)
        click.echo("warroom: nothing was built; fix the errors above", err=True)
        ctx.exit(1)
        return
    shown = [p for p in built.problems if p.level >= Level.WARNING]
    if shown:
        click.echo(reporter(shown), nl=False, err=True)
    click.echo(report_built(built, target), err=True)
    exit_at_once()  # its workers joined, its files written: nothing left to free
    ctx.exit(0)
