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
import os
import pickle
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, compress, count, repeat
from operator import eq, is_not, itemgetter, not_
from pathlib import Path
from typing import Any, cast

from warroom.config import Config
from warroom.model import Incident
from warroom.problems import Problem
from warroom.repo import (
    check_incident_bytes,
    config_from_bytes,
    duplicate_ids,
    read_config,
)
from warroom.resources import data_dir
from warroom.schemas import fast_validator
from warroom.site.files import incident_paths, signatures
from warroom.site.heldconfig import config_held
from warroom.site.loadcache import (
    CHUNK,
    Entry,
    Info,
    LoadCache,
    Signature,
    Stored,
    Writer,
    info_of,
    open_writer,
    store,
)
from warroom.site.loadpickle import _Unpickler, dump
from warroom.site.pagecache import PageCache
from warroom.site.rows import ID, PATH, Row
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
    # Both empty when the load was asked for no incidents (`load_incidents(incidents=False)`);
    # `incidents` holds only the selected when asked for a selection.
    incidents: list[Incident] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # incident id -> its file's sha256
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # incident files found
    cached: int = 0  # of which answered by the cache (same stat, or same bytes), not checked
    valid: int = 0  # of which gave an incident (clashing ids aside): len(incidents) if loaded
    rows: list[Row] = field(default_factory=list)  # each valid incident's row (`rows`), by id
    # The git blob id of each file checked in this load (its bytes read) -> its sha256:
    # history takes HEAD's versions of those from the rows, not from git (read_history).
    blobs: dict[str, str] = field(default_factory=dict)
    _take: Callable[[list[str]], list[Incident]] | None = field(
        default=None, repr=False, compare=False)
    _paths: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def materialise(self, ids: Collection[str]) -> list[Incident]:
        """The incidents of these ids (those there are), by id: the load cache's chunks
        holding them are unpickled, no other."""
        if self._take is None:
            return []
        return self._take([self._paths[i] for i in sorted(set(ids)) if i in self._paths])


def _usable(entry: Any) -> bool:
    # Exact types: a cache holds only what the allow-list lets the unpickler make.
    return (type(entry) is tuple and len(entry) == 4 and type(entry[1]) is str
            and bool(entry[1]) and (entry[2] is None or type(entry[2]) is Incident)
            and type(entry[3]) is list)


# A file to check: its relative path, its path, the signature to store (None: hash it again
# next time) and its bytes when already read.
Task = tuple[str, str, Signature | None, bytes | None]


def load_incidents(root: Path, cache: LoadCache | None, jobs: int | None = None, *,
                   incidents: bool | Callable[[Row], bool] = True,
                   stats: Mapping[str, Signature] | None = None) -> Loaded:
    """What `repo.load_repository` gives (config, valid incidents, problems), reusing the
    outcome for files that did not change, plus each incident's file digest and row. `jobs`:
    worker processes for the files to check (default: WARROOM_BUILD_JOBS, else every CPU).
    Without `incidents`, only the problems, counts and rows (the cache is filled all the
    same); given a test of rows, only the incidents whose row passes it (`Loaded.materialise`
    gives others later). Deciding needs only the cache's index: the chunks of pickled
    incidents are read only for the incidents asked for. `stats`: every incident file's
    signature, as the caller found them a moment ago (`warroom serve`'s look for changes):
    no file is looked at again."""
    root = root.resolve()
    config_bytes, problems = read_config(root)
    config, problems = config_held(root, config_bytes, problems)
    if config is None or config_bytes is None:
        return Loaded(None, problems=problems)
    header = code_digest() + hashlib.sha256(config_bytes).hexdigest()
    stored = cache.open(header) if cache is not None else Stored()
    known = stored.infos
    prefix = os.path.join(os.fspath(root), "")
    files = incident_paths(root) if stats is None else sorted(stats)
    sigs = signatures(prefix, files) if stats is None else list(map(stats.__getitem__, files))
    # The index's shape was checked when it was read. Passes over 10^4 files in C: a
    # file not in the index has no signature (None), one not stat'ed either (None).
    stored_sigs = map(_SIG, map(known.get, files, repeat(_UNKNOWN)))
    same = list(map(eq, stored_sigs, sigs))
    if None in sigs:  # a file gone since it was listed: None equals an unknown's None
        same = [ok and sig is not None for ok, sig in zip(same, sigs, strict=True)]
    kept = set(compress(files, same))
    todo = [(files[i], sigs[i]) for i in compress(count(), map(not_, same))]
    writer = open_writer(cache) if todo or len(kept) != len(known) else None
    entries: dict[str, Any] = {}
    news: dict[str, Info] = {}
    fresh: list[tuple[bytes, list[str]]] = []
    blobs: dict[str, str] = {}
    try:
        checked = _read_changed(todo, writer, stored, kept, entries, news, fresh, blobs,
                                prefix, root, config_bytes, config, jobs, incidents is True)
        # In the files' order: the index's, then those checked now (a few, after a change;
        # they replace every None: a file the index does not know was checked).
        infos = cast("dict[str, Info]", dict(zip(files, map(known.get, files), strict=True)))
        infos.update((rel, info_of(entry)) for rel, entry in entries.items() if rel in infos)
        infos.update((rel, info) for rel, info in news.items() if rel in infos)
        if writer is not None:
            store(writer, header, stored, kept, entries, fresh, infos)
    finally:
        if writer is not None:
            writer.close()
    loaded = _finish(prefix, config, problems, files, infos)
    loaded.files, loaded.cached, loaded.blobs = len(files), len(files) - checked, blobs
    loaded._take = _Source(prefix, config, stored, entries, fresh, infos).take
    if incidents is False:
        loaded.digests = {}
    elif incidents is no_incidents:  # a build's: none yet, the digests all the same
        loaded.incidents = []
    else:
        chosen = loaded.rows if incidents is True else [r for r in loaded.rows if incidents(r)]
        loaded.incidents = loaded._take([row[PATH] for row in chosen])
    return loaded


