"""`warroom report` end to end, in real git repositories with pinned commit dates."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import run_git
from metrics_fixtures import SLO_CONFIG
from warroom import history
from warroom.cli import cli

pytestmark = pytest.mark.skipif(
    "NotImplementedError" in inspect.getsource(history.read_history),
    reason="warroom.history is still a stub")

HEAD = """\
id: {ident}
title: API errors number {ident}
type: outage
severity: SEV2
status: {status}
causes: [config-change]
components: [{{id: api, impact: major_outage}}]
impact_started_at: {impact}
detected_at: {detected}
{roles}updates:
"""
UPDATES = [
    "  - {status: investigating, message: Errors on the API.}\n",
    "  - {status: identified, message: A bad config push.}\n",
    "  - {status: monitoring, message: Rolled back.}\n",
    "  - {status: resolved, message: All good.}\n",
]
STAGES = (("investigating", 1, False), ("investigating", 1, True), ("monitoring", 3, True),
          ("resolved", 4, True))


def lifecycle(repo: Path, env: dict[str, str], ident: str, impact: str, detected: str,
              commits: tuple[str, str, str, str]) -> None:
    """Declare, acknowledge, mitigate, resolve: one commit each, at the given times."""
    path = repo / "incidents" / ident[:4] / f"{ident}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    for (status, updates, commander), when in zip(STAGES, commits, strict=True):
        roles = "roles: {commander: '@alice'}\n" if commander else ""
        path.write_text(HEAD.format(ident=ident, status=status, impact=impact,
                                    detected=detected, roles=roles)
                        + "".join(UPDATES[:updates]), encoding="utf-8")
        run_git(repo, env, "add", "-A")
        run_git(repo, env, "commit", "-q", "-m", f"{ident}: {status}", date=when)


@pytest.fixture
def repo(warroom_repo: Path, git_env: dict[str, str]) -> Path:
    (warroom_repo / "warroom.yaml").write_text(SLO_CONFIG, encoding="utf-8")
    run_git(warroom_repo, git_env, "init", "-q", "-b", "main")
    run_git(warroom_repo, git_env, "add", "-A")
    run_git(warroom_repo, git_env, "commit", "-q", "-m", "config",
            date="2026-10-01T00:00:00Z")
    # resolve: 2 h, 1 h 30, 50 min; acknowledge 5 min, 40 min, 2 min
    lifecycle(warroom_repo, git_env, "2026-11-02-api", "2026-11-02T10:00:00Z",
              "2026-11-02T10:05:00Z", ("2026-11-02T10:15:00Z", "2026-11-02T10:20:00Z",
                                       "2026-11-02T11:00:00Z", "2026-11-02T12:00:00Z"))
    lifecycle(warroom_repo, git_env, "2026-11-20-api", "2026-11-20T08:00:00+01:00",
              "2026-11-20T08:10:00+01:00", ("2026-11-20T08:20:00+01:00",
                                            "2026-11-20T09:00:00+01:00",
                                            "2026-11-20T09:15:00+01:00",
                                            "2026-11-20T09:30:00+01:00"))
    # 23:30 UTC on 30 November is December in Paris: outside a November report
    lifecycle(warroom_repo, git_env, "2026-11-30-api", "2026-11-30T23:30:00Z",
              "2026-11-30T23:32:00Z", ("2026-11-30T23:35:00Z", "2026-11-30T23:37:00Z",
                                       "2026-12-01T00:00:00Z", "2026-12-01T00:20:00Z"))
    return warroom_repo


def report(repo: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["report", "--root", str(repo),
                                    "--now", "2026-12-05T12:00:00Z", *args])


def test_month_report_from_git_history(repo: Path) -> None:
    result = report(repo, "--month", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["history"] is True
    assert [i["id"] for i in found["incidents"]] == ["2026-11-02-api", "2026-11-20-api"]
    durations = found["overall"]["durations_seconds"]
    # even count (2): nearest-rank p50 is the smaller value
    assert durations["declare"] == {"count": 2, "p50": 600.0, "p90": 600.0, "max": 600.0}
    assert durations["acknowledge"] == {"count": 2, "p50": 300.0, "p90": 2400.0,
                                        "max": 2400.0}
    assert durations["mitigate"] == {"count": 2, "p50": 3600.0, "p90": 4500.0, "max": 4500.0}
    assert durations["resolve"] == {"count": 2, "p50": 5400.0, "p90": 7200.0, "max": 7200.0}
    sla = {row["target"]: row for row in found["overall"]["sla"]}
    # SEV2 acknowledge is 30 min: 5 min met, 40 min breached
    assert (sla["acknowledge"]["met"], sla["acknowledge"]["breached"]) == (1, 1)
    (repeat,) = found["repeats"]
    assert (repeat["earlier"], repeat["incident"]) == ("2026-11-02-api", "2026-11-20-api")


def test_odd_count_over_a_custom_period(repo: Path) -> None:
    result = report(repo, "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["period"]["until"] == "2026-12-02T00:00:00+01:00"  # --until's day included
    resolve = found["overall"]["durations_seconds"]["resolve"]
    # 50 min, 1 h 30, 2 h (odd): p50 is the middle one, p90 rank ceil(2.7) = 3
    assert resolve == {"count": 3, "p50": 5400.0, "p90": 7200.0, "max": 7200.0}
    months = [g["key"] for g in found["groups"]["month"]]
    assert months == ["2026-11", "2026-12"]


def test_html_and_markdown_to_a_file(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = report(repo, "--month", "2026-11", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert page.count('role="img"') == 4
    result = report(repo, "--month", "2026-11")
    assert result.stdout.startswith("# Acme status: incident report, November 2026\n")


@pytest.mark.parametrize("args", [
    ("--month", "2026-11", "--since", "2026-11-01"),
    ("--month", "2026-13"),
    ("--since", "2026-11-10", "--until", "2026-11-01"),
    ("--since", "yesterday"),
])
def test_usage_errors_exit_2(repo: Path, args: tuple[str, ...]) -> None:
    result = report(repo, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_output_folder_is_a_clear_error(repo: Path, tmp_path: Path) -> None:
    result = report(repo, "--out", str(tmp_path / "nope" / "r.md"))
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_without_git_the_report_uses_stated_times_and_says_so(warroom_repo: Path) -> None:
    (warroom_repo / "incidents" / "2026" / "2026-11-03-web.yaml").write_text(
        "id: 2026-11-03-web\ntitle: Website down\ntype: outage\nseverity: SEV3\n"
        "status: resolved\ncomponents: [{id: web, impact: major_outage}]\n"
        "impact_started_at: 2026-11-03T10:00:00Z\nresolved_at: 2026-11-03T10:45:00Z\n"
        "updates:\n  - {status: investigating, message: Down.}\n"
        "  - {status: resolved, message: Up.}\n", encoding="utf-8")
    result = report(warroom_repo, "--month", "2026-11")
    assert result.exit_code == 0, result.output
    assert "> No git history was available" in result.stdout
    assert "| Time to resolve | 45m | 45m | 45m | 1 |" in result.stdout
