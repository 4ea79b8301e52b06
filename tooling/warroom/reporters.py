"""Turn problems into text: plain, GitHub workflow commands, JSON. Pure: returns strings."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from itertools import groupby

from warroom.jsonout import dumps
from warroom.problems import Level, Problem

_GITHUB_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTICE: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message as @actions/core does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property as @actions/core does (also ':' and ',')."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(level: Level, message: str, properties: Mapping[str, str | int]) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return f"::{_GITHUB_LEVEL[level]} {props}::{escape_data(message)}"


def _one_line(message: str) -> str:
    """Keep one problem per line: a key or value quoted in a message may hold a line break."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def text(problems: list[Problem]) -> str:
    lines = [f"{p.location()}: {p.level}: {_one_line(p.message)} [{p.code}]"
             for p in sorted(problems)]
    errors = sum(p.level is Level.ERROR for p in problems)
    warnings = sum(p.level is Level.WARNING for p in problems)
    files = len({p.path for p in problems})
    if problems:
        lines.append(f"{errors} error(s), {warnings} warning(s) in {files} file(s)")
    return "\n".join(lines) + ("\n" if lines else "")


def github(problems: list[Problem]) -> str:
    out: list[str] = []
    for path, group in groupby(sorted(problems), key=lambda p: p.path):
        out.append(f"::group::{escape_data(path)}")
        for p in group:
            out.append(github_command(p.level, p.message, {
                "file": p.path, "line": p.line, "col": p.col, "title": f"warroom {p.code}",
            }))
        out.append("::endgroup::")
    return "\n".join(out) + ("\n" if out else "")


def as_json(problems: list[Problem]) -> str:
    payload = {
        "problems": [
            {"path": p.path, "line": p.line, "col": p.col, "severity": str(p.level),
             "code": p.code, "message": p.message}
            for p in sorted(problems)
        ],
        "errors": sum(p.level is Level.ERROR for p in problems),
        "warnings": sum(p.level is Level.WARNING for p in problems),
    }
    return dumps(payload) + "\n"  # json.dumps(payload, indent=2, ensure_ascii=False)


REPORTERS: dict[str, Callable[[list[Problem]], str]] = {
    "text": text, "github": github, "json": as_json,
}


def resolve_format(name: str, environ: Mapping[str, str] | None = None) -> str:
    """`auto` means github inside GitHub Actions, text elsewhere."""
    env = os.environ if environ is None else environ
    if name != "auto":
        return name
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
