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
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import is_not, itemgetter, ne
from pathlib import Path
from sys import intern
from typing import Any, NamedTuple

from warroom import held
from warroom.site.siterows import SiteRow

VERSION = 4  # 3 was one file; 4 a base and a delta
_WIDTH = len(SiteRow._fields)


class _Plain(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"no class in a catalogue: {module}.{name}")


class Base(NamedTuple):
    """What the catalogue's base file holds: the bulk, rewritten only once the changes
    since it grow past a sixteenth of it (a delta file says the rest; see Catalogue)."""

    ident: str  # random: the delta names the base it applies to
    files: dict[str, str]
    rows: dict[str, SiteRow]
    events: dict[str, str]


@dataclass
class Catalogue:
    """Stored as two files: a base (every row, file sha and event text) and a delta
    (what changed since that base, plus the small fields). A rebuild after one change
    writes a delta of a few rows, not 10^4 rows again (~30 ms at 10,000 incidents)."""

    settings: str  # theme key, audience and base URL: another value, another site
    head: str | None  # the history read's HEAD the rows were made at
    since: str | None  # that read's saved fold, and the ids whose entry differed from it
    touched: tuple[str, ...] | None
    files: dict[str, str] = field(default_factory=dict)  # every loaded file's sha, by id
    rows: dict[str, SiteRow] = field(default_factory=dict)  # the site's incidents, by id
    producers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # The calendar's event text of each maintenance: an event reads only its incident.
    events: dict[str, str] = field(default_factory=dict)
    # The base file the last build's catalogue was read from or written as (not stored):
    # saving writes only a delta against it.
    base: Base | None = field(default=None, compare=False, repr=False)

    @staticmethod
    def location(folder: Path, target: Path) -> Path:
        """The base file (the delta sits beside it: `delta_of`)."""
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"catalogue-{name}.pickle"

    @staticmethod
    def delta_of(base: Path) -> Path:
        return base.with_suffix(".delta.pickle")

    def save(self, folder: Path, target: Path) -> None:
        path = self.location(folder, target)
        where = str(os.path.realpath(target))
        base = self.base if self.base is not None and path.is_file() else None
        delta = _delta(self, base) if base is not None else None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if base is None or delta is None:
                base = Base(secrets.token_hex(8), self.files, self.rows, self.events)
                delta = _delta(self, base)
                assert delta is not None
                columns = tuple(zip(*base.rows.values(), strict=True)) or ((),) * _WIDTH
                _write(path, "catalogue-base", (VERSION, "base", base.ident, where,
                                                self.settings, base.files,
                                                (tuple(base.rows), columns), base.events), base)
            files, gone_files, rows, gone_rows, events, gone_events = delta
            columns = tuple(zip(*rows.values(), strict=True)) or ((),) * _WIDTH
            self.base = base
            _write(self.delta_of(path), "catalogue", (
                VERSION, "delta", base.ident, where, self.settings, self.head, self.since,
                self.touched, files, gone_files, (tuple(rows), columns), gone_rows,
                self.producers, events, gone_events), (held.identity(path), self))
        except OSError:  # a full disk: the next build starts from everything
            for stale in (path, self.delta_of(path)):
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue

    @classmethod
    def read(cls, folder: Path, target: Path, settings: str) -> Catalogue | None:
        """The catalogue of the last build into `target` with these settings. Read from
        disk unless this process wrote or read those very files (held): never changed
        after it is made, one object serves every later build in the process."""
        path = cls.location(folder, target)
        now, kept = held.recall(cls.delta_of(path), "catalogue")
        if kept is not None and kept[0] == held.identity(path):
            found: Catalogue = kept[1]
            return found if found.settings == settings else None
        base_now, base = held.recall(path, "catalogue-base")
        if base is None:
            base = _read_base(path, target, settings)
            held.keep(path, "catalogue-base", base_now, base)
        if base is None:
            return None
        made = _read_delta(cls.delta_of(path), target, settings, base)
        if made is not None:
            held.keep(cls.delta_of(path), "catalogue", now, (base_now, made))
        return made


# A delta past this many changed entries (rows, files, events together), or a sixteenth of
# the rows, is folded into a new base.
DELTA_MIN, DELTA_SHARE = 32, 16

Delta = tuple[dict[str, str], tuple[str, ...], dict[str, SiteRow], tuple[str, ...],
              dict[str, str], tuple[str, ...]]


