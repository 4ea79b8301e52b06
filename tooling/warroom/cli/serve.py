"""`warroom serve`: build into a temporary folder and serve it locally, for a preview."""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from warroom.cli.options import resolve_root, root_option
from warroom.reporters import REPORTERS
from warroom.site.build import BuildFailed, build


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, the site's own 404 page, and no caching (a preview changes often)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        click.echo(f"{self.address_string()} {format % args}", err=True)


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True, help="Which build to preview.")
@root_option
@click.pass_context
def command(ctx: click.Context, port: int, bind: str, audience: str, root: Path | None) -> None:
    """Build the site into a temporary folder and serve it at http://127.0.0.1:PORT/.

    Links are relative, so the preview works whatever base_url says. Stop with Ctrl-C.
    """
    top = resolve_root(root)
    scratch = Path(tempfile.mkdtemp(prefix="warroom-serve-"))
    try:
        out = scratch / "site"
        try:
            build(top, out, audience=audience, base_url="", use_cache=False)
        except BuildFailed as failed:
            click.echo(REPORTERS["text"](failed.problems), nl=False)
            click.echo("warroom: nothing to serve; fix the errors above", err=True)
            ctx.exit(1)
            return
        handler = functools.partial(_Handler, directory=str(out))
        with http.server.ThreadingHTTPServer((bind, port), handler) as server:
            host, real_port = str(server.server_address[0]), server.server_address[1]
            click.echo(f"serving the {audience} site at http://{host}:{real_port}/ "
                       "(Ctrl-C to stop)", err=True)
            server.serve_forever()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
