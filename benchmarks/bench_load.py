"""Time the load stage of `warroom build` (`site.cache.load_incidents`) on 1,000 and 10,000
synthetic incidents.

- cold: no load cache (every file parsed and validated);
- warm: the cache written by the cold run, nothing changed;
- one change: one incident's title edited, then a load (the cache is brought up to date);
- after: a load right after that (the cache holding the change).

Warm and one-change timings are the best of three runs (each one-change run edits another
file). The collector is paused as `site.build.gather` pauses it. CPU time counts the
worker processes of a cold load too.

    .venv/bin/python benchmarks/bench_load.py [--sizes 1000,10000] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_config, write_incidents

from warroom.site.cache import LoadCache, Loaded, load_incidents

ROUNDS = 3
Timing = tuple[float, float]  # wall seconds, CPU seconds (all processes)


def make_repo(where: Path, size: int) -> list[Path]:
    where.mkdir(parents=True)
    write_config(where)
    return write_incidents(where, size, seed=size)


def _cpu() -> float:
    """This process's CPU time and that of its reaped children (the load's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(action: Callable[[], Loaded]) -> tuple[Timing, Loaded]:
    gc.disable()
    try:
        start, cpu = time.perf_counter(), _cpu()
        loaded = action()
        return (time.perf_counter() - start, _cpu() - cpu), loaded
    finally:
        gc.enable()
        gc.collect()


def edit(path: Path, round_: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', f'title: "Edited {round_}: ', 1), encoding="utf-8")


def run(size: int, base: Path) -> dict[str, Timing]:
    repo = base / f"r{size}"
    files = make_repo(repo, size)
    cache = LoadCache(base / f"cache{size}")
    load = lambda: load_incidents(repo, cache)  # noqa: E731
    results: dict[str, Timing] = {}
    results["cold"], cold = timed(load)
    assert cold.config is not None and len(cold.incidents) == size, cold.problems[:3]
    results["warm"] = min(timed(load)[0] for _ in range(ROUNDS))
    changes, after = [], []
    for round_ in range(ROUNDS):
        edit(files[(round_ + 1) * size // (ROUNDS + 1)], round_)
        timing, loaded = timed(load)
        assert len(loaded.incidents) == size
        changes.append(timing)
        after.append(timed(load)[0])
    results["one change"] = min(changes)
    results["after"] = min(after)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(tempfile.mkdtemp(prefix="warroom-bench-load-", dir=args.dir))
    try:
        table = {size: run(size, base) for size in sizes}
    finally:
        shutil.rmtree(base, ignore_errors=True)
    columns = ("cold", "warm", "one change", "after")
    print("seconds: wall (CPU of every process; on a busy machine wall time varies, CPU less)")
    print(f"{'incidents':>9} " + " ".join(f"{c:>16}" for c in columns))
    for size, row in table.items():
        print(f"{size:>9} " + " ".join(
            f"{row[c][0]:7.3f} ({row[c][1]:6.3f})" for c in columns))


if __name__ == "__main__":
    main()
