"""Typed, documented values that templates receive: formatting happens here, not in Jinja.

Every page gets `page` (a `Page`: what base.html needs), plus `t` (the page's `Translator`)
and `url` (its `Urls`) as shortcuts; page templates then get one view each (`home`,
`incident`, `history`, `component`, `maintenance`). docs/site.md lists these fields and a
test keeps the two in step.

The views are NamedTuples: a frozen dataclass costs ~1.3 ms to define, twenty of them ~25 ms
of every `warroom build` start. Views are only ever compared or hashed against views of
their own kind, where both give the same answers; nothing copies one with replace().
`Page` stays a frozen dataclass: site/frames.py copies it with dataclasses.replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from markupsafe import Markup, escape

from warroom.config import Site

# Status vocabularies -> icon names (icons.html draws one distinct shape per name, so the
# status never rests on colour alone; the text label is always next to it).
COMPONENT_ICONS = {
    "operational": "ok", "degraded_performance": "minor", "partial_outage": "major",
    "major_outage": "critical", "under_maintenance": "maintenance",
}
INDICATOR_ICONS = {"none": "ok", "minor": "minor", "major": "major", "critical": "critical",
                   "maintenance": "maintenance"}
STATUS_ICONS = {
    "investigating": "active", "identified": "active", "monitoring": "watch",
    "resolved": "ok", "canceled": "neutral", "scheduled": "maintenance",
    "in_progress": "maintenance", "completed": "ok",
}
IMPACT_ICONS = {"none": "neutral", "minor": "minor", "major": "major", "critical": "critical"}


class Urls(NamedTuple):
    """Links from one page: relative to it (`depth` folders below the root), or absolute
    under `base_url` when one is given. A negative depth gives root-absolute links (/path),
    for the 404 page, which a server returns at any depth."""

    base_url: str
    depth: int

    def __call__(self, path: str = "") -> str:
        if self.base_url:
            return f"{self.base_url}/{path}"
        if self.depth < 0:
            return f"/{path}"
        return ("../" * self.depth + path) or "./"

    def asset(self, path: str) -> str:
        return self(f"static/{path}")


class NavItem(NamedTuple):
    label: str
    path: str
    current: bool


@dataclass(frozen=True)
class Page:
    """What base.html uses. `generated` is only set on pages rebuilt on every build anyway,
    so unchanged pages stay byte-identical (and cached) from one build to the next."""

    site: Site
    language: str
    title: str  # this page's title, without the site title
    path: str  # output path, e.g. incidents/<id>/index.html
    nav: tuple[NavItem, ...]
    internal: bool  # an internal build: shows a banner and internal details
    generated: str | None
    method: str  # how uptime is counted, in words, for the footer
    contact: str | None  # href for site.contact (a URL, or mailto: for an e-mail address)


class Status(NamedTuple):
    key: str  # the vocabulary word (operational, major_outage, resolved, critical, ...)
    label: str  # translated
    icon: str  # icon name for icons.html


class Moment(NamedTuple):
    iso: str  # for <time datetime>: local time with offset
    text: str  # translated, with the offset

    def __html__(self) -> Markup:
        """`{{ moment }}` in a template gives the <time> element."""
        # Plain concatenation of escaped parts: Markup.format costs ~40 us, and a page
        # shows a dozen moments.
        return Markup(f'<time datetime="{escape(self.iso)}">{escape(self.text)}</time>')


class UpdateView(NamedTuple):
    status: Status
    at: Moment | None  # None when neither stated nor recorded (an uncommitted file)
    message: Markup
    internal: bool
    author: str | None  # internal builds only


class Affected(NamedTuple):
    name: str
    path: str
    impact: Status


class IncidentSummary(NamedTuple):
    """One incident in a list (home, history, component and maintenance pages)."""

    id: str
    title: str
    path: str  # root-relative (incidents/<id>/); templates link it with url(path)
    impact: Status  # the severity's Statuspage impact
    status: Status  # for maintenance: scheduled / in_progress / completed / canceled
    type_label: str
    started: Moment
    ended: Moment | None
    duration: str | None  # None while open
    components: tuple[Affected, ...]
    window: tuple[Moment, Moment] | None  # maintenance only
    latest: UpdateView | None  # newest update the audience may see
    internal: bool
    drill: bool
    severity: str  # the severity's name; shown in internal builds


class ActionView(NamedTuple):
    title: str
    status: str  # translated
    due: str | None
    owner: str | None  # internal builds only
    url: str | None


class ClockView(NamedTuple):
    target: str
    state: str
    due: Moment
    used: str


class IncidentView(NamedTuple):
    summary: IncidentSummary
    text: Markup  # the summary field, rendered
    ongoing: str | None  # "Ongoing for 2 h 5 min" while open
    updates: tuple[UpdateView, ...]  # newest first
    postmortem: Markup | None
    postmortem_url: str | None
    action_items: tuple[ActionView, ...]
    related: tuple[tuple[str, str], ...]  # (title, path) of related incidents shown
    roles: tuple[tuple[str, str], ...]  # internal builds only: (role, handle)
    links: tuple[tuple[str, str], ...]  # internal builds only: (title, url or "" if unsafe)
    clocks: tuple[ClockView, ...]  # internal builds only, open incidents


class DayView(NamedTuple):
    day: date
    label: str  # the date, translated
    level: str  # css class: up, note, minor, major, critical
    uptime: str  # translated percentage
    incidents: tuple[tuple[str, str], ...]  # (title, path), at most views.DAY_INCIDENTS
    more: int  # incidents of that day not listed


class UptimeView(NamedTuple):
    percent: str
    days: int
    bars: tuple[DayView, ...]  # oldest first
    notable: tuple[DayView, ...]  # days with downtime or incidents, newest first
    first: str
    last: str
    svg: Markup  # the bars, drawn (hidden from assistive technology: `notable` says it)


class ComponentView(NamedTuple):
    id: str
    name: str
    description: str
    path: str
    status: Status
    uptime: UptimeView


class GroupView(NamedTuple):
    id: str
    name: str
    description: str
    components: tuple[ComponentView, ...]


class HomeView(NamedTuple):
    overall: Status
    active: tuple[IncidentSummary, ...]
    maintenance_active: tuple[IncidentSummary, ...]
    maintenance_upcoming: tuple[IncidentSummary, ...]
    groups: tuple[GroupView, ...]
    subscribe: tuple[tuple[str, str], ...]  # (label, path) of feeds, calendar and API
    # Internal builds: every clock of an open incident not yet met, worst first.
    clocks: tuple[tuple[IncidentSummary, ClockView], ...] = ()


class MonthView(NamedTuple):
    id: str  # YYYY-MM, the anchor
    label: str
    incidents: tuple[IncidentSummary, ...]


class Pager(NamedTuple):
    page: int  # 1-based
    pages: int
    newer: str | None  # path of the newer page
    older: str | None


class HistoryView(NamedTuple):
    months: tuple[MonthView, ...]
    pager: Pager


class ComponentPageView(NamedTuple):
    component: ComponentView  # status and uptime are shown on page 1 only
    group: str
    months: tuple[MonthView, ...]
    pager: Pager


class MaintenanceView(NamedTuple):
    active: tuple[IncidentSummary, ...]
    upcoming: tuple[IncidentSummary, ...]
    past: tuple[IncidentSummary, ...]  # the latest pages.PAST_MAINTENANCE
    older: bool = False  # older past maintenance is left to the history pages

