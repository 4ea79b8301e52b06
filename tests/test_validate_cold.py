"""A cold whole-repository `warroom validate` checks the files in worker processes, which
pickle their entries for the load cache; validate needs only the problems, so it stores
those bytes without unpickling them. sla and build after it still find every incident in
the cache, and the answer is the one a load that unpickles them gives."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from test_site_loadcache import age, edit, settle, shape
from test_validate_loadcache import incident_texts, parsed_texts
from warroom import validation
from warroom.cachedir import cache_root
from warroom.cli import cli
from warroom.repo import incident_files, load_repository
from warroom.site import cache
from warroom.site.build import CACHE_DIR
from warroom.site.cache import LoadCache, load_incidents

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo, write_config, write_incidents

INVALID = sorted((ROOT / "tests" / "cases" / "invalid").glob("2026-0[3-8]-*.yaml"))


class Loads:
    """`pickle` as site.cache sees it, counting the worker chunks the parent unpickles."""

    def __init__(self) -> None:
        self.calls = 0

    def loads(self, raw: bytes) -> Any:
        self.calls += 1
        return pickle.loads(raw)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    """Workers for any two files to check (as for 10^4 on a real checkout)."""
    spy = Loads()
    monkeypatch.setattr(cache, "pickle", spy)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 2)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")
    monkeypatch.setattr(validation, "default_jobs", lambda: 2)
    return spy


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    write_config(root)
    write_incidents(root, 40, seed=11)
    (root / "incidents" / "2026").mkdir(exist_ok=True)
    for case in INVALID:
        (root / "incidents" / "2026" / case.name).write_bytes(case.read_bytes())
    age(incident_files(root))
    settle(root)
    return root


def test_validate_stores_the_workers_chunks_without_unpickling_them(
        repo: Path, tmp_path: Path, loads: Loads) -> None:
    store = LoadCache(tmp_path / "cache")
    plain = load_repository(repo)
    checked = load_incidents(repo, store, incidents=False)
    assert loads.calls == 0
    assert checked.problems == plain.problems and checked.problems
    assert (checked.valid, checked.files, checked.cached) == (
        len(plain.incidents), len(incident_files(repo)), 0)
    assert checked.incidents == [] and checked.digests == {}
    assert len(pickle.loads(store.path.read_bytes())[3]) > 1  # the workers' chunks
    # The control: a load that needs the incidents unpickles them (the spy can count).
    unpickled = load_incidents(repo, None)
    assert loads.calls > 0
    served = load_incidents(repo, store)  # what validate stored, read back
    assert served.cached == served.files
    assert shape(served) == shape(unpickled)
    assert (served.incidents, served.problems) == (plain.incidents, plain.problems)


def test_files_checked_by_workers_reach_the_delta_whole(
        repo: Path, tmp_path: Path, loads: Loads) -> None:
    """A few files changed since the last run: the delta holds their entries, Incidents
    included, though validate never unpickled them."""
    store = LoadCache(tmp_path / "cache")
    load_incidents(repo, store, incidents=False)
    edited = [repo / i.path for i in load_repository(repo).incidents[:3]]
    for path in edited:
        edit(path, 'title: "', 'title: "Edited: ')
    age(edited)
    settle(repo)
    again = load_incidents(repo, store, incidents=False)
    assert again.cached == again.files - 3 and loads.calls == 0
    assert store.delta_path.is_file()
    served = load_incidents(repo, store)
    assert served.cached == served.files
    plain = load_repository(repo)
    assert (served.incidents, served.problems) == (plain.incidents, plain.problems)
    assert sum(i.title.startswith("Edited: ") for i in served.incidents) == 3


def test_clashing_ids_count_as_in_a_full_load(repo: Path, tmp_path: Path,
                                              loads: Loads) -> None:
    original = repo / load_repository(repo).incidents[0].path
    (repo / "incidents" / "2019").mkdir()
    (repo / "incidents" / "2019" / original.name).write_bytes(original.read_bytes())
    full = load_incidents(repo, None)
    checked = load_incidents(repo, LoadCache(tmp_path / "cache"), incidents=False)
    assert "duplicate-id" in {p.code for p in checked.problems}
    assert (checked.problems, checked.valid) == (full.problems, len(full.incidents))
    assert full.valid == len(full.incidents)


def test_the_ci_sequence_with_workers_parses_each_file_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads) -> None:
    """test_validate_loadcache's CI test, with the workers a real repository gets."""
    repo = make_git_repo(tmp_path / "repo", 30)
    texts = incident_texts(repo)
    runner = CliRunner()
    done = runner.invoke(cli, ["validate", "--root", str(repo)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert loads.calls == 0
    seen = parsed_texts(monkeypatch)
    runner.invoke(cli, ["sla", "--root", str(repo)], catch_exceptions=False)
    done = runner.invoke(cli, ["build", "--out", str(tmp_path / "site"), "--root", str(repo)],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert [t for t in seen if t.replace("\r\n", "\n") in texts] == []
    loaded = load_incidents(repo, LoadCache(cache_root(repo) / CACHE_DIR))
    assert loaded.cached == loaded.files == len(texts)
