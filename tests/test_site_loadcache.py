"""The build's load cache never changes an answer: stat fast path, racy files, delta and
compaction, corrupt files, and the worker pool, on real files."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from warroom.model import Window
from warroom.repo import incident_files, load_repository
from warroom.site import cache, files, loadcache, loadpickle
from warroom.site.cache import LoadCache, Loaded, load_incidents

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import write_config, write_incidents

INVALID = sorted((ROOT / "tests" / "cases" / "invalid").glob("2026-0[3-8]-*.yaml"))
PAST = time.time_ns() - 3600 * 10**9  # an hour ago: not racy
FUTURE = time.time_ns() + 3600 * 10**9  # racy for any cache made before then


def shape(loaded: Loaded) -> tuple[Any, ...]:
    return loaded.config is not None, loaded.incidents, loaded.problems, loaded.digests


def age(paths: list[Path], when: int = PAST) -> None:
    for path in paths:
        os.utime(path, ns=(when, when))


def settle(root: Path) -> None:
    """Wait until the file system's clock has passed every file's ctime. A file changed in
    the tick the cache is made in is hashed again on the next load, by design (racy git);
    the kernel's clock ticks every few milliseconds, so a fast test can land in that tick."""
    newest = max(p.stat().st_ctime_ns for p in root.rglob("*") if p.is_file())
    probe = root.parent / ".settle"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > newest:
            break
        time.sleep(0.001)
    probe.unlink()


def make_repo(root: Path, n: int, seed: int, invalid: list[Path]) -> Path:
    """n generated incidents and the `invalid` files, aged and settled (see settle)."""
    root.mkdir()
    write_config(root)
    write_incidents(root, n, seed=seed)
    (root / "incidents" / "2026").mkdir(exist_ok=True)
    for case in invalid:
        shutil.copyfile(case, root / "incidents" / "2026" / case.name)
    age(incident_files(root))
    settle(root)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", 24, 7, list(INVALID))


@pytest.fixture
def store(tmp_path: Path) -> LoadCache:
    return LoadCache(tmp_path / "cache")


