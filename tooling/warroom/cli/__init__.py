"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 clean, 1 problems or an expected failure, 2 usage, 3 unexpected (the
traceback goes to a file we name), 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from warroom import __version__
from warroom.errors import WarroomError

# name -> module under warroom.cli; each module exposes `command`. Imported lazily so that
# `warroom validate` does not pay for Jinja2 or GitPython.
COMMANDS = {
    "validate": "validate",
    "codes": "codes",
    "sla": "sla",
    "build": "build",
    "serve": "serve",
    "new": "authoring",
    "update": "authoring",
    "resolve": "authoring",
    "init": "init",
    "report": "report",
    "import": "importing",
}


# Each command's one-line summary for `warroom --help`, so that listing the commands imports
# none of them (importing them all took 0.7 s: Jinja2, markdown-it, the history readers).
# A test keeps each equal to the first paragraph of the command's own help.
SUMMARIES = {
    "build": "Build the status site: pages, feeds, calendar, JSON API and badges.",
    "codes": "Explain a problem code, or list them all.",
    "import": "Import incidents from cState or Statuspage, with every guess reported.",
    "init": "Create an incident repository in DIRECTORY (default: here).",
    "new": "Declare an incident: write incidents/<year>/<id>.yaml and print its path.",
    "report": "Metrics, SLA compliance, availability against SLOs and repeat incidents for "
              "a period.",
    "resolve": "Close INCIDENT: status resolved (completed for maintenance) with a last "
               "update.",
    "serve": "Build the site into a temporary folder and serve it at "
             "http://127.0.0.1:PORT/.",
    "sla": "Hold each incident against its severity's SLA targets, regulatory deadlines and "
           "follow-ups, using the times Git recorded.",
    "update": "Append an update to INCIDENT (an id or a path), changing fields in place.",
    "validate": "Check incident files and warroom.yaml; every problem with file:line:col.",
}


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"warroom: error: {self.message}", err=True)


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WarroomError as exc:
            raise UserError(str(exc)) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists them, from SUMMARIES rather than from the imported commands."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # A stand-in Command shortens each summary exactly as click shortens a help text.
        rows = [(name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        module_name = COMMANDS.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"warroom.cli.{module_name}")
        attr = f"{name}_command" if hasattr(module, f"{name}_command") else "command"
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="warroom")
def cli() -> None:
    """Incident management as code: validate incidents, run SLA clocks, build the status site."""


def _crash_report(exc: BaseException) -> str:
    # Imported here: every start would otherwise pay ~15 ms for a path rarely taken.
    import tempfile
    import traceback

    fd, name = tempfile.mkstemp(prefix="warroom-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)))
    return name


# Set by a command whose process may end without Python's teardown (see `exit_at_once`).
_AT_ONCE: list[bool] = [False]


def exit_at_once() -> None:
    """Let the process end as soon as this command returns, without freeing what it loaded
    (a build leaves ~10^6 objects: 0.05-0.1 s of teardown at 10^4 incidents). Only for a
    command that leaves nothing behind for atexit handlers (no worker, no temporary folder)
    and only when warroom is the program (`main()` reading sys.argv), never in a test's
    process."""
    _AT_ONCE[0] = True


def _leave(code: int, argv: list[str] | None) -> None:
    if _AT_ONCE[0] and argv is None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # e.g. a closed pipe: end as usual, which reports it
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> Any:
    _AT_ONCE[0] = False
    try:
        code = cli.main(args=argv, prog_name="warroom", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("warroom: interrupted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("warroom: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:
        where = _crash_report(exc)
        click.echo(f"warroom: unexpected error: {type(exc).__name__}: {exc} "
                   f"(traceback written to {where}; please report it)", err=True)
        sys.exit(3)
    _leave(code if isinstance(code, int) else 0, argv)
