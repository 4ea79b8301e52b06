"""Reporters, compared as exact strings."""

from __future__ import annotations

import json

from warroom.problems import Level, Problem
from warroom.reporters import (
    REPORTERS,
    as_json,
    escape_data,
    escape_property,
    github,
    github_command,
    resolve_format,
    text,
)

TRICKY = "100% wrong:\nline two,\r and more"
PROBLEMS = [
    Problem("incidents/2026/b.yaml", 3, 7, Level.WARNING, "no-public-update", "only internal"),
    Problem("incidents/2026/a,b:c.yaml", 12, 4, Level.ERROR, "naive-time", TRICKY),
    Problem("incidents/2026/b.yaml", 1, 1, Level.ERROR, "empty-file", "file is empty"),
]


def test_text() -> None:
    assert text(PROBLEMS) == (
        "incidents/2026/a,b:c.yaml:12:4: error: 100% wrong:\\nline two,\\r and more "
        "[naive-time]\n"
        "incidents/2026/b.yaml:1:1: error: file is empty [empty-file]\n"
        "incidents/2026/b.yaml:3:7: warning: only internal [no-public-update]\n"
        "2 error(s), 1 warning(s) in 2 file(s)\n"
    )
    assert text([]) == ""


def test_github_escapes_like_the_actions_toolkit_and_groups_per_file() -> None:
    assert github(PROBLEMS) == (
        "::group::incidents/2026/a,b:c.yaml\n"
        "::error file=incidents/2026/a%2Cb%3Ac.yaml,line=12,col=4,title=warroom naive-time"
        "::100%25 wrong:%0Aline two,%0D and more\n"
        "::endgroup::\n"
        "::group::incidents/2026/b.yaml\n"
        "::error file=incidents/2026/b.yaml,line=1,col=1,title=warroom empty-file"
        "::file is empty\n"
        "::warning file=incidents/2026/b.yaml,line=3,col=7,title=warroom no-public-update"
        "::only internal\n"
        "::endgroup::\n"
    )
    assert github([]) == ""


def test_escaping_rules() -> None:
    # @actions/core: escapeData covers % CR LF; escapeProperty also ':' and ','.
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    # % is escaped first, so an already escaped-looking text stays readable.
    assert escape_data("%0A") == "%250A"
    assert github_command(Level.NOTICE, "m: 1, 2", {"title": "t: x, y"}) == (
        "::notice title=t%3A x%2C y::m: 1, 2")


def test_json() -> None:
    out = as_json(PROBLEMS)
    assert out == (
        '{\n'
        '  "problems": [\n'
        '    {\n'
        '      "path": "incidents/2026/a,b:c.yaml",\n'
        '      "line": 12,\n'
        '      "col": 4,\n'
        '      "severity": "error",\n'
        '      "code": "naive-time",\n'
        '      "message": "100% wrong:\\nline two,\\r and more"\n'
        '    },\n'
        '    {\n'
        '      "path": "incidents/2026/b.yaml",\n'
        '      "line": 1,\n'
        '      "col": 1,\n'
        '      "severity": "error",\n'
        '      "code": "empty-file",\n'
        '      "message": "file is empty"\n'
        '    },\n'
        '    {\n'
        '      "path": "incidents/2026/b.yaml",\n'
        '      "line": 3,\n'
        '      "col": 7,\n'
        '      "severity": "warning",\n'
        '      "code": "no-public-update",\n'
        '      "message": "only internal"\n'
        '    }\n'
        '  ],\n'
        '  "errors": 2,\n'
        '  "warnings": 1\n'
        '}\n'
    )
    assert json.loads(out)["problems"][0]["message"] == TRICKY
    assert as_json([]) == '{\n  "problems": [],\n  "errors": 0,\n  "warnings": 0\n}\n'


def test_non_ascii_is_kept_in_json() -> None:
    problem = Problem("incidents/2026/é.yaml", 1, 1, Level.ERROR, "empty-file", "café")
    assert '"message": "café"' in as_json([problem])


def test_auto_format() -> None:
    assert resolve_format("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert resolve_format("auto", {"GITHUB_ACTIONS": "false"}) == "text"
    assert resolve_format("auto", {}) == "text"
    assert resolve_format("json", {"GITHUB_ACTIONS": "true"}) == "json"
    assert set(REPORTERS) == {"text", "github", "json"}
