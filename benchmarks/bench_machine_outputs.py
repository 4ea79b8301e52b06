"""How long the status roll-up, the uptime bars and the machine-readable producers take.

    .venv/bin/python benchmarks/bench_machine_outputs.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_machine_outputs.py 2000 4000  # any N

For each N: generate N incident files (benchmarks/_gen.py), load them once (not timed), then
time, best of --repeat runs, each stage on the public view: audience_view, rollup, 90 days of
uptime for every component, and each producer (feeds, ics, api, badges, sitemap). Synthetic
recorded times: none (stated times are used), which is the slower path for the fallbacks.
By default the loaded data is frozen out of the garbage collector (gc.freeze) before timing;
--no-freeze shows what a build that keeps full collections on pays.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_config, write_incidents

from warroom import status
from warroom.repo import load_repository
from warroom.site import api, badges, feeds, ics, sitemap
from warroom.site.data import SiteData
from warroom.status import audience_view, rollup, visible_components
from warroom.uptime import uptime_by_component


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        status._LATEST.clear()  # each stage pays for what it computes, as in a first build
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def run(n: int, repeat: int, freeze: bool) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_config(root)
        write_incidents(root, n)
        repo = load_repository(root)
    assert repo.config is not None
    config = repo.config
    incidents = repo.incidents
    del repo  # the YAML documents with their positions are not part of a site build
    if freeze:
        # Move everything loaded so far out of the collector's reach: with 10,000 incidents
        # in memory, full collections triggered by the outputs' allocations otherwise make
        # every stage look superlinear (see --no-freeze).
        gc.collect()
        gc.freeze()
    view = audience_view(incidents, config, "public")
    latest = max(u.at for i in incidents for u in i.updates if u.at is not None)
    now = max(latest, datetime(2026, 1, 1, tzinfo=UTC))
    data = SiteData(config, view, {}, now, config.site.base_url, "public")
    ids = list(visible_components(config, "public"))
    rows = [
        ("audience_view", best(repeat, lambda: audience_view(incidents, config, "public"))),
        ("rollup", best(repeat, lambda: rollup(data))),
        ("uptime (90 d, all)", best(repeat, lambda: uptime_by_component(data, 90, ids))),
    ]
    for module in (feeds, ics, api, badges, sitemap):
        rows.append((module.__name__.rsplit(".", 1)[1], best(repeat, lambda m=module:
                                                              m.produce(data))))
    gc.unfreeze()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-freeze", dest="freeze", action="store_false")
    args = parser.parse_args()
    results = {n: run(n, args.repeat, args.freeze) for n in args.sizes}
    stages = [name for name, _ in results[args.sizes[0]]]
    print("| stage | " + " | ".join(f"N={n:,}" for n in args.sizes) + " |")
    print("| --- |" + " ---: |" * len(args.sizes))
    for i, stage in enumerate(stages):
        cells = " | ".join(f"{results[n][i][1] * 1000:.1f} ms" for n in args.sizes)
        print(f"| {stage} | {cells} |")
    totals = " | ".join(f"{sum(t for _, t in results[n]) * 1000:.1f} ms" for n in args.sizes)
    print(f"| total | {totals} |")


if __name__ == "__main__":
    main()
