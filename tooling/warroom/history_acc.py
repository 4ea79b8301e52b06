"""What each commit recorded, folded per incident id into the earliest commit of each fact.

A commit records a fact when the fact holds in the version it made and in none of the
versions it replaced (its parents' versions). Across branches the earliest such commit
wins, so the order in which commits are fed in does not matter, and a saved state can take
more commits later (the history cache relies on both).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from warroom.history_facts import IDENTIFIED, MONITORING, RESOLVED, Facts, Unreadable, Version
from warroom.recorded import Change, Recorded, SeverityChange

# The ids whose Recorded is not None, sorted, and as a set (Fold.declared).
Declared = tuple[list[str], frozenset[str]]

STEPS = ("declared", "acknowledged", "identified", "monitoring", "resolved",
         "postmortem_published")


def _earlier(old: Change | None, new: Change) -> Change:
    return new if old is None or new < old else old


@dataclass
class Acc:
    steps: dict[str, Change] = field(default_factory=dict)
    updates: dict[int, Change] = field(default_factory=dict)
    severity: dict[tuple[str, str, str], SeverityChange] = field(default_factory=dict)
    deletions: dict[str, tuple[Change, str]] = field(default_factory=dict)  # by commit
    paths: dict[str, Change] = field(default_factory=dict)

    def step(self, name: str, change: Change) -> None:
        self.steps[name] = _earlier(self.steps.get(name), change)

    def copy(self) -> Acc:
        return Acc(dict(self.steps), dict(self.updates), dict(self.severity),
                   dict(self.deletions), dict(self.paths))


def ident_of(facts: Facts, path: str) -> str:
    """Identity is the id inside the file; the file name stands in when it has none."""
    return facts.id or PurePosixPath(path).stem


class Fold:
    """Per-id accumulators, fed one commit at a time.

    A fold loaded from the cache keeps its entries as saved (`Saved`) until a commit
    touches one: a run after one new commit decodes the few ids it touches, and the
    Recorded values of all the others come straight from their saved entries.
    """

    def __init__(self, saved: Saved | None = None) -> None:
        self.accs: dict[str, Acc] = {}
        self.unreadable: list[tuple[str, Change, Unreadable]] = []  # (path, commit, why)
        self.saved = saved
        self._loaded: dict[str, list[Any]] = {}  # saved entries decoded, as they were

    def acc(self, ident: str) -> Acc:
        found = self.accs.get(ident)
        if found is None:
            saved = self.saved
            # The saved entry stays: an id in accs is never looked up in the saved ones
            # (so a fold's Saved is shared by its copies, and never changed).
            raw = saved.entries.get(ident) if saved is not None else None
            found = self.accs[ident] = Acc() if raw is None or saved is None else saved.acc(raw)
            if raw is not None:
                self._loaded[ident] = raw
        return found

    def copy(self) -> Fold:
        """A fold that can take more commits without changing this one (held between
        builds: see history_held)."""
        out = Fold(self.saved)
        out.accs = {ident: acc.copy() for ident, acc in self.accs.items()}
        out.unreadable = list(self.unreadable)
        out._loaded = dict(self._loaded)
        return out

    def touched(self) -> frozenset[str] | None:
        """Ids whose entry differs from the saved fold's, exactly (an entry decoded and left
        equal, as by a commit changing only a title, is not one); None without a saved fold
        (every entry is new)."""
        saved = self.saved
        if saved is None:
            return None
        loaded = self._loaded
        return frozenset(ident for ident, acc in self.accs.items()
                         if ident not in loaded or saved.acc(loaded[ident]) != acc)

    def ids(self) -> list[str]:
        """Every id folded, sorted."""
        if self.saved is None:
            return sorted(self.accs)
        return sorted(self.accs.keys() | self.saved.entries.keys())

    def declared_ids(self) -> list[str]:
        """`ids()` less those whose `recorded` is None (without making any)."""
        out = [ident for ident, acc in self.accs.items() if "declared" in acc.steps]
        if self.saved is not None:  # those in accs are answered there (see acc)
            accs = self.accs
            try:
                out += [ident for ident, raw in self.saved.entries.items()
                        if raw[1][0] >= 0 and ident not in accs]
            except _DAMAGE as error:
                raise Damaged("saved fold entry without a declared step") from error
        out.sort()
        return out

    def declared(self, hint: Declared | None = None) -> Declared:
        """`declared_ids()` and the same as a set. `hint`: those of a fold this one was
        copied from (`copy`) before it took more commits: only the ids decoded since can
        differ, so the order is that one's, adjusted for them."""
        if hint is None:
            order = self.declared_ids()
            return order, frozenset(order)
        order, keys = hint
        add = [i for i, acc in self.accs.items() if "declared" in acc.steps and i not in keys]
        drop = [i for i, acc in self.accs.items() if "declared" not in acc.steps and i in keys]
        if not add and not drop:
            return hint
        new = list(order)
        for ident in drop:
            del new[bisect_left(new, ident)]
        for ident in add:
            insort(new, ident)
        return new, frozenset(new)

    def recorded(self, ident: str, path: str | None, updates: int | None) -> Recorded | None:
        """`recorded` of one id (see there)."""
        acc = self.accs.get(ident)
        if acc is not None or self.saved is None:
            return recorded(ident, acc or Acc(), path, updates)
        return self.saved.recorded(ident, path, updates)

    def commit(self, change: Change,
               entries: list[tuple[str, Version | None, list[tuple[str, Version | None]]]]
               ) -> None:
        """Entries: (path, version made or None if deleted, [(path, version replaced)])."""
        made: set[str] = set()
        gone: dict[str, tuple[str, Facts]] = {}
        for path, new, olds in entries:
            if isinstance(new, Unreadable):
                self.unreadable.append((path, change, new))
            elif isinstance(new, Facts):
                made.add(ident_of(new, path))
            for old_path, old in olds:
                if isinstance(old, Facts):
                    gone.setdefault(ident_of(old, old_path), (old_path, old))
        for path, new, olds in entries:
            if isinstance(new, Facts):
                ident = ident_of(new, path)
                before = [o for p, o in olds if isinstance(o, Facts) and ident_of(o, p) == ident]
                if not before and ident in gone:  # moved without rename detection
                    before = [gone[ident][1]]
                self._made(ident, path, change, new, before)
        for ident, (old_path, _) in gone.items():
            if ident not in made:  # deleted, or its id changed
                self.acc(ident).deletions[change.commit] = (change, old_path)

    def _made(self, ident: str, path: str, change: Change, new: Facts,
              before: list[Facts]) -> None:
        acc = self.accs.get(ident) or self.acc(ident)
        old = acc.paths.get(path)
        if old is None or change < old:
            acc.paths[path] = change
        if len(before) == 1:  # the usual case, without the generators below
            was = before[0]
            rank, commander, published, count = (was.rank, was.commander, was.published,
                                                 was.updates)
        elif before:
            rank = max(b.rank for b in before)
            commander = any(b.commander for b in before)
            published = any(b.published for b in before)
            count = max(b.updates for b in before)
        else:
            acc.step("declared", change)
            rank, commander, published, count = -1, False, False, 0
        now = new.rank
        if new.commander and not commander:
            acc.step("acknowledged", change)
        if now >= IDENTIFIED > rank:
            acc.step("identified", change)
        if now >= MONITORING > rank:
            acc.step("monitoring", change)
        if now >= RESOLVED > rank:
            acc.step("resolved", change)
        if new.published and not published:
            acc.step("postmortem_published", change)
        updates = acc.updates
        for index in range(count, new.updates):
            old = updates.get(index)
            if old is None or change < old:
                updates[index] = change
        severities = [b.severity for b in before]
        if severities and new.severity not in severities and new.severity is not None:
            was_severity = severities[0] or ""
            acc.severity[(change.commit, was_severity, new.severity)] = SeverityChange(
                change, was_severity, new.severity)


