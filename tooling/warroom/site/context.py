"""Typed, documented values that templates receive: formatting happens here, not in Jinja.

Every page gets `page` (a `Page`: what base.html needs), plus `t` (the page's `Translator`)
and `url` (its `Urls`) as shortcuts; page templates then get one view each (`home`,
`incident`, `history`, `component`, `maintenance`). docs/site.md lists these fields and a
test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


@dataclass(frozen=True)
class Urls:
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


@dataclass(frozen=True)
class NavItem:
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


@dataclass(frozen=True)
class Status:
    key: str  # the vocabulary word (operational, major_outage, resolved, critical, ...)
    label: str  # translated
    icon: str  # icon name for icons.html


@dataclass(frozen=True)
class Moment:
    iso: str  # for <time datetime>: local time with offset
    text: str  # translated, with the offset

    def __html__(self) -> Markup:
        """`{{ moment }}` in a template gives the <time> element."""
        # Plain concatenation of escaped parts: Markup.format costs ~40 us, and a page
        # shows a dozen moments.
        return Markup(f'<time datetime="{escape(self.iso)}">{escape(self.text)}</time>')


@dataclass(frozen=True)
class UpdateView:
    status: Status
    at: Moment | None  # None when neither stated nor recorded (an uncommitted file)
    message: Markup
    internal: bool
    author: str | None  # internal builds only


@dataclass(frozen=True)
class Affected:
    name: str
    path: str
    impact: Status


@dataclass(frozen=True)
class IncidentSummary:
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


@dataclass(frozen=True)
class ActionView:
    title: str
    status: str  # translated
    due: str | None
    owner: str | None  # internal builds only
    url: str | None


@dataclass(frozen=True)
class ClockView:
    target: str
    state: str
    due: Moment
    used: str


@dataclass(frozen=True)
class IncidentView:
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


@dataclass(frozen=True)
class DayView:
    day: date
    label: str  # the date, translated
    level: str  # css class: up, note, minor, major, critical
    uptime: str  # translated percentage
    incidents: tuple[tuple[str, str], ...]  # (title, path), at most views.DAY_INCIDENTS
    more: int  # incidents of that day not listed


@dataclass(frozen=True)
class UptimeView:
    percent: str
    days: int
    bars: tuple[DayView, ...]  # oldest first
    notable: tuple[DayView, ...]  # days with downtime or incidents, newest first
    first: str
    last: str
    svg: Markup  # the bars, drawn (hidden from assistive technology: `notable` says it)


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str
    path: str
    status: Status
    uptime: UptimeView


@dataclass(frozen=True)
class GroupView:
    id: str
    name: str
    description: str
    components: tuple[ComponentView, ...]


@dataclass(frozen=True)
class HomeView:
    overall: Status
    active: tuple[IncidentSummary, ...]
    maintenance_active: tuple[IncidentSummary, ...]
    maintenance_upcoming: tuple[IncidentSummary, ...]
    groups: tuple[GroupView, ...]
    subscribe: tuple[tuple[str, str], ...]  # (label, path) of feeds, calendar and API
    # Internal builds: every clock of an open incident not yet met, worst first.
    clocks: tuple[tuple[IncidentSummary, ClockView], ...] = ()


@dataclass(frozen=True)
class MonthView:
    id: str  # YYYY-MM, the anchor
    label: str
    incidents: tuple[IncidentSummary, ...]


@dataclass(frozen=True)
class Pager:
    page: int  # 1-based
    pages: int
    newer: str | None  # path of the newer page
    older: str | None


@dataclass(frozen=True)
class HistoryView:
    months: tuple[MonthView, ...]
    pager: Pager


@dataclass(frozen=True)
class ComponentPageView:
    component: ComponentView  # status and uptime are shown on page 1 only
    group: str
    months: tuple[MonthView, ...]
    pager: Pager


@dataclass(frozen=True)
class MaintenanceView:
    active: tuple[IncidentSummary, ...]
    upcoming: tuple[IncidentSummary, ...]
    past: tuple[IncidentSummary, ...]

