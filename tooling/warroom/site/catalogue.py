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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.site.siterows import SiteRow

VERSION = 1
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

    @staticmethod
    def location(folder: Path, target: Path) -> Path:
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"catalogue-{name}.pickle"

    def save(self, folder: Path, target: Path) -> None:
        path = self.location(folder, target)
        value = (VERSION, str(os.path.realpath(target)), self.settings, self.head, self.since,
                 self.touched, self.files,
                 [(iid, *row) for iid, row in self.rows.items()], self.producers)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(path)
        except OSError:  # a full disk: the next build starts from everything
            for stale in (temporary, path):
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue

    @classmethod
    def read(cls, folder: Path, target: Path, settings: str) -> Catalogue | None:
        try:
            raw = cls.location(folder, target).read_bytes()
            value = _Plain(io.BytesIO(raw)).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                AttributeError, IndexError, MemoryError):
            return None
        if not (type(value) is tuple and len(value) == 9 and value[0] == VERSION
                and value[1] == str(os.path.realpath(target)) and value[2] == settings):
            return None
        _, _, _, head, since, touched, files, rows, producers = value
        if not (_files_ok(files) and type(rows) is list and _producers_ok(producers)
                and (head is None or type(head) is str)
                and (since is None or type(since) is str)
                and (touched is None or (type(touched) is tuple
                                         and all(type(t) is str for t in touched)))):
            return None
        made: dict[str, SiteRow] = {}
        for row in rows:
            if not _row_ok(row):
                return None
            made[row[0]] = SiteRow(*row[1:])
        return cls(settings, head, since, touched, files, made, producers)


_FLOAT = (float, int)


def _text(v: Any) -> bool:
    return type(v) is str


def _flag(v: Any) -> bool:
    return type(v) is bool


def _number(v: Any) -> bool:
    return type(v) in _FLOAT


def _maybe_number(v: Any) -> bool:
    return v is None or type(v) in _FLOAT


def _texts(v: Any) -> bool:
    return type(v) is tuple and all(type(x) is str for x in v)


def _numbers(v: Any) -> bool:
    return type(v) is tuple and all(type(x) in _FLOAT for x in v)


def _window(v: Any) -> bool:
    return v is None or (type(v) is tuple and len(v) == 2 and _numbers(v))


def _top(v: Any) -> bool:
    return type(v) is tuple and len(v) == 2 and _number(v[0]) and type(v[1]) is int


# One check per SiteRow field, in order: a field added there must be added here.
_CHECKS = {"digest": _text, "title": _text, "status": _text, "open": _flag,
           "maintenance": _flag, "window": _window, "best": _number, "start": _number,
           "month": _text, "components": _texts, "related": _texts, "latest": _number,
           "top": _top, "mitigated": _maybe_number, "entries": _numbers, "drill": _flag,
           "impacts": _texts, "causes": _texts, "impact_from": _maybe_number,
           "impact_to": _maybe_number, "metric_start": _maybe_number}
if tuple(_CHECKS) != SiteRow._fields:
    raise RuntimeError("SiteRow's fields changed: update catalogue._CHECKS")
_ROW_CHECKS = (_text, *_CHECKS.values())  # a stored row starts with its id


def _row_ok(row: Any) -> bool:
    return (type(row) is tuple and len(row) == _WIDTH + 1
            and all(check(value) for check, value in zip(_ROW_CHECKS, row, strict=True)))


def _files_ok(files: Any) -> bool:
    return (type(files) is dict
            and all(type(k) is str and type(v) is str for k, v in files.items()))


def _producers_ok(producers: Any) -> bool:
    return type(producers) is dict and all(
        type(name) is str and type(entry) is tuple and len(entry) == 2
        and type(entry[0]) is str and type(entry[1]) is tuple
        and all(type(p) is str for p in entry[1])
        for name, entry in producers.items())