def recorded(ident: str, acc: Acc, path: str | None, updates: int | None) -> Recorded | None:
    """The Recorded value; path is the current path (None: deleted), updates its count."""
    steps = acc.steps
    if "declared" not in steps:
        return None
    indexes = []
    for index in range(updates if updates is not None else len(acc.updates)):
        if index not in acc.updates:
            break
        indexes.append(acc.updates[index])
    paths = sorted(acc.paths, key=lambda p: (acc.paths[p], p))
    deleted = None
    if path is None and acc.deletions:
        deleted = max(change for change, _ in acc.deletions.values())
    last = path or (max(acc.deletions.values())[1] if acc.deletions else paths[-1])
    return Recorded(
        incident_id=ident, path=last, declared=steps["declared"],
        acknowledged=steps.get("acknowledged"), identified=steps.get("identified"),
        monitoring=steps.get("monitoring"), resolved=steps.get("resolved"),
        updates=tuple(indexes), postmortem_published=steps.get("postmortem_published"),
        severity_changes=tuple(sorted(acc.severity.values(),
                                      key=lambda s: (s.change, s.before, s.after))),
        deleted=deleted, paths=tuple(paths),
    )


# --- saving and loading a fold (JSON: a cache must never be able to run code) ---
# Commits and paths are saved once, in tables, and referred to by index; the commit ids
# and times go in as single space-joined strings, which JSON decodes far faster than one
# string each (loading the fold is most of what a run after one new commit does).

