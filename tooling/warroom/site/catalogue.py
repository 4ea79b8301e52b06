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


def _row_ok(row: Any) -> bool:
    if type(row) is not tuple or len(row) != _WIDTH + 1:
        return False
    (iid, digest, title, status, is_open, maintenance, window, best, start, month,
     components, related, latest, top, mitigated) = row
    return (type(iid) is str and type(digest) is str and type(title) is str
            and type(status) is str and type(is_open) is bool and type(maintenance) is bool
            and (window is None or (type(window) is tuple and len(window) == 2
                                    and all(type(w) in _FLOAT for w in window)))
            and type(best) in _FLOAT and type(start) in _FLOAT and type(month) is str
            and type(components) is tuple and all(type(c) is str for c in components)
            and type(related) is tuple and all(type(r) is str for r in related)
            and type(latest) in _FLOAT
            and type(top) is tuple and len(top) == 2 and type(top[0]) in _FLOAT
            and type(top[1]) is int
            and (mitigated is None or type(mitigated) in _FLOAT))


def _files_ok(files: Any) -> bool:
    return (type(files) is dict
            and all(type(k) is str and type(v) is str for k, v in files.items()))


def _producers_ok(producers: Any) -> bool:
    return type(producers) is dict and all(
        type(name) is str and type(entry) is tuple and len(entry) == 2
        and type(entry[0]) is str and type(entry[1]) is tuple
        and all(type(p) is str for p in entry[1])
        for name, entry in producers.items())
