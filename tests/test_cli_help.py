"""`warroom --help` lists every command from SUMMARIES, without importing any of them."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from warroom.cli import COMMANDS, SUMMARIES, LazyGroup, cli


def test_every_command_has_its_own_first_paragraph_as_summary() -> None:
    assert set(SUMMARIES) == set(COMMANDS)
    for name in COMMANDS:
        command = LazyGroup._load(name)
        assert command is not None
        for limit in (30, 45, 60, 200):
            stand_in = click.Command(name, help=SUMMARIES[name])
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_listing_reads_as_click_would_write_it_from_the_commands(width: int) -> None:
    """The same text as click's own listing, which imports every command to ask it."""
    ours = CliRunner().invoke(cli, ["--help"], terminal_width=width)

    class Eager(LazyGroup):
        format_commands = click.Group.format_commands

    eager = Eager(name=cli.name, callback=cli.callback, params=cli.params, help=cli.help,
                  context_settings=cli.context_settings)
    theirs = CliRunner().invoke(eager, ["--help"], terminal_width=width)
    assert ours.exit_code == theirs.exit_code == 0
    assert ours.output == theirs.output


def test_help_imports_no_command() -> None:
    code = ("import sys\nfrom warroom.cli import cli\n"
            "try:\n    cli.main(['--help'], prog_name='warroom')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('warroom.cli.')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "validate  Check incident files" in done.stdout
