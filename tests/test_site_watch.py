"""What `warroom serve` watches: a snapshot differs exactly when a build could differ."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_git
from site_support import site_files
from warroom.site.build import build
from warroom.site.watch import Snapshot, incident_stats, settled, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)


def _touch(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_snapshot_sees_what_a_build_reads_and_nothing_else(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    repo = warroom_repo
    incident = repo / "incidents/2026/2026-01-01-a.yaml"
    _touch(incident, "id: 2026-01-01-a\n")
    _touch(repo / "site/templates/404.html", "x")
    first = snapshot(repo)
    assert set(first.files) == {"warroom.yaml", "incidents/2026/2026-01-01-a.yaml",
                                "site/templates/404.html"}
    assert first.head is None and snapshot(repo) == first
    # what a build never reads: swap files, notes, hidden theme files
    _touch(repo / "incidents/2026/.2026-01-01-a.yaml.swp", "swap")
    _touch(repo / "incidents/README.md", "notes")
    _touch(repo / "site/templates/.404.html~", "backup")
    assert snapshot(repo) == first
    # an edit of the same size still moves the modification time
    stat = incident.stat()
    incident.write_text("id: 2026-01-01-b\n", encoding="utf-8")
    os.utime(incident, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = snapshot(repo)
    assert first.changes(second) == ["incidents/2026/2026-01-01-a.yaml"]
    # a new file, a removed one, the config, a theme asset, then a commit
    _touch(repo / "incidents/2026/2026-01-02-b.yml", "id: 2026-01-02-b\n")
    incident.unlink()
    _touch(repo / "site/static/x.css", "body{}")
    (repo / "warroom.yaml").write_text("changed: true\n", encoding="utf-8")
    third = snapshot(repo)
    assert second.changes(third) == ["incidents/2026/2026-01-01-a.yaml",
                                     "incidents/2026/2026-01-02-b.yml",
                                     "site/static/x.css", "warroom.yaml"]
    run_git(repo, git_env, "init", "-q", "-b", "main")
    run_git(repo, git_env, "add", "-A")
    run_git(repo, git_env, "commit", "-q", "-m", "one", date="2026-01-02T10:00:00+00:00")
    committed = snapshot(repo)
    assert committed.head is not None and third.changes(committed) == ["HEAD"]


def test_settled_waits_until_two_looks_agree() -> None:
    looks = iter([Snapshot(head="b"), Snapshot(head="c"), Snapshot(head="c")])
    pauses: list[None] = []
    assert settled(lambda: next(looks), Snapshot(head="a"),
                   lambda: pauses.append(None)) == Snapshot(head="c")
    assert len(pauses) == 3
    # something that never stops writing: the latest after `tries` looks
    counter = iter(range(100))
    latest = settled(lambda: Snapshot(head=str(next(counter))), Snapshot(head="x"),
                     lambda: None, tries=4)
    assert latest == Snapshot(head="3")


def test_a_build_handed_the_snapshot_looks_at_no_incident_file_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`warroom serve` hands its look at the files to the build it starts: the same site,
    and no `stat` of 10^4 files a second time; a file changed after the look is caught by
    the next look, which differs."""
    repo = make_git_repo(tmp_path / "repo", 40)
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    first = snapshot(repo)
    build(repo, out, now=NOW, stats=incident_stats(first))
    build(repo, fresh, now=NOW, use_cache=False)
    assert site_files(out) == site_files(fresh)
    looked: list[str] = []
    real = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if "/incidents/" in os.fspath(path):
            looked.append(os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    build(repo, out, now=NOW, stats=incident_stats(first))
    assert looked == []
    build(repo, out, now=NOW)
    assert len(looked) >= 40
    monkeypatch.undo()
    # Edited after the look: the build made from that look may show the old text, but the
    # next look differs, and its build shows the edit.
    path = next(p for p in sorted((repo / "incidents").rglob("*.yaml"))
                if "visibility:" not in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace(
        'title: "', 'title: "Edited after the look: ', 1), encoding="utf-8")
    build(repo, out, now=NOW, stats=incident_stats(first))
    later = snapshot(repo)
    assert first.changes(later) == [path.relative_to(repo).as_posix()]
    build(repo, out, now=NOW, stats=incident_stats(later))
    build(repo, fresh, now=NOW, use_cache=False)
    assert site_files(out) == site_files(fresh)
    assert b"Edited after the look" in b"".join(site_files(out).values())
