"""Validate, then write atomically: a refused change leaves the file exactly as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from warroom.config import Config
from warroom.problems import Problem, has_errors
from warroom.repo import check_incident_file


def check_text(text: str, display: str, config: Config | None) -> list[Problem]:
    """Every problem the validator would report for `text` saved at `display`."""
    with tempfile.TemporaryDirectory(prefix="warroom-check-") as tmp:
        candidate = Path(tmp) / Path(display).name
        candidate.write_text(text, encoding="utf-8", newline="\n")
        _, _, problems = check_incident_file(candidate, display, config)
    return problems


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        else:  # what open() would have given: mkstemp makes the file private (0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(path: Path, display: str, text: str, config: Config | None) -> list[Problem]:
    """Write `text` to `path` only if it validates; return the problems found either way."""
    problems = check_text(text, display, config)
    if not has_errors(problems):
        write_atomic(path, text)
    return problems