def decode_changes(raw: dict[str, Any]) -> list[Change]:
    """A saved table's commits, as Changes, by index."""
    people = raw["people"]
    return [Change(datetime.fromisoformat(at), commit, people[who])
            for commit, at, who in zip(raw["ids"].split(), raw["at"].split(), raw["who"],
                                       strict=True)]


class Table:
    """Commits (as Changes) and paths <-> small integers, for one saved fold. A loaded
    table can take more (a fold saved again keeps the indexes its entries use)."""

    def __init__(self, raw: dict[str, Any] | None = None,
                 changes: Sequence[Change] | None = None) -> None:
        """`changes`: those of `raw`, decoded before (a fold held between builds)."""
        self._commits: dict[str, int] = {}
        self._paths: dict[str, int] = {}
        self.changes: list[Change] = []
        self.paths: list[str] = []
        if raw is not None:
            self.changes = list(decode_changes(raw) if changes is None else changes)
            # A copy: `path` appends, and `raw` may be a fold held for later reads (whose
            # paths were checked when it was first read: `changes` given).
            self.paths = list(raw["paths"])
            if changes is None and set(map(type, self.paths)) - {str}:
                raise TypeError("paths")

    def copy(self) -> Table:
        out = Table()
        out.changes, out.paths = list(self.changes), list(self.paths)
        out._commits, out._paths = dict(self._commits), dict(self._paths)
        return out

    def _index(self) -> None:
        if len(self._commits) < len(self.changes):
            self._commits = {c.commit: n for n, c in enumerate(self.changes)}
        if len(self._paths) < len(self.paths):
            self._paths = {p: n for n, p in enumerate(self.paths)}

    def put(self, change: Change) -> int:
        found = self._commits.get(change.commit)
        if found is None:
            self._index()
            found = self._commits.get(change.commit)
        if found is None:
            found = self._commits[change.commit] = len(self.changes)
            self.changes.append(change)
        return found

    def path(self, path: str) -> int:
        found = self._paths.get(path)
        if found is None:
            self._index()
            found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = len(self.paths)
            self.paths.append(path)
        return found

    def dump(self) -> dict[str, Any]:
        people: dict[str, int] = {}
        who = [people.setdefault(c.who, len(people)) for c in self.changes]
        return {"ids": " ".join(c.commit for c in self.changes),
                "at": " ".join(c.at.isoformat() for c in self.changes),
                "who": who, "people": list(people), "paths": self.paths}


