"""The JSON API in the shape of Statuspage's public v2 API, so existing widgets work unchanged.

Field names, key order and vocabularies follow Statuspage's real responses (see
docs/api.md for where warroom's data differs and what it maps to what).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from warroom.model import Incident, Update
from warroom.site.data import SiteData
from warroom.site.sitemap import incident_path, url
from warroom.status import (
    COMPONENT_STATUSES,
    Rollup,
    best_time,
    ensure_view,
    latest_activity,
    maintenance_state,
    newest_first,
    rollup,
    update_time,
)
from warroom.uptime import impact_start

PREFIX = "api/v2/"
RECENT = 50  # Statuspage's incidents.json and scheduled-maintenances.json hold the 50 latest
CLOSING = frozenset({"resolved", "canceled", "completed"})
Json = dict[str, Any]


# Compact, as Statuspage's own responses are. Compact also keeps json's C encoder (any
# indent falls back to pure Python: three quarters of the API's time at 10,000 incidents),
# keeps the files small, and lets an incident encoded once be spliced into every file that
# lists it. Keys keep a fixed (insertion) order; UTF-8 as is; each file ends with a newline.
SEPARATORS = (",", ":")


def dumps(value: Any) -> bytes:
    """One API file's bytes from its value (the same bytes `produce` splices together)."""
    return (_json(value) + "\n").encode("utf-8")


def iso(moment: datetime | None, zone: tzinfo) -> str | None:
    """Statuspage's form (milliseconds) with the site's offset: 2026-11-20T09:02:00.000+01:00."""
    return None if moment is None else moment.astimezone(zone).isoformat(timespec="milliseconds")


def page_id(data: SiteData) -> str:
    """A stable 12-character id like Statuspage's, derived from the site title."""
    digest = hashlib.sha256(data.config.site.title.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:12]


# Every component's first and last activity, and the newest activity of all (`updated`):
# what the API reads of incidents other than those it lists.
Activity = tuple[dict[str, tuple[datetime, datetime]], datetime]


