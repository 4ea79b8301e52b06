"""`warroom validate` as a pipeline: warroom.yaml, then each incident file, then the checks
that span files.

Per-file work is independent, so it is cached and, for many files, spread over worker
processes. Cross-file checks (duplicate ids) always run on the whole set, never cached.

Two caches, both under `cachedir.cache_root` (inside `.git/`, where a pull request cannot
plant an entry), both keyed by warroom's code and warroom.yaml, so a stale answer cannot
outlive an edited rule or configuration:

- The whole repository (no PATHS) goes through the load cache (`site.cache.load_incidents`),
  the one `warroom build`, `warroom sla` and `warroom report` read. In CI, which runs
  `validate`, `sla` and `build` on one checkout, only `validate` parses the incident files;
  and a file whose stat is unchanged since the last run is not even read. It keeps the
  Incident each file gives, which validate alone does not need, but the next command does:
  the workers pickle them for the cache, and validate stores those bytes without loading
  them back (it reads only each file's problems).
- A subset (`warroom validate PATHS...`, as pre-commit runs it on a few files) uses the
  per-file problems of `vcache`, keyed by each file's path and bytes. The load cache would
  not fit: it holds the repository's incidents/ tree as a whole (reading its 15 MB at 10^4
  incidents costs more than checking a few files, and storing a subset would drop the
  rest), and PATHS may name files outside incidents/, which it never holds.

A broken warroom.yaml stops the load cache (it stores nothing without a configuration);
validate still checks every incident file then, through the vcache path.

`cached` in the result counts the files answered by either cache rather than checked.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from warroom.cachedir import FALLBACK, cache_root
from warroom.config import Config
from warroom.problems import Problem
from warroom.repo import (
    all_displays,
    check_incident_bytes,
    config_from_bytes,
    duplicate_ids,
    expand_paths,
    incident_files,
    read_config,
    relative,
)
from warroom.schemas import fast_validator
from warroom.vcache import Cache, Outcome, file_key, salt
from warroom.yamlload import Position, load_file, read_bytes

# Below this many files to check, starting workers costs more than it saves.
PARALLEL_MIN = 200
# The load cache's folder under cachedir.cache_root: the build's own (site.build.CACHE_DIR,
# lazyrepo.LOAD_CACHE_DIR), so that sla and build find what validate loaded.
LOAD_CACHE_DIR = "site"


@dataclass(frozen=True)
class Validation:
    problems: list[Problem]
    files: int  # incident files checked
    valid: int  # of which without errors
    cached: int  # of which answered by a cache (not parsed nor checked again)


def outcome_of(raw: bytes, display: str, config: Config | None) -> Outcome:
    incident, _, problems = check_incident_bytes(raw, display, config)
    return Outcome(tuple(problems), incident is not None)


# A file to check: its display path, its path, and its bytes when already read.
Task = tuple[str, str, bytes | None]
Checked = tuple[str | None, Outcome]  # the cache key of the bytes checked, and the outcome

_worker_config: Config | None = None


def _init_worker(root: str, config_bytes: bytes | None) -> None:
    global _worker_config
    _worker_config = config_from_bytes(Path(root), config_bytes, [])[0]


def check_task(task: Task, config: Config | None) -> Checked:
    """Check one file; the key is computed from the very bytes checked."""
    display, path, raw = task
    if raw is None:
        raw, found = read_bytes(Path(path), display)
        if raw is None:
            return None, Outcome(tuple(found), False)
    return file_key(display, raw), outcome_of(raw, display, config)


def _check_in_worker(task: Task) -> Checked:
    return check_task(task, _worker_config)


def _id_position(root: Path, files: list[Path], display: str) -> Position:
    """Where a clashing file writes its id: parsed again, as clashes are rare."""
    for path in files:
        if relative(root, path) == display:
            doc, _ = load_file(path, display)
            return doc.marks.at(("id",)) if doc is not None else (1, 1)
    return (1, 1)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


def _run(tasks: list[Task], root: Path, config_bytes: bytes | None,
         config: Config | None, jobs: int) -> list[Checked]:
    if jobs < 2 or len(tasks) < PARALLEL_MIN:
        return [check_task(task, config) for task in tasks]
    import multiprocessing  # ~9 ms: only for many files, and never on a warm run

    global _worker_config
    fast_validator("incident")  # loaded once here; forked workers inherit it
    # Small chunks: the last one decides when the pool is done, and a chunk of 16 files
    # costs far more to check than to send.
    chunk = max(16, len(tasks) // (jobs * 16))
    if sys.platform.startswith("linux"):
        _worker_config = config  # forked workers inherit it, rather than build it again
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return pool.map(_check_in_worker, tasks, chunksize=chunk)
        finally:
            _worker_config = None
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, _init_worker, (str(root), config_bytes)) as pool:
        return pool.map(_check_in_worker, tasks, chunksize=chunk)


def validate(root: Path, paths: list[Path] | None = None, *, jobs: int | None = None,
             use_cache: bool = True) -> Validation:
    """Validate warroom.yaml and the incident files (all, or those under `paths`).
    Without `use_cache`, no cache is read or written."""
    if paths is None:
        loaded = _validate_loaded(root, jobs, use_cache)
        if loaded is not None:
            return loaded
    return validate_files(root, paths, jobs=jobs, use_cache=use_cache)


def _validate_loaded(root: Path, jobs: int | None, use_cache: bool) -> Validation | None:
    """The whole repository through the load cache; None when warroom.yaml is broken."""
    # Imported here: site.cache imports this module (PARALLEL_MIN, default_jobs).
    from warroom.site.cache import LoadCache, load_incidents

    top = cache_root(root)
    loaded = load_incidents(root, LoadCache(top / LOAD_CACHE_DIR) if use_cache else None,
                            jobs or default_jobs(), incidents=False)
    if loaded.config is None:
        return None
    if use_cache and top.name == FALLBACK and top.is_dir():
        _ignore_itself(top)
    return Validation(loaded.problems, loaded.files, loaded.valid, loaded.cached)


def _ignore_itself(folder: Path) -> None:
    """Outside git the cache folder sits in the work tree: it must not be committed."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("*\n", encoding="utf-8")


