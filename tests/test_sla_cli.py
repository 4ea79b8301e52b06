"""`warroom sla` end to end, in real git repositories with pinned dates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import run_git
from warroom.cli import cli

INCIDENT = "incidents/2026/2026-03-02-checkout.yaml"
HEAD = """\
id: 2026-03-02-checkout
title: Checkout errors
type: outage
severity: SEV2
status: {status}
components: [{{id: checkout, impact: major_outage}}]
{roles}updates:
"""
UPDATES = [
    "  - {status: investigating, message: Payments fail.}\n",
    "  - {status: identified, message: A bad config push.}\n",
    "  - {status: monitoring, message: Rolled back.}\n",
    "  - {status: resolved, message: All good.}\n",
]


def write(repo: Path, status: str, updates: int, commander: bool = True,
          path: str = INCIDENT, ident: str = "2026-03-02-checkout") -> None:
    roles = "roles: {commander: '@alice'}\n" if commander else ""
    body = HEAD.format(status=status, roles=roles).replace("2026-03-02-checkout", ident)
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body + "".join(UPDATES[:updates]), encoding="utf-8")


def commit(repo: Path, env: dict[str, str], date: str, message: str) -> None:
    run_git(repo, env, "add", "-A")
    run_git(repo, env, "commit", "-q", "-m", message, date=date)


def sla(repo: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["sla", "--root", str(repo), *args], env=env,
                              catch_exceptions=False)


@pytest.fixture
def lifecycle(warroom_repo: Path, git_env: dict[str, str]) -> Path:
    """Declared 09:00 without a commander; acknowledged and identified 09:20; monitoring
    10:30; resolved 11:00 (Paris, 2026-03-02)."""
    repo = warroom_repo
    run_git(repo, git_env, "init", "-q", "-b", "main")
    write(repo, "investigating", 1, commander=False)
    commit(repo, git_env, "2026-03-02T09:00:00+01:00", "declare")
    write(repo, "identified", 2)
    commit(repo, git_env, "2026-03-02T09:20:00+01:00", "identified")
    write(repo, "monitoring", 3)
    commit(repo, git_env, "2026-03-02T10:30:00+01:00", "monitoring")
    write(repo, "resolved", 4)
    commit(repo, git_env, "2026-03-02T11:00:00+01:00", "resolved")
    return repo


def test_new_update_resolve_gives_the_exact_report(lifecycle: Path) -> None:
    result = sla(lifecycle, "--format", "text", "--now", "2026-03-02T12:00:00+01:00")
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
warroom sla at 2026-03-02 12:00 (times in Europe/Paris)

2026-03-02-checkout  SEV2  resolved  Checkout errors
  target        start             due               elapsed  used  state    left
  acknowledge   2026-03-02 09:00  2026-03-02 09:30  20m      67%   met
  first_update  2026-03-02 09:00  2026-03-02 10:00  20m      33%   met
  update_every  2026-03-02 09:20  2026-03-02 11:20  1h10m    58%   met
  identify      2026-03-02 09:00  2026-03-02 11:00  20m      17%   met
  mitigate      2026-03-02 09:00  2026-03-02 13:00  1h30m    38%   met
  resolve       2026-03-02 09:00  2026-03-03 09:00  2h       8%    met
  postmortem    2026-03-02 11:00  2026-03-12 11:00  1h       0%    running  9d23h

1 incident(s): 0 breached, 0 at risk, 1 running or paused
"""


def test_json_report_and_at_a_revision(lifecycle: Path, git_env: dict[str, str]) -> None:
    second = run_git(lifecycle, git_env, "rev-list", "--skip=2", "-n1", "HEAD").strip()
    result = sla(lifecycle, "--format", "json", "--at", second)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["now"] == "2026-03-02T09:20:00+01:00"
    clocks = {c["target"]: c for c in payload["incidents"][0]["clocks"]}
    assert payload["incidents"][0]["status"] == "identified"
    assert clocks["resolve"]["state"] == "running"
    assert clocks["resolve"]["elapsed_seconds"] == 20 * 60
    assert clocks["acknowledge"]["state"] == "met"


def test_an_open_incident_breaching_fails_with_github_annotations(
        warroom_repo: Path, git_env: dict[str, str], tmp_path: Path) -> None:
    repo = warroom_repo
    run_git(repo, git_env, "init", "-q", "-b", "main")
    write(repo, "investigating", 1, commander=False)
    commit(repo, git_env, "2026-03-02T09:00:00+01:00", "declare")
    summary = tmp_path / "summary.md"
    result = sla(repo, "--format", "github", "--now", "2026-03-02T09:50:00+01:00",
                 env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_BASE_REF": ""})
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=incidents/2026/2026-03-02-checkout.yaml,line=5,col=1,"
        "title=SLA breached%3A acknowledge::2026-03-02-checkout: acknowledge breached: "
        "50m of 30m used (167%25), due 2026-03-02 09:30 Europe/Paris",
        "::warning file=incidents/2026/2026-03-02-checkout.yaml,line=5,col=1,"
        "title=SLA at risk%3A first_update::2026-03-02-checkout: first_update at_risk: "
        "50m of 1h used (83%25), due 2026-03-02 10:00 Europe/Paris",
    ]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## warroom SLA\n\nAt 2026-03-02 09:50 (Europe/Paris): "
                           "1 breached, 1 at risk, 4 running or paused.\n")
    assert sla(repo, "--fail-on", "never", "--now", "2026-03-02T09:50:00+01:00").exit_code == 0
    assert sla(repo, "--now", "2026-03-02T09:10:00+01:00").exit_code == 0
    assert sla(repo, "--fail-on", "at-risk", "--now",
               "2026-03-02T09:25:00+01:00").exit_code == 1


