"""A repository as `warroom sla` and `warroom report` need it: loaded through the build's
load cache, with positions in each file read only when a problem asks for one.

`repo.load_repository` parses and validates every incident file, serially, on every run, and
keeps each file's Document. These commands use a Document for two things only: the facts
history would otherwise parse again (keyed by the sha256 of the file), and the line and
column of the few problems they report. The load cache (`site.cache.load_incidents`, the one
`warroom build` fills) gives the incidents, the same problems and each file's sha256 without
parsing an unchanged file, and checks a cold repository's files in worker processes.
`FileMarks` reads and composes one file the first time a position in it is asked for; a
repository with few problems parses almost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from warroom.cachedir import cache_root
from warroom.config import Config
from warroom.history_facts import Facts, facts_of_incident
from warroom.model import Incident
from warroom.problems import Problem
from warroom.repo import load_repository
from warroom.site.cache import LoadCache, load_incidents
from warroom.yamlload import Marks, read_bytes

# The build's own cache folder (site.build.CACHE_DIR; not imported from there, which would
# load the templating): one cache for `build`, `sla` and `report`. A test keeps them equal.
LOAD_CACHE_DIR = "site"
_BOM = b"\xef\xbb\xbf"


class FileMarks(Marks):
    """The Marks of an incident file, read from disk on first use.

    The file was valid when loaded: it is decoded as `yamlload` did (a byte order mark
    dropped). Should it have been removed, or edited into unreadable YAML since, positions
    fall back to 1:1 as for any path the marks do not know.
    """

    def __init__(self, root: Path, display: str) -> None:
        super().__init__()
        self._root = root
        self._display = display

    def _fill(self) -> None:
        if self._source is None:
            raw, _ = read_bytes(self._root / self._display, self._display)
            self._source = (raw.removeprefix(_BOM).decode("utf-8", "replace")
                            if raw is not None else "")
        try:
            super()._fill()
        except (yaml.YAMLError, RecursionError):
            self._values, self._keys = {}, {}


@dataclass
class Loaded:
    """What the commands use of a repository: config, valid incidents, every problem of the
    files, the facts history can take as known, and each incident's marks by path."""

    config: Config | None
    incidents: list[Incident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    known: dict[str, Facts] = field(default_factory=dict)  # by the sha256 of a file's bytes
    marks: Mapping[str, Marks] = field(default_factory=dict)  # by repository-relative path


def load_cache(root: Path) -> LoadCache:
    return LoadCache(cache_root(root) / LOAD_CACHE_DIR)


def load(root: Path, cache: LoadCache | None) -> Loaded:
    """Load `root` (reusing and refreshing `cache`, when given). Incident paths, problems
    and their order are those of `repo.load_repository`."""
    root = root.resolve()
    found = load_incidents(root, cache)
    if found.config is None:
        # The load cache stops at a broken warroom.yaml; the incident files' own problems
        # are still reported (as `warroom validate` does), so read them the plain way.
        return Loaded(None, problems=load_repository(root).problems)
    known = {found.digests[i.id]: facts_of_incident(i) for i in found.incidents
             if i.id in found.digests}
    marks = {i.path: FileMarks(root, i.path) for i in found.incidents}
    return Loaded(found.config, found.incidents, found.problems, known, marks)
