"""What every importer shares: the guess report, the import plan and the target repository.

An importer reads another tool's files and produces a `Plan`: the incidents as plain data
(ready to be written as YAML), the components they need, and every guess it made. Nothing
is written until the plan is complete; `apply.py` then writes it idempotently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warroom.errors import WarroomError
from warroom.repo import CONFIG_NAME, incident_files, load_config
from warroom.yamlload import load_file

# Every kind of guess an importer can report; docs/importing.md explains each (a test checks).
GUESS_KINDS: dict[str, str] = {
    "naive-time": "A time had no offset; the --assume-offset offset (UTC by default) was used.",
    "unknown-offset": "A time had the offset -00:00 (RFC 3339: offset unknown); read as UTC.",
    "one-digit-hour": "A time was written with a one-digit hour, month or day; read as such.",
    "date-only": "A time was a date alone; midnight was assumed.",
    "bad-time": "A time could not be read; another one of the incident was used instead.",
    "no-date": "An incident had no usable date at all; the file's date or the import time "
               "was used.",
    "swapped-dates": "The resolution time was before the start; the two were swapped.",
    "resolved-without-time": "Resolved without a resolution time; the resolving update has none.",
    "undeclared-component": "An affected name is not a declared component; one was created.",
    "component-alias": "Several names map to one component id; they share the component.",
    "missing-affected": "No affected components; the placeholder component was used.",
    "unknown-severity": "A severity outside the tool's own set was mapped to the nearest one.",
    "severity-fallback": "warroom.yaml has no severity for an impact; the nearest was used.",
    "maintenance-from-title": "The title says maintenance; imported as type: maintenance.",
    "window-fixed": "A maintenance window did not end after its start; it was extended.",
    "empty-body": "An update had no text; a short text was written instead.",
    "raw-html": "Raw HTML in Markdown was escaped so that it shows as text.",
    "html-converted": "An HTML body was converted to Markdown.",
    "title-fixed": "The title was missing, too short or too long; it was completed or cut.",
    "ignored-field": "A field has no warroom equivalent and was left out.",
    "draft": "A draft was imported with visibility: internal.",
    "id-from-title": "The file name has no date; the id uses the incident's start date.",
    "id-suffixed": "Two incidents would share an id; a number was appended to the later one.",
    "front-matter": "The front matter could not be read; title and date came from the name.",
    "impact-from-incident": "No update gave a component a status; the incident's impact was "
                            "used.",
    "unknown-status": "An update status outside the tool's set was mapped to the nearest one.",
    "reopened": "A resolved update was followed by more updates; it was imported as "
                "monitoring.",
    "postmortem-update": "An update with status postmortem became the postmortem body.",
    "missing-resolving-update": "The incident was resolved but no update said so; one was "
                                "added at the resolution time.",
    "backdated-update": "An update was created long after the time it displays (an import "
                        "into the old tool); its displayed time was used.",
    "time-dropped": "A stated time was out of order with the others and was left out.",
    "duplicate-incident": "One incident appeared in several files; the latest version was kept.",
    "stated-after-commit": "A stated time is later than the commit that recorded it "
                           "(with --with-history).",
}

IMPACT_LEVELS = ("critical", "major", "minor", "none")  # most severe first
PLACEHOLDER = ("unspecified", "Unspecified")
OTHER_GROUP = ("other", "Other")


@dataclass(frozen=True, order=True)
class Guess:
    source: str  # the source file, relative to the source folder ("" for the whole import)
    kind: str
    message: str

    def __post_init__(self) -> None:
        if self.kind not in GUESS_KINDS:
            raise AssertionError(f"guess kind {self.kind!r} is not in GUESS_KINDS")

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class NewComponent:
    group_id: str
    group_name: str
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Draft:
    """One converted incident before ids are made unique."""

    source: str  # source file, for the report
    source_id: str  # the incident's id in the other tool
    base_id: str  # YYYY-MM-DD-slug, maybe taken by another draft
    sort_key: tuple[str, ...]
    data: dict[str, Any]  # every field but id, in file order
    guesses: tuple[Guess, ...] = ()


@dataclass(frozen=True)
class Incident:
    id: str
    source: str
    data: dict[str, Any]

    @property
    def path(self) -> str:
        return f"incidents/{self.id[:4]}/{self.id}.yaml"


@dataclass(frozen=True)
class SiteInfo:
    title: str
    description: str = ""
    base_url: str = ""
    timezone: str = ""


@dataclass
class Plan:
    tool: str
    site: SiteInfo
    components: list[NewComponent]  # every component the incidents use or the source declares
    incidents: list[Incident]
    guesses: list[Guess] = field(default_factory=list)


# --- ids ------------------------------------------------------------------------------------

def assign_ids(drafts: list[Draft], previous: dict[str, str]) -> tuple[list[Incident],
                                                                        list[Guess]]:
    """Unique ids: an incident imported before keeps its id; clashes get -2, -3, ..."""
    taken: set[str] = set()
    out: list[Incident] = []
    guesses: list[Guess] = []
    ordered = sorted(drafts, key=lambda d: (d.source_id not in previous, d.sort_key))
    for draft in ordered:
        wanted = previous.get(draft.source_id, draft.base_id)
        chosen, n = wanted, 2
        while chosen in taken:
            chosen, n = f"{wanted}-{n}", n + 1
        if chosen != wanted:
            guesses.append(Guess(draft.source, "id-suffixed",
                                 f"id {wanted} is taken by another incident; used {chosen}"))
        taken.add(chosen)
        out.append(Incident(chosen, draft.source, {"id": chosen, **draft.data}))
    out.sort(key=lambda i: i.id)
    return out, guesses


# --- times ----------------------------------------------------------------------------------

def format_time(moment: datetime) -> str:
    """RFC 3339; UTC as Z; fractions only when there are some."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    text = moment.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_offset(text: str) -> timedelta:
    match = re.fullmatch(r"(?:([+-])(\d{1,2}):?(\d{2})|Z|UTC)", text.strip(), re.IGNORECASE)
    if match is None:
        raise ValueError(f"{text!r} is not an offset; write it like +02:00, -05:00 or Z")
    if match.group(1) is None:
        return timedelta(0)
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    if delta >= timedelta(hours=24):
        raise ValueError(f"{text!r} is not an offset between -23:59 and +23:59")
    return -delta if match.group(1) == "-" else delta


