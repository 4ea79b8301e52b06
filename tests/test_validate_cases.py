"""The example folders: every invalid file gives exactly its expected problems, every valid
file none, through the real command line.

tests/cases/invalid/<id>.yaml sits beside <id>.expected: one `line:col code` per line, `#`
comments, and an optional `# path: incidents/<year>/<id>.yaml` where the file must be placed
(by default incidents/<the id's year>/). A folder under invalid/ is a small repository
(its incidents/ tree) with an `expected` file of `path:line:col code` lines.
tests/cases/invalid-config/<name>.yaml is a warroom.yaml with <name>.expected beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import MINIMAL_CONFIG, ROOT
from warroom.cli import cli

CASES = ROOT / "tests" / "cases"
INVALID = sorted(p for p in (CASES / "invalid").glob("*.y*ml"))
INVALID_DIRS = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
INVALID_CONFIGS = sorted((CASES / "invalid-config").glob("*.yaml"))
VALID = sorted((CASES / "valid").glob("*.y*ml"))

Found = set[tuple[str, int, int, str]]


def expected_of(path: Path, default_place: str) -> tuple[str, Found]:
    """Where the case goes in the repository and the problems it must give there."""
    place, found = default_place, set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# path:"):
            place = line.split(":", 1)[1].strip()
        if not line or line.startswith("#"):
            continue
        where, code = line.split()
        *file_part, row, col = where.split(":")
        found.add((file_part[0] if file_part else "", int(row), int(col), code))
    return place, {(f or place, r, c, code) for f, r, c, code in found}


def place_of(case: Path) -> str:
    return f"incidents/{case.stem[:4]}/{case.name}"


def run_cli(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", "--root", str(repo), *args])


def problems_of(result: Result) -> Found:
    payload = json.loads(result.stdout)
    return {(p["path"], p["line"], p["col"], p["code"]) for p in payload["problems"]}


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_there_are_enough_cases() -> None:
    assert len(INVALID) + len(INVALID_DIRS) >= 45
    assert len(INVALID_CONFIGS) >= 8
    assert len(VALID) >= 5
    for case in INVALID:
        assert case.with_suffix(".expected").is_file(), f"{case.name} has no .expected"


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_file(case: Path, warroom_repo: Path) -> None:
    place, expected = expected_of(case.with_suffix(".expected"), place_of(case))
    target = warroom_repo / place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, target)
    result = run_cli(warroom_repo, "--format", "json", "--no-cache")
    assert_clean_failure(result)
    assert problems_of(result) == expected
    # The text format shows the same problems, each on one line, as file:line:col.
    text = run_cli(warroom_repo, "--format", "text", "--no-cache")
    assert_clean_failure(text)
    for path, line, col, code in expected:
        assert any(row.startswith(f"{path}:{line}:{col}: ") and row.endswith(f"[{code}]")
                   for row in text.stdout.splitlines()), (code, text.stdout)


@pytest.mark.parametrize("case", INVALID_DIRS, ids=lambda p: p.name)
def test_invalid_repository(case: Path, warroom_repo: Path) -> None:
    shutil.copytree(case / "incidents", warroom_repo / "incidents", dirs_exist_ok=True)
    _, expected = expected_of(case / "expected", "")
    result = run_cli(warroom_repo, "--format", "json")
    assert_clean_failure(result)
    assert problems_of(result) == expected


@pytest.mark.parametrize("case", INVALID_CONFIGS, ids=lambda p: p.stem)
def test_invalid_config(case: Path, warroom_repo: Path) -> None:
    shutil.copyfile(case, warroom_repo / "warroom.yaml")
    _, expected = expected_of(case.with_suffix(".expected"), "warroom.yaml")
    result = run_cli(warroom_repo, "--format", "json")
    assert_clean_failure(result)
    assert problems_of(result) == expected


def test_valid_files_have_no_problem_at_all(warroom_repo: Path) -> None:
    for case in VALID:
        shutil.copyfile(case, warroom_repo / place_of(case))
    result = run_cli(warroom_repo, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"problems": [], "errors": 0, "warnings": 0}
    text = run_cli(warroom_repo, "--format", "text")
    assert text.exit_code == 0
    assert text.stdout == ""
    assert f"ok: {len(VALID)} incident file(s) valid" in text.stderr


def _all_invalid_in_one_repo(root: Path) -> Found:
    (root / "warroom.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    expected: Found = set()
    for case in INVALID:
        place, found = expected_of(case.with_suffix(".expected"), place_of(case))
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case, root / place)
        expected |= found
    return expected


def _subprocess(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tooling")}
    return subprocess.run([sys.executable, "-m", "warroom", "validate", *args], cwd=root,
                          env=env, capture_output=True, text=True, check=False, timeout=120)


def test_every_invalid_file_at_once_in_a_real_process(tmp_path: Path) -> None:
    expected = _all_invalid_in_one_repo(tmp_path)
    done = _subprocess(tmp_path, "--format", "json", "--jobs", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    payload = json.loads(done.stdout)
    assert {(p["path"], p["line"], p["col"], p["code"]) for p in payload["problems"]} == expected
    text = _subprocess(tmp_path, "--format", "text")
    assert text.returncode == 1
    assert "Traceback" not in text.stdout + text.stderr
    assert len(text.stdout.splitlines()) == len(expected) + 1  # and the summary line


def test_a_twenty_megabyte_file_is_refused_without_reading_it(warroom_repo: Path) -> None:
    big = warroom_repo / "incidents" / "2026" / "2026-01-01-huge.yaml"
    with big.open("wb") as handle:
        handle.write(b"id: 2026-01-01-huge\nsummary: |\n")
        line = b"  " + b"x" * 1022 + b"\n"
        for _ in range(20 * 1024):
            handle.write(line)
    assert big.stat().st_size > 20 * 1024 * 1024
    result = run_cli(warroom_repo, "--format", "json")
    assert_clean_failure(result)
    assert problems_of(result) == {(
        "incidents/2026/2026-01-01-huge.yaml", 1, 1, "file-too-large")}
    assert "20,9" in json.loads(result.stdout)["problems"][0]["message"]


def test_every_input_code_is_exercised_by_a_case() -> None:
    """Each problem the loader, the schemas and the rules can raise has an example."""
    seen: set[str] = set()
    for expected in [*CASES.glob("invalid*/*.expected"), *CASES.glob("invalid/*/expected")]:
        seen |= {code for *_, code in expected_of(expected, "x")[1]}
    # Raised only by conditions a committed file cannot hold (tested elsewhere), or a
    # catch-all no schema keyword of ours reaches.
    elsewhere = {"unreadable", "file-too-large", "schema"}
    from warroom.codes import CODES

    source = (ROOT / "tooling" / "warroom" / "codes.py").read_text(encoding="utf-8")
    start = source.index("# --- reading YAML")
    end = source.index("# --- history")
    mine = {code for code in CODES if f'"{code}"' in source[start:end]}
    assert mine - elsewhere - seen == set()
