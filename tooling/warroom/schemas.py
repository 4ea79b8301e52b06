"""JSON Schema checks, with every error placed on the line and column the user wrote.

Two validators, one contract. fastjsonschema compiles a schema to Python and answers
"valid or not" about seven times faster than jsonschema, which matters for thousands of
files that are nearly all valid. When it says no, jsonschema walks the document again and
yields every error with its schema context, which we turn into precise messages. Tests
check that the two agree on every example file and on mutations of valid ones.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warroom import schemacode
from warroom.problems import Level, Problem
from warroom.resources import schema_text
from warroom.yamlload import Document, PathKey

if TYPE_CHECKING:  # jsonschema is imported only to explain errors: it costs ~100 ms to load
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# RFC 3339 section 5.6; checked here because jsonschema skips date-time without extras.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "mailto")


FORMATS: dict[str, Callable[[object], bool]] = {
    "date-time": is_date_time, "date": is_date, "uri": is_uri,
}


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    for format_name, func in FORMATS.items():
        checker.checks(format_name)(func)
    schema = json.loads(schema_text(name))
    return Draft202012Validator(schema, format_checker=checker)


def inline_refs(schema: Any, root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """The schema with each local "$ref" replaced by its target.

    fastjsonschema compiles a $ref into a function call whose error-path argument is
    formatted on every call, valid or not; inlined, the generated code does no such work.
    Our schemas have no recursive $ref, and the depth guard keeps any that appears as is.
    """
    top = schema if root is None else root
    if isinstance(schema, list):
        return [inline_refs(item, top, depth) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and depth < 32:
        target: Any = top
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return inline_refs(merged, top, depth + 1)
    return {k: inline_refs(v, top, depth) if k not in ("enum", "const") else v
            for k, v in schema.items()}


def _prepare(text: str) -> dict[str, Any]:
    schema: dict[str, Any] = inline_refs(json.loads(text))
    return schema


@cache
def fast_validator(name: str) -> Callable[[Any], Any]:
    """The compiled yes/no check of a schema (compiling takes 50-150 ms, so the code is
    kept beside warroom's bytecode: see schemacode)."""
    return schemacode.load(name, schema_text(name), _prepare, dict(FORMATS))


def is_valid(data: Any, schema: str) -> bool:
    """Fast answer; False also when the fast validator fails, so jsonschema decides."""
    try:
        fast_validator(schema)(data)
    except Exception:  # JsonSchemaValueException, or anything the generated code trips on
        return False
    return True


def _suggest(value: Any, choices: list[Any]) -> str:
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _field(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.(\s|$)")


def _first_sentence(text: str) -> str:
    """A schema description's first sentence, to follow 'expected' (e.g. does not end it)."""
    head = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return head[0].lower() + head[1:] if head else head


_KIND = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number",
         bool: "true/false", type(None): "empty"}
_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "empty"}


def _type_words(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_TYPE_WORDS.get(str(e), str(e)) for e in expected)
    return _TYPE_WORDS.get(str(expected), str(expected))


def _type_hint(expected: Any, instance: Any, schema: dict[str, Any]) -> str:
    if instance is None:
        return "; the value is empty: fill it in or remove the key"
    if expected == "string" and isinstance(instance, (bool, int, float)):
        return "; put the value in quotes"
    if expected == "array":
        return "; write it as a list, one '- item' per line"
    if expected == "object":
        return "; write it as a mapping of 'key: value' lines"
    desc = schema.get("description")
    return f" (expected: {_first_sentence(desc)})" if isinstance(desc, str) else ""


def _enum_hint(instance: Any, choices: list[Any]) -> str:
    if isinstance(instance, bool) and any(isinstance(c, str) for c in choices):
        # YAML 1.1 reads unquoted yes/no/on/off as booleans.
        return "; YAML reads unquoted yes, no, on and off as true/false: put the value in quotes"
    return _suggest(instance, choices)


def _time_problem(doc: Document, line: int, col: int, where: str, value: Any) -> Problem:
    text = str(value)
    if _NAIVE.match(text):
        day, _, clock = text.replace("t", "T").replace(" ", "T", 1).partition("T")
        parts = clock.split(":")
        fixed = f"{day}T{int(parts[0]):02d}:{parts[1]}:{parts[2] if len(parts) > 2 else '00'}"
        return Problem(doc.path, line, col, Level.ERROR, "naive-time",
                       f"{where} {text!r} has no offset, so it is ambiguous; add one, e.g. "
                       f"{fixed}Z for UTC or {fixed}+01:00")
    return Problem(doc.path, line, col, Level.ERROR, "bad-time",
                   f"{where} {text!r} is not an RFC 3339 time; write it like "
                   "2026-11-20T09:02:00+01:00")


