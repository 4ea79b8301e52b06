"""`warroom import statuspage` on small API exports with each shape and oddity."""

from __future__ import annotations

import json
from pathlib import Path

from test_import_support import FIXTURES, assert_valid, guessed, incidents, report, run_import
from warroom.importers.htmltext import html_to_markdown

SP = FIXTURES / "statuspage"


def _import(tmp_path: Path, source: Path) -> tuple[Path, dict]:
    into = tmp_path / "repo"
    result = run_import("statuspage", str(source), "--into", str(into), "--report-json",
                        str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.output
    return into, report(tmp_path / "report.json")


def test_incidents_json(tmp_path: Path) -> None:
    into, data = _import(tmp_path, SP / "incidents.json")
    assert assert_valid(into) == 4
    got = incidents(into)
    login = got["2026-02-01-login-failures"]
    assert [(u["status"], u["at"]) for u in login["updates"]] == [
        ("investigating", "2026-02-01T10:00:00Z"), ("monitoring", "2026-02-01T10:40:00Z"),
        ("investigating", "2026-02-01T11:00:00Z"), ("resolved", "2026-02-01T12:00:00Z")]
    assert login["components"] == [{"id": "api", "impact": "major_outage"}]  # the worst
    assert (login["impact_started_at"], login["mitigated_at"], login["resolved_at"]) == (
        "2026-02-01T09:50:00Z", "2026-02-01T10:30:00Z", "2026-02-01T12:00:00Z")
    assert login["source"] == {"tool": "statuspage", "id": "reopened01",
                               "url": "https://status.acme.test/incidents/reopened01"}
    assert len(guessed(data, "reopened")) == 1


def test_postmortem_and_components_from_names(tmp_path: Path) -> None:
    into, data = _import(tmp_path, SP / "incidents.json")
    db = incidents(into)["2026-02-03-database-outage"]
    assert (db["severity"], db["status"]) == ("SEV1", "resolved")
    assert db["postmortem"] == {"status": "published", "body": "The primary **failed over**."
                                "\n\n- Alerting was late\n- Runbook missing"}
    assert [u["status"] for u in db["updates"]] == ["identified", "resolved"]
    assert db["components"] == [{"id": "database", "impact": "major_outage"}]
    assert "- id: database\n        name: Database\n" in (into / "warroom.yaml").read_text(
        encoding="utf-8")
    assert len(guessed(data, "undeclared-component")) == 1


def test_html_is_converted_never_passed_through(tmp_path: Path) -> None:
    into, _ = _import(tmp_path, SP / "incidents.json")
    message = incidents(into)["2026-02-04-hostile-b-body-b"]["updates"][0]["message"]
    assert message == ("See this and [that](https://acme.test/x_y).\\\n"
                       "\\<img src=x onerror=alert(1)> \\* not a list")


def test_maintenance_in_progress(tmp_path: Path) -> None:
    into, _ = _import(tmp_path, SP / "incidents.json")
    maint = incidents(into)["2026-02-06-network-maintenance"]
    assert (maint["type"], maint["status"], maint["severity"]) == ("maintenance", "scheduled",
                                                                   "SEV4")
    assert maint["window"] == {"start": "2026-02-07T22:00:00Z", "end": "2026-02-08T02:00:00Z"}
    assert [u["status"] for u in maint["updates"]] == ["scheduled", "in_progress",
                                                       "in_progress"]
    assert maint["components"] == [{"id": "website", "impact": "under_maintenance"}]


def test_summary_json_with_groups_open_incident_and_upcoming_maintenance(
        tmp_path: Path) -> None:
    into, data = _import(tmp_path, SP / "summary.json")
    assert assert_valid(into) == 2
    config = (into / "warroom.yaml").read_text(encoding="utf-8")
    assert ("  - id: core-services\n    name: Core services\n    components:\n"
            "      - id: api\n        name: API\n        description: REST API\n") in config
    assert 'title: "Acme status"' in config
    got = incidents(into)
    assert got["2026-03-01-slow-api"]["status"] == "identified"
    upgrade = got["2026-03-01-planned-upgrade"]
    assert upgrade["window"] == {"start": "2026-03-10T22:00:00Z", "end": "2026-03-10T23:00:00Z"}
    assert {g["kind"] for g in data["guesses"]} == {"window-fixed", "empty-body"}


def test_folder_of_files_and_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    listed = json.loads((SP / "incidents.json").read_text(encoding="utf-8"))
    page = listed["page"]
    for inc in listed["incidents"]:
        (folder / f"{inc['id']}.json").write_text(json.dumps({"page": page, "incident": inc}),
                                                  encoding="utf-8")
    newer = dict(listed["incidents"][0], name="Login failures (edited)",
                 updated_at="2026-02-09T00:00:00.000Z")
    (folder / "zz-again.json").write_text(json.dumps({"incident": newer}), encoding="utf-8")
    (folder / "status.json").write_text('{"status": {"indicator": "none"}}', encoding="utf-8")
    into, data = _import(tmp_path, folder)
    assert assert_valid(into) == 4
    assert "2026-02-01-login-failures-edited" in incidents(into)
    assert len(guessed(data, "duplicate-incident")) == 1


def test_twice_changes_nothing_and_force(tmp_path: Path) -> None:
    into, _ = _import(tmp_path, SP / "incidents.json")
    path = into / "incidents/2026/2026-02-03-database-outage.yaml"
    first = path.read_bytes()
    again = run_import("statuspage", str(SP / "incidents.json"), "--into", str(into))
    assert "0 new, 0 overwritten, 4 unchanged, 0 skipped" in again.output
    path.write_text("# mine\n" + first.decode(), encoding="utf-8")
    kept = run_import("statuspage", str(SP / "incidents.json"), "--into", str(into))
    assert "1 skipped" in kept.output and path.read_bytes() != first
    forced = run_import("statuspage", str(SP / "incidents.json"), "--into", str(into),
                        "--force")
    assert "1 overwritten" in forced.output and path.read_bytes() == first


def test_bad_json_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "incidents.json"
    bad.write_text('{"incidents": [\n  {"id": 1,}\n]}', encoding="utf-8")
    result = run_import("statuspage", str(bad), "--into", str(tmp_path / "repo"))
    assert result.exit_code == 1
    assert "incidents.json:2:12: not valid JSON" in result.output


def test_html_to_markdown_shapes() -> None:
    assert html_to_markdown("<ol><li>one</li><li>two<ul><li>sub</li></ul></li></ol>") == (
        "1. one\n2. two\n   - sub")
    assert html_to_markdown("<h2>Title</h2><p>a &amp; b</p><pre>x &lt; y</pre>") == (
        "## Title\n\na & b\n\n```\nx < y\n```")
    assert html_to_markdown('<a href="https://a.test/(x)">q</a>') == "[q](<https://a.test/(x)>)"
    assert html_to_markdown("Line one\n\n# not a heading\n1. not a list") == (
        "Line one\n\n\\# not a heading\n1\\. not a list")
    assert html_to_markdown("<style>p{}</style><em>x</em> see https://a.test/a_b.") == (
        "*x* see <https://a.test/a_b>.")
