"""Incident data as the YAML text of an incident file: stable bytes for the same data.

PyYAML's dumper with three changes: multi-line text is written as a literal block (`|`),
lists are indented under their key (the style of the examples in the docs), and lines are
never re-wrapped.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

HEADER = "# yaml-language-server: $schema=../../schema/incident.schema.json\n"
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)
_HARD_BREAK = re.compile(r"(?<=\S) {2,}$", re.MULTILINE)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def clean_text(text: str) -> str:
    """Text that a YAML literal block can hold: no trailing blanks, \\n line ends.

    Two trailing spaces are a Markdown hard break; they become a backslash, which means the
    same and survives editors that trim lines. Tabs become spaces (Markdown tab stops are 4)
    and control characters go, as either would force an escaped, quoted string.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _HARD_BREAK.sub("\\\\", text)
    text = _TRAILING_BLANKS.sub("", text)
    return "".join(ch for ch in text if ch == "\n" or ch.isprintable() or ord(ch) > 0x9f)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render_incident(data: dict[str, Any]) -> str:
    body = yaml.dump(_clean(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=1_000_000, default_flow_style=False)
    return HEADER + body
