"""`PageCache`: which pages of the site last written to a folder are still what their key
says (see `cache`, the caches a rebuild after a small change relies on)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any


class PageCache:
    """Which pages of the site in `target` are still what their key says."""

    def __init__(self, folder: Path, target: Path, theme_key: str) -> None:
        self.path = self.ledger(folder, target)
        self.target = Path(os.path.realpath(target))  # resolve(), but never raising
        self.theme_key = theme_key
        self.pages: dict[str, list[Any]] = {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("target") == str(self.target) and stored.get("theme") == theme_key:
                self.pages = stored["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            self.pages = {}

    @staticmethod
    def ledger(folder: Path, target: Path) -> Path:
        """Where the pages of builds into `target` are recorded."""
        # fsencode: a folder whose name is not UTF-8 has a name too (as bytes).
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"pages-{name}.json"

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
        return [info.st_size, info.st_mtime_ns, info.st_ino] == entry[1:]

    def remember(self, keys: dict[str, str], kept: Collection[str] = ()) -> None:
        """Record the pages as just written to the target. `kept` pages were found fresh
        and carried over: their entries stand without a new lstat (were one copied rather
        than linked, its identity changed and the next build simply renders it again)."""
        pages: dict[str, list[Any]] = {}
        kept = kept if isinstance(kept, (set, frozenset, dict)) else frozenset(kept)
        for path, key in keys.items():
            entry = self.pages.get(path) if path in kept else None
            if entry is not None and entry[0] == key:
                pages[path] = entry
                continue
            try:
                info = os.lstat(f"{self.target}/{path}")
            except OSError:
                continue
            pages[path] = [key, info.st_size, info.st_mtime_ns, info.st_ino]
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps({"target": str(self.target), "theme": self.theme_key,
                                             "pages": pages}, sort_keys=True), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:  # a full disk: the site is written; the next build renders it all
            for stale in (temporary, self.path):  # no record beats one of another site
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue
