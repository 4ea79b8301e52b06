"""`warroom update` and `warroom resolve`: append an update and change a few fields in place."""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from warroom.authoring.roundtrip import append_item, dump, insert_key, load, set_scalar
from warroom.authoring.values import block_map, flow_map
from warroom.errors import WarroomError

UPDATE_STATUSES = ("investigating", "identified", "monitoring", "resolved", "canceled",
                   "scheduled", "in_progress", "completed")


@dataclass(frozen=True)
class Change:
    message: str
    status: str | None = None  # None keeps the current status
    severity: str | None = None
    components: tuple[tuple[str, str], ...] = ()
    commander: str | None = None
    internal: bool = False
    author: str | None = None
    resolve: bool = False  # resolved, or completed for maintenance


@dataclass(frozen=True)
class Edited:
    text: str
    incident_id: str
    summary: str  # for the commit subject: "identified", "update, severity SEV1"


def edit_text(text: str, display: str, change: Change) -> Edited:
    """Apply `change` to the file's text; everything not changed is written back as it was."""
    yaml, data = load(text, display)
    updates = data.get("updates")
    if not isinstance(updates, CommentedSeq):
        raise WarroomError(f"{display}: has no updates list to append to",
                           hint="run `warroom validate` and fix the file first")
    maintenance = data.get("type") == "maintenance"
    current = str(data.get("status", ""))
    last = _last_status(updates) or current
    if change.resolve:
        status = "completed" if maintenance else "resolved"
    else:
        status = change.status or last
    summary = [status if status != last or change.resolve else "update"]

    # Maintenance in progress shows on updates only: the top-level status stays scheduled.
    top = "scheduled" if status == "in_progress" else status
    if top != current:
        set_scalar(data, "status", top)
    if change.severity is not None and change.severity != data.get("severity"):
        set_scalar(data, "severity", change.severity)
        summary.append(f"severity {change.severity}")
    if change.components:
        _set_components(data, change.components)
        summary.append("components " + ", ".join(f"{c}:{i}" for c, i in change.components))
    if change.commander is not None:
        _set_commander(data, change.commander)
        summary.append(f"commander {change.commander}")
    append_item(updates, block_map(
        status=status, message=change.message,
        visibility="internal" if change.internal else None, author=change.author,
    ))
    return Edited(dump(yaml, data), str(data.get("id", "")), ", ".join(summary))


def _last_status(updates: CommentedSeq) -> str | None:
    if updates and isinstance(updates[-1], CommentedMap) and "status" in updates[-1]:
        return str(updates[-1]["status"])
    return None


def _set_components(data: CommentedMap, wanted: tuple[tuple[str, str], ...]) -> None:
    components = data.get("components")
    if not isinstance(components, CommentedSeq):
        components = CommentedSeq()
        insert_key(data, "components", components, ("status", "visibility", "drill"))
    by_id = {str(c.get("id")): c for c in components if isinstance(c, CommentedMap)}
    flow = bool(components) and all(
        isinstance(c, CommentedMap) and c.fa.flow_style() for c in components)
    for cid, impact in wanted:
        if cid in by_id:
            set_scalar(by_id[cid], "impact", impact)
            continue
        item = flow_map(id=cid, impact=impact)
        if not flow and components:
            item.fa.set_block_style()
        append_item(components, item)
        by_id[cid] = item


def _set_commander(data: CommentedMap, handle: str) -> None:
    roles = data.get("roles")
    if isinstance(roles, CommentedMap):
        set_scalar(roles, "commander", handle)
        return
    insert_key(data, "roles", flow_map(commander=handle),
               ("components", "summary", "drill", "visibility", "status"))
