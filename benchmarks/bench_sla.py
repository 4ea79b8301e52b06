"""Time `warroom sla` and `warroom report` on synthetic repositories of 1,000 and 10,000
incidents, as a user runs them (a fresh process each time).

For each size, in a real git repository (one commit with every file, as after a clone):
- cold: no cache at all (.git/warroom-cache removed before each run: every file parsed and
  validated, the history read from git);
- warm: the caches a previous run (or `warroom build`) left, nothing changed since.
The synthetic incidents were all committed at once, long after most of their stated times:
`--all` (every stated time checked) finds a problem to locate in almost every file, and the
default run (follow-ups, and stated times of open incidents) in four files of ten.
Each is run --repeat times and the fastest is shown (noise on a shared machine only ever adds
time). `output` is the start of the sha256 of what the command printed: a change that makes
the commands faster must leave it as it was, for a given `--now`.

    .venv/bin/python benchmarks/bench_sla.py [--sizes 1000,10000] [--dir /dev/shm]
                                             [--repeat N]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import make_git_repo

from warroom.cachedir import cache_root

NOW = "2026-06-02T12:00:00+00:00"
COMMANDS = {
    "sla": ["sla", "--format", "json", "--fail-on", "never"],  # as CI runs it
    "sla --all": ["sla", "--format", "json", "--fail-on", "never", "--all"],  # every check
    "report": ["report", "--since", "2026-01-01", "--format", "json"],
}


def timed(repo: Path, args: list[str]) -> tuple[float, str]:
    """Wall seconds of one run, and the digest of its standard output."""
    command = [sys.executable, "-m", "warroom", *args, "--now", NOW, "--root", str(repo)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr.decode(errors='replace')}")
    return seconds, hashlib.sha256(done.stdout).hexdigest()[:12]


def fastest(repo: Path, args: list[str], repeat: int, cold: bool) -> tuple[float, str]:
    runs = []
    for _ in range(repeat):
        if cold:
            shutil.rmtree(cache_root(repo), ignore_errors=True)
        runs.append(timed(repo, args))
    if len({digest for _, digest in runs}) != 1:
        raise SystemExit(f"{' '.join(args)}: the output changed between runs")
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (fastest)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="warroom-bench-sla-", dir=args.dir))
    rows: list[tuple[int, str, float, float, str]] = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            repo = make_git_repo(base / f"r{size}", size)
            for name, command in COMMANDS.items():
                cold, digest = fastest(repo, command, max(1, args.repeat), cold=True)
                timed(repo, command)  # leave the caches a run leaves
                warm, again = fastest(repo, command, max(1, args.repeat), cold=False)
                if again != digest:
                    raise SystemExit(f"{name}: a warm run printed something else than a cold one")
                rows.append((size, name, cold, warm, digest))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'incidents':>9} {'command':<9} {'cold':>7} {'warm':>7}  output")
    for size, name, cold, warm, digest in rows:
        print(f"{size:>9} {name:<9} {cold:7.2f} {warm:7.2f}  {digest}")


if __name__ == "__main__":
    main()
