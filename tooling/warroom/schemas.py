"""JSON Schema checks, with every error placed on the line and column the user wrote."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from warroom.problems import Level, Problem
from warroom.resources import schema_text
from warroom.yamlload import Document

# RFC 3339 section 5.6; checked here because jsonschema skips date-time without extras.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")

_checker = FormatChecker(formats=())


@_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    return True


@_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return False
    date.fromisoformat(value)
    return True


@_checker.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "mailto")


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads(schema_text(name))
    return Draft202012Validator(schema, format_checker=_checker)


def _suggest(value: Any, choices: list[Any]) -> str:
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _path(error: ValidationError) -> tuple[str | int, ...]:
    return tuple(error.absolute_path)


def _field(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def _explain(error: ValidationError, doc: Document) -> Iterator[Problem]:
    path = _path(error)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: Any = error.validator_value
    where = _field(path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        yield from _explain(best_match(error.context), doc)
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        for key in extra:
            line, col = doc.marks.key_at((*path, key))
            yield Problem(doc.path, line, col, Level.ERROR, "unknown-field",
                          f"unknown field {key!r} in {where}{_suggest(key, allowed)}")
        return
    line, col = doc.marks.at(path)
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else str(error.validator_value)
        yield Problem(doc.path, line, col, Level.ERROR, "missing-field",
                      f"{where} is missing the required field {name!r}")
    elif kind == "type":
        got = type(error.instance).__name__.replace("NoneType", "null").replace("dict", "mapping")
        got = got.replace("list", "list").replace("str", "text")
        yield Problem(doc.path, line, col, Level.ERROR, "wrong-type",
                      f"{where} must be {_type_words(expected)}, not {got}")
    elif kind in ("enum", "const"):
        choices = list(expected) if kind == "enum" else [expected]
        yield Problem(doc.path, line, col, Level.ERROR, "not-allowed-value",
                      f"{where} is {error.instance!r}; allowed: "
                      f"{', '.join(map(str, choices))}{_suggest(error.instance, choices)}")
    elif kind == "format" and error.validator_value == "date-time":
        yield _time_problem(doc, line, col, where, error.instance)
    elif kind in ("format", "pattern"):
        hint = str(schema.get("description", ""))
        yield Problem(doc.path, line, col, Level.ERROR, "bad-format",
                      f"{where} is {error.instance!r}, which is not valid here"
                      + (f": expected {hint[0].lower()}{hint[1:]}" if hint else ""))
    elif kind in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
                  "exclusiveMinimum", "exclusiveMaximum", "uniqueItems"):
        yield Problem(doc.path, line, col, Level.ERROR, "out-of-range",
                      f"{where}: {error.message}")
    else:
        yield Problem(doc.path, line, col, Level.ERROR, "schema",
                      f"{where}: {error.message}")


def _type_words(expected: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "text",
             "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "null": "null"}
    if isinstance(expected, list):
        return " or ".join(names.get(str(e), str(e)) for e in expected)
    return names.get(expected, str(expected))


def _time_problem(doc: Document, line: int, col: int, where: str, value: Any) -> Problem:
    text = str(value)
    if _NAIVE.match(text):
        return Problem(doc.path, line, col, Level.ERROR, "naive-time",
                       f"{where} {text!r} has no offset; add one, e.g. {text}Z for UTC "
                       f"or {text}+01:00")
    return Problem(doc.path, line, col, Level.ERROR, "bad-time",
                   f"{where} {text!r} is not an RFC 3339 time; write it like "
                   "2026-11-20T09:02:00+01:00")


def check(doc: Document, schema: str) -> list[Problem]:
    """Every schema problem of a document, sorted by position."""
    problems: set[Problem] = set()
    for error in validator(schema).iter_errors(doc.data):
        problems.update(_explain(error, doc))
    return sorted(problems)
