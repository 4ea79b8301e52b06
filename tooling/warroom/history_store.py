"""What a history scan saves, and reads back when it is still valid.

Saved under `history/` in `cachedir.cache_root` (inside `.git/`, so it cannot be committed):
- `blobs.pickle`: the facts of every file version read, by blob id. Content-addressed, so it
  can never be stale.
- `<mode>-<commit>.pickle`: the fold of every commit up to that commit. A commit id fixes its
  whole ancestry, so the fold stays right for as long as the commit is an ancestor of the
  revision evaluated (for `landed`, on its first-parent chain): then only the commits since
  are read. After a rewrite (amend, rebase, reset) it is not, and is not used; the blob
  facts still spare reading and parsing every unchanged version again.
Plain values only (lists, dicts, strings, numbers), pickled and read by an unpickler that
allows no class at all: a cache folder can come from anywhere and must not be able to run
code (pickle, not JSON: a 10^4-incident fold reads in a third of the time).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from warroom import gitrepo, held
from warroom.atomic import write_bytes
from warroom.held import Identity
from warroom.history_acc import Fold, Saved, Table, dump_fold
from warroom.history_facts import Facts, Unreadable, Version
from warroom.recorded import Change

FORMAT = 4  # bump when what is saved changes meaning (3 was JSON)
SUFFIX = ".pickle"
KEEP = 4  # folds kept per mode: a few branches switched between


class Stamp(NamedTuple):
    """A commit that changed incident files: checked against now and its parents."""

    change: Change
    path: str  # first incident file it changed (top-relative)
    parent_at: datetime | None  # latest committer time among its parents, when later


class Stamps:
    """The stamps of a scan. Those of a saved fold become Stamps only when all are asked
    for: a run checks the latest time against now, and the few with a later parent."""

    def __init__(self, saved: Callable[[], list[Stamp]] | None = None,
                 latest: datetime | None = None, flagged: list[Stamp] | None = None) -> None:
        self._saved = saved
        self._made: list[Stamp] = []
        self.latest = latest  # the latest commit time of all
        self.flagged = flagged or []  # those with a parent dated later

    def add(self, stamp: Stamp) -> None:
        self._made.append(stamp)
        if self.latest is None or stamp.change.at > self.latest:
            self.latest = stamp.change.at
        if stamp.parent_at is not None:
            self.flagged.append(stamp)

    def copy(self) -> Stamps:
        out = Stamps(self._saved, self.latest, list(self.flagged))
        out._made = list(self._made)
        return out

    def all(self) -> list[Stamp]:
        if self._saved is not None:
            self._made = self._saved() + self._made
            self._saved = None
        return self._made



# Facts are saved as [blob ids joined by spaces, [[0, *facts] or [1, *unreadable], ...]].

def _versions_out(versions: dict[str, Version]) -> list[Any]:
    return [" ".join(versions), [[0, *v] if isinstance(v, Facts) else [1, *v]
                                 for v in versions.values()]]


def _versions_in(raw: list[Any]) -> dict[str, Version]:
    ids, values = raw
    return {k: Facts(*v[1:]) if v[0] == 0 else Unreadable(*v[1:])
            for k, v in zip(ids.split(), values, strict=True)}


class _Plain(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"no class in the history cache: {module}.{name}")


class Base(NamedTuple):
    tip: str
    fold: Fold
    stamps: Stamps
    versions: dict[str, Version]  # of the files at tip
    path: Path  # the saved fold's file
    identity: Identity  # that file's, as read


class Store:
    def __init__(self, where: Path, folder: str, landed: bool) -> None:
        self.where = where
        self.folder = folder
        self.mode = "landed" if landed else "merged"
        self._blobs: dict[str, Version] = {}

    def _read(self, path: Path) -> Any:
        try:
            data = _Plain(io.BytesIO(path.read_bytes())).load()
        except (OSError, ValueError, pickle.UnpicklingError, EOFError, TypeError,
                AttributeError, IndexError, MemoryError, RecursionError):
            return None
        ok = isinstance(data, dict) and data.get("format") == FORMAT
        return data if ok and data.get("folder") == self.folder else None

    def fold_path(self, head: str) -> Path:
        return self.where / f"{self.mode}-{head}{SUFFIX}"

    def _write(self, path: Path, data: Any) -> bool:
        try:
            self.where.mkdir(parents=True, exist_ok=True)
            ignore = self.where.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# warroom's cache; safe to delete\n*\n", encoding="utf-8")
            write_bytes(path, pickle.dumps({"format": FORMAT, "folder": self.folder, **data},
                                           protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return False  # a cache that cannot be written only costs time
        return True

    def blobs(self) -> dict[str, Version]:
        data = self._read(self.where / f"blobs{SUFFIX}")
        if data is None:
            return {}
        try:
            self._blobs = _versions_in(data["blobs"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return {}
        return dict(self._blobs)

    def newest(self) -> Path | None:
        """The saved fold best() tries first."""
        found = self.folds()
        return found[0] if found else None

    def folds(self) -> list[Path]:
        try:
            found = [(p.stat().st_mtime, p) for p in self.where.glob(f"{self.mode}-*{SUFFIX}")]
        except OSError:
            return []
        return [p for _, p in sorted(found, reverse=True)]

    def best(self, top: Path, head: str, parents: tuple[str, ...] | None) -> Base | None:
        """The newest saved fold whose commit is still behind head."""
        parents = parents or ()
        for path in self.folds()[:KEEP]:
            tip = path.stem.split("-", 1)[1]
            parent = bool(parents) and (tip == parents[0] if self.mode == "landed"
                                        else tip in parents)
            if tip != head and not parent and not self._behind(top, tip, head):
                continue
            identity, found = self._fold(path)
            if identity is None or found is None or found[0].get("tip") != tip:
                continue
            data, versions, changes = found
            try:
                # Copies: the scan adds to the versions, the table to its changes.
                return _load(tip, data, dict(versions), Table(data, changes), path, identity)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                continue  # damaged: ignore it
        return None

    def _fold(self, path: Path) -> tuple[
            Identity | None, tuple[dict[str, Any], dict[str, Version], list[Change]] | None]:
        """A saved fold's data, its files' versions and its commits, as this process last
        decoded them while the file is unchanged (`warroom serve` reads one fold build
        after build; none of them is ever changed in place). None: no usable fold."""
        now, kept = held.recall(path, "history-fold")
        if kept is None:
            data = self._read(path)
            try:
                kept = (data, _versions_in(data["versions"]), Table(data).changes) \
                    if data is not None else ()  # Table checks the paths, once
            except (KeyError, TypeError, ValueError, AttributeError):
                kept = ()
            held.keep(path, "history-fold", now, kept)
        return now, kept or None

    def _behind(self, top: Path, tip: str, head: str) -> bool:
        if not gitrepo.is_ancestor(top, tip, head):
            return False
        if self.mode == "merged":
            return True
        chain = gitrepo.first_parent_ids(top, head, tip)
        return bool(chain) and chain[-1][1] == tip

    def save(self, head: str, fold: Fold, all_stamps: Stamps, current: dict[str, Version],
             fresh: dict[str, Version]) -> tuple[list[Any], Table] | None:
        """Save the fold at head; its entries as saved and their table (None: not saved)."""
        stamps, latest = all_stamps.all(), all_stamps.latest
        if fresh:
            self._write(self.where / f"blobs{SUFFIX}",
                        {"blobs": _versions_out({**self._blobs, **fresh})})
        saved, table = dump_fold(fold)
        put, path = table.put, table.path
        written = self._write(self.fold_path(head), {
            "tip": head,
            "fold": saved,
            "unreadable": [[path(p), put(c), list(u)] for p, c, u in fold.unreadable],
            # [commit, path] per stamp, flat; a parent dated later, by stamp index.
            "stamps": [x for s in stamps for x in (put(s.change), path(s.path))],
            "later_parents": {str(n): s.parent_at.isoformat() for n, s in enumerate(stamps)
                              if s.parent_at is not None},
            "latest": latest.isoformat() if latest else None,
            "versions": _versions_out(current),
            **table.dump(),
        })
        for old in self.folds()[KEEP:]:
            old.unlink(missing_ok=True)
        for legacy in self.where.glob("*.json"):  # an older warroom's (format 3 and before)
            legacy.unlink(missing_ok=True)
        return (saved, table) if written else None


def _load(tip: str, data: dict[str, Any], versions: dict[str, Version], table: Table,
          path: Path, identity: Identity) -> Base:
    changes, paths = table.changes, table.paths
    fold = Fold(Saved(data["fold"], table))
    fold.unreadable = [(paths[p], changes[c], Unreadable(*u)) for p, c, u in data["unreadable"]]
    flat, later, latest = data["stamps"], data["later_parents"], data["latest"]

    def stamp(n: int, parent_at: datetime | None = None) -> Stamp:
        return Stamp(changes[flat[2 * n]], paths[flat[2 * n + 1]], parent_at)

    def saved() -> list[Stamp]:
        made = [stamp(n) for n in range(len(flat) // 2)]
        for n, at in later.items():
            made[int(n)] = made[int(n)]._replace(parent_at=datetime.fromisoformat(at))
        return made

    flagged = [stamp(int(n), datetime.fromisoformat(at)) for n, at in later.items()]
    stamps = Stamps(saved, datetime.fromisoformat(latest) if latest else None, flagged)
    return Base(tip, fold, stamps, versions, path, identity)
