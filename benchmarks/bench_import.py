"""How long `warroom import` takes on the real data sets in ../shared/data.

    .venv/bin/python benchmarks/bench_import.py              # best of 3
    .venv/bin/python benchmarks/bench_import.py --repeat 5

For each data set (297 cState incidents from Jenkins, 178 Statuspage incidents from GitHub),
in this process, into a fresh folder each time:
- read + convert: reading the source files and building the plan;
- write: rendering the YAML and writing the files and warroom.yaml;
- validate: `load_repository` on the result, as the command does at its end;
- again: the whole import once more into the same folder (every file unchanged).
Wall time (best of --repeat) and CPU time of the process for the same best run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "tooling"))

from warroom.importers import cstate, statuspage  # noqa: E402
from warroom.importers.apply import apply_plan  # noqa: E402
from warroom.importers.common import Plan, read_target  # noqa: E402
from warroom.repo import load_repository  # noqa: E402


def _cstate(into: Path) -> Plan:
    site = cstate.read_site(DATA / "cstate-jenkins-infra")
    return cstate.plan_site(site, read_target(into), cstate.Options())


def _statuspage(into: Path) -> Plan:
    return statuspage.plan_export(DATA / "statuspage-github" / "incidents", read_target(into))


def _again(planner: Callable[[Path], Plan], into: Path) -> object:
    return apply_plan(planner(into), into)


def _timed(func: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(planner: Callable[[Path], Plan], repeat: int) -> dict[str, tuple[float, float]]:
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            into = Path(tmp)
            plan_t = _timed(partial(planner, into))
            plan = plan_t[2]
            assert isinstance(plan, Plan)
            write_t = _timed(partial(apply_plan, plan, into))
            check_t = _timed(partial(load_repository, into.resolve()))
            again_t = _timed(partial(_again, planner, into))
            run = {"read + convert": plan_t[:2], "write": write_t[:2], "validate": check_t[:2],
                   "again": again_t[:2]}
            run["import total"] = (plan_t[0] + write_t[0], plan_t[1] + write_t[1])
            for key, value in run.items():
                if key not in best or value[0] < best[key][0]:
                    best[key] = value
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [("cState (Jenkins, 297)", measure(_cstate, args.repeat)),
            ("Statuspage (GitHub, 178)", measure(_statuspage, args.repeat))]
    steps = ["read + convert", "write", "import total", "validate", "again"]
    print(f"| data set | {' | '.join(steps)} |")
    print("| --- |" + " ---: |" * len(steps))
    for name, best in rows:
        cells = [f"{best[s][0]:.2f} s ({best[s][1]:.2f} cpu)" for s in steps]
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
