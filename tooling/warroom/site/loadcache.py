"""The load cache's storage: each incident file's validation outcome, between builds.

An entry is (stat signature, sha256 of the bytes, Incident | None, problems), keyed by the
file's repository-relative path, for one header (warroom's code and warroom.yaml).
`cache.load_incidents` decides what is fresh; this module stores and reads.

On disk (in the folder the build gives, inside .git/):
- `load.pickle`, the base: chunks of entries, each chunk its own pickle, so that a
  compaction re-pickles only the chunks that changed and a cold load stores the chunks its
  workers already pickled (the parent does not pickle 10^4 incidents again, and
  `warroom validate`, which needs no Incident, does not even unpickle them); beside them
  an index: each entry without its incident (signature, sha256, problems) but with its
  row (`rows.py`) and its chunk's number. A load decides from the index; a chunk is
  unpickled only when one of its incidents is asked for (`Stored.entry`);
- `load.delta.pickle`: the entries changed (None: deleted) since that base, tied to it by
  a random id. A small change rewrites only the delta (not the 15 MB base of 10^4
  incidents); past 1/DELTA_SHARE of the base it is folded into a new base.
Both are written to a temporary file, then renamed. Both are read with an allow-list
unpickler (a planted cache cannot run code); anything unreadable, foreign or stale is
ignored, and `cache.load_incidents` checks each entry's shape before using it.

The temporary file is made before any incident file is read: its timestamp is the
reference of the racy-git rule (see `Writer`).
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from sys import intern
from typing import Any

from warroom import collector, held
from warroom.model import Incident
from warroom.problems import Level, Problem
from warroom.site.loadpickle import _UNREADABLE, _safe_load, dump
from warroom.site.rows import Row, row_of, rows_ok

_FORMAT = 4  # 3 had the index as one tuple per entry
CHUNK = 128  # entries per pickled chunk of the base
DELTA_SHARE = 16  # the delta is folded into the base past 1/16 of it (plus DELTA_MIN)
DELTA_MIN = 32

Signature = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns
Entry = tuple[Signature | None, str, Incident | None, list[Problem]]
Info = tuple[Signature | None, str, Row | None, list[Problem]]  # an entry, its row for its incident


def info_of(entry: Any) -> Info:
    """An entry without its incident: what a load decides on, stored in the index."""
    return (entry[0], entry[1], row_of(entry[2]) if entry[2] is not None else None, entry[3])


_INTS = (int, int, int, int)
_PROBLEM = (str, int, int, int, str, str)  # a Problem's fields, its level as a number
_LEVELS = {int(level): level for level in Level}


_INDEX_WIDTH = 6  # key, signature, sha256, chunk number, row, problems


def _of(column: Any, types: set[type]) -> bool:
    return set(map(type, column)) <= types


def _columns(index: Any, chunks: int) -> tuple[tuple[Any, ...], ...] | None:
    """The index's columns, if every value is of its column's shape (read from disk:
    nothing is trusted; the index is read with no class allowed at all, so no value is of
    a subclass). Checked a column at a time with C-level maps: 10^4 entries in
    milliseconds, where a check per entry cost ~0.1 s."""
    if not (type(index) is tuple and len(index) == _INDEX_WIDTH and _of(index, {tuple})):
        return None
    keys, sigs, shas, numbers, rows, problems = index
    if len(set(map(len, index))) > 1:
        return None
    signed = tuple(sig for sig in sigs if sig is not None)
    if not (_of(keys, {str}) and _of(shas, {str}) and _of(numbers, {int})
            and (not numbers or (min(numbers) >= 0 and max(numbers) < chunks))
            and _of(sigs, {tuple, type(None)}) and set(map(len, signed)) <= {4}
            and _of(chain.from_iterable(signed), {int})
            and _of(rows, {tuple, type(None)}) and rows_ok(tuple(r for r in rows if r))
            and _of(problems, {tuple})):
        return None
    listed = tuple(chain.from_iterable(problems))
    if listed and not all(map(_problem_ok, listed)):
        return None
    return index


def _problem_ok(problem: Any) -> bool:
    return (type(problem) is tuple and tuple(map(type, problem)) == _PROBLEM
            and problem[3] in _LEVELS)


def _problems(stored: tuple[Any, ...]) -> list[Problem]:
    return [Problem(p[0], p[1], p[2], _LEVELS[p[3]], p[4], p[5]) for p in stored]


def _stored_problems(problems: list[Problem]) -> tuple[Any, ...]:
    return tuple((p.path, p.line, p.col, int(p.level), p.code, p.message) for p in problems)


class _Plain(pickle.Unpickler):
    """For the index: plain values only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the index")