class Counter:
    """Counts the files read and the files parsed by the load."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.parsed: list[str] = []
        monkeypatch.setattr(cache, "read_bytes", self._wrap(cache.read_bytes, self.read))
        monkeypatch.setattr(cache, "check_incident_bytes",
                            self._wrap(cache.check_incident_bytes, self.parsed))

    @staticmethod
    def _wrap(function: Callable[..., Any], seen: list[str]) -> Callable[..., Any]:
        def wrapped(first: Any, display: str, *rest: Any) -> Any:
            seen.append(display)
            return function(first, display, *rest)
        return wrapped


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def first_valid(root: Path) -> Path:
    return root / load_incidents(root, None).incidents[0].path


def test_warm_equals_cold_equals_a_plain_load(repo: Path, store: LoadCache) -> None:
    cold = load_incidents(repo, store)
    warm = load_incidents(repo, store)
    plain = load_repository(repo)
    assert shape(warm) == shape(cold)
    assert (cold.incidents, cold.problems) == (plain.incidents, plain.problems)
    assert len(cold.incidents) == 24 and cold.problems
    assert cold.digests == {i.id: hashlib.sha256((repo / i.path).read_bytes()).hexdigest()
                            for i in cold.incidents}


def test_a_warm_load_opens_no_incident_file_and_writes_nothing(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_incidents(repo, store)
    before = store.path.stat()
    counter = Counter(monkeypatch)
    assert shape(load_incidents(repo, store)) == shape(cold)
    assert counter.read == counter.parsed == []
    assert store.path.stat().st_mtime_ns == before.st_mtime_ns
    assert not store.delta_path.exists()
    assert [p.name for p in store.folder.iterdir()] == ["load.pickle"]  # no temporary left


def test_a_changed_file_is_read_again_and_only_the_delta_is_written(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    load_incidents(repo, store)
    base = store.path.read_bytes()
    target = first_valid(repo)
    edit(target, 'title: "', 'title: "Edited: ')
    counter = Counter(monkeypatch)
    after = load_incidents(repo, store)
    assert counter.parsed == [target.relative_to(repo).as_posix()]
    assert shape(after) == shape(load_incidents(repo, None))
    assert any(i.title.startswith("Edited: ") for i in after.incidents)
    assert store.path.read_bytes() == base and store.delta_path.exists()
    assert shape(load_incidents(repo, store)) == shape(after)  # base + delta read back


def test_a_touched_file_is_hashed_not_parsed(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_incidents(repo, store)
    target = first_valid(repo)
    os.utime(target, ns=(PAST + 10**9, PAST + 10**9))
    settle(repo)
    counter = Counter(monkeypatch)
    assert shape(load_incidents(repo, store)) == shape(cold)
    assert counter.read == [target.relative_to(repo).as_posix()] and counter.parsed == []
    counter.read.clear()
    load_incidents(repo, store)  # the new stat was stored
    assert counter.read == []


def test_deleted_and_added_files(repo: Path, store: LoadCache) -> None:
    load_incidents(repo, store)
    gone = first_valid(repo)
    gone_id = gone.stem
    new_id = f"{gone_id[:10]}-added"
    added = gone.with_name(f"{new_id}.yaml")
    shutil.copyfile(gone, added)
    gone.unlink()
    edit(added, f"id: {gone_id}", f"id: {new_id}")
    after = load_incidents(repo, store)
    ids = {i.id for i in after.incidents}
    assert gone_id not in ids and gone_id not in after.digests and new_id in ids
    assert shape(after) == shape(load_incidents(repo, None))
    assert shape(load_incidents(repo, store)) == shape(after)


def test_only_deleted_files_still_update_the_cache(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    load_incidents(repo, store)
    first_valid(repo).unlink()
    after = load_incidents(repo, store)
    counter = Counter(monkeypatch)
    assert shape(load_incidents(repo, store)) == shape(after)
    assert counter.read == []
    assert len(store.read(next(iter(_headers(store))))) == len(incident_files(repo))


def _headers(store: LoadCache) -> list[str]:
    outer = loadpickle._safe_load(store.path.read_bytes())
    return [outer[1]]


def test_a_changed_configuration_or_code_invalidates_everything(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    load_incidents(repo, store)
    files = len(incident_files(repo))
    with (repo / "warroom.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment changes the bytes\n")
    counter = Counter(monkeypatch)
    after = load_incidents(repo, store)
    assert len(counter.parsed) == files
    assert shape(after) == shape(load_incidents(repo, None))
    counter.parsed.clear()
    load_incidents(repo, store)
    assert counter.parsed == []
    monkeypatch.setattr(cache, "code_digest", lambda: "another warroom")
    load_incidents(repo, store)
    assert len(counter.parsed) == files


def test_an_edit_keeping_size_and_mtime_is_seen(repo: Path, store: LoadCache) -> None:
    """The real stat: within one timestamp granule, either ctime moved or the entry was
    stored as racy; either way the edit is seen."""
    target = first_valid(repo)
    target.write_text(target.read_text(encoding="utf-8"), encoding="utf-8")  # fresh mtime
    load_incidents(repo, store)
    info = target.stat()
    edit(target, 'title: "', 'title: "X')
    edit(target, '"\n', "\n")  # same size again, but another title
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert target.stat().st_size == info.st_size
    after = load_incidents(repo, store)
    assert shape(after) == shape(load_incidents(repo, None))


def _same_size_edit(target: Path, when: int) -> None:
    edit(target, 'title: "', 'title: "X')
    edit(target, '"\n', "\n")
    os.utime(target, ns=(when, when))


@pytest.fixture
def no_ctime(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stat without ctime: only the racy rule can see an edit that keeps size and mtime
    (on a real file system ctime moves too, so these edits are made visible that way)."""
    monkeypatch.setattr(files, "_signature",
                        lambda info: (info.st_size, info.st_mtime_ns, info.st_ino, 0))


