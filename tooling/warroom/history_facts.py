"""The few facts history needs from each committed version of an incident file.

Every version is read with `yamlload.parse_text`, but not always in one piece: a history of
10,000 incidents holds some 40,000 versions, and parsing each whole (~0.5 ms) would cost
several times what git needs to list them. Consecutive versions share almost all their text
(updates are appended), so a version is cut at its top-level keys, and `updates:` at its
items, and each piece is parsed alone and remembered by its text: a new version costs the
parse of what it changed. Every piece is checked to parse to exactly the one key or item it
was cut at, and a piece cut inside a multi-line quoted or flow value cannot parse on its own,
so a wrong cut falls back to parsing the whole version, never to a wrong fact.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from warroom.yamlload import MAX_BYTES, load_bytes, parse_text

# How far along an incident is, for "first reached identified (or later)" and friends.
RANK = {"investigating": 0, "scheduled": 0, "identified": 1, "in_progress": 1,
        "monitoring": 2, "resolved": 3, "completed": 3, "canceled": 3}
IDENTIFIED, MONITORING, RESOLVED = 1, 2, 3


class Facts(NamedTuple):
    id: str | None
    status: str | None
    severity: str | None
    commander: bool
    updates: int
    published: bool

    @property
    def rank(self) -> int:
        return RANK.get(self.status or "", 0)


class Unreadable(NamedTuple):
    """A version that does not parse: where and why, for the notice."""

    line: int
    col: int
    message: str


Version = Facts | Unreadable

# A top-level key at the start of its line (matched in the whole text: a newline or the
# end of the text ends the line).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t\n]|\Z)")
_SPLIT = re.compile(r"\n(?=[^ #\n-])")  # the newline before a line that opens a piece
_NOT_KEY = ("", " ", "#", "\n", "-")
_DASH0 = re.compile(r"\n-")  # a column-0 dash (the line after the newline)
_BLANK = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")  # blank and comment lines only
_BAD = object()


def facts_of(data: Any) -> Facts | Unreadable:
    if not isinstance(data, dict):
        return Unreadable(1, 1, "the top level is not a mapping of fields")
    roles, updates, pm = data.get("roles"), data.get("updates"), data.get("postmortem")
    ident, status, severity = data.get("id"), data.get("status"), data.get("severity")
    return Facts(
        ident if isinstance(ident, str) and ident else None,
        status if isinstance(status, str) else None,
        severity if isinstance(severity, str) else None,
        isinstance(roles, dict) and roles.get("commander") not in (None, ""),
        len(updates) if isinstance(updates, list) else 0,
        isinstance(pm, dict) and pm.get("status") == "published",
    )


class FactReader:
    """Facts of file versions, remembering parsed pieces across versions of one run."""

    def __init__(self) -> None:
        self._pieces: dict[str, Any] = {}

    def read(self, raw: bytes) -> Facts | Unreadable:
        text = self._plain_text(raw)
        data = self._by_pieces(text) if text is not None else _BAD
        if data is _BAD:
            doc, problems = load_bytes(raw, "version")
            if doc is None:
                first = problems[0] if problems else None
                return Unreadable(first.line, first.col, first.message) if first else \
                    Unreadable(1, 1, "unreadable")
            data = doc.data
        return facts_of(data)

    @staticmethod
    def _plain_text(raw: bytes) -> str | None:
        """UTF-8 text without the oddities load_bytes reports on (else None: let it report)."""
        if len(raw) > MAX_BYTES or b"\0" in raw or raw.startswith(
                (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\r" in raw:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _piece(self, text: str) -> Any:
        found = self._pieces.get(text, None)
        if found is None and text not in self._pieces:
            doc, _ = parse_text(text, "piece")
            found = _BAD if doc is None else doc.data
            self._pieces[text] = found
        return found

    def _by_pieces(self, text: str) -> Any:
        cut = _cut(text)
        if cut is None:
            return _BAD
        new = sum(len(piece) for _, whole, items in cut for piece in (items or [whole])
                  if piece not in self._pieces)
        if new * 3 > len(text) * 2:
            self._seed(text, cut)  # mostly new text: one whole parse beats many small ones
        data: dict[str, Any] = {}
        for key, piece, items in cut:
            if items:
                values = [self._piece(item) for item in items]
                if all(isinstance(v, list) and len(v) == 1 for v in values):
                    data[key] = [v[0] for v in values]
                    continue
            parsed = self._piece(piece)
            if not isinstance(parsed, dict) or len(parsed) != 1 or key not in parsed:
                return _BAD
            data[key] = parsed[key]
        return data

    def _seed(self, text: str, cut: list[tuple[str, str, list[str] | None]]) -> None:
        """Remember each piece's value from one whole parse, when the cut provably matches.

        Same keys in the same order, and as many updates as items cut, means every cut fell
        on a real boundary. Anchors could tie pieces together, so text with any is skipped.
        """
        if "&" in text:
            return
        doc, _ = parse_text(text, "version")
        if doc is None or not isinstance(doc.data, dict):
            return
        data = doc.data
        if list(data) != [key for key, _, _ in cut]:
            return
        for key, piece, items in cut:
            self._pieces.setdefault(piece, {key: data[key]})
            value = data[key]
            if items is not None and isinstance(value, list) and len(value) == len(items):
                for item, entry in zip(items, value, strict=True):
                    self._pieces.setdefault(item, [entry])

def _cut(text: str) -> list[tuple[str, str, list[str] | None]] | None:
    """(key, piece, updates items or None) per top-level key; None when it cannot be cut.

    A piece runs from a column-0 line that is not a comment or a dash to the next one;
    dashes inside `updates:` are entries of a sequence written flush with its key (PyYAML's
    own style). Split by one regular expression: this runs for every version read.
    """
    if text[:1] in _NOT_KEY:  # blank or comment lines first (or nothing, or junk)
        first = _SPLIT.search(text)
        if first is None or not _BLANK.fullmatch(text, 0, first.end()):
            return None
        text = text[first.end():]
    parts = _SPLIT.split(text)
    last = parts.pop()
    out: list[tuple[str, str, list[str] | None]] = []
    seen: set[str] = set()
    for piece in [*(part + "\n" for part in parts), last]:
        match = _KEY.match(piece)
        if match is None or match.group(1) in seen:
            return None  # not a key, or a duplicate key: the whole parse reports it
        key = match.group(1)
        seen.add(key)
        items = None
        if key == "updates":
            flush = [m.start() + 1 for m in _DASH0.finditer(piece)]
            items = _flush_items(piece, flush) if flush else _items(piece)
        out.append((key, piece, items))
    return out


def _flush_items(piece: str, starts: list[int]) -> list[str] | None:
    """Entries of `updates:` written at column 0: each runs to the next column-0 dash."""
    eol = piece.find("\n")
    if piece[:eol].rstrip() != "updates:" or not _BLANK.fullmatch(piece, eol + 1, starts[0]):
        return None
    if any(piece[s + 1: s + 2] not in (" ", "\n", "") for s in starts):
        return None
    return [piece[a:b] for a, b in zip(starts, [*starts[1:], len(piece)], strict=True)]


_FIRST = re.compile(r"^( *)(?=[^ \n#])", re.M)
_INDENTED: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _patterns(indent: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(entry starts at indent, any line that breaks a sequence at indent)."""
    found = _INDENTED.get(indent)
    if found is None:
        less = f"^ {{0,{indent - 1}}}[^ \n#]|" if indent else ""
        found = _INDENTED[indent] = (
            re.compile(f"^ {{{indent}}}-(?=[ \n]|$)", re.M),
            re.compile(f"{less}^ {{{indent}}}(?:[^ \n#-]|-(?![ \n]|$))", re.M))
    return found


def _items(piece: str) -> list[str] | None:
    """The entries of a plain block sequence under `updates:`, each as its own text."""
    eol = piece.find("\n")
    if eol < 0 or piece[:eol].rstrip() != "updates:":
        return None
    body = piece[eol + 1:]
    first = _FIRST.search(body)
    if first is None:
        return []
    if not body.startswith("-", first.end()):
        return None
    entry, breaks = _patterns(len(first.group(1)))
    if breaks.search(body):
        return None
    starts = [m.start() for m in entry.finditer(body)]
    return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