class _Api:
    def __init__(self, data: SiteData, activity: Activity | None = None) -> None:
        self.data = data
        self.zone = ZoneInfo(data.config.site.timezone)
        self.page_id = page_id(data)
        self.rollup: Rollup = rollup(data)
        self.latest = latest_activity(data)
        self.spans = activity[0] if activity is not None else None
        self.updated = (activity[1] if activity is not None
                        else max(self.latest.values(), default=data.now))
        self.components = self._components()
        self.by_id = {c["id"]: c for c in self.components}

    def t(self, moment: datetime | None) -> str | None:
        return iso(moment, self.zone)

    def page(self) -> Json:
        return {
            "id": self.page_id,
            "name": self.data.config.site.title,
            "url": self.data.base_url,
            "time_zone": self.data.config.site.timezone,
            "updated_at": self.t(self.updated),
        }

    def status(self) -> Json:
        return {"indicator": self.rollup.indicator, "description": self.rollup.description}

    def _components(self) -> list[Json]:
        spans = self.spans if self.spans is not None else self._spans()
        statuses = self.rollup.components
        out: list[Json] = []
        for gpos, group in enumerate(
                (g for g in self.data.config.groups
                 if any(c.id in statuses for c in g.components)), start=1):
            members = [c for c in group.components if c.id in statuses]
            known = [spans[c.id] for c in members if c.id in spans]
            span = ((min(f for f, _ in known), max(last for _, last in known)) if known
                    else None)
            worst = max((statuses[c.id] for c in members), key=COMPONENT_STATUSES.index)
            out.append(self._component(group.id, group.name, worst, span, gpos,
                                       group.description, None, [c.id for c in members]))
            for pos, member in enumerate(members, start=1):
                out.append(self._component(member.id, member.name, statuses[member.id],
                                           spans.get(member.id), pos, member.description,
                                           group.id, None))
        return out

    def _spans(self) -> dict[str, tuple[datetime, datetime]]:
        touched: dict[str, list[datetime]] = {}
        latest = self.latest
        for inc in self.data.incidents:
            when = latest[inc.id]
            for comp in inc.components:
                found = touched.get(comp.id)
                if found is None:
                    touched[comp.id] = [when]
                else:
                    found.append(when)
        # first and last activity per component; a group spans its members' (the same
        # instants as over all their incidents: the times are shown in the site's zone)
        return {cid: (min(times), max(times)) for cid, times in touched.items()}

    def _component(self, cid: str, name: str, status: str,
                   span: tuple[datetime, datetime] | None, position: int, description: str,
                   group_id: str | None, children: list[str] | None) -> Json:
        first, last = span or (self.updated, self.updated)
        item: Json = {
            "id": cid,
            "name": name,
            "status": status,
            "created_at": self.t(first),
            "updated_at": self.t(last),
            "position": position,
            "description": description or None,
            "showcase": True,  # every public component has uptime bars on the home page
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": children is not None,
            "only_show_if_degraded": False,
        }
        if children is not None:
            item["components"] = children
        return item

    def _closing_time(self, inc: Incident) -> datetime | None:
        recorded = self.data.recorded.get(inc.id)
        if inc.resolved_at is not None:
            return inc.resolved_at
        if recorded is not None and recorded.resolved is not None:
            return recorded.resolved.at
        closing = next((u for u in inc.updates if u.status in CLOSING), None)
        if closing is not None:
            return update_time(inc, closing, recorded)
        # A maintenance completed by its window passing, with nothing saying so.
        return inc.window.end if inc.window is not None else self.latest[inc.id]

    def _monitoring_time(self, inc: Incident) -> datetime | None:
        recorded = self.data.recorded.get(inc.id)
        if recorded is not None and recorded.monitoring is not None:
            return recorded.monitoring.at
        first = next((u for u in inc.updates if u.status == "monitoring"), None)
        return update_time(inc, first, recorded) if first else None

    def _update(self, inc: Incident, upd: Update, maintenance: bool) -> Json:
        recorded = self.data.recorded.get(inc.id)
        shown = update_time(inc, upd, recorded)
        committed = (recorded.updates[upd.index].at
                     if recorded is not None and upd.index < len(recorded.updates) else shown)
        return {
            "id": f"{inc.id}-u{upd.index}",
            "status": _update_status(upd.status, maintenance),
            "body": upd.message,
            "incident_id": inc.id,
            "created_at": self.t(committed),
            "updated_at": self.t(committed),
            "display_at": self.t(shown),
            "affected_components": self._affected(inc, upd),
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _affected(self, inc: Incident, upd: Update) -> list[Json] | None:
        """What the update changed: the first one takes components from operational to the
        stated impact, the closing one brings them back; the others change nothing."""
        first = inc.updates and upd.index == inc.updates[0].index
        if not (first or upd.status in CLOSING) or not inc.components:
            return None
        names = self.data.config.components
        out = []
        for comp in inc.components:
            impact = "under_maintenance" if inc.maintenance else comp.impact
            old, new = ("operational", impact) if first else (impact, "operational")
            if first and upd.status in CLOSING:
                new = "operational"
            out.append({"code": comp.id, "name": names[comp.id].name if comp.id in names
                        else comp.id, "old_status": old, "new_status": new})
        return out

    def incident(self, inc: Incident) -> Json:
        recorded = self.data.recorded.get(inc.id)
        created = recorded.declared.at if recorded is not None else best_time(inc, recorded)
        severity = self.data.config.severity(inc.severity)
        maintenance = inc.maintenance
        if maintenance:
            status = maintenance_state(inc, self.data.now)
            impact = "maintenance"
        else:
            status = _incident_status(inc)
            impact = severity.impact if severity is not None else "none"
        closed = status in ("resolved", "postmortem", "completed")
        item: Json = {
            "id": inc.id,
            "name": inc.title,
            "status": status,
            "created_at": self.t(created),
            "updated_at": self.t(self.latest[inc.id]),
            "monitoring_at": self.t(self._monitoring_time(inc)),
            "resolved_at": self.t(self._closing_time(inc)) if closed else None,
            "impact": impact,
            "shortlink": url(self.data, incident_path(inc.id)),
            "started_at": self.t(inc.window.start if inc.window is not None
                                 else impact_start(inc, recorded) or created),
            "page_id": self.page_id,
            "incident_updates": [self._update(inc, u, maintenance)
                                 for u in reversed(inc.updates)],
            "components": [self.by_id[c.id] for c in inc.components if c.id in self.by_id],
        }
        if maintenance and inc.window is not None:
            item["scheduled_for"] = self.t(inc.window.start)
            item["scheduled_until"] = self.t(inc.window.end)
        return item

    def _encoded(self, inc: Incident) -> str:
        """The incident as JSON text, made once however many files list it (an unresolved
        incident is in summary.json and incidents/unresolved.json)."""
        found = self._fragments.get(inc.id)
        if found is None:
            found = self._fragments[inc.id] = _json(self.incident(inc))
        return found

    def _list(self, incidents: Sequence[Incident]) -> str:
        return "[" + ",".join(self._encoded(i) for i in incidents) + "]"

    def outputs(self) -> dict[str, bytes]:
        page, status = _json(self.page()), _json(self.status())
        components = _json(self.components)
        incidents = [i for i in self.data.incidents if not i.maintenance]
        # Statuspage has no canceled maintenance (it is deleted there); calendars still get it.
        maint = [i for i in self.data.incidents
                 if i.maintenance and maintenance_state(i, self.data.now) != "canceled"]
        by_window = sorted(maint, key=lambda i: (_start(i), i.id))
        self._fragments: dict[str, str] = {}
        upcoming = self._list(self.rollup.maintenance_upcoming)
        active = self._list(self.rollup.maintenance_active)
        unresolved = self._list(self.rollup.active)
        recent = self._list(newest_first(incidents, self.data, RECENT))
        recent_maint = self._list(list(reversed(by_window[-RECENT:])))
        both = self._list([*self.rollup.maintenance_active, *self.rollup.maintenance_upcoming])
        files: dict[str, list[tuple[str, str]]] = {
            "summary.json": [("page", page), ("components", components),
                             ("incidents", unresolved), ("scheduled_maintenances", both),
                             ("status", status)],
            "status.json": [("page", page), ("status", status)],
            "components.json": [("page", page), ("components", components)],
            "incidents.json": [("page", page), ("incidents", recent)],
            "incidents/unresolved.json": [("page", page), ("incidents", unresolved)],
            "scheduled-maintenances.json": [("page", page),
                                            ("scheduled_maintenances", recent_maint)],
            "scheduled-maintenances/upcoming.json": [("page", page),
                                                     ("scheduled_maintenances", upcoming)],
            "scheduled-maintenances/active.json": [("page", page),
                                                   ("scheduled_maintenances", active)],
        }
        return {PREFIX + name: (_object(fields) + "\n").encode("utf-8")
                for name, fields in files.items()}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=SEPARATORS)


def _object(fields: Sequence[tuple[str, str]]) -> str:
    """A JSON object from its members already encoded: what _json of the dict gives."""
    return "{" + ",".join(f"{_json(key)}:{value}" for key, value in fields) + "}"


def _start(inc: Incident) -> float:
    assert inc.window is not None
    return inc.window.start.timestamp()


def _incident_status(inc: Incident) -> str:
    if inc.status == "canceled":  # no such status in Statuspage: a canceled incident is closed
        return "resolved"
    if inc.status == "resolved" and inc.postmortem is not None and inc.postmortem.published:
        return "postmortem"
    return inc.status


def _update_status(status: str, maintenance: bool) -> str:
    if status == "canceled":
        return "completed" if maintenance else "resolved"
    return status


def produce(data: SiteData) -> dict[str, bytes]:
    ensure_view(data)
    return _Api(data).outputs()


def produce_with(data: SiteData, activity: Activity) -> dict[str, bytes]:
    """`produce`, told every incident's activity (a rebuild works it out from rows): `data`
    need then hold only the incidents the files list."""
    ensure_view(data)
    return _Api(data, activity).outputs()
