"""The load cache's rows: each agrees with its incident, a load decides from them without
unpickling a chunk it need not, and a damaged or planted index is never trusted."""

from __future__ import annotations

import io
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from test_site_loadcache import INVALID, edit, make_repo, shape
from warroom import held
from warroom.cachedir import cache_root
from warroom.cli import cli
from warroom.history_facts import facts_of_incident
from warroom.repo import incident_files, load_repository
from warroom.site import cache, loadcache, loadpickle
from warroom.site.cache import LoadCache, load_incidents
from warroom.site.rows import (
    COMPONENTS,
    ID,
    PATH,
    STATUS,
    TIMES,
    TITLE,
    TYPE,
    VISIBILITY,
    facts_of_row,
    is_open,
    row_of,
    row_ok,
    rows_ok,
)

sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(loadcache, "CHUNK", 4)  # 40 incidents: 10 chunks
    return make_repo(tmp_path / "repo", 40, 3, list(INVALID[:3]))


@pytest.fixture
def store(tmp_path: Path) -> LoadCache:
    return LoadCache(tmp_path / "cache")


class Opened:
    """The Stored each load opens, to count the chunks it unpickled."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stored: list[loadcache.Stored] = []
        real = LoadCache.open

        def spy(this: LoadCache, header: str) -> loadcache.Stored:
            found = real(this, header)
            self.stored.append(found)
            return found

        monkeypatch.setattr(LoadCache, "open", spy)

    @property
    def unpickled(self) -> int:
        return self.stored[-1].unpickled


def check_rows(loaded: cache.Loaded) -> None:
    by_id = {i.id: i for i in loaded.incidents}
    assert [row[ID] for row in loaded.rows] == sorted(by_id)
    for row in loaded.rows:
        incident = by_id[row[ID]]
        assert row_ok(row) and rows_ok((row,))
        assert row == row_of(incident)
        assert (row[PATH], row[TYPE], row[STATUS], row[VISIBILITY], row[TITLE]) == (
            incident.path, incident.type, incident.status, incident.visibility,
            incident.title)
        assert row[COMPONENTS] == tuple((c.id, c.impact) for c in incident.components)
        assert row[TIMES][3] == (incident.resolved_at.isoformat()
                                 if incident.resolved_at else None)
        assert is_open(row) == incident.open
        assert facts_of_row(row) == facts_of_incident(incident)
        pickle.loads(pickle.dumps(row))  # plain values only: see row_ok's exact types


@pytest.mark.parametrize("source", ["generated", "golden", "cases"])
def test_every_row_agrees_with_its_incident(tmp_path: Path, repo: Path, store: LoadCache,
                                            source: str) -> None:
    if source == "golden":  # the golden site's repository: every kind of incident
        repo = tmp_path / source
        shutil.copytree(ROOT / "tests" / "golden" / "repo", repo)
    elif source == "cases":  # the validation cases, valid and not, under this config
        for path in (ROOT / "tests" / "cases").rglob("2*.yaml"):
            shutil.copyfile(path, repo / "incidents" / "2026" / path.name)
    cold = load_incidents(repo, store)
    assert cold.incidents and cold.rows
    check_rows(cold)
    warm = load_incidents(repo, store)
    assert warm.rows == cold.rows
    check_rows(warm)
    plain = load_incidents(repo, None)
    assert plain.rows == cold.rows
    assert shape(plain) == shape(cold) == shape(warm)
    assert plain.incidents == load_repository(repo).incidents


def test_rows_made_by_workers_are_the_serial_ones(repo: Path, store: LoadCache,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    serial = load_incidents(repo, None)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 2)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")
    monkeypatch.setattr(cache, "_start_method", lambda: "fork")
    checked = load_incidents(repo, store, incidents=False)  # rows from the workers' infos
    assert checked.rows == serial.rows and checked.incidents == []
    assert load_incidents(repo, store).rows == serial.rows
    check_rows(load_incidents(repo, store))


def test_an_edited_row_is_seen(repo: Path, store: LoadCache) -> None:
    load_incidents(repo, store)
    first = load_incidents(repo, None).incidents[0]
    edit(repo / first.path, 'title: "', 'title: "Edited: ')
    warm = load_incidents(repo, store)  # through the delta
    check_rows(warm)
    assert warm.rows[0][TITLE].startswith("Edited: ")
    check_rows(load_incidents(repo, store))


def test_a_load_unpickles_only_the_chunks_it_needs(repo: Path, store: LoadCache,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    full = load_incidents(repo, store)
    chunks = len(loadpickle._safe_load(store.path.read_bytes())[3])
    assert chunks == 11  # 43 files
    opened = Opened(monkeypatch)
    checked = load_incidents(repo, store, incidents=False)
    assert opened.unpickled == 0
    assert checked.rows == full.rows and checked.problems == full.problems
    one = full.incidents[17]
    picked = load_incidents(repo, store, incidents=lambda row: row[ID] == one.id)
    assert picked.incidents == [one]
    assert opened.unpickled == 1
    assert picked.digests == full.digests and picked.problems == full.problems
    # Files sort by date: a month's incidents sit in neighbouring chunks.
    month = [i.id for i in full.incidents if i.id[:7] == one.id[:7]]
    assert picked.materialise(month) == [i for i in full.incidents if i.id in month]
    assert opened.unpickled <= 1 + len(month) // 4 + 1
    assert picked.materialise(["no-such-id"]) == []
    # A process that has unpickled nothing yet (chunks unpickled are held for later loads
    # in one process, as in `warroom serve`: see warroom.held).
    held.forget()
    assert shape(load_incidents(repo, store)) == shape(full)
    # Every chunk holding an incident; not one holding only invalid files' entries.
    holding = {item[3] for item in _index(store)[1] if item[4] is not None}
    assert opened.unpickled == len(holding) < chunks
    # Loaded again in this process: every chunk is held already.
    assert shape(load_incidents(repo, store)) == shape(full)
    assert opened.unpickled == 0


def test_after_an_edit_the_edited_incident_needs_no_chunk(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    full = load_incidents(repo, store)
    edited, other = full.incidents[5], full.incidents[30]
    edit(repo / edited.path, 'title: "', 'title: "Edited: ')
    load_incidents(repo, store, incidents=False)  # the delta is written
    assert store.delta_path.exists()
    opened = Opened(monkeypatch)
    again = load_incidents(repo, store, incidents=lambda row: row[ID] == edited.id)
    assert opened.unpickled == 0 and again.incidents[0].title.startswith("Edited: ")
    assert load_incidents(repo, store, incidents=lambda r: r[ID] == other.id).incidents == [
        other]
    assert opened.unpickled == 1


def _index(store: LoadCache) -> tuple[tuple[Any, ...], list[Any]]:
    """The load cache's outer tuple, and its index as one item per entry (it is stored as
    columns: key, signature, sha256, chunk, row, problems)."""
    outer = loadpickle._safe_load(store.path.read_bytes())
    return outer, list(zip(*loadpickle._safe_load(outer[4]), strict=True))


def _plant(store: LoadCache, outer: tuple[Any, ...], index: Any, raw: bytes | None = None
           ) -> None:
    # Items of unequal length make columns of the shortest: a damage the check must see.
    columns = tuple(zip(*index, strict=False)) if index is not None else None
    store.path.write_bytes(loadpickle.dump(
        (*outer[:4], raw if raw is not None else loadpickle.dump(columns))))


@pytest.mark.parametrize("damage", [
    lambda item: (*item[:4], (*item[4][:2], 7, *item[4][3:]), item[5]),  # a number, not text
    lambda item: (*item[:4], item[4][:-1], item[5]),  # a field short
    lambda item: (*item[:3], 99, *item[4:]),  # no such chunk
    lambda item: (*item[:5], ["not a problem"]),
    lambda item: (item[0], (1, 2), *item[2:]),  # a signature of two numbers
    lambda item: item[:5],
    lambda item: (*item[:4], (*item[4][:7], (("api", 1),), *item[4][8:]), item[5]),
    lambda item: (*item[:4], (*item[4][:8], item[4][8][:5], item[4][9]), item[5]),
    lambda item: (*item[:4], (*item[4][:9], (1, 2, False)), item[5]),  # 1 is not a bool
])
def test_a_damaged_index_is_not_trusted(repo: Path, store: LoadCache, damage: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = shape(load_incidents(repo, None))
    load_incidents(repo, store)
    outer, index = _index(store)
    valid = next(n for n, item in enumerate(index) if item[4] is not None)
    index[valid] = damage(index[valid])
    if len(index[valid]) == 6 and index[valid][4] is not None:
        assert row_ok(index[valid][4]) == rows_ok((index[valid][4],))
    _plant(store, outer, index)
    parsed: list[str] = []
    real = cache.check_incident_bytes
    monkeypatch.setattr(cache, "check_incident_bytes",
                        lambda raw, rel, *rest: parsed.append(rel) or real(raw, rel, *rest))
    assert shape(load_incidents(repo, store)) == expected
    assert len(parsed) == len(incident_files(repo))  # the whole cache was set aside


def test_a_planted_index_cannot_run_code(repo: Path, store: LoadCache,
                                         tmp_path: Path) -> None:
    load_incidents(repo, store)
    outer, _ = _index(store)
    marker = tmp_path / "ran"
    payload = (pickle.PROTO + b"\x04" + pickle.GLOBAL + b"os\nsystem\n"
               + pickle.SHORT_BINUNICODE + bytes([len(f"touch {marker}")])
               + f"touch {marker}".encode() + pickle.TUPLE1 + pickle.REDUCE + pickle.STOP)
    with pytest.raises(pickle.UnpicklingError):
        cache._Unpickler(io.BytesIO(payload)).load()
    _plant(store, outer, None, payload)
    assert shape(load_incidents(repo, store)) == shape(load_incidents(repo, None))
    assert not marker.exists()


def test_a_damaged_chunk_under_a_sound_index_is_read_again(
        repo: Path, store: LoadCache, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_incidents(repo, None)
    load_incidents(repo, store)
    outer, index = _index(store)
    chunks = list(outer[3])
    chunks[2] = b"garbage"
    chunks[3] = loadpickle.dump({item[0]: ("not", "an entry") for item in index
                                if item[3] == 3})
    store.path.write_bytes(loadpickle.dump((*outer[:3], chunks, outer[4])))
    parsed: list[str] = []
    real = cache.check_incident_bytes
    monkeypatch.setattr(cache, "check_incident_bytes",
                        lambda raw, rel, *rest: parsed.append(rel) or real(raw, rel, *rest))
    assert shape(load_incidents(repo, store)) == shape(expected)
    assert sorted(parsed) == sorted(item[0] for item in index if item[3] in (2, 3)
                                    and item[4] is not None)


def test_sla_for_one_incident_unpickles_one_chunk(repo: Path, store: LoadCache,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    for case in INVALID[:3]:  # sla refuses a repository with errors
        (repo / "incidents" / "2026" / case.name).unlink()
    args = ["sla", "--format", "json", "--fail-on", "never", "--now",
            "2026-06-02T12:00:00+00:00", "--root", str(repo)]
    one = load_incidents(repo, None).incidents[21].id
    runner = CliRunner()
    before = runner.invoke(cli, [*args, "--incident", one], catch_exceptions=False)
    assert (cache_root(repo) / "site" / "load.pickle").exists()
    opened = Opened(monkeypatch)
    after = runner.invoke(cli, [*args, "--incident", one], catch_exceptions=False)
    assert opened.unpickled == 1
    assert (after.exit_code, after.stdout) == (before.exit_code, before.stdout)
    assert f'"id": "{one}"' in after.stdout
    held.forget()  # as a new process: the chunk unpickled above is not held
    everything = runner.invoke(cli, args, catch_exceptions=False)
    assert opened.unpickled == 10 and everything.stdout.count('"id": ') == 40
