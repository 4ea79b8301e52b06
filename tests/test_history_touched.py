"""`History.recorded` made on demand, and `History.touched`: which ids the commits read
since the saved fold (and the working tree) changed.

The contract a later stage relies on: an id outside `touched` whose file is as it was at
`since` has the very Recorded it had there; and `touched` holds no id whose fold entry is
unchanged (it is exact at the level of entries). Checked on random folds (Hypothesis, the
strategies of test_history_saved) and on real repositories after seeded random commits.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from history_support import commit, incident, init, write
from test_history_saved import PATHS, Entries, _feed, _reload, commits
from warroom.history import read_history
from warroom.history_acc import Acc, Fold, recorded
from warroom.history_view import RecordedView

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _entries(fold: Fold) -> dict[str, Acc]:
    """Every id's entry, decoded (one decoded since it was saved is in accs only)."""
    out = {}
    if fold.saved is not None:
        out = {i: fold.saved.acc(raw) for i, raw in fold.saved.entries.items()}
    out.update(fold.accs)
    return out


@settings(max_examples=300, deadline=None)
@given(commits, commits)
def test_touched_is_exactly_the_ids_whose_entry_changed(
        before: list[tuple[int, Entries]], after: list[tuple[int, Entries]]) -> None:
    old = Fold()
    _feed(old, before)
    was = _entries(_reload(old))
    resumed = _reload(old)
    _feed(resumed, after, len(before))
    now = _entries(resumed)
    touched = resumed.touched()
    assert touched is not None
    assert touched == {i for i in was.keys() | now.keys()
                       if was.get(i, Acc()) != now.get(i, Acc())}
    # Outside it, the same Recorded whatever the file's path and update count.
    for ident in now.keys() - touched:
        for path in (None, PATHS[0], "incidents/elsewhere.yaml"):
            for count in (None, 0, 1, 3):
                assert recorded(ident, was.get(ident, Acc()), path, count) == recorded(
                    ident, now[ident], path, count)
    assert Fold().touched() is None  # nothing saved: every entry is new


@settings(max_examples=200, deadline=None)
@given(commits, commits)
def test_the_view_answers_as_every_recorded_made_at_once(
        before: list[tuple[int, Entries]], after: list[tuple[int, Entries]]) -> None:
    fold = Fold()
    _feed(fold, before)
    fold = _reload(fold)
    _feed(fold, after, len(before))
    current = {"a": (PATHS[0], 1), "b": ("incidents/b.yaml", 9)}
    expected = {}  # what _finish put in a dict before
    for ident in fold.ids():
        rec = fold.recorded(ident, *current.get(ident, (None, None)))
        if rec is not None:
            expected[ident] = rec
    view = RecordedView(fold, current, "")
    assert list(view) == list(expected) and len(view) == len(expected)
    for ident in reversed(list(expected)):  # one by one, out of order
        assert view[ident] == expected[ident] and ident in view
    assert list(view.items()) == list(expected.items())  # then all, in order
    assert view.get("nobody") is None and "nobody" not in view
    fresh = RecordedView(fold, current, "")
    assert list(fresh.values()) == list(expected.values())
    assert fresh == expected


# --- on real repositories ---

def _edit(rng: random.Random, repo: Path, files: dict[str, dict[str, Any]]) -> None:
    """One random change: a new incident, more updates, a status, a title only, a rename to
    another year folder, a deletion."""
    kind = rng.choice(["new", "update", "status", "title", "move", "delete"]) \
        if files else "new"
    if kind == "new":
        ident = f"2026-0{rng.randint(1, 5)}-{rng.randint(10, 28)}-n{len(files)}"
        files[ident] = incident(ident, updates=rng.randint(1, 2))
        write(repo, files[ident])
        return
    ident = rng.choice(sorted(files))
    data = files[ident]
    old = next((repo / "incidents").rglob(f"{ident}.yaml"))
    if kind == "delete":
        old.unlink()
        del files[ident]
        return
    if kind == "update":
        data["updates"].append({"status": data["status"], "message": "More."})
    elif kind == "status":
        data["status"] = rng.choice(["identified", "monitoring", "resolved"])
        data["updates"].append({"status": data["status"], "message": "Now."})
    elif kind == "title":
        data["title"] += " (edited)"
    old.unlink()
    write(repo, data, rng.choice(["2026", "moved"]) if kind == "move" else None)


def _files(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes()
            for p in (repo / "incidents").rglob("*.yaml")}


def test_after_random_commits_untouched_ids_keep_their_recorded(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    init(warroom_repo, git_env)
    rng = random.Random(4)
    files: dict[str, dict[str, Any]] = {}
    day = 1
    for _ in range(5):
        _edit(rng, warroom_repo, files)
    first = commit(warroom_repo, git_env, "2026-05-01T09:00:00+00:00")
    read_history(warroom_repo, now=NOW)  # saves the fold at `first`
    at_first = read_history(warroom_repo, now=NOW, at=first, use_cache=False)
    files_first = files_before = _files(warroom_repo)
    ever: set[str] = set()  # ids whose file some step changed
    seen = set()
    for step in range(12):
        for _ in range(rng.randint(1, 2)):
            _edit(rng, warroom_repo, files)
        if step % 4 != 3:  # the others stay in the working tree
            day += 1
            commit(warroom_repo, git_env, f"2026-05-{day:02d}T09:00:00+00:00")
        history = read_history(warroom_repo, now=NOW)
        assert history.since == first and history.touched is not None
        everything = read_history(warroom_repo, now=NOW, use_cache=False)
        assert history == everything and list(history.recorded) == list(everything.recorded)
        assert everything.touched is None
        now_files = _files(warroom_repo)
        changed = {Path(p).stem for p in files_first.keys() | now_files.keys()
                   if files_first.get(p) != now_files.get(p)}
        ever |= {Path(p).stem for p in files_before.keys() | now_files.keys()
                 if files_before.get(p) != now_files.get(p)}
        files_before = now_files
        for ident, rec in history.recorded.items():
            if ident not in history.touched and ident not in changed:
                assert at_first.recorded.get(ident) == rec, ident
        # A fold entry only changes when a commit or the working tree changes its file (a
        # file moved and moved back is as it was, but its entry has one more path).
        assert history.touched <= ever
        seen |= history.touched
    assert seen  # the test saw some


def test_a_title_edit_touches_nothing_and_an_update_touches_its_id(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    init(warroom_repo, git_env)
    a, b = incident("2026-05-01-a", updates=1), incident("2026-05-02-b", updates=1)
    write(warroom_repo, a)
    write(warroom_repo, b)
    commit(warroom_repo, git_env, "2026-05-02T09:00:00+00:00")
    assert read_history(warroom_repo, now=NOW).touched is None  # nothing saved yet
    a["title"] = "Renamed"
    write(warroom_repo, a)
    commit(warroom_repo, git_env, "2026-05-03T09:00:00+00:00")
    assert read_history(warroom_repo, now=NOW).touched == frozenset()
    b["updates"].append({"status": "investigating", "message": "Still looking."})
    write(warroom_repo, b)
    assert read_history(warroom_repo, now=NOW).touched == {"2026-05-02-b"}  # uncommitted
    commit(warroom_repo, git_env, "2026-05-04T09:00:00+00:00")
    assert read_history(warroom_repo, now=NOW).touched == {"2026-05-02-b"}
