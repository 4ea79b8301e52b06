"""A/B of a rebuild after one change: this checkout's code against an older revision's.

On a shared machine a whole rebuild moves by ±25% from one minute to the next, more than
most changes to it save; timing one version, then the other, measures the machine. This
alternates them instead: each pair edits and commits one incident in two copies of the same
synthetic repository (one per version: every cache is salted with the code, so one copy
could not serve both), then rebuilds each in a fresh process and times `build()` alone.
The table gives every pair, the medians, the fastest runs, and in how many pairs the new
code won.

    .venv/bin/python benchmarks/bench_ab.py --old REV [--size 10000] [--pairs 6] [--dir DIR]
                                            [--full]

--full times a full render instead (no previous site and no page ledger: every page
rendered, the data caches warm); --moved moves the build time on by an hour with each
change (as SOURCE_DATE_EPOCH does in CI).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import git, make_git_repo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent

# Run in a fresh interpreter with one version's code first on the path: edit one incident,
# commit, rebuild, print the seconds build() took.
DRIVER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from datetime import UTC, datetime
from pathlib import Path
from warroom.site.build import build
repo, n, full = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[5] == "full"
hours = max(n, 0) if sys.argv[5] == "moved" else 0
site = repo.parent / (repo.name + "-site")
if full:
    import shutil
    from warroom.cachedir import cache_root
    shutil.rmtree(site, ignore_errors=True)
    for ledger in (cache_root(repo) / "site").glob("pages-*"):
        ledger.unlink()
elif n >= 0:
    files = sorted((repo / "incidents").rglob("*.yaml"))
    path = files[(len(files) // 3 + 53 * n) % len(files)]
    path.write_text(path.read_text(encoding="utf-8").replace('title: "', f'title: "AB{n}: ', 1),
                    encoding="utf-8")
    sys.path.insert(0, sys.argv[4])
    from _gen import git
    git(repo, "commit", "-q", "-am", f"edit {n}")
start = time.perf_counter()
from datetime import timedelta
build(repo, site, now=datetime(2026, 6, 2, 12, tzinfo=UTC) + timedelta(hours=hours))
print(time.perf_counter() - start)
"""


def rebuild(tooling: Path, repo: Path, n: int, mode: str = "change") -> float:
    done = subprocess.run([sys.executable, "-c", DRIVER, str(tooling), str(repo), str(n),
                           str(HERE), mode],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the revision to compare against")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (a tmpfs?)")
    parser.add_argument("--full", action="store_true", help="time full renders instead")
    parser.add_argument("--moved", action="store_true", help="the build time moves on too")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="warroom-ab-", dir=args.dir))
    old = base / "old"
    try:
        git(PROJECT, "worktree", "add", "--detach", str(old), args.old)
        repo = make_git_repo(base / "new-repo", args.size)
        shutil.copytree(repo, base / "old-repo", symlinks=True)
        sides = {"new": (PROJECT / "tooling", repo), "old": (old / "tooling",
                                                             base / "old-repo")}
        for tooling, copy in sides.values():  # a first build and a first rebuild: warm
            rebuild(tooling, copy, -1)
            rebuild(tooling, copy, 0)
        runs: dict[str, list[float]] = {"new": [], "old": []}
        for n in range(1, args.pairs + 1):
            for side, (tooling, copy) in sides.items():
                mode = "full" if args.full else "moved" if args.moved else "change"
                runs[side].append(rebuild(tooling, copy, n, mode))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=PROJECT,
                       capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)
    what = ("full render" if args.full else "one-change rebuild, the time moved on"
            if args.moved else "one-change rebuild")
    print(f"{what} of {args.size} incidents, {args.pairs} alternating pairs "
          f"(seconds in build())")
    print(f"{'code':<24} " + " ".join(f"{i:>6}" for i in range(1, args.pairs + 1))
          + f" {'median':>7} {'fastest':>7}")
    for side, label in (("new", "this checkout"), ("old", args.old)):
        times = runs[side]
        print(f"{label[:24]:<24} " + " ".join(f"{t:6.2f}" for t in times)
              + f" {statistics.median(times):7.2f} {min(times):7.2f}")
    wins = sum(a < b for a, b in zip(runs["new"], runs["old"], strict=True))
    print(f"this checkout faster in {wins} of {args.pairs} pairs")


if __name__ == "__main__":
    main()
