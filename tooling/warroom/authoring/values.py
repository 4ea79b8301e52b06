"""Values as they are written into incident files, readable back by the loader unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


class Moment(str):
    """A time written as a plain YAML timestamp (the loader keeps timestamps as text)."""


def scalar(text: str) -> Any:
    """Plain text, quoted when YAML 1.1 would read it as something else.

    ruamel writes YAML 1.2, where `yes`, `on` or `1_000` are plain strings; the loader is
    PyYAML (YAML 1.1), which would read them as a boolean or a number.
    """
    if isinstance(text, Moment):
        return text
    if "\n" in text.strip():
        return LiteralScalarString(text.strip("\n") + "\n")
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return SingleQuotedScalarString(text) if tag != _STR else text


def moment(value: datetime) -> Moment:
    return Moment(value.isoformat())


def flow_map(**items: Any) -> CommentedMap:
    """A short mapping written on one line: `{id: checkout, impact: major_outage}`."""
    out = CommentedMap()
    for key, value in items.items():
        out[key] = scalar(value) if isinstance(value, str) else value
    out.fa.set_flow_style()
    return out


def block_map(**items: Any) -> CommentedMap:
    out = CommentedMap()
    for key, value in items.items():
        if value is not None:
            out[key] = scalar(value) if isinstance(value, str) else value
    return out