def dump_fold(fold: Fold) -> tuple[list[Any], Table]:
    """Per id: [id, steps (an index or -1 per STEPS), updates, severity changes, deletions,
    paths], each of the last four a flat list; and the table the indexes refer to. Entries
    still as loaded are written as they are, against the table they were loaded with."""
    # A copy: the saved fold's table may be shared (Fold.copy), and `put` adds to it.
    table = fold.saved.table.copy() if fold.saved is not None else Table()
    put, path = table.put, table.path
    out: list[Any] = []
    for ident, acc in fold.accs.items():
        steps = acc.steps
        out.append([
            ident,
            [put(steps[name]) if name in steps else -1 for name in STEPS],
            [x for i, c in acc.updates.items() for x in (i, put(c))],
            [x for s in acc.severity.values() for x in (put(s.change), s.before, s.after)],
            [x for c, p in acc.deletions.values() for x in (put(c), path(p))],
            [x for p, c in acc.paths.items() for x in (path(p), put(c))],
        ])
    if fold.saved is not None:
        accs = fold.accs
        out += [raw for ident, raw in fold.saved.entries.items() if ident not in accs]
    return out, table


class Damaged(Exception):
    """A saved entry that does not decode: read the history again without the cache."""


# What a damaged entry can raise while it is decoded (JSON holds any shape).
_DAMAGE = (TypeError, ValueError, IndexError, KeyError, AttributeError)


class Saved:
    """The entries of a saved fold by id, decoded one by one when first needed (an entry
    that turns out not to decode raises Damaged)."""

    def __init__(self, raw: list[Any], table: Table) -> None:
        self.table = table
        self.entries: dict[str, list[Any]] = {entry[0]: entry for entry in raw}
        if any(type(ident) is not str for ident in self.entries):
            raise TypeError("ids")

    def acc(self, raw: list[Any]) -> Acc:
        try:
            return self._acc(raw)
        except _DAMAGE as error:
            raise Damaged(f"saved fold entry {str(raw)[:60]}") from error

    def _acc(self, raw: list[Any]) -> Acc:
        changes, paths = self.table.changes, self.table.paths
        _, steps, updates, severity, deletions, where = raw
        acc = Acc()
        acc.steps = {name: changes[i] for name, i in zip(STEPS, steps, strict=True) if i >= 0}
        acc.updates = {updates[k]: changes[updates[k + 1]] for k in range(0, len(updates), 2)}
        for k in range(0, len(severity), 3):
            commit, before, after = changes[severity[k]], severity[k + 1], severity[k + 2]
            acc.severity[(commit.commit, before, after)] = SeverityChange(commit, before, after)
        for k in range(0, len(deletions), 2):
            commit = changes[deletions[k]]
            acc.deletions[commit.commit] = (commit, paths[deletions[k + 1]])
        acc.paths = {paths[where[k]]: changes[where[k + 1]] for k in range(0, len(where), 2)}
        return acc

    def recorded(self, ident: str, path: str | None, updates: int | None) -> Recorded | None:
        raw = self.entries[ident]
        try:
            return self._recorded(ident, raw, path, updates)
        except _DAMAGE as error:
            raise Damaged(f"saved fold entry of {ident}") from error

    def _recorded(self, ident: str, raw: list[Any], path: str | None, count: int | None
                  ) -> Recorded | None:
        """`recorded(ident, self.acc(raw), path, count)`, without the Acc in the usual case:
        one path, no severity change, no deletion, updates saved in index order from 0."""
        _, steps, updates, severity, deletions, where = raw
        size = len(updates) >> 1
        if severity or deletions or len(where) != 2 or updates[0::2] != list(range(size)):
            return recorded(ident, self._acc(raw), path, count)
        changes = self.table.changes
        d, a, i, m, r, p = steps  # 10^4 of these: no comprehension (a frame each)
        if d < 0:
            return None
        if count is not None and count < size:
            size = max(count, 0)
        own = self.table.paths[where[0]]
        return Recorded(ident, path or own, changes[d], changes[a] if a >= 0 else None,
                        changes[i] if i >= 0 else None, changes[m] if m >= 0 else None,
                        changes[r] if r >= 0 else None,
                        tuple(map(changes.__getitem__, updates[1:2 * size:2])),
                        changes[p] if p >= 0 else None, (), None, (own,))
