"""The catalogue of the site last built into a folder: one SiteRow per incident it shows,
every incident file's digest, the history read it was made from, and each producer's key
and files. A rebuild reads it to find what changed without loading every incident: rows
of incidents whose file and fold entry did not change stand as they are (see siterows).

Kept beside the page ledger in the cache, per target folder. Read with an unpickler that
allows no class at all (plain tuples, strings, numbers), and every row's shape is checked:
a damaged or planted catalogue is ignored (the build then starts from everything).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from warroom import held
from warroom.site.siterows import SiteRow

VERSION = 3
_WIDTH = len(SiteRow._fields)


class _Plain(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"no class in a catalogue: {module}.{name}")


@dataclass
class Catalogue:
    settings: str  # theme key, audience and base URL: another value, another site
    head: str | None  # the history read's HEAD the rows were made at
    since: str | None  # that read's saved fold, and the ids whose entry differed from it
    touched: tuple[str, ...] | None
    files: dict[str, str] = field(default_factory=dict)  # every loaded file's sha, by id
    rows: dict[str, SiteRow] = field(default_factory=dict)  # the site's incidents, by id
    producers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # The calendar's event text of each maintenance: an event reads only its incident.
    events: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def location(folder: Path, target: Path) -> Path:
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"catalogue-{name}.pickle"

    def save(self, folder: Path, target: Path) -> None:
        path = self.location(folder, target)
        columns = tuple(zip(*self.rows.values(), strict=True)) or ((),) * _WIDTH
        value = (VERSION, str(os.path.realpath(target)), self.settings, self.head, self.since,
                 self.touched, self.files, (tuple(self.rows), columns), self.producers,
                 self.events)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            written = held.identity(temporary)
            temporary.replace(path)
            # The next build in this process (`warroom serve`) reads this very object.
            held.keep(path, "catalogue", written, self)
        except OSError:  # a full disk: the next build starts from everything
            for stale in (temporary, path):
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue

    @classmethod
    def read(cls, folder: Path, target: Path, settings: str) -> Catalogue | None:
        """The catalogue of the last build into `target` with these settings. Read from
        disk unless this process wrote or read that very file (held): never changed after
        it is made, one object serves every later build in the process."""
        path = cls.location(folder, target)
        now, kept = held.recall(path, "catalogue")
        if isinstance(kept, Catalogue):
            return kept if kept.settings == settings else None
        found = cls._read(path, target, settings)
        if found is not None:
            held.keep(path, "catalogue", now, found)
        return found

    @classmethod
    def _read(cls, path: Path, target: Path, settings: str) -> Catalogue | None:
        try:
            raw = path.read_bytes()
            value = _Plain(io.BytesIO(raw)).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                AttributeError, IndexError, MemoryError):
            return None
        if not (type(value) is tuple and len(value) == 10 and value[0] == VERSION
                and value[1] == str(os.path.realpath(target)) and value[2] == settings):
            return None
        _, _, _, head, since, touched, files, rows, producers, events = value
        if not (_files_ok(files) and type(rows) is tuple and len(rows) == 2
                and _producers_ok(producers) and _files_ok(events)
                and (head is None or type(head) is str)
                and (since is None or type(since) is str)
                and (touched is None or (type(touched) is tuple
                                         and all(type(t) is str for t in touched)))):
            return None
        made = _columns(*rows)
        if made is None:
            return None
        return cls(settings, head, since, touched, files, made, producers, events)


_NUMBER = {float, int}
_MAYBE_NUMBER = {float, int, type(None)}


def _of(column: tuple[Any, ...], types: set[type]) -> bool:
    return set(map(type, column)) <= types


def _nested(column: tuple[Any, ...], types: set[type]) -> bool:
    return _of(column, {tuple}) and _of(tuple(chain.from_iterable(column)), types)


def _window(column: tuple[Any, ...]) -> bool:
    present = tuple(w for w in column if w is not None)
    return (_nested(present, _NUMBER) and set(map(len, present)) <= {2}
            and _of(column, {tuple, type(None)}))


def _top(column: tuple[Any, ...]) -> bool:
    return (_of(column, {tuple}) and set(map(len, column)) <= {2}
            and _of(tuple(map(itemgetter(0), column)), _NUMBER)
            and _of(tuple(map(itemgetter(1), column)), {int}))


def _is(types: set[type]) -> Callable[[tuple[Any, ...]], bool]:
    return lambda column: _of(column, types)


def _all(types: set[type]) -> Callable[[tuple[Any, ...]], bool]:
    return lambda column: _nested(column, types)


_TEXT, _FLAG = _is({str}), _is({bool})
# One check per SiteRow field, in order, each over the whole column (C-level loops: a
# catalogue of 10^4 rows is checked in milliseconds). A field added there must be here.
_CHECKS: dict[str, Callable[[tuple[Any, ...]], bool]] = {
    "digest": _TEXT, "title": _TEXT, "status": _TEXT, "open": _FLAG, "maintenance": _FLAG,
    "window": _window, "best": _is(_NUMBER), "start": _is(_NUMBER), "month": _TEXT,
    "components": _all({str}), "related": _all({str}), "latest": _is(_NUMBER), "top": _top,
    "mitigated": _is(_MAYBE_NUMBER), "entries": _all(_NUMBER), "drill": _FLAG,
    "impacts": _all({str}), "causes": _all({str}), "impact_from": _is(_MAYBE_NUMBER),
    "impact_to": _is(_MAYBE_NUMBER), "metric_start": _is(_MAYBE_NUMBER), "lastmod": _TEXT,
    "type": _TEXT, "severity": _TEXT, "public": _FLAG, "ended": _is(_MAYBE_NUMBER)}
if tuple(_CHECKS) != SiteRow._fields:
    raise RuntimeError("SiteRow's fields changed: update catalogue._CHECKS")


def _columns(ids: Any, columns: Any) -> dict[str, SiteRow] | None:
    """The rows stored as columns (ids, then one tuple per field), if every value has its
    field's type."""
    if not (type(ids) is tuple and _of(ids, {str}) and type(columns) is tuple
            and len(columns) == _WIDTH and _of(columns, {tuple})
            and set(map(len, columns)) <= {len(ids)}):
        return None
    if not all(check(column) for check, column in zip(_CHECKS.values(), columns, strict=True)):
        return None
    return dict(zip(ids, map(SiteRow._make, zip(*columns, strict=True)), strict=True))


def _files_ok(files: Any) -> bool:
    return (type(files) is dict
            and all(type(k) is str and type(v) is str for k, v in files.items()))


def _producers_ok(producers: Any) -> bool:
    return type(producers) is dict and all(
        type(name) is str and type(entry) is tuple and len(entry) == 2
        and type(entry[0]) is str and type(entry[1]) is tuple
        and all(type(p) is str for p in entry[1])
        for name, entry in producers.items())
