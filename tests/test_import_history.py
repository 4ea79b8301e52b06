"""`warroom import cstate --with-history`: a generated cState repository with a known history.

Every source commit is pinned (author, committer, dates), so the target's commits, the
recorded declared and resolved times and the SLA clocks can be checked exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_git
from test_import_support import assert_valid, report, run_import, snapshot
from warroom.cli import cli
from warroom.history import read_history

CONFIG = """\
title: Acme Status
baseURL: https://status.acme.test/
params:
  categories:
    - name: Core
  systems:
    - name: API
      category: Core
"""
API_DOWN = """\
---
title: API down
date: 2026-03-02T07:55:00Z
resolved: false
severity: down
affected:
  - API
section: issue
---
We are looking into it.
"""
WEB_SLOW = """\
---
title: Website slow
date: 2026-03-05 11:00:00
resolved: true
resolvedWhen: 2026-03-05 11:45:00
severity: disrupted
affected: [Website]
---
Pages were slow.
"""
NOW = datetime.fromisoformat("2026-04-01T00:00:00+00:00")


def _as(env: dict[str, str], name: str) -> dict[str, str]:
    email = f"{name.lower()}@example.com"
    return {**env, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def _commit(repo: Path, env: dict[str, str], who: str, date: str, message: str) -> None:
    run_git(repo, env, "add", "-A")
    run_git(repo, _as(env, who), "commit", "-q", "-m", message, date=date)


@pytest.fixture
def source(tmp_path: Path, git_env: dict[str, str]) -> Path:
    site = tmp_path / "site"
    issues = site / "content" / "issues"
    issues.mkdir(parents=True)
    run_git(site, git_env, "init", "-q", "-b", "main")
    (site / "config.yml").write_text(CONFIG, encoding="utf-8")
    (issues / "2026-03-02-api-down.md").write_text(API_DOWN, encoding="utf-8")
    _commit(site, git_env, "Alice", "2026-03-02T09:00:00+01:00", "API is down")
    resolved = API_DOWN.replace("resolved: false",
                                "resolved: true\nresolvedWhen: 2026-03-02T09:20:00Z")
    (issues / "2026-03-02-api-down.md").write_text(resolved, encoding="utf-8")
    _commit(site, git_env, "Bob", "2026-03-02T10:30:00+01:00",
            "Resolve the API outage\n\nRoot cause: a bad deploy.")
    (issues / "2026-03-05-web-slow.md").write_text(WEB_SLOW, encoding="utf-8")
    _commit(site, git_env, "Carol", "2026-03-05T12:00:00Z", "Website was slow")
    (site / "README.md").write_text("Our status page.\n", encoding="utf-8")
    _commit(site, git_env, "Carol", "2026-03-06T12:00:00Z", "Add a readme")
    return site


def _log(repo: Path, env: dict[str, str]) -> list[str]:
    out = run_git(repo, env, "log", "--reverse", "--format=%an|%ae|%aI|%cn|%cI|%s")
    return out.splitlines()


def _replay(site: Path, into: Path, *extra: str) -> str:
    result = run_import("cstate", str(site), "--into", str(into), "--with-history", *extra)
    assert result.exit_code == 0, result.output
    return result.output


def test_each_source_commit_becomes_one_commit(source: Path, tmp_path: Path,
                                               git_env: dict[str, str]) -> None:
    into = tmp_path / "repo"
    out = _replay(source, into, "--report-json", str(tmp_path / "report.json"))
    assert "history: 3 commit(s) replayed" in out
    assert _log(into, git_env) == [
        "Alice|alice@example.com|2026-03-02T09:00:00+01:00|Alice|2026-03-02T09:00:00+01:00|"
        "import(cstate): API is down",
        "Bob|bob@example.com|2026-03-02T10:30:00+01:00|Bob|2026-03-02T10:30:00+01:00|"
        "import(cstate): Resolve the API outage",
        "Carol|carol@example.com|2026-03-05T12:00:00+00:00|Carol|2026-03-05T12:00:00+00:00|"
        "import(cstate): Website was slow",
    ]
    body = run_git(into, git_env, "log", "-1", "--format=%B", "HEAD~1")
    source_id = run_git(source, git_env, "rev-parse", "HEAD~2").strip()
    assert body == ("import(cstate): Resolve the API outage\n\nRoot cause: a bad deploy.\n\n"
                    f"Warroom-Imported-From: cstate {source_id}\n\n")
    # The first commit holds the open incident and the warroom.yaml it needs.
    first = run_git(into, git_env, "show", "--name-only", "--format=", "HEAD~2").split()
    assert first == ["incidents/2026/2026-03-02-api-down.yaml", "warroom.yaml"]
    assert assert_valid(into) == 2
    assert len(report(tmp_path / "report.json")["commits"]) == 3


def test_history_sees_the_real_declared_and_resolved_times(source: Path,
                                                            tmp_path: Path) -> None:
    into = tmp_path / "repo"
    _replay(source, into)
    history = read_history(into, now=NOW)
    assert history.problems == []
    api = history.recorded["2026-03-02-api-down"]
    assert api.declared.at == datetime.fromisoformat("2026-03-02T09:00:00+01:00")
    assert api.resolved is not None
    assert api.resolved.at == datetime.fromisoformat("2026-03-02T10:30:00+01:00")
    assert api.declared.who == "Alice <alice@example.com>"
    web = history.recorded["2026-03-05-web-slow"]
    assert web.declared.at == web.resolved.at == datetime.fromisoformat(  # type: ignore[union-attr]
        "2026-03-05T12:00:00+00:00")


def test_sla_measures_from_the_replayed_commits(source: Path, tmp_path: Path) -> None:
    into = tmp_path / "repo"
    _replay(source, into)
    result = CliRunner().invoke(cli, ["sla", "--root", str(into), "--now",
                                      "2026-04-01T00:00:00Z", "--format", "json", "--all"],
                                catch_exceptions=False)
    data = json.loads(result.output)
    clocks = {(i["id"], c["target"]): c for i in data["incidents"] for c in i["clocks"]}
    resolve = clocks[("2026-03-02-api-down", "resolve")]
    assert (resolve["start"], resolve["stopped"], resolve["elapsed_seconds"], resolve["state"]) \
        == ("2026-03-02T09:00:00+01:00", "2026-03-02T10:30:00+01:00", 5400, "met")
    # No postmortem target in the created warroom.yaml: imported history does not fail CI.
    assert not [k for k in clocks if k[1] == "postmortem"]
    assert result.exit_code == 0, result.output


def test_replaying_again_changes_nothing_and_new_commits_follow(
        source: Path, tmp_path: Path, git_env: dict[str, str]) -> None:
    into = tmp_path / "repo"
    _replay(source, into)
    head = run_git(into, git_env, "rev-parse", "HEAD")
    before = snapshot(into)
    out = _replay(source, into)
    assert "history: 0 commit(s) replayed, 3 replayed by an earlier import" in out
    assert "0 new, 0 overwritten, 2 unchanged, 0 skipped" in out
    assert run_git(into, git_env, "rev-parse", "HEAD") == head and snapshot(into) == before
    path = source / "content/issues/2026-03-05-web-slow.md"
    path.write_text(WEB_SLOW.replace("Pages were slow.", "Pages were slow in Europe."),
                    encoding="utf-8")
    _commit(source, git_env, "Dave", "2026-03-07T08:00:00Z", "Say where")
    out = _replay(source, into)
    assert "history: 1 commit(s) replayed, 3 replayed by an earlier import" in out
    assert _log(into, git_env)[-1] == (
        "Dave|dave@example.com|2026-03-07T08:00:00+00:00|Dave|2026-03-07T08:00:00+00:00|"
        "import(cstate): Say where")


def test_a_target_edit_is_kept_unless_forced(source: Path, tmp_path: Path,
                                             git_env: dict[str, str]) -> None:
    into = tmp_path / "repo"
    _replay(source, into)
    target = into / "incidents/2026/2026-03-05-web-slow.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("Website slow", "Site slow"),
                      encoding="utf-8")
    _commit(into, git_env, "Erin", "2026-03-08T08:00:00Z", "Better title")
    path = source / "content/issues/2026-03-05-web-slow.md"
    path.write_text(WEB_SLOW + "\nMore detail.\n", encoding="utf-8")
    _commit(source, git_env, "Dave", "2026-03-09T08:00:00Z", "More detail")
    out = _replay(source, into)
    assert "  incidents/2026/2026-03-05-web-slow.yaml\n" in out and "1 skipped" in out
    assert "Site slow" in target.read_text(encoding="utf-8")
    _replay(source, into, "--force")
    assert "More detail." in target.read_text(encoding="utf-8")


def test_merged_branches_end_on_the_source_head(source: Path, tmp_path: Path,
                                                git_env: dict[str, str]) -> None:
    run_git(source, git_env, "checkout", "-q", "-b", "planned")
    planned = WEB_SLOW.replace("Website slow", "Planned restart").replace(
        "2026-03-05 11:00:00", "2026-03-20T10:00:00Z").replace(
        "2026-03-05 11:45:00", "2026-03-20T10:30:00Z")
    (source / "content/issues/2026-03-20-restart.md").write_text(planned, encoding="utf-8")
    _commit(source, git_env, "Frank", "2026-03-10T09:00:00Z", "Announce a restart")
    run_git(source, git_env, "checkout", "-q", "main")
    run_git(source, _as(git_env, "Grace"), "merge", "-q", "--no-ff", "-m", "Merge planned",
            "planned", date="2026-03-11T09:00:00Z")
    into = tmp_path / "repo"
    out = _replay(source, into, "--report-json", str(tmp_path / "report.json"))
    assert "history: 4 commit(s) replayed" in out  # the merge itself changed nothing more
    late = [g for g in report(tmp_path / "report.json")["guesses"]
            if g["kind"] == "stated-after-commit"]
    assert late and all(g["source"] == "content/issues/2026-03-20-restart.md" for g in late)
    # The replayed tree equals a plain import of the source as it is now.
    plain = run_import("cstate", str(source), "--into", str(into))
    assert "0 new, 0 overwritten, 3 unchanged, 0 skipped" in plain.output


def test_without_git_history_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site" / "issues"
    site.mkdir(parents=True)
    result = run_import("cstate", str(site.parent), "--into", str(tmp_path / "repo"),
                        "--with-history")
    assert result.exit_code == 1
    assert "is not in a git repository" in result.output
