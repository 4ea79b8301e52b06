"""A new incident file: from command-line options or a parsed issue form to YAML text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from warroom.authoring.roundtrip import dump, make_yaml
from warroom.authoring.slug import new_id
from warroom.authoring.values import block_map, flow_map, moment, scalar
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.repo import INCIDENTS_DIR, incident_files

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/incident.schema.json\n"
IMPACTS = ("degraded_performance", "partial_outage", "major_outage", "under_maintenance")
TYPES = ("outage", "degradation", "network", "bug", "security", "data-loss", "maintenance")


@dataclass(frozen=True)
class Note:
    """An extra update written after the first one (the reporter's own words, kept internal)."""

    message: str
    visibility: str = "internal"
    author: str | None = None


@dataclass(frozen=True)
class NewIncident:
    title: str
    severity: str
    type: str = "outage"
    components: tuple[tuple[str, str], ...] = ()
    internal: bool = False
    commander: str | None = None
    message: str | None = None
    window: tuple[datetime, datetime] | None = None
    impact_started_at: datetime | None = None
    personal_data: str | None = None
    notes: tuple[Note, ...] = ()
    source: dict[str, str] = field(default_factory=dict)

    @property
    def maintenance(self) -> bool:
        return self.type == "maintenance"


def parse_component(text: str, maintenance: bool) -> tuple[str, str]:
    """`checkout:major_outage`, or a bare `checkout` for maintenance (under_maintenance)."""
    cid, sep, impact = text.partition(":")
    cid, impact = cid.strip(), impact.strip()
    if not sep and maintenance:
        impact = "under_maintenance"
    if not cid or impact not in IMPACTS:
        raise WarroomError(
            f"--component {text!r}: write ID:IMPACT, e.g. checkout:major_outage",
            hint=f"impacts: {', '.join(IMPACTS)}",
        )
    return cid, impact


def today(config: Config, now: datetime) -> date:
    try:
        zone = ZoneInfo(config.site.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")  # an unknown zone is already reported by config validation
    return now.astimezone(zone).date()


def allocate(root: Path, config: Config, title: str, now: datetime) -> tuple[str, Path]:
    """A unique id for `title` declared at `now`, and the file it goes to."""
    taken = {p.stem for p in incident_files(root)}
    incident_id = new_id(today(config, now), title, taken)
    return incident_id, root / INCIDENTS_DIR / incident_id[:4] / f"{incident_id}.yaml"


def default_message(new: NewIncident, config: Config) -> str:
    names = [config.components[c].name if c in config.components else c
             for c, _ in new.components]
    what = f" with {_join(names)}" if names else ""
    if new.maintenance:
        return f"Scheduled maintenance{' of ' + _join(names) if names else ''}."
    return f"We are investigating reports of problems{what}."


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def render(new: NewIncident, incident_id: str, config: Config) -> str:
    """The YAML text of the new file, keys in the order of the schema's documentation."""
    status = "scheduled" if new.maintenance else "investigating"
    data = CommentedMap()
    data["id"] = incident_id
    data["title"] = scalar(new.title.strip())
    data["type"] = new.type
    data["severity"] = scalar(new.severity)
    data["status"] = status
    data["visibility"] = "internal" if new.internal else "public"
    components = CommentedSeq()
    for cid, impact in new.components:
        components.append(flow_map(id=cid, impact=impact))
    data["components"] = components
    if new.commander:
        data["roles"] = flow_map(commander=new.commander)
    if new.impact_started_at is not None:
        data["impact_started_at"] = scalar(moment(new.impact_started_at))
    if new.window is not None:
        data["window"] = flow_map(start=moment(new.window[0]), end=moment(new.window[1]))
    if new.personal_data is not None:
        data["regulatory"] = block_map(personal_data=new.personal_data)
    updates = CommentedSeq()
    updates.append(block_map(status=status,
                             message=new.message or default_message(new, config)))
    for note in new.notes:
        updates.append(block_map(status=status, message=note.message,
                                 visibility=note.visibility, author=note.author))
    data["updates"] = updates
    if new.source:
        data["source"] = block_map(**new.source)
    return SCHEMA_LINE + dump(make_yaml(2, 4, 2), data)
