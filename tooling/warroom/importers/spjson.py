"""Reading Statuspage API v2 JSON: which shape a file has, and what it holds.

Accepted: `incidents.json` (`{page, incidents}`), one incident per file (`{page, incident}`,
as `GET /api/v2/incidents/<id>.json` returns), `summary.json` and
`scheduled-maintenances.json`, a bare incident, a list of incidents, and `components.json`
for the component list. A folder is read file by file (`*.json`, recursively).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.errors import WarroomError


@dataclass
class Export:
    page: dict[str, Any] = field(default_factory=dict)
    components: list[dict[str, Any]] = field(default_factory=list)
    # (file relative to the given path, incident object), in reading order
    incidents: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files with nothing to import


def _load(path: Path, display: str) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise WarroomError(f"{display}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}",
                           hint="give the files the Statuspage API returned, unchanged"
                           ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise WarroomError(f"{display}: cannot be read: {exc}") from exc


def _is_incident(value: Any) -> bool:
    return isinstance(value, dict) and "incident_updates" in value and "id" in value


def _take(export: Export, data: Any, display: str) -> bool:
    """Add what `data` holds to `export`; False when it holds nothing we import."""
    if isinstance(data, list):
        items = [x for x in data if _is_incident(x)]
        export.incidents += [(display, x) for x in items]
        return bool(items)
    if not isinstance(data, dict):
        return False
    if _is_incident(data):
        export.incidents.append((display, data))
        return True
    if isinstance(data.get("page"), dict) and not export.page:
        export.page = data["page"]
    found = False
    if _is_incident(data.get("incident")):
        export.incidents.append((display, data["incident"]))
        found = True
    for key in ("incidents", "scheduled_maintenances"):
        listed = data.get(key)
        if isinstance(listed, list):
            export.incidents += [(display, x) for x in listed if _is_incident(x)]
            found = True
    if isinstance(data.get("components"), list) and "incident_updates" not in data:
        export.components += [c for c in data["components"] if isinstance(c, dict)]
        found = True
    return found


def read_export(path: Path) -> Export:
    export = Export()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise WarroomError(f"{path}: no .json files in this folder",
                               hint="give incidents.json, summary.json or a folder of them")
        for file in files:
            display = file.relative_to(path).as_posix()
            if not _take(export, _load(file, display), display):
                export.ignored.append(display)
    elif path.is_file():
        if not _take(export, _load(path, path.name), path.name):
            raise WarroomError(f"{path.name}: no incidents, maintenances or components in it",
                               hint="expected Statuspage API v2 JSON such as incidents.json")
    else:
        raise WarroomError(f"{path}: no such file or folder")
    return export
