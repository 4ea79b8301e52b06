"""`warroom validate` as a pipeline: warroom.yaml, then each incident file, then the checks
that span files.

Per-file work is independent, so it is cached by content (vcache) and, for many files,
spread over worker processes. Cross-file checks (duplicate ids) always run on the whole
set. Other commands use `repo.load_repository`, which needs the Incident objects and stays
a plain, uncached, single-process load.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

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


@dataclass(frozen=True)
class Validation:
    problems: list[Problem]
    files: int  # incident files checked
    valid: int  # of which without errors
    cached: int  # of which answered by the cache


def outcome_of(raw: bytes, display: str, config: Config | None) -> Outcome:
    incident, _, problems = check_incident_bytes(raw, display, config)
    return Outcome(tuple(problems), incident is not None)


_worker_config: Config | None = None


def _init_worker(root: str, config_bytes: bytes | None) -> None:
    global _worker_config
    _worker_config = config_from_bytes(Path(root), config_bytes, [])[0]


def _check_one(task: tuple[str, bytes]) -> Outcome:
    display, raw = task
    return outcome_of(raw, display, _worker_config)


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


def _run(tasks: list[tuple[str, bytes]], root: Path, config_bytes: bytes | None,
         config: Config | None, jobs: int) -> list[Outcome]:
    if jobs < 2 or len(tasks) < PARALLEL_MIN:
        return [outcome_of(raw, display, config) for display, raw in tasks]
    fast_validator("incident")  # compiled once here; forked workers inherit it
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(16, len(tasks) // (jobs * 4))
    with context.Pool(jobs, _init_worker, (str(root), config_bytes)) as pool:
        return pool.map(_check_one, tasks, chunksize=chunk)


def validate(root: Path, paths: list[Path] | None = None, *, jobs: int | None = None,
             use_cache: bool = True) -> Validation:
    """Validate warroom.yaml and the incident files (all, or those under `paths`)."""
    config_bytes, problems = read_config(root)
    config, _, problems = config_from_bytes(root, config_bytes, problems)
    files = incident_files(root) if paths is None else expand_paths(paths, root)
    cache = Cache(root, salt(config_bytes)) if use_cache else None
    outcomes: dict[str, Outcome] = {}
    tasks: list[tuple[str, bytes]] = []
    keys: list[str] = []
    cached = 0
    for path in files:
        display = relative(root, path)
        raw, found = read_bytes(path, display)
        if raw is None:
            outcomes[display] = Outcome(tuple(found), False)
            continue
        key = file_key(display, raw)
        hit = cache.get(key, display) if cache is not None else None
        if hit is not None:
            outcomes[display] = hit
            cached += 1
        else:
            tasks.append((display, raw))
            keys.append(key)
    fresh = _run(tasks, root, config_bytes, config, jobs or default_jobs())
    for (display, _), key, outcome in zip(tasks, keys, fresh, strict=True):
        outcomes[display] = outcome
        if cache is not None:
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