def _changes(now: dict[str, Any], then: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What changed from `then` to `now`: the new or other values, and the keys gone.
    Told apart in C (map, compress: 10^4 of them). Rows carried over are the very objects
    of `then`: told apart by identity first, and only the others compared (the files'
    digests are strings made again: then all are compared at once). Whichever incidents
    changed since `then` (the first one's edit made every row compare by value, ~30 ms)."""
    other = list(compress(now, map(is_not, map(then.get, now, repeat(_NONE)),
                                   now.values())))
    if len(other) * 2 <= len(now):
        changed = {k: now[k] for k in other if then.get(k, _NONE) != now[k]}
    else:
        changed = dict(compress(now.items(),
                                map(ne, map(then.get, now, repeat(_NONE)), now.values())))
    if len(now) - sum(k not in then for k in changed) == len(then):  # every key of then
        return changed, ()
    gone = then.keys() - now.keys()
    return changed, tuple(k for k in then if k in gone)


_NONE = object()


def _delta(catalogue: Catalogue, base: Base) -> Delta | None:
    """The catalogue as changes to `base`; None when they are too many for a delta."""
    files, gone_files = _changes(catalogue.files, base.files)
    rows, gone_rows = _changes(catalogue.rows, base.rows)
    events, gone_events = _changes(catalogue.events, base.events)
    size = len(files) + len(gone_files) + len(rows) + len(gone_rows) + len(events) \
        + len(gone_events)
    if size > max(DELTA_MIN, len(catalogue.rows) // DELTA_SHARE):
        return None
    return files, gone_files, rows, gone_rows, events, gone_events


def _write(path: Path, kind: str, value: Any, keep: Any) -> None:
    """`value` pickled to `path` through a temporary file; the next build in this process
    is handed `keep` rather than reading it (held)."""
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        written = held.identity(temporary)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    held.keep(path, kind, written, keep)


def _load(path: Path) -> Any:
    try:
        return _Plain(io.BytesIO(path.read_bytes())).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
            AttributeError, IndexError, MemoryError):
        return None


def _read_base(path: Path, target: Path, settings: str) -> Base | None:
    value = _load(path)
    if not (type(value) is tuple and len(value) == 8 and value[:2] == (VERSION, "base")
            and type(value[2]) is str and value[3] == str(os.path.realpath(target))
            and value[4] == settings):
        return None
    _, _, ident, _, _, files, rows, events = value
    if not (_files_ok(files) and _files_ok(events) and type(rows) is tuple
            and len(rows) == 2):
        return None
    made = _columns(*rows)
    return Base(ident, _interned(files), made, events) if made is not None else None


def _interned(files: dict[str, str]) -> dict[str, str]:
    """The files' shas interned, as the load cache's are (loadcache): a rebuild compares
    the two (10^4 each) by identity first, in _changes and sources._changed."""
    return dict(zip(files, map(intern, files.values()), strict=True))


def _read_delta(path: Path, target: Path, settings: str, base: Base) -> Catalogue | None:
    """The base with the delta applied; None unless the delta is sound and is the base's."""
    value = _load(path)
    if not (type(value) is tuple and len(value) == 15 and value[:2] == (VERSION, "delta")
            and value[2] == base.ident and value[3] == str(os.path.realpath(target))
            and value[4] == settings):
        return None
    (_, _, _, _, _, head, since, touched, files, gone_files, rows, gone_rows, producers,
     events, gone_events) = value
    if not (_files_ok(files) and _files_ok(events) and type(rows) is tuple
            and len(rows) == 2 and _producers_ok(producers)
            and all(type(gone) is tuple and _of(gone, {str})
                    for gone in (gone_files, gone_rows, gone_events))
            and (head is None or type(head) is str)
            and (since is None or type(since) is str)
            and (touched is None or (type(touched) is tuple and _of(touched, {str})))):
        return None
    made = _columns(*rows)
    if made is None:
        return None
    return Catalogue(settings, head, since, touched,
                     _applied(base.files, _interned(files), gone_files),
                     _applied(base.rows, made, gone_rows), producers,
                     _applied(base.events, events, gone_events), base)


def _applied(base: dict[str, Any], changed: dict[str, Any], gone: tuple[str, ...]
             ) -> dict[str, Any]:
    """A new dict (the base's is held: never changed), in key order."""
    out = dict(base)
    for key in gone:
        out.pop(key, None)
    out.update(changed)
    return dict(sorted(out.items())) if changed.keys() - base.keys() else out


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
