"""What `warroom serve` watches: a snapshot differs exactly when a build could differ."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import run_git
from warroom.site.watch import Snapshot, settled, snapshot


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
