"""Scan the history, starting from what an earlier run saved when that is still valid.

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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from warroom import gitrepo, held, history_held
from warroom.atomic import write_bytes
from warroom.cachedir import cache_root
from warroom.held import Identity
from warroom.history_acc import Declared, Fold, Saved, Table, dump_fold
from warroom.history_facts import FactReader, Facts, Unreadable, Version
from warroom.history_held import Owners, Snapshot
from warroom.history_log import Commit, committer_time, parse_tree
from warroom.history_stream import stream_history
from warroom.recorded import Change
from warroom.repo import SUFFIXES

FORMAT = 4  # bump when what is saved changes meaning (3 was JSON)
SUFFIX = ".pickle"
KEEP = 4  # folds kept per mode: a few branches switched between
# A resumed run saves again only when this many commits were read since the saved one:
# rewriting the whole fold costs more than reading a few commits again.
RESAVE = 25
CACHE_DIR = "history"  # under cachedir.cache_root


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


@dataclass
class Scan:
    fold: Fold
    tree: dict[str, Version]  # incident files at the revision (top-relative path)
    stamps: Stamps = field(default_factory=Stamps)
    since: str | None = None  # the commit of the saved fold it started from
    # Who owns each id among `tree`, and the fold's declared ids, when the read kept them
    # up to date from a snapshot's (history_held); else made from `tree` and `fold`.
    owners: Owners | None = None
    declared: Declared | None = None


def _is_incident(path: str, folder: str) -> bool:
    return path.startswith(folder + "/") and path.endswith(SUFFIXES)


def scan_history(root: Path, top: Path, folder: str, head: str | None, reader: FactReader,
                 *, landed: bool, use_cache: bool, resume: bool = True,
                 head_parents: tuple[str, ...] | None = None) -> Scan:
    """`head_parents`: when known (a fold saved at one of them needs no ancestry check).
    `resume`: start from a saved fold (else read every commit, still saving the fold)."""
    if head is None:
        return Scan(Fold(), {})
    store = _Store(cache_root(root) / CACHE_DIR, folder, landed) if use_cache else None
    kind = history_held.kind(top, folder)
    if store is not None and resume:
        newest = store.newest()
        now, snapshot = held.recall(newest, kind) if newest is not None else (None, None)
        if newest is not None and now is not None and snapshot is not None:
            scan = _from_snapshot(store, snapshot, (newest, now, kind), top, folder, head,
                                  head_parents or (), reader)
            if scan is not None:
                return scan
    elif store is not None:  # read again, as a saved fold turned out damaged: hold none
        for path in store.folds():
            held.keep(path, kind, None, None)
    return _scan(store, kind, top, folder, head, reader, landed=landed, resume=resume,
                 head_parents=head_parents)


def _scan(store: _Store | None, kind: str, top: Path, folder: str, head: str,
          reader: FactReader, *, landed: bool, resume: bool,
          head_parents: tuple[str, ...] | None) -> Scan:
    listing = gitrepo.start_tree_files(top, head, folder)  # listed while the cache loads
    try:
        base = store.best(top, head, head_parents) if store and resume else None
        tree_raw = gitrepo.collect(listing)
    except BaseException:
        gitrepo.finish(listing, kill=True)
        raise
    fold = base.fold if base else Fold()
    stamps = base.stamps if base else Stamps()
    under = folder + "/"  # _is_incident, inlined: 10^4 paths
    tree = {p: b for p, b in parse_tree(tree_raw).items()
            if p.endswith(SUFFIXES) and p.startswith(under)}
    # Resuming needs only the versions of the saved tip's files; a full scan may reuse
    # every version ever read.
    versions = base.versions if base else store.blobs() if store else {}
    commits: list[Commit] = []
    fresh: dict[str, Version] = {}
    if base is not None and base.tip == head and versions.keys() >= set(tree.values()):
        pass  # nothing new since the saved fold: no log, no objects to read
    else:
        commits, fresh = _read_commits(top, head, folder, base.tip if base else None, landed,
                                       versions, tree, reader, fold, stamps)
    present = {p: versions[b] for p, b in tree.items() if b in versions}
    if store is not None and (base is None or len(commits) >= RESAVE):
        current = {b: versions[b] for b in tree.values() if b in versions}
        store.save(head, fold, stamps, current, fresh if base is None else {})
        return Scan(fold, present, stamps, base.tip if base else None)
    if base is None:
        return Scan(fold, present, stamps)
    # Left for the next read in this process (history_held): HEAD one commit on from here
    # then reads only that commit.
    owners, declared = Owners.of(present), fold.declared()
    held.keep(base.path, kind, base.identity, Snapshot(
        base.tip, head, fold, stamps, tree, versions, present, owners, declared, len(commits)))
    return Scan(fold.copy(), present, stamps.copy(), base.tip, owners.copy(), declared)


def _from_snapshot(store: _Store, snapshot: Snapshot, where: tuple[Path, Identity, str],
                   top: Path, folder: str, head: str, parents: tuple[str, ...],
                   reader: FactReader) -> Scan | None:
    """The scan from a snapshot when head is its commit or that commit's child (for
    `landed`, first child); None otherwise. The log of that one commit lists every incident
    file it changed, so the files at head are the snapshot's updated (git ls-tree is not
    asked); a submodule among them (not a file: ls-tree leaves it out) takes the long way."""
    landed = store.mode == "landed"
    if head != snapshot.head and (parents[:1] if landed else parents) != (snapshot.head,):
        return None
    fold, stamps = snapshot.fold.copy(), snapshot.stamps.copy()
    tree, versions, present = snapshot.tree, snapshot.versions, snapshot.present
    owners = snapshot.owners
    commits: list[Commit] = []
    if head != snapshot.head:
        versions = dict(versions)
        commits, _ = _read_commits(top, head, folder, snapshot.head, landed, versions, {},
                                   reader, fold, stamps)
    if commits:
        if any(entry.link for commit in commits for entry in commit.entries):
            return None
        tree, present, owners = dict(tree), dict(present), owners.copy()
        for commit in reversed(commits):  # one (see above); a merge's diff is one-sided
            for entry in commit.entries:
                gone = entry.olds[0] if len(entry.olds) == 1 else None
                if gone is not None and gone[0] != entry.path and gone[1] is not None:
                    _put(tree, present, owners, versions, folder, gone[0], None)  # renamed
                _put(tree, present, owners, versions, folder, entry.path, entry.blob)
    declared = fold.declared(snapshot.declared)
    unsaved = snapshot.unsaved + len(commits)
    path, identity, kind = where
    if unsaved >= RESAVE:
        store.save(head, fold, stamps, {b: versions[b] for b in tree.values() if b in versions},
                   {})
        held.keep(path, kind, None, None)  # the fold saved now is the newest
        return Scan(fold, present, stamps, snapshot.since, owners.copy(), declared)
    held.keep(path, kind, identity, Snapshot(snapshot.since, head, fold, stamps, tree,
                                             versions, present, owners, declared, unsaved))
    return Scan(fold.copy(), present, stamps.copy(), snapshot.since, owners.copy(), declared)


def _put(tree: dict[str, str], present: dict[str, Version], owners: Owners,
         versions: dict[str, Version], folder: str, path: str, blob: str | None) -> None:
    if not _is_incident(path, folder):
        return
    if blob is None:
        tree.pop(path, None)
    else:
        tree[path] = blob
    old = present.pop(path, None)
    new = versions.get(blob) if blob is not None else None
    if new is not None:
        present[path] = new
    owners.change(path, old, new, present)


def _read_commits(top: Path, head: str, folder: str, exclude: str | None, landed: bool,
                  versions: dict[str, Version], tree: dict[str, str], reader: FactReader,
                  fold: Fold, stamps: Stamps) -> tuple[list[Commit], dict[str, Version]]:
    """The commits since `exclude`, folded; the versions they and `tree` name are added to
    `versions` (and those read from git given back)."""
    fresh: dict[str, Version] = {}
    times: dict[str, datetime] = {}
    parents: set[str] = set()

    def wanted(commit: Commit) -> list[str]:
        times[commit.id] = commit.at
        ids = []
        for entry in commit.entries:
            if entry.blob and entry.blob not in versions and _is_incident(entry.path, folder):
                ids.append(entry.blob)
            ids += [b for p, b in entry.olds
                    if b and b not in versions and _is_incident(p, folder)]
        return ids

    def more(commits: list[Commit]) -> list[str]:
        parents.update({p for c in commits if c.entries for p in c.parents} - times.keys())
        return sorted(set(tree.values()) - versions.keys()) + sorted(parents)

    def take(ident: str, content: bytes) -> None:
        if ident in parents:
            stamp = committer_time(content)
            if stamp is not None:
                times[ident] = stamp
        else:
            versions[ident] = fresh[ident] = reader.read(content)

    commits = stream_history(top, head, folder, exclude=exclude, landed=landed,
                             wanted=wanted, more=more, take=take)
    for commit in reversed(commits):
        stamp = _fold_commit(fold, commit, folder, versions, times)
        if stamp is not None:
            stamps.add(stamp)
    return commits, fresh


def _fold_commit(fold: Fold, commit: Commit, folder: str, versions: dict[str, Version],
                 times: dict[str, datetime]) -> Stamp | None:
    entries: list[tuple[str, Version | None, list[tuple[str, Version | None]]]] = []
    for entry in commit.entries:
        new = versions.get(entry.blob) if entry.blob and _is_incident(entry.path, folder) \
            else None
        olds = [(p, versions.get(b) if b and _is_incident(p, folder) else None)
                for p, b in entry.olds]
        if new is not None or any(v is not None for _, v in olds):
            entries.append((entry.path, new, olds))
    if not entries:
        return None
    change = Change(commit.at, commit.id, commit.who)
    fold.commit(change, entries)
    parent_at = max((times[p] for p in commit.parents if p in times), default=None)
    # Only a parent dated later than the commit matters; the cache keeps no other.
    return Stamp(change, entries[0][0], parent_at if parent_at and parent_at > commit.at
                 else None)


# --- the store ---
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


class _Base(NamedTuple):
    tip: str
    fold: Fold
    stamps: Stamps
    versions: dict[str, Version]  # of the files at tip
    path: Path  # the saved fold's file
    identity: Identity  # that file's, as read


class _Store:
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

    def _write(self, path: Path, data: Any) -> None:
        try:
            self.where.mkdir(parents=True, exist_ok=True)
            ignore = self.where.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# warroom's cache; safe to delete\n*\n", encoding="utf-8")
            write_bytes(path, pickle.dumps({"format": FORMAT, "folder": self.folder, **data},
                                           protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return  # a cache that cannot be written only costs time

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

    def best(self, top: Path, head: str, parents: tuple[str, ...] | None) -> _Base | None:
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
             fresh: dict[str, Version]) -> None:
        stamps, latest = all_stamps.all(), all_stamps.latest
        if fresh:
            self._write(self.where / f"blobs{SUFFIX}",
                        {"blobs": _versions_out({**self._blobs, **fresh})})
        saved, table = dump_fold(fold)
        put, path = table.put, table.path
        self._write(self.where / f"{self.mode}-{head}{SUFFIX}", {
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


def _load(tip: str, data: dict[str, Any], versions: dict[str, Version], table: Table,
          path: Path, identity: Identity) -> _Base:
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
    return _Base(tip, fold, stamps, versions, path, identity)