def validate_files(root: Path, paths: list[Path] | None = None, *, jobs: int | None = None,
                   use_cache: bool = True) -> Validation:
    """Validate warroom.yaml and the incident files (all, or those under `paths`), each
    file's problems cached by `vcache`."""
    config_bytes, problems = read_config(root)
    config, _, problems = config_from_bytes(root, config_bytes, problems)
    files = incident_files(root) if paths is None else expand_paths(paths, root)
    cache = Cache(root, salt(config_bytes)) if use_cache else None
    outcomes: dict[str, Outcome] = {}
    tasks: list[Task] = []
    cached = 0
    for path in files:
        display = relative(root, path)
        if cache is None or not cache.entries:
            # Nothing to look up: the workers read the files themselves.
            tasks.append((display, str(path), None))
            continue
        raw, found = read_bytes(path, display)
        if raw is None:
            outcomes[display] = Outcome(tuple(found), False)
            continue
        hit = cache.get(file_key(display, raw), display)
        if hit is not None:
            outcomes[display] = hit
            cached += 1
        else:
            tasks.append((display, str(path), raw))
    for (display, _, _), (key, outcome) in zip(
            tasks, _run(tasks, root, config_bytes, config, jobs or default_jobs()),
            strict=True):
        outcomes[display] = outcome
        if cache is not None and key is not None:
            cache.put(key, outcome)
    if cache is not None:
        cache.save()
    for outcome in outcomes.values():
        problems += outcome.problems
    everything = all_displays(root, list(outcomes), paths is None)
    duplicates = duplicate_ids(everything, set(outcomes), partial(_id_position, root, files))
    clashing = {p.path for p in duplicates}
    valid = sum(o.valid and d not in clashing for d, o in outcomes.items())
    return Validation(sorted([*problems, *duplicates]), len(outcomes), valid, cached)
