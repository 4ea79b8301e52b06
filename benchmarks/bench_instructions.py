"""Count the instructions of a full render and of a one-change rebuild, under valgrind.

    .venv/bin/python benchmarks/bench_instructions.py [--sizes 5000,10000] [--dir DIR]

Wall time on a shared 2-core machine moves by 20-40% from one run to the next, which is
more than the margins the targets of issue 4 leave (twice the incidents at most 2.2x the
time; a rebuild under 10% of a full build). The number of instructions a process runs does
not move with the neighbours: valgrind's cachegrind counts them (as the Rust compiler's
performance tracking does, for the same reason). It is a measure of the work, not of the
time: instructions that wait on memory cost more than others, and what the kernel does
for a system call (the stat of every incident file in a rebuild) and what git does in its
own processes are not counted at all. `bench_build.py` gives the time; this gives the work.

For each size, in a repository made as bench_build.py makes it (caches warmed by a build
first), three processes run under valgrind, one render each, in one process (pages are not
forked out: WARROOM_BUILD_JOBS=1, so the count is the whole work wherever it would run):
- start: the imports alone, what every process pays before building;
- full: a full render (caches warm, every page rendered and written), as bench_build.py's;
- change: the same full render, then one incident's title changed and committed (the
  file named by the parent), then a rebuild in the same process (bench_build.py's "one
  change");
- moved: the same, the rebuild an hour later (bench_build.py's "time moved", as in CI,
  where the build time is the last commit's).
full render = full - start; one change = change - full; time moved = moved - full (its
full render is of the repository after "change", one title apart). Sizes run two at a
time; 10,000 incidents take about eight minutes.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tooling")]

MODES = ("start", "full", "change", "moved")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _child(mode: str, repo: Path, out: Path, edit: Path | None) -> None:
    """What one counted process does (see the module's text)."""
    from bench_build import NOW, edit_one

    from warroom.cachedir import cache_root
    from warroom.site.build import CACHE_DIR, build

    if mode in ("warm", "start"):
        if mode == "warm":
            build(repo, out, now=NOW)
        return
    shutil.rmtree(out, ignore_errors=True)
    for ledger in (cache_root(repo) / CACHE_DIR).glob("pages-*.pickle"):
        ledger.unlink()
    build(repo, out, now=NOW)
    if mode in ("change", "moved") and edit is not None:
        # The file named by the parent (no walk over 10^4 counted), marked anew each time.
        edit_one(repo, edit, MODES.index(mode))
        build(repo, out, now=NOW + timedelta(hours=1) if mode == "moved" else NOW)


def _env() -> dict[str, str]:
    # Bytecode from its cache, as an installed wheel loads it; one hash seed, so that two
    # runs walk their sets and dicts alike.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "WARROOM_BUILD_JOBS": "1", "PYTHONHASHSEED": "0"}


def _run(mode: str, repo: Path, out: Path, counted: bool) -> int:
    from bench_build import pick_one

    command = [sys.executable, __file__, "--child", mode, "--repo", str(repo), "--out", str(out),
               "--edit", str(pick_one(repo, 0))]
    if counted:
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
                   "--cachegrind-out-file=/dev/null", *command]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} at {repo.name} failed:\n{done.stderr[-2000:]}")
    found = _REFS.findall(done.stderr)
    return int(found[-1].replace(",", "")) if counted and found else 0


def _size(size: int, base: Path) -> dict[str, int]:
    from _gen import make_git_repo

    repo, out = make_git_repo(base / f"r{size}", size), base / f"site{size}"
    _run("warm", repo, out, counted=False)
    return {mode: _run(mode, repo, out, counted=True) for mode in MODES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,10000")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--child", choices=("warm", *MODES), help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--edit", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.repo, args.out, args.edit)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(tempfile.mkdtemp(prefix="warroom-instr-", dir=args.dir))
    try:
        with ThreadPoolExecutor(2) as pool:
            counts = dict(zip(sizes, pool.map(lambda s: _size(s, base), sizes), strict=True))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'incidents':>9} {'full render':>14} {'one change':>14} {'of full':>8}"
          f" {'time moved':>14} {'of full':>8}  (instructions: user space, this process)")
    full = {s: c["full"] - c["start"] for s, c in counts.items()}
    for size, count in counts.items():
        change, moved = count["change"] - count["full"], count["moved"] - count["full"]
        print(f"{size:>9} {full[size]:>14,} {change:>14,} {100 * change / full[size]:>7.1f}%"
              f" {moved:>14,} {100 * moved / full[size]:>7.1f}%")
    print()
    for small, large in itertools.pairwise(sizes):
        if large == 2 * small:
            print(f"full render {large} / {small}: {full[large] / full[small]:.2f}x "
                  "(target <= 2.2x)")


if __name__ == "__main__":
    main()
