"""`warroom serve`: build into a temporary folder, serve it locally for a preview, and
rebuild it as the repository changes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import multiprocessing
import shutil
import signal
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple

import click

from warroom.cli.options import resolve_root, root_option
from warroom.errors import WarroomError
from warroom.reporters import REPORTERS
from warroom.site.build import BuildFailed, build, forget_target
from warroom.site.watch import Snapshot, incident_stats, settled, snapshot


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
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Rebuild when warroom.yaml, an incident file, the theme or HEAD changes.")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=1.0, show_default=True,
              help="Seconds between two looks for changes.")
@root_option
@click.pass_context
def command(ctx: click.Context, port: int, bind: str, audience: str, watch: bool,
            interval: float, root: Path | None) -> None:
    """Build the site into a temporary folder and serve it at http://127.0.0.1:PORT/.

    Links are relative, so the preview works whatever base_url says. With --watch (the
    default) a change is rebuilt within a second or two; pages that did not change are
    carried over, and a change that breaks the repository is reported here while the last
    good site stays served. Stop with Ctrl-C.
    """
    top = resolve_root(root)
    # Stopped by a service manager or a test (SIGTERM) as by Ctrl-C: the temporary site
    # and its cache record are removed either way.
    signal.signal(signal.SIGTERM, _stop)
    scratch = Path(tempfile.mkdtemp(prefix="warroom-serve-"))
    out = scratch / "site"
    try:
        seen = snapshot(top) if watch else Snapshot()  # before the build: edits made
        # while it runs are caught by the first look
        if not _build(top, out, audience, seen if watch else None):
            click.echo("warroom: nothing to serve; fix the errors above", err=True)
            ctx.exit(1)
            return
        server = _start_server(str(out), bind, port)
        try:
            host, real_port = server.address
            click.echo(f"serving the {audience} site at http://{host}:{real_port}/ "
                       "(Ctrl-C to stop)", err=True)
            if watch:
                _watch(top, out, audience, seen, interval)
            else:
                server.process.join()
        except KeyboardInterrupt:
            click.echo("warroom: stopped", err=True)
        finally:
            server.process.terminate()
            server.process.join()
    finally:
        forget_target(top, out)
        shutil.rmtree(scratch, ignore_errors=True)


class _Server(NamedTuple):
    process: BaseProcess
    address: tuple[str, int]
    pipe: Connection  # kept open while we live: its closing tells the server to stop


def _start_server(directory: str, bind: str, port: int) -> _Server:
    """The HTTP server in a process of its own, so that this one stays single-threaded:
    a rebuild may then fork its page workers and background producers (forking with a
    server thread alive could deadlock the child, so a build would render serially)."""
    context = multiprocessing.get_context("spawn")  # nothing of this process's heap
    mine, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(directory, bind, port, theirs), daemon=True)
    process.start()
    theirs.close()
    try:
        said = mine.recv()
    except EOFError:
        said = ("error", "the server process ended before listening")
    if said[0] != "ok":
        process.join()
        raise WarroomError(f"cannot serve on {bind}:{port}: {said[1]}",
                           hint="choose another --port (0 picks a free one)")
    return _Server(process, (str(said[1]), int(said[2])), mine)


def _serve(directory: str, bind: str, port: int, parent: Connection) -> None:
    """The server process: bind, tell the parent where, serve until terminated. Ctrl-C
    reaches the whole process group; the parent handles it and ends this process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        server = http.server.ThreadingHTTPServer(
            (bind, port), functools.partial(_Handler, directory=directory))
    except OSError as error:
        parent.send(("error", error.strerror or str(error)))
        return
    parent.send(("ok", str(server.server_address[0]), server.server_address[1]))
    # Should the parent die without ending this process (kill -9), its end of the pipe
    # closes: stop serving rather than hold the port for good.
    threading.Thread(target=_until_closed, args=(parent, server), daemon=True).start()
    server.serve_forever()


def _until_closed(parent: Connection, server: http.server.HTTPServer) -> None:
    with contextlib.suppress(EOFError, OSError):
        parent.recv()
    server.shutdown()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _watch(top: Path, out: Path, audience: str, seen: Snapshot, interval: float) -> None:
    """Rebuild after each change, once the files stop moving; never returns."""
    while True:
        time.sleep(interval)
        now = snapshot(top)
        if now == seen:
            continue
        now = settled(lambda: snapshot(top), now, lambda: time.sleep(min(interval, 0.2)))
        changed = seen.changes(now)
        seen = now
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more"
                                           if len(changed) > 3 else "")
        click.echo(f"warroom: {shown} changed; rebuilding", err=True)
        try:
            _build(top, out, audience, now)
        except WarroomError as error:  # e.g. HEAD moved to a shallow graft: said, then on
            click.echo(f"warroom: error: {error}", err=True)
            click.echo("warroom: not rebuilt; the last good site is still served", err=True)


def _build(top: Path, out: Path, audience: str, seen: Snapshot | None) -> bool:
    """Build the preview; on errors, print them and say whether a site is still served.
    `seen`: the look at the files just taken (the build need not look again)."""
    start = time.perf_counter()
    try:
        built = build(top, out, audience=audience, base_url="",
                      stats=incident_stats(seen) if seen is not None else None)
    except BuildFailed as failed:
        click.echo(REPORTERS["text"](failed.problems), nl=False, err=True)  # one log: stderr
        if out.is_dir():
            click.echo("warroom: not rebuilt; the last good site is still served", err=True)
        return False
    click.echo(f"warroom: built in {time.perf_counter() - start:.2f} s: "
               f"{len(built.outputs)} files written, {len(built.kept)} pages unchanged",
               err=True)
    return True
