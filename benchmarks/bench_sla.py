"""Time `warroom sla` and `warroom report` on synthetic repositories of 1,000 and 10,000
incidents, as a user runs them (a fresh process each time).

For each size, in a real git repository (one commit with every file, as after a clone):
- cold: no cache at all (.git/warroom-cache removed before each run: every file parsed and
  validated, the history read from git);
- warm: the caches a previous run (or `warroom build`) left, nothing changed since.
The synthetic incidents were all committed at once, long after most of their stated times:
`--all` (every stated time checked) finds a problem to locate in almost every file, and the
default run (follow-ups, and stated times of open incidents) in four files of ten.
`sla --all` runs in each format; github writes the job summary too ($GITHUB_STEP_SUMMARY).
Each is run --repeat times and the fastest is shown (noise on a shared machine only ever adds
time). `output` is the start of the sha256 of what the command printed (and of the job
summary): a change that makes the commands faster must leave it as it was, for a given `--now`.

`--against DIR` compares with another version's code (DIR: its `tooling` folder, e.g. of a
`git worktree add /dev/shm/old REV`): each measure alternates the two versions, each on its
own copy of the repository (every cache is salted with the code), so a busy minute on a
shared machine slows both; the table gives both times and whether the outputs are the same.

    .venv/bin/python benchmarks/bench_sla.py [--sizes 1000,10000] [--dir /dev/shm]
                                             [--repeat N] [--against DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
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
ALL = ["sla", "--fail-on", "never", "--all", "--format"]
COMMANDS = {
    "sla": ["sla", "--format", "json", "--fail-on", "never"],  # as CI runs it
    "sla --all json": [*ALL, "json"],  # every check
    "sla --all text": [*ALL, "text"],
    "sla --all github": [*ALL, "github"],
    "report": ["report", "--since", "2026-01-01", "--format", "json"],
    # One incident: the load cache unpickles only the chunk holding it. ONE: the middle file.
    "sla --incident": ["sla", "--format", "json", "--fail-on", "never", "--incident", "ONE"],
}


def timed(repo: Path, args: list[str], code: Path | None) -> tuple[float, str]:
    """Wall seconds of one run, and the digest of its standard output and job summary."""
    command = [sys.executable, "-m", "warroom", *args, "--now", NOW, "--root", str(repo)]
    summary = repo.parent / f"{repo.name}-summary.md"
    summary.write_bytes(b"")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr.decode(errors='replace')}")
    digest = hashlib.sha256(done.stdout + b"\0" + summary.read_bytes())
    return seconds, digest.hexdigest()[:12]


def measure(repos: list[tuple[Path, Path | None]], args: list[str], repeat: int,
            cold: bool) -> list[tuple[float, str]]:
    """The fastest of `repeat` runs of each version, the versions taking turns."""
    runs: list[list[tuple[float, str]]] = [[] for _ in repos]
    for _ in range(repeat):
        for (repo, code), mine in zip(repos, runs, strict=True):
            if cold:
                shutil.rmtree(cache_root(repo), ignore_errors=True)
            mine.append(timed(repo, args, code))
    for mine in runs:
        if len({digest for _, digest in mine}) != 1:
            raise SystemExit(f"{' '.join(args)}: the output changed between runs")
    return [min(mine) for mine in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (fastest)")
    parser.add_argument("--against", type=Path, default=None,
                        help="another version's tooling folder, timed in turn with this one")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    base = Path(tempfile.mkdtemp(prefix="warroom-bench-sla-", dir=args.dir))
    rows: list[tuple[int, str, list[tuple[float, str]], list[tuple[float, str]]]] = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            repo = make_git_repo(base / f"r{size}", size)
            repos: list[tuple[Path, Path | None]] = [(repo, None)]
            if args.against is not None:
                other = base / f"r{size}-against"
                shutil.copytree(repo, other, symlinks=True)
                repos.insert(0, (other, args.against.resolve()))
            files = sorted((repo / "incidents").rglob("*.yaml"))
            one = files[len(files) // 2].stem
            for name, each in COMMANDS.items():
                command = [one if arg == "ONE" else arg for arg in each]
                cold = measure(repos, command, repeat, cold=True)
                for repo_, code in repos:
                    timed(repo_, command, code)  # leave the caches a run leaves
                warm = measure(repos, command, repeat, cold=False)
                if [d for _, d in cold] != [d for _, d in warm]:
                    raise SystemExit(f"{name}: a warm run printed something else than a cold one")
                rows.append((size, name, cold, warm))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    _print(rows, args.against is not None)


def _print(rows: list[tuple[int, str, list[tuple[float, str]], list[tuple[float, str]]]],
           against: bool) -> None:
    if not against:
        print(f"{'incidents':>9} {'command':<16} {'cold':>7} {'warm':>7}  output")
        for size, name, cold, warm in rows:
            print(f"{size:>9} {name:<16} {cold[0][0]:7.2f} {warm[0][0]:7.2f}  {cold[0][1]}")
        return
    print(f"{'incidents':>9} {'command':<16} {'cold was':>8} {'cold':>7} {'warm was':>8} "
          f"{'warm':>7}  output")
    for size, name, cold, warm in rows:
        same = "same " + cold[1][1] if cold[0][1] == cold[1][1] else \
            f"DIFFERENT {cold[0][1]} -> {cold[1][1]}"
        print(f"{size:>9} {name:<16} {cold[0][0]:8.2f} {cold[1][0]:7.2f} {warm[0][0]:8.2f} "
              f"{warm[1][0]:7.2f}  {same}")


if __name__ == "__main__":
    main()
