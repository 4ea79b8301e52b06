"""The golden fixture repository, committed in stages with pinned dates, and site helpers.

Regenerate tests/golden/expected/ after an intended change of the output:
    WARROOM_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_site_golden.py
or  .venv/bin/python tests/site_support.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from conftest import pinned_git_env, run_git
from warroom.site.build import Built, build
from warroom.site.data import SiteData

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
EXPECTED = GOLDEN / "expected"
# 2026-03-15T12:00:00Z: after every commit below, before the upcoming maintenance.
EPOCH = "1773576000"
NOW = datetime.fromtimestamp(int(EPOCH), UTC)
BASE_URL = "https://status.golden.example"
# Words that appear only in what the public must never see: an internal incident, an
# internal component, an internal update, a draft postmortem and its action item, a drill.
MARKERS = ("ZEBRAQUARTZ", "MARMALADEFJORD", "PELICANDRAFT", "GAMEDAYOTTER")

_I = "incidents/2026/"
# (commit date, files as of that commit: from "first" (an earlier version) or "repo")
STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("2026-01-20T10:05:00+01:00", (("warroom.yaml", "repo"),
                                   (_I + "2026-01-20-checkout-errors.yaml", "repo"))),
    ("2026-02-10T03:05:00+01:00", ((_I + "2026-02-10-vault-rotation-failed.yaml", "repo"),)),
    ("2026-02-14T10:35:00+01:00", ((_I + "2026-02-14-db-failover-gameday.yaml", "repo"),)),
    ("2026-03-02T10:00:00+01:00", ((_I + "2026-03-02-website-maintenance.yaml", "first"),)),
    ("2026-03-04T09:00:00+01:00", ((_I + "2026-03-02-website-maintenance.yaml", "repo"),)),
    ("2026-03-10T14:10:00+01:00", ((_I + "2026-03-10-api-latency.yaml", "first"),)),
    ("2026-03-10T16:00:00+01:00", ((_I + "2026-03-10-api-latency.yaml", "repo"),)),
    ("2026-03-15T11:05:00+01:00", ((_I + "2026-03-15-hostile-title.yaml", "repo"),
                                   (_I + "2026-03-20-payments-db-upgrade.yaml", "repo"))),
)


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = pinned_git_env()
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_golden_repo(where: Path) -> Path:
    """The golden repository as a real git repository with its history, at `where`."""
    where.mkdir(parents=True, exist_ok=True)
    _git(where, "init", "-q", "-b", "main")
    for date, files in STAGES:
        for rel, source in files:
            dest = where / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(GOLDEN / source / rel, dest)
        _git(where, "add", "-A")
        _git(where, "commit", "-q", "-m", f"stage {date}", date=date)
    return where


def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_golden(repo: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`warroom build` of the golden repository, as CI would run it."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run(
        [sys.executable, "-m", "warroom", "build", "--root", str(repo), "--out", str(out),
         "--base-url", BASE_URL, *extra],
        env=env, capture_output=True, text=True, check=False)


def build_here(repo: Path, out: Path, *, audience: str = "public", use_cache: bool = False,
               base_url: str = BASE_URL) -> Built:
    """The same build in this process (faster than the CLI; the golden test runs the CLI)."""
    return build(repo, out, audience=audience, base_url=base_url, use_cache=use_cache,
                 now=NOW)


def regenerate(scratch: Path) -> None:
    repo = make_golden_repo(scratch / "repo")
    done = build_golden(repo, scratch / "site", "--no-cache")
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    if EXPECTED.exists():
        shutil.rmtree(EXPECTED)
    shutil.copytree(scratch / "site", EXPECTED)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        regenerate(Path(tmp))
    print(f"regenerated {EXPECTED}")  # noqa: T201


def restricted(data: SiteData, ids: list[str]) -> SiteData:
    """`data` holding only these incidents (and their recorded times and clocks), as a
    producer given a selection sees it."""
    keep = set(ids)
    return replace(data, incidents=tuple(i for i in data.incidents if i.id in keep),
                   recorded={k: v for k, v in data.recorded.items() if k in keep},
                   clocks={k: v for k, v in data.clocks.items() if k in keep})


def retitle(repo: Path, n: int) -> None:
    """Commit an edit to the title of one incident file (the (7 * n)th, wrapping round)."""
    files = sorted((repo / "incidents").rglob("*.yaml"))
    _retitle_file(repo, files[(7 * n) % len(files)], n)


def retitle_id(repo: Path, incident_id: str, n: int) -> None:
    """Commit an edit to the title of the incident `incident_id`."""
    (path,) = (repo / "incidents").rglob(f"{incident_id}.yaml")
    _retitle_file(repo, path, n)


def _retitle_file(repo: Path, path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', f'title: "Edit {n}: ', 1), encoding="utf-8")
    run_git(repo, pinned_git_env(), "commit", "-q", "-am", f"edit {n}",
            date="2026-06-02T10:00:00+00:00")


def clone(origin: Path, tmp_path: Path) -> Path:
    """A clone of `origin` in tmp_path/repo (a test's own copy of a module's repository)."""
    copy = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(copy)], check=True)
    return copy


def maintenance_yaml(ident: str, title: str, component: str, start: str, end: str,
                     severity: str = "SEV4") -> str:
    """A scheduled maintenance's file: `component` under maintenance from `start` to `end`."""
    return (f"id: {ident}\ntitle: \"{title}\"\ntype: maintenance\nseverity: {severity}\n"
            f"status: scheduled\ncomponents:\n  - id: {component}\n"
            f"    impact: under_maintenance\nwindow:\n  start: {start}\n  end: {end}\n"
            "updates:\n  - status: scheduled\n    message: Planned.\n")


def commit_files(repo: Path, files: dict[str, str], date: str) -> None:
    """Write each file (path relative to incidents/) and commit them all at `date`."""
    for name, text in files.items():
        path = repo / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    run_git(repo, pinned_git_env(), "add", "-A")
    run_git(repo, pinned_git_env(), "commit", "-q", "-m", "add incidents", date=date)
