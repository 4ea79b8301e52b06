"""warroom.yaml for an import: a new one when the target has none, else components merged in.

Merging goes through ruamel.yaml's round-trip mode so that the comments, order and quoting
of a hand-written file survive; only groups and components that are missing are appended.
"""

from __future__ import annotations

import io
import json
import re

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from warroom.errors import WarroomError
from warroom.importers.common import NewComponent, SiteInfo

_TEMPLATE = """\
# warroom configuration, created by `warroom import {tool}`.
# The groups and components come from the imported site. The severities and their SLA
# targets are warroom's defaults: review them before the first real incident.
# No severity has a postmortem target yet: the imported incidents have no postmortems, and
# their clocks would stay breached. Add one (postmortem: 5d) under targets when you start.
site:
  title: {title}
{site_extra}groups: []
severities:
  - id: SEV1
    name: Critical
    description: A core service is down or unusable for most customers.
    impact: critical
    targets:
      acknowledge: 15m
      identify: 1h
      mitigate: 2h
      resolve: 8h
      first_update: 30m
      update_every: 1h
  - id: SEV2
    name: Major
    description: A service is partly down, or badly degraded, for many customers.
    impact: major
    targets:
      acknowledge: 30m
      identify: 2h
      mitigate: 4h
      resolve: 24h
      first_update: 1h
      update_every: 2h
  - id: SEV3
    name: Minor
    description: Degraded service with a workaround, or few customers affected.
    impact: minor
    targets:
      acknowledge: 4h
      first_update: 4h
      resolve: 5d
  - id: SEV4
    name: Notice
    description: Information for customers; nothing is broken.
    impact: none
"""


def _quote(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def new_config(tool: str, site: SiteInfo) -> str:
    extra = ""
    if site.description:
        extra += f"  description: {_quote(' '.join(site.description.split()))}\n"
    if re.match(r"https?://[^\s]+$", site.base_url):
        extra += f"  base_url: {_quote(site.base_url)}\n"
    if site.timezone:
        extra += f"  timezone: {_quote(site.timezone)}\n"
    return _TEMPLATE.format(tool=tool, title=_quote(site.title or "Status"), site_extra=extra)


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    # ruamel re-indents the whole file with one style: use the file's own.
    dash = re.search(r"^groups:[ \t]*\n(?:[ \t]*#.*\n)*([ \t]*)- ", text, re.MULTILINE)
    offset = len(dash.group(1)) if dash else 2
    mapping = re.search(r"^site:[ \t]*\n(?:[ \t]*#.*\n)*([ \t]+)\S", text, re.MULTILINE)
    yaml.indent(mapping=len(mapping.group(1)) if mapping else 2, sequence=offset + 2,
                offset=offset)
    return yaml


def merge_components(text: str, components: list[NewComponent], display: str) -> str:
    """`text` with every component not declared yet appended to its group (created if need be).

    Returns `text` itself, unchanged to the byte, when nothing is missing.
    """
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise WarroomError(f"{display}: cannot be edited: {exc}") from exc
    if not isinstance(data, CommentedMap):
        raise WarroomError(f"{display}: the top level must be a mapping")
    groups = data.get("groups")
    if not isinstance(groups, CommentedSeq):
        groups = CommentedSeq()
        data["groups"] = groups
    if groups.fa.flow_style() and not groups:
        groups.fa.set_block_style()
    declared = {c.get("id") for g in groups if isinstance(g, dict)
                for c in (g.get("components") or []) if isinstance(c, dict)}
    changed = False
    for comp in components:
        if comp.id in declared:
            continue
        declared.add(comp.id)
        group = next((g for g in groups if isinstance(g, dict) and g.get("id") == comp.group_id),
                     None)
        if group is None:
            group = CommentedMap([("id", comp.group_id), ("name", comp.group_name),
                                  ("components", CommentedSeq())])
            groups.append(group)
        members = group.get("components")
        if not isinstance(members, CommentedSeq):
            members = CommentedSeq()
            group["components"] = members
        entry = CommentedMap([("id", comp.id), ("name", comp.name)])
        if comp.description:
            entry["description"] = comp.description
        siblings = [m for m in members if isinstance(m, CommentedMap)]
        if siblings and siblings[-1].fa.flow_style():
            entry.fa.set_flow_style()
        members.append(entry)
        changed = True
    if not changed:
        return text
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
