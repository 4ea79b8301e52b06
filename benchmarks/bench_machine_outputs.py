"""How long the machine-readable producers of `warroom build` take, each on its own.

    .venv/bin/python benchmarks/bench_machine_outputs.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_machine_outputs.py 2000 4000  # any N
    .venv/bin/python benchmarks/bench_machine_outputs.py --dir /dev/shm

For each N: a real git repository of N incident files (benchmarks/_gen.py, one commit, as
bench_build.py makes them), loaded and its history read once as `warroom build` does (not
timed), then, best of --repeat runs, on the public view:
- `ensure_view (first)`: the check each producer makes, on a SiteData not checked yet;
- the stages the producers share: rollup, 90 days of uptime for every component;
- each producer (feeds, api, ics, badges, availability, sitemap) on a fresh SiteData whose
  view was already checked, so each row is the producer's own work;
- `producers, as a build runs them`: all of them in build order on one fresh SiteData, which
  is what the `producers` stage of a build (and of a rebuild after one change) costs.
Each run starts with the Markdown cache empty, as a new `warroom build` process does. On a
shared machine, read the best of several runs (--repeat) and compare rows of one run.
The loaded data is frozen out of the garbage collector (gc.freeze), as the build does.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import make_git_repo

from warroom.history import read_history
from warroom.site import api, availability, badges, feeds, ics, markdown, sitemap
from warroom.site.cache import load_incidents
from warroom.site.data import SiteData
from warroom.status import audience_view, ensure_view, rollup, visible_components
from warroom.uptime import uptime_by_component

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
PRODUCERS = (feeds, api, ics, badges, availability)  # build order (build.PRODUCERS)


def site_data(root: Path, n: int) -> SiteData:
    """What `warroom build` hands its producers for a fresh repository of n incidents."""
    make_git_repo(root, n)
    loaded = load_incidents(root, None)
    assert loaded.config is not None
    history = read_history(root, now=NOW, use_cache=False)
    view = audience_view(loaded.incidents, loaded.config, "public")
    recorded = {i.id: history.recorded[i.id] for i in view if i.id in history.recorded}
    return SiteData(loaded.config, view, recorded, NOW, loaded.config.site.base_url.rstrip("/"),
                    "public")


def fresh(data: SiteData) -> SiteData:
    """A new SiteData of the same content: whatever a producer remembers per SiteData (the
    checked view, latest activity) is computed again, as in the next build."""
    return replace(data, recorded=dict(data.recorded))


def best(repeat: int, work: Callable[[SiteData], object], data: SiteData,
         checked: bool = False) -> float:
    times = []
    for _ in range(repeat):
        each = fresh(data)
        markdown._render.cache_clear()  # a build is a new process: no message rendered yet
        if checked:
            ensure_view(each)
        start = time.perf_counter()
        work(each)
        times.append(time.perf_counter() - start)
    return min(times)


def _all(data: SiteData) -> None:
    for module in PRODUCERS:
        module.produce(data)
    sitemap.produce(data)


def run(n: int, repeat: int, where: Path) -> list[tuple[str, float]]:
    root = where / f"r{n}"
    root.mkdir()
    try:
        data = site_data(root, n)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    gc.collect()
    gc.freeze()  # as the build does once everything is loaded
    ids = list(visible_components(data.config, "public"))
    rows = [
        ("ensure_view (first)", best(repeat, ensure_view, data)),
        ("rollup", best(repeat, rollup, data)),
        ("uptime (90 d, all)", best(repeat, lambda d: uptime_by_component(d, 90, ids), data)),
    ]
    for module in (*PRODUCERS, sitemap):
        name = module.__name__.rsplit(".", 1)[1]
        rows.append((name, best(repeat, module.produce, data, checked=True)))
    rows.append(("producers, as a build runs them", best(repeat, _all, data)))
    gc.unfreeze()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (e.g. /dev/shm)")
    args = parser.parse_args()
    where = Path(tempfile.mkdtemp(prefix="warroom-bench-", dir=args.dir))
    try:
        results = {n: run(n, args.repeat, where) for n in args.sizes}
    finally:
        shutil.rmtree(where, ignore_errors=True)
    stages = [name for name, _ in results[args.sizes[0]]]
    print("| stage | " + " | ".join(f"N={n:,}" for n in args.sizes) + " |")
    print("| --- |" + " ---: |" * len(args.sizes))
    for i, stage in enumerate(stages):
        cells = " | ".join(f"{results[n][i][1] * 1000:.1f} ms" for n in args.sizes)
        print(f"| {stage} | {cells} |")


if __name__ == "__main__":
    main()
