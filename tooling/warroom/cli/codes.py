"""`warroom codes`: what each problem code means."""

from __future__ import annotations

import click

from warroom.codes import CODES, markdown


@click.command("codes")
@click.argument("code", required=False)
@click.option("--markdown", "as_markdown", is_flag=True, help="Print docs/codes.md.")
def command(code: str | None, as_markdown: bool) -> None:
    """Explain a problem code, or list them all."""
    if as_markdown:
        click.echo(markdown(), nl=False)
        return
    if code is not None:
        if code not in CODES:
            raise click.UsageError(f"unknown code {code!r}; run `warroom codes` for the list")
        click.echo(f"{code}: {CODES[code]}")
        return
    width = max(map(len, CODES))
    for name, text in sorted(CODES.items()):
        click.echo(f"{name.ljust(width)}  {text}")
