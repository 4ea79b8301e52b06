"""What a history read leaves for the next read in the process (history_held): used only
while it applies, and what it gives is what a read from scratch finds."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from conftest import run_git
from history_support import commit, incident, init, when, write
from warroom import held, history_held
from warroom.cachedir import cache_root
from warroom.history import History, read_early, read_history
from warroom.history_cache import CACHE_DIR
from warroom.history_facts import FactReader, Facts, Version
from warroom.history_held import Owners

NOW = when("2026-04-01T00:00:00+00:00")
A, B, C = "2026-03-02-api-errors", "2026-03-03-db-down", "2026-03-04-cdn-slow"


@pytest.fixture
def repo(warroom_repo: Path, git_env: dict[str, str]) -> Path:
    held.forget()
    init(warroom_repo, git_env)
    commit(warroom_repo, git_env, "2026-03-01T08:00:00+00:00", "config")
    write(warroom_repo, incident(A))
    commit(warroom_repo, git_env, "2026-03-02T09:00:00+00:00", "declare A")
    return warroom_repo


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The git verbs started from now on."""
    verbs: list[str] = []
    real = subprocess.Popen

    class Spy(real):  # type: ignore[valid-type,misc]
        def __init__(self, args: list[str], *rest: object, **kw: object) -> None:
            verbs.append(next(a for a in args[1:] if not a.startswith("-") and "=" not in a))
            super().__init__(args, *rest, **kw)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    return verbs


def _same_as_fresh(repo: Path, got: History) -> None:
    fresh = read_history(repo, now=NOW, use_cache=False)
    assert got == fresh
    assert dict(got.recorded.items()) == dict(fresh.recorded.items())


def _primed(repo: Path) -> None:
    """A saved fold (first read), then a read from it that leaves a snapshot."""
    read_history(repo, now=NOW)
    read_history(repo, now=NOW)


