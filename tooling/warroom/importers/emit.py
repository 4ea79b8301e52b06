"""Incident data as the YAML text of an incident file: stable bytes for the same data.

A small emitter for the one shape we write (mappings, lists, text, numbers, booleans), in the
style of hand-written incident files: times unquoted, lists indented under their key,
components as one-line mappings, multi-line text as literal blocks. PyYAML's pure-Python
emitter took two thirds of an import's time; this one is exact for what it accepts, and the
tests read every file it writes back through the loader.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

HEADER = "# yaml-language-server: $schema=../../schema/incident.schema.json\n"
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)
_HARD_BREAK = re.compile(r"(?<=\S) {2,}$", re.MULTILINE)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}:#]")
_RESOLVER = yaml.resolver.Resolver()
FLOW_KEYS = frozenset({"components"})


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


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _PLAIN_FIRST or "\n" in text:
        return False
    if ": " in text or " #" in text or text.endswith(":") or (flow and _FLOW_UNSAFE.search(text)):
        return False
    if not text.isprintable():
        return False
    if _TIME.fullmatch(text):
        return True  # our loader keeps timestamps as text: written as people write them
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == "tag:yaml.org,2002:str")


def _scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _plain_ok(text, flow):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _block(text: str, indent: int) -> str:
    """A literal block scalar (| with chomping), its lines indented under the key."""
    chomp = "-" if not text.endswith("\n") else "" if not text.endswith("\n\n") else "+"
    body = text[:-1] if text.endswith("\n") else text
    first = body.split("\n", 1)[0]
    indicator = str(2) if first.startswith(" ") else ""
    pad = " " * (indent + 2)
    lines = [pad + line if line else "" for line in body.split("\n")]
    return f"|{indicator}{chomp}\n" + "\n".join(lines)


def _multiline_ok(text: str) -> bool:
    return "\n" in text and all(line.isprintable() for line in text.split("\n")) and \
        not text.startswith("\n") and text.strip() != ""


def _value(value: Any, indent: int) -> str:
    """The text after `key:` (starting with a space or a newline)."""
    if isinstance(value, str) and _multiline_ok(value):
        return " " + _block(value, indent)
    if isinstance(value, dict):
        return " {}" if not value else "\n" + _mapping(value, indent + 2)
    if isinstance(value, list):
        return " []" if not value else "\n" + _sequence(value, indent + 2)
    return " " + _scalar(value)


def _flow(value: dict[str, Any]) -> str | None:
    parts = []
    for key, item in value.items():
        if isinstance(item, dict | list) or (isinstance(item, str) and not _plain_ok(item, True)):
            return None
        parts.append(f"{key}: {_scalar(item, True)}")
    return "{" + ", ".join(parts) + "}"


def _mapping(data: dict[str, Any], indent: int, first_prefix: str | None = None) -> str:
    lines = []
    for i, (key, value) in enumerate(data.items()):
        prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
        if key in FLOW_KEYS and isinstance(value, list) and value and all(
                isinstance(v, dict) and _flow(v) for v in value):
            items = "\n".join(f"{' ' * (indent + 2)}- {_flow(v)}" for v in value)
            lines.append(f"{prefix}{key}:\n{items}")
        else:
            lines.append(f"{prefix}{key}:{_value(value, indent)}")
    return "\n".join(lines)


def _sequence(items: list[Any], indent: int) -> str:
    lines = []
    for item in items:
        dash = " " * indent + "- "
        if isinstance(item, dict) and item:
            lines.append(_mapping(item, indent + 2, first_prefix=dash))
        elif isinstance(item, list) and item:
            lines.append(dash.rstrip() + "\n" + _sequence(item, indent + 2))
        elif isinstance(item, str) and _multiline_ok(item):
            lines.append(dash + _block(item, indent))
        else:
            lines.append(dash + (_scalar(item) if not isinstance(item, dict | list)
                                 else "{}" if isinstance(item, dict) else "[]"))
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render(data: dict[str, Any]) -> str:
    """Any mapping of our shape as YAML text (ends with a newline)."""
    return _mapping(_clean(data), 0) + "\n"


def render_incident(data: dict[str, Any]) -> str:
    return HEADER + render(data)
