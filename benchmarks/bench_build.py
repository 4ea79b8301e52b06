"""Time `warroom build` on synthetic repositories of 1,000 to 10,000 incidents.

For each size, in a real git repository (one commit with every file, as after a clone):
- cold: no cache at all (every file parsed and validated, history read, every page rendered);
- full render: the validation and history caches warm (CI restoring .warroom-cache), every
  page rendered and written (no previous site);
- one change: one incident's title edited and committed, then a rebuild into the same folder
  (caches warm, unchanged pages carried over): a patch build (see docs/site.md);
- recent change: the same for the newest incident (an update to what is going on now:
  its feeds, API files and availability change too);
- time moved: one change with the build time an hour later each time (as in CI, where
  SOURCE_DATE_EPOCH is the last commit's time): whatever shows the time changes too;
- serve change: one change rebuilt as `warroom serve` rebuilds it: handed serve's own look
  at the files (the look itself, which serve takes anyway to see the change, not timed),
  the build time a minute on each time (serve builds at the current time).
Targets (issue 4): 10,000 incidents under 5 s, twice the incidents at most 2.2x the time, and
a rebuild after one change under 10% of a full build.

    .venv/bin/python benchmarks/bench_build.py [--sizes 1000,2000,5000,10000] [--dir DIR]
                                               [--repeat N]

Each size's cold build runs in a process of its own (a first `warroom build`), then its
full renders and rebuilds in another (a build with the caches restored, as in CI; the
rebuilds follow in that process, as `warroom serve` rebuilds after its first build).
Use --dir on a tmpfs (e.g. /dev/shm) to see the build's own cost apart from a busy disk.
Full renders and one-change rebuilds are run --repeat times and the fastest is shown (the
usual way to read a benchmark on a shared machine: noise only ever adds time); `cpu` is the
processor time of the build and its page workers, which a busy machine inflates less.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from _gen import git, make_git_repo

from warroom.cachedir import cache_root
from warroom.site.build import CACHE_DIR, Built, build
from warroom.site.watch import Snapshot, incident_stats, snapshot

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
STAGES = ("load", "history", "compute", "plan", "producers", "pages", "write")


Timing = tuple[float, float, Built]  # wall seconds, cpu seconds, what was built


def _cpu() -> float:
    times = os.times()  # children: forked page workers, once joined
    return times.user + times.system + times.children_user + times.children_system


def timed(repo: Path, out: Path, now: datetime = NOW, seen: Snapshot | None = None) -> Timing:
    stats = incident_stats(seen) if seen is not None else None
    start, cpu = time.perf_counter(), _cpu()
    built = build(repo, out, now=now, stats=stats)
    return time.perf_counter() - start, _cpu() - cpu, built


def change_one(repo: Path, n: int, newest: bool = False) -> None:
    edit_one(repo, pick_one(repo, n, newest), n)


def pick_one(repo: Path, n: int, newest: bool = False) -> Path:
    """The file change_one(repo, n, newest) edits."""
    files = sorted((repo / "incidents").rglob("*.yaml"))
    return files[-1] if newest else files[(len(files) // 2 + 97 * n) % len(files)]


def edit_one(repo: Path, path: Path, n: int) -> None:
    """The file's title marked with n, committed."""
    text = path.read_text(encoding="utf-8")
    # The last edit's mark replaced, not added to: a repository edited over and over (a
    # profiling loop) keeps its titles within the schema's length.
    text = re.sub(r'title: "(Edited \d+: )?', f'title: "Edited {n}: ', text, count=1)
    path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit one incident")


def _fastest(runs: list[Timing]) -> Timing:
    return min(runs, key=lambda run: run[0])


# What the table shows of a build: wall and cpu seconds, patched, files, kept, stage times.
Measure = tuple[float, float, bool, int, int, dict[str, float]]


def _measure(timing: Timing) -> Measure:
    seconds, cpu, built = timing
    return seconds, cpu, built.patched, len(built.outputs), len(built.kept), built.timings


