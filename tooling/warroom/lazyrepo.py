"""A repository as `warroom sla` and `warroom report` need it: loaded through the build's
load cache, with positions in each file read only when a problem asks for one.

`repo.load_repository` parses and validates every incident file, serially, on every run, and
keeps each file's Document. These commands use a Document for two things only: the facts
history would otherwise parse again (keyed by the sha256 of the file), and the line and
column of the few problems they report. The load cache (`site.cache.load_incidents`, the one
`warroom build` and a whole-repository `warroom validate` fill) gives the incidents, the
same problems and each file's sha256 without parsing an unchanged file, and checks a cold
repository's files in worker processes.
`FileMarks` reads and composes one file the first time a position in it is asked for; a
repository with few problems parses almost nothing, and a position found once is kept for
the next run (`positions.py`), where the same overdue follow-ups are reported again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from warroom.cachedir import cache_root
from warroom.config import Config
from warroom.history_facts import Facts
from warroom.model import Incident
from warroom.positions import Positions, query
from warroom.problems import Problem
from warroom.repo import load_repository
from warroom.site.cache import LoadCache, load_incidents
from warroom.site.rows import ID, RowFacts
from warroom.yamlload import Marks, PathKey, Position, read_bytes

# The build's own cache folder (site.build.CACHE_DIR; not imported from there, which would
# load the templating): one cache for `build`, `sla` and `report`. A test keeps them equal.
LOAD_CACHE_DIR = "site"
POSITIONS_DIR = "sla"
_BOM = b"\xef\xbb\xbf"


class FileMarks(Marks):
    """The Marks of an incident file, read from disk on first use, each answer kept in
    `store` by the file's `digest` (the sha256 its load found).

    The file was valid when loaded: it is decoded as `yamlload` did (a byte order mark
    dropped). Should it have changed since, its answers are not kept; should it have been
    removed or become unreadable YAML, positions fall back to 1:1 as for any path the marks
    do not know.
    """

    def __init__(self, root: Path, display: str, digest: str | None = None,
                 store: Positions | None = None) -> None:
        super().__init__()
        self._root = root
        self._display = display
        self._digest = digest
        self._store = store

    def _fill(self) -> None:
        if self._source is None:
            raw, _ = read_bytes(self._root / self._display, self._display)
            if raw is None or hashlib.sha256(raw).hexdigest() != self._digest:
                self._digest = None
            self._source = (raw.removeprefix(_BOM).decode("utf-8", "replace")
                            if raw is not None else "")
        try:
            super()._fill()
        except (yaml.YAMLError, RecursionError):
            self._values, self._keys = {}, {}

    def at(self, path: PathKey) -> Position:
        return self._answer("v", path, super().at)

    def key_at(self, path: PathKey) -> Position:
        return self._answer("k", path, super().key_at)

    def _answer(self, kind: str, path: PathKey, find: Callable[[PathKey], Position]
                ) -> Position:
        if self._store is None or self._digest is None:
            return find(path)
        asked = query(kind, path)
        found = self._store.get(self._digest, asked)
        if found is None:
            found = find(path)
            if self._digest is not None:  # still the bytes loaded (see _fill)
                self._store.put(self._digest, asked, found)
        return found


@dataclass
class Loaded:
    """What the commands use of a repository: config, valid incidents, every problem of the
    files, the facts history can take as known, and each incident's marks by path."""

    config: Config | None
    incidents: list[Incident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    known: Mapping[str, Facts] = field(default_factory=dict)  # by the sha256 of a file's bytes
    marks: Mapping[str, Marks] = field(default_factory=dict)  # by repository-relative path
    positions: Positions = field(default_factory=lambda: Positions(None))

    def keep_positions(self) -> None:
        """Store the positions found in this run for the next (when loaded with caches)."""
        self.positions.save(set(self.known))


def load(root: Path, cached: bool = True, only: str | None = None) -> Loaded:
    """Load `root`: with `cached`, through the build's load cache (read and brought up to
    date) and with positions kept (`positions.py`), under `cachedir.cache_root`. Incident
    paths, problems and their order are those of `repo.load_repository`. With `only`, the
    incidents are that one id's alone (the cache unpickles its chunk, no other); the
    problems and history's known facts are still every file's (from the cache's rows)."""
    root = root.resolve()
    cache = LoadCache(cache_root(root) / LOAD_CACHE_DIR) if cached else None
    found = load_incidents(root, cache, incidents=True if only is None
                           else lambda row: row[ID] == only)
    if found.config is None:
        # The load cache stops at a broken warroom.yaml; the incident files' own problems
        # are still reported (as `warroom validate` does), so read them the plain way.
        return Loaded(None, problems=load_repository(root).problems)
    digests = found.digests
    known = RowFacts({digests[row[ID]]: row for row in found.rows})
    store = Positions(cache_root(root) / POSITIONS_DIR if cached else None)
    marks = {i.path: FileMarks(root, i.path, digests.get(i.id), store)
             for i in found.incidents}
    return Loaded(found.config, found.incidents, found.problems, known, marks, store)
