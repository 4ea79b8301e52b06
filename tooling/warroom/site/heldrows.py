"""Answers worked out from every site row, held between the builds of one process while
no row changed what they read.

SiteRows never change, so an unchanged incident's row is the very same object from one
build to the next: the rows that differ are found by identity in C-level passes over the
~10^4 of them, and only those are asked for the facts an answer reads. A rebuild after a
change to no such fact (a retitle) gets the answer without a Python pass over every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import compress
from operator import is_not
from typing import Any, TypeVar

from warroom import held
from warroom.site.siterows import SiteRow

T = TypeVar("T")

# kind -> (what else the answer depended on, the rows it was made from, the answer, never
# changed: callers get it shared, and copy before changing it)
_HELD: dict[str, tuple[object, dict[str, SiteRow], Any]] = {}
held.also_forget(_HELD.clear)


def held_answer(kind: str, key: object, rows: Mapping[str, SiteRow],
                facts: Callable[[SiteRow], object], make: Callable[[], T]) -> T:
    """`make()`, or the answer it gave for the last build of this `kind` when `key` is
    equal and no row differs in its `facts`."""
    before = _HELD.get(kind)
    found: T
    if before is not None and before[0] == key and _same(before[1], rows, facts):
        found = before[2]
    else:
        found = make()
    _HELD[kind] = (key, dict(rows), found)
    return found


def _same(old: dict[str, SiteRow], rows: Mapping[str, SiteRow],
          facts: Callable[[SiteRow], object]) -> bool:
    if old.keys() != rows.keys():
        return False
    other = compress(rows, map(is_not, map(old.__getitem__, rows), rows.values()))
    return all(facts(old[ident]) == facts(rows[ident]) for ident in other)
