"""What a `warroom build` command pays before and besides building: a fresh process.

    .venv/bin/python benchmarks/bench_startup.py [--size 10000] [--repeat 5] [--dir /dev/shm]

Rows (wall seconds, fastest of --repeat; a busy machine only ever adds time):
- `python -c pass`: the interpreter alone, the floor of any command;
- import of the build path: `import warroom.cli, warroom.site.build, warroom.site.patch`;
- `warroom --help`;
- `warroom build`, no-op: a rebuild of a small repository where nothing changed;
- one change at --size: one incident's title edited and committed, then a rebuild, as a
  command (a fresh process) and in process (`build()` called again, as bench_build.py does).
Then where the fresh process spends its time besides the build itself, measured inside one
(the probe): imports, the theme's environment, frame plans (site/frames.py), Jinja's
bytecode-cache loads, and the build's own stages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TOOLING = HERE.parent / "tooling"
sys.path[:0] = [str(HERE), str(TOOLING)]

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
IMPORTS = "import warroom.cli, warroom.site.build, warroom.site.patch"
# Modules load from their cached bytecode, as from an installed wheel (pip compiles it):
# with PYTHONDONTWRITEBYTECODE set, every process would compile ~90 modules (~0.4 s).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPATH": str(TOOLING), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}


Timing = tuple[float, float]  # wall seconds, processor seconds (a busy machine adds less)


def _cpu(children: bool) -> float:
    times = os.times()
    if children:
        return times.children_user + times.children_system
    return times.user + times.system


def run(args: Sequence[str], cwd: Path | None = None) -> Timing:
    start, cpu = time.perf_counter(), _cpu(True)
    subprocess.run([sys.executable, *args], cwd=cwd, env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start, _cpu(True) - cpu


def fastest(work: Callable[[], Timing], repeat: int) -> Timing:
    runs = [work() for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def change_one(repo: Path, n: int) -> None:
    from _gen import git

    files = sorted((repo / "incidents").rglob("*.yaml"))
    path = files[(len(files) // 2 + 97 * n) % len(files)]
    text = path.read_text(encoding="utf-8").replace("title: \"", f"title: \"Edited {n}: ", 1)
    path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit one incident")


def command(repo: Path, out: Path) -> list[str]:
    return ["-m", "warroom", "build", "--root", str(repo), "--out", str(out)]


def probe(repo: Path, out: Path) -> None:
    """In a fresh process: one build as the command runs it, its pieces timed."""
    start = time.perf_counter()
    import jinja2

    import warroom.cli  # noqa: F401  (the command imports it first)
    from warroom.site import build, cache, frames, templating

    times: dict[str, float] = {"imports": time.perf_counter() - start}

    def timing(owner: Any, name: str, row: str) -> None:
        original = getattr(owner, name)
        times[row] = 0.0

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                times[row] += time.perf_counter() - began
        setattr(owner, name, timed)

    timing(cache, "code_digest", "code digest (every cache's key)")
    build.code_digest = cache.code_digest  # type: ignore[attr-defined]  # the same, timed
    timing(templating, "_digest_of", "theme digest")
    timing(templating, "_environment", "environment (theme setup)")
    timing(frames.Frames, "_plan", "frame plans (their templates loaded too)")
    timing(jinja2.FileSystemBytecodeCache, "load_bytecode", "bytecode-cache loads")
    timing(jinja2.Environment, "_parse", "template parses")
    timing(jinja2.Environment, "_compile", "template compiles")
    began = time.perf_counter()
    built = build.build(repo, out)
    times["build()"] = time.perf_counter() - began
    times.update({f"  stage {k}": v for k, v in built.timings.items()})
    times["total in process"] = time.perf_counter() - start
    print(json.dumps(times))


def probed(repo: Path, out: Path, n: int) -> dict[str, float]:
    change_one(repo, n)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--probe", str(repo), str(out)],
                          env=ENV, check=True, capture_output=True, text=True)
    times: dict[str, float] = json.loads(done.stdout)
    times["process wall"] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--probe", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(*args.probe)
        return
    base = Path(tempfile.mkdtemp(dir=args.dir, prefix="warroom-startup-"))
    # The compiled schemas (warroom.schemacode) in a folder of their own: in the user's
    # cache, other checkouts of warroom replace them with their own version now and then.
    os.environ["XDG_CACHE_HOME"] = ENV["XDG_CACHE_HOME"] = str(base / "cache")
    try:
        report(base, args.size, args.small, max(1, args.repeat))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def report(base: Path, size: int, small: int, repeat: int) -> None:
    from _gen import make_git_repo

    from warroom.site.build import build

    rows: dict[str, Timing] = {}
    run(["-c", IMPORTS])  # bytecode written, if not yet
    rows["python -c pass"] = fastest(lambda: run(["-c", "pass"]), repeat)
    rows["import of the build path"] = fastest(lambda: run(["-c", IMPORTS]), repeat)
    rows["warroom --help"] = fastest(lambda: run(["-m", "warroom", "--help"]), repeat)
    little, little_out = make_git_repo(base / "small", small), base / "small-site"
    run(command(little, little_out))  # cold: fills the caches
    rows[f"warroom build, no-op ({small} incidents)"] = fastest(
        lambda: run(command(little, little_out)), repeat)

    repo, out = make_git_repo(base / "repo", size), base / "site"
    run(command(repo, out))  # cold, as a command: fills every cache, compiles templates
    counter = iter(range(10**6))

    def fresh() -> Timing:
        change_one(repo, next(counter))
        return run(command(repo, out))

    def inside() -> Timing:
        change_one(repo, next(counter))
        start, cpu = time.perf_counter(), _cpu(False)
        build(repo, out, now=NOW)  # its page workers, if any, are forked: not counted
        return time.perf_counter() - start, _cpu(False) - cpu

    inside()  # this process's environment and plans made, as in a long-lived process
    fresh_runs, inside_runs = [], []
    for _ in range(repeat):  # alternated: the machine's load falls on both alike
        fresh_runs.append(fresh())
        inside_runs.append(inside())
    one_fresh = rows[f"one change at {size}: warroom build (fresh process)"] = (
        min(r[0] for r in fresh_runs), min(r[1] for r in fresh_runs))
    one_inside = rows[f"one change at {size}: build() in process"] = (
        min(r[0] for r in inside_runs), min(r[1] for r in inside_runs))
    rows["  difference: what the command pays besides"] = (
        one_fresh[0] - one_inside[0], one_fresh[1] - one_inside[1])
    print(f"{'what (fastest of ' + str(repeat) + ')':<58}{'seconds':>9}{'cpu':>8}")
    for name, (seconds, cpu) in rows.items():
        print(f"{name:<58}{seconds:>9.3f}{cpu:>8.3f}")

    probes = [probed(repo, out, next(counter)) for _ in range(repeat)]
    best = min(probes, key=lambda p: p["process wall"])
    print()
    print(f"inside the fastest of {repeat} fresh one-change processes at {size} "
          f"(median of each row in brackets)")
    for name in best:
        values = sorted(p.get(name, 0.0) for p in probes)
        print(f"{name:<58}{best[name]:>9.3f}  ({values[len(values) // 2]:.3f})")


if __name__ == "__main__":
    main()
