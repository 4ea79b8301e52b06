"""Caches that make a rebuild after a small change cheap, in .git/warroom-cache/site/.

- The load cache (`load_incidents`, stored by `loadcache.LoadCache`): each incident file's
  validation outcome (the Incident and its problems), keyed by warroom.yaml's bytes and
  warroom's own code, and per file by its stat and its bytes' sha256. Parsing and validating
  YAML is most of a cold build; an unchanged file is not parsed again, nor even read.
  `warroom validate` (the whole repository), `sla` and `report` read and fill it too: in CI
  the first of them parses the files, the others find them here.
- `PageCache`: for each page of the site last written to a folder, the key of everything
  that shaped it and the file's identity on disk. A page whose key is unchanged and whose
  file is still the one we wrote is not rendered: the writer carries the file over.

Correctness first: keys include a hash of warroom's code, the theme and the configuration,
so any change there renders everything again. The load cache is a pickle read with an
allow-list of classes (a cache file planted in a repository cannot run code); anything
unreadable is ignored and rebuilt.

Like git's index, an unchanged stat (size, mtime_ns, inode, ctime_ns) means unchanged bytes.
The racy case is handled as git does: a file whose mtime (or ctime) is not strictly older
than the moment the cache is made could change again within the same timestamp granule
without its stat changing, so its signature is stored as None and the next load hashes it
again (reusing the outcome when the bytes are the same). "The moment the cache is made" is
the timestamp of its temporary file, created before any incident file is read: an edit
made while a long cold load runs is covered too.

A cold load (or any load with many files to read) checks the files in worker processes
as `validation` does; the result is the same as a serial load, in the same order. Each
worker pickles its chunk of entries once, for the cache; it sends each file's problems
apart, so that `warroom validate`, which needs no Incident, stores the chunks without
unpickling them (at 10^4 incidents that was a fifth of a cold validate).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from warroom.config import Config
from warroom.model import Incident
from warroom.problems import Problem
from warroom.repo import (
    INCIDENTS_DIR,
    SUFFIXES,
    check_incident_bytes,
    config_from_bytes,
    duplicate_ids,
    read_config,
)
from warroom.resources import data_dir
from warroom.schemas import fast_validator
from warroom.site.loadcache import (
    Entry,
    LoadCache,
    Signature,
    Stored,
    Writer,
    _Unpickler,
    dump,
    open_writer,
    store,
)
from warroom.validation import PARALLEL_MIN as _VALIDATION_PARALLEL_MIN
from warroom.validation import default_jobs
from warroom.yamlload import load_file, read_bytes

__all__ = ["LoadCache", "Loaded", "PageCache", "_Unpickler", "code_digest", "load_incidents"]

_PACKAGE = Path(__file__).resolve().parent.parent
_FORMAT = 1
# Below this many files to read, starting workers costs more than it saves.
PARALLEL_MIN = _VALIDATION_PARALLEL_MIN


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


@dataclass
class Loaded:
    config: Config | None
    # Both empty when the load was asked for no incidents (`load_incidents(incidents=False)`).
    incidents: list[Incident] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # incident id -> its file's sha256
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # incident files found
    cached: int = 0  # of which answered by the cache (same stat, or same bytes), not checked
    valid: int = 0  # of which gave an incident (clashing ids aside): len(incidents) if loaded


def incident_paths(root: Path) -> list[str]:
    """`repo.incident_files` as repository-relative strings (no pathlib for 10^4 files)."""
    base = os.path.join(root, INCIDENTS_DIR)
    if not os.path.isdir(base):
        return []
    start = len(os.path.join(os.fspath(root), ""))
    found: list[str] = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        here = folder[start:].replace(os.sep, "/") + "/"
        found += [here + name for name in names
                  if name.endswith(SUFFIXES) and not name.startswith(".")]
    found.sort()  # as incident_files sorts: the same prefix on every path
    return found


def _signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _usable(entry: Any) -> bool:
    # Exact types: a cache holds only what the allow-list lets the unpickler make.
    return (type(entry) is tuple and len(entry) == 4 and type(entry[1]) is str
            and bool(entry[1]) and (entry[2] is None or type(entry[2]) is Incident)
            and type(entry[3]) is list)


# A file to check: its relative path, its path, the signature to store (None: hash it again
# next time) and its bytes when already read.
Task = tuple[str, str, Signature | None, bytes | None]
# What a file checked by a worker gave, without its entry: an incident or not, and problems.
Outcome = tuple[bool, list[Problem]]


def load_incidents(root: Path, cache: LoadCache | None, jobs: int | None = None, *,
                   incidents: bool = True) -> Loaded:
    """What `repo.load_repository` gives (config, valid incidents, problems), reusing the
    outcome for files that did not change, plus each incident's file digest. `jobs`: worker
    processes for the files to check (default: WARROOM_BUILD_JOBS, else every CPU).
    Without `incidents`, only the problems and counts (the cache is filled all the same)."""
    root = root.resolve()
    config_bytes, problems = read_config(root)
    config, _, problems = config_from_bytes(root, config_bytes, problems)
    if config is None or config_bytes is None:
        return Loaded(None, problems=problems)
    header = code_digest() + hashlib.sha256(config_bytes).hexdigest()
    stored = cache.open(header) if cache is not None else Stored()
    known = stored.entries
    prefix = os.path.join(os.fspath(root), "")
    files = incident_paths(root)
    entries: dict[str, Any] = {}
    todo: list[tuple[str, Signature | None]] = []
    for rel in files:
        try:
            sig: Signature | None = _signature(os.stat(prefix + rel))
        except OSError:
            sig = None
        hit: Any = known.get(rel)
        # The signature first: it settles the common case before the shape is checked.
        if sig is not None and type(hit) is tuple and len(hit) == 4 and hit[0] == sig \
                and _usable(hit):
            entries[rel] = hit
        else:
            todo.append((rel, sig))
    writer = open_writer(cache) if todo or len(entries) != len(known) else None
    outcomes: dict[str, Outcome] = {}
    try:
        fresh, checked = _read_changed(todo, writer, known, entries, outcomes, prefix, root,
                                       config_bytes, config, jobs, incidents)
        if writer is not None:
            store(writer, header, stored, entries, fresh)
    finally:
        if writer is not None:
            writer.close()
    loaded = _finish(prefix, config, problems, files, entries, outcomes)
    loaded.files, loaded.cached = len(files), len(files) - checked
    if not incidents:
        loaded.incidents, loaded.digests = [], {}
    return loaded


def _read_changed(todo: list[tuple[str, Signature | None]], writer: Writer | None,
                  known: dict[str, Any], entries: dict[str, Any],
                  outcomes: dict[str, Outcome], prefix: str, root: Path, config_bytes: bytes,
                  config: Config, jobs: int | None, incidents: bool
                  ) -> tuple[list[tuple[bytes, list[str]]], int]:
    """Fill `entries` for the files whose stat changed or was racy; the chunks pickled by
    workers, if any, are returned for the cache, with how many files were checked. Without
    `incidents` those chunks are not unpickled: their files' `outcomes` are filled instead."""
    tasks: list[Task] = []
    for rel, sig in todo:
        # Racy: changed in the granule the cache is made in, it could change again unseen.
        keep = (sig if sig is not None and writer is not None
                and max(sig[1], sig[3]) < writer.stamp else None)
        hit: Any = known.get(rel)
        if not _usable(hit):
            tasks.append((rel, prefix + rel, keep, None))
            continue
        raw, _ = read_bytes(Path(prefix + rel), rel)
        if raw is not None and hashlib.sha256(raw).hexdigest() == hit[1]:
            entries[rel] = hit if hit[0] == keep else (keep, *hit[1:])  # touched, not edited
        else:
            tasks.append((rel, prefix + rel, keep, raw))
    fresh: list[tuple[bytes, list[str]]] = []
    jobs = jobs or _jobs()
    if jobs >= 2 and len(tasks) >= PARALLEL_MIN:
        for raw_chunk, part in _check_in_workers(tasks, root, config_bytes, config, jobs):
            fresh.append((raw_chunk, list(part)))
            if incidents:
                # Our own children's output: read without the allow-list, while they work on.
                entries.update(pickle.loads(raw_chunk))
            else:
                outcomes.update(part)
    else:
        entries.update(_outcome(task, config) for task in tasks)
    return fresh, len(tasks)