def no_incidents(row: Row) -> bool:
    """For load_incidents: no incident now, every row and digest (without a call per row)."""
    return False


def _read_changed(todo: list[tuple[str, Signature | None]], writer: Writer | None,
                  stored: Stored, kept: set[str], entries: dict[str, Any],
                  news: dict[str, Info], fresh: list[tuple[bytes, list[str]]],
                  blobs: dict[str, str], prefix: str, root: Path, config_bytes: bytes,
                  config: Config, jobs: int | None, unpickle: bool) -> int:
    """Fill `entries` (or, for the files workers checked, `news` and `fresh`, the chunks
    they pickled) for the files whose stat changed or was racy; one touched but not edited
    whose stored signature stands goes to `kept`; `blobs` as Loaded.blobs for the files
    checked. With `unpickle`, the workers' chunks are unpickled into `entries` as they
    come. Gives how many files were checked."""
    tasks: list[Task] = []
    known = stored.infos
    for rel, sig in todo:
        # Racy: changed in the granule the cache is made in, it could change again unseen.
        keep = (sig if sig is not None and writer is not None
                and max(sig[1], sig[3]) < writer.stamp else None)
        hit = known.get(rel)
        if hit is None:
            tasks.append((rel, prefix + rel, keep, None))
            continue
        raw, _ = read_bytes(Path(prefix + rel), rel)
        if raw is not None and hashlib.sha256(raw).hexdigest() == hit[1]:
            if hit[0] == keep:  # touched, not edited: as stored
                kept.add(rel)
                continue
            entry: Any = stored.entry(rel)
            if _usable(entry) and entry[1] == hit[1]:
                entries[rel] = (keep, *entry[1:])
                continue
        tasks.append((rel, prefix + rel, keep, raw))
    jobs = jobs or _jobs()
    if jobs >= 2 and len(tasks) >= PARALLEL_MIN:
        for raw_chunk, part, found in _check_in_workers(tasks, root, config_bytes, config,
                                                        jobs):
            fresh.append((raw_chunk, list(part)))
            news.update(part)
            blobs.update(found)
            if unpickle:
                # Our own children's output: read without the allow-list, while they work on.
                entries.update(pickle.loads(raw_chunk))
    else:
        for task in tasks:
            rel, entries[rel], blob = _checked(task, config)
            if blob is not None:
                blobs[blob] = entries[rel][1]
    return len(tasks)


class _Source:
    """Where each loaded file's incident is: checked in this load, in a chunk a worker
    pickled, or in the cache (its chunk unpickled on first use)."""

    def __init__(self, prefix: str, config: Config, stored: Stored, entries: dict[str, Any],
                 fresh: list[tuple[bytes, list[str]]], infos: dict[str, Info]) -> None:
        self.prefix, self.config, self.stored = prefix, config, stored
        self.entries, self.fresh, self.infos = entries, fresh, infos
        self.in_fresh = {k: n for n, (_, keys) in enumerate(fresh) for k in keys}

    def take(self, paths: list[str]) -> list[Incident]:
        out: list[Incident] = []
        for rel in paths:
            entry = self.entries.get(rel)
            if entry is None:
                entry = self._entry(rel)
            if entry[2] is not None:
                out.append(entry[2])
        return out

    def _entry(self, rel: str) -> Any:
        number = self.in_fresh.get(rel)
        if number is not None:
            # Our own children's output: read without the allow-list.
            self.entries.update(pickle.loads(self.fresh[number][0]))
            return self.entries[rel]
        entry = self.stored.entry(rel)
        info = self.infos[rel]
        if not (_usable(entry) and entry[1] == info[1] and entry[2] is not None
                and entry[2].id == info[2][ID] and entry[2].path == rel):  # type: ignore[index]
            # A damaged chunk under a sound index: the file is read again.
            entry = _outcome((rel, self.prefix + rel, None, None), self.config)[1]
        self.entries[rel] = entry
        return entry


