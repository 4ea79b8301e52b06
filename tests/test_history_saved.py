"""A saved fold, loaded lazily, must answer exactly as the fold it was saved from.

`Saved.recorded` builds the usual Recorded straight from a saved entry without decoding it
into an Acc; a fold that takes more commits decodes the ids they touch and saves the rest
as they were loaded. Random folds (merges, renames, deletions, severity changes, updates
out of order) are saved, reloaded and compared id by id, with every kind of current path
and update count.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from history_support import commit, incident, init, write
from warroom.cachedir import cache_root
from warroom.history import read_history
from warroom.history_acc import Damaged, Fold, Saved, Table, dump_fold, recorded
from warroom.history_cache import CACHE_DIR
from warroom.history_facts import Facts, Unreadable, Version
from warroom.recorded import Change

IDS = ("a", "b", "c")
PATHS = ("incidents/a.yaml", "incidents/b.yaml", "incidents/x/a.yaml")
START = datetime(2026, 3, 1, tzinfo=UTC)

facts = st.builds(Facts, st.sampled_from([*IDS, None]),
                  st.sampled_from(["investigating", "identified", "monitoring", "resolved"]),
                  st.sampled_from(["SEV1", "SEV2", None]), st.booleans(),
                  st.integers(0, 4), st.booleans())
versions = st.one_of(facts, st.just(Unreadable(1, 1, "bad")), st.none())
entry = st.tuples(st.sampled_from(PATHS), versions,
                  st.lists(st.tuples(st.sampled_from(PATHS), versions), max_size=2))
commits = st.lists(st.tuples(st.integers(-50, 50), st.lists(entry, min_size=1, max_size=3)),
                   min_size=1, max_size=8)

Entries = list[tuple[str, Version | None, list[tuple[str, Version | None]]]]


def _feed(fold: Fold, plan: list[tuple[int, Entries]], first: int = 0) -> None:
    for n, (minutes, entries) in enumerate(plan, first):
        # Dates out of order too: the earliest commit of a fact wins, whatever the order.
        fold.commit(Change(START + timedelta(minutes=minutes), f"{n:040x}", f"who{n % 2}"),
                    entries)


def _reload(fold: Fold) -> Fold:
    """Save and load again, through a pickle, as the history cache does."""
    saved, table = dump_fold(fold)
    data = pickle.loads(pickle.dumps({"fold": saved, **table.dump()}))
    return Fold(Saved(data["fold"], Table(data)))


def _answers(fold: Fold) -> dict[tuple[str, str | None, int | None], Any]:
    out = {}
    for ident in fold.ids():
        for path in (None, PATHS[0], "incidents/elsewhere.yaml"):
            for count in (None, 0, 1, 2, 9):
                out[(ident, path, count)] = fold.recorded(ident, path, count)
    return out


@settings(max_examples=200, deadline=None)
@given(commits)
def test_a_reloaded_fold_answers_as_the_fold_saved(plan: list[tuple[int, Entries]]) -> None:
    fold = Fold()
    _feed(fold, plan)
    loaded = _reload(fold)
    assert loaded.ids() == fold.ids()
    assert _answers(loaded) == _answers(fold)
    # The shortcut against the long way on the same saved entries.
    assert loaded.saved is not None
    for ident, raw in loaded.saved.entries.items():
        for count in (None, 0, 1, 3):
            assert loaded.saved.recorded(ident, None, count) == recorded(
                ident, loaded.saved.acc(raw), None, count)


@settings(max_examples=200, deadline=None)
@given(commits, commits)
def test_a_reloaded_fold_takes_more_commits_and_saves_again(
        before: list[tuple[int, Entries]], after: list[tuple[int, Entries]]) -> None:
    whole = Fold()
    _feed(whole, before)
    _feed(whole, after, len(before))
    resumed = Fold()
    _feed(resumed, before)
    resumed = _reload(resumed)
    _feed(resumed, after, len(before))  # decodes only the ids these touch
    assert _answers(resumed) == _answers(whole)
    assert _answers(_reload(resumed)) == _answers(whole)


def test_the_shortcut_is_taken_for_the_usual_entry() -> None:
    fold = Fold()
    declared = Facts("a", "investigating", "SEV1", False, 1, False)
    _feed(fold, [(0, [("incidents/a.yaml", declared, [])]),
                 (5, [("incidents/a.yaml", declared._replace(updates=3, commander=True),
                       [("incidents/a.yaml", declared)])])])
    loaded = _reload(fold)
    rec = loaded.recorded("a", "incidents/a.yaml", 2)
    assert loaded.saved is not None and "a" in loaded.saved.entries  # not decoded
    assert rec == fold.recorded("a", "incidents/a.yaml", 2)
    assert rec is not None and [u.commit for u in rec.updates] == [f"{0:040x}", f"{1:040x}"]


@pytest.mark.parametrize("damage", [
    lambda e: e.__setitem__(1, [99, -1, -1, -1, -1, -1]),  # a commit index out of range
    lambda e: e.__setitem__(2, [0, "x"]),
    lambda e: e.__setitem__(5, [0]),
    lambda e: e.__setitem__(1, [0]),
])
def test_a_damaged_entry_raises_damaged(damage: Any) -> None:
    fold = Fold()
    _feed(fold, [(0, [("incidents/a.yaml", Facts("a", "resolved", "SEV1", True, 2, False),
                       [])])])
    saved, table = dump_fold(fold)
    damage(saved[0])
    loaded = Fold(Saved(saved, table))
    with pytest.raises(Damaged):
        loaded.recorded("a", None, None)
    with pytest.raises(Damaged):
        loaded.acc("a")


def test_a_damaged_saved_fold_falls_back_to_reading_everything(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    now = datetime(2026, 4, 1, tzinfo=UTC)
    init(warroom_repo, git_env)
    for n in range(3):
        write(warroom_repo, incident(f"2026-03-0{n + 1}-thing", updates=1))
        commit(warroom_repo, git_env, f"2026-03-0{n + 1}T09:00:00+00:00")
    expected = read_history(warroom_repo, now=now, use_cache=False)
    read_history(warroom_repo, now=now)
    (saved,) = (cache_root(warroom_repo) / CACHE_DIR).glob("merged-*.pickle")
    data = pickle.loads(saved.read_bytes())
    data["fold"][0][1][0] = 10**6  # plain values, but the entry names no commit
    saved.write_bytes(pickle.dumps(data))
    assert read_history(warroom_repo, now=now) == expected
    # A good fold was saved in its place.
    assert pickle.loads(saved.read_bytes())["fold"][0][1][0] != 10**6