@dataclass
class Stored:
    """What a LoadCache held for one header: the base's chunks (unpickled only when one of
    their entries is asked for), its index, and the delta over them."""

    base_id: str | None = None  # None: no usable base
    chunks: list[tuple[bytes, list[str]]] = field(default_factory=list)
    delta: dict[str, Any] = field(default_factory=dict)  # key -> entry, None when deleted
    # Every usable entry without its incident, the base's index with the delta applied.
    infos: dict[str, Info] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)  # key -> its chunk in the base
    opened: dict[int, dict[str, Any]] = field(default_factory=dict)  # chunks unpickled
    unpickled: int = 0  # chunks unpickled so far (tests count them)

    def entry(self, key: str) -> Any:
        """The stored entry of `key` (None when there is none), its chunk unpickled the
        first time one of its entries is asked for. Not checked: see `cache._usable`."""
        if key in self.delta:
            return self.delta[key]
        number = self.where.get(key)
        if number is None:
            return None
        part = self.opened.get(number)
        if part is None:
            self.unpickled += 1
            try:
                # ~10^4 objects that live as long as the build and hold no cycle: the
                # collector (back on once loading is done) would walk them for nothing.
                with collector.paused():
                    part = _safe_load(self.chunks[number][0])
            except _UNREADABLE:
                part = None
            part = self.opened[number] = part if type(part) is dict else {}
        return part.get(key)


@dataclass(frozen=True)
class _Base:
    """A base file as read for one header: its index as a Stored (None: unusable)."""

    header: str
    stored: Stored | None


class LoadCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "load.pickle"
        self.delta_path = folder / "load.delta.pickle"

    def read(self, header: str) -> dict[str, Any]:
        """Every entry stored for `header`, as stored ({} when nothing usable is stored)."""
        try:
            with open(self.path, "rb") as handle:
                outer = _safe_load(handle.read())
            if not _outer_ok(outer, header):
                return {}
            entries: dict[str, Any] = {}
            for raw in outer[3]:
                part = _safe_load(raw)
                if type(part) is not dict:
                    return {}
                entries.update(part)
        except _UNREADABLE:
            return {}
        delta = self._delta(header, outer[2])
        for key, entry in (delta or {}).items():
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = entry
        return entries

    def write(self, header: str, entries: dict[str, Any]) -> None:
        """Store exactly `entries` for `header`, as a new base."""
        with Writer(self) as writer:
            writer.base(header, Stored(), set(), entries, [], {
                k: info_of(e) if _entry_like(e) else _NO_INFO for k, e in entries.items()})

    def open(self, header: str) -> Stored:
        """The index and the delta for `header`; no chunk is unpickled."""
        # The base as this process last read it while the file is unchanged (`warroom
        # serve`: the base changes only when the delta grows too large); its parts are
        # never changed in place, but `infos` takes the delta, so each Stored has a copy.
        now, base = held.recall(self.path, "load-base")
        if not (isinstance(base, _Base) and base.header == header):
            base = self._base(header)
            held.keep(self.path, "load-base", now, base)
        if base.stored is None:
            return Stored()
        stored = replace(base.stored, infos=dict(base.stored.infos))
        delta = self._delta(header, stored.base_id)
        if delta is not None:
            stored.delta = delta
            for key, entry in delta.items():
                if entry is not None and _entry_like(entry) and entry[1]:
                    stored.infos[key] = info_of(entry)
                else:
                    stored.infos.pop(key, None)
        return stored

    def _base(self, header: str) -> _Base:
        try:
            with open(self.path, "rb") as handle:
                outer = _safe_load(handle.read())
            if not _outer_ok(outer, header):
                return _Base(header, None)
            index = _Plain(io.BytesIO(outer[4])).load()
        except _UNREADABLE:
            return _Base(header, None)
        raws = outer[3]
        if type(raws) is not list or not all(type(raw) is bytes for raw in raws):
            return _Base(header, None)
        columns = _columns(index, len(raws))
        if columns is None:
            return _Base(header, None)
        stored = Stored(outer[2])
        keys: list[list[str]] = [[] for _ in raws]
        for key, sig, sha, number, row, problems in zip(*columns, strict=True):
            keys[number].append(key)
            stored.where[key] = number
            if sha:  # an unreadable file's entry: read again on every load
                # interned: the catalogue's copy of each sha is the very string, so that
                # a rebuild tells its 10^4 unchanged ones apart by identity (catalogue)
                stored.infos[key] = (sig, intern(sha), row,
                                     _problems(problems) if problems else [])
        stored.chunks = list(zip(raws, keys, strict=True))
        return _Base(header, stored)

    def _delta(self, header: str, base_id: str | None) -> dict[str, Any] | None:
        try:
            with open(self.delta_path, "rb") as handle:
                delta = _safe_load(handle.read())
        except _UNREADABLE:
            return None
        if (isinstance(delta, tuple) and len(delta) == 4 and delta[:3] == (
                _FORMAT, header, base_id) and isinstance(delta[3], dict)):
            return delta[3]
        return None


def _outer_ok(outer: Any, header: str) -> bool:
    return (isinstance(outer, tuple) and len(outer) == 5 and outer[0] == _FORMAT
            and outer[1] == header and isinstance(outer[2], str)
            and isinstance(outer[3], list) and type(outer[4]) is bytes)