def run(size: int, base: Path, repeat: int, phase: str) -> dict[str, Measure]:
    timings = _cold(size, base) if phase == "cold" else _rest(size, base, repeat)
    return {label: _measure(timing) for label, timing in timings.items()}


def in_child(size: int, base: Path, repeat: int) -> dict[str, Measure]:
    """run() in processes of their own, as `warroom build` commands are: the cold build in
    one (a first build), then the full renders (CI's build with its caches restored) and
    the rebuilds (`warroom serve`'s, in the process of its first build) in another. No
    size is measured in a process that built another size, or a cold build, first."""
    found: dict[str, Measure] = {}
    for phase in ("cold", "rest"):
        done = subprocess.run([sys.executable, __file__, "--one", str(size), "--phase", phase,
                               "--base", str(base), "--repeat", str(repeat)],
                              capture_output=True, text=True, check=True)
        made = json.loads(done.stdout.splitlines()[-1])
        found.update({label: (m[0], m[1], m[2], m[3], m[4], m[5]) for label, m in made.items()})
    return found


def _cold(size: int, base: Path) -> dict[str, Timing]:
    repo = make_git_repo(base / f"r{size}", size)
    return {"cold": timed(repo, base / f"site{size}")}


def _rest(size: int, base: Path, repeat: int) -> dict[str, Timing]:
    repo, out = base / f"r{size}", base / f"site{size}"
    results: dict[str, Timing] = {}
    renders = []
    for _ in range(repeat):
        shutil.rmtree(out)
        for cached in (cache_root(repo) / CACHE_DIR).glob("pages-*.pickle"):
            cached.unlink()
        renders.append(timed(repo, out))
    results["full render"] = _fastest(renders)
    changes = []
    for n in range(repeat):
        change_one(repo, n)
        changes.append(timed(repo, out))
    results["one change"] = _fastest(changes)
    recent = []
    for n in range(repeat):
        change_one(repo, 100 + n, newest=True)
        recent.append(timed(repo, out))
    results["recent change"] = _fastest(recent)
    moved = []
    for n in range(repeat):
        change_one(repo, 200 + n)
        moved.append(timed(repo, out, NOW + timedelta(hours=n + 1)))
    results["time moved"] = _fastest(moved)
    served = []
    for n in range(repeat):
        change_one(repo, 300 + n)
        later = NOW + timedelta(hours=repeat, minutes=n + 1)  # after "time moved"'s
        served.append(timed(repo, out, later, seen=snapshot(repo)))
    results["serve change"] = _fastest(served)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (fastest)")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("cold", "rest"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # in_child's processes: one size, one phase, as JSON
        print(json.dumps(run(args.one, args.base, max(1, args.repeat), args.phase)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(tempfile.mkdtemp(prefix="warroom-bench-", dir=args.dir))
    try:
        table = {size: in_child(size, base, max(1, args.repeat)) for size in sizes}
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'incidents':>9} {'build':<13} {'how':<5} {'seconds':>8} {'cpu':>6} {'files':>6} "
          f"{'kept':>5}  " + " ".join(f"{s:>9}" for s in STAGES))
    for size, rows in table.items():
        for label, (seconds, cpu, patched, files, kept, timings) in rows.items():
            stages = " ".join(f"{timings.get(s, 0.0):9.2f}" for s in STAGES)
            how = "patch" if patched else "full"
            print(f"{size:>9} {label:<13} {how:<5} {seconds:8.2f} {cpu:6.2f} "
                  f"{files:>6} {kept:>5}  {stages}")
    print()
    for small, large in itertools.pairwise(sizes):
        if large == 2 * small:
            ratio = table[large]["full render"][0] / table[small]["full render"][0]
            print(f"full render {large} / {small}: {ratio:.2f}x (target <= 2.2x)")
    for size, rows in table.items():
        for label in ("one change", "recent change", "time moved", "serve change"):
            share = rows[label][0] / rows["full render"][0]
            cold_share = rows[label][0] / rows["cold"][0]
            print(f"{label} at {size}: {100 * share:.1f}% of a full render, "
                  f"{100 * cold_share:.1f}% of a cold build (target < 10%)")


if __name__ == "__main__":
    main()
