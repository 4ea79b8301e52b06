"""Scan the history, starting from what an earlier run saved when that is still valid
(history_store), or from what the last read in this process left (history_held).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from warroom import gitrepo, held, history_held
from warroom.cachedir import cache_root
from warroom.held import Identity
from warroom.history_acc import Declared, Fold, Saved, Table
from warroom.history_facts import FactReader, Version
from warroom.history_held import Owners, Snapshot
from warroom.history_log import Commit, committer_time, parse_tree
from warroom.history_one import read_one, start_log
from warroom.history_store import Stamp, Stamps, Store
from warroom.history_stream import stream_history
from warroom.recorded import Change
from warroom.repo import SUFFIXES

# A resumed run saves again only when this many commits were read since the saved one:
# rewriting the whole fold costs more than reading a few commits again.
RESAVE = 25
CACHE_DIR = "history"  # under cachedir.cache_root


@dataclass
class Scan:
    fold: Fold
    tree: dict[str, Version]  # incident files at the revision (top-relative path)
    stamps: Stamps = field(default_factory=Stamps)
    since: str | None = None  # the commit of the saved fold it started from
    # Who owns each id among `tree`, and the fold's declared ids, when the read kept them
    # up to date from a snapshot's (history_held); else made from `tree` and `fold`. The
    # tree and the owners may be a snapshot's: copied before they are changed.
    owners: Owners | None = None
    declared: Declared | None = None


def _is_incident(path: str, folder: str) -> bool:
    return path.startswith(folder + "/") and path.endswith(SUFFIXES)


class Ahead:
    """The log of the one commit since a snapshot's (history_one), started by read_early
    before the caller loads the files (git walks on the other core meanwhile). Taken by the
    scan that resumes from that snapshot up to that head; else stopped."""

    def __init__(self, since: str, head: str, log: gitrepo.Started) -> None:
        self.since, self.head = since, head
        self._log: gitrepo.Started | None = log

    def take(self, since: str, head: str) -> gitrepo.Started | None:
        log = self._log if (since, head) == (self.since, self.head) else None
        if log is not None:
            self._log = None
        return log

    def close(self) -> None:
        log, self._log = self._log, None
        if log is not None:
            gitrepo.finish(log, kill=True)


def start_ahead(root: Path, top: Path, folder: str, head: str, parents: tuple[str, ...]
                ) -> Ahead | None:
    """Ahead, when a snapshot of this process (default mode) is at head's only parent."""
    newest = Store(cache_root(root) / CACHE_DIR, folder, False).newest()
    snapshot = held.recall(newest, history_held.kind(top, folder))[1] if newest else None
    if not isinstance(snapshot, Snapshot) or parents != (snapshot.head,):
        return None
    return Ahead(snapshot.head, head, start_log(top, head, folder, snapshot.head, False))


