"""Where a build's incidents come from: every incident loaded and viewed up front (a full
build), or, after a small change, the last build's catalogue with only the changed
incidents' rows made again and the others' incidents materialised when a page or file
needing them is rendered (a patch build). Both give the same rows; see siterows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from itertools import compress, islice
from operator import lt, ne
from zoneinfo import ZoneInfo

from warroom.config import Config
from warroom.history import History
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.site.cache import Loaded
from warroom.site.catalogue import Catalogue
from warroom.site.digests import Digests
from warroom.site.siterows import SiteRow, site_row
from warroom.status import audience_view

# A patch build is for a few changed incidents; past this share, loading everything is
# about as cheap and simpler.
PATCH_SHARE = 20


class _Shown(Mapping[str, Recorded]):
    """History's Recorded values of the incidents the audience sees, made when asked for."""

    def __init__(self, recorded: Mapping[str, Recorded], shown: Collection[str]) -> None:
        self._recorded, self._shown = recorded, shown

    def __getitem__(self, key: str) -> Recorded:
        if key not in self._shown:
            raise KeyError(key)
        return self._recorded[key]

    def __iter__(self) -> Iterator[str]:
        return (i for i in self._shown if i in self._recorded)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Sources:
    """The rows of every incident the audience sees, and their incidents on demand."""

    def __init__(self, loaded: Loaded, history: History, config: Config, audience: str,
                 *, keyed: bool, catalogue: Catalogue | None = None) -> None:
        self.loaded, self.history, self.config, self.audience = loaded, history, config, audience
        self.files = dict(loaded.digests)  # every loaded incident's file sha, by id
        self.zone = ZoneInfo(config.site.timezone)
        self._digest = Digests()
        self._keyed = keyed
        self._views: dict[str, Incident] = {}
        self.changed = _changed(catalogue, loaded, history) if catalogue is not None else None
        if catalogue is not None and self.changed is not None:
            self.rows = self._patched(catalogue, self.changed)
        else:
            self.rows = self._everything()
        self.recorded: Mapping[str, Recorded] = _Shown(history.recorded, self.rows)

    @property
    def patch(self) -> bool:
        return self.changed is not None

    def _row(self, view: Incident, related: tuple[str, ...]) -> SiteRow:
        recorded = self.history.recorded.get(view.id)
        digest = self._digest(self.files.get(view.id, ""), recorded) if self._keyed else ""
        return site_row(view, recorded, digest, self.zone, related)

    def _everything(self) -> dict[str, SiteRow]:
        raw = self.loaded.materialise(list(self.files))
        related = {i.id: i.related for i in raw}
        views = audience_view(raw, self.config, self.audience)
        self._views = {v.id: v for v in views}
        return {v.id: self._row(v, related[v.id]) for v in views}

    def _patched(self, catalogue: Catalogue, changed: frozenset[str]) -> dict[str, SiteRow]:
        raw = self.loaded.materialise([i for i in changed if i in self.files])
        internal = self.audience == "internal"
        shown_now = {i.id for i in raw if internal or (i.public and not i.drill)}
        universe = (catalogue.rows.keys() - changed) | shown_now
        related = {i.id: i.related for i in raw}
        # The catalogue's rows (10^4, in id order) copied whole, those changed replaced in
        # place: sorted again only if an id is new, or the order is not the ids'.
        rows = dict(catalogue.rows)
        views = list(audience_view(raw, self.config, self.audience, universe=universe))
        for gone in changed.difference(view.id for view in views):
            rows.pop(gone, None)
        added = False
        for view in views:
            self._views[view.id] = view
            added = added or view.id not in rows
            rows[view.id] = self._row(view, related[view.id])
        keys = list(rows)
        if added or not all(map(lt, keys, islice(keys, 1, None))):
            return dict(sorted(rows.items()))
        return rows

    def materialise(self, ids: Sequence[str]) -> Mapping[str, Incident]:
        """The audience's view of these incidents (and of those asked for before)."""
        views = self._views
        need = [i for i in ids if i not in views]
        if need:
            raw = self.loaded.materialise(need)
            for view in audience_view(raw, self.config, self.audience,
                                      universe=self.rows.keys()):
                views[view.id] = view
        return views

    def incidents(self, ids: Sequence[str]) -> tuple[Incident, ...]:
        found = self.materialise(ids)
        return tuple(found[i] for i in ids)

    def catalogue(self, settings: str, producers: dict[str, tuple[str, tuple[str, ...]]],
                  events: dict[str, str]) -> Catalogue:
        history = self.history
        return Catalogue(settings, history.head, history.since,
                         tuple(sorted(history.touched)) if history.touched is not None else None,
                         self.files, self.rows, producers, events)


def _changed(catalogue: Catalogue, loaded: Loaded, history: History) -> frozenset[str] | None:
    """The ids whose row may differ from the catalogue's: file changed, fold entry changed,
    appeared or gone. None: cannot tell, or too many for a patch build.

    History says which ids' fold entries differ from those of the saved fold it started
    from (`since`, `touched`). When the catalogue's read started from the same saved fold,
    an id in neither read's `touched` has the entry it had then; when the fold was saved
    at the catalogue's HEAD since, this read's `touched` alone says it."""
    if history.since is None or history.touched is None:
        return None
    changed = set(history.touched)
    if history.since == catalogue.since and catalogue.touched is not None:
        changed.update(catalogue.touched)
    elif history.since != catalogue.head or catalogue.head is None:
        return None
    files, before = loaded.digests, catalogue.files  # 10^4 each: compared in C
    changed.update(compress(files, map(ne, map(before.get, files), files.values())))
    changed.update(before.keys() - files.keys())
    if len(changed) * PATCH_SHARE > max(len(files), 1000):
        return None
    return frozenset(changed)
