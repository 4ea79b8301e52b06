"""How long `warroom validate` takes against a bare parse of the same files.

    .venv/bin/python benchmarks/bench_validate.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_validate.py 500 2000   # any N
    .venv/bin/python benchmarks/bench_validate.py --repeat 3 10000

For each N: generate N incident files (benchmarks/_gen.py), then in the same run time two
views, each comparing like with like:

process (what a user or CI waits for): a fresh interpreter each time, start to exit.
- bare parse: `python -c` that imports yaml, lists incidents/ and runs
  `yaml.load(f, Loader=yaml.CSafeLoader)` over every file (one process, one core);
- validate cold: `python -m warroom validate` with no .warroom-cache/ (interpreter start,
  imports, schemas, parsing, rules, worker processes on every CPU);
- validate warm: the same command again, answered from the load cache (the build's: a
  file whose stat is unchanged is not read; see validation.py).

work (no interpreter start-up or imports on either side): a child process that has already
imported what it needs times only the loop over the files, or only `validate(root)`.

Not cleared between cold runs: warroom's compiled schemas in the user's cache folder (see
schemacode.py): they belong to the installed program, are written once after an install or
upgrade, and are the same for every repository, like Python's own bytecode. `--first-run`
clears them before each cold run (a fresh CI machine) to show that cost too.
Each figure is the best of --repeat runs. The target: validate cold at most 1.5x the bare
parse.
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

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_config, write_incidents

# The bare parse as its own program: list the files as validate does, then parse each.
BARE = """\
import os, sys, time
start = time.perf_counter()
import yaml
files = []
for folder, dirs, names in os.walk(os.path.join(sys.argv[1], "incidents")):
    files += [os.path.join(folder, n) for n in names if n.endswith((".yaml", ".yml"))]
files.sort()
loop = time.perf_counter()
for path in files:
    with open(path, "rb") as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
print(time.perf_counter() - loop)
"""

# validate() alone, after the imports, in a process of its own (no cache: the cold work).
WORK = """\
import sys, time
from pathlib import Path
from warroom.validation import validate
start = time.perf_counter()
result = validate(Path(sys.argv[1]), use_cache=False)
elapsed = time.perf_counter() - start
assert result.files == int(sys.argv[2]) and not result.problems, result.problems[:3]
print(elapsed)
"""


def run(args: list[str]) -> tuple[float, str]:
    """Wall time of a child process, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args[:4]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout


def schema_code() -> list[Path]:
    from warroom.schemacode import PREFIX, code_dir

    return list(code_dir().glob(f"{PREFIX}*"))


def measure(n: int, repeat: int, first_run: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"warroom-bench-{n}-") as tmp:
        root = Path(tmp)
        write_config(root)
        write_incidents(root, n)
        validate = [sys.executable, "-m", "warroom", "validate", "--root", str(root)]
        bare_p, bare_w, cold_p, cold_w, warm_p = [], [], [], [], []
        for _ in range(repeat):
            elapsed, out = run([sys.executable, "-c", BARE, str(root)])
            bare_p.append(elapsed)
            bare_w.append(float(out))
            elapsed, out = run([sys.executable, "-c", WORK, str(root), str(n)])
            cold_w.append(float(out))
            shutil.rmtree(root / ".warroom-cache", ignore_errors=True)
            if first_run:
                for path in schema_code():
                    path.unlink()
            cold_p.append(run(validate)[0])
        for _ in range(repeat):
            warm_p.append(run(validate)[0])
        return {"bare_p": min(bare_p), "cold_p": min(cold_p), "warm_p": min(warm_p),
                "bare_w": min(bare_w), "cold_w": min(cold_w)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--first-run", action="store_true",
                        help="clear warroom's compiled schemas before each cold run")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
          f"(libyaml: {yaml.__with_libyaml__}), {os.cpu_count()} CPUs, load average {load}"
          + (", compiled schemas cleared before each cold run" if args.first_run else ""))
    print()
    print("| N | view | bare parse s | validate cold s | ratio | validate warm s | ratio |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        m = measure(n, args.repeat, args.first_run)
        print(f"| {n:,} | process | {m['bare_p']:.2f} | {m['cold_p']:.2f} | "
              f"{m['cold_p'] / m['bare_p']:.2f}x | {m['warm_p']:.2f} | "
              f"{m['warm_p'] / m['bare_p']:.2f}x |")
        print(f"| {n:,} | work | {m['bare_w']:.2f} | {m['cold_w']:.2f} | "
              f"{m['cold_w'] / m['bare_w']:.2f}x | | |", flush=True)


if __name__ == "__main__":
    main()
