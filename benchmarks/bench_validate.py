"""How long `warroom validate` takes against a bare parse of the same files.

    .venv/bin/python benchmarks/bench_validate.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_validate.py 500 2000   # any N
    .venv/bin/python benchmarks/bench_validate.py --repeat 3 10000

For each N: generate N incident files (benchmarks/_gen.py), then in the same run time
- bare parse: `yaml.load(f, Loader=yaml.CSafeLoader)` over every file, in this process;
- validate cold: `python -m warroom validate` in a subprocess, with no .warroom-cache/
  (so: interpreter start, imports, parsing, schemas, rules, worker processes);
- validate warm: the same command again, answered from the content-keyed cache.
Each figure is the best of --repeat runs. The target: cold at most 1.5x the bare parse.
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


def bare_parse(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def run_validate(root: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "warroom", "validate", "--root", str(root)],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"validate failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def measure(n: int, repeat: int) -> tuple[int, float, float, float]:
    with tempfile.TemporaryDirectory(prefix=f"warroom-bench-{n}-") as tmp:
        root = Path(tmp)
        write_config(root)
        files = write_incidents(root, n)
        bare = min(bare_parse(files) for _ in range(repeat))
        cold_runs = []
        for _ in range(repeat):
            shutil.rmtree(root / ".warroom-cache", ignore_errors=True)
            cold_runs.append(run_validate(root))
        warm = min(run_validate(root) for _ in range(repeat))
        return n, bare, min(cold_runs), warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
          f"(libyaml: {yaml.__with_libyaml__}), {os.cpu_count()} CPUs, load average {load}")
    print()
    print("| N | bare parse s | validate cold s | ratio | validate warm s | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        n, bare, cold, warm = measure(n, args.repeat)
        print(f"| {n:,} | {bare:.2f} | {cold:.2f} | {cold / bare:.2f}x | {warm:.2f} | "
              f"{warm / bare:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
