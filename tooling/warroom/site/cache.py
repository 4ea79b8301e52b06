"""Caches that make a rebuild after a small change cheap, in .git/warroom-cache/site/.

- `LoadCache`: each incident file's validation outcome (the Incident and its problems),
  keyed by the file's bytes, warroom.yaml's bytes and warroom's own code. Parsing and
  validating YAML is most of a cold build; an unchanged file is not parsed again.
- `PageCache`: for each page of the site last written to a folder, the key of everything
  that shaped it and the file's identity on disk. A page whose key is unchanged and whose
  file is still the one we wrote is not rendered: the writer carries the file over.

Correctness first: keys include a hash of warroom's code, the theme and the configuration,
so any change there renders everything again. The load cache is a pickle read with an
allow-list of classes (a cache file planted in a repository cannot run code); anything
unreadable is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from warroom.config import Config
from warroom.model import Incident
from warroom.problems import Problem
from warroom.repo import check_incident_file, incident_files, load_config, load_repository
from warroom.resources import data_dir

_PACKAGE = Path(__file__).resolve().parent.parent
_FORMAT = 1
_ALLOWED = {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("builtins", "frozenset"), ("builtins", "set"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}
_ALLOWED_MODULES = {"warroom.model", "warroom.problems"}


@cache
def code_digest() -> str:
    """A hash of warroom's code and schemas: a new version invalidates every cache."""
    sha = hashlib.sha256(f"{_FORMAT}".encode())
    for folder in (_PACKAGE, data_dir("schema")):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".json", ".yaml") and path.is_file():
                sha.update(path.relative_to(folder).as_posix().encode() + b"\0")
                sha.update(path.read_bytes())
    return sha.hexdigest()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # A dotted name (protocol 4) walks attributes: "Incident.__init__.__builtins__"
        # would reach eval. Only plain names, and in our modules only classes they define.
        if "." in name:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module in _ALLOWED_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


@dataclass
class Loaded:
    config: Config | None
    incidents: list[Incident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # incident id -> its file's sha256


class LoadCache:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "load.pickle"

    def read(self, header: str) -> dict[str, tuple[str, Incident | None, list[Problem]]]:
        try:
            with open(self.path, "rb") as handle:
                stored = _Unpickler(handle).load()
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError,
                TypeError, IndexError, KeyError):
            return {}
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != header:
            return {}
        entries: dict[str, tuple[str, Incident | None, list[Problem]]] = stored[1]
        return entries

    def write(self, header: str,
              entries: dict[str, tuple[str, Incident | None, list[Problem]]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps((header, entries), protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(self.path)


def load_incidents(root: Path, cache: LoadCache | None) -> Loaded:
    """What `repo.load_repository` gives (config, valid incidents, problems), reusing the
    outcome for files whose bytes did not change, plus each incident's file digest."""
    root = root.resolve()
    config, _, problems = load_config(root)
    if config is None:
        return Loaded(None, problems=problems)
    files = incident_files(root)
    if any(n > 1 for n in Counter(p.stem for p in files).values()):
        # Duplicate ids are reported with positions from the parsed files: no shortcut.
        repo = load_repository(root)
        return Loaded(repo.config, repo.incidents, repo.problems,
                      {i.id: i.id for i in repo.incidents})
    header = code_digest() + hashlib.sha256((root / "warroom.yaml").read_bytes()).hexdigest()
    known = cache.read(header) if cache is not None else {}
    entries: dict[str, tuple[str, Incident | None, list[Problem]]] = {}
    loaded = Loaded(config, problems=list(problems))
    prefix = f"{root}/"
    for path in files:
        # incident_files joins onto root: string work, not pathlib, for 10^4 files.
        text = str(path)
        rel = (text[len(prefix):] if text.startswith(prefix)
               else path.relative_to(root).as_posix())
        try:
            with open(text, "rb") as handle:
                sha = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            sha = ""
        hit = known.get(rel)
        if hit is not None and hit[0] == sha and sha:
            entries[rel] = hit
        else:
            incident, _, found = check_incident_file(path, rel, config)
            entries[rel] = (sha, incident, found)
        _, incident, found = entries[rel]
        loaded.problems += found
        if incident is not None:
            loaded.incidents.append(incident)
            loaded.digests[incident.id] = sha
    if cache is not None and entries != known:
        cache.write(header, entries)
    loaded.incidents.sort(key=lambda i: i.id)
    loaded.problems.sort()
    return loaded


class PageCache:
    """Which pages of the site in `target` are still what their key says."""

    def __init__(self, folder: Path, target: Path, theme_key: str) -> None:
        name = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:16]
        self.path = folder / f"pages-{name}.json"
        self.target = target.resolve()
        self.theme_key = theme_key
        self.pages: dict[str, list[Any]] = {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("target") == str(self.target) and stored.get("theme") == theme_key:
                self.pages = stored["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            self.pages = {}

    def fresh(self, path: str, key: str) -> bool:
        entry = self.pages.get(path)
        if entry is None or entry[0] != key:
            return False
        try:
            info = os.lstat(f"{self.target}/{path}")  # a string: runs for every page
        except OSError:
            return False
        return [info.st_size, info.st_mtime_ns, info.st_ino] == entry[1:]

    def remember(self, keys: dict[str, str]) -> None:
        """Record the pages as just written to the target."""
        pages: dict[str, list[Any]] = {}
        for path, key in keys.items():
            try:
                info = os.lstat(f"{self.target}/{path}")
            except OSError:
                continue
            pages[path] = [key, info.st_size, info.st_mtime_ns, info.st_ino]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"target": str(self.target), "theme": self.theme_key,
                                         "pages": pages}, sort_keys=True), encoding="utf-8")
        temporary.replace(self.path)