def _entry_like(entry: Any) -> bool:
    """Shaped enough to make an index item of (`cache._usable` checks the rest)."""
    return (type(entry) is tuple and len(entry) == 4 and type(entry[1]) is str
            and (entry[2] is None or type(entry[2]) is Incident) and type(entry[3]) is list)


_NO_INFO: Info = (None, "", None, [])  # stored, then skipped: read again on the next load


STALE_NS = 3600 * 10**9


class Writer:
    """A temporary file in the cache folder, made before any incident file is read: its
    timestamp is the racy-git reference; it then becomes the base or the delta."""

    def __init__(self, cache: LoadCache) -> None:
        self.cache = cache
        cache.folder.mkdir(parents=True, exist_ok=True)
        self.temporary = cache.folder / f".load.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        self.fd = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.stamp = os.fstat(self.fd).st_mtime_ns
        self.done = False
        self._sweep()

    def _sweep(self) -> None:
        """Remove what builds killed mid-load left: temporaries an hour old. A running
        build's own is younger (it is made when the build starts loading)."""
        for path in self.cache.folder.glob(".load.*.tmp"):
            try:
                if self.stamp - path.stat().st_mtime_ns > STALE_NS:
                    path.unlink()
            except OSError:
                continue

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if not self.done:
            self.temporary.unlink(missing_ok=True)

    def _commit(self, data: bytes, target: Path) -> None:
        with os.fdopen(self.fd, "wb") as handle:
            self.fd = -1
            handle.write(data)
        os.replace(self.temporary, target)
        self.done = True

    def base(self, header: str, stored: Stored, kept: set[str], entries: dict[str, Any],
             fresh: list[tuple[bytes, list[str]]], infos: dict[str, Info]) -> None:
        """A new base holding an entry for each key of `infos` (their final infos): the
        changed in `entries`, the `kept` from `stored`. A chunk of the old base whose
        entries are all kept is stored as it is, unread; so are the chunks the workers
        pickled. The index gives each entry's info and chunk."""
        chunks: list[bytes] = []
        index: list[tuple[Any, ...]] = []

        def place(raw: bytes, keys: list[str]) -> None:
            number = len(chunks)
            chunks.append(raw)
            for key in keys:
                placed.add(key)
                sig, sha, row, problems = infos[key]
                index.append((key, sig, sha, number, row, _stored_problems(problems)))

        placed: set[str] = set()
        for raw, keys in stored.chunks:
            if keys and all(k in kept and k not in stored.delta for k in keys):
                place(raw, keys)
        for raw, keys in fresh:
            place(raw, keys)
        rest: dict[str, Any] = {}
        for key in sorted(k for k in infos if k not in placed):
            entry = entries[key] if key in entries else stored.entry(key)
            if entry is not None:  # a damaged chunk's entry is left out: read again
                rest[key] = entry
        keys = list(rest)
        for start in range(0, len(keys), CHUNK):
            part = keys[start:start + CHUNK]
            place(dump({k: rest[k] for k in part}), part)
        columns = tuple(zip(*index, strict=True)) or ((),) * _INDEX_WIDTH
        self._commit(dump((_FORMAT, header, secrets.token_hex(8), chunks, dump(columns))),
                     self.cache.path)
        self.cache.delta_path.unlink(missing_ok=True)

    def delta(self, header: str, stored: Stored, delta: dict[str, Any]) -> None:
        self._commit(dump((_FORMAT, header, stored.base_id, delta)), self.cache.delta_path)



def open_writer(cache: LoadCache | None) -> Writer | None:
    if cache is None:
        return None
    try:
        return Writer(cache)
    except OSError:  # a read-only .git: build without storing anything
        return None


def store(writer: Writer, header: str, stored: Stored, kept: set[str],
          entries: dict[str, Any], fresh: list[tuple[bytes, list[str]]],
          infos: dict[str, Info]) -> None:
    """Bring the cache up to date: the delta when the change is small, else a new base.
    `infos`: every file's, final; `kept`: those still as `stored` holds them; `entries`:
    the changed, but for those of the `fresh` chunks (pickled by workers), which are
    unpickled here only when they go to the delta."""
    checked = {k for _, keys in fresh for k in keys}
    changed = {k: v for k, v in entries.items() if k not in checked}
    removed = stored.infos.keys() - infos.keys()
    if not changed and not removed and not checked:
        return
    delta = {**stored.delta, **changed, **dict.fromkeys(removed)}
    in_base = len(stored.where)
    try:
        if stored.base_id is None or len(delta.keys() | checked) > (
                DELTA_MIN + in_base // DELTA_SHARE):
            writer.base(header, stored, kept, changed, fresh, infos)
        else:
            for raw, _ in fresh:
                delta.update(_safe_load(raw))
            writer.delta(header, stored, delta)
    except OSError:  # a full disk: the next build reads the files again
        pass
