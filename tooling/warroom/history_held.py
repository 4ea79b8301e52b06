"""What a history read leaves for the next read in the same process (`warroom serve`).

A rebuild after one commit used to list HEAD's 10^4 incident files again (`git ls-tree`),
ask git whether the saved fold's commit is still an ancestor, copy the saved fold's 10^4
entries, and pass over every path and id three more times, to find what the one commit
changed. A read that started from a saved fold now leaves a `Snapshot`: that fold taken up
to the commit read (HEAD then), the files there and who owns each id. The next read, when
its HEAD is a child of that commit (so no ancestry check is needed), reads only the commits
since (the log already says which files they changed) and updates copies of it.

A snapshot is held (`held`) with the saved fold file it started from, as a kind naming the
git top and incidents folder (the file's name and folder fix the cache and the mode). It is
given back only while that file is the newest fold saved and unchanged on disk: a saved fold
replaced, damaged or rewritten, another branch's newer fold, or HEAD moved anywhere but one
commit on, and the read takes the long way (and leaves a new snapshot). Snapshots are
shared: what is taken from one is copied before it is changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from warroom.history_acc import Declared, Fold, ident_of
from warroom.history_facts import Facts, Version

if TYPE_CHECKING:
    from warroom.history_store import Stamps


class Owners:
    """Per incident id, (path, update count) of its first file in path order among the
    files present (`current`), kept up to date one path at a time. `multi` holds the sorted
    paths of the rare ids that more than one file claims."""

    def __init__(self, current: dict[str, tuple[str, int]],
                 multi: dict[str, list[str]]) -> None:
        self.current = current
        self.multi = multi

    @classmethod
    def of(cls, present: Mapping[str, Version]) -> Owners:
        current: dict[str, tuple[str, int]] = {}
        multi: dict[str, list[str]] = {}
        for path in sorted(present):
            version = present[path]
            if isinstance(version, Facts):
                ident = version.id or ident_of(version, path)
                found = current.get(ident)
                if found is None:
                    current[ident] = (path, version.updates)
                else:
                    multi.setdefault(ident, [found[0]]).append(path)
        return cls(current, multi)

    def copy(self) -> Owners:
        return Owners(dict(self.current), dict(self.multi))  # multi's lists are replaced

    def change(self, path: str, old: Version | None, new: Version | None,
               present: Mapping[str, Version]) -> None:
        """The file at `path` went from `old` to `new` (None: absent); `present` is after."""
        if isinstance(old, Facts):
            self._drop(old.id or ident_of(old, path), path, present)
        if isinstance(new, Facts):
            self._add(new.id or ident_of(new, path), path, present)

    def _drop(self, ident: str, path: str, present: Mapping[str, Version]) -> None:
        paths = self.multi.get(ident)
        if paths is None:
            if self.current.get(ident, ("",))[0] == path:
                del self.current[ident]
            return
        rest = [p for p in paths if p != path]
        if len(rest) > 1:
            self.multi[ident] = rest
        else:
            del self.multi[ident]
        self._first(ident, rest[0], present)

    def _add(self, ident: str, path: str, present: Mapping[str, Version]) -> None:
        found = self.current.get(ident)
        if found is None:
            self.current[ident] = (path, _updates(present[path]))
            return
        paths = sorted({*self.multi.get(ident, [found[0]]), path})
        if len(paths) > 1:
            self.multi[ident] = paths
        self._first(ident, paths[0], present)

    def _first(self, ident: str, path: str, present: Mapping[str, Version]) -> None:
        self.current[ident] = (path, _updates(present[path]))


def _updates(version: Version) -> int:
    return version.updates if isinstance(version, Facts) else 0


class Snapshot(NamedTuple):
    since: str  # the commit of the saved fold the read started from
    head: str  # the commit read up to
    head_at: datetime | None  # its commit time, when the read came to know it
    fold: Fold  # from the saved fold up to head (copy before adding to it)
    stamps: Stamps  # copied likewise
    tree: dict[str, str]  # incident file -> blob id at head
    versions: dict[str, Version]  # by blob id: at least those of tree
    present: dict[str, Version]  # incident file -> its version at head
    owners: Owners  # of present
    declared: Declared  # fold.declared()
    unsaved: int  # commits read since the saved fold


def kind(top: Path, folder: str) -> str:
    """What a snapshot is held as (`held`), with the saved fold file it started from: one
    fold file (in one cache folder, of one mode) may serve a repository seen from another
    top or folder only as another kind."""
    return f"history-snapshot\0{top}\0{folder}"
