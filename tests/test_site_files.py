"""The incident listing held in the process (site/files.py): given back only while every
folder it read is as it was, and never for folders changed within the racy window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom import held
from warroom.repo import incident_files
from warroom.site import files


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    for year in ("2025", "2026"):
        (tmp_path / "incidents" / year).mkdir(parents=True)
        for n in range(3):
            (tmp_path / "incidents" / year / f"{year}-01-0{n + 1}-x.yaml").write_text(
                "id: x\n", encoding="utf-8")
    held.forget()
    yield tmp_path
    held.forget()


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders read (os.scandir calls)."""
    seen: list[str] = []
    real = os.scandir

    def scandir(path: str) -> object:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    return seen


def _expected(repo: Path) -> list[str]:
    return [p.relative_to(repo).as_posix() for p in incident_files(repo)]


def _reads(repo: Path, scans: list[str]) -> int:
    """How many folders incident_paths read, having checked what it gave."""
    expected = _expected(repo)  # os.walk: scandir calls too
    scans.clear()
    assert files.incident_paths(repo) == expected
    return len(scans)


def test_held_while_every_folder_stands_and_read_again_after_each_change(
        repo: Path, scans: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RACY_NS", -10**18)  # nothing is racy: hold every listing
    year = repo / "incidents" / "2026"
    assert _reads(repo, scans) == 3
    assert _reads(repo, scans) == 0  # held: no folder read
    changes = [
        lambda: (year / "2026-02-01-new.yaml").write_text("id: n\n", encoding="utf-8"),
        lambda: (year / "2026-01-01-x.yaml").unlink(),
        lambda: (year / "2026-01-02-x.yaml").rename(year / "2026-01-09-x.yaml"),
        lambda: (repo / "incidents" / "2027").mkdir(),
        lambda: (repo / "incidents" / "2027" / "2027-01-01-y.yml").write_text(
            "id: y\n", encoding="utf-8"),
        lambda: (repo / "incidents" / "2025").rename(repo / "incidents" / ".2025"),
    ]
    for change in changes:
        change()
        assert _reads(repo, scans) > 0  # read again
        assert _reads(repo, scans) == 0


def test_folders_changed_just_now_are_never_held(repo: Path, scans: list[str]) -> None:
    """The fixture's folders were made a moment ago: within the racy window."""
    files.incident_paths(repo)
    assert _reads(repo, scans) == 3


def test_forgotten_with_everything_held(repo: Path, scans: list[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RACY_NS", -10**18)
    files.incident_paths(repo)
    held.forget()  # as in a new process
    assert _reads(repo, scans) == 3
