"""The few facts history needs from each committed version of an incident file.

Every version is read with `yamlload.parse_text`, but not always in one piece: a history of
10,000 incidents holds some 40,000 versions, and parsing each whole (~0.5 ms) would cost
several times what git needs to list them. Consecutive versions share almost all their text
(updates are appended), so a version is cut before each top-level key a fact depends on
(id, status, severity, roles, updates, postmortem), and `updates:` at its items; the runs of
other keys between them stay together, as one piece. Each piece is parsed alone and
remembered by its text: a new version costs the parse of what it changed. A piece of a fact
key must parse to exactly that one key, an item to one entry, a run of other keys to a
mapping that names no fact key, and no key may come twice; a piece cut inside a multi-line
quoted or flow value cannot parse on its own. Anything else falls back to parsing the whole
version, never to a wrong fact.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from warroom.yamlload import MAX_BYTES, load_bytes, parse_text

if TYPE_CHECKING:
    from warroom.model import Incident

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

# The keys facts are read from. A version is cut before each of them (at column 0, as a
# key); the run of other keys after one is split off from its piece.
_FACT_KEYS = frozenset({"id", "status", "severity", "roles", "updates", "postmortem"})
_FACTS = "(?:id|status|severity|roles|updates|postmortem)"
_FACT_KEY = re.compile(_FACTS + r":(?:[ \t\n]|\Z)")
_SPLIT = re.compile(r"\n(?=" + _FACTS + r":(?:[ \t\n]|\Z))")
# The first column-0 line of a fact key's piece that is not a comment or a dash: where a
# run of other keys begins.
_OTHERS = re.compile(r"\n(?=[^ #\n-])")
_RUN_START = re.compile(r"[A-Za-z0-9_]")
_DASH0 = re.compile(r"\n-")  # a column-0 dash (the line after the newline)
_BLANK = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")  # blank and comment lines only
_MISSING = object()


# Texts parsed whole: anchors could tie pieces together (and alias limits are per parse);
# markers, directives and byte order marks mean one thing where a piece starts or ends and
# another inside a document; YAML also breaks lines at NEL, LS and PS, which cuts ignore.
def _odd(text: str) -> bool:
    return ("&" in text or "\n---" in text or "\n..." in text or "\n%" in text
            or "\ufeff" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
            or text.startswith(("---", "...", "%")))


# Runs of other keys and items of `updates:` are most of the text, and only whether they
# parse (and, for a run, its keys) matters. The common shapes are recognised by the regular
# expressions below, far faster than parsing; anything else is parsed. Each shape is one
# that parses, to just the keys written at column 0 (`_TOP`): block mappings and flush
# sequences of one-line values, each value a plain scalar that can only be a string, bool
# or null (a letter or one of `_(/` first; no `#`; a colon only before a non-space), a
# timestamp (kept as text), or a single-quoted string without quotes inside; no tabs, no
# control characters, no line breaks other than newline. `_DUP` finds a key written twice in
# one mapping (which does not parse: such a text goes to the parser).
# Characters YAML prints as they are, less tab, NEL and the other line breaks, and BOM.
_NOT_TEXT = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ufffe\\uffff"
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_PLAIN = (f"(?:[A-Za-z_(/]|[^\\x00-\\x9f{_NOT_TEXT}])"  # never a number, nor an indicator
          f"(?:[^#:{_NOT_TEXT}]|:(?=[^ #:{_NOT_TEXT}]))*")
_STAMP = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
          r"(?:[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?")
_VALUE = f"(?:{_PLAIN}|{_STAMP}|'[^'{_NOT_TEXT}]*')(?:\n|\\Z)"
_PAIR = f"{_NAME}: {_VALUE}"
_ITEM = re.compile(f"- {_PAIR}(?:  {_PAIR})*")
_RUN = re.compile(f"(?:{_PAIR}|{_NAME}:\\n(?:(?:- {_PAIR}(?:  {_PAIR})*)+"
                  f"|(?:- {_VALUE})+|(?:  {_PAIR})+))+")
_DUP = re.compile(f"\\n(?:- |  )({_NAME}):[^\\n]*\\n(?:  {_NAME}:[^\\n]*\\n)*?  \\1:")
_TOP = re.compile(f"\\n({_NAME}):")
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


def facts_of_incident(incident: Incident) -> Facts:
    """`facts_of` the file an Incident was built from (a valid file: the model holds these
    fields as written; tests compare the two on every valid file we have)."""
    commander = incident.roles.get("commander")
    postmortem = incident.postmortem
    # A build makes 10^4 of these: the tuple directly, not through Facts' own __new__.
    return _make_facts(Facts, (incident.id or None, incident.status, incident.severity,
                               commander is not None and commander != "",
                               len(incident.updates),
                               postmortem is not None and postmortem.status == "published"))


_make_facts = tuple.__new__


class KnownFacts(Mapping[str, Facts]):
    """The facts of loaded incident files by the sha256 of their bytes (what FactReader
    hashes), each made only when history asks for it: a run after one new commit asks for
    a handful of 10^4 (0.04 s saved at that size)."""

    def __init__(self, incidents: dict[str, Incident]) -> None:
        self._incidents = incidents  # by the sha256 of the file each was loaded from

    def __getitem__(self, sha: str) -> Facts:
        return facts_of_incident(self._incidents[sha])

    def __iter__(self) -> Iterator[str]:
        return iter(self._incidents)

    def __len__(self) -> int:
        return len(self._incidents)


# The caller's facts by sha256, or a function that makes them (see FactReader).
Known = Mapping[str, Facts] | Callable[[], Mapping[str, Facts]]


class FactSource(NamedTuple):
    """What the caller parsed already (read_history's `known` and `blobs`)."""

    known: Known | None
    blobs: Mapping[str, str] | None  # git blob id of each file it read -> its sha256


_EAGER = 4  # versions parsed before a `known` function is asked


class FactReader:
    """Facts of file versions, remembering parsed pieces across versions of one run.

    `known` maps the sha256 of a file's bytes to its facts when the caller has already
    parsed that file (a build loads the working tree first): HEAD's versions of most files
    are those very bytes, so they are not parsed a second time. Given as a function, it is
    asked for only past the first few versions: a rebuild after one commit reads one or
    two, each parsed in less time than it takes to index 10^4 loaded files by sha256.
    """

    def __init__(self, known: Known | None = None,
                 blobs: Mapping[str, str] | None = None) -> None:
        self._later = known if callable(known) else None
        self._known: Mapping[str, Facts] = {} if callable(known) else known or {}
        self._blobs = blobs or {}
        self._reads = 0
        self._pieces: dict[str, Any] = {}
        self._runs: dict[str, Any] = {}  # run of other keys -> its keys, or None
        self._items: dict[str, bool] = {}  # item of updates: -> parses to one entry

    def known_versions(self, ids: Iterable[str]) -> dict[str, Facts]:
        """The facts of those blobs whose very bytes the caller read and parsed (`blobs`
        names them by git's blob id, a hash of the bytes): git need not be asked for them.
        A cold build's history would otherwise read every file at HEAD again through
        `git cat-file`, only to find its facts among those already known."""
        shas = {blob: self._blobs[blob] for blob in ids if blob in self._blobs}
        if not shas or (self._later is not None and len(shas) <= _EAGER):
            return {}  # a rebuild's few: read from git rather than index 10^4 files for them
        if self._later is not None:
            self._known, self._later = self._later(), None
        found = {}
        for blob, sha in shas.items():
            facts = self._known.get(sha)
            if facts is not None:
                found[blob] = facts
        return found

    def read(self, raw: bytes) -> Facts | Unreadable:
        if self._later is not None:
            self._reads += 1
            if self._reads > _EAGER:
                self._known, self._later = self._later(), None
        if self._known:
            found = self._known.get(hashlib.sha256(raw).hexdigest())
            if found is not None:
                return found
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
        found = self._pieces.get(text, _MISSING)
        if found is _MISSING:
            doc, _ = parse_text(text, "piece")
            found = self._pieces[text] = _BAD if doc is None else doc.data
        return found

    def _run_keys(self, run: str) -> tuple[str, ...] | None:
        """The keys of a run of other keys; None when it does not parse or names a fact key."""
        found = self._runs.get(run, _MISSING)
        if found is _MISSING:
            keys: tuple[str, ...] | None = None
            if _RUN.fullmatch(run) and not _DUP.search("\n" + run):
                keys = tuple(_TOP.findall("\n" + run))
            if keys is None or len(set(keys)) != len(keys):
                keys = None
                parsed = self._piece(run)
                if isinstance(parsed, dict):
                    keys = tuple(parsed)
            if keys is not None and not _FACT_KEYS.isdisjoint(keys):
                keys = None
            found = self._runs[run] = keys
        return found  # type: ignore[no-any-return]

    def _item_ok(self, item: str) -> bool:
        """Whether an item of `updates:` parses to exactly one entry."""
        found = self._items.get(item)
        if found is None:
            if _ITEM.fullmatch(item) and not _DUP.search("\n" + item):
                found = True
            else:
                parsed = self._piece(item)
                found = isinstance(parsed, list) and len(parsed) == 1
            self._items[item] = found
        return found

    def _by_pieces(self, text: str) -> Any:
        """The fact keys of a version, from its pieces (`_BAD`: parse it whole instead)."""
        if _odd(text):
            return _BAD
        parts = _SPLIT.split(text)
        last = len(parts) - 1
        data: dict[str, Any] = {}
        others: list[Any] = []  # keys of the runs of other keys
        for n, part in enumerate(parts):
            piece = part if n == last else part + "\n"
            if n == 0 and _FACT_KEY.match(part) is None:  # a run of other keys (or nothing)
                if _BLANK.fullmatch(piece):
                    continue  # blank and comment lines only (which parse to no document)
                keys = self._run_keys(piece)
                if keys is None:
                    return _BAD
                others += keys
                continue
            key, _, _ = part.partition(":")
            if key in data:
                return _BAD  # a duplicate key: the whole parse reports it
            rest = _OTHERS.split(piece, 1)
            if len(rest) == 2:  # the fact key's own lines, then a run of other keys
                piece, run = rest[0] + "\n", rest[1]
                if not _RUN_START.match(run):
                    return _BAD  # "%", "...", "?" and the like mean something else there
                keys = self._run_keys(run)
                if keys is None:
                    return _BAD
                others += keys
            if key == "updates":
                items = _updates(piece)
                if items is not None and all(self._item_ok(item) for item in items):
                    data[key] = items  # only how many counts
                    continue
            parsed = self._piece(piece)
            if not isinstance(parsed, dict) or len(parsed) != 1 or key not in parsed:
                return _BAD
            data[key] = parsed[key]
        if len(set(others)) != len(others) or not (data or others):
            return _BAD  # a key twice across runs, or no mapping at all
        return data


def _updates(piece: str) -> list[str] | None:
    """The items of an `updates:` piece, each as its own text (None: not a plain list)."""
    flush = [m.start() + 1 for m in _DASH0.finditer(piece)]
    return _flush_items(piece, flush) if flush else _items(piece)


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