def _range(error: ValidationError, where: str) -> str:
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "minItems":
        return f"{where} needs at least {limit} item(s)"
    if kind == "maxItems":
        return f"{where} has more than {limit} item(s)"
    if kind == "minLength":
        return (f"{where} must not be empty" if limit == 1
                else f"{where} is too short: write at least {limit} characters")
    if kind == "maxLength":
        return f"{where} is {len(str(value))} characters long; shorten it to at most {limit}"
    if kind == "uniqueItems":
        return f"{where} lists the same value twice; remove the duplicate"
    words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
             "exclusiveMaximum": "less than"}
    return f"{where} is {value!r}; it must be {words.get(str(kind), str(kind))} {limit}"


_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"


def _closest_branch(errors: list[ValidationError]) -> ValidationError:
    """The error of the oneOf branch the user most likely meant.

    A branch that failed only on `type` was not meant (a mapping written where text or a
    mapping is accepted was meant as the mapping), so the other branches' errors win.
    """
    from jsonschema.exceptions import best_match

    meant = [e for e in errors if e.validator != "type"] or list(errors)
    found: ValidationError | None = best_match(meant)
    assert found is not None
    return found


def _explain(error: ValidationError, doc: Document) -> Iterator[Problem]:
    path: PathKey = tuple(error.absolute_path)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: Any = error.validator_value
    where = _field(path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        yield from _explain(_closest_branch(error.context), doc)
        return
    if "propertyNames" in error.relative_schema_path:
        # jsonschema reports a bad key at the mapping; the key itself is where to look.
        key = str(error.instance)
        line, col = doc.marks.key_at((*path, key))
        if kind == "enum":
            choices = [str(c) for c in expected]
            hint = f"allowed: {', '.join(choices)}{_suggest(key, choices)}"
        elif kind == "pattern" and expected == _SLUG:
            hint = "write lower-case letters and digits joined by '-', e.g. config-change"
        else:
            hint = f"it must match {expected!r}"
        yield Problem(doc.path, line, col, Level.ERROR, "bad-format",
                      f"key {key!r} in {where} is not valid; {hint}")
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        if schema.get("propertyNames"):
            return  # propertyNames already named each bad key
        allowed = list(schema.get("properties", {}))
        for key in (k for k in error.instance if k not in allowed):
            line, col = doc.marks.key_at((*path, key))
            hint = _suggest(key, allowed) or (
                f"; allowed here: {', '.join(allowed)}" if allowed else "; remove it")
            yield Problem(doc.path, line, col, Level.ERROR, "unknown-field",
                          f"unknown field {key!r} in {where}{hint}")
        return
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else str(expected)
        line, col = doc.marks.key_at(path)
        prop = schema.get("properties", {}).get(name, {})
        about = prop.get("description") if isinstance(prop, dict) else None
        yield Problem(doc.path, line, col, Level.ERROR, "missing-field",
                      f"{where} is missing the required field {name!r}; add {name}: ..."
                      + (f" ({_first_sentence(about)})" if isinstance(about, str) else ""))
        return
    line, col = doc.marks.at(path)
    if kind == "type":
        got = _KIND.get(type(error.instance), type(error.instance).__name__)
        yield Problem(doc.path, line, col, Level.ERROR, "wrong-type",
                      f"{where} must be {_type_words(expected)}, not {got}"
                      + _type_hint(expected, error.instance, schema))
    elif kind in ("enum", "const"):
        choices = list(expected) if kind == "enum" else [expected]
        yield Problem(doc.path, line, col, Level.ERROR, "not-allowed-value",
                      f"{where} is {error.instance!r}; allowed: "
                      f"{', '.join(map(str, choices))}{_enum_hint(error.instance, choices)}")
    elif kind == "format" and expected == "date-time":
        yield _time_problem(doc, line, col, where, error.instance)
    elif kind == "format" and expected == "date":
        yield Problem(doc.path, line, col, Level.ERROR, "bad-format",
                      f"{where} is {error.instance!r}, which is not a date; write it as "
                      "YYYY-MM-DD, e.g. 2026-12-15")
    elif kind == "format" and expected == "uri":
        yield Problem(doc.path, line, col, Level.ERROR, "bad-format",
                      f"{where} is {error.instance!r}, which is not an absolute URL; write "
                      "it like https://example.com/page")
    elif kind in ("format", "pattern"):
        hint = str(schema.get("description", ""))
        yield Problem(doc.path, line, col, Level.ERROR, "bad-format",
                      f"{where} is {error.instance!r}, which is not valid here"
                      + (f": expected {_first_sentence(hint)}" if hint else ""))
    elif kind in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
                  "exclusiveMinimum", "exclusiveMaximum", "uniqueItems"):
        yield Problem(doc.path, line, col, Level.ERROR, "out-of-range", _range(error, where))
    else:
        yield Problem(doc.path, line, col, Level.ERROR, "schema", f"{where}: {error.message}")


def explain(doc: Document, schema: str) -> list[Problem]:
    """Every schema problem of a document, sorted by position (slow path: jsonschema)."""
    problems: set[Problem] = set()
    for error in validator(schema).iter_errors(doc.data):
        problems.update(_explain(error, doc))
    return sorted(problems)


def check(doc: Document, schema: str) -> list[Problem]:
    """Every schema problem of a document, sorted by position."""
    if is_valid(doc.data, schema):
        return []
    return explain(doc, schema)
