"""Write an import plan into a repository: idempotent, and never over someone's changes.

A file whose bytes would not change is left alone (so a second import changes nothing);
an existing incident with other content is skipped unless `force` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warroom.atomic import write_text
from warroom.importers.common import OTHER_GROUP, PLACEHOLDER, NewComponent, Plan
from warroom.importers.configfile import merge_components, new_config
from warroom.importers.emit import render_incident
from warroom.repo import CONFIG_NAME, incident_files


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # new files
    overwritten: list[str] = field(default_factory=list)  # changed, with force
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # existing and different, no force
    config: str = "unchanged"  # created | updated | unchanged
    components_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return sorted(self.written + self.overwritten
                      + ([CONFIG_NAME] if self.config != "unchanged" else []))


def config_text(plan: Plan, root: Path) -> tuple[str | None, str, list[str]]:
    """(current text or None, wanted text, ids of components added) of warroom.yaml."""
    path = root / CONFIG_NAME
    current = path.read_text(encoding="utf-8") if path.exists() else None
    components = list(plan.components)
    if current is None and not components:
        # A new warroom.yaml needs one group with one component to be valid.
        components = [NewComponent(*OTHER_GROUP, *PLACEHOLDER)]
    base = current if current is not None else new_config(plan.tool, plan.site)
    wanted = merge_components(base, components, CONFIG_NAME)
    before = _component_ids(base)
    added = [c.id for c in components if c.id not in before]
    return current, wanted, list(dict.fromkeys(added))


def _component_ids(text: str) -> set[str]:
    from warroom.yamlload import parse_text

    doc, _ = parse_text(text, CONFIG_NAME)
    data = doc.data if doc is not None else {}
    groups = data.get("groups") if isinstance(data, dict) else None
    return {str(c.get("id")) for g in groups or [] if isinstance(g, dict)
            for c in g.get("components") or [] if isinstance(c, dict)}


def apply_plan(plan: Plan, root: Path, *, force: bool = False) -> Outcome:
    outcome = Outcome()
    current, wanted, added = config_text(plan, root)
    if wanted != current:
        write_text(root / CONFIG_NAME, wanted)
        outcome.config = "created" if current is None else "updated"
        outcome.components_added = added
    elsewhere = {p.stem: p.relative_to(root).as_posix() for p in incident_files(root)}
    for incident in plan.incidents:
        path = root / incident.path
        other = elsewhere.get(incident.id)
        if other is not None and other != incident.path:
            outcome.skipped.append(incident.path)  # the id is used by a file elsewhere
            continue
        text = render_incident(incident.data)
        if path.exists():
            if path.read_text(encoding="utf-8") == text:
                outcome.unchanged.append(incident.path)
                continue
            if not force:
                outcome.skipped.append(incident.path)
                continue
            outcome.overwritten.append(incident.path)
        else:
            outcome.written.append(incident.path)
        write_text(path, text)
    return outcome
