"""Incidents, roll-up and uptime turned into the view values of `context`.

Paths in views are relative to the site root (`incidents/<id>/`); templates turn them into
links from the page at hand with `url(path)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from markupsafe import Markup

from warroom import held
from warroom.clock import Clock
from warroom.config import Component
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.site import markdown
from warroom.site.context import (
    COMPONENT_ICONS,
    IMPACT_ICONS,
    INDICATOR_ICONS,
    STATUS_ICONS,
    ActionView,
    Affected,
    ClockView,
    ComponentView,
    DayView,
    GroupView,
    IncidentSummary,
    IncidentView,
    Moment,
    Status,
    UpdateView,
    UptimeView,
)
from warroom.site.data import SiteData
from warroom.site.i18n import Translator
from warroom.site.siterows import EXACT, SiteRow, ended_at, instant
from warroom.status import Rollup, best_time, maintenance_state
from warroom.uptime import DayUptime, uptime_percent

# A postmortem sits under an h2, so its own `#` headings start at h3.
POSTMORTEM_HEADING_FLOOR = 3
# Incidents named per day in the uptime table; a long list helps nobody read the table.
DAY_INCIDENTS = 5


# Uptime views made in this process, by (language, DAY_INCIDENTS, days): with the titles of
# the incidents the days name, and the view. The home page shows one per component on
# every build (~900 day views at 10 components, ~5 ms), the same from one build to the
# next at the same build time (today's counted minutes are part of the days). Days are
# compared by value, never by identity.
_UPTIME_VIEWS: dict[tuple[str, int, tuple[DayUptime, ...]],
                    tuple[tuple[str | None, ...], UptimeView]] = {}
# Their text as a page key shows it (uptime_text), by the view's identity: the view is held
# with it, so that no other object can take its address meanwhile.
_VIEW_TEXT: dict[int, tuple[UptimeView, str]] = {}
_HOLD_MAX = 256  # entries each: a few sites' components; then made afresh
held.also_forget(_UPTIME_VIEWS.clear)
held.also_forget(_VIEW_TEXT.clear)


def uptime_text(view: UptimeView) -> str:
    """repr() of an uptime view, as a component page's key holds it: what the page shows of
    the component's uptime, not the days it is made from. Today's counted minutes move on
    with every build, while what the bars show (percentages to 0.01, levels, titles) does
    not unless an impact weighs on the component now: a rebuild a minute later renders
    only the pages of components something reached."""
    found = _VIEW_TEXT.get(id(view))
    if found is None or found[0] is not view:
        if len(_VIEW_TEXT) >= _HOLD_MAX:
            _VIEW_TEXT.clear()
        found = _VIEW_TEXT[id(view)] = (view, repr(view))
    return found[1]


def incident_path(incident_id: str) -> str:
    return f"incidents/{incident_id}/"


def component_path(component_id: str) -> str:
    return f"components/{component_id}/"


def bars_svg(bars: Sequence[DayView]) -> Markup:
    """One bar per day, coloured by its level class (built here: 90 bars per component in a
    template loop cost more than the rest of the home page)."""
    rects = "".join(f'<rect class="{b.level}" x="{5 * i}" width="4" height="30"/>'
                    for i, b in enumerate(bars))
    return Markup(f'<svg class="bars" viewBox="0 0 {max(5 * len(bars) - 1, 1)} 30" '
                  'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
                  f"{rects}</svg>")




def row_exact(row: SiteRow) -> bool:
    """Whether every time of the row gives its instant back exactly."""
    times = [row.best, row.ended or 0.0, *(row.window or (0.0, 0.0))]
    return all(abs(t) < EXACT for t in times)



def row_maintenance_state(row: SiteRow, now: float) -> str:
    """status.maintenance_state, from the row (`row_exact` rows compare exactly)."""
    if row.status in ("canceled", "completed"):
        return row.status
    if row.window is None:
        return "in_progress" if row.open else "completed"
    start, end = row.window
    return "scheduled" if now < start else "in_progress" if now < end else "completed"


class Views:
    """Builds view values for one build: one data set, one language, one time zone."""

    def __init__(self, data: SiteData, t: Translator,
                 titles: Mapping[str, str] | None = None) -> None:
        self.data = data
        self.t = t
        self.names = {c.id: c.name for c in data.config.components.values()}
        # Every incident of the site by id (a rebuild's data holds only those it renders).
        self._titles = titles if titles is not None else {i.id: i.title for i in data.incidents}
        self._summaries: dict[str, IncidentSummary] = {}
        # Values are immutable and many pages show the same ones: made once each.
        self._moments: dict[datetime, Moment] = {}
        self._statuses: dict[tuple[str, str], Status] = {}
        self._severities = {s.id: s for s in reversed(data.config.severities)}  # first wins

    def moment(self, when: datetime) -> Moment:
        # Keyed by the instant (aware datetimes in any zone compare as instants): both
        # texts are of the instant in the site's zone.
        found = self._moments.get(when)
        if found is None:
            here = self.t.local(when)
            found = self._moments[when] = Moment(here.isoformat(timespec="seconds"),
                                                 self.t.local_datetime(here))
        return found

    def status(self, family: str, key: str) -> Status:
        found = self._statuses.get((family, key))
        if found is None:
            icons = {"component": COMPONENT_ICONS, "indicator": INDICATOR_ICONS,
                     "status": STATUS_ICONS, "impact": IMPACT_ICONS}[family]
            found = self._statuses[family, key] = Status(key, self.t(f"{family}.{key}"),
                                                         icons[key])
        return found

    def overall(self, roll: Rollup) -> Status:
        if roll.indicator == "none" and roll.maintenance_active:
            return self.status("indicator", "maintenance")
        return self.status("indicator", roll.indicator)

    def _recorded(self, incident: Incident) -> Recorded | None:
        return self.data.recorded.get(incident.id)

    def update_moment(self, incident: Incident, index: int) -> Moment | None:
        """The stated time of an update, else the commit that added it; never a guess."""
        update = incident.updates[index]
        if update.at is not None:
            return self.moment(update.at)
        recorded = self._recorded(incident)
        if recorded is not None and update.index < len(recorded.updates):
            return self.moment(recorded.updates[update.index].at)
        return None

    def update_view(self, incident: Incident, index: int) -> UpdateView:
        update = incident.updates[index]
        return UpdateView(
            status=self.status("status", update.status),
            at=self.update_moment(incident, index),
            message=markdown.render(update.message),
            internal=not update.public,
            author=update.author if self.data.internal else None,
        )

    def ended(self, incident: Incident) -> datetime | None:
        return ended_at(incident, self._recorded(incident))

    def summary(self, incident: Incident, *, latest: bool = False) -> IncidentSummary:
        """The incident in a list; memoised, since one incident is listed on several pages."""
        if latest:
            return self._summary(incident, latest=True)
        found = self._summaries.get(incident.id)
        if found is None:
            found = self._summaries[incident.id] = self._summary(incident, latest=False)
        return found

    def _summary(self, incident: Incident, *, latest: bool) -> IncidentSummary:
        window = incident.window
        if window is not None:
            state = maintenance_state(incident, self.data.now)
            ended = window.end if state == "completed" else None
        else:
            state, ended = incident.status, self.ended(incident)
        newest = len(incident.updates) - 1
        return self._listed(
            incident.id, incident.title, incident.severity, incident.type, state,
            best_time(incident, self._recorded(incident)), ended,
            [(c.id, c.impact) for c in incident.components],
            (window.start, window.end) if window is not None else None,
            self.update_view(incident, newest) if latest and newest >= 0 else None,
            incident.public, incident.drill)

    def row_summary(self, incident_id: str, row: SiteRow) -> IncidentSummary:
        """`summary` of the incident, from its row alone (listing pages render from rows:
        no incident is materialised for them). The same value: the row's floats are its
        times' instants, exact to the microsecond below 2**33 s (`row_exact`)."""
        found = self._summaries.get(incident_id)
        if found is None:
            found = self._summaries[incident_id] = self._row_summary(incident_id, row)
        return found

    def _row_summary(self, incident_id: str, row: SiteRow) -> IncidentSummary:
        window = ((instant(row.window[0]), instant(row.window[1])) if row.window is not None
                  else None)
        ended: datetime | None
        if window is not None:
            state = row_maintenance_state(row, self.data.now.timestamp())
            ended = window[1] if state == "completed" else None
        else:
            state, ended = row.status, instant(row.ended) if row.ended is not None else None
        return self._listed(incident_id, row.title, row.severity, row.type, state,
                            instant(row.best), ended, zip(row.components, row.impacts, strict=True),
                            window, None, row.public, row.drill)

    def _listed(self, incident_id: str, title: str, severity_id: str, kind: str, state: str,
                started: datetime, ended: datetime | None,
                affected: Iterable[tuple[str, str]],
                window: tuple[datetime, datetime] | None, latest: UpdateView | None,
                public: bool, drill: bool) -> IncidentSummary:
        """The summary from plain values, wherever they come from (an incident or a row);
        a maintenance is listed from its window's start."""
        if window is not None:
            started = window[0]
        severity = self._severities.get(severity_id)
        impact = severity.impact if severity is not None else "none"
        return IncidentSummary(
            id=incident_id,
            title=title,
            path=incident_path(incident_id),
            impact=self.status("impact", impact),
            status=self.status("status", state),
            type_label=self.t(f"type.{kind}"),
            started=self.moment(started),
            ended=self.moment(ended) if ended is not None else None,
            duration=self.t.duration(ended - started) if ended is not None else None,
            components=tuple(
                Affected(self.names.get(cid, cid), component_path(cid),
                         self.status("component", affected_impact))
                for cid, affected_impact in affected),
            window=(self.moment(window[0]), self.moment(window[1])) if window else None,
            latest=latest,
            internal=not public,
            drill=drill,
            severity=severity.name if severity is not None else severity_id,
        )

    def incident(self, incident: Incident, clocks: Sequence[Clock]) -> IncidentView:
        summary = self.summary(incident)
        started = best_time(incident, self._recorded(incident))
        ongoing = None
        if summary.ended is None and incident.open and not incident.maintenance:
            ongoing = self.t("incident.ongoing", span=self.t.duration(self.data.now - started))
        pm = incident.postmortem
        show_pm = pm is not None and (self.data.internal or pm.published)
        internal = self.data.internal
        return IncidentView(
            summary=summary,
            text=markdown.render(incident.summary, heading_floor=3),
            ongoing=ongoing,
            updates=tuple(self.update_view(incident, i)
                          for i in reversed(range(len(incident.updates)))),
            postmortem=(markdown.render(pm.body, heading_floor=POSTMORTEM_HEADING_FLOOR)
                        if show_pm and pm is not None else None),
            postmortem_url=markdown.safe_url(pm.url) if show_pm and pm is not None else None,
            action_items=tuple(
                ActionView(a.title, self.t(f"action.{a.status}"),
                           self.t.date(a.due) if a.due else None,
                           a.owner if internal else None, markdown.safe_url(a.url))
                for a in incident.action_items) if show_pm or internal else (),
            related=tuple((self._titles[r], incident_path(r))
                          for r in incident.related if r in self._titles),
            roles=tuple(sorted(incident.roles.items())) if internal else (),
            links=tuple((k.title, markdown.safe_url(k.url) or "") for k in incident.links)
            if internal else (),
            clocks=tuple(self.clock(c) for c in clocks) if internal else (),
        )

    def clock(self, clock: Clock) -> ClockView:
        return ClockView(clock.target.replace("_", " "), str(clock.state).replace("_", " "),
                         self.moment(clock.due), self.t.percent(100 * clock.used, 0))

    def uptime(self, days: Sequence[DayUptime]) -> UptimeView:
        """The view of a component's uptime bars; held in this process by what it is made
        from (the days, the language, the titles of the incidents they name)."""
        days = tuple(days)
        key = (self.t.language, DAY_INCIDENTS, days)
        titles = tuple(self._titles.get(i) for day in days for i in day.incidents)
        found = _UPTIME_VIEWS.get(key)
        if found is not None and found[0] == titles:
            return found[1]
        view = self._uptime(days)
        if len(_UPTIME_VIEWS) >= _HOLD_MAX:
            _UPTIME_VIEWS.clear()
        _UPTIME_VIEWS[key] = (titles, view)
        return view

    def _uptime(self, days: Sequence[DayUptime]) -> UptimeView:
        bars = tuple(self._day(d) for d in days)
        return UptimeView(
            percent=self.t.percent(uptime_percent(days)),
            days=len(days),
            bars=bars,
            notable=tuple(b for b in reversed(bars) if b.level != "up"),
            first=bars[0].label if bars else "",
            last=bars[-1].label if bars else "",
            svg=bars_svg(bars),
        )

    def _day(self, day: DayUptime) -> DayView:
        known = [i for i in day.incidents if i in self._titles]
        shown = known[:DAY_INCIDENTS]
        if day.uptime >= 1.0:
            level = "note" if day.incidents else "up"
        elif day.uptime >= 0.99:
            level = "minor"
        elif day.uptime >= 0.95:
            level = "major"
        else:
            level = "critical"
        return DayView(
            day=day.day,
            label=self.t.date(day.day),
            level=level,
            uptime=self.t.percent(100 * day.uptime),
            incidents=tuple((self._titles[i], incident_path(i)) for i in shown),
            more=len(known) - len(shown),
        )

    def component(self, comp: Component, status: str, days: Sequence[DayUptime]
                  ) -> ComponentView:
        return ComponentView(comp.id, comp.name, comp.description, component_path(comp.id),
                             self.status("component", status), self.uptime(days))

    def groups(self, roll: Rollup, uptime: dict[str, tuple[DayUptime, ...]]
               ) -> tuple[GroupView, ...]:
        out = []
        for group in self.data.config.groups:
            comps = tuple(self.component(c, roll.components[c.id], uptime[c.id])
                          for c in group.components if c.id in roll.components)
            if comps:
                out.append(GroupView(group.id, group.name, group.description, comps))
        return tuple(out)
