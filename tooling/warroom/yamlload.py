"""The one place that reads YAML: safe, strict, and keeping positions.

PyYAML's loaders lose what users need: they keep the last of two duplicate keys, turn
timestamps into naive datetimes, expand aliases without limit and forget where a value
was written. So we let libyaml compose the node tree (fast, C) and build plain data from
it ourselves (yamlbuild), and find the 1-based line and column of any key or value when a
problem needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from warroom.problems import Level, Problem
from warroom.yamlbuild import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    PathKey,
    Position,
    Refused,
    build_data,
    build_marks,
    compose,
)
from warroom.yamlsyntax import syntax_problem

__all__ = ["MAX_ALIAS_NODES", "MAX_BYTES", "MAX_DEPTH", "Document", "Marks", "PathKey",
           "Position", "load_bytes", "load_file", "parse_text", "read_bytes"]

MAX_BYTES = 1024 * 1024


class Marks:
    """Where each value (and each mapping key) sits in the source, by data path.

    Built lazily from the source text: most files have no problem, so nobody asks.
    """

    def __init__(self, values: dict[PathKey, Position] | None = None,
                 keys: dict[PathKey, Position] | None = None, *,
                 source: str | None = None) -> None:
        self._values = values
        self._keys = keys
        self._source = source

    def _fill(self) -> None:
        values: dict[PathKey, Position] = {}
        keys: dict[PathKey, Position] = {}
        if self._source is not None:
            node = compose(self._source)
            if node is not None:
                values, keys = build_marks(node)
        self._values = values if self._values is None else self._values
        self._keys = keys if self._keys is None else self._keys

    @property
    def values(self) -> dict[PathKey, Position]:
        if self._values is None:
            self._fill()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> dict[PathKey, Position]:
        if self._keys is None:
            self._fill()
        assert self._keys is not None
        return self._keys

    def at(self, path: PathKey) -> Position:
        """Position of the value at path, or of its nearest enclosing value."""
        values = self.values
        for end in range(len(path), -1, -1):
            pos = values.get(path[:end])
            if pos is not None:
                return pos
        return (1, 1)

    def key_at(self, path: PathKey) -> Position:
        """Position of the key that holds path, falling back to the value."""
        pos = self.keys.get(path)
        return pos if pos is not None else self.at(path)

    def __repr__(self) -> str:
        return f"Marks(values={self.values!r}, keys={self.keys!r})"


@dataclass
class Document:
    path: str
    data: Any
    marks: Marks
    text: str


def _problem(display: str, line: int, col: int, code: str, message: str) -> Problem:
    return Problem(display, line, col, Level.ERROR, code, message)


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII text with a NUL beside every character."""
    head = raw[:64]
    return len(head) >= 4 and (head[1::2].count(0) == len(head[1::2])
                               or head[0::2].count(0) == len(head[0::2]))


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return None, [_problem(display, 1, 1, "wrong-encoding",
                               "file is UTF-32; save it as UTF-8")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in raw and _looks_utf16(raw)):
        return None, [_problem(display, 1, 1, "wrong-encoding",
                               "file is UTF-16; save it as UTF-8")]
    if b"\x00" in raw:
        return None, [_problem(display, 1, 1, "binary-file",
                               "file contains NUL bytes, so it is not a YAML text file; "
                               "check that the right file was added")]
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(display, 1, 1, Level.WARNING, "byte-order-mark",
                                "file starts with a UTF-8 byte order mark; save it as UTF-8 "
                                "without BOM"))
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return None, [*problems, _problem(
            display, line, col, "invalid-utf8",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 (the file was probably saved as "
            "Latin-1 or Windows-1252); save the file as UTF-8",
        )]


def parse_text(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text into a Document, or report why it cannot be read."""
    try:
        node = compose(text)
    except yaml.YAMLError as exc:
        return None, [syntax_problem(exc, text, display)]
    except RecursionError:  # pragma: no cover - libyaml caps nesting before Python does
        return None, [_problem(display, 1, 1, "too-deep", "values are nested too deeply")]
    if node is None:
        return None, [_problem(display, 1, 1, "empty-file",
                               "file is empty (or holds only comments); write the incident's "
                               "fields, or delete the file")]
    try:
        data = build_data(node)
    except Refused as exc:
        return None, [_problem(display, exc.line, exc.col, exc.code, exc.message)]
    return Document(display, data, Marks(source=text), text), []


def _too_large(size: int) -> str:
    return (f"file is {size:,} bytes, over the {MAX_BYTES:,} byte limit; an incident file is "
            "a few kilobytes: check that the right file was added, or move long text to a "
            "linked document")


def load_bytes(raw: bytes, display: str) -> tuple[Document | None, list[Problem]]:
    if len(raw) > MAX_BYTES:
        return None, [_problem(display, 1, 1, "file-too-large",
                               _too_large(len(raw)))]
    text, problems = _decode(raw, display)
    if text is None:
        return None, problems
    doc, more = parse_text(text, display)
    return doc, problems + more


def read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, unless it is too large (not even read then) or unreadable."""
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            return None, [_problem(display, 1, 1, "file-too-large", _too_large(size))]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [_problem(display, 1, 1, "unreadable",
                               f"cannot read file: {exc.strerror}; check that it is a "
                               "readable file")]


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file; never raises for bad content."""
    shown = display if display is not None else str(path)
    raw, problems = read_bytes(path, shown)
    if raw is None:
        return None, problems
    return load_bytes(raw, shown)
