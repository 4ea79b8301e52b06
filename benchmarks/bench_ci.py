"""The CI sequence of .github/workflows/incidents.yml on one checkout: `warroom validate`,
`warroom sla`, `warroom build --out X`, each a fresh process, as the composite action
(action.yml) runs them.

    .venv/bin/python benchmarks/bench_ci.py                 # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_ci.py --repeat 5 10000

For each N: a git repository of N incidents in one commit (benchmarks/_gen.py
`make_git_repo`, under /dev/shm when it exists), then

- cold: .git/warroom-cache and the output folder removed before the sequence (a fresh CI
  checkout): validate pays the parse, and sla and build should find it in the load cache;
- warm: the same sequence again with every cache in place.

Each figure is the fastest of --repeat runs (the total is the fastest whole sequence).
Compiled schemas in the user's cache folder (see schemacode.py) are not cleared: they
belong to the installed program. To time another checkout of warroom, put its `tooling`
first on PYTHONPATH.

Measured on 2 CPUs (fastest of 3), before and after `warroom validate` of the whole
repository went through the load cache (it used its own per-file cache, vcache, before):

    | N | caches | validate s | sla s | build s | total s |   (before)
    | 10,000 | cold | 3.82 | 9.78 | 5.97 | 19.57 |
    | 10,000 | warm | 0.73 | 1.82 | 3.40 | 6.27 |
    | N | caches | validate s | sla s | build s | total s |   (after)
    | 10,000 | cold | 5.00 | 5.44 | 5.68 | 16.59 |
    | 10,000 | warm | 0.80 | 2.08 | 3.82 | 6.70 |

validate cold pays for storing the Incidents (pickled in the workers, loaded by the parent)
and sla no longer parses; what sla still spends cold is the history, not the files.

Then validate stopped unpickling the workers' chunks (it stores their bytes and reads only
each file's problems). Re-measured with today's generator on a busy 2-CPU machine (other
jobs running: figures moved by 0.5 s between runs), fastest of 3, HEAD before and after:

    | N | caches | validate s | sla s | build s | total s |   (before)
    | 10,000 | cold | 4.38 | 5.22 | 4.96 | 14.57 |
    | 10,000 | warm | 0.65 | 1.51 | 2.44 | 4.60 |
    | N | caches | validate s | sla s | build s | total s |   (after)
    | 10,000 | cold | 4.44 | 5.07 | 5.80 | 15.71 |
    | 10,000 | warm | 0.91 | 1.32 | 3.30 | 5.63 |

validate alone, cold, interleaved runs (fastest of 5; CPU: user+sys with the workers):
vcache path 3.39 s (6.3 s CPU), parent unpickling 4.44 s (8.3 s CPU), after 4.33 s
(8.1 s CPU; "after" here and above had a sharing-pickler tweak since dropped, 6% of the
pickling). The parent's unpickling mostly overlapped the workers; what cold validate still
pays over the vcache path is in the workers: pickling the Incidents for the cache (the
sharing pickler, ~0.06-0.1 ms per incident) and the garbage collector walking them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import make_git_repo

STEPS = ("validate", "sla", "build")


def commands(root: Path, out: Path) -> dict[str, list[str]]:
    warroom = [sys.executable, "-m", "warroom"]
    return {
        "validate": [*warroom, "validate", "--format", "github", "--root", str(root)],
        "sla": [*warroom, "sla", "--format", "github", "--root", str(root)],
        "build": [*warroom, "build", "--out", str(out), "--root", str(root)],
    }


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1) or (done.returncode and args[3] != "sla"):
        # sla exits 1 for breached clocks (the generated incidents have some): not a failure.
        raise SystemExit(f"{args[3]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def sequence(root: Path, out: Path) -> dict[str, float]:
    steps = {name: timed(args) for name, args in commands(root, out).items()}
    steps["total"] = sum(steps.values())
    return steps


def measure(n: int, repeat: int, base: Path) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix=f"warroom-ci-{n}-", dir=base) as tmp:
        root = make_git_repo(Path(tmp) / "repo", n)
        out = Path(tmp) / "site"
        best: dict[str, dict[str, float]] = {"cold": {}, "warm": {}}
        for _ in range(repeat):
            shutil.rmtree(root / ".git" / "warroom-cache", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            for kind in ("cold", "warm"):
                for name, value in sequence(root, out).items():
                    best[kind][name] = min(best[kind].get(name, value), value)
        return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}, "
          f"repositories under {base}, fastest of {args.repeat}")
    print()
    print("| N | caches | validate s | sla s | build s | total s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        best = measure(n, args.repeat, base)
        for kind in ("cold", "warm"):
            row = best[kind]
            print(f"| {n:,} | {kind} | {row['validate']:.2f} | {row['sla']:.2f} | "
                  f"{row['build']:.2f} | {row['total']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
