"""`warroom import cstate` on a small messy site, each oddity checked exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_import_support import (
    FIXTURES,
    assert_valid,
    guessed,
    incidents,
    report,
    run_import,
    snapshot,
)
from warroom.importers.common import GUESS_KINDS
from warroom.importers.htmltext import neutralise_html

MESSY = FIXTURES / "cstate-messy"


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    into = tmp_path / "repo"
    result = run_import("cstate", str(MESSY), "--into", str(into), "--report-json",
                        str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.output
    return into, report(tmp_path / "report.json")


def test_every_file_becomes_a_valid_incident(imported: tuple[Path, dict]) -> None:
    into, data = imported
    assert assert_valid(into) == 14
    assert data["incidents"] == 14 and len(data["written"]) == 14
    assert data["config"] == "created"


def test_naive_unknown_offset_and_one_digit_hour(imported: tuple[Path, dict]) -> None:
    into, data = imported
    got = incidents(into)
    assert got["2026-01-05-naive"]["impact_started_at"] == "2026-01-05T10:00:00Z"
    assert got["2026-01-06-unknown-offset"]["resolved_at"] == "2026-01-06T09:05:00Z"
    assert got["2026-01-18-offset"]["impact_started_at"] == "2026-01-18T09:00:00-05:00"
    assert [g["source"] for g in guessed(data, "naive-time")] == [
        "content/issues/2026-01-05-naive.md"] * 2
    assert len(guessed(data, "unknown-offset")) == 2
    assert guessed(data, "one-digit-hour") == [{
        "source": "content/issues/2026-01-06-unknown-offset.md", "kind": "one-digit-hour",
        "message": "resolvedWhen: '2026-01-06T9:05:00-00:00' has a one-digit hour, month or "
                   "day; read as 2026-01-06T09:05:00Z"}]


def test_assume_offset_applies_to_naive_times_only(tmp_path: Path) -> None:
    into = tmp_path / "repo"
    result = run_import("cstate", str(MESSY), "--into", str(into), "--assume-offset", "+02:00")
    assert result.exit_code == 0, result.output
    got = incidents(into)
    assert got["2026-01-05-naive"]["impact_started_at"] == "2026-01-05T10:00:00+02:00"
    assert got["2026-01-06-unknown-offset"]["impact_started_at"] == "2026-01-06T08:30:00Z"


def test_bad_assume_offset_is_a_usage_error(tmp_path: Path) -> None:
    result = run_import("cstate", str(MESSY), "--into", str(tmp_path), "--assume-offset", "2h")
    assert result.exit_code == 2
    assert "is not an offset" in result.output


def test_swapped_dates(imported: tuple[Path, dict]) -> None:
    into, data = imported
    inc = incidents(into)["2026-01-07-swapped"]
    assert (inc["impact_started_at"], inc["resolved_at"]) == ("2026-01-07T10:00:00Z",
                                                              "2026-01-07T12:00:00Z")
    assert [u["at"] for u in inc["updates"]] == ["2026-01-07T10:00:00Z", "2026-01-07T12:00:00Z"]
    assert [g["source"] for g in guessed(data, "swapped-dates")] == [
        "content/issues/2026-01-07-swapped.md"]


def test_missing_commented_and_null_affected_use_the_placeholder(
        imported: tuple[Path, dict]) -> None:
    into, data = imported
    got = incidents(into)
    for iid in ("2026-01-08-no-affected", "2026-01-09-commented", "2026-01-10-null-affected"):
        assert got[iid]["components"] == [{"id": "unspecified", "impact": "degraded_performance"}]
    assert [g["message"].split(":")[0] for g in guessed(data, "missing-affected")] == [
        "affected is missing", "affected is commented out", "affected is null"]


def test_undeclared_systems_are_created_in_other(imported: tuple[Path, dict]) -> None:
    into, data = imported
    config = (into / "warroom.yaml").read_text(encoding="utf-8")
    assert "  - id: other\n    name: Other\n    components:\n" in config
    assert "      - id: legacy-db\n        name: Legacy DB\n" in config
    assert [g["message"] for g in guessed(data, "undeclared-component")] == [
        "'Legacy DB' is not declared in config.yml: created component legacy-db in the "
        "Other group"]
    # "legacy-db" is another spelling of the same component: listed once.
    assert incidents(into)["2026-01-06-unknown-offset"]["components"] == [
        {"id": "api", "impact": "partial_outage"}, {"id": "legacy-db", "impact": "partial_outage"}]
    assert len(guessed(data, "component-alias")) == 1


def test_groups_and_components_come_from_config(imported: tuple[Path, dict]) -> None:
    into, _ = imported
    config = (into / "warroom.yaml").read_text(encoding="utf-8")
    assert 'title: "Acme Status"' in config
    assert 'base_url: "https://status.acme.test/"' in config
    assert ("  - id: core\n    name: Core\n    components:\n      - id: api\n        name: API\n"
            "        description: The public REST API\n") in config


def test_severities_outside_cstate_and_file_without_date(imported: tuple[Path, dict]) -> None:
    into, data = imported
    got = incidents(into)
    assert got["2026-01-11-outage-on-checkout"]["severity"] == "SEV1"
    assert got["2026-01-11-outage-on-checkout"]["source"] == {
        "tool": "cstate", "id": "Outage on checkout",
        "url": "https://status.acme.test/issues/outage-on-checkout/"}
    assert got["2026-01-17-empty"]["severity"] == "SEV2"  # missing: the middle level
    assert len(guessed(data, "unknown-severity")) == 3
    assert len(guessed(data, "id-from-title")) == 1


def test_maintenance_open_draft_and_no_resolution_time(imported: tuple[Path, dict]) -> None:
    into, _ = imported
    got = incidents(into)
    maint = got["2026-01-12-maintenance-db"]
    assert (maint["type"], maint["status"]) == ("maintenance", "completed")
    assert maint["window"] == {"start": "2026-01-12T22:00:00Z", "end": "2026-01-12T23:00:00Z"}
    assert maint["components"] == [{"id": "api", "impact": "under_maintenance"}]
    heads_up = got["2026-01-14-open"]
    assert (heads_up["status"], heads_up["severity"]) == ("investigating", "SEV4")
    assert got["2026-01-15-draft"]["visibility"] == "internal"
    closing = got["2026-01-16-no-time"]["updates"][-1]
    assert closing == {"status": "resolved", "message": "This incident has been resolved."}


def test_no_maintenance_detection_when_asked(tmp_path: Path) -> None:
    into = tmp_path / "repo"
    run_import("cstate", str(MESSY), "--into", str(into), "--no-detect-maintenance")
    assert incidents(into)["2026-01-12-maintenance-db"]["type"] == "degradation"


def test_raw_html_is_escaped_but_markdown_and_code_kept(imported: tuple[Path, dict]) -> None:
    into, _ = imported
    message = incidents(into)["2026-01-13-raw-html"]["updates"][0]["message"]
    assert message == ("\\<script>alert(1)\\</script>\n\n"
                       "Some \\<b>bold\\</b> text, a link <https://example.com/a_b> and "
                       "`<code>` kept.\n\n```\n<div>in a fence</div>\n```")


def test_an_exact_file(imported: tuple[Path, dict]) -> None:
    into, _ = imported
    text = (into / "incidents/2026/2026-01-05-naive.yaml").read_text(encoding="utf-8")
    assert text == """\
