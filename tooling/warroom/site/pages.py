"""The HTML pages producer: home, one page per incident, history, components, maintenance,
404, and the theme's static assets.

`produce(data)` is the plain Producer. `Pages` is the same with a render cache: each page
is described first (path, template, a key of every input that shapes it, a context
builder), and a page whose key is unchanged since the last build is not rendered at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import cached_property, partial
from itertools import compress, filterfalse
from operator import not_
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from warroom.clock import ClockState
from warroom.model import Incident
from warroom.site import listings, livepages, templating
from warroom.site.context import (
    ClockView,
    HomeView,
    IncidentSummary,
)
from warroom.site.data import SiteData
from warroom.site.frames import Frames
from warroom.site.layout import base_context, translator
from warroom.site.listings import Listings
from warroom.site.paging import Job, Key
from warroom.site.parallel import Shared
from warroom.site.planstate import PlanState, Settings, plan_state
from warroom.site.siterows import EXACT, SiteRow, instant, moving, site_row
from warroom.site.views import Views, incident_path, row_exact, row_maintenance_state
from warroom.status import Rollup, ensure_view, rollup
from warroom.uptime import DayUptime, uptime_by_component

# Feeds, calendar and API files the home page offers, when the build produced them.
SUBSCRIBE = (
    ("Atom", "feed.atom"),
    ("RSS", "feed.rss"),
    ("iCalendar", "maintenance.ics"),
    ("JSON", "api/v2/summary.json"),
)


class RenderCache(Protocol):
    """Decides which pages need rendering; `build` provides one backed by the last build."""

    def fresh(self, path: str, key: str) -> bool: ...

    def fresh_known(self, paths: Sequence[str]) -> dict[str, str]:
        """{path: its last key} of those `paths` whose page is as last written, in their
        order (the caller knows their key is unchanged)."""
        ...

    def known(self, path: str) -> str | None:
        """The key the page had when last written, if it is on record."""
        ...

    def empty(self) -> bool:
        """Knows no page at all (a first build to this folder): keys can wait."""
        ...


class Pages:
    """The pages producer, optionally skipping pages a cache says are unchanged.

    Pages are planned from `rows` (one SiteRow per incident of the site, by id, in the
    order of SiteData.incidents): which pages there are, what each lists, and each page's
    key, made of the rows' digests. Incidents are asked of `materialise` only for the
    pages rendered, so `data.incidents` may hold only those (a rebuild); without `rows`,
    they are made from `data.incidents` (which then must hold every incident).
    `changed` (a patch build) holds the ids of the incidents whose file or history changed:
    the page of any other incident that is not moving with the build time and relates none
    of those has the key it had last time, which is not worked out again.
    """

    def __init__(self, data: SiteData, *, cache: RenderCache | None = None,
                 rows: Mapping[str, SiteRow] | None = None,
                 materialise: Callable[[Sequence[str]], Mapping[str, Incident]] | None = None,
                 roll: Rollup | None = None,
                 uptime: dict[str, tuple[DayUptime, ...]] | None = None,
                 changed: Collection[str] | None = None,
                 theme_key: str = "",
                 produced: frozenset[str] | None = None) -> None:
        ensure_view(data)
        self.data = data
        self.cache = cache
        self.rows = rows if rows is not None else rows_of(data)
        self._materialise = materialise or _lookup(data)
        self._roll = roll
        self._uptime = uptime
        self._changed = changed
        self.theme_key = theme_key
        self.produced = produced
        self.t = translator(data)
        self.views = Views(data, self.t, _Titles(self.rows))
        self.skipped: list[str] = []  # pages the cache had: not rendered this time
        self.keys: dict[str, str] = {}  # path -> key of every keyed page, once produced
        self._later: list[Job] = []  # jobs whose keys wait until workers are busy
        self.listings = Listings(self)  # history, component and maintenance pages

    @cached_property
    def roll(self) -> Rollup:
        return self._roll if self._roll is not None else rollup(self.data)

    @cached_property
    def uptime(self) -> dict[str, tuple[DayUptime, ...]]:
        if self._uptime is not None:
            return self._uptime
        days = self.data.config.site.uptime_days
        return uptime_by_component(self.data, days, tuple(self.roll.components))

    def _many(self, ids: Sequence[str]) -> list[Incident]:
        found = self._materialise(ids)
        return [found[i] for i in ids]

    # -- keys --------------------------------------------------------------------------
    def _keyed(self, *parts: object) -> Key | None:
        """The key of a page, made only when asked for: a first build renders everything
        and makes keys (~0.5 s at 10^4 incidents) while workers render. A part that is a
        callable is called then."""
        if self.cache is None:
            return None
        return partial(self._key, *parts)

    def _key(self, *parts: object) -> str:
        return self.key_text("\0".join([repr(part() if callable(part) else part)
                                         for part in parts]))

    def key_text(self, text: str) -> str:
        """The key of a page whose parts' reprs, joined by NUL, are `text`."""
        sha = self._key_base.copy()
        sha.update(text.encode())
        key: str = sha.hexdigest()
        return key

    @cached_property
    def _key_base(self) -> Any:
        sha = hashlib.sha256(self.theme_key.encode())
        sha.update(f"\0{self.data.audience}\0{self.data.base_url}\0".encode())
        return sha

    @cached_property
    def _now_text(self) -> str:
        return self.data.now.isoformat()

    @cached_property
    def state(self) -> PlanState:
        """What planning works out from every row: made from the last build's in this
        process when there are keys to serve (see site/planstate.py)."""
        local = self.t.local(self.data.now)
        config = self.data.config
        settings = Settings(self._key_base.hexdigest(), config.site.history_per_page,
                            tuple(config.components), (local.year, local.month),
                            listings.PAST_MAINTENANCE)
        return plan_state(settings, self.rows, self.data.now.timestamp(), self._now_text,
                          hold=self.cache is not None)

    @property
    def _digest_of(self) -> dict[str, str]:
        """Each incident's digest as a list shows it (PlanState.digest)."""
        return self.state.digest_of

    def _digest(self, incident_id: str) -> str:
        """The digest as the incident's own page shows it: for an open incident or a
        scheduled maintenance, with what the page shows of the build time."""
        row = self.rows[incident_id]
        return f"{row.digest}@{self._moving(row)}" if moving(row) else self._digest_of[incident_id]

    def _moving(self, row: SiteRow) -> str:
        """What an incident's own page shows of the build time (views.Views.incident and
        summary): a window's state and, while open and not ended, how long it has been
        going on (in whole minutes). Not the build time itself: a rebuild minutes later
        keeps the pages of maintenance to come and of incidents open for days. The build
        time itself when a time is past 2**33 s (floats no longer tell it exactly)."""
        now = self.data.now
        if not row_exact(row) or abs(now.timestamp()) >= EXACT:
            return self._now_text
        state, ended = row.status, row.ended
        if row.window is not None:
            state = row_maintenance_state(row, now.timestamp())
            ended = row.window[1] if state == "completed" else None
        if ended is None and row.open and not row.maintenance:
            return f"{state}|{self.t.duration(now - instant(row.best))}"
        return state

    # -- jobs --------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        rows, t = self.rows, self.t
        jobs = [Job("index.html", "home.html", t("home.title"), None, self._home, live=True),
                Job("404.html", "404.html", t("notfound.title"), self._keyed("404"), dict)]
        if self.cache is not None and self._changed is not None:
            jobs += self._incident_jobs(self.cache, self._changed)
        else:
            keyed = self.cache is not None
            for iid, row in rows.items():  # ~10^4: one partial per key and per builder
                key = self._own_key(iid) if keyed else None
                jobs.append(Job(f"{incident_path(iid)}index.html", "incident.html", row.title,
                                key, partial(self._incident, iid)))
        jobs += self.listings.history_jobs()
        jobs += self.listings.component_jobs()
        jobs.append(self.listings.maintenance_job())
        return jobs

    def _incident_jobs(self, cache: RenderCache, changed: Collection[str]) -> list[Job]:
        """The incident pages of a patch build. A page whose incident, related incidents
        and build-time part did not change keeps its last key; those still as last written
        need no job (C-level passes over the ~10^4 rows, the lstat of each such page
        aside)."""
        rows, state = self.rows, self.state
        dirty = set(changed)
        dirty.update(state.moving)
        if state.related:
            dirty.update([i for i in state.related if not dirty.isdisjoint(rows[i].related)])
        paths = state.paths
        clean = list(map(paths.__getitem__, filterfalse(dirty.__contains__, rows)))
        fresh = cache.fresh_known(clean)
        self.keys.update(fresh)
        self.skipped += fresh
        jobs = []
        for iid in compress(rows, map(not_, map(fresh.__contains__, map(paths.__getitem__,
                                                                         rows)))):
            row, path = rows[iid], paths[iid]
            known = None if iid in dirty else cache.known(path)
            key = partial(str, known) if known is not None else self._own_key(iid)
            jobs.append(Job(path, "incident.html", row.title, key, partial(self._incident, iid)))
        return jobs

    def _own_key(self, incident_id: str) -> Key:
        """The key of the incident's page, made when asked for (related ids the site
        shows are part of what it shows)."""
        row = self.rows[incident_id]
        related = tuple(r for r in row.related if r in self.rows) if row.related else ()
        return partial(self._incident_key, incident_id, related)

    def _digests_of(self, ids: Sequence[str]) -> list[str]:
        return list(map(self._digest_of.__getitem__, ids))

    def _incident_key(self, incident_id: str, related: tuple[str, ...]) -> str:
        return self._key("incident", self._digest(incident_id), self._digests_of(related),
                         self.data.clocks.get(incident_id, ()))

    def _incident(self, incident_id: str) -> dict[str, Any]:
        incident = self._many([incident_id])[0]
        return {"incident": self.views.incident(incident,
                                                self.data.clocks.get(incident_id, ()))}

    def _home(self) -> dict[str, Any]:
        views, roll = self.views, self.roll
        subscribe = tuple((label, path) for label, path in SUBSCRIBE
                          if self.produced is None or path in self.produced)
        home = HomeView(
            overall=views.overall(roll),
            active=tuple(views.summary(i, latest=True) for i in roll.active),
            maintenance_active=tuple(views.summary(i, latest=True)
                                     for i in roll.maintenance_active),
            maintenance_upcoming=tuple(views.summary(i) for i in roll.maintenance_upcoming),
            groups=views.groups(roll, self.uptime),
            subscribe=subscribe,
            clocks=self._dashboard() if self.data.internal else (),
        )
        return {"home": home}

    def _dashboard(self) -> tuple[tuple[IncidentSummary, ClockView], ...]:
        """The incident manager's view: what is breached, then at risk, then due soonest."""
        rank = {ClockState.BREACHED: 0, ClockState.AT_RISK: 1}
        rows = [(rank.get(c.state, 2), c.due, inc.id, inc, c)
                for inc in self.roll.active for c in self.data.clocks.get(inc.id, ())
                if c.state is not ClockState.MET]
        rows.sort(key=lambda row: row[:3])
        return tuple((self.views.summary(inc), self.views.clock(c)) for *_, inc, c in rows)

    # -- rendering ---------------------------------------------------------------------
    def produce(self) -> dict[str, bytes]:
        todo, live = self.plan()
        with Shared(self, todo) as shared:
            return self.finish(shared, live)

    def plan(self) -> tuple[list[Job], list[Job]]:
        """The pages to render: (those a worker may render, those showing the build time,
        which the build's own process renders once the other producers are done). Pages the
        cache has are skipped; with a cache that knows no page yet, keys wait for finish()."""
        todo: list[Job] = []
        live: list[Job] = []
        eager = self.cache is not None and not self.cache.empty()
        for job in self.jobs():
            if job.key is not None and eager:
                key = self.keys[job.path] = job.key()
                if self.cache is not None and self.cache.fresh(job.path, key):
                    self.skipped.append(job.path)
                    continue
            elif job.key is not None:
                self._later.append(job)
            (live if job.live else todo).append(job)
        # Listing pages are the slowest: first, so that the last chunks are even.
        todo.sort(key=lambda job: job.template == "incident.html")
        return todo, live

    def finish(self, shared: Shared, live: Sequence[Job]) -> dict[str, bytes]:
        """Every page and static asset, once `self.produced` is final (the home page
        offers what the other producers made)."""
        out = self.render(live)
        for job in self._later:
            if job.key is not None:
                self.keys[job.path] = job.key()
        self._later = []
        out.update(shared.finish())
        out.update(templating.static_files(templating.theme_dirs(self.data.config.root)))
        return dict(sorted(out.items()))

    @cached_property
    def frames(self) -> Frames:
        """One per process and build: plans and frames are made once, not per chunk."""
        return Frames(templating.environment(templating.theme_dirs(self.data.config.root),
                                             self.t.language))

    def render(self, jobs: Sequence[Job]) -> dict[str, bytes]:
        data, frames = self.data, self.frames
        out: dict[str, bytes] = {}
        for job in jobs:
            generated = data.now if job.live else None
            context = base_context(data, job.path, job.title, generated=generated, t=self.t)
            context.update(job.build())
            mark = (livepages.mark(self.theme_key, job.template, self.t.language,
                                   self.t.zone, context) if job.live else None)
            text = livepages.recall(job.path, mark) if mark is not None else None
            if text is None:
                text = frames.render(job.template, context).encode("utf-8")
                if mark is not None:
                    livepages.keep(job.path, mark, text)
            out[job.path] = text
        return out


def produce(data: SiteData) -> dict[str, bytes]:
    """Every HTML page and static asset of the site."""
    return Pages(data).produce()


def rows_of(data: SiteData, digests: Mapping[str, str] | None = None
            ) -> dict[str, SiteRow]:
    """The rows of every incident of `data` (the view's related ids stand for those in the
    files: a view keeps only the visible ones, which is all a page shows). Without
    `digests`, an incident's digest is its text (pages are keyed by what they show)."""
    zone = ZoneInfo(data.config.site.timezone)
    recorded = data.recorded
    return {i.id: site_row(i, recorded.get(i.id),
                           digests[i.id] if digests is not None else repr(i), zone, i.related)
            for i in data.incidents}


class _Titles(Mapping[str, str]):
    """Each incident's title, by id, read from its row when asked (a page asks for a few:
    a dict of all ~10^4 cost a few ms a build)."""

    def __init__(self, rows: Mapping[str, SiteRow]) -> None:
        self._rows = rows

    def __getitem__(self, incident_id: str) -> str:
        return self._rows[incident_id].title

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _lookup(data: SiteData) -> Callable[[Sequence[str]], Mapping[str, Incident]]:
    by_id = {i.id: i for i in data.incidents}
    return lambda _ids: by_id
