"""Both importers on real data: 297 cState incidents (Jenkins) and 178 Statuspage ones (GitHub).

Each data set is imported once per module; the tests then check counts, every date against
the source, the guess report against the oddities the data is known to hold, idempotence,
--force and the site build.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import SHARED_DATA
from test_import_support import (
    assert_valid,
    guessed,
    incidents,
    report,
    run_import,
    snapshot,
)
from warroom.cli import cli

CSTATE = SHARED_DATA / "cstate-jenkins-infra"
STATUSPAGE = SHARED_DATA / "statuspage-github" / "incidents"


def test_the_real_data_is_all_here() -> None:
    # Never skip: the copy in tests/data is part of the repository.
    assert len(list((CSTATE / "issues").glob("*.md"))) == 297
    assert len(list(STATUSPAGE.glob("*.json"))) == 178

SWAPPED = {"2021-09-23-puppet-outage", "2021-11-18-jenkins-io-outage", "2022-06-13-repo-slow",
           "2023-02-23-maintenance-aks-k8s-1-24", "2023-06-02-trusted.ci-migration-to-azure",
           "2023-12-06-systempool-tainted", "2024-06-05-RPU-trusted",
           "2026-04-29-ci-maintenance-sec-advisory"}
NO_AFFECTED = {"2023-03-28-new-signing-key", "2023-11-06-cert-manager-arm64-migration",
               "2023-11-06-datadog-cluster-agent-arm64-migration",
               "2024-07-02-weekly-core-release-2.465-failed",
               "2026-06-03-maintenance-azure-publick8s-1-34"}


def _import(tmp: Path, tool: str, source: Path) -> tuple[Path, dict[str, Any]]:
    into = tmp / "repo"
    result = run_import(tool, str(source), "--into", str(into), "--report-json",
                        str(tmp / "report.json"))
    assert result.exit_code == 0, result.output
    return into, report(tmp / "report.json")


@pytest.fixture(scope="module")
def jenkins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _import(tmp_path_factory.mktemp("cstate"), "cstate", CSTATE)


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _import(tmp_path_factory.mktemp("statuspage"), "statuspage", STATUSPAGE)


def _front(path: Path) -> dict[str, str]:
    """The source front matter, read here independently of the importer (strings only)."""
    head = path.read_text(encoding="utf-8").split("---")[1]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^(\w+):[ \t]*(.*)$", head,
                                                                  re.MULTILINE)}


def _utc(text: str) -> datetime:
    text = re.sub(r"T(\d):", r"T0\1:", text.replace(" ", "T"))
    moment = datetime.fromisoformat(text.replace("-00:00", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- cState: Jenkins ------------------------------------------------------------------------

def test_cstate_every_incident_imported_and_valid(jenkins: tuple[Path, dict]) -> None:
    into, data = jenkins
    sources = sorted(p.stem for p in (CSTATE / "issues").glob("*.md"))
    assert len(sources) == 297 and data["incidents"] == 297 and len(data["written"]) == 297
    assert assert_valid(into) == 297
    got = incidents(into)
    assert sorted(i["source"]["id"] for i in got.values()) == sources
    assert {i["status"] for i in got.values()} == {"resolved", "completed"}


def test_cstate_every_date_matches_the_source(jenkins: tuple[Path, dict]) -> None:
    into, _ = jenkins
    by_source = {i["source"]["id"]: i for i in incidents(into).values()}
    for path in sorted((CSTATE / "issues").glob("*.md")):
        front = _front(path)
        start, end = _utc(front["date"]), _utc(front["resolvedWhen"])
        if end < start:
            start, end = end, start
        inc = by_source[path.stem]
        if inc["type"] == "maintenance":
            got_start = inc["window"]["start"]
            got_end = inc["updates"][-1]["at"]
        else:
            got_start, got_end = inc["impact_started_at"], inc["resolved_at"]
        assert (_utc(got_start), _utc(got_end)) == (start, end), path.name


def test_cstate_a_sample_exactly(jenkins: tuple[Path, dict]) -> None:
    into, _ = jenkins
    text = (into / "incidents/2020/2020-12-08-maintenance-publick8s.yaml").read_text(
        encoding="utf-8")
    assert text == """\