@pytest.mark.usefixtures("no_ctime")
def test_a_racy_file_is_hashed_again_and_its_edit_seen(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    target = first_valid(repo)
    rel = target.relative_to(repo).as_posix()
    age([target], FUTURE)  # not older than the cache: racy
    cold = load_incidents(repo, store)
    header = _headers(store)[0]
    assert store.read(header)[rel][0] is None
    counter = Counter(monkeypatch)
    assert shape(load_incidents(repo, store)) == shape(cold)
    assert counter.read == [rel] and counter.parsed == []  # hashed, same bytes: not parsed
    _same_size_edit(target, FUTURE)
    after = load_incidents(repo, store)
    assert after.incidents != cold.incidents
    assert shape(after) == shape(load_incidents(repo, None))


@pytest.mark.usefixtures("no_ctime")
def test_without_the_racy_rule_the_same_edit_would_be_missed(
        repo: Path, store: LoadCache) -> None:
    """The control: the same edit of a file older than the cache is invisible to a stat
    without ctime, so the test above passes because of the racy rule."""
    target = first_valid(repo)
    cold = load_incidents(repo, store)
    _same_size_edit(target, PAST)
    assert load_incidents(repo, store).incidents == cold.incidents
    assert load_incidents(repo, None).incidents != cold.incidents


@pytest.mark.parametrize("damage", [
    lambda raw: b"garbage",
    lambda raw: raw[: len(raw) // 2],
    lambda raw: raw[:-1],
    lambda raw: b"",
])
def test_a_corrupt_cache_is_ignored_and_rebuilt(
        repo: Path, store: LoadCache, damage: Callable[[bytes], bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_incidents(repo, store)
    store.path.write_bytes(damage(store.path.read_bytes()))
    counter = Counter(monkeypatch)
    assert shape(load_incidents(repo, store)) == shape(cold)
    assert len(counter.parsed) == len(incident_files(repo))
    counter.parsed.clear()
    assert shape(load_incidents(repo, store)) == shape(cold)
    assert counter.parsed == []


def test_a_corrupt_or_foreign_delta_is_ignored(repo: Path, store: LoadCache) -> None:
    load_incidents(repo, store)
    target = first_valid(repo)
    edit(target, 'title: "', 'title: "Edited: ')
    load_incidents(repo, store)
    good = store.delta_path.read_bytes()
    expected = shape(load_incidents(repo, None))
    store.delta_path.write_bytes(good[:-3])
    assert shape(load_incidents(repo, store)) == expected  # file re-read: the stat moved on
    header = _headers(store)[0]
    rel = target.relative_to(repo).as_posix()
    store.delta_path.write_bytes(loadpickle.dump((loadcache._FORMAT, header, "another base",
                                                 {rel: None})))
    assert rel in store.read(header)  # that delta says deleted, but over another base
    assert shape(load_incidents(repo, store)) == expected


def test_entries_of_the_wrong_shape_are_not_trusted(repo: Path, store: LoadCache) -> None:
    cold = load_incidents(repo, store)
    header = _headers(store)[0]
    entries = store.read(header)
    store.write(header, {k: ("not", "an entry") for k in entries})
    assert shape(load_incidents(repo, store)) == shape(cold)


def test_a_large_delta_is_folded_into_the_base_reusing_unchanged_chunks(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadcache, "CHUNK", 4)
    monkeypatch.setattr(loadcache, "DELTA_MIN", 1)
    monkeypatch.setattr(loadcache, "DELTA_SHARE", 10**6)
    load_incidents(repo, store)
    chunks = loadpickle._safe_load(store.path.read_bytes())[3]
    assert len(chunks) > 4
    valid = [repo / i.path for i in load_incidents(repo, None).incidents]
    edit(valid[0], 'title: "', 'title: "One: ')
    load_incidents(repo, store)
    assert store.delta_path.exists()
    assert loadpickle._safe_load(store.path.read_bytes())[3] == chunks
    edit(valid[1], 'title: "', 'title: "Two: ')
    after = load_incidents(repo, store)
    assert not store.delta_path.exists()
    folded = loadpickle._safe_load(store.path.read_bytes())[3]
    kept = set(chunks) & set(folded)
    assert len(chunks) - 2 <= len(kept) < len(chunks)  # only the edited files' chunks
    assert shape(after) == shape(load_incidents(repo, None))
    assert shape(load_incidents(repo, store)) == shape(after)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_worker_pool_gives_exactly_the_serial_result(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    serial = load_incidents(repo, None)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 2)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")
    monkeypatch.setattr(cache, "_start_method", lambda: method)
    parallel = load_incidents(repo, store)
    assert shape(parallel) == shape(serial)
    # One chunk per worker task (a serial load stores one chunk of up to CHUNK entries).
    assert len(loadpickle._safe_load(store.path.read_bytes())[3]) > 1
    assert shape(load_incidents(repo, store)) == shape(serial)  # their chunks, read back


def test_duplicate_ids_are_reported_as_a_plain_load_does(
        repo: Path, store: LoadCache) -> None:
    load_incidents(repo, store)  # a listing without a clash first: its answer is kept
    original = first_valid(repo)
    clash = repo / "incidents" / "2025" / original.name
    clash.parent.mkdir(exist_ok=True)
    shutil.copyfile(original, clash)
    plain = load_repository(repo)
    assert "duplicate-id" in {p.code for p in plain.problems}
    for loaded in (load_incidents(repo, store), load_incidents(repo, store)):
        assert (loaded.incidents, loaded.problems) == (plain.incidents, plain.problems)
        assert set(loaded.digests) == {i.id for i in plain.incidents}


def test_the_listing_is_repo_incident_files(repo: Path) -> None:
    (repo / "incidents" / ".hidden").mkdir()
    (repo / "incidents" / ".hidden" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    (repo / "incidents" / "2026" / ".draft.yaml").write_text("id: d\n", encoding="utf-8")
    (repo / "incidents" / "2026" / "notes.txt").write_text("n\n", encoding="utf-8")
    (repo / "incidents" / "2026" / "short.yml").write_text("id: short\n", encoding="utf-8")
    # What os.walk does with links and odd names, incident_paths does too.
    (repo / "incidents" / "2026" / "folder.yaml").mkdir()
    (repo / "incidents" / "2026" / "folder.yaml" / "inner.yaml").write_text(
        "id: inner\n", encoding="utf-8")
    (repo / "incidents" / "linked").symlink_to(repo / "incidents" / "2026")
    (repo / "incidents" / "linked.yaml").symlink_to(repo / "incidents" / "2026")
    (repo / "incidents" / "2026" / "link.yaml").symlink_to(repo / "incidents" / "2026"
                                                            / "short.yml")
    (repo / "incidents" / "2026" / "broken.yaml").symlink_to(repo / "nowhere.yaml")
    assert files.incident_paths(repo) == [
        p.relative_to(repo).as_posix() for p in incident_files(repo)]
    found = files.incident_paths(repo)
    assert {"incidents/2026/short.yml", "incidents/2026/link.yaml",
            "incidents/2026/broken.yaml", "incidents/2026/folder.yaml/inner.yaml"} <= set(found)
    assert not any(path.startswith("incidents/linked") for path in found)


def test_temporaries_left_by_a_killed_build_are_swept(repo: Path, store: LoadCache) -> None:
    store.folder.mkdir(parents=True)
    old = store.folder / ".load.999999.deadbeef.tmp"
    young = store.folder / ".load.999998.cafebabe.tmp"
    old.write_bytes(b"half a pickle")
    young.write_bytes(b"another build, loading now")
    age([old], PAST - 60 * 10**9)  # over an hour old
    load_incidents(repo, store)
    assert not old.exists() and young.exists()


def test_equal_strings_and_times_are_stored_once_and_come_back_equal(
        repo: Path, store: LoadCache) -> None:
    plain = load_incidents(repo, None)
    load_incidents(repo, store)
    entries = store.read(_headers(store)[0])
    assert shape(load_incidents(repo, store)) == shape(plain)
    loaded = [entries[i.path][2] for i in plain.incidents]
    assert loaded == plain.incidents
    for incident in loaded:
        key = next(k for k, e in entries.items() if e[2] is incident)
        assert key is incident.path  # the key and the path: one string
    statuses = {id(u.status) for i in loaded for u in i.updates if u.status == "resolved"}
    assert len(statuses) == 1  # one string for every "resolved"
    impacts = [c for i in loaded for c in i.components]
    assert len({id(c) for c in impacts}) == len(set(impacts)) < len(impacts)
    fresh = load_incidents(repo, None).incidents  # no string shared yet
    assert len(loadpickle.dump(fresh)) < 0.8 * len(pickle.dumps(fresh))


def test_only_times_that_pickle_the_same_are_shared() -> None:
    utc = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    paris = datetime(2026, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    folded = utc.replace(fold=1)
    named = utc.replace(tzinfo=timezone(timedelta(0), "Z"))
    again = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert utc == paris == folded == named == again  # equal, yet written differently
    times = (utc, paris, folded, named, again)
    windows = loadpickle._safe_load(loadpickle.dump([Window(t, t) for t in times]))
    back = [w.start for w in windows] + [w.end for w in windows]
    assert [(t.isoformat(), t.fold, t.tzname()) for t in back] == [
        (t.isoformat(), t.fold, t.tzname()) for t in times + times]
    assert back[0] is back[4] and len({id(t) for t in back}) == 4
