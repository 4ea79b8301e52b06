"""Helpers shared by the import tests: run the CLI in-process and read what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from warroom.cli import cli
from warroom.problems import Level
from warroom.repo import load_repository
from warroom.yamlload import load_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def run_import(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["import", *args], catch_exceptions=False)
    return result


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (but .git), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def incidents(root: Path) -> dict[str, dict[str, Any]]:
    """Imported incident files as plain data, by id, read by warroom's own loader."""
    out = {}
    for path in sorted((root / "incidents").rglob("*.yaml")):
        doc, problems = load_file(path)
        assert doc is not None and not problems, problems
        out[doc.data["id"]] = doc.data
    return out


def assert_valid(root: Path) -> int:
    repo = load_repository(root.resolve())
    errors = [p for p in repo.problems if p.level is Level.ERROR]
    assert errors == [], errors[:5]
    return len(repo.incidents)


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def guessed(data: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [g for g in data["guesses"] if g["kind"] == kind]
