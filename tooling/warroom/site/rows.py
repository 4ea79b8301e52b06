"""An incident's row: the few fields that decide which incidents a command needs, kept in the
load cache beside the pickled Incident (see loadcache), so that a load can choose before it
unpickles anything.

A row is a plain tuple of strings, integers, booleans and None (times as ISO 8601 text),
which the allow-listed unpickler reads without a single class lookup. Its fields:

    (id, path, type, status, visibility, severity, title,
     ((component, impact), ...),
     (impact_started_at, detected_at, mitigated_at, resolved_at, window start, window end),
     (commander, updates, published))

The last three are history's facts of the file (`history_facts.facts_of_incident`, less
what the row already holds), so that history can be given a file's facts without its
Incident. `row_of` is the only way a row is made; `row_ok` checks one read from disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from warroom.history_facts import Facts, facts_of_incident
from warroom.model import OPEN_STATUSES, Incident

Row = tuple[Any, ...]
ID, PATH, TYPE, STATUS, VISIBILITY, SEVERITY, TITLE, COMPONENTS, TIMES, FACTS = range(10)
_WIDTH = 10
_TIMES = 6


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def row_of(incident: Incident) -> Row:
    window = incident.window
    facts = facts_of_incident(incident)
    return (incident.id, incident.path, incident.type, incident.status, incident.visibility,
            incident.severity, incident.title,
            tuple((c.id, c.impact) for c in incident.components),
            (_iso(incident.impact_started_at), _iso(incident.detected_at),
             _iso(incident.mitigated_at), _iso(incident.resolved_at),
             _iso(window.start) if window is not None else None,
             _iso(window.end) if window is not None else None),
            (facts.commander, facts.updates, facts.published))


def is_open(row: Row) -> bool:
    """`Incident.open` of the row's incident."""
    return row[STATUS] in OPEN_STATUSES


def facts_of_row(row: Row) -> Facts:
    """`facts_of_incident` of the row's incident."""
    commander, updates, published = row[FACTS]
    return Facts(row[ID] or None, row[STATUS], row[SEVERITY], commander, updates, published)


_STRINGS = (str,) * 7  # id to title
_PAIR = (str, str)
_TEXT = {str, type(None)}
_FACT_TYPES = (bool, int, bool)


def _pair_ok(pair: Any) -> bool:
    return type(pair) is tuple and tuple(map(type, pair)) == _PAIR


def row_ok(row: Any) -> bool:
    """A row of the shape `row_of` makes (types exact: read from disk, it is not trusted).
    Run on every row of the cache at each load: C-level checks, no loop in Python."""
    if type(row) is not tuple or len(row) != _WIDTH:
        return False
    components, times, facts = row[COMPONENTS], row[TIMES], row[FACTS]
    return (tuple(map(type, row[:COMPONENTS])) == _STRINGS
            and type(components) is tuple and all(map(_pair_ok, components))
            and type(times) is tuple and len(times) == _TIMES
            and set(map(type, times)) <= _TEXT
            and type(facts) is tuple and tuple(map(type, facts)) == _FACT_TYPES)


def rows_ok(rows: tuple[Any, ...]) -> bool:
    """`row_ok` of every row, a field at a time with C-level maps (no Python loop per row):
    a load checks the whole index on every run."""
    if not rows:
        return True
    if not (set(map(type, rows)) <= {tuple} and set(map(len, rows)) <= {_WIDTH}):
        return False
    columns = tuple(zip(*rows, strict=True))
    components, times, facts = columns[COMPONENTS], columns[TIMES], columns[FACTS]
    pairs = tuple(chain.from_iterable(components))
    return (all(set(map(type, column)) <= {str} for column in columns[:COMPONENTS])
            and set(map(type, components)) <= {tuple}
            and set(map(type, pairs)) <= {tuple} and set(map(len, pairs)) <= {2}
            and set(map(type, chain.from_iterable(pairs))) <= {str}
            and set(map(type, times)) <= {tuple} and set(map(len, times)) <= {_TIMES}
            and set(map(type, chain.from_iterable(times))) <= _TEXT
            and set(map(type, facts)) <= {tuple} and set(map(len, facts)) <= {3}
            and set(map(type, map(itemgetter(0), facts))) <= {bool}
            and set(map(type, map(itemgetter(1), facts))) <= {int}
            and set(map(type, map(itemgetter(2), facts))) <= {bool})


class RowFacts(Mapping[str, Facts]):
    """History's known facts (`history_facts.KnownFacts`) from rows: by the sha256 of the
    file each row was made from, each made only when history asks for it."""

    def __init__(self, rows: dict[str, Row]) -> None:
        self._rows = rows

    def __getitem__(self, sha: str) -> Facts:
        return facts_of_row(self._rows[sha])

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
