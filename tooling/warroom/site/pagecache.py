"""`PageCache`: which pages of the site last written to a folder are still what their key
says (see `cache`, the caches a rebuild after a small change relies on)."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Collection, Sequence
from itertools import compress, repeat
from operator import and_, attrgetter, eq, itemgetter, not_
from pathlib import Path
from typing import Any, cast

from warroom import held

_UNKNOWN = (None,)  # a page the ledger does not know: no key


class PageCache:
    """Which pages of the site in `target` are still what their key says."""

    def __init__(self, folder: Path, target: Path, theme_key: str) -> None:
        self.path = self.ledger(folder, target)
        self.target = Path(os.path.realpath(target))  # resolve(), but never raising
        self.theme_key = theme_key
        # path -> (key, size, mtime_ns, inode) of the file written there
        self.pages: dict[str, tuple[str, int, int, int]] = {}
        self.seen: dict[str, os.stat_result] = {}  # fresh pages' lstat, for the writer
        # The ledger this process wrote or read, while the file is as it was (`warroom
        # serve`); `pages` is never changed in place (remember makes a new dict).
        now, kept = held.recall(self.path, "ledger")
        if kept is None:
            kept = self._read()
            held.keep(self.path, "ledger", now, kept)
        if kept[0] == str(self.target) and kept[1] == theme_key:
            self.pages = kept[2]

    def _read(self) -> tuple[str, str, dict[str, tuple[str, int, int, int]]]:
        """(target, theme key, pages) as stored; empty when there is no usable ledger."""
        try:
            stored = _Plain(io.BytesIO(self.path.read_bytes())).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                AttributeError, IndexError, MemoryError):
            return "", "", {}
        if (type(stored) is tuple and len(stored) == 4 and stored[0] == FORMAT
                and type(stored[1]) is str and type(stored[2]) is str):
            return stored[1], stored[2], _pages(stored[3])
        return "", "", {}

    @staticmethod
    def ledger(folder: Path, target: Path) -> Path:
        """Where the pages of builds into `target` are recorded."""
        # fsencode: a folder whose name is not UTF-8 has a name too (as bytes).
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"pages-{name}.pickle"

    def empty(self) -> bool:
        return not self.pages

    def fresh(self, path: str, key: str) -> bool:
        entry = self.pages.get(path)
        if entry is None or entry[0] != key:
            return False
        try:
            info = os.lstat(f"{self.target}/{path}")  # a string: runs for every page
        except OSError:
            return False
        if _IDENTITY(info) != entry[1:]:
            return False
        self.seen[path] = info
        return True

    def fresh_known(self, paths: Sequence[str]) -> dict[str, str]:
        """{path: its recorded key} of those `paths` whose page is as recorded, in their
        order: the caller knows their key did not change. After a small change every
        incident page of 10^4 is checked: in C-level passes, the lstat of each aside."""
        pages = self.pages
        have = list(compress(paths, map(pages.__contains__, paths)))
        entries = list(map(pages.__getitem__, have))
        try:
            found = list(map(os.lstat, map(f"{self.target}/".__add__, have)))
        except OSError:  # a page gone: one at a time
            return self._fresh_each(have)
        fresh = list(map(eq, map(_IDENTITY, found), map(_RECORDED, entries)))
        self.seen.update(compress(zip(have, found, strict=True), fresh))
        return dict(compress(zip(have, map(itemgetter(0), entries), strict=True), fresh))

    def _fresh_each(self, paths: list[str]) -> dict[str, str]:
        pages, seen, lstat = self.pages, self.seen, os.lstat
        prefix = f"{self.target}/"
        out: dict[str, str] = {}
        for path in paths:
            entry = pages[path]
            try:
                info = lstat(prefix + path)
            except OSError:
                continue
            if _IDENTITY(info) == entry[1:]:
                seen[path] = info
                out[path] = entry[0]
        return out

    def known(self, path: str) -> str | None:
        entry = self.pages.get(path)
        return entry[0] if entry is not None else None

    def remember(self, keys: dict[str, str], kept: Collection[str] = ()) -> None:
        """Record the pages as just written to the target. `kept` pages were found fresh
        and carried over: their entries stand without a new lstat (were one copied rather
        than linked, its identity changed and the next build simply renders it again)."""
        kept = kept if isinstance(kept, (set, frozenset, dict)) else frozenset(kept)
        # Those kept with their key (~10^4 after a small change) told apart in C; the
        # others (rendered, or kept under another key) are looked at one by one.
        paths = list(keys)
        entries = list(map(self.pages.get, paths, repeat(_UNKNOWN)))
        carried = list(map(and_, map(kept.__contains__, paths),
                           map(eq, map(itemgetter(0), entries), keys.values())))
        pages = cast("dict[str, tuple[str, int, int, int]]",  # only known ones carried
                     dict(compress(zip(paths, entries, strict=True), carried)))
        for path in compress(paths, map(not_, carried)):
            try:
                info = os.lstat(f"{self.target}/{path}")
            except OSError:
                continue
            pages[path] = (keys[path], info.st_size, info.st_mtime_ns, info.st_ino)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            columns = tuple(zip(*pages.values(), strict=True)) or ((), (), (), ())
            temporary.write_bytes(pickle.dumps(
                (FORMAT, str(self.target), self.theme_key, (tuple(pages), *columns)),
                protocol=pickle.HIGHEST_PROTOCOL))
            written = held.identity(temporary)
            temporary.replace(self.path)
            held.keep(self.path, "ledger", written, (str(self.target), self.theme_key, pages))
        except OSError:  # a full disk: the site is written; the next build renders it all
            for stale in (temporary, self.path):  # no record beats one of another site
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue


FORMAT = 2  # 1 was JSON

# What a written page is recorded by: (size, mtime in ns, inode), from its lstat and from
# its ledger entry (key, size, mtime, inode).
_IDENTITY = attrgetter("st_size", "st_mtime_ns", "st_ino")
_RECORDED = itemgetter(1, 2, 3)


class _Plain(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"no class in a page ledger: {module}.{name}")


def _pages(stored: Any) -> dict[str, tuple[str, int, int, int]]:
    """The ledger's pages, stored as columns (paths, keys, sizes, mtimes, inodes), if every
    value has its column's type (C-level checks: 10^4 pages in a millisecond or two)."""
    if not (type(stored) is tuple and len(stored) == 5
            and all(type(column) is tuple for column in stored)):
        return {}
    paths, keys, sizes, mtimes, inodes = stored
    if not (len(paths) == len(keys) == len(sizes) == len(mtimes) == len(inodes)
            and set(map(type, paths)) <= {str} and set(map(type, keys)) <= {str}
            and set(map(type, sizes)) <= {int} and set(map(type, mtimes)) <= {int}
            and set(map(type, inodes)) <= {int}):
        return {}
    return dict(zip(paths, zip(keys, sizes, mtimes, inodes, strict=True), strict=True))
