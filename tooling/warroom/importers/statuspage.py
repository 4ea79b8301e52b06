"""`warroom import statuspage`: Statuspage API v2 incidents and maintenances as warroom files.

Update times come from `display_at`: incidents entered into Statuspage after the fact (GitHub
moved its pre-2018 history in, in 2018) have `created_at` = the day of that import and the
real time in `display_at`. Bodies are text with some HTML; they become Markdown without it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from warroom.importers.common import (
    IMPACT_LEVELS,
    Draft,
    Guess,
    Plan,
    SiteInfo,
    Target,
    assign_ids,
    format_time,
    utc_day,
)
from warroom.importers.components import Components
from warroom.importers.htmltext import has_html, html_to_markdown
from warroom.importers.spjson import Export, read_export
from warroom.slugs import slugify

TOOL = "statuspage"
UNGROUPED = ("services", "Services")
_RANK = {"under_maintenance": 0, "degraded_performance": 1, "partial_outage": 2,
         "major_outage": 3}
_FROM_IMPACT = {"critical": "major_outage", "major": "partial_outage",
                "minor": "degraded_performance", "none": "degraded_performance"}
_MAINTENANCE_STATUS = {"scheduled": "scheduled", "in_progress": "in_progress",
                       "verifying": "in_progress", "completed": "completed"}
_INCIDENT_STATUS = {"investigating", "identified", "monitoring", "resolved"}
_BACKDATED = timedelta(days=1)


def _time(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


class Importer:
    def __init__(self, target: Target, export: Export) -> None:
        self.target = target
        self.export = export
        self.components = Components(target, "the Statuspage component list")
        self.by_code: dict[str, str] = {}
        self.guesses: list[Guess] = []
        self._declare(export.components)

    def _declare(self, components: list[dict[str, Any]]) -> None:
        groups = {str(c.get("id")): c for c in components if c.get("group") is True}
        for comp in components:
            if comp.get("group") is True or not comp.get("name"):
                continue
            parent = groups.get(str(comp.get("group_id")))
            group = ((slugify(str(parent["name"])) or "group", str(parent["name"]))
                     if parent and parent.get("name") else UNGROUPED)
            cid = self.components.declare(group, str(comp["name"]).strip(),
                                          " ".join(str(comp.get("description") or "").split()))
            if comp.get("id"):
                self.by_code[str(comp["id"])] = cid

    def site(self) -> SiteInfo:
        page = self.export.page
        name = str(page.get("name") or "").strip()
        return SiteInfo(f"{name} status" if name else "Status", "",
                        str(page.get("url") or ""), str(page.get("time_zone") or ""))

    def plan(self) -> Plan:
        latest: dict[str, tuple[str, dict[str, Any]]] = {}
        for display, inc in self.export.incidents:
            key = str(inc["id"])
            if key in latest:
                self.guesses.append(Guess(display, "duplicate-incident",
                                          f"incident {key} is also in {latest[key][0]}; "
                                          "kept the most recently updated"))
                if str(inc.get("updated_at") or "") < str(latest[key][1].get("updated_at")
                                                          or ""):
                    continue
            latest[key] = (display, inc)
        # Components named by incidents are declared too (they carry group ids).
        self._declare([c for _, inc in latest.values() for c in inc.get("components") or []
                       if isinstance(c, dict) and str(c.get("id")) not in self.by_code])
        drafts = [_Conversion(self, display, inc).run() for display, inc in latest.values()]
        incidents, guesses = assign_ids(drafts, self.target.previous_ids(TOOL))
        every = [g for d in drafts for g in d.guesses] + guesses + self.guesses
        return Plan(TOOL, self.site(), self.components.all(), incidents, sorted(set(every)))

    def url(self, incident_id: str, shortlink: Any) -> str:
        base = str(self.export.page.get("url") or "").rstrip("/")
        if base.startswith(("http://", "https://")):
            return f"{base}/incidents/{incident_id}"
        return str(shortlink) if isinstance(shortlink, str) else ""


class _Conversion:
    def __init__(self, importer: Importer, display: str, inc: dict[str, Any]) -> None:
        self.imp, self.source, self.inc = importer, display, inc
        self.guesses: list[Guess] = []
        self.maintenance = bool(inc.get("scheduled_for")) or inc.get("impact") == "maintenance"

    def guess(self, kind: str, message: str) -> None:
        self.guesses.append(Guess(self.source, kind, message))

    def run(self) -> Draft:
        inc = self.inc
        title = self.title()
        updates, postmortem = self.updates()
        start = (_time(inc.get("started_at")) or _time(inc.get("created_at"))
                 or (_time(updates[0].get("at")) if updates else None))
        impact = str(inc.get("impact") or "none")
        level = "none" if impact == "maintenance" else impact
        if level not in IMPACT_LEVELS:
            self.guess("unknown-severity", f"impact {impact!r} is not none, minor, major or "
                                           "critical: read as minor")
            level = "minor"
        kind = ("maintenance" if self.maintenance
                else "outage" if level in ("critical", "major") else "degradation")
        data: dict[str, Any] = {"title": title, "type": kind,
                                "severity": self.imp.target.severity_for(level, self.guesses)}
        first = _time(updates[0].get("at")) if updates else None
        if start is not None and first is not None and first < start:
            # Backdated entries: started_at is when someone typed it in, the update is not.
            self.guess("time-dropped", f"started_at {format_time(start)} is after the first "
                                       f"update: the incident starts at {format_time(first)}")
            start = first
        if start is None:
            start = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
            self.guess("no-date", "no time at all in this incident: dated 1970-01-01")
        if not updates:
            self.guess("empty-body", "no updates: the title is the first update")
            opening = "scheduled" if self.maintenance else "investigating"
            updates = [{"status": opening, "at": format_time(start), "message": title}]
        self.close(updates)
        data["status"] = self.top_status(updates)
        data["components"] = self.components(level)
        if self.maintenance:
            data["window"] = self.window(start)
        else:
            data.update(self.stated(start, data["status"] == "resolved"))
        data["updates"] = updates
        if postmortem:
            data["postmortem"] = {"status": "published", "body": postmortem}
        source = {"tool": TOOL, "id": str(inc["id"])}
        if url := self.imp.url(str(inc["id"]), inc.get("shortlink")):
            source["url"] = url
        data["source"] = source
        base = f"{utc_day(start)}-{slugify(title, 48) or 'incident'}"
        return Draft(self.source, str(inc["id"]), base, (format_time(start), str(inc["id"])),
                     data, tuple(self.guesses))

    def title(self) -> str:
        raw = " ".join(str(self.inc.get("name") or "").split())
        title = raw if len(raw) >= 3 else f"{raw or 'Incident'} (imported)"
        title = title if len(title) <= 200 else title[:199].rstrip() + "…"
        if title != raw:
            self.guess("title-fixed", f"name {raw!r} became {title!r}")
        return title

    def text(self, body: Any) -> str:
        raw = str(body or "")
        if has_html(raw):
            self.guess("html-converted", "HTML in an update body converted to Markdown")
        return html_to_markdown(raw)

    def updates(self) -> tuple[list[dict[str, Any]], str]:
        raw = [u for u in self.inc.get("incident_updates") or [] if isinstance(u, dict)]
        # The API lists updates newest first; display_at orders them, then creation.
        ordered = sorted(enumerate(raw), key=lambda p: (
            str(p[1].get("display_at") or p[1].get("created_at") or ""),
            str(p[1].get("created_at") or ""), -p[0]))
        updates: list[dict[str, Any]] = []
        notes: list[str] = []  # bodies of updates with status postmortem
        backdated = []
        for _, upd in ordered:
            shown = _time(upd.get("display_at")) or _time(upd.get("created_at"))
            created = _time(upd.get("created_at"))
            if shown and created and created - shown > _BACKDATED:
                backdated.append(created)
            status = str(upd.get("status") or "")
            message = self.text(upd.get("body"))
            if status == "postmortem":
                notes.append(message)
                continue
            if not message.strip():
                self.guess("empty-body", f"an update ({status}) has no text")
                message = f"Status: {status or 'update'}."
            entry: dict[str, Any] = {"status": self.status(status)}
            if shown is not None:
                entry["at"] = format_time(shown)
            entry["message"] = message
            updates.append(entry)
        if backdated:
            self.guess("backdated-update", f"{len(backdated)} update(s) created on "
                                           f"{utc_day(min(backdated))}, long after the time "
                                           "they display: used display_at")
        body = self.inc.get("postmortem_body")
        if isinstance(body, str) and body.strip():
            if notes:
                self.guess("postmortem-update", f"{len(notes)} update(s) with status "
                                                "postmortem left out: the incident has a "
                                                "postmortem body")
            return updates, self.text(body)
        if notes:
            self.guess("postmortem-update", f"{len(notes)} update(s) with status postmortem "
                                            "became the postmortem body")
        return updates, "\n\n".join(n for n in notes if n.strip())

    def status(self, status: str) -> str:
        if self.maintenance:
            if status in _MAINTENANCE_STATUS:
                return _MAINTENANCE_STATUS[status]
            mapped = "completed" if status == "resolved" else "in_progress"
        else:
            if status in _INCIDENT_STATUS:
                return status
            mapped = "investigating"
        self.guess("unknown-status", f"update status {status!r} read as {mapped}")
        return mapped

    def close(self, updates: list[dict[str, Any]]) -> None:
        """Make the status sequence one warroom accepts, and end it as the incident ended."""
        final = "completed" if self.maintenance else "resolved"
        reached = 0
        order = {"scheduled": 0, "in_progress": 1, "completed": 2}
        for i, upd in enumerate(updates):
            last = i == len(updates) - 1
            if upd["status"] == final and not last:
                upd["status"] = "in_progress" if self.maintenance else "monitoring"
                self.guess("reopened", f"a {final} update at {upd.get('at', '?')} is followed "
                                       f"by more updates: imported as {upd['status']}")
            if self.maintenance:
                # Maintenance only moves forward: scheduled, in progress, completed.
                reached = max(reached, order[upd["status"]])
                upd["status"] = next(k for k, v in order.items() if v == reached)
        done = str(self.inc.get("status")) in ("resolved", "postmortem", "completed")
        if done and updates[-1]["status"] != final:
            at = _time(self.inc.get("resolved_at")) or _time(updates[-1].get("at"))
            closing: dict[str, Any] = {"status": final}
            if at is not None:
                closing["at"] = format_time(max(at, _time(updates[-1].get("at")) or at))
            closing["message"] = ("This maintenance has been completed." if self.maintenance
                                  else "This incident has been resolved.")
            updates.append(closing)
            self.guess("missing-resolving-update", f"status {self.inc.get('status')} but no "
                                                   f"{final} update: one was added")

    def top_status(self, updates: list[dict[str, Any]]) -> str:
        last = str(updates[-1]["status"])
        if self.maintenance:
            return last if last == "completed" else "scheduled"
        return last

    def components(self, level: str) -> list[dict[str, str]]:
        worst: dict[str, str | None] = {}
        for comp in self.inc.get("components") or []:
            if isinstance(comp, dict) and comp.get("name"):
                worst.setdefault(self.component_id(comp.get("id"), comp["name"]), None)
        for upd in self.inc.get("incident_updates") or []:
            for aff in (upd.get("affected_components") or []) if isinstance(upd, dict) else []:
                if not isinstance(aff, dict) or not aff.get("name"):
                    continue
                cid = self.component_id(aff.get("code"), aff["name"])
                status = str(aff.get("new_status") or "")
                current = worst.setdefault(cid, None)
                if status in _RANK and (current is None or _RANK[status] > _RANK[current]):
                    worst[cid] = status
        if self.maintenance:
            return [{"id": cid, "impact": "under_maintenance"} for cid in worst]
        fallback = _FROM_IMPACT[level]
        guessed = [cid for cid, status in worst.items() if status is None]
        if guessed:
            self.guess("impact-from-incident", f"no update gave {', '.join(guessed)} a "
                                               f"status: impact {fallback} from the incident")
        return [{"id": cid, "impact": status or fallback} for cid, status in worst.items()]

    def component_id(self, code: Any, name: Any) -> str:
        if code is not None and str(code) in self.imp.by_code:
            return self.imp.by_code[str(code)]
        return self.imp.components.resolve(str(name).strip(), self.source, self.guesses)

    def window(self, start: datetime) -> dict[str, str]:
        begin = _time(self.inc.get("scheduled_for")) or start
        end = _time(self.inc.get("scheduled_until"))
        if end is None or end <= begin:
            fixed = begin + timedelta(hours=1)
            self.guess("window-fixed", f"scheduled_until {self.inc.get('scheduled_until')!r}"
                                       f" does not end the window: ends at {format_time(fixed)}")
            end = fixed
        return {"start": format_time(begin), "end": format_time(end)}

    def stated(self, start: datetime, resolved: bool) -> dict[str, str]:
        out = {"impact_started_at": format_time(start)}
        mitigated = _time(self.inc.get("monitoring_at"))
        end = _time(self.inc.get("resolved_at")) if resolved else None
        if end is not None and end < start:
            self.guess("swapped-dates", f"resolved_at {format_time(end)} is before started_at "
                                        f"{format_time(start)}: swapped")
            start, end = end, start
            out["impact_started_at"] = format_time(start)
        if mitigated is not None:
            if mitigated < start or (end is not None and mitigated > end):
                self.guess("time-dropped", f"monitoring_at {format_time(mitigated)} is outside "
                                           "the incident: left out")
            else:
                out["mitigated_at"] = format_time(mitigated)
        if end is not None:
            out["resolved_at"] = format_time(end)
        return out


def plan_export(path: Path, target: Target) -> Plan:
    return Importer(target, read_export(path)).plan()
