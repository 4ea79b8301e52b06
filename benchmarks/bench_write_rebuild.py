"""The CPU time of the assembling and writing of rebuilds after one change, in one process
(as `warroom serve` and the build benchmark's loop run them), function by function.

    .venv/bin/python benchmarks/bench_write_rebuild.py [--repo R] [--size 10000] [--runs 8]

Without --repo, a repository of --size incidents is made in a temporary folder (a minute
or two at 10,000). Each run edits one incident, commits it and rebuilds into one folder;
the first two builds (a full one, then the first with a spare) are not counted. The table
gives the fastest and the median CPU time of this process (steadier than the wall time on
a busy machine) spent in each function, nested ones included in their callers.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import make_git_repo
from bench_build import NOW, change_one

# (module, function, class or None, as shown): the callers first.
WATCHED = [
    ("warroom.site.build", "assemble", None, "assemble (pages stage)"),
    ("warroom.site.sitemap", "from_rows", None, "  sitemap.from_rows"),
    ("warroom.outpaths", "merge", None, "  outpaths.merge"),
    ("warroom.writer", "write_site", None, "write_site (write stage)"),
    ("warroom.spare", "read_spare", None, "  spare.read_spare"),
    ("warroom.spare", "update", None, "  spare.update"),
    ("warroom.spare", "_as_recorded", None, "    spare._as_recorded (lstat)"),
    ("warroom.spare", "save", None, "  spare.save"),
    ("warroom.site.catalogue", "save", "Catalogue", "Catalogue.save (write stage)"),
]

spent: dict[str, float] = defaultdict(float)


def _timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start
    return timed


def watch() -> None:
    """Wrap each watched function where its callers find it (its module's name)."""
    for module_name, name, cls, label in WATCHED:
        module = importlib.import_module(module_name)
        owner = getattr(module, cls) if cls else module
        setattr(owner, name, _timed(owner.__dict__[name], label))
    build_module = importlib.import_module("warroom.site.build")
    writer = importlib.import_module("warroom.writer")
    outpaths = importlib.import_module("warroom.outpaths")
    # warroom.site.build imported these by name before they were wrapped.
    build_module.__dict__.update(merge=outpaths.merge, write_site=writer.write_site)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    watch()
    from warroom.site.build import build  # after watch(): it finds the wrapped ones

    with tempfile.TemporaryDirectory(dir="/dev/shm") as scratch:
        repo = args.repo or make_git_repo(Path(scratch) / "repo", args.size)
        out = Path(scratch) / "site"
        runs: dict[str, list[float]] = defaultdict(list)
        for n in range(args.runs + 2):
            change_one(repo, 1000 + n)
            spent.clear()
            start = time.process_time()
            build(repo, out, now=NOW)
            if n >= 2:
                runs["whole rebuild"].append(time.process_time() - start)
                for label, seconds in spent.items():
                    runs[label].append(seconds)
    print(f"{'CPU ms, one-change rebuilds':34} {'fastest':>8} {'median':>8}")
    for label in ["whole rebuild", *(w[3] for w in WATCHED)]:
        times = runs.get(label) or [0.0]
        print(f"{label:34} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:8.1f}")


if __name__ == "__main__":
    main()
