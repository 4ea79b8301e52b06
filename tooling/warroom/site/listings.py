"""The listing pages of `pages.Pages`: history by month, one page per component, the
maintenance page. Each lists incidents from their rows (no incident is materialised
while every time of theirs is exact) and is keyed by the listing digests of the
incidents it shows (`Pages._digest_of`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from warroom import held
from warroom.config import Component
from warroom.site.context import (
    ComponentPageView,
    HistoryView,
    IncidentSummary,
    MaintenanceView,
    MonthView,
    Pager,
)
from warroom.site.paging import Job, Key
from warroom.site.views import row_exact, uptime_text
from warroom.status import maintenance_state

if TYPE_CHECKING:
    from warroom.site.pages import Pages

# The maintenance page lists this many past windows, newest first: the history pages list
# them all (Statuspage's API keeps 50 too). Every one made a 10,000-incident site's page
# 270 KB, and any change to any maintenance rendered it again.
PAST_MAINTENANCE = 50

# Listing summaries by settings, then by incident id: (listing digest, summary). Kept
# from one build to the next in this process (see Listings._held_summary).
_HELD_SUMMARIES: dict[str, dict[str, tuple[str, IncidentSummary]]] = {}
held.also_forget(_HELD_SUMMARIES.clear)

# (in progress, upcoming, the latest past ones, whether older ones were left out)
Shown = tuple[list[str], list[str], list[str], bool]
Chunk = list[tuple[str, list[str]]]  # a listing page's months and their ids


class Listings:
    """The listing pages of one Pages (one build)."""

    def __init__(self, pages: Pages) -> None:
        self.p = pages

    def _month_views(self, months: list[tuple[str, list[str]]]) -> tuple[MonthView, ...]:
        rows, views = self.p.rows, self.p.views
        listed = [i for _, ids in months for i in ids]
        if all(row_exact(rows[i]) for i in listed):  # from rows: no incident needed
            summary = self._held_summary
            return tuple(
                MonthView(label, self.p.t.month(int(label[:4]), int(label[5:])),
                          tuple(summary(i) for i in ids))
                for label, ids in months)
        found = self.p._materialise(listed)
        return tuple(
            MonthView(label, self.p.t.month(int(label[:4]), int(label[5:])),
                      tuple(views.summary(found[i]) for i in ids))
            for label, ids in months)

    def _held_summary(self, incident_id: str) -> IncidentSummary:
        """`views.row_summary`, kept in this process for the next build (`warroom serve`
        renders a history page of hundreds of incidents again after a change to one of
        them): a list shows what the incident's listing digest says, under settings the key
        base fixes."""
        if self.p.cache is None:  # no keys, no digests to tell a summary still stands
            return self.p.views.row_summary(incident_id, self.p.rows[incident_id])
        digest = self.p._digest_of[incident_id]
        found = self._summaries_held.get(incident_id)
        if found is not None and found[0] == digest:
            return found[1]
        made = self.p.views.row_summary(incident_id, self.p.rows[incident_id])
        self._summaries_held[incident_id] = (digest, made)
        return made

    @cached_property
    def _summaries_held(self) -> dict[str, tuple[str, IncidentSummary]]:
        settings = self.p._key_base.hexdigest()
        if settings not in _HELD_SUMMARIES:
            _HELD_SUMMARIES.clear()  # another site's: one is enough
            _HELD_SUMMARIES[settings] = {}
        return _HELD_SUMMARIES[settings]

    def _members(self, chunk: Chunk) -> list[object]:
        get = self.p._digest_of.__getitem__
        return [(m, list(map(get, ids))) for m, ids in chunk]

    def _keyed(self, path: str, listed: object, ids: list[list[str]], parts: tuple[object, ...],
               members: Callable[[], object]) -> Key | None:
        """A listing page's key (Pages._keyed), the last build's when its parts are the
        same and none of the incidents it lists changed (PlanState.held_key)."""
        if self.p.cache is None:
            return None
        return partial(self._key, path, listed, ids, parts, members)

    def _key(self, path: str, listed: object, ids: list[list[str]], parts: tuple[object, ...],
             members: Callable[[], object]) -> str:
        state = self.p.state
        text = "\0".join([repr(part) for part in parts])
        key = state.held_key(path, listed, text, ids)
        if key is None:
            key = self.p.key_text(f"{text}\0{members()!r}")
        state.keys[path] = (listed, text, key)
        return key

    def history_jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for path, chunk, pager in self.p.state.history:
            page = f"{path}index.html"
            jobs.append(Job(page, "history.html", self.p.t("history.title"),
                            self._keyed(page, chunk, [ids for _, ids in chunk],
                                        ("history", pager), partial(self._members, chunk)),
                            partial(self._history, chunk, pager)))
        return jobs

    def _history(self, chunk: list[tuple[str, list[str]]], pager: Pager
                 ) -> dict[str, Any]:
        return {"history": HistoryView(self._month_views(chunk), pager)}

    def component_jobs(self) -> list[Job]:
        """One page per component (status, uptime, then its incidents by month); a long
        history continues on components/<id>/page/N/, which do not change with the status."""
        jobs: list[Job] = []
        by_component = self.p.state.components
        for comp in self.p.data.config.components.values():
            if comp.id not in self.p.roll.components:
                continue
            for path, chunk, pager in by_component[comp.id]:
                now_parts = ((self.p.roll.components[comp.id],
                              uptime_text(self.p.views.uptime(self.p.uptime[comp.id])))
                             if pager.page == 1 else ())
                page = f"{path}index.html"
                jobs.append(Job(page, "component.html", comp.name,
                                self._keyed(page, chunk, [ids for _, ids in chunk],
                                            ("component", comp, pager, now_parts),
                                            partial(self._members, chunk)),
                                partial(self._component, comp, chunk, pager)))
        return jobs

    def _component(self, comp: Component, chunk: list[tuple[str, list[str]]],
                   pager: Pager) -> dict[str, Any]:
        p = self.p
        view = p.views.component(comp, p.roll.components[comp.id], p.uptime[comp.id])
        group = next(g.name for g in self.p.data.config.groups if g.id == comp.group)
        return {"component": ComponentPageView(view, group, self._month_views(chunk), pager)}

    def maintenance_job(self) -> Job:
        shown = self._maintenance_shown
        page = "maintenance/index.html"
        return Job(page, "maintenance.html", self.p.t("maintenance.title"),
                   self._keyed(page, shown, list(shown[:3]), ("maintenance",),
                               partial(self._maintenance_key, shown)),
                   partial(self._maintenance, shown))

    @cached_property
    def _maintenance_shown(self) -> Shown:
        """The maintenance page's ids: (in progress, upcoming, soonest first; the
        PAST_MAINTENANCE latest past ones, newest first; whether older ones were left to the
        history pages, which list every maintenance). From rows (PlanState), unless a time is
        past what a row's float holds exactly: then from the incidents, as status orders
        them."""
        if self.p.state.shown is not None:
            return self.p.state.shown
        now = self.p.data.now
        states: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        for inc in self.p._many(sorted(self.p.state.maintenance)):
            states[maintenance_state(inc, now)].append(
                (inc.window.start if inc.window is not None else now, inc.id))
        past = sorted([*states["completed"], *states["canceled"]], reverse=True)
        return ([i for _, i in sorted(states["in_progress"])],
                [i for _, i in sorted(states["scheduled"])],
                [i for _, i in past[:PAST_MAINTENANCE]], len(past) > PAST_MAINTENANCE)

    def _maintenance_key(self, shown: Shown
                         ) -> list[object]:
        return [(len(ids), self.p._digests_of(ids)) for ids in shown[:3]] + [shown[3]]

    def _maintenance(self, shown: Shown
                     ) -> dict[str, Any]:
        active, upcoming, past, older = shown
        listed = [*active, *upcoming, *past]
        rows, summary = self.p.rows, self._held_summary
        if all(row_exact(rows[i]) for i in listed):  # from rows: no incident needed
            made = {i: summary(i) for i in listed}
        else:
            made = {i.id: self.p.views.summary(i) for i in self.p._many(listed)}
        return {"maintenance": MaintenanceView(
            active=tuple(made[i] for i in active), upcoming=tuple(made[i] for i in upcoming),
            past=tuple(made[i] for i in past), older=older)}
