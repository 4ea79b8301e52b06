"""Merges, landing times and the history cache, on real repositories with pinned dates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_git
from history_support import ALICE, commit, incident, init, when, write
from warroom.cachedir import cache_root
from warroom.history import read_history
from warroom.history_cache import CACHE_DIR
from warroom.recorded import Change

NOW = when("2026-04-01T00:00:00+00:00")
ID = "2026-03-02-api-errors"
OTHER = "2026-03-02-web-slow"


@pytest.fixture
def merged(warroom_repo: Path, git_env: dict[str, str]) -> dict[str, str]:
    """main: declare (09:00), other incident (09:30), merge of `ack` (10:00), update (10:30).
    ack: commander set at 09:10 and a second update at 09:20, branched from the declaration.
    """
    repo = warroom_repo
    init(repo, git_env)
    write(repo, incident(ID))
    ids = {"declare": commit(repo, git_env, "2026-03-02T09:00:00+00:00", "declare")}
    run_git(repo, git_env, "checkout", "-q", "-b", "ack")
    write(repo, incident(ID, commander="@bob"))
    ids["ack"] = commit(repo, git_env, "2026-03-02T09:10:00+00:00", "commander")
    write(repo, incident(ID, commander="@bob", updates=2, status="identified"))
    ids["update"] = commit(repo, git_env, "2026-03-02T09:20:00+00:00", "update")
    run_git(repo, git_env, "checkout", "-q", "main")
    write(repo, incident(OTHER))
    ids["other"] = commit(repo, git_env, "2026-03-02T09:30:00+00:00", "other")
    run_git(repo, git_env, "merge", "-q", "--no-ff", "-m", "merge ack", "ack",
            date="2026-03-02T10:00:00+00:00")
    ids["merge"] = run_git(repo, git_env, "rev-parse", "HEAD").strip()
    write(repo, incident(ID, commander="@bob", updates=3, status="resolved"))
    ids["resolve"] = commit(repo, git_env, "2026-03-02T10:30:00+00:00", "resolve")
    return ids


def test_a_change_merged_in_counts_from_the_commit_that_made_it(
        warroom_repo: Path, merged: dict[str, str]) -> None:
    rec = read_history(warroom_repo, now=NOW).recorded[ID]
    assert rec.acknowledged == Change(when("2026-03-02T09:10:00+00:00"), merged["ack"], ALICE)
    assert rec.identified is not None and rec.identified.commit == merged["update"]
    assert [u.commit for u in rec.updates] == [merged["declare"], merged["update"],
                                               merged["resolve"]]


def test_landed_counts_from_the_first_parent_commit_that_brought_it(
        warroom_repo: Path, merged: dict[str, str]) -> None:
    history = read_history(warroom_repo, now=NOW, landed=True)
    rec = history.recorded[ID]
    landing = Change(when("2026-03-02T10:00:00+00:00"), merged["merge"], ALICE)
    assert rec.acknowledged == rec.identified == landing
    assert [u.commit for u in rec.updates] == [merged["declare"], merged["merge"],
                                               merged["resolve"]]
    assert history.recorded[OTHER].declared.commit == merged["other"]


def test_a_merge_that_resolves_a_conflict_records_its_own_content(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    repo = warroom_repo
    init(repo, git_env)
    write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    run_git(repo, git_env, "checkout", "-q", "-b", "side")
    write(repo, incident(ID, updates=2, status="identified"))
    commit(repo, git_env, "2026-03-02T09:10:00+00:00", "side update")
    run_git(repo, git_env, "checkout", "-q", "main")
    write(repo, incident(ID, updates=2, severity="SEV2"))
    commit(repo, git_env, "2026-03-02T09:20:00+00:00", "main update")
    conflict = subprocess.run(["git", "merge", "-q", "side", "-m", "m"], cwd=repo, env=git_env,
                              capture_output=True, check=False)
    assert conflict.returncode != 0
    write(repo, incident(ID, updates=3, status="identified", commander="@c", severity="SEV2"))
    merge = commit(repo, git_env, "2026-03-02T09:40:00+00:00", "resolve the conflict")
    assert len(run_git(repo, git_env, "show", "-s", "--format=%P", merge).split()) == 2
    rec = read_history(repo, now=NOW).recorded[ID]
    # The commander and the third update appear in neither parent: the merge recorded them.
    assert rec.acknowledged is not None and rec.acknowledged.commit == merge
    assert rec.updates[2].commit == merge
    assert rec.identified is not None and rec.identified.at == when("2026-03-02T09:10:00+00:00")


def _cached_run(repo: Path, **kw: object) -> dict[str, object]:
    warm = read_history(repo, now=NOW, **kw)  # type: ignore[arg-type]
    cold = read_history(repo, now=NOW, use_cache=False, **kw)  # type: ignore[arg-type]
    assert warm == cold
    return dict(warm.recorded)


def test_the_cache_gives_the_same_answer_and_ignores_itself(
        warroom_repo: Path, git_env: dict[str, str], merged: dict[str, str]) -> None:
    first = _cached_run(warroom_repo)
    # Inside .git, where a pull request cannot plant a cache entry.
    assert list((warroom_repo / ".git" / "warroom-cache" / CACHE_DIR).glob("merged-*.pickle"))
    assert not (warroom_repo / ".warroom-cache").exists()
    assert run_git(warroom_repo, git_env, "status", "--porcelain") == ""
    write(warroom_repo, incident(OTHER, commander="@c"))
    new = commit(warroom_repo, git_env, "2026-03-02T11:00:00+00:00", "ack other")
    second = _cached_run(warroom_repo)
    assert second[ID] == first[ID]
    assert second[OTHER].acknowledged == Change(when("2026-03-02T11:00:00+00:00"), new, ALICE)
    assert _cached_run(warroom_repo, landed=True) == _cached_run(warroom_repo, landed=True)


def test_the_cache_survives_an_amended_commit(
        warroom_repo: Path, git_env: dict[str, str], merged: dict[str, str]) -> None:
    write(warroom_repo, incident(OTHER, commander="@c"))
    commit(warroom_repo, git_env, "2026-03-02T11:00:00+00:00", "ack other")
    before = _cached_run(warroom_repo)
    run_git(warroom_repo, git_env, "commit", "-q", "--amend", "-m", "amended",
            date="2026-03-02T12:00:00+00:00")
    amended = run_git(warroom_repo, git_env, "rev-parse", "HEAD").strip()
    after = read_history(warroom_repo, now=NOW)
    assert before[OTHER].acknowledged.at == when("2026-03-02T11:00:00+00:00")  # type: ignore[attr-defined]
    assert after.recorded[OTHER].acknowledged == Change(when("2026-03-02T12:00:00+00:00"),
                                                        amended, ALICE)
    assert after == read_history(warroom_repo, now=NOW, use_cache=False)


def test_the_cache_survives_a_reset_to_another_branch(
        warroom_repo: Path, git_env: dict[str, str], merged: dict[str, str]) -> None:
    run_git(warroom_repo, git_env, "branch", "old", merged["other"])
    full = _cached_run(warroom_repo)
    assert full[ID].acknowledged is not None  # type: ignore[attr-defined]
    run_git(warroom_repo, git_env, "reset", "-q", "--hard", "old")
    after = read_history(warroom_repo, now=NOW)
    assert after.recorded[ID].acknowledged is None and len(after.recorded[ID].updates) == 1
    assert after == read_history(warroom_repo, now=NOW, use_cache=False)
    # Landed mode checks the first-parent chain too: a saved fold from a side branch is
    # an ancestor of main after the merge, but not on its first-parent chain.
    run_git(warroom_repo, git_env, "reset", "-q", "--hard", merged["resolve"])
    run_git(warroom_repo, git_env, "checkout", "-q", "ack")
    read_history(warroom_repo, now=NOW, landed=True)
    run_git(warroom_repo, git_env, "checkout", "-q", "main")
    assert read_history(warroom_repo, now=NOW, landed=True) == read_history(
        warroom_repo, now=NOW, landed=True, use_cache=False)


def test_a_corrupt_cache_is_ignored(warroom_repo: Path, merged: dict[str, str]) -> None:
    expected = read_history(warroom_repo, now=NOW, use_cache=False)
    read_history(warroom_repo, now=NOW)
    damaged = list((cache_root(warroom_repo) / CACHE_DIR).glob("*.pickle"))
    assert damaged  # the blobs and the fold
    for path in damaged:
        path.write_bytes(b"\x80\x05not a pickle")
    assert read_history(warroom_repo, now=NOW) == expected


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_planted_cache_runs_no_code(warroom_repo: Path, merged: dict[str, str],
                                      tmp_path: Path) -> None:
    """The cache is pickled plain values read with no class allowed: a pickle that would
    call something when loaded is refused, and history is read as if there were none."""
    import pickle

    expected = read_history(warroom_repo, now=NOW, use_cache=False)
    read_history(warroom_repo, now=NOW)
    marker = tmp_path / "ran"
    for path in (cache_root(warroom_repo) / CACHE_DIR).glob("*.pickle"):
        path.write_bytes(pickle.dumps({"format": 4, "planted": _Planted(marker)}))
    assert read_history(warroom_repo, now=NOW) == expected
    assert not marker.exists()


def test_an_older_warrooms_json_cache_is_swept(warroom_repo: Path,
                                               merged: dict[str, str]) -> None:
    folder = cache_root(warroom_repo) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    legacy = [folder / "blobs.json", folder / f"merged-{'0' * 40}.json"]
    for path in legacy:
        path.write_text("{}", encoding="utf-8")
    read_history(warroom_repo, now=NOW)
    assert not any(path.exists() for path in legacy)