def test_a_late_resolution_fails_only_the_change_that_made_it(
        warroom_repo: Path, git_env: dict[str, str]) -> None:
    repo = warroom_repo
    run_git(repo, git_env, "init", "-q", "-b", "main")
    write(repo, "investigating", 1)
    commit(repo, git_env, "2026-03-02T09:00:00+01:00", "declare")
    base = run_git(repo, git_env, "rev-parse", "HEAD").strip()
    write(repo, "resolved", 4)  # 3 days later: resolve (24h) is breached
    commit(repo, git_env, "2026-03-05T09:00:00+01:00", "resolve")
    now = ("--now", "2026-03-06T09:00:00+01:00")
    assert sla(repo, *now, "--base", base).exit_code == 1
    assert sla(repo, *now, "--base", "HEAD").exit_code == 0
    assert sla(repo, *now).exit_code == 0


def test_unknown_incident_and_invalid_repository(lifecycle: Path) -> None:
    result = sla(lifecycle, "--incident", "2026-01-01-nope", "--now", "2026-03-02T12:00:00Z")
    assert result.exit_code == 1
    assert "no incident '2026-01-01-nope'" in result.stderr
    (lifecycle / INCIDENT).write_text("id: [broken\n", encoding="utf-8")
    bad = sla(lifecycle, "--format", "text", "--now", "2026-03-02T12:00:00Z")
    assert bad.exit_code == 1
    assert "yaml-syntax" in bad.stdout


def test_a_shallow_clone_is_refused(lifecycle: Path, git_env: dict[str, str],
                                    tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{lifecycle}", str(clone)],
                   check=True, env=git_env, capture_output=True)
    result = sla(clone, "--now", "2026-03-02T12:00:00Z")
    assert result.exit_code == 1
    assert "fetch-depth" in result.stderr


def test_the_order_of_unrelated_commits_does_not_change_the_clocks(
        tmp_path: Path, git_env: dict[str, str]) -> None:
    """Two incidents' commits interleaved in two different orders: identical reports."""
    from conftest import MINIMAL_CONFIG

    other = "incidents/2026/2026-03-02-search.yaml"
    steps = [
        ("a", "2026-03-02T09:00:00+01:00", INCIDENT, "2026-03-02-checkout", "investigating", 1),
        ("b", "2026-03-02T09:05:00+01:00", other, "2026-03-02-search", "investigating", 1),
        ("a", "2026-03-02T09:40:00+01:00", INCIDENT, "2026-03-02-checkout", "identified", 2),
        ("b", "2026-03-02T10:10:00+01:00", other, "2026-03-02-search", "resolved", 4),
    ]
    outputs = []
    for name, order in (("one", [0, 1, 2, 3]), ("two", [1, 3, 0, 2])):
        repo = tmp_path / name
        (repo / "incidents" / "2026").mkdir(parents=True)
        (repo / "warroom.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
        run_git(repo, git_env, "init", "-q", "-b", "main")
        for index in order:
            _, date, path, ident, status, count = steps[index]
            write(repo, status, count, path=path, ident=ident)
            commit(repo, git_env, date, f"step {index}")
        result = sla(repo, "--format", "json", "--now", "2026-03-02T12:00:00+01:00")
        outputs.append(json.loads(result.stdout)["incidents"])
    assert outputs[0] == outputs[1]


def test_landed_clocks_stop_when_the_change_reached_main(warroom_repo: Path,
                                                        git_env: dict[str, str]) -> None:
    repo = warroom_repo
    run_git(repo, git_env, "init", "-q", "-b", "main")
    write(repo, "investigating", 1, commander=False)
    commit(repo, git_env, "2026-03-02T09:00:00+01:00", "declare")
    run_git(repo, git_env, "checkout", "-q", "-b", "ack")
    write(repo, "investigating", 1)
    commit(repo, git_env, "2026-03-02T09:10:00+01:00", "commander")
    run_git(repo, git_env, "checkout", "-q", "main")
    run_git(repo, git_env, "merge", "-q", "--no-ff", "-m", "merge", "ack",
            date="2026-03-02T09:45:00+01:00")
    now = ("--now", "2026-03-02T10:00:00+01:00", "--format", "json")

    def acknowledge(*extra: str) -> tuple[str, int]:
        payload = json.loads(sla(repo, *now, *extra).stdout)
        clock = next(c for c in payload["incidents"][0]["clocks"]
                     if c["target"] == "acknowledge")
        return clock["state"], clock["elapsed_seconds"]

    assert acknowledge() == ("met", 600)
    assert acknowledge("--landed") == ("breached", 45 * 60)
