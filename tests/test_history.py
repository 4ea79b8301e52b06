"""read_history on real repositories with pinned dates: what each commit recorded."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_git
from history_support import ALICE, commit, incident, init, when, write
from warroom.errors import WarroomError
from warroom.history import read_history
from warroom.recorded import Change, SeverityChange

NOW = when("2026-04-01T00:00:00+00:00")
ID = "2026-03-02-api-errors"
PATH = f"incidents/2026/{ID}.yaml"


@pytest.fixture
def repo(warroom_repo: Path, git_env: dict[str, str]) -> Path:
    init(warroom_repo, git_env)
    commit(warroom_repo, git_env, "2026-03-01T08:00:00+00:00", "config")
    return warroom_repo


def codes(history: object) -> list[str]:
    return [p.code for p in history.problems]  # type: ignore[attr-defined]


def test_each_fact_is_recorded_by_the_commit_that_introduced_it(
        repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID))
    c1 = commit(repo, git_env, "2026-03-02T09:05:00+01:00", "declare")
    write(repo, incident(ID, commander="@alice"))
    c2 = commit(repo, git_env, "2026-03-02T08:12:00+00:00", "commander",
                who=("Bob", "bob@example.com"))
    write(repo, incident(ID, commander="@alice", status="identified", updates=2,
                         severity="SEV2"))
    c3 = commit(repo, git_env, "2026-03-02T08:40:00+00:00", "identified")
    write(repo, incident(ID, commander="@alice", status="resolved", updates=3,
                         severity="SEV2", postmortem="draft"))
    c4 = commit(repo, git_env, "2026-03-02T10:00:00+00:00", "resolved")
    write(repo, incident(ID, commander="@alice", status="resolved", updates=3,
                         severity="SEV2", postmortem="published"))
    c5 = commit(repo, git_env, "2026-03-05T10:00:00+00:00", "postmortem")

    history = read_history(repo, now=NOW)
    rec = history.recorded[ID]
    assert history.head == c5 and history.problems == []
    assert rec.declared == Change(when("2026-03-02T09:05:00+01:00"), c1, ALICE)
    assert rec.declared.at.utcoffset() is not None and str(rec.declared.at.tzinfo) == "UTC+01:00"
    assert rec.acknowledged == Change(when("2026-03-02T08:12:00+00:00"), c2,
                                      "Bob <bob@example.com>")
    assert rec.identified == Change(when("2026-03-02T08:40:00+00:00"), c3, ALICE)
    # Jumping from identified to resolved reaches monitoring on the way.
    assert rec.monitoring == rec.resolved == Change(when("2026-03-02T10:00:00+00:00"), c4, ALICE)
    assert [u.commit for u in rec.updates] == [c1, c3, c4]
    assert rec.postmortem_published == Change(when("2026-03-05T10:00:00+00:00"), c5, ALICE)
    assert rec.severity_changes == (SeverityChange(rec.identified, "SEV1", "SEV2"),)
    assert rec.deleted is None and rec.path == PATH and rec.paths == (PATH,)


def test_a_squashed_history_records_everything_at_its_one_commit(
        repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID, commander="@a", status="resolved", updates=4,
                         postmortem="published"))
    only = commit(repo, git_env, "2026-03-03T12:00:00+00:00", "squash")
    rec = read_history(repo, now=NOW).recorded[ID]
    change = Change(when("2026-03-03T12:00:00+00:00"), only, ALICE)
    assert (rec.declared, rec.acknowledged, rec.identified, rec.monitoring, rec.resolved,
            rec.postmortem_published) == (change,) * 6
    assert rec.updates == (change,) * 4 and rec.severity_changes == ()


def test_a_moved_and_edited_file_keeps_its_history(repo: Path, git_env: dict[str, str]) -> None:
    first = write(repo, incident(ID))
    c1 = commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    first.unlink()
    write(repo, incident(ID, commander="@a", updates=2), folder="archive")
    c2 = commit(repo, git_env, "2026-03-02T10:00:00+00:00", "move")
    rec = read_history(repo, now=NOW).recorded[ID]
    assert rec.declared.commit == c1 and rec.updates[0].commit == c1
    assert rec.acknowledged is not None and rec.acknowledged.commit == c2
    assert rec.updates[1].commit == c2
    assert rec.path == f"incidents/archive/{ID}.yaml"
    assert rec.paths == (PATH, f"incidents/archive/{ID}.yaml") and rec.deleted is None


def test_a_deleted_incident_is_reported_not_forgotten(repo: Path,
                                                       git_env: dict[str, str]) -> None:
    path = write(repo, incident(ID, commander="@a"))
    c1 = commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    path.unlink()
    c2 = commit(repo, git_env, "2026-03-02T11:00:00+00:00", "delete")
    history = read_history(repo, now=NOW)
    rec = history.recorded[ID]
    assert rec.declared.commit == c1 and rec.acknowledged is not None
    assert rec.deleted == Change(when("2026-03-02T11:00:00+00:00"), c2, ALICE)
    assert rec.path == PATH
    [problem] = history.problems
    assert (problem.path, problem.code, problem.level.name) == (PATH, "incident-deleted",
                                                                "WARNING")
    assert c2[:12] in problem.message


def test_identity_is_the_id_inside_the_file(repo: Path, git_env: dict[str, str]) -> None:
    data = incident(ID)
    path = repo / "incidents" / "2026" / "misnamed.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    import yaml

    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    assert list(read_history(repo, now=NOW).recorded) == [ID]


def test_rebased_commits_count_from_their_new_date(repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    run_git(repo, git_env, "checkout", "-q", "-b", "fix")
    write(repo, incident(ID, commander="@a"))
    old = commit(repo, git_env, "2026-03-02T09:10:00+00:00", "ack")
    run_git(repo, git_env, "checkout", "-q", "main")
    write(repo, incident("2026-03-02-other"))
    commit(repo, git_env, "2026-03-02T09:20:00+00:00", "other")
    run_git(repo, git_env, "checkout", "-q", "fix")
    run_git(repo, git_env, "rebase", "-q", "main", date="2026-03-02T09:30:00+00:00")
    new = run_git(repo, git_env, "rev-parse", "HEAD").strip()
    rec = read_history(repo, now=NOW).recorded[ID]
    assert new != old
    assert rec.acknowledged == Change(when("2026-03-02T09:30:00+00:00"), new, ALICE)


def test_commits_out_of_order_and_in_the_future_are_flagged(
        repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    write(repo, incident(ID, commander="@a"))
    early = commit(repo, git_env, "2026-03-02T08:00:00+00:00", "skewed clock")
    write(repo, incident(ID, commander="@a", updates=2))
    future = commit(repo, git_env, "2026-05-01T00:00:00+00:00", "from the future")
    history = read_history(repo, now=NOW)
    rec = history.recorded[ID]
    # Kept as dated (flagged, not corrected): the commit is what recorded it.
    assert rec.acknowledged == Change(when("2026-03-02T08:00:00+00:00"), early, ALICE)
    assert rec.updates[1].commit == future
    found = {(p.code, p.path) for p in history.problems}
    assert found == {("commit-before-parent", PATH), ("commit-in-future", PATH)}
    before = next(p for p in history.problems if p.code == "commit-before-parent")
    assert early[:12] in before.message and "2026-03-02T09:00:00+00:00" in before.message
    assert codes(read_history(repo, now=when("2026-06-01T00:00:00+00:00"))) == [
        "commit-before-parent"]


def test_a_shallow_clone_is_refused(repo: Path, git_env: dict[str, str],
                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    write(repo, incident(ID, commander="@a"))
    commit(repo, git_env, "2026-03-02T10:00:00+00:00")
    clone = tmp_path_factory.mktemp("shallow") / "clone"
    run_git(repo, git_env, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    with pytest.raises(WarroomError) as caught:
        read_history(clone, now=NOW)
    assert "shallow" in caught.value.message and "fetch-depth: 0" in str(caught.value)


def test_uncommitted_files_count_as_recorded_now(repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID))
    c1 = commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    write(repo, incident(ID, commander="@a", updates=2))
    write(repo, incident("2026-03-03-new"))
    history = read_history(repo, now=NOW)
    rec, new = history.recorded[ID], history.recorded["2026-03-03-new"]
    now = Change(NOW, "", "")
    assert rec.declared.commit == c1 and rec.acknowledged == now and rec.updates[1] == now
    assert now.uncommitted and new.declared == now and new.updates == (now,)
    assert [(p.path, p.code, p.level.name) for p in history.problems] == [
        (PATH, "uncommitted-incident", "NOTICE"),
        ("incidents/2026/2026-03-03-new.yaml", "uncommitted-incident", "NOTICE")]
    assert "not committed yet" in history.problems[1].message


def test_an_uncommitted_deletion_is_reported(repo: Path, git_env: dict[str, str]) -> None:
    path = write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    path.unlink()
    history = read_history(repo, now=NOW)
    assert history.recorded[ID].deleted == Change(NOW, "", "")
    assert sorted(codes(history)) == ["incident-deleted", "uncommitted-incident"]


def test_outside_git_every_file_is_recorded_now(warroom_repo: Path) -> None:
    write(warroom_repo, incident(ID, commander="@a", updates=2))
    history = read_history(warroom_repo, now=NOW)
    now = Change(NOW, "", "")
    assert history.head is None
    assert history.recorded[ID].declared == now and history.recorded[ID].updates == (now, now)
    [notice] = history.problems
    assert (notice.code, notice.level.name) == ("no-git-history", "NOTICE")


def test_at_evaluates_the_repository_as_it_was(repo: Path, git_env: dict[str, str]) -> None:
    write(repo, incident(ID))
    c1 = commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    write(repo, incident(ID, commander="@a"))
    commit(repo, git_env, "2026-03-02T10:00:00+00:00")
    run_git(repo, git_env, "tag", "first", c1)
    write(repo, incident("2026-03-03-uncommitted"))
    history = read_history(repo, at="first", now=NOW)
    assert history.head == c1 and list(history.recorded) == [ID]
    assert history.recorded[ID].acknowledged is None and history.problems == []
    with pytest.raises(WarroomError, match="not a commit"):
        read_history(repo, at="no-such-branch", now=NOW)


def test_a_version_that_does_not_parse_is_skipped(repo: Path, git_env: dict[str, str]) -> None:
    path = write(repo, incident(ID))
    commit(repo, git_env, "2026-03-02T09:00:00+00:00")
    path.write_text(path.read_text() + "roles: {commander: '@a'\n", encoding="utf-8")
    broken = commit(repo, git_env, "2026-03-02T10:00:00+00:00", "broken")
    write(repo, incident(ID, commander="@a"))
    fixed = commit(repo, git_env, "2026-03-02T11:00:00+00:00", "fixed")
    history = read_history(repo, now=NOW)
    assert history.recorded[ID].acknowledged is not None
    assert history.recorded[ID].acknowledged.commit == fixed
    [notice] = history.problems
    assert (notice.code, notice.path) == ("unparsable-version", PATH)
    assert broken[:12] in notice.message and notice.line > 1


def test_a_repository_without_commits_has_only_uncommitted_files(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    init(warroom_repo, git_env)
    write(warroom_repo, incident(ID))
    history = read_history(warroom_repo, now=NOW)
    assert history.head is None or history.head == ""
    assert history.recorded[ID].declared == Change(NOW, "", "")
    assert codes(history) == ["uncommitted-incident"]


def test_a_warroom_root_inside_a_larger_repository(tmp_path: Path,
                                                   git_env: dict[str, str]) -> None:
    init(tmp_path, git_env)
    root = tmp_path / "ops"
    (root / "incidents").mkdir(parents=True)
    (root / "warroom.yaml").write_text("site: {title: x}\n", encoding="utf-8")
    (tmp_path / "incidents").mkdir()
    write(tmp_path, incident("2026-01-01-not-ours"))
    write(root, incident(ID))
    c1 = commit(tmp_path, git_env, "2026-03-02T09:00:00+00:00")
    history = read_history(root, now=NOW)
    assert list(history.recorded) == [ID]
    assert history.recorded[ID].path == PATH and history.recorded[ID].declared.commit == c1


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = subprocess.Popen

    class Spy(real):  # type: ignore[valid-type,misc]
        def __init__(self, args: list[str], *rest: object, **kw: object) -> None:
            calls.append(list(args))
            super().__init__(args, *rest, **kw)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    return calls


def _verbs(calls: list[list[str]]) -> list[str]:
    return [next(a for a in c[1:] if not a.startswith("-") and "=" not in a) for c in calls]


def test_git_runs_a_fixed_number_of_processes(repo: Path, git_env: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(6):
        write(repo, incident(f"2026-03-0{n + 1}-thing", updates=1))
        commit(repo, git_env, f"2026-03-0{n + 1}T09:00:00+00:00")
        write(repo, incident(f"2026-03-0{n + 1}-thing", updates=2, commander="@a"))
        commit(repo, git_env, f"2026-03-0{n + 1}T10:00:00+00:00")
    calls = _spy(monkeypatch)
    history = read_history(repo, now=NOW, use_cache=False)
    assert len(history.recorded) == 6
    verbs = _verbs(calls)
    assert verbs.count("log") == 1 and verbs.count("cat-file") == 1
    assert len(calls) <= 6, verbs


def test_a_cached_run_after_one_commit_runs_few_processes(
        repo: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, incident(ID, updates=1))
    commit(repo, git_env, "2026-03-01T09:00:00+00:00")
    read_history(repo, now=NOW)
    calls = _spy(monkeypatch)
    # Nothing new: no log, no objects; and the first read left what it saved (history_held):
    # no ls-tree either.
    same = read_history(repo, now=NOW)
    assert sorted(_verbs(calls)) == ["rev-parse", "status"]
    write(repo, incident(ID, updates=2, commander="@a"))
    commit(repo, git_env, "2026-03-01T10:00:00+00:00")
    calls.clear()
    # The read before left what it found for HEAD (history_held); HEAD is its child: no
    # merge-base, and the files come from the new commit's log (no ls-tree); the version it
    # made is the working tree's file, and its parent's time was known: no cat-file.
    after = read_history(repo, now=NOW)
    assert sorted(_verbs(calls)) == ["log", "rev-parse", "status"]
    assert after == read_history(repo, now=NOW, use_cache=False)
    assert same.recorded[ID].acknowledged is None
    assert after.recorded[ID].acknowledged is not None


def _split_tree(raw: bytes) -> dict[str, str]:
    """The reader parse_tree replaced: item by item."""
    out = {}
    for item in raw.split(b"\0"):
        meta, _, path = item.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            out[path.decode()] = parts[2].decode()
    return out


def test_parse_tree_reads_every_blob_entry_and_nothing_else() -> None:
    from warroom.history_log import parse_tree

    raw = b"".join([
        b"100644 blob " + b"a" * 40 + b"\tincidents/2026/x y\tz.yaml\0",  # space and tab
        b"160000 commit " + b"b" * 40 + b"\tincidents/sub\0",  # a submodule
        b"100755 blob " + b"c" * 64 + b"\tincidents/\xc3\xa9.yaml\0",  # sha-256, UTF-8
        b"120000 blob " + b"d" * 40 + b"\tincidents/link.yaml\0",
    ])
    assert parse_tree(raw) == _split_tree(raw) == {
        "incidents/2026/x y\tz.yaml": "a" * 40, "incidents/\u00e9.yaml": "c" * 64,
        "incidents/link.yaml": "d" * 40}
    assert parse_tree(b"") == {}
