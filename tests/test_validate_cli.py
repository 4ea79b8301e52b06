"""`warroom validate` from the outside: what it checks for each argument, and exit codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from warroom.cli import cli, main

VALID = ROOT / "tests" / "cases" / "valid" / "2026-11-20-checkout-errors.yaml"
NAIVE = ROOT / "tests" / "cases" / "invalid" / "2026-03-01-naive-detected.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args])


def add(repo: Path, case: Path, year: str = "2026") -> Path:
    target = repo / "incidents" / year / case.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, target)
    return target


def test_clean_repository_exits_0(warroom_repo: Path) -> None:
    add(warroom_repo, VALID)
    result = run("--root", str(warroom_repo), "--format", "text")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "ok: 1 incident file(s) valid\n"


def test_problems_exit_1(warroom_repo: Path) -> None:
    add(warroom_repo, NAIVE)
    result = run("--root", str(warroom_repo), "--format", "text")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "incidents/2026/2026-03-01-naive-detected.yaml:10:14: error: detected_at ")
    assert result.stdout.endswith("1 error(s), 0 warning(s) in 1 file(s)\n")


@pytest.mark.parametrize("args", [
    ["--format", "xml"], ["--jobs", "0"], ["--no-such-option"], ["missing.yaml"],
])
def test_usage_errors_exit_2(warroom_repo: Path, args: list[str]) -> None:
    result = run("--root", str(warroom_repo), *args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


def test_an_unexpected_error_exits_3_and_names_its_traceback_file(
        warroom_repo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated internal failure")

    monkeypatch.setattr("warroom.cli.validate.validate", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--root", str(warroom_repo)])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    found = re.search(r"traceback written to (\S+?);", err)
    assert found is not None, err
    report = Path(found.group(1))
    try:
        assert "RuntimeError: simulated internal failure" in report.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" in report.read_text(encoding="utf-8")
    finally:
        report.unlink()
    assert "Traceback" not in err


def test_no_repository_is_a_clean_error() -> None:
    # An explicit --root is taken as given: no search upwards.
    result = run("--root", "/proc/sys")
    assert result.exit_code == 1
    assert "there is no warroom.yaml in that folder" in result.stderr
    assert "Traceback" not in result.output


def test_a_folder_validates_the_files_under_it(warroom_repo: Path) -> None:
    add(warroom_repo, VALID, "2026")
    add(warroom_repo, NAIVE, "2025")
    root = str(warroom_repo)
    assert run("--root", root, str(warroom_repo / "incidents" / "2026")).exit_code == 0
    only_2025 = run("--root", root, "--format", "json", str(warroom_repo / "incidents" / "2025"))
    assert only_2025.exit_code == 1
    assert '"path": "incidents/2025/2026-03-01-naive-detected.yaml"' in only_2025.stdout
    assert run("--root", root).exit_code == 1  # no argument: the whole repository
    one_file = run("--root", root, str(warroom_repo / "incidents" / "2026" / VALID.name))
    assert one_file.exit_code == 0


def test_the_root_folder_means_the_incidents_not_every_yaml_file(
        warroom_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add(warroom_repo, VALID)
    (warroom_repo / ".github").mkdir()
    (warroom_repo / ".github" / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    monkeypatch.chdir(warroom_repo / "incidents")  # the root is found from a subfolder
    result = run(str(warroom_repo))
    assert result.exit_code == 0, result.output


def test_warroom_yaml_is_always_validated(warroom_repo: Path) -> None:
    add(warroom_repo, VALID)
    config = warroom_repo / "warroom.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "timezone: Europe/Paris", "timezone: Europe/Pariss"), encoding="utf-8")
    for args in ([], [str(config)], [str(warroom_repo / "incidents")]):
        result = run("--root", str(warroom_repo), "--format", "text", *args)
        assert result.exit_code == 1
        assert result.stdout.startswith("warroom.yaml:3:13: error: 'Europe/Pariss' is not an "
                                        "IANA time zone"), result.stdout


def test_a_relative_path_from_a_subfolder(warroom_repo: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    add(warroom_repo, NAIVE)
    monkeypatch.chdir(warroom_repo / "incidents")
    result = run("--format", "text", f"2026/{NAIVE.name}")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"incidents/2026/{NAIVE.name}:10:14: ")


def test_format_auto_follows_github_actions(warroom_repo: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    add(warroom_repo, NAIVE)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("--root", str(warroom_repo))
    assert result.stdout.startswith(f"::group::incidents/2026/{NAIVE.name}\n::error file=")
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    result = run("--root", str(warroom_repo))
    assert result.stdout.startswith(f"incidents/2026/{NAIVE.name}:10:14: error: ")
