"""Validate, then write atomically: a refused change leaves the file exactly as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

from warroom.atomic import write_text
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


def save(path: Path, display: str, text: str, config: Config | None) -> list[Problem]:
    """Write `text` to `path` only if it validates; return the problems found either way."""
    problems = check_text(text, display, config)
    if not has_errors(problems):
        write_text(path, text)
    return problems