# Parts of an index entry (loadcache.Info: signature, digest, row, problems) and of a row,
# map()ped over 10^4 of them.
_SIG, _DIGEST, _ROW, _PROBLEMS = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)
_ID, _PATH = itemgetter(ID), itemgetter(PATH)
_UNKNOWN = (None,)  # a file the index does not know: no signature


# The last listing found to have no two files with one stem (so no two with one id), in
# this process: a rebuild lists the very same files, and need not split 10^4 names again.
_UNIQUE_STEMS: list[tuple[str, ...]] = [()]


def _finish(prefix: str, config: Config, problems: list[Problem], files: list[str],
            infos: dict[str, Info]) -> Loaded:
    """Problems, counts, rows and digests of every file, from `infos` alone."""
    loaded = Loaded(config, problems=list(problems))
    every = list(map(infos.__getitem__, files))  # in C: 10^4 of them after any change
    loaded.problems += chain.from_iterable(map(_PROBLEMS, every))
    valid = list(compress(files, map(is_not, map(_ROW, every), repeat(None))))
    listed = tuple(files)
    if listed != _UNIQUE_STEMS[0] and len(
            {rel.rpartition("/")[2].rsplit(".", 1)[0] for rel in files}) < len(files):
        # Ids equal stems: a clash is reported (positions from the files parsed again,
        # as clashes are rare), and the clashing files' incidents are not loaded.
        clashes = duplicate_ids(files, set(files), lambda rel: _id_position(prefix, rel))
        loaded.problems += clashes
        clashing = {p.path for p in clashes}
        valid = [rel for rel in valid if rel not in clashing]
    else:
        _UNIQUE_STEMS[0] = listed
    loaded.valid = len(valid)
    rows: list[Row] = list(map(_ROW, map(infos.__getitem__, valid)))
    rows.sort(key=_ID)
    loaded.rows = rows
    ids = list(map(_ID, rows))
    paths = list(map(_PATH, rows))
    loaded.digests = dict(zip(ids, map(_DIGEST, map(infos.__getitem__, paths)), strict=True))
    loaded._paths = dict(zip(ids, paths, strict=True))
    loaded.problems.sort()
    return loaded


def _id_position(prefix: str, rel: str) -> tuple[int, int]:
    doc, _ = load_file(Path(prefix + rel), rel)
    return doc.marks.at(("id",)) if doc is not None else (1, 1)


def _outcome(task: Task, config: Config | None) -> tuple[str, Entry]:
    rel, entry, _ = _checked(task, config)
    return rel, entry


def _checked(task: Task, config: Config | None) -> tuple[str, Entry, str | None]:
    """The file's entry, and the git blob id of its bytes (None when unreadable)."""
    rel, path, keep, raw = task
    if raw is None:
        raw, found = read_bytes(Path(path), rel)
        if raw is None:
            return rel, (None, "", None, found), None
    incident, _, found = check_incident_bytes(raw, rel, config)
    return rel, (keep, hashlib.sha256(raw).hexdigest(), incident, found), blob_id(raw)


def blob_id(raw: bytes) -> str:
    """git's object id of a blob of these bytes (`git hash-object`, SHA-1 repositories)."""
    sha = hashlib.sha1(b"blob %d\0" % len(raw), usedforsecurity=False)
    sha.update(raw)
    return sha.hexdigest()


_worker_config: Config | None = None


def _init_worker(root: str, config_bytes: bytes) -> None:
    global _worker_config
    _worker_config = config_from_bytes(Path(root), config_bytes, [])[0]


def _check_chunk(tasks: list[Task]) -> tuple[bytes, dict[str, Info], dict[str, str]]:
    """In a worker: the chunk's entries, pickled once for the cache (and for a parent that
    needs the incidents), each file's info (rows included: the parent makes none) and
    Loaded.blobs for its files."""
    entries: dict[str, Any] = {}
    blobs: dict[str, str] = {}
    for task in tasks:
        rel, entries[rel], blob = _checked(task, _worker_config)
        if blob is not None:
            blobs[blob] = entries[rel][1]
    return dump(entries), {rel: info_of(e) for rel, e in entries.items()}, blobs


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
                      jobs: int) -> Iterator[tuple[bytes, dict[str, Info], dict[str, str]]]:
    """What `_check_chunk` gives for each chunk of the tasks, in order, as it comes."""
    import multiprocessing  # only for many files, and never on a warm run

    global _worker_config
    # Small chunks: the last one decides the end. They become the base's chunks as they
    # are, so no bigger than CHUNK: a rebuild unpickles a whole chunk for one incident.
    size = max(16, min(CHUNK, len(tasks) // (jobs * 16)))
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
