"""read_early: HEAD and the working tree's status asked of git before the files load
(`warroom build` overlaps them); read_history given them reads what it reads without."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from history_support import commit, incident, init, write
from warroom.history import read_early, read_history

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_history_read_early_is_the_history(warroom_repo: Path,
                                             git_env: dict[str, str]) -> None:
    init(warroom_repo, git_env)
    a, b = incident("2026-05-01-a", updates=1), incident("2026-05-02-b", updates=1)
    write(warroom_repo, a)
    commit(warroom_repo, git_env, "2026-05-02T09:00:00+00:00")
    write(warroom_repo, b)  # uncommitted: only the working tree's status shows it
    a["updates"].append({"status": "investigating", "message": "Still looking."})
    write(warroom_repo, a)
    early = read_early(warroom_repo)
    assert early.info is not None and early.status is not None
    found = read_history(warroom_repo, now=NOW, early=early)
    assert early.status is None  # taken
    early.close()  # nothing left to stop
    plain = read_history(warroom_repo, now=NOW)
    assert found == plain
    assert set(found.recorded) == {"2026-05-01-a", "2026-05-02-b"}
    assert found.recorded["2026-05-02-b"].declared.uncommitted


def test_an_early_read_not_taken_is_stopped(warroom_repo: Path,
                                            git_env: dict[str, str]) -> None:
    init(warroom_repo, git_env)
    write(warroom_repo, incident("2026-05-01-a"))
    commit(warroom_repo, git_env, "2026-05-02T09:00:00+00:00")
    early = read_early(warroom_repo)
    started = early.status
    assert started is not None
    early.close()
    assert early.status is None and started.process.returncode is not None
    assert started.errors.closed


def test_outside_git_nothing_is_asked_early(tmp_path: Path) -> None:
    early = read_early(tmp_path)
    assert (early.info, early.status) == (None, None)
    early.close()