def _finish(prefix: str, config: Config, problems: list[Problem], files: list[str],
            entries: dict[str, Any], outcomes: dict[str, Outcome]) -> Loaded:
    """`entries` for every file but those in `outcomes` (checked, their entries not loaded)."""
    loaded = Loaded(config, problems=list(problems))
    valid: list[str] = []
    for rel in files:
        entry = entries.get(rel)
        if entry is None:
            gave, found = outcomes[rel]
        else:
            gave, found = entry[2] is not None, entry[3]
            if gave:
                loaded.incidents.append(entry[2])
        loaded.problems += found
        if gave:
            valid.append(rel)
    stems = {rel.rpartition("/")[2].rsplit(".", 1)[0] for rel in files}
    if len(stems) < len(files):
        # Ids equal stems: a clash is reported (positions from the files parsed again,
        # as clashes are rare), and the clashing files' incidents are not loaded.
        clashes = duplicate_ids(files, set(files), lambda rel: _id_position(prefix, rel))
        loaded.problems += clashes
        clashing = {p.path for p in clashes}
        loaded.incidents = [i for i in loaded.incidents if i.path not in clashing]
        valid = [rel for rel in valid if rel not in clashing]
    loaded.valid = len(valid)
    loaded.digests = {i.id: entries[i.path][1] for i in loaded.incidents}
    loaded.incidents.sort(key=attrgetter("id"))
    loaded.problems.sort()
    return loaded