def utc_day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


# --- the target repository ------------------------------------------------------------------

DEFAULT_SEVERITIES = (("SEV1", "critical"), ("SEV2", "major"), ("SEV3", "minor"),
                      ("SEV4", "none"))


@dataclass
class Target:
    """What an importer needs to know about the repository it writes into."""

    root: Path
    has_config: bool
    severities: tuple[tuple[str, str], ...]  # (id, impact), most severe first
    components: dict[str, str]  # id -> name
    previous: dict[tuple[str, str], str] = field(default_factory=dict)  # (tool, id) -> our id
    _fallbacks: set[str] = field(default_factory=set)

    def severity_for(self, impact: str, guesses: list[Guess]) -> str:
        exact = next((sid for sid, imp in self.severities if imp == impact), None)
        if exact is not None:
            return exact
        want = IMPACT_LEVELS.index(impact)
        sid, got = min(self.severities,
                       key=lambda s: (abs(IMPACT_LEVELS.index(s[1]) - want),
                                      IMPACT_LEVELS.index(s[1])))
        if impact not in self._fallbacks:
            self._fallbacks.add(impact)
            guesses.append(Guess("", "severity-fallback",
                                 f"{CONFIG_NAME} has no severity with impact {impact}; "
                                 f"used {sid} (impact {got})"))
        return sid

    def previous_ids(self, tool: str) -> dict[str, str]:
        return {sid: our for (t, sid), our in self.previous.items() if t == tool}


def read_target(root: Path) -> Target:
    """Read warroom.yaml (when there is one) and which incidents were imported before."""
    if not (root / CONFIG_NAME).exists():
        return Target(root, False, DEFAULT_SEVERITIES, {})
    config, _, problems = load_config(root)
    if config is None:
        first = problems[0] if problems else None
        where = f"{first.location()}: {first.message}" if first else CONFIG_NAME
        raise WarroomError(f"cannot import into {root}: {where}",
                           hint=f"fix {CONFIG_NAME} first (`warroom validate`)")
    target = Target(root, True, tuple((s.id, s.impact) for s in config.severities),
                    {c.id: c.name for c in config.components.values()})
    for path in incident_files(root):
        doc, _ = load_file(path)
        data = doc.data if doc is not None else None
        if not isinstance(data, dict):
            continue
        src = data.get("source")
        if isinstance(src, dict) and isinstance(data.get("id"), str):
            tool, sid = src.get("tool"), src.get("id")
            if isinstance(tool, str) and isinstance(sid, str):
                target.previous[(tool, sid)] = data["id"]
    return target
