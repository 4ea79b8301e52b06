"""What history recorded per incident id, each `Recorded` made when first asked for.

A run after one new commit decodes the handful of fold entries that commit touched; making
a `Recorded` for each of the other 10^4 ids (0.1 s at that size) is left to the consumers
that ask for them: `warroom sla --incident ID` asks for one, a build for the public ones.
Which ids there are, in which order, and which were deleted is known without making any
but the deleted ones' (a cheap look at each entry's "declared" step).
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from dataclasses import replace

from warroom.history_acc import Damaged, Declared, Fold
from warroom.recorded import Recorded

_NOWHERE: tuple[None, None] = (None, None)


def strip(prefix: str, path: str) -> str:
    return path[len(prefix):] if path.startswith(prefix) else path


def _relative(rec: Recorded, prefix: str) -> Recorded:
    return replace(rec, path=strip(prefix, rec.path),
                   paths=tuple(strip(prefix, p) for p in rec.paths))


class RecordedView(Mapping[str, Recorded]):
    """Read-only, by incident id, sorted as `Fold.ids()`; the same values `_finish` once put
    in a dict for every id. `current`: id -> (path, update count) of its first file now.

    A saved fold entry is only checked for damage when it is decoded. One found damaged here,
    after `read_history` returned, cannot make that read start over; `again` does (the whole
    history without the saved fold, which also saves a good one) and answers from then on.
    """

    def __init__(self, fold: Fold, current: dict[str, tuple[str, int]], prefix: str,
                 again: Callable[[], Mapping[str, Recorded]] | None = None,
                 declared: Declared | None = None) -> None:
        """`declared`: fold.declared(), when made already."""
        self._fold = fold
        self._current = current
        self._prefix = prefix
        self._again = again
        self._instead: Mapping[str, Recorded] | None = None
        self._made: dict[str, Recorded] = {}
        self._order, self._keys = declared if declared is not None else fold.declared()

    def absent(self) -> list[str]:
        """Ids without a file now (deleted, or their id changed), in order."""
        return sorted(self._keys.difference(self._current))  # the order is sorted

    def __getitem__(self, ident: str) -> Recorded:
        found = self._made.get(ident)
        return found if found is not None else self._make(ident)

    # Mapping.get's overloads; this one answers both.
    def get(self, ident: str,  # type: ignore[override]
            default: Recorded | None = None) -> Recorded | None:
        found = self._made.get(ident)
        if found is not None:
            return found
        return self._make(ident) if ident in self._keys else default

    def values(self) -> ValuesView[Recorded]:
        return self._every().values()

    def items(self) -> ItemsView[str, Recorded]:
        return self._every().items()

    def _every(self) -> dict[str, Recorded]:
        """Every value, made in one go and kept in order (for consumers that want all)."""
        made, order = self._made, self._order
        if len(made) == len(order) and list(made) == order:
            return made
        if self._instead is None:
            record, current, prefix = self._fold.recorded, self._current, self._prefix
            get = made.get
            out: dict[str, Recorded] = {}
            try:
                for ident in order:
                    rec = get(ident)
                    if rec is None:
                        rec = record(ident, *current.get(ident, _NOWHERE))
                        if rec is None:
                            raise Damaged(f"saved fold entry of {ident}")
                        if prefix:
                            rec = _relative(rec, prefix)
                    out[ident] = rec
            except Damaged:
                if self._again is None:
                    raise
                self._instead = self._again()
        if self._instead is not None:
            instead = self._instead
            out = {ident: instead[ident] for ident in order}
        self._made = out
        return out

    def _make(self, ident: str) -> Recorded:
        if ident not in self._keys:
            raise KeyError(ident)
        if self._instead is None:
            try:
                rec = self._fold.recorded(ident, *self._current.get(ident, _NOWHERE))
                if rec is None:  # declared() said otherwise: the entry contradicts itself
                    raise Damaged(f"saved fold entry of {ident}")
            except Damaged:
                if self._again is None:
                    raise
                self._instead = self._again()
            else:
                if self._prefix:
                    rec = _relative(rec, self._prefix)
                self._made[ident] = rec
                return rec
        return self._instead[ident]

    def __contains__(self, ident: object) -> bool:
        return ident in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __repr__(self) -> str:
        return f"RecordedView({dict(self.items())!r})"
