"""Running git: the one place that starts a git process for a finished command."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from warroom.errors import WarroomError

# Never prompt for credentials in CI; the rest of the environment is the user's.
QUIET = {"GIT_TERMINAL_PROMPT": "0"}


def run(cwd: Path, *args: str, what: str, stdin: bytes | None = None,
        env: Mapping[str, str] | None = None, ok: tuple[int, ...] = (0,),
        config: tuple[str, ...] = (), hint: str | None = None) -> tuple[int, bytes]:
    """Run `git [config] args` in cwd; an exit code outside `ok` is a WarroomError naming
    `what` the user was doing and git's last line of complaint."""
    try:
        done = subprocess.run(["git", *config, *args], cwd=cwd, input=stdin,
                              capture_output=True, check=False,
                              env={**os.environ, **QUIET, **(env or {})})
    except FileNotFoundError as exc:
        raise WarroomError(f"{what} needs git, which is not installed") from exc
    if done.returncode not in ok:
        detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise WarroomError(f"{what}: git {args[0]} failed: "
                           f"{detail[-1] if detail else done.returncode}", hint=hint)
    return done.returncode, done.stdout


def probe(cwd: Path, *args: str, env: Mapping[str, str] | None = None
          ) -> subprocess.CompletedProcess[bytes] | None:
    """Run a question for git (exit code and output); None when git is not installed."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              env={**os.environ, **QUIET, **(env or {})})
    except FileNotFoundError:
        return None


def succeeds(cwd: Path, *args: str) -> bool:
    done = probe(cwd, *args)
    return done is not None and done.returncode == 0
