"""Semantic rules for one incident, beyond what a schema can say."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import datetime

from warroom.config import Config
from warroom.model import MAINTENANCE_STATUSES, Incident
from warroom.problems import Level, Problem
from warroom.yamlload import Document, PathKey

# Incidents may go back to investigating when a fix fails; resolved and canceled are final
# (a recurrence is a new incident, linked with `related`).
TRANSITIONS: dict[str, frozenset[str]] = {
    "investigating": frozenset({"investigating", "identified", "monitoring", "resolved",
                                "canceled"}),
    "identified": frozenset({"identified", "investigating", "monitoring", "resolved"}),
    "monitoring": frozenset({"monitoring", "investigating", "identified", "resolved"}),
    "resolved": frozenset(),
    "canceled": frozenset(),
    "scheduled": frozenset({"scheduled", "in_progress", "completed", "canceled"}),
    "in_progress": frozenset({"in_progress", "completed"}),
    "completed": frozenset(),
}
INCIDENT_FIRST = frozenset({"investigating", "identified", "monitoring", "resolved"})
MAINTENANCE_FIRST = frozenset({"scheduled", "in_progress", "completed"})
# Control characters other than tab and line breaks, and the Unicode line separators.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
STATED_ORDER = ("impact_started_at", "detected_at", "mitigated_at", "resolved_at")


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Rules:
    def __init__(self, doc: Document, incident: Incident, config: Config | None) -> None:
        self.doc, self.incident, self.config = doc, incident, config
        self.out: list[Problem] = []

    def add(self, path: PathKey, code: str, message: str, level: Level = Level.ERROR,
            key: bool = False) -> None:
        line, col = self.doc.marks.key_at(path) if key else self.doc.marks.at(path)
        self.out.append(Problem(self.doc.path, line, col, level, code, message))

    def run(self) -> list[Problem]:
        self.identity()
        self.references()
        self.stated_order()
        self.updates()
        self.maintenance()
        self.follow_up()
        self.regulatory()
        self.pauses()
        # Only a backslash escape or the character itself can put one in a value: most
        # files need no walk over every string (a tenth of checking a file).
        if "\\" in self.doc.text or _CONTROL.search(self.doc.text):
            self.control_characters(self.doc.data, ())
        return self.out

    def control_characters(self, value: object, path: PathKey) -> None:
        # A YAML escape such as "\x01" passes the schema, then breaks the XML of a feed or
        # splits a calendar line: refuse it here, where the user can see where it is.
        if isinstance(value, str):
            found = _CONTROL.search(value)
            if found:
                self.add(path, "control-character",
                         f"the text contains the invisible control character "
                         f"U+{ord(found.group()):04X}; remove it (often pasted from a terminal)")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.control_characters(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.control_characters(item, (*path, index))

    def identity(self) -> None:
        folder, _, name = self.doc.path.rpartition("/")
        stem = name.rsplit(".", 1)[0] if "." in name else name
        if self.incident.id != stem:
            self.add(("id",), "id-mismatch",
                     f"id {self.incident.id!r} differs from the file name {stem!r}; "
                     f"rename the file to {self.incident.id}.yaml or change the id")
        year = folder.rpartition("/")[2]
        if year.isdigit() and len(year) == 4 and not self.incident.id.startswith(year):
            self.add(("id",), "wrong-year-folder",
                     f"incident {self.incident.id} sits in the {year}/ folder; "
                     f"move it to incidents/{self.incident.id[:4]}/", Level.WARNING)

    def references(self) -> None:
        if self.config is None:
            return
        known = self.config.components
        seen: set[str] = set()
        for i, comp in enumerate(self.incident.components):
            if comp.id not in known:
                self.add(("components", i, "id"), "unknown-component",
                         f"component {comp.id!r} is not declared in warroom.yaml"
                         f"{_suggest(comp.id, known)}; declared: {', '.join(sorted(known))}")
            if comp.id in seen:
                self.add(("components", i, "id"), "duplicate-component",
                         f"component {comp.id!r} is listed twice; keep one entry")
            seen.add(comp.id)
        if self.config.severity(self.incident.severity) is None:
            ids = [s.id for s in self.config.severities]
            self.add(("severity",), "unknown-severity",
                     f"severity {self.incident.severity!r} is not declared in warroom.yaml"
                     f"{_suggest(self.incident.severity, ids)}; use one of {', '.join(ids)}")
        if self.config.causes:
            for i, cause in enumerate(self.incident.causes):
                if cause not in self.config.causes:
                    self.add(("causes", i), "unknown-cause",
                             f"cause {cause!r} is not in the causes vocabulary of warroom.yaml"
                             f"{_suggest(cause, self.config.causes)}; use one of "
                             f"{', '.join(sorted(self.config.causes))}, or add it there")

    def stated_order(self) -> None:
        previous: tuple[str, datetime] | None = None
        for name in STATED_ORDER:
            value = getattr(self.incident, name)
            if value is None:
                continue
            if previous is not None and value < previous[1]:
                self.add((name,), "times-out-of-order",
                         f"{name} ({value.isoformat()}) is before {previous[0]} "
                         f"({previous[1].isoformat()}); stated times must follow "
                         "impact started, detected, mitigated, resolved: correct one of them")
            previous = (name, value)

    def updates(self) -> None:
        inc = self.incident
        maintenance = inc.maintenance
        first_allowed = MAINTENANCE_FIRST if maintenance else INCIDENT_FIRST
        previous_status: str | None = None
        previous_at: datetime | None = None
        for upd in inc.updates:
            path: PathKey = ("updates", upd.index, "status")
            if (upd.status in MAINTENANCE_STATUSES) != maintenance and upd.status != "canceled":
                kind = "maintenance" if maintenance else "an incident"
                allowed = ("scheduled, in_progress, completed or canceled" if maintenance
                           else "investigating, identified, monitoring, resolved or canceled")
                self.add(path, "status-for-type",
                         f"status {upd.status!r} does not apply to {kind}; use {allowed}")
            elif previous_status is None and upd.status not in first_allowed:
                self.add(path, "bad-transition",
                         f"the first update cannot be {upd.status!r}; start with "
                         f"{' or '.join(sorted(first_allowed))}")
            elif previous_status is not None and upd.status not in TRANSITIONS[previous_status]:
                final = not TRANSITIONS[previous_status]
                self.add(path, "bad-transition",
                         f"status cannot go from {previous_status!r} to {upd.status!r}"
                         + ("; a closed incident stays closed: declare a new one and list "
                            "this id under related" if final else ""))
            if upd.at is not None:
                if previous_at is not None and upd.at < previous_at:
                    self.add(("updates", upd.index, "at"), "update-out-of-order",
                             f"update at {upd.at.isoformat()} is earlier than the update "
                             "before it; updates are appended oldest first: fix its at, or "
                             "move it up")
                previous_at = upd.at
            previous_status = upd.status
        last = inc.updates[-1].status
        statuses = {u.status for u in inc.updates}
        if inc.status in ("resolved", "completed", "canceled") and inc.status not in statuses:
            self.add(("status",), "missing-resolving-update",
                     f"status is {inc.status!r} but no update says so; add an update with "
                     f"status: {inc.status} and a message for readers")
        elif (inc.status != last and not (maintenance and inc.status == "scheduled"
                                           and last == "in_progress")
              # An update whose status does not fit the type is already reported.
              and not ((last in MAINTENANCE_STATUSES) != maintenance and last != "canceled")):
            self.add(("status",), "status-mismatch",
                     f"status is {inc.status!r} but the latest update says {last!r}; "
                     "change status together with a new update")
        if not any(u.public for u in inc.updates) and inc.public:
            self.add(("updates",), "no-public-update",
                     "a public incident needs at least one public update, or the status page "
                     "has nothing to say; make one update public, or set visibility: internal "
                     "on the incident", Level.WARNING)

    def maintenance(self) -> None:
        inc = self.incident
        if inc.maintenance and inc.window is None:
            self.add(("type",), "missing-window",
                     "scheduled maintenance needs a window: {start: ..., end: ...}")
        if not inc.maintenance and inc.window is not None:
            self.add(("window",), "window-not-maintenance",
                     "only type: maintenance has a window; remove it or change the type",
                     key=True)
        if inc.window is not None and inc.window.end <= inc.window.start:
            self.add(("window", "end"), "window-order",
                     f"the window ends ({inc.window.end.isoformat()}) before or when it "
                     f"starts ({inc.window.start.isoformat()}); fix start or end")

    def follow_up(self) -> None:
        for i, item in enumerate(self.incident.action_items):
            if item.owner is None:
                self.add(("action_items", i), "action-item-owner",
                         f"action item {item.title!r} has no owner; add owner: '@someone'")
            if item.due is None:
                self.add(("action_items", i), "action-item-due",
                         f"action item {item.title!r} has no due date; add due: YYYY-MM-DD")
        pm = self.incident.postmortem
        if pm is not None and pm.published and not pm.body.strip() and not pm.url:
            self.add(("postmortem", "status"), "empty-postmortem",
                     "a published postmortem needs a body or a url; add one, or keep "
                     "status: draft until it is written")

    def regulatory(self) -> None:
        inc = self.incident
        reg = inc.regulatory
        if inc.type in ("security", "data-loss") and reg is None:
            self.add(("type",), "missing-regulatory",
                     f"a {inc.type} incident needs a regulatory block stating whether personal "
                     'data is involved: add regulatory: {personal_data: "no"} (or "yes", '
                     '"suspected", "unknown"; quoted, as YAML reads a bare yes/no as true/false)')
            return
        if reg is None:
            return
        if reg.aware_at is not None and reg.decided_by is None:
            self.add(("regulatory", "aware_at"), "aware-without-decider",
                     "aware_at is a decision: add decided_by with who took it")
        if self.config is None:
            return
        regimes = self.config.regimes
        for i, rid in enumerate(reg.regimes):
            if rid not in regimes:
                self.add(("regulatory", "regimes", i), "unknown-regime",
                         f"regime {rid!r} is not defined{_suggest(rid, regimes)}; known: "
                         f"{', '.join(sorted(regimes))} (others can be declared under regimes "
                         "in warroom.yaml)")
        for i, rep in enumerate(reg.reports):
            regime = regimes.get(rep.regime)
            if regime is None:
                self.add(("regulatory", "reports", i, "regime"), "unknown-regime",
                         f"regime {rep.regime!r} is not defined{_suggest(rep.regime, regimes)};"
                         f" known: {', '.join(sorted(regimes))} (others can be declared under "
                         "regimes in warroom.yaml)")
            elif rep.kind not in {r.kind for r in regime.reports}:
                kinds = [r.kind for r in regime.reports]
                self.add(("regulatory", "reports", i, "kind"), "unknown-report-kind",
                         f"{regime.name} has no report {rep.kind!r}{_suggest(rep.kind, kinds)};"
                         f" its reports are {', '.join(kinds)}")

    def pauses(self) -> None:
        for i, pause in enumerate(self.incident.pauses):
            if pause.end is not None and pause.end <= pause.start:
                self.add(("pauses", i, "end"), "pause-order",
                         f"this pause ends ({pause.end.isoformat()}) before or when it starts "
                         f"({pause.start.isoformat()}); fix start or end")


def check_incident(doc: Document, incident: Incident, config: Config | None) -> list[Problem]:
    return _Rules(doc, incident, config).run()