# yaml-language-server: $schema=../../schema/incident.schema.json
id: 2026-01-05-naive
title: Slow API responses
type: degradation
severity: SEV3
status: resolved
components:
  - {id: api, impact: degraded_performance}
impact_started_at: 2026-01-05T10:00:00Z
resolved_at: 2026-01-05T11:30:00Z
updates:
  - status: investigating
    at: 2026-01-05T10:00:00Z
    message: Responses were *slow* for some customers.
  - status: resolved
    at: 2026-01-05T11:30:00Z
    message: This incident has been resolved.
source:
  tool: cstate
  id: 2026-01-05-naive
  url: https://status.acme.test/issues/2026-01-05-naive/
"""


def test_second_import_changes_nothing(imported: tuple[Path, dict], tmp_path: Path) -> None:
    into, _ = imported
    before = snapshot(into)
    result = run_import("cstate", str(MESSY), "--into", str(into), "--report-json",
                        str(tmp_path / "again.json"))
    assert result.exit_code == 0
    assert snapshot(into) == before
    again = report(tmp_path / "again.json")
    assert (len(again["unchanged"]), again["written"], again["config"]) == (14, [], "unchanged")


def test_edited_incident_is_skipped_without_force(imported: tuple[Path, dict],
                                                  tmp_path: Path) -> None:
    into, _ = imported
    path = into / "incidents/2026/2026-01-05-naive.yaml"
    edited = path.read_text(encoding="utf-8").replace("Slow API responses", "Edited by hand")
    path.write_text(edited, encoding="utf-8")
    result = run_import("cstate", str(MESSY), "--into", str(into))
    assert "skipped, as they exist with other content (--force overwrites them):\n" \
           "  incidents/2026/2026-01-05-naive.yaml\n" in result.output
    assert path.read_text(encoding="utf-8") == edited
    result = run_import("cstate", str(MESSY), "--into", str(into), "--force")
    assert "1 overwritten" in result.output
    assert "Slow API responses" in path.read_text(encoding="utf-8")


def test_merges_into_an_existing_config_keeping_comments(warroom_repo: Path) -> None:
    config = warroom_repo / "warroom.yaml"
    config.write_text("# Our own notes.\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    result = run_import("cstate", str(MESSY), "--into", str(warroom_repo))
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# Our own notes.\nsite:\n  title: Acme status\n")
    # api, checkout and web(site) exist already (by id or name): not added again.
    assert text.count("id: api") == 1 and "{id: legacy-db, name: Legacy DB}" not in text
    assert "- id: legacy-db\n" in text and "config-change: A configuration change" in text
    assert assert_valid(warroom_repo) == 14


def test_bare_issues_layout_and_missing_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MESSY / "content" / "issues", site / "issues")
    result = run_import("cstate", str(site), "--into", str(tmp_path / "repo"))
    assert result.exit_code == 0, result.output
    assert 'title: "Status"' in (tmp_path / "repo/warroom.yaml").read_text(encoding="utf-8")
    missing = run_import("cstate", str(tmp_path / "nothing"), "--into", str(tmp_path / "r2"))
    assert missing.exit_code == 1 and "no such folder" in missing.output


def test_every_guess_kind_is_documented() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "importing.md").read_text(
        encoding="utf-8")
    assert [k for k in GUESS_KINDS if f"`{k}`" not in docs] == []


def test_hostile_markdown_keeps_no_raw_html() -> None:
    from markdown_it import MarkdownIt

    hostile = (Path(__file__).resolve().parent / "fixtures" / "xss.md").read_text(
        encoding="utf-8")
    safe, count = neutralise_html(hostile)
    assert count > 5
    tokens = MarkdownIt("commonmark").parse(safe)  # raw HTML allowed: nothing may be left
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_block", "html_inline"}