def test_one_commit_on_reads_only_that_commit_and_agrees_with_a_fresh_read(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _primed(repo)
    verbs = _spy(monkeypatch)
    steps = [
        lambda: write(repo, incident(A, updates=2, commander="@a")),
        lambda: write(repo, incident(B)),
        # renamed (same content, new folder): its path changes, its history stays
        lambda: (repo / "incidents/2026" / f"{B}.yaml").rename(
            (repo / "incidents" / "moved").mkdir() or repo / "incidents/moved" / f"{B}.yaml"),
        # a second file claiming A's id: the first path in order owns it
        lambda: write(repo, incident(A, status="identified", updates=3), folder="2025"),
        lambda: (repo / "incidents/2025" / f"{A}.yaml").unlink(),
        lambda: write(repo, incident(C, status="resolved", updates=2)),
        lambda: (repo / "incidents/2026" / f"{C}.yaml").unlink(),  # deleted: a warning
    ]
    for n, step in enumerate(steps):
        step()
        commit(repo, git_env, f"2026-03-05T{10 + n:02d}:00:00+00:00", f"step {n}")
        verbs.clear()
        got = read_history(repo, now=NOW)
        assert "ls-tree" not in verbs and "merge-base" not in verbs, (n, verbs)
        _same_as_fresh(repo, got)
    assert "incident-deleted" in [p.code for p in got.problems]


def test_uncommitted_files_are_overlaid_on_the_snapshot_not_kept_in_it(
        repo: Path, git_env: dict[str, str]) -> None:
    _primed(repo)
    write(repo, incident(B))  # not committed
    write(repo, incident(A, updates=3))
    got = read_history(repo, now=NOW)
    _same_as_fresh(repo, got)
    assert got.recorded[B].declared.commit == ""
    run_git(repo, git_env, "checkout", "-q", "--", ".")
    (repo / "incidents/2026" / f"{B}.yaml").unlink()
    again = read_history(repo, now=NOW)  # same HEAD: the snapshot, without the overlay
    _same_as_fresh(repo, again)
    assert B not in again.recorded


def test_head_moved_elsewhere_takes_the_long_way(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    base = run_git(repo, git_env, "rev-parse", "HEAD").strip()
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-02T10:00:00+00:00", "update")
    _primed(repo)
    # force-push style: the snapshot's commit is no longer an ancestor of HEAD
    run_git(repo, git_env, "reset", "-q", "--hard", base)
    write(repo, incident(A, status="resolved", updates=2))
    commit(repo, git_env, "2026-03-02T11:00:00+00:00", "rewritten")
    verbs = _spy(monkeypatch)
    got = read_history(repo, now=NOW)
    assert "ls-tree" in verbs
    _same_as_fresh(repo, got)
    # two commits on from the snapshot's: the long way too (its parent is not HEAD's)
    for n in range(2):
        write(repo, incident(A, status="resolved", updates=3 + n))
        commit(repo, git_env, f"2026-03-02T1{2 + n}:00:00+00:00", f"more {n}")
    verbs.clear()
    got = read_history(repo, now=NOW)
    assert "ls-tree" in verbs
    _same_as_fresh(repo, got)


def test_another_repository_never_gets_the_snapshot(
        tmp_path: Path, repo: Path, git_env: dict[str, str]) -> None:
    _primed(repo)
    other = tmp_path / "other"
    run_git(tmp_path, git_env, "clone", "-q", str(repo), str(other))
    write(other, incident(A, status="resolved", updates=4))
    commit(other, git_env, "2026-03-03T09:00:00+00:00", "other")
    got = read_history(other, now=NOW)
    _same_as_fresh(other, got)
    assert got.recorded[A].resolved is not None
    assert read_history(repo, now=NOW).recorded[A].resolved is None


def test_a_saved_fold_replaced_on_disk_drops_the_snapshot(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _primed(repo)
    folds = sorted((cache_root(repo) / CACHE_DIR).glob("merged-*.pickle"))
    assert folds, "no saved fold"
    for fold in folds:
        fold.write_bytes(b"damaged")
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "update")
    verbs = _spy(monkeypatch)
    got = read_history(repo, now=NOW)
    assert "ls-tree" in verbs  # not the snapshot: its saved fold is not as it was
    _same_as_fresh(repo, got)
    assert got.since is None  # nothing usable saved: read from the start


def test_a_damaged_entry_found_late_reads_again_and_drops_the_snapshot(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshots of the saved folds go; the one of the fold the read again saves is
    what that read found."""
    write(repo, incident(B))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "B")
    _primed(repo)
    from warroom.history_acc import Damaged, Saved
    real = Saved.recorded

    def broken(self: Saved, ident: str, path: str | None, updates: int | None) -> object:
        if ident == B:  # as an entry of a damaged file does
            raise Damaged(f"saved fold entry of {ident}")
        return real(self, ident, path, updates)

    monkeypatch.setattr(Saved, "recorded", broken)
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-03T10:00:00+00:00", "update")
    got = read_history(repo, now=NOW)
    top = Path(run_git(repo, git_env, "rev-parse", "--show-toplevel").strip())
    kind = history_held.kind(top, "incidents")
    folds = list((cache_root(repo) / CACHE_DIR).glob("merged-*.pickle"))
    assert any(held.recall(f, kind)[1] is not None for f in folds)  # left by the read
    assert dict(got.recorded.items())[B].declared.commit  # answered by the read again
    assert all(held.recall(f, kind)[1] is None for f in folds)  # dropped with it
    monkeypatch.setattr(Saved, "recorded", real)
    again = read_history(repo, now=NOW)  # from the fold the read again saved, at HEAD
    assert again.since == got.head
    _same_as_fresh(repo, again)


def test_owners_kept_path_by_path_match_owners_made_from_scratch() -> None:
    rng = random.Random(7)
    ids = [f"2026-01-0{n}-x" for n in range(1, 5)]
    paths = [f"incidents/{y}/{n}.yaml" for y in (2025, 2026) for n in range(4)]

    def version() -> Version | None:
        pick = rng.random()
        if pick < 0.2:
            return None
        if pick < 0.3:
            from warroom.history_facts import Unreadable
            return Unreadable(1, 1, "bad")
        return Facts(rng.choice([*ids, None]), "investigating", None, False,
                     rng.randint(0, 5), False)

    present: dict[str, Version] = {}
    owners = Owners.of(present)
    shared = 0  # steps where two files claimed one id
    for _ in range(400):
        path, new = rng.choice(paths), version()
        old = present.pop(path, None)
        if new is not None:
            present[path] = new
        copy, was = owners.copy(), (dict(owners.current), dict(owners.multi))
        owners.change(path, old, new, present)
        made = Owners.of(present)
        assert (owners.current, owners.multi) == (made.current, made.multi)
        assert (copy.current, copy.multi) == was  # a copy is not changed with it
        shared += bool(owners.multi)
    assert shared > 50


def test_known_facts_given_as_a_function_are_made_only_past_a_few_reads() -> None:
    raw = b"id: 2026-01-01-x\nstatus: resolved\nupdates:\n- status: resolved\n  message: m\n"
    made: list[int] = []
    facts = Facts("2026-01-01-x", "resolved", None, False, 1, False)

    def known() -> dict[str, Facts]:
        made.append(1)
        return {}

    reader = FactReader(known)
    for _ in range(4):
        assert reader.read(raw) == facts
    assert made == []
    reader.read(raw)
    assert made == [1]
    reader.read(raw)
    assert made == [1]


def test_read_early_starts_the_log_of_the_one_commit_since_the_snapshot(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _primed(repo)
    write(repo, incident(A, updates=2, commander="@a"))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "update")
    verbs = _spy(monkeypatch)
    early = read_early(repo)
    assert early.ahead is not None
    assert sorted(verbs) == ["log", "rev-parse", "status"]
    got = read_history(repo, now=NOW, early=early)
    early.close()
    assert sorted(verbs) == ["log", "rev-parse", "status"]  # nothing more
    _same_as_fresh(repo, got)
    assert got.recorded[A].acknowledged is not None


def test_an_early_log_that_does_not_apply_is_stopped(
        repo: Path, git_env: dict[str, str]) -> None:
    _primed(repo)
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "update")
    early = read_early(repo)
    ahead = early.ahead
    assert ahead is not None
    runs = [ahead._log] if ahead._log else []
    got = read_history(repo, now=NOW, early=early, landed=True)  # another mode: not used
    early.close()
    assert runs and all(r.process.returncode is not None and r.errors.closed for r in runs)
    assert got == read_history(repo, now=NOW, landed=True, use_cache=False)
    early = read_early(repo)  # the default mode's snapshot is still HEAD's parent's
    ahead = early.ahead
    assert ahead is not None and ahead._log is not None
    runs = [ahead._log]
    early.close()  # the build failed before reading the history
    assert all(r.process.returncode is not None and r.errors.closed for r in runs)


def test_the_read_that_saves_the_fold_holds_it_as_read_back(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("warroom.history_cache.RESAVE", 2)
    _primed(repo)
    reads: list[int] = []
    for n in range(5):  # saves at the second and fourth commit
        write(repo, incident(A, updates=2 + n, commander="@a" if n > 2 else None))
        commit(repo, git_env, f"2026-03-03T1{n}:00:00+00:00", f"update {n}")
        loads = _count_loads(monkeypatch)
        got = read_history(repo, now=NOW)
        reads.append(len(loads))
        _same_as_fresh(repo, got)
        assert got.touched is not None
    # no saved fold is read back from disk: each read follows the one before
    assert reads == [0] * 5
    # and a snapshot is held with one fold file only (the newest)
    top = Path(run_git(repo, git_env, "rev-parse", "--show-toplevel").strip())
    kind = history_held.kind(top, "incidents")
    folds = sorted((cache_root(repo) / CACHE_DIR).glob("merged-*.pickle"),
                   key=lambda f: f.stat().st_mtime_ns)
    assert len(folds) > 1
    assert [held.recall(f, kind)[1] is not None for f in folds] == [False] * (
        len(folds) - 1) + [True]


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    from warroom.history_store import Store
    loads: list[Path] = []
    real = Store._read

    def counted(self: Store, path: Path) -> object:
        loads.append(path)
        return real(self, path)

    monkeypatch.setattr(Store, "_read", counted)
    return loads


def test_a_version_not_in_the_working_tree_as_committed_is_asked_of_git(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _primed(repo)
    write(repo, incident(A, updates=2, commander="@a"))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "update")
    write(repo, incident(A, status="resolved", updates=3))  # edited again, not committed
    verbs = _spy(monkeypatch)
    got = read_history(repo, now=NOW)
    assert "cat-file" in verbs
    _same_as_fresh(repo, got)
    assert got.recorded[A].acknowledged is not None  # from the committed version
    assert got.recorded[A].resolved is not None and got.recorded[A].resolved.uncommitted


def test_a_parent_time_not_known_is_asked_and_checked(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "notes.txt").write_text("not an incident\n", encoding="utf-8")
    commit(repo, git_env, "2026-03-04T12:00:00+00:00", "outside the incidents folder")
    _primed(repo)  # its snapshot's commit changed no incident: its time is not known
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-04T11:00:00+00:00", "dated before its parent")
    verbs = _spy(monkeypatch)
    got = read_history(repo, now=NOW)
    assert "cat-file" in verbs and "ls-tree" not in verbs
    _same_as_fresh(repo, got)
    assert [p.code for p in got.problems] == ["commit-before-parent"]
    write(repo, incident(A, updates=3))
    commit(repo, git_env, "2026-03-04T10:00:00+00:00", "before its parent again")
    verbs.clear()
    got = read_history(repo, now=NOW)  # the parent's time was the commit read last
    assert "cat-file" not in verbs
    _same_as_fresh(repo, got)
    assert [p.code for p in got.problems] == ["commit-before-parent"] * 2


def test_another_branch_read_drops_the_snapshot_of_the_first(
        repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(A, updates=2))
    commit(repo, git_env, "2026-03-03T09:00:00+00:00", "update")
    _primed(repo)
    top = Path(run_git(repo, git_env, "rev-parse", "--show-toplevel").strip())
    kind = history_held.kind(top, "incidents")
    first = list((cache_root(repo) / CACHE_DIR).glob("merged-*.pickle"))
    assert [held.recall(f, kind)[1] is not None for f in first] == [True]
    run_git(repo, git_env, "checkout", "-q", "-b", "other", "HEAD~1")
    write(repo, incident(B))
    commit(repo, git_env, "2026-03-03T10:00:00+00:00", "other branch")
    got = read_history(repo, now=NOW)
    _same_as_fresh(repo, got)
    assert held.recall(first[0], kind)[1] is None  # no longer kept alongside
