"""What a rebuild after one change would cost if it touched only the changed incident.

Not a build: a measure of the pieces a "catalogue" rebuild (docs/site.md, "Where a rebuild
after one change spends its time") could not avoid, each timed on its own with today's
code, on a synthetic repository built once in full. It answers whether that design can
reach the target (a rebuild under 10% of a full build) before anyone spends days on it:

- find what changed: a stat walk of incidents/, the catalogue's rows (marshal), HEAD;
- parse the changed file;
- render what shows it: its page, the history page and component pages listing it, and
  the home page (which shows the build time, so renders every build);
- the feeds, API, calendar, badges and availability, each given only the incidents it can
  show (the newest 200, the open ones, maintenance to come) instead of all of them (a lower
  bound: today's producers then give other bytes, since their files carry aggregates over
  every incident, which the catalogue would take from its rows);
- the sitemap, written from rows;
- the write, as today's writer does it (the changed files written, every other page
  checked and carried over).

    .venv/bin/python benchmarks/bench_rebuild_floor.py [--size 10000] [--dir /dev/shm]

Each figure is the fastest of 5. The full render is timed as bench_build.py does.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import make_git_repo

from warroom.cachedir import cache_root
from warroom.site import pages, paging, sitemap
from warroom.site.build import CACHE_DIR, PRODUCERS, build, gather, producer
from warroom.site.data import Producer, SiteData
from warroom.status import best_time, latest_activity
from warroom.validation import outcome_of
from warroom.writer import write_site

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def fastest(work: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def stat_walk(root: Path) -> list[tuple[str, int, int, int]]:
    found = []
    stack = [os.path.join(root, "incidents")]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith((".yaml", ".yml")):
                    info = entry.stat(follow_symlinks=False)
                    found.append((entry.path, info.st_size, info.st_mtime_ns, info.st_ino))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(dir=args.dir, prefix="warroom-floor-"))
    try:
        run(base, args.size)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run(base: Path, size: int) -> None:
    repo = make_git_repo(base / "repo", size)
    out = base / "site"
    build(repo, out, now=NOW)  # cold: fills the caches
    full = []
    for _ in range(3):
        shutil.rmtree(out)
        for ledger in (cache_root(repo) / CACHE_DIR).glob("pages-*.pickle"):
            ledger.unlink()
        start = time.perf_counter()
        build(repo, out, now=NOW)
        full.append(time.perf_counter() - start)
    built = gather(repo, now=NOW)
    data = built.data
    gc.freeze()
    rows: dict[str, float] = {}

    # -- what changed ----------------------------------------------------------------
    rows["stat walk of incidents/"] = fastest(lambda: stat_walk(repo))
    latest = latest_activity(data)
    catalogue = [(i.id, i.title, i.status, i.type, best_time(i, data.recorded.get(i.id))
                  .timestamp(), latest[i.id].timestamp(), tuple(c.id for c in i.components),
                  "0" * 40, "0" * 64) for i in data.incidents]
    blob = marshal.dumps(catalogue)
    rows["catalogue rows (marshal.loads)"] = fastest(lambda: marshal.loads(blob))
    rows["git rev-parse HEAD"] = fastest(lambda: subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, check=True))
    target = data.incidents[len(data.incidents) // 2]
    path = next((repo / "incidents").rglob(f"{target.id}.yaml"))
    raw = path.read_bytes()
    rows["parse + check the changed file"] = fastest(
        lambda: outcome_of(raw, str(path), data.config))

    # -- render what shows it --------------------------------------------------------
    renderer = pages.Pages(data)
    jobs = renderer.jobs()
    renderer.render(jobs[:1])  # templates compiled, as in any build
    comps = {c.id for c in target.components}
    shown = [job for job in jobs if job.path == "index.html"
             or job.path == f"incidents/{target.id}/index.html"
             or (job.template in ("history.html", "component.html")
                 and _lists(job, target.id, comps))]
    rows[f"render {len(shown)} pages showing it"] = fastest(lambda: renderer.render(shown))
    print("pages showing the changed incident:", ", ".join(job.path for job in shown))

    # -- producers given only what they can show ---------------------------------------
    newest = sorted(data.incidents, key=lambda i: best_time(i, data.recorded.get(i.id)),
                    reverse=True)[:200]
    keep = {i.id for i in newest} | {i.id for i in data.incidents
                                     if i.open or (i.maintenance and i.status != "completed")}
    subset = tuple(i for i in data.incidents if i.id in keep)
    small = dataclasses.replace(data, incidents=subset, recorded={
        k: v for k, v in data.recorded.items() if k in keep})
    for name in PRODUCERS:
        rows[f"{name} ({len(subset)} incidents)"] = fastest(
            partial(_produce, producer(name), small))
    rows["sitemap from rows"] = fastest(lambda: _sitemap_from_rows(data, catalogue))

    # -- write -------------------------------------------------------------------------
    outputs = renderer.render(shown)
    kept = [p for p in _files(out) if p not in outputs]
    rows[f"write {len(outputs)} files, carry {len(kept)} over"] = fastest(
        lambda: write_site(outputs, out, root=repo, keep=kept), repeat=3)

    total = sum(rows.values())
    render = min(full)
    print(f"{'piece':<44}{'seconds':>9}")
    for name, seconds in rows.items():
        print(f"{name:<44}{seconds:>9.3f}")
    print(f"{'sum':<44}{total:>9.3f}")
    print(f"{'full render (fastest of 3)':<44}{render:>9.3f}")
    print(f"floor: {100 * total / render:.1f}% of a full render (target < 10%)")


def _lists(job: paging.Job, ident: str, comps: set[str]) -> bool:
    """Whether a history or component page lists the incident (its builder's month chunk)."""
    if job.template == "component.html" and not any(f"components/{c}/" in job.path
                                                    for c in comps):
        return False
    args = getattr(job.build, "args", ())
    chunks = [arg for arg in args if isinstance(arg, list)]
    # months hold incident ids (pages are planned from rows)
    return any(member == ident for chunk in chunks for _, ids in chunk for member in ids)


def _produce(produce: Producer, data: SiteData) -> dict[str, bytes]:
    # a copy: producers memoise derived values per SiteData object
    return produce(dataclasses.replace(data))


def _sitemap_from_rows(data: SiteData, catalogue: list[tuple[Any, ...]]) -> bytes:
    base = sitemap.url(data, "")
    lines = [f"  <url><loc>{base}incidents/{row[0]}/</loc><lastmod>"
             f"{datetime.fromtimestamp(float(row[5]), UTC).isoformat()[:19]}Z</lastmod></url>"
             for row in sorted(catalogue)]
    return "\n".join(lines).encode()


def _files(folder: Path) -> list[str]:
    """Every file of the site, relative to it (POSIX paths, as the writer takes them)."""
    return [os.path.relpath(os.path.join(d, f), folder)
            for d, _, names in os.walk(folder) for f in names]


if __name__ == "__main__":
    main()
