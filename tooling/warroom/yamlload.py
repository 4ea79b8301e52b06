"""The one place that reads YAML: safe, strict, and keeping positions.

PyYAML's loaders lose what users need: they keep the last of two duplicate keys, turn
timestamps into naive datetimes, expand aliases without limit and forget where a value
was written. So we let libyaml compose the node tree (fast, C) and build plain data from
it ourselves, recording the 1-based line and column of every key and value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from warroom.problems import Level, Problem

try:  # libyaml's C parser when the wheel has it; the pure-Python one otherwise.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
Position = tuple[int, int]

_T = "tag:yaml.org,2002:"
_STRING_TAGS = {_T + "str", _T + "timestamp"}
_SCALAR_TAGS = {_T + "int", _T + "float", _T + "bool", _T + "null"} | _STRING_TAGS
_SAFE = yaml.SafeLoader("")  # only its scalar constructors are used


@dataclass
class Marks:
    """Where each value (and each mapping key) sits in the source, by data path."""

    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def at(self, path: PathKey) -> Position:
        """Position of the value at path, or of its nearest enclosing value."""
        for end in range(len(path), -1, -1):
            pos = self.values.get(path[:end])
            if pos is not None:
                return pos
        return (1, 1)

    def key_at(self, path: PathKey) -> Position:
        """Position of the key that holds path, falling back to the value."""
        pos = self.keys.get(path)
        return pos if pos is not None else self.at(path)


@dataclass
class Document:
    path: str
    data: Any
    marks: Marks
    text: str


class _Refused(Exception):
    def __init__(self, line: int, col: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.code, self.message = line, col, code, message


def _short(tag: str) -> str:
    return "!!" + tag[len(_T):] if tag.startswith(_T) else tag


def _pos(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self) -> None:
        self.marks = Marks()
        self.seen: set[int] = set()
        self.alias_nodes = 0

    def build(self, node: yaml.Node, path: PathKey, via_alias: bool, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused(*_pos(node), "too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) in self.seen:
            via_alias = True
        else:
            self.seen.add(id(node))
        if via_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Refused(
                    *_pos(node), "alias-bomb",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values; "
                    "write the values out instead of nesting anchors",
                )
        if not via_alias:
            self.marks.values[path] = _pos(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _T + "seq")
            return [
                self.build(child, (*path, i), via_alias, depth + 1)
                for i, child in enumerate(node.value)
            ]
        assert isinstance(node, yaml.MappingNode)
        self._check_tag(node, _T + "map")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(*_pos(key_node), "complex-key", "mapping keys must be plain text")
            if key_node.tag == _T + "merge":
                raise _Refused(
                    *_pos(key_node), "merge-key",
                    "merge keys (<<) are not supported; write the keys out",
                )
            # Keys are kept as written: YAML 1.1 would turn `on:` or `no:` into booleans.
            key = str(key_node.value)
            if key in out:
                first = self.marks.keys.get((*path, key), (0, 0))
                raise _Refused(
                    *_pos(key_node), "duplicate-key",
                    f"duplicate key {key!r} (first defined at line {first[0]}); "
                    "remove one of them, PyYAML would silently keep only the last",
                )
            if not via_alias:
                self.marks.keys[(*path, key)] = _pos(key_node)
            out[key] = self.build(value_node, (*path, key), via_alias, depth + 1)
        return out

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise _Refused(*_pos(node), "unsafe-tag", f"tag {_short(node.tag)} is not allowed")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in _STRING_TAGS:
            return node.value
        if tag in _SCALAR_TAGS:
            constructor = _SAFE.yaml_constructors[tag]
            return constructor(_SAFE, node)
        raise _Refused(
            *_pos(node), "unsafe-tag",
            f"tag {_short(tag)} is not allowed; only plain YAML values are accepted",
        )


def _problem(display: str, line: int, col: int, code: str, message: str) -> Problem:
    return Problem(display, line, col, Level.ERROR, code, message)


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [_problem(display, 1, 1, "wrong-encoding",
                               "file is UTF-16; save it as UTF-8")]
    if b"\x00" in raw:
        return None, [_problem(display, 1, 1, "binary-file",
                               "file contains NUL bytes: this is not a YAML text file")]
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(display, 1, 1, Level.WARNING, "byte-order-mark",
                                "file starts with a UTF-8 byte order mark; save it without one"))
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [_problem(
            display, line, col, "invalid-utf8",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
        )]


def parse_text(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text into a Document, or report why it cannot be read."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        hint = f" ({exc.context})" if exc.context else ""
        if "expected a single document" in str(exc):
            return None, [_problem(display, line, col, "multiple-documents",
                                   "file holds more than one YAML document; keep one per file")]
        return None, [_problem(display, line, col, "yaml-syntax", f"{what}{hint}")]
    except yaml.YAMLError as exc:
        return None, [_problem(display, 1, 1, "yaml-syntax", str(exc).splitlines()[0])]
    if node is None:
        return None, [_problem(display, 1, 1, "empty-file", "file is empty")]
    builder = _Builder()
    try:
        data = builder.build(node, (), False, 0)
    except _Refused as exc:
        return None, [_problem(display, exc.line, exc.col, exc.code, exc.message)]
    return Document(display, data, builder.marks, text), []


def load_bytes(raw: bytes, display: str) -> tuple[Document | None, list[Problem]]:
    if len(raw) > MAX_BYTES:
        return None, [_problem(display, 1, 1, "file-too-large",
                               f"file is {len(raw):,} bytes, over the {MAX_BYTES:,} byte limit")]
    text, problems = _decode(raw, display)
    if text is None:
        return None, problems
    doc, more = parse_text(text, display)
    return doc, problems + more


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file; never raises for bad content."""
    shown = display if display is not None else str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            return None, [_problem(shown, 1, 1, "file-too-large",
                                   f"file is {size:,} bytes, over the {MAX_BYTES:,} byte limit")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_problem(shown, 1, 1, "unreadable", f"cannot read file: {exc.strerror}")]
    return load_bytes(raw, shown)
