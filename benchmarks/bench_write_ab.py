"""A/B of the write step of a rebuild after one change: this checkout's writer against an
older revision's, on the site of bench_write.py (9,200 files, 9,163 incident pages kept).

Each run is a fresh process with one version's code first on the path: it writes the site,
rebuilds twice (so that the spare is in use, as in every rebuild after the first), then
times --writes rebuilds that change one file and keep every incident page, and prints
their median. Versions alternate, run after run, so that a machine busy for a minute slows
both. Where the writer takes `seen` (the lstat of kept pages that the page cache makes
while finding them unchanged, as `warroom build` passes it), the code is timed with it
("+seen": the build's case) and without it (any other caller); the lstat calls
themselves are made outside the timed part, as the page cache makes them before the write.

    .venv/bin/python benchmarks/bench_write_ab.py --old REV [--pairs 6] [--writes 9]
                                                  [--dir /dev/shm]

Against f995e2d (before `seen`), 8 pairs on a busy 2-core machine, /dev/shm, medians
(fastest): old 142.7 ms (119.0), new without seen 146.6 (112.9), new with seen 91.8
(82.1); cpu 135.8, 137.7, 91.4. What is left is one lstat per spare folder (~9,200 of them,
35-40 ms, the check that keeps a tampered spare out of the site) and ~35 ms of Python
(reading and writing the 1.2 MB ledger ~12 ms, set and list passes over 10^4 paths).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent

DRIVER = """
import inspect, os, shutil, statistics, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from pathlib import Path
from bench_write import make_site
from warroom.writer import write_site
use_seen = sys.argv[4] == "seen"
if use_seen and "seen" not in inspect.signature(write_site).parameters:
    raise SystemExit(3)  # this writer takes no `seen`
site, kept = make_site()
base = Path(tempfile.mkdtemp(prefix="bench-write-ab-", dir=sys.argv[3]))
out = base / "_site"
rest = {path: content for path, content in site.items() if path not in set(kept)}
times = []
try:
    write_site(site, out)
    for n in range(2 + int(sys.argv[5])):
        changed = dict(rest)
        changed["index.html"] = rest["index.html"] + b"<!-- %d -->" % n
        extra = {}
        if use_seen:  # as the page cache does, before the write and outside its time
            extra["seen"] = {rel: os.lstat(f"{out}/{rel}") for rel in kept}
        start, cpu = time.perf_counter(), time.process_time()
        write_site(changed, out, keep=kept, **extra)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
finally:
    shutil.rmtree(base, ignore_errors=True)
print(statistics.median(t[0] for t in times[2:]), statistics.median(t[1] for t in times[2:]))
"""


def one(code: Path, scratch: Path | None, mode: str, writes: int) -> tuple[float, float] | None:
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(code), str(HERE), str(scratch or ""), mode,
         str(writes)], capture_output=True, text=True)
    if done.returncode == 3:
        return None
    if done.returncode:
        raise SystemExit(done.stderr)
    wall, cpu = done.stdout.split()
    return 1000 * float(wall), 1000 * float(cpu)


def _cell(times: tuple[float, float]) -> str:
    return f"{times[0]:6.1f}/{times[1]:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the revision to compare against")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--writes", type=int, default=9, help="timed rebuilds per run")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (a tmpfs?)")
    args = parser.parse_args()
    old = Path(tempfile.mkdtemp(prefix="bench-write-old-"))
    try:
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", args.old, "tooling"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        versions = {"old": (old / "tooling", "plain"), "old+seen": (old / "tooling", "seen"),
                    "new": (PROJECT / "tooling", "plain"),
                    "new+seen": (PROJECT / "tooling", "seen")}
        rows: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
        print(f"write step, one change, 9,163 pages kept: median of {args.writes} rebuilds "
              f"per run, wall ms / cpu ms (old = {args.old})")
        for pair in range(args.pairs):
            for name, (code, mode) in list(versions.items()):
                result = one(code, args.dir, mode, args.writes)
                if result is None:  # a writer without `seen`: no such column
                    del versions[name], rows[name]
                    continue
                rows[name].append(result)
            if not pair:
                print("pair  " + "  ".join(f"{name:>13}" for name in versions))
            print(f"{pair + 1:>4}  " + "  ".join(_cell(rows[n][-1]) for n in versions))
        for label, pick in (("median", statistics.median), ("min", min)):
            print(f"{label:<6}" + "  ".join(
                _cell((pick(w for w, _ in rows[n]), pick(c for _, c in rows[n])))
                for n in versions))
    finally:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    main()
