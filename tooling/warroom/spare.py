"""The spare: the replaced site, kept to become the next one (used by `writer` only).

Filling a fresh folder links every kept file again, and deleting the replaced site unlinks
them all: a second at 10,000 incidents for a one-line change. So the replaced
site is kept as `.<target name>.spare/site` beside the target (same file system, so renames
stay atomic; private (0700) and git-ignored; never inside the target, never published) with
a ledger of what the writer left in it, and the next build updates it in place into the
new staging folder: only files that differ are removed, linked or written. It may be
deleted at any time (the next build fills a fresh folder); `keep_spare=False` leaves none.
Nothing in it is taken on trust:
- a file is never written in place: a changed one is unlinked, then created (O_EXCL), so a
  file the spare shares with the live site (a hard link) never changes under its readers;
- a spare file is kept only if it is the live file itself (the same inode and device as
  the live path now, or as the caller's own lstat of it made under the build's lock: the
  page cache's, `seen`), so a kept page keeps the live inode and mtime; `seen` speaks for
  the live site only, never for the spare, whose folders are checked all the same;
- each folder must still be what the ledger recorded: inode, mtime and ctime (which no one
  can set) change whenever an entry is added, removed or replaced; a folder that differs,
  and the top folder always, is emptied of files and filled again;
- the ledger names the target, the umask and the spare's inode: after a crash, a copy, a
  move or anything unexpected (any OSError) the build falls back to a fresh folder.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count, repeat
from operator import attrgetter, ne
from pathlib import Path
from typing import cast

_FORBIDDEN_NAMES = {"", ".", ".."}
_DEVICE = attrgetter("st_dev")  # map()ped: no Python loop
_INODE = attrgetter("st_ino")
_IS_DIR = stat.S_ISDIR


Mark = tuple[int, int, int, int]
_MARK = attrgetter("st_mode", "st_ino", "st_mtime_ns", "st_ctime_ns")


@dataclass
class Record:
    """What a site folder held when the writer last left it (the ledger's half for it)."""
    root: str  # "device:inode" of the folder
    dirs: dict[str, str] = field(default_factory=dict)  # sub-folder -> identity()
    files: dict[str, str] = field(default_factory=dict)  # file -> "inode"
    touched: set[str] = field(default_factory=set)  # folders to stat when done
    # Each folder's (mode, inode, mtime, ctime), as this process saw it when it recorded
    # the folder's identity (so exactly what `dirs` says), or None when `dirs` was read
    # from a ledger: ints compared in C, no 10^4 strings made to compare with `dirs`.
    marks: dict[str, Mark] | None = field(default_factory=dict, compare=False, repr=False)


class _Parents(dict[str, str]):
    """Each path's folder ("" at the top), made once per path in this process: a rebuild
    asks for those of the same 10^4 paths every time, looked up in C (map)."""

    def __missing__(self, path: str) -> str:
        if len(self) >= _PARENTS_MAX:
            self.clear()
        parent = self[path] = path.rpartition("/")[0]
        return parent


_PARENTS_MAX = 200_000  # paths: a site of ~10^5 pages; then made afresh
_PARENT = _Parents().__getitem__


def folders(paths: Iterable[str]) -> set[str]:
    """Every folder above every path (a level at a time: this runs over 10^4 paths, most
    of them siblings' pages)."""
    return _with_ancestors(set(map(_PARENT, paths)))


def _with_ancestors(level: set[str]) -> set[str]:
    found: set[str] = set()
    while level:
        found |= level
        level = set(map(_PARENT, level)) - found
    found.discard("")
    return found


def same_file(old: str, content: bytes) -> os.stat_result | None:
    """The old file's identity if it holds exactly `content` (a symlink never does)."""
    try:
        fd = os.open(old, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(content):
            return None
        with open(fd, "rb", closefd=False) as handle:
            return info if handle.read() == content else None
    finally:
        os.close(fd)


def write_new(dest: str, content: bytes) -> int:
    """Create `dest` (never an existing file: it may be a link to a live one); its inode."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


def carry(source: str, dest: str) -> None:
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:  # no hard links on this file system: copy
        shutil.copy2(source, dest, follow_symlinks=False)


def remove(path: str) -> None:
    """Remove a file, a symlink (never what it points to) or a whole folder."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def _empty(into: str, folder: str, keep: set[str]) -> None:
    """Remove every file of a spare folder that is not as recorded, and its sub-folders
    except those in `keep` (checked on their own next)."""
    with os.scandir(f"{into}/{folder}" if folder else into) as entries:
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if not (rel in keep and entry.is_dir(follow_symlinks=False)):
                remove(entry.path)


def identity(info: os.stat_result) -> str:
    """What a folder's entries change: its inode, mtime and ctime (which no one can set)."""
    return f"{info.st_ino}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def _as_recorded(into: str, known: set[str], unknown: set[str], spare: Record
                 ) -> dict[str, Mark] | None:
    """Whether every folder in `known` is a folder exactly as recorded, its parent too (or
    it is the top; `unknown` are the other folders wanted): the usual case, checked with
    one lstat per folder and no Python loop. Anything else is left to `_check_folders`.
    Their marks if they are, else None."""
    if unknown and any(rel.rpartition("/")[0] in unknown for rel in known):
        return None  # a recorded folder below one that is not: not as we left it
    order = list(known)
    try:  # each stat dropped once read: 10^4 of them held at once cost more (page faults)
        found = list(map(_MARK, map(os.lstat, map(f"{into}/".__add__, order))))
    except OSError:
        return None
    if spare.marks is not None:  # a mode, inode and times seen with each identity: in C
        same = found == list(map(spare.marks.get, order))
    else:
        same = [f"{ino}:{mtime}:{ctime}" if _IS_DIR(mode) else None  # identity()
                for mode, ino, mtime, ctime in found] == list(map(spare.dirs.__getitem__, order))
    return dict(zip(order, found, strict=True)) if same else None


def _check_folders(into: str, known: set[str], recorded: Mapping[str, str],
                   touched: set[str]) -> tuple[set[str], set[str]]:
    """Folder by folder, parents first: those of `known` that are present, and those whose
    entries are exactly the recorded ones (trusted); a present folder that differs is
    emptied of its files, a file where a folder was is removed (both noted in `touched`)."""
    present, wiped = {""}, {""}  # the top folder was emptied already
    for rel in sorted(known):  # a path sorts before every path below it
        parent = rel.rpartition("/")[0]
        if parent not in present:
            continue
        try:
            info = os.lstat(f"{into}/{rel}")
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            os.unlink(f"{into}/{rel}")
            touched.add(parent)
            continue
        present.add(rel)
        if identity(info) != recorded[rel]:
            _empty(into, rel, known)
            wiped.add(rel)
            touched.add(rel)
    return present, present - wiped


def update(folder: Path, outputs: Mapping[str, bytes], previous: Path, keep: Sequence[str],
           spare: Record, record: Record,
           seen: Mapping[str, os.stat_result] | None = None) -> tuple[int, int]:
    """Turn `folder`, the claimed spare that `spare` describes, into the new site; `seen`
    holds the caller's own lstat of kept live files (see `writer.write_site`)."""
    into, old = str(folder), str(previous)
    dev = os.lstat(into).st_dev
    parents = list(map(_PARENT, keep))
    needed = _with_ancestors({*parents, *map(_PARENT, outputs)})
    touched = record.touched
    known = needed & spare.dirs.keys()
    _empty(into, "", known)  # the top folder's ctime changed when it was renamed
    marks = _as_recorded(into, known, needed - known, spare)
    if marks is not None:
        present, trusted = {"", *known}, known  # the top folder was emptied: not trusted
        record.marks = marks
    else:
        present, trusted = _check_folders(into, known, spare.dirs, touched)
        record.marks = None
    # `present` folders exist; `trusted` ones hold exactly the recorded entries.
    gone = spare.files.keys() - outputs.keys()
    gone.difference_update(keep)
    for rel in chain(spare.dirs.keys() - needed, gone):
        # The ledger's paths are used only here unchecked (the others are outputs): one in
        # a trusted (output) folder, and a plain name, stays inside the spare.
        parent, _, name = rel.rpartition("/")
        if parent in trusted:
            if name in _FORBIDDEN_NAMES:
                raise OSError(f"unsafe path in the spare's ledger: {rel!r}")
            remove(f"{into}/{rel}")
            touched.add(parent)

    def make(parent: str) -> None:
        if parent not in present:
            os.makedirs(f"{into}/{parent}")
            while parent not in present:
                present.add(parent)
                touched.add(parent)
                parent = parent.rpartition("/")[0]
            touched.add(parent)

    def relink(rel: str, parent: str, had: str | None) -> None:
        if had is not None:
            os.unlink(f"{into}/{rel}")  # unlink, then link: never through a shared file
        carry(f"{old}/{rel}", f"{into}/{rel}")
        record.files[rel] = str(os.lstat(f"{into}/{rel}").st_ino)
        touched.add(parent)

    files = spare.files
    # Kept files, ~10^4: one lstat each (of the live file, unless the caller made it),
    # compared in bulk. A spare file stays only if its folder is trusted and it is the live
    # file itself (same inode and device); the others, `suspects`, are linked again from
    # the live site.
    folders = set(parents)
    for parent in folders.difference(present):
        make(parent)
    infos = live_stats(old, keep, seen)
    inos = list(map(str, map(_INODE, infos)))
    record.files.update(zip(keep, inos, strict=True))
    # Told apart in C (10^4 of them; the suspects are a few: the files at the top, and
    # those written since the spare was live).
    other: Iterable[int] = compress(count(), map(ne, map(files.get, keep), inos))
    untrusted = folders.difference(trusted)  # the top at least, if a file there is kept
    if untrusted:
        other = chain(other, compress(count(), map(untrusted.__contains__, parents)))
    if not set(map(_DEVICE, infos)) <= {dev}:
        other = chain(other, compress(count(), map(ne, map(_DEVICE, infos), repeat(dev))))
    suspects = [(keep[i], parents[i]) for i in sorted(set(other))]
    for rel, parent in suspects:
        relink(rel, parent, files.get(rel) if parent in trusted else None)
    written, linked = 0, len(keep)
    for rel, content in outputs.items():
        parent = rel.rpartition("/")[0]
        make(parent)
        same = same_file(f"{old}/{rel}", content)
        had = files.get(rel) if parent in trusted else None
        if same is not None:
            record.files[rel] = str(same.st_ino)
            if had == record.files[rel] and same.st_dev == dev:
                linked += 1
                continue
            try:
                relink(rel, parent, had)
                linked += 1
                continue
            except OSError:
                had = None  # no hard links, and a copy failed too: write it
        if had is not None:
            os.unlink(f"{into}/{rel}")
        record.files[rel] = str(write_new(f"{into}/{rel}", content))
        touched.add(parent)
        written += 1
    # The trusted folders left untouched are as recorded: the record copied whole (10^4).
    record.dirs = dict(spare.dirs)
    for rel in (spare.dirs.keys() - trusted) | touched:
        record.dirs.pop(rel, None)
        if record.marks is not None:
            record.marks.pop(rel, None)
    return written, linked


def live_stats(old: str, keep: Sequence[str],
               seen: Mapping[str, os.stat_result] | None) -> list[os.stat_result]:
    """The lstat of each kept file of the live site `old`: the caller's, where it made one."""
    if not seen:
        return list(map(os.lstat, [f"{old}/{rel}" for rel in keep]))
    found = list(map(seen.get, keep))
    if all(found):  # the usual case: no Python loop
        return cast(list[os.stat_result], found)
    return [os.lstat(f"{old}/{rel}") if info is None else info
            for rel, info in zip(keep, found, strict=True)]


def ident(path: Path) -> str:
    info = os.lstat(path)
    return f"{info.st_dev}:{info.st_ino}"


def finish(folder: Path, record: Record) -> None:
    """Note how the folders changed by this build were left (the others are as recorded)."""
    into = str(folder)
    for rel in record.touched - {""}:
        try:
            info = os.lstat(f"{into}/{rel}")
        except FileNotFoundError:
            continue
        record.dirs[rel] = identity(info)
        if record.marks is not None:
            record.marks[rel] = _MARK(info)
