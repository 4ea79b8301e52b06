"""Semantic rules for warroom.yaml."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.config import WEEKDAYS, Config
from warroom.problems import Level, Problem
from warroom.yamlload import Document, PathKey

# badges/<component>.svg sits beside the overall badges/status.svg.
RESERVED_COMPONENT_IDS = frozenset({"status"})


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_config(doc: Document, config: Config) -> list[Problem]:
    out: list[Problem] = []

    def add(path: PathKey, code: str, message: str) -> None:
        line, col = doc.marks.at(path)
        out.append(Problem(doc.path, line, col, Level.ERROR, code, message))

    seen: dict[str, str] = {}
    for gi, group in enumerate(config.groups):
        for ci, comp in enumerate(group.components):
            if comp.id in RESERVED_COMPONENT_IDS:
                add(("groups", gi, "components", ci, "id"), "reserved-component-id",
                    f"component id {comp.id!r} is reserved (the site writes "
                    f"badges/{comp.id}.svg for the overall status); choose another id")
            if comp.id in seen:
                add(("groups", gi, "components", ci, "id"), "duplicate-component-id",
                    f"component id {comp.id!r} is already used in group {seen[comp.id]!r}; "
                    "give each component its own id")
            seen[comp.id] = group.id
    sev_seen: set[str] = set()
    for si, sev in enumerate(config.severities):
        if sev.id in sev_seen:
            add(("severities", si, "id"), "duplicate-severity",
                f"severity {sev.id!r} is declared twice; remove one or rename it")
        sev_seen.add(sev.id)
        for name, target in sev.targets.items():
            if target.calendar is not None and target.calendar not in config.calendars:
                add(("severities", si, "targets", name, "calendar"), "unknown-calendar",
                    f"calendar {target.calendar!r} is not declared under calendars; declare "
                    "it there, or remove calendar: to run this target 24x7")
    if not _zone_ok(config.site.timezone):
        add(("site", "timezone"), "unknown-timezone",
            f"{config.site.timezone!r} is not an IANA time zone; use e.g. Europe/Paris or UTC")
    for cid, cal in config.calendars.items():
        if not _zone_ok(cal.timezone):
            add(("calendars", cid, "timezone"), "unknown-timezone",
                f"{cal.timezone!r} is not an IANA time zone; use e.g. Europe/Paris or UTC")
        for day, spans in cal.hours.items():
            for si, (start, end) in enumerate(spans):
                if end <= start:
                    name = WEEKDAYS[day]
                    add(("calendars", cid, "hours", name, si), "bad-hours",
                        f"working hours {start:%H:%M}-{end:%H:%M} on {name} end before they "
                        "start; write start-end, e.g. 09:00-18:00 (split a night shift over "
                        "two days)")
    for rid, regime in config.regimes.items():
        kinds: set[str] = set()
        for ri, rule in enumerate(regime.reports):
            for deadline in rule.due:
                if deadline.start not in ("aware", "classified") and deadline.start not in kinds:
                    add(("regimes", rid, "reports", ri), "unknown-deadline-start",
                        f"{regime.name}: {rule.kind} is due from {deadline.start!r}, which is "
                        "neither aware, classified nor an earlier report of the chain")
            kinds.add(rule.kind)
    for si, sev_id in enumerate(config.sla.postmortem_for):
        if sev_id not in sev_seen:
            add(("sla", "postmortem_for", si), "unknown-severity",
                f"severity {sev_id!r} is not declared under severities; list only declared "
                "severities here")
    return out