def _id_position(prefix: str, rel: str) -> tuple[int, int]:
    doc, _ = load_file(Path(prefix + rel), rel)
    return doc.marks.at(("id",)) if doc is not None else (1, 1)


def _outcome(task: Task, config: Config | None) -> tuple[str, Entry]:
    rel, path, keep, raw = task
    if raw is None:
        raw, found = read_bytes(Path(path), rel)
        if raw is None:
            return rel, (None, "", None, found)
    incident, _, found = check_incident_bytes(raw, rel, config)
    return rel, (keep, hashlib.sha256(raw).hexdigest(), incident, found)


_worker_config: Config | None = None


def _init_worker(root: str, config_bytes: bytes) -> None:
    global _worker_config
    _worker_config = config_from_bytes(Path(root), config_bytes, [])[0]


def _check_chunk(tasks: list[Task]) -> tuple[bytes, dict[str, Outcome]]:
    """In a worker: the chunk's entries, pickled once for the cache (and for a parent that
    needs the incidents), and each file's outcome (for one that does not)."""
    entries = dict(_outcome(task, _worker_config) for task in tasks)
    return dump(entries), {rel: (e[2] is not None, e[3]) for rel, e in entries.items()}


def _jobs() -> int:
    setting = os.environ.get("WARROOM_BUILD_JOBS", "").strip()
    return int(setting) if setting.isdigit() and int(setting) > 0 else default_jobs()


def _start_method() -> str:
    """Fork (the workers inherit the config and the compiled schema) where it is safe:
    forking a process with other threads may deadlock the child."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _check_in_workers(tasks: list[Task], root: Path, config_bytes: bytes, config: Config,
                      jobs: int) -> Iterator[tuple[bytes, dict[str, Outcome]]]:
    """What `_check_chunk` gives for each chunk of the tasks, in order, as it comes."""
    import multiprocessing  # only for many files, and never on a warm run

    global _worker_config
    size = max(16, len(tasks) // (jobs * 16))  # small chunks: the last one decides the end
    chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
    method = _start_method()
    if method == "fork":
        fast_validator("incident")  # loaded once here; forked workers inherit it
        _worker_config = config
        pool = multiprocessing.get_context("fork").Pool(jobs)
    else:
        pool = multiprocessing.get_context(method).Pool(
            jobs, _init_worker, (str(root), config_bytes))
    try:
        with pool:
            yield from pool.imap(_check_chunk, chunks)
    finally:
        _worker_config = None


class PageCache:
    """Which pages of the site in `target` are still what their key says."""

    def __init__(self, folder: Path, target: Path, theme_key: str) -> None:
        self.path = self.ledger(folder, target)
        self.target = Path(os.path.realpath(target))  # resolve(), but never raising
        self.theme_key = theme_key
        self.pages: dict[str, list[Any]] = {}
        self.seen: dict[str, os.stat_result] = {}  # fresh pages' lstat, for the writer
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("target") == str(self.target) and stored.get("theme") == theme_key:
                self.pages = stored["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            self.pages = {}

    @staticmethod
    def ledger(folder: Path, target: Path) -> Path:
        """Where the pages of builds into `target` are recorded."""
        # fsencode: a folder whose name is not UTF-8 has a name too (as bytes).
        name = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
        return folder / f"pages-{name}.json"

    def empty(self) -> bool:
        return not self.pages

    def fresh(self, path: str, key: str) -> bool:
        entry = self.pages.get(path)
        if entry is None or entry[0] != key:
            return False
        try:
            info = os.lstat(f"{self.target}/{path}")  # a string: runs for every page
        except OSError:
            return False
        if [info.st_size, info.st_mtime_ns, info.st_ino] != entry[1:]:
            return False
        self.seen[path] = info
        return True

    def remember(self, keys: dict[str, str], kept: Collection[str] = ()) -> None:
        """Record the pages as just written to the target. `kept` pages were found fresh
        and carried over: their entries stand without a new lstat (were one copied rather
        than linked, its identity changed and the next build simply renders it again)."""
        pages: dict[str, list[Any]] = {}
        kept = kept if isinstance(kept, (set, frozenset, dict)) else frozenset(kept)
        for path, key in keys.items():
            entry = self.pages.get(path) if path in kept else None
            if entry is not None and entry[0] == key:
                pages[path] = entry
                continue
            try:
                info = os.lstat(f"{self.target}/{path}")
            except OSError:
                continue
            pages[path] = [key, info.st_size, info.st_mtime_ns, info.st_ino]
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps({"target": str(self.target), "theme": self.theme_key,
                                             "pages": pages}, sort_keys=True), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:  # a full disk: the site is written; the next build renders it all
            for stale in (temporary, self.path):  # no record beats one of another site
                try:
                    stale.unlink(missing_ok=True)
                except OSError:
                    continue