# yaml-language-server: $schema=../../schema/incident.schema.json
id: 2020-12-08-maintenance-publick8s
title: AKS publick8s version update
type: degradation
severity: SEV3
status: resolved
components:
  - {id: publick8s, impact: degraded_performance}
impact_started_at: 2020-12-07T13:00:00Z
resolved_at: 2020-12-07T14:00:00Z
updates:
  - status: investigating
    at: 2020-12-07T13:00:00Z
    message: We'll do an AKS cluster upgrade.
  - status: resolved
    at: 2020-12-07T14:00:00Z
    message: This incident has been resolved.
source:
  tool: cstate
  id: 2020-12-08-maintenance-publick8s
  url: https://status.jenkins.io/issues/2020-12-08-maintenance-publick8s/
"""


def test_cstate_report_names_each_oddity(jenkins: tuple[Path, dict]) -> None:
    _, data = jenkins

    def sources(kind: str) -> set[str]:
        return {Path(g["source"]).stem for g in guessed(data, kind)}

    fronts = {p.stem: _front(p) for p in (CSTATE / "issues").glob("*.md")}
    naive = {s for s, f in fronts.items()
             if any(not re.search(r"(Z|[+-]\d\d:\d\d)$", f[k]) for k in ("date", "resolvedWhen"))}
    one_digit = {s for s, f in fronts.items()
                 if any(re.search(r"T\d:", f[k]) for k in ("date", "resolvedWhen"))}
    unknown = sum(f[k].endswith("-00:00") for f in fronts.values()
                  for k in ("date", "resolvedWhen"))
    assert sources("naive-time") == naive and len(naive) == 11
    assert len(guessed(data, "unknown-offset")) == unknown == 571
    assert sources("one-digit-hour") == one_digit and len(one_digit) == 7
    assert sources("swapped-dates") == SWAPPED
    assert sources("missing-affected") == NO_AFFECTED


def test_cstate_undeclared_systems_are_created(jenkins: tuple[Path, dict]) -> None:
    into, data = jenkins
    config = yaml.safe_load((CSTATE / "config.yml").read_text(encoding="utf-8"))
    declared = {s["name"] for s in config["params"]["systems"]}
    affected: set[str] = set()
    for path in (CSTATE / "issues").glob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        affected.update(front.get("affected") or [])
    undeclared = affected - declared
    assert len(undeclared) == 78
    named = {re.match(r"'(.*)' ", g["message"]).group(1)  # type: ignore[union-attr]
             for kind in ("undeclared-component", "component-alias")
             for g in guessed(data, kind)}
    assert named == undeclared
    warroom_yaml = yaml.safe_load((into / "warroom.yaml").read_text(encoding="utf-8"))
    groups = {g["id"]: len(g["components"]) for g in warroom_yaml["groups"]}
    # 14 declared systems in 5 categories (one holds none), created ones plus the placeholder.
    assert groups == {"a-f": 2, "g-l": 4, "m-r": 3, "s-x": 5, "other": 75}


def test_cstate_twice_changes_nothing_and_skips_edits(jenkins: tuple[Path, dict],
                                                 tmp_path: Path) -> None:
    into, _ = jenkins
    before = snapshot(into)
    again = run_import("cstate", str(CSTATE), "--into", str(into))
    assert "0 new, 0 overwritten, 297 unchanged, 0 skipped" in again.output
    assert snapshot(into) == before
    path = into / "incidents/2021/2021-09-23-puppet-outage.yaml"
    path.write_text(before[path.relative_to(into).as_posix()].decode() + "# note\n",
                    encoding="utf-8")
    kept = run_import("cstate", str(CSTATE), "--into", str(into))
    assert "296 unchanged, 1 skipped" in kept.output
    assert "incidents/2021/2021-09-23-puppet-outage.yaml" in kept.output
    path.write_bytes(before[path.relative_to(into).as_posix()])


# --- Statuspage: GitHub ---------------------------------------------------------------------

def _source_incidents() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(STATUSPAGE.glob("*.json")):
        inc = json.loads(path.read_text(encoding="utf-8"))["incident"]
        out[inc["id"]] = inc
    return out


def test_statuspage_every_incident_imported_and_valid(github: tuple[Path, dict]) -> None:
    into, data = github
    assert data["incidents"] == 178 and len(data["written"]) == 178
    assert assert_valid(into) == 178
    got = incidents(into)
    assert sorted(i["source"]["id"] for i in got.values()) == sorted(_source_incidents())


def test_statuspage_update_times_are_display_at(github: tuple[Path, dict]) -> None:
    into, _ = github
    source = _source_incidents()
    for inc in incidents(into).values():
        src = source[inc["source"]["id"]]
        shown = sorted(u["display_at"] for u in src["incident_updates"])
        got = [u["at"] for u in inc["updates"]]
        assert [_utc(t) for t in got] == [_utc(t) for t in shown], inc["id"]
        assert _utc(inc["resolved_at"]) == _utc(src["resolved_at"])


def test_statuspage_backdated_sample_exactly(github: tuple[Path, dict]) -> None:
    into, data = github
    inc = incidents(into)["2011-07-28-incident-on-2011-07-28-03-06-00-utc"]
    assert inc["updates"] == [{
        "status": "resolved", "at": "2011-07-28T03:06:00Z",
        "message": "- **2011-07-28 03:06:00** - One of our file servers failed over and we "
                   "had a brief hiccup in availability. Continuing to investigate.\n"
                   "- **2011-07-28 05:43:00** - Our fileserver issues have been fully "
                   "resolved!"}]
    assert inc["impact_started_at"] == inc["resolved_at"] == "2011-07-28T03:06:00Z"
    assert inc["components"] == [{"id": "git-operations", "impact": "degraded_performance"}]
    assert "01sqkcp7z62r.json" in {g["source"] for g in guessed(data, "backdated-update")}


def test_statuspage_zero_duration_kept_and_no_html(github: tuple[Path, dict]) -> None:
    into, data = github
    source = _source_incidents()
    zero = {k for k, v in source.items() if v["resolved_at"] == v["started_at"]}
    assert len(zero) == 22
    got = {i["source"]["id"]: i for i in incidents(into).values()}
    for key in zero:
        assert got[key]["resolved_at"] == got[key]["impact_started_at"]
    texts = [u["message"] for i in got.values() for u in i["updates"]]
    assert not [t for t in texts if re.search(r"<(?!https?://)[a-z/]", t)]
    assert len(guessed(data, "html-converted")) == 21


def test_statuspage_twice_changes_nothing(github: tuple[Path, dict]) -> None:
    into, _ = github
    before = snapshot(into)
    again = run_import("statuspage", str(STATUSPAGE), "--into", str(into))
    assert "0 new, 0 overwritten, 178 unchanged, 0 skipped" in again.output
    assert snapshot(into) == before


# --- the site builds from both ----------------------------------------------------------------

@pytest.mark.parametrize("which", ["jenkins", "github"])
def test_site_builds_from_the_import(which: str, request: pytest.FixtureRequest,
                                     tmp_path: Path) -> None:
    into, data = request.getfixturevalue(which)
    out = tmp_path / "site"
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1782864000"}).invoke(
        cli, ["build", "--root", str(into), "--out", str(out), "--format", "text"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    pages = {p.parent.name for p in (out / "incidents").glob("*/index.html")}
    assert len(pages) == data["incidents"]
    assert (out / "index.html").is_file()


def test_timestamps_helper_sanity() -> None:
    assert _utc("2025-09-17T9:30:00-00:00") == datetime(2025, 9, 17, 9, 30, tzinfo=UTC)
    assert _utc("2020-06-13 15:54:00") - _utc("2020-06-13T15:54:00Z") == timedelta(0)
