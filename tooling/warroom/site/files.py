"""The incident files of a repository as the build looks at them: their paths and their
stat signatures, for ~10^4 files on every rebuild (and every look of `warroom serve`)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from warroom import held
from warroom.repo import INCIDENTS_DIR, SUFFIXES
from warroom.site.loadcache import Signature

# A folder changed this recently may change again within one tick of the file system's
# clock (Linux stamps files with a coarse clock) and keep its stamps: not held (git's
# racy-git rule, for the listing).
RACY_NS = 2_000_000_000

Mark = tuple[int, int, int]  # a folder's inode, mtime and ctime (ns)


def incident_paths(root: Path) -> list[str]:
    """`repo.incident_files` as repository-relative strings (no pathlib for 10^4 files).
    os.walk's rules (a folder is what `is_dir()` says, links to folders are listed but not
    entered, unreadable folders skipped) with one scandir per folder read whole: os.walk's
    generator costs ~2 us an entry, a quarter of a rebuild's listing.

    The listing is held in this process (`held`) with a mark of every folder it read: an
    entry added, removed or renamed changes its folder's mtime and ctime, so while every
    mark stands (a stat per folder, not per file) the listing does too. Rebuilds and every
    look of `warroom serve` list the same folders again and again."""
    base = os.path.join(root, INCIDENTS_DIR)
    if not os.path.isdir(base):
        return []
    known, kept = held.recall(base, "listing")
    if kept is not None and all(_mark(folder) == mark for folder, mark in kept[0]):
        return list(kept[1])
    stamp = time.time_ns()
    found, marks = _walk(root, base)
    if known is not None and all(mark is not None and stamp - max(mark[1:]) > RACY_NS
                                 for _, mark in marks):
        held.keep(base, "listing", known, (tuple(marks), tuple(found)))
    return found


def _mark(folder: str) -> Mark | None:
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def _walk(root: Path, base: str) -> tuple[list[str], list[tuple[str, Mark | None]]]:
    """The listing, and each folder's mark taken before it was read."""
    start = len(os.path.join(os.fspath(root), ""))
    found: list[str] = []
    marks: list[tuple[str, Mark | None]] = []
    folders = [base]
    while folders:
        folder = folders.pop()
        marks.append((folder, _mark(folder)))
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        here = folder[start:].replace(os.sep, "/") + "/"
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if _is_dir(entry):
                if not entry.is_symlink():
                    folders.append(entry.path)
            elif name.endswith(SUFFIXES):
                found.append(here + name)
    found.sort()  # as incident_files sorts: the same prefix on every path
    return found, marks


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: not a folder
        return False


# A stat's signature (size, mtime_ns, inode, ctime_ns), picked in C: 10^4 per build.
_signature: Callable[[os.stat_result], Signature] = attrgetter(
    "st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")


def signatures(prefix: str, files: list[str]) -> list[Signature | None]:
    """Each file's signature, None where it cannot be stat'ed (gone since it was listed)."""
    try:  # the usual case, without a Python frame per file
        return list(map(_signature, map(os.stat, map(prefix.__add__, files))))
    except OSError:
        out: list[Signature | None] = []
        for rel in files:
            try:
                out.append(_signature(os.stat(prefix + rel)))
            except OSError:
                out.append(None)
        return out
