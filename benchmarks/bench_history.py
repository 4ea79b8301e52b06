"""How long reading the history takes against git's own floor, in the same run.

    .venv/bin/python benchmarks/bench_history.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_history.py 500 2000   # any N
    .venv/bin/python benchmarks/bench_history.py --check 1000   # also compare held == uncached

For each N: build (once, kept in benchmarks/out/) a repository of N incidents in year
folders, about 4 commits each (declared with one update, a commander minutes later, one
commit per later update, the postmortem), written with `git fast-import` in date order. Then
time, in this process:
- floor: `git log --raw -z --no-abbrev` over incidents/ plus `git cat-file --batch` of every
  blob it names: the least any reader of the history must do;
- cold: read_history with an empty cache (it fills the cache as it goes);
- warm: one new commit, then read_history again, reusing the cache as a new process does
  (the saved fold on disk: `held.forget()` first);
- held: one more commit, then read_history again in the same process (`warroom serve`):
  from what the read before left (history_held).
Targets: cold at most 1.5x the floor; warm under 10% of it. Each figure is the best of
--repeat runs.

Honest timing: read_history is timed inside this process, after its imports, just as the
floor is timed around its git processes only (neither pays for starting Python). Wall time
is what the targets are about; CPU time (this process's threads plus its git children) is
printed too, because on a shared machine the wall time of a run that uses two cores (git
walks while Python parses) depends on what else is running.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _gen import write_config, write_incidents  # noqa: E402

from warroom import held  # noqa: E402
from warroom.cachedir import cache_root  # noqa: E402
from warroom.history import read_history  # noqa: E402

NOW = datetime(2026, 7, 1, tzinfo=UTC)
ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def _dump(data: dict[str, Any]) -> bytes:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     width=100).encode()


def _time(raw: Any, fallback: datetime) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) \
        else fallback


def versions(data: dict[str, Any], rng: random.Random) -> list[tuple[datetime, bytes]]:
    """The commits of one incident: (committer time, file content), oldest first."""
    updates = data["updates"]
    start = _time(data.get("detected_at") or (data.get("window") or {}).get("start"),
                  datetime(2024, 1, 1, tzinfo=UTC))
    times = [_time(u.get("at"), start - timedelta(days=1)) for u in updates]
    delay = [timedelta(minutes=rng.randint(1, 6)) for _ in updates]
    roles = data.get("roles")
    base = {k: v for k, v in data.items()
            if k not in ("roles", "postmortem", "action_items", "updates")}
    out = []
    for n in range(1, len(updates) + 1):
        step = dict(base, status=updates[n - 1]["status"], updates=updates[:n])
        out.append((times[n - 1] + delay[n - 1], step))
        if n == 1 and roles:
            out.append((times[0] + delay[0] + timedelta(minutes=rng.randint(2, 9)),
                        dict(step, roles=roles)))
        elif roles:
            step["roles"] = roles
    if "postmortem" in data or "action_items" in data:
        out.append((out[-1][0] + timedelta(days=rng.randint(1, 6)), data))
    return [(when, _dump(step)) for when, step in out]


def build(dest: Path, n: int) -> None:
    """A repository of n incidents, written by fast-import in commit-time order."""
    with tempfile.TemporaryDirectory() as scratch:
        files = write_incidents(Path(scratch), n, seed=n)
        rng = random.Random(n)
        events = []
        for path in files:
            rel = path.relative_to(scratch).as_posix()
            data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
            events += [(when, rel, content) for when, content in versions(data, rng)]
    events.sort(key=lambda e: (e[0], e[1]))
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True, env=ENV)
    write_config(dest)
    stream = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=dest,
                              stdin=subprocess.PIPE, env=ENV)
    assert stream.stdin is not None
    people = ["Alice <alice@example.com>", "Bob <bob@example.com>",
              "Carol <carol@example.com>"]
    config = (dest / "warroom.yaml").read_bytes()
    for i, (when, rel, content) in enumerate(events):
        stamp = f"{int(when.timestamp())} +0000"
        message = f"{rel.rsplit('/', 1)[-1][:-5]}: update".encode()
        chunks = [b"commit refs/heads/main\n",
                  f"committer {people[i % 3]} {stamp}\n".encode(),
                  b"data %d\n%s\n" % (len(message), message)]
        if i == 0:
            chunks.append(b"M 100644 inline warroom.yaml\ndata %d\n%s\n" % (len(config), config))
        chunks.append(f"M 100644 inline {rel}\n".encode())
        chunks.append(b"data %d\n%s\n" % (len(content), content))
        stream.stdin.write(b"".join(chunks))
    stream.stdin.close()
    if stream.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=dest, check=True, env=ENV)
    (dest / "commits").write_text(str(len(events)))


def floor(repo: Path) -> float:
    start = time.perf_counter()
    log = subprocess.run(["git", "log", "--raw", "-z", "--no-abbrev", "--format=%H", "--",
                          "incidents"], cwd=repo, capture_output=True, check=True).stdout
    blobs = {field.split()[3] for field in log.split(b"\0") if field.startswith(b"\n:")
             or field.startswith(b":")}
    blobs.discard(b"0" * 40)
    subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=b"\n".join(blobs) + b"\n",
                   capture_output=True, check=True)
    return time.perf_counter() - start


def one_more_commit(repo: Path) -> None:
    path = next((repo / "incidents").rglob("*.yaml"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("# touched by the benchmark\n")
    subprocess.run(["git", "commit", "-q", "-am", "one more"], cwd=repo, check=True,
                   env={**ENV, "GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@example.com",
                        "GIT_COMMITTER_NAME": "B", "GIT_COMMITTER_EMAIL": "b@example.com",
                        "GIT_COMMITTER_DATE": "2026-06-30T12:00:00Z",
                        "GIT_AUTHOR_DATE": "2026-06-30T12:00:00Z", "PATH": "/usr/bin:/bin"})


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Timer:
    """Wall and CPU seconds of a block: `with Timer() as t: ...; t.wall, t.cpu`."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def measure(n: int, repeat: int, check: bool) -> tuple[int, Any, Any, Any, Any]:
    repo = HERE / "out" / f"history-{n}"
    if not (repo / "commits").exists():
        print(f"building a repository of {n:,} incidents ...", file=sys.stderr)
        build(repo, n)
    commits = int((repo / "commits").read_text())
    floors, colds, warms, helds = [], [], [], []
    for _ in range(repeat):
        subprocess.run(["git", "reset", "-q", "--hard", "main@{0}"], cwd=repo, check=True)
        with Timer() as t_floor:
            floor(repo)
        floors.append(t_floor)
        shutil.rmtree(cache_root(repo), ignore_errors=True)
        held.forget()
        with Timer() as t_cold:
            cold = read_history(repo, now=NOW)
        colds.append(t_cold)
        one_more_commit(repo)
        held.forget()
        with Timer() as t_warm:
            warm = read_history(repo, now=NOW)
        warms.append(t_warm)
        if check:
            assert warm == read_history(repo, now=NOW, use_cache=False), "warm != cold"
        one_more_commit(repo)
        with Timer() as t_held:
            kept = read_history(repo, now=NOW)
        helds.append(t_held)
        if check:
            assert kept == read_history(repo, now=NOW, use_cache=False), "held != cold"
            assert len(cold.recorded) == n, len(cold.recorded)
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD~2"], cwd=repo, check=True)
    best = [(min(t.wall for t in ts), min(t.cpu for t in ts))
            for ts in (floors, colds, warms, helds)]
    return commits, best[0], best[1], best[2], best[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="assert held == uncached")
    args = parser.parse_args()
    rows = [(n, *measure(n, args.repeat, args.check)) for n in args.sizes]
    print("| incidents | commits | floor (git log + cat-file) | cold | cold / floor "
          "| warm (+1 commit) | warm / floor | held (+1 commit) "
          "| CPU: floor, cold / floor, warm / floor, held / floor |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, commits, (fl, fl_cpu), (cold, cold_cpu), (warm, warm_cpu), (kept, kept_cpu) in rows:
        print(f"| {n:,} | {commits:,} | {fl:.2f} s | {cold:.2f} s | {cold / fl:.2f}x "
              f"| {warm:.3f} s | {warm / fl:.1%} | {kept:.3f} s "
              f"| {fl_cpu:.2f} s, {cold_cpu / fl_cpu:.2f}x, {warm_cpu / fl_cpu:.1%}, "
              f"{kept_cpu / fl_cpu:.1%} |")


if __name__ == "__main__":
    main()
