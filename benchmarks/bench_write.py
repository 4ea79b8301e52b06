"""Time the WRITE stage of a build (`writer.write_site`) on a site shaped like 10,000 incidents.

The site: ~9,200 files, one folder per incident page (incidents/<id>/index.html, 5-20 KB),
plus history, component, feed, API and badge files. Scenarios, in order, into one folder:
- first write: no previous site;
- 1 changed, 2nd build: 9,163 pages kept (as the page cache does), 37 passed as outputs of
  which one changed; the first rebuild has no spare folder yet;
- 1 changed, steady: the same, repeated (the median of the runs is shown);
- all identical: every file passed as output with the same bytes, nothing kept;
- 1 changed, no spare: `keep_spare=False` (a one-shot CI build), when the writer has it.

    .venv/bin/python benchmarks/bench_write.py [--dir DIR] [--runs 5]

Use --dir /dev/shm for the writer's own cost apart from the disk. Each row gives the wall
time and the CPU time of this process (user + system): on a busy machine the second moves
less, so compare old and new code by both, over runs alternating between them.
"""

from __future__ import annotations

import argparse
import inspect
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from warroom.writer import write_site

INCIDENTS = 9_163


def make_site(seed: int = 10_000) -> tuple[dict[str, bytes], list[str]]:
    """The outputs of a full build, and the incident pages a cache would keep."""
    rng = random.Random(seed)
    filler = rng.randbytes(256 * 1024).hex().encode()

    def page(size: int, tag: str) -> bytes:
        start = rng.randrange(len(filler) - size)
        return f"<!doctype html><title>{tag}</title>".encode() + filler[start:start + size]

    pages = {f"incidents/2026-{i % 12 + 1:02d}-{i:05d}-api-errors/index.html":
             page(rng.randrange(5_000, 20_000), str(i)) for i in range(INCIDENTS)}
    rest: dict[str, bytes] = {name: page(rng.randrange(5_000, 20_000), name) for name in (
        "index.html", "404.html", "maintenance/index.html", "availability/index.html",
        *(f"history/2026-{m:02d}/index.html" for m in range(1, 13)),
        *(f"components/c{c}/index.html" for c in range(4)),
    )}
    rest.update({name: page(200_000, name) for name in (
        "feed.atom", "feed.rss", "sitemap.xml", "api/v2/incidents.json",
        "api/v2/summary.json", "api/v2/components.json", "api/v2/status.json")})
    rest.update({f"badges/c{c}.svg": page(800, str(c)) for c in range(8)})
    rest.update({"static/style.css": page(12_000, "css"), "maintenance.ics": page(900, "ics")})
    return {**pages, **rest}, sorted(pages)


Times = tuple[float, float]  # wall, CPU


def timed(action: Callable[[], object]) -> Times:
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def median(times: list[Times]) -> Times:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def run(base: Path, runs: int) -> list[tuple[str, Times]]:
    site, kept = make_site()
    out = base / "_site"
    rest = {path: content for path, content in site.items() if path not in set(kept)}
    has_spare = "keep_spare" in inspect.signature(write_site).parameters
    counter = iter(range(10**6))

    def one_change(keep_spare: bool = True) -> None:
        changed = dict(rest)
        changed["index.html"] = rest["index.html"] + f"<!-- {next(counter)} -->".encode()
        if has_spare:
            write_site(changed, out, keep=kept, keep_spare=keep_spare)
        else:  # the writer before the spare (for before/after tables)
            write_site(changed, out, keep=kept)

    rows = [("first write (no previous site)", timed(lambda: write_site(site, out))),
            ("1 changed, 9,163 kept: 2nd build", timed(one_change))]
    rows.append(("1 changed, 9,163 kept: steady (median)",
                 median([timed(one_change) for _ in range(runs)])))
    write_site(site, out)
    rows.append(("all 9,200 identical as outputs (median)",
                 median([timed(lambda: write_site(site, out)) for _ in range(runs)])))
    if has_spare:
        rows.append(("1 changed, keep_spare=False (one-shot)",
                     timed(lambda: one_change(keep_spare=False))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="where to write (a tmpfs?)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-write-", dir=args.dir))
    try:
        rows = run(base, args.runs)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    print(f"write stage, {INCIDENTS + 37:,} files, in {base.parent}")
    print(f"{'scenario':<{width}}  seconds  cpu s")
    for name, (seconds, cpu) in rows:
        print(f"{name:<{width}}  {seconds:7.3f}  {cpu:5.3f}")


if __name__ == "__main__":
    main()
