"""warroom new / update / resolve --git as a real subprocess in a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import run_git

ID = "2026-11-20-checkout-errors-in-eu-west"
REL = f"incidents/2026/{ID}.yaml"


def warroom(repo: Path, env: dict[str, str], *args: str, date: str | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    full = dict(env)
    if date is not None:  # git, run by warroom, reads the pinned dates from the environment
        full["GIT_AUTHOR_DATE"] = full["GIT_COMMITTER_DATE"] = date
    done = subprocess.run([sys.executable, "-m", "warroom", *args], cwd=repo, env=full,
                          capture_output=True, text=True, check=False, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _start(repo: Path, env: dict[str, str]) -> None:
    run_git(repo, env, "init", "-q", "-b", "main")
    run_git(repo, env, "add", "warroom.yaml")
    run_git(repo, env, "commit", "-q", "-m", "warroom init", date="2026-11-20T08:00:00Z")


def declare_and_close(repo: Path, env: dict[str, str]) -> None:
    """The life of one incident, one commit per step, at pinned times (UTC)."""
    out = warroom(repo, env, "new", "Checkout errors in eu-west", "--severity", "SEV2",
                  "--component", "checkout:major_outage", "-m", "Payments fail in Europe.",
                  "--now", "2026-11-20T09:00:00Z", "--git", date="2026-11-20T09:00:00Z")
    assert out.stdout == f"{REL}\n"
    assert out.stderr == f"created branch incident/{ID}\n"
    warroom(repo, env, "update", ID, "--status", "identified", "--commander", "@alice",
            "-m", "A configuration push disabled a payment provider.", "--git",
            date="2026-11-20T09:40:00Z")
    warroom(repo, env, "update", ID, "--status", "monitoring", "-m", "Rolled back.", "--git",
            date="2026-11-20T10:30:00Z")
    warroom(repo, env, "resolve", ID, "-m", "Payments work again.", "--git",
            date="2026-11-20T11:00:00Z")


def test_new_update_resolve_with_git(warroom_repo: Path, git_env: dict[str, str]) -> None:
    repo = warroom_repo
    _start(repo, git_env)
    (repo / "notes.txt").write_text("not part of the incident\n", encoding="utf-8")
    (repo / "staged.txt").write_text("staged by someone\n", encoding="utf-8")
    run_git(repo, git_env, "add", "staged.txt")
    declare_and_close(repo, git_env)

    log = run_git(repo, git_env, "log", "--format=%cI %s", "main..HEAD")
    assert log.splitlines() == [
        f"2026-11-20T11:00:00Z incident({ID}): resolved".replace("Z", "+00:00"),
        f"2026-11-20T10:30:00+00:00 incident({ID}): monitoring",
        f"2026-11-20T09:40:00+00:00 incident({ID}): identified, commander @alice",
        f"2026-11-20T09:00:00+00:00 incident({ID}): declared",
    ]
    assert run_git(repo, git_env, "branch", "--show-current").strip() == f"incident/{ID}"
    changed = run_git(repo, git_env, "log", "--format=", "--name-only", "main..HEAD")
    assert set(changed.split()) == {REL}  # each commit holds the incident file alone
    body = run_git(repo, git_env, "log", "-1", "--format=%b", f"incident/{ID}~2")
    assert body.strip() == "A configuration push disabled a payment provider."
    status = run_git(repo, git_env, "status", "--porcelain")
    assert status.splitlines() == ["A  staged.txt", "?? notes.txt"]  # left alone
    assert warroom(repo, git_env, "validate").returncode == 0

    # The SLA report is exactly what the four commits say (SEV2: acknowledge 30m,
    # first update 1h, update every 2h, identify 2h, mitigate 4h, resolve 24h, postmortem 10d).
    report = json.loads(warroom(repo, git_env, "sla", "--format", "json", "--fail-on", "never",
                                "--now", "2026-11-20T12:00:00Z").stdout)
    (incident,) = report["incidents"]
    assert (incident["id"], incident["status"], incident["problems"]) == (ID, "resolved", [])
    clocks = {c["target"]: (c["start"][11:16], c["stopped"] and c["stopped"][11:16],
                            c["elapsed_seconds"] // 60, c["state"])
              for c in incident["clocks"]}
    assert clocks == {
        "acknowledge": ("09:00", "09:40", 40, "breached"),  # the commander came at 09:40
        "first_update": ("09:00", "09:40", 40, "met"),
        "update_every": ("09:40", "10:30", 50, "met"),  # longest public silence
        "identify": ("09:00", "09:40", 40, "met"),
        "mitigate": ("09:00", "10:30", 90, "met"),
        "resolve": ("09:00", "11:00", 120, "met"),
        "postmortem": ("11:00", None, 60, "running"),
    }


def test_without_git_nothing_in_git_is_touched(warroom_repo: Path,
                                               git_env: dict[str, str]) -> None:
    repo = warroom_repo
    _start(repo, git_env)
    head = run_git(repo, git_env, "rev-parse", "HEAD")
    warroom(repo, git_env, "new", "Checkout errors in eu-west", "--severity", "SEV2",
            "--now", "2026-11-20T09:00:00Z")
    warroom(repo, git_env, "update", ID, "--status", "identified", "-m", "Found it.")
    assert run_git(repo, git_env, "rev-parse", "HEAD") == head
    assert run_git(repo, git_env, "branch", "--show-current").strip() == "main"
    assert run_git(repo, git_env, "status", "--porcelain").splitlines() == ["?? incidents/"]


def test_invalid_update_is_refused_and_nothing_committed(warroom_repo: Path,
                                                         git_env: dict[str, str]) -> None:
    repo = warroom_repo
    _start(repo, git_env)
    warroom(repo, git_env, "new", "Checkout errors in eu-west", "--severity", "SEV2",
            "--now", "2026-11-20T09:00:00Z", "--git", date="2026-11-20T09:00:00Z")
    path = repo / REL
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    head = run_git(repo, git_env, "rev-parse", "HEAD")
    done = warroom(repo, git_env, "update", ID, "--status", "completed", "-m", "Done.",
                   "--git", check=False)
    assert done.returncode == 1
    assert f"{REL}:" in done.stderr and "[status-for-type]" in done.stderr
    assert "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (before, mtime)
    assert run_git(repo, git_env, "rev-parse", "HEAD") == head
    assert run_git(repo, git_env, "status", "--porcelain") == ""


def test_a_merged_branch_is_moved_forward_before_the_next_update(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    repo = warroom_repo
    _start(repo, git_env)
    warroom(repo, git_env, "new", "Checkout errors in eu-west", "--severity", "SEV2",
            "--now", "2026-11-20T09:00:00Z", "--git", date="2026-11-20T09:00:00Z")
    run_git(repo, git_env, "checkout", "-q", "main")
    run_git(repo, git_env, "merge", "-q", "--no-ff", "-m", "Merge incident", f"incident/{ID}",
            date="2026-11-20T09:05:00Z")
    merge = run_git(repo, git_env, "rev-parse", "HEAD").strip()
    warroom(repo, git_env, "update", ID, "--status", "identified", "-m", "Found it.", "--git",
            date="2026-11-20T09:30:00Z")
    assert run_git(repo, git_env, "rev-parse", "HEAD~1").strip() == merge


def test_git_outside_a_repository_is_a_clear_error(warroom_repo: Path,
                                                   git_env: dict[str, str]) -> None:
    env = {**git_env, "GIT_CEILING_DIRECTORIES": os.fspath(warroom_repo.parent)}
    done = warroom(warroom_repo, env, "new", "Checkout errors", "--severity", "SEV2",
                   "--git", check=False)
    assert done.returncode == 1
    assert "is not inside a git repository" in done.stderr
    assert "Traceback" not in done.stderr


def test_update_finds_an_incident_declared_on_its_branch(warroom_repo: Path,
                                                         git_env: dict[str, str]) -> None:
    repo = warroom_repo
    _start(repo, git_env)
    warroom(repo, git_env, "new", "Checkout errors in eu-west", "--severity", "SEV2",
            "--now", "2026-11-20T09:00:00Z", "--git", date="2026-11-20T09:00:00Z")
    run_git(repo, git_env, "checkout", "-q", "main")  # the file is not on main yet
    done = warroom(repo, git_env, "update", ID, "--status", "identified", "-m", "Found it.",
                   "--git", date="2026-11-20T09:30:00Z")
    assert done.stderr == f"switched to branch incident/{ID}\n"
    subjects = run_git(repo, git_env, "log", "--format=%s", "main..HEAD").splitlines()
    assert subjects == [f"incident({ID}): identified", f"incident({ID}): declared"]
