"""Cache files held in memory between builds of one process (warroom.held; `warroom serve`
rebuilds in one process): a held value serves only while its file is the very file it was
read from or written as, and no reader changes a value another build will be given."""

from __future__ import annotations

import os
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from warroom import held
from warroom.history_acc import Table
from warroom.site import catalogue as catalogue_module
from warroom.site import loadcache, pagecache
from warroom.site.catalogue import Catalogue
from warroom.site.loadcache import LoadCache
from warroom.site.pagecache import PageCache


@pytest.fixture(autouse=True)
def _nothing_held() -> None:
    held.forget()


def test_a_value_serves_while_the_file_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    path.write_bytes(b"one")
    now, value = held.recall(path, "kind")
    assert value is None
    held.keep(path, "kind", now, ["one"])
    assert held.recall(path, "kind")[1] == ["one"]
    assert held.recall(path, "other kind")[1] is None


def test_a_file_replaced_or_gone_or_rewritten_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    path.write_bytes(b"one")
    held.keep(path, "kind", held.identity(path), "one")
    spare = tmp_path / "new.tmp"
    spare.write_bytes(b"one")  # the same bytes, as an atomic writer would put them
    os.replace(spare, path)
    assert held.recall(path, "kind")[1] is None
    held.keep(path, "kind", held.identity(path), "two")
    with open(path, "ab") as handle:  # changed in place
        handle.write(b"!")
    assert held.recall(path, "kind")[1] is None
    held.keep(path, "kind", held.identity(path), "three")
    path.unlink()
    assert held.recall(path, "kind") == (None, None)


def _count(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    calls = [0]
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_catalogue_written_here_is_read_without_the_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, target = tmp_path / "cache", tmp_path / "site"
    written = Catalogue("settings", "head", None, None, {"a": "sha"})
    written.save(folder, target)
    bases = _count(monkeypatch, catalogue_module, "_read_base")
    deltas = _count(monkeypatch, catalogue_module, "_read_delta")
    assert Catalogue.read(folder, target, "settings") is written
    assert Catalogue.read(folder, target, "other settings") is None
    assert bases == deltas == [0]
    # Another process's delta replaces the file: it is read (the base is still held).
    path = Catalogue.delta_of(Catalogue.location(folder, target))
    raw = path.read_bytes()
    later = Catalogue("settings", "later", None, None, {"a": "sha2"}, base=written.base)
    later.save(folder, target)
    value = path.read_bytes()
    path.write_bytes(raw)  # as it was, then as the other process wrote it
    spare = path.with_suffix(".other")
    spare.write_bytes(value)
    os.replace(spare, path)
    found = Catalogue.read(folder, target, "settings")
    assert found is not None and found.head == "later" and found.files == {"a": "sha2"}
    assert deltas == [1] and bases == [0]
    # A base replaced too: both are read.
    base = Catalogue.location(folder, target)
    spare.write_bytes(base.read_bytes())
    os.replace(spare, base)
    found = Catalogue.read(folder, target, "settings")
    assert found is not None and found.head == "later" and bases == [1] and deltas == [2]


def test_a_ledger_written_here_is_read_without_the_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, target = tmp_path / "cache", tmp_path / "site"
    (target / "a").mkdir(parents=True)
    (target / "a" / "index.html").write_text("page", encoding="utf-8")
    PageCache(folder, target, "theme").remember({"a/index.html": "key"})
    reads = _count(monkeypatch, pagecache.PageCache, "_read")
    again = PageCache(folder, target, "theme")
    assert list(again.pages) == ["a/index.html"] and reads == [0]
    assert PageCache(folder, target, "another theme").empty()
    # remember makes a new dict: what the next build is given is not what it changes
    again.remember({})
    assert list(PageCache(folder, target, "theme").pages) == []


def test_the_load_index_is_read_once_and_each_load_gets_its_own_infos(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = LoadCache(tmp_path)
    entry = (None, "sha", None, [])
    cache.write("header", {"incidents/a.yaml": entry})
    bases = _count(monkeypatch, loadcache.LoadCache, "_base")
    first = cache.open("header")
    first.infos.clear()  # a load changing its own copy
    second = cache.open("header")
    assert bases == [1]
    assert set(second.infos) == {"incidents/a.yaml"}
    assert cache.open("another header").infos == {} and bases == [2]


def test_a_held_fold_is_never_changed_by_a_table_made_from_it() -> None:
    raw: dict[str, Any] = {"people": ["@a"], "ids": "c1", "at": "2026-01-01T00:00:00+00:00",
                           "who": [0], "paths": ["incidents/a.yaml"]}
    kept = pickle.loads(pickle.dumps(raw))
    table = Table(raw)
    table.path("incidents/b.yaml")
    assert raw == kept
    assert table.paths == ["incidents/a.yaml", "incidents/b.yaml"]
    assert table.changes[0].at == datetime(2026, 1, 1, tzinfo=UTC)