def scan_history(root: Path, top: Path, folder: str, head: str | None, reader: FactReader,
                 *, landed: bool, use_cache: bool, resume: bool = True,
                 head_parents: tuple[str, ...] | None = None,
                 ahead: Ahead | None = None) -> Scan:
    """`head_parents`: when known (a fold saved at one of them needs no ancestry check).
    `resume`: start from a saved fold (else read every commit, still saving the fold).
    `ahead`: start_ahead's, used if it applies, stopped if not."""
    try:
        return _scan_history(root, top, folder, head, reader, landed=landed,
                             use_cache=use_cache, resume=resume, head_parents=head_parents,
                             ahead=ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _scan_history(root: Path, top: Path, folder: str, head: str | None, reader: FactReader,
                  *, landed: bool, use_cache: bool, resume: bool,
                  head_parents: tuple[str, ...] | None, ahead: Ahead | None) -> Scan:
    if head is None:
        return Scan(Fold(), {})
    store = Store(cache_root(root) / CACHE_DIR, folder, landed) if use_cache else None
    kind = history_held.kind(top, folder)
    if store is not None and resume:
        newest = store.newest()
        now, snapshot = held.recall(newest, kind) if newest is not None else (None, None)
        if newest is not None and now is not None and snapshot is not None:
            scan = _from_snapshot(store, snapshot, (newest, now, kind), top, folder, head,
                                  head_parents or (), reader, ahead)
            if scan is not None:
                return scan
    elif store is not None:  # read again, as a saved fold turned out damaged: hold none
        for path in store.folds():
            held.keep(path, kind, None, None)
    return _scan(store, kind, top, folder, head, reader, landed=landed, resume=resume,
                 head_parents=head_parents)


def _scan(store: Store | None, kind: str, top: Path, folder: str, head: str,
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
    parsed = reader.known_versions(set(tree.values()).difference(versions))
    if parsed:  # a copy: `versions` may be held
        versions = {**versions, **parsed}
    commits: list[Commit] = []
    fresh: dict[str, Version] = {}
    times: dict[str, datetime] = {}
    if base is not None and base.tip == head and versions.keys() >= set(tree.values()):
        pass  # nothing new since the saved fold: no log, no objects to read
    else:
        commits, fresh, times = _read_commits(top, head, folder, base.tip if base else None,
                                              landed, versions, tree, reader, fold, stamps)
    present = {p: versions[b] for p, b in tree.items() if b in versions}
    if store is None:
        return Scan(fold, present, stamps)
    # Left for the next read in this process (history_held): HEAD one commit on from here
    # then reads only that commit.
    owners, declared = Owners.of(present), fold.declared()
    since = base.tip if base else None
    if base is None or len(commits) >= RESAVE:
        current = {b: versions[b] for b in tree.values() if b in versions}
        saved = store.save(head, fold, stamps, current, fresh if base is None else {})
        _hold_saved(store, kind, saved, Snapshot(head, head, times.get(head), fold, stamps,
                                                 tree, versions, present, owners, declared, 0))
        return Scan(fold, present, stamps, since, owners, declared)
    _keep(store, kind, base.path, base.identity, Snapshot(
        base.tip, head, times.get(head), fold, stamps, tree, versions, present, owners,
        declared, len(commits)))
    return Scan(fold.copy(), present, stamps.copy(), since, owners, declared)


def _hold_saved(store: Store, kind: str, saved: tuple[list[Any], Table] | None,
                snapshot: Snapshot) -> None:
    """Hold, for the fold just saved, what reading it back would give (the next read then
    neither unpickles it nor lists the files again)."""
    path = store.fold_path(snapshot.head)
    identity = held.identity(path)
    if saved is None or identity is None:
        return
    entries, table = saved
    fold = Fold(Saved(entries, table.copy()))
    fold.unreadable = list(snapshot.fold.unreadable)
    _keep(store, kind, path, identity,
          snapshot._replace(fold=fold, stamps=snapshot.stamps.copy()))


def _keep(store: Store, kind: str, path: Path, identity: Identity, snapshot: Snapshot
          ) -> None:
    """Hold the snapshot with the fold file it started from, and none with the others: a
    read looks for one only with the newest, and each holds 10^4 files' worth."""
    for other in store.folds():
        if other != path:
            held.keep(other, kind, None, None)
    held.keep(path, kind, identity, snapshot)


def _from_snapshot(store: Store, snapshot: Snapshot, where: tuple[Path, Identity, str],
                   top: Path, folder: str, head: str, parents: tuple[str, ...],
                   reader: FactReader, ahead: Ahead | None) -> Scan | None:
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
    head_at = snapshot.head_at
    if head != snapshot.head:
        versions = dict(versions)
        log = ahead.take(snapshot.head, head) if ahead is not None and not landed else None
        commits, times = read_one(top, head, folder, snapshot.head, head_at, versions, reader,
                                  landed=landed, started=log)
        for commit in reversed(commits):
            stamp = _fold_commit(fold, commit, folder, versions, times)
            if stamp is not None:
                stamps.add(stamp)
        head_at = times.get(head)
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
        saved = store.save(head, fold, stamps,
                           {b: versions[b] for b in tree.values() if b in versions}, {})
        held.keep(path, kind, None, None)  # the fold saved now is the newest (if written)
        _hold_saved(store, kind, saved, Snapshot(head, head, head_at, fold, stamps, tree,
                                                 versions, present, owners, declared, 0))
        return Scan(fold, present, stamps, snapshot.since, owners, declared)
    held.keep(path, kind, identity, Snapshot(snapshot.since, head, head_at, fold, stamps,
                                             tree, versions, present, owners, declared,
                                             unsaved))
    return Scan(fold.copy(), present, stamps.copy(), snapshot.since, owners, declared)


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
                  fold: Fold, stamps: Stamps
                  ) -> tuple[list[Commit], dict[str, Version], dict[str, datetime]]:
    """The commits since `exclude`, folded; the versions they and `tree` name are added to
    `versions` (and those read from git given back), with the commit times found."""
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
    return commits, fresh, times


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
