"""What history recorded per incident id, each `Recorded` made when first asked for.

A run after one new commit decodes the handful of fold entries that commit touched; making
a `Recorded` for each of the other 10^4 ids (0.1 s at that size) is left to the consumers
that ask for them: `warroom sla --incident ID` asks for one, a build for the public ones.
Which ids there are, in which order, and which were deleted is known without making any
but the deleted ones' (a cheap look at each entry's "declared" step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from warroom.history_acc import Damaged, Fold
from warroom.recorded import Recorded

_NOWHERE: tuple[None, None] = (None, None)


def strip(prefix: str, path: str) -> str:
    return path[len(prefix):] if path.startswith(prefix) else path


class RecordedView(Mapping[str, Recorded]):
    """Read-only, by incident id, sorted as `Fold.ids()`; the same values `_finish` once put
    in a dict for every id. `current`: id -> (path, update count) of its first file now.

    A saved fold entry is only checked for damage when it is decoded. One found damaged here,
    after `read_history` returned, cannot make that read start over; `again` does (the whole
    history without the saved fold, which also saves a good one) and answers from then on.
    """

    def __init__(self, fold: Fold, current: dict[str, tuple[str, int]], prefix: str,
                 again: Callable[[], Mapping[str, Recorded]] | None = None) -> None:
        self._fold = fold
        self._current = current
        self._prefix = prefix
        self._again = again
        self._instead: Mapping[str, Recorded] | None = None
        self._made: dict[str, Recorded] = {}
        declared = fold.declared
        self._order = [ident for ident in fold.ids() if declared(ident)]
        self._keys = frozenset(self._order)

    def absent(self) -> list[str]:
        """Ids without a file now (deleted, or their id changed), in order."""
        current = self._current
        return [ident for ident in self._order if ident not in current]

    def __getitem__(self, ident: str) -> Recorded:
        found = self._made.get(ident)
        if found is not None:
            return found
        if ident not in self._keys:
            raise KeyError(ident)
        if self._instead is not None:
            return self._instead[ident]
        try:
            rec = self._fold.recorded(ident, *self._current.get(ident, _NOWHERE))
            if rec is None:  # declared() said otherwise: the entry contradicts itself
                raise Damaged(f"saved fold entry of {ident}")
        except Damaged:
            if self._again is None:
                raise
            self._instead = self._again()
            return self._instead[ident]
        prefix = self._prefix
        if prefix:
            rec = replace(rec, path=strip(prefix, rec.path),
                          paths=tuple(strip(prefix, p) for p in rec.paths))
        self._made[ident] = rec
        return rec

    def __contains__(self, ident: object) -> bool:
        return ident in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __repr__(self) -> str:
        return f"RecordedView({dict(self.items())!r})"
