"""warroom new / update / resolve through click's runner: valid files, edits that keep
everything a person wrote, and refusals that leave the file exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from warroom.authoring.slug import new_id, slugify
from warroom.cli import cli
from warroom.repo import load_repository

NOW = "2026-11-20T08:30:00Z"
ID = "2026-11-20-checkout-errors-in-eu-west"

HAND_WRITTEN = """\
# yaml-language-server: $schema=../../schema/incident.schema.json
# Written by hand during the incident; keep these notes.
id: 2026-11-20-checkout-errors
title: "Checkout errors in eu-west"
type: outage          # outage | degradation | network | bug
severity: 'SEV2'
status: investigating # changes with every update
visibility: public
components:
  - {id: checkout, impact: major_outage}
roles: {commander: "@alice"}
impact_started_at: 2026-11-20T09:02:00+01:00   # from the payment provider's graph
summary: >
  Card payments failed for customers in Europe
  while a configuration push was rolled back.
updates:
  - status: investigating
    # the first public word
    message: |
      We are investigating failed payments in Europe.

      Next update within the hour.
    author: "@alice"

# Postmortem owner agreed in the incident channel.
postmortem: {status: draft, owner: "@carol"}
"""


def run(repo: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--root", str(repo)], input=stdin)


def hand_written(repo: Path) -> Path:
    path = repo / "incidents" / "2026" / "2026-11-20-checkout-errors.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def test_slugs_and_unique_ids() -> None:
    assert slugify("Checkout errors in EU-West!") == "checkout-errors-in-eu-west"
    assert slugify("Paiements refusés à Zürich") == "paiements-refuses-a-zurich"
    assert slugify("💥") == "incident"
    assert len(slugify("word " * 40)) <= 48
    day = __import__("datetime").date(2026, 11, 20)
    assert new_id(day, "DB down", set()) == "2026-11-20-db-down"
    taken = {"2026-11-20-db-down", "2026-11-20-db-down-2"}
    assert new_id(day, "DB down", taken) == "2026-11-20-db-down-3"


def test_new_writes_a_valid_file_and_prints_its_path(warroom_repo: Path) -> None:
    result = run(warroom_repo, "new", "Checkout errors in eu-west", "--severity", "SEV2",
                 "--component", "checkout:major_outage", "--commander", "@alice",
                 "-m", "Payments fail in Europe.", "--now", NOW)
    assert result.exit_code == 0, result.output
    path = warroom_repo / "incidents" / "2026" / f"{ID}.yaml"
    assert result.stdout.strip().endswith(f"incidents/2026/{ID}.yaml")
    assert path.read_text(encoding="utf-8") == f"""\
# yaml-language-server: $schema=../../schema/incident.schema.json
id: {ID}
title: Checkout errors in eu-west
type: outage
severity: SEV2
status: investigating
visibility: public
components:
  - {{id: checkout, impact: major_outage}}
roles: {{commander: '@alice'}}
updates:
  - status: investigating
    message: Payments fail in Europe.
"""
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    assert [i.id for i in repo.incidents] == [ID]


def test_new_ids_are_unique_and_dated_in_the_site_time_zone(warroom_repo: Path) -> None:
    # 23:30 UTC is already the next day in Europe/Paris, the site's zone.
    late = "2026-11-20T23:30:00Z"
    for _ in range(3):
        result = run(warroom_repo, "new", "DB down", "--severity", "SEV1", "--now", late)
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (warroom_repo / "incidents" / "2026").iterdir())
    assert names == ["2026-11-21-db-down-2.yaml", "2026-11-21-db-down-3.yaml",
                     "2026-11-21-db-down.yaml"]
    first = (warroom_repo / "incidents/2026/2026-11-21-db-down.yaml").read_text()
    assert "message: We are investigating reports of problems.\n" in first


def test_new_quotes_what_yaml_1_1_would_misread(warroom_repo: Path) -> None:
    result = run(warroom_repo, "new", "yes", "--severity", "SEV3", "-m", "on", "--now", NOW)
    assert result.exit_code == 0, result.output
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    assert repo.incidents[0].title == "yes"
    assert repo.incidents[0].updates[0].message == "on"


def test_new_maintenance(warroom_repo: Path) -> None:
    result = run(warroom_repo, "new", "Database upgrade", "--maintenance", "--component", "api",
                 "--start", "2026-11-21T22:00:00+01:00", "--end", "2026-11-21T23:00:00+01:00",
                 "--now", NOW)
    assert result.exit_code == 0, result.output
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    (incident,) = repo.incidents
    assert (incident.type, incident.status, incident.severity) == ("maintenance", "scheduled",
                                                                   "SEV3")
    assert incident.components[0].impact == "under_maintenance"
    assert incident.window is not None and incident.window.start.hour == 22


@pytest.mark.parametrize(("args", "expected"), [
    (["--severity", "SEV9", "--component", "checkout:major_outage"],
     "severity 'SEV9' is not declared in warroom.yaml"),
    (["--severity", "SEV2", "--component", "billing:major_outage"],
     "component 'billing' is not declared"),
    (["--severity", "SEV2", "--commander", "@not a handle"], "bad-format"),
])
def test_new_refuses_an_invalid_file_and_writes_nothing(warroom_repo: Path, args: list[str],
                                                        expected: str) -> None:
    result = run(warroom_repo, "new", "Checkout errors", *args, "--now", NOW)
    assert result.exit_code == 1
    assert expected in result.output
    assert "incidents/2026/2026-11-20-checkout-errors.yaml:" in result.output  # file:line:col
    assert "nothing was written" in result.output
    assert list((warroom_repo / "incidents" / "2026").iterdir()) == []


def test_new_usage_errors(warroom_repo: Path) -> None:
    assert run(warroom_repo, "new", "x y z").exit_code == 2  # no severity
    assert run(warroom_repo, "new", "x y z", "--severity", "SEV2", "--component",
               "checkout").exit_code == 1  # no impact
    assert run(warroom_repo, "new", "x y z", "--maintenance").exit_code == 2  # no window


def test_update_then_resolve(warroom_repo: Path) -> None:
    assert run(warroom_repo, "new", "Checkout errors in eu-west", "--severity", "SEV2",
               "--component", "checkout:major_outage", "--now", NOW).exit_code == 0
    result = run(warroom_repo, "update", ID, "--status", "identified", "--severity", "SEV1",
                 "--component", "api:degraded_performance", "--commander", "bob",
                 "-m", "A configuration push disabled a provider.\nRolling back.")
    assert result.exit_code == 0, result.output
    result = run(warroom_repo, "update", ID, "--internal-update", "-m", "-",
                 stdin="Rollback at 60%.\n")
    assert result.exit_code == 0, result.output
    result = run(warroom_repo, "resolve", ID, "-m", "Payments work again.")
    assert result.exit_code == 0, result.output
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    (incident,) = repo.incidents
    assert (incident.status, incident.severity, incident.commander) == ("resolved", "SEV1",
                                                                        "@bob")
    assert [(u.status, u.visibility) for u in incident.updates] == [
        ("investigating", "public"), ("identified", "public"), ("identified", "internal"),
        ("resolved", "public")]
    assert incident.updates[1].message == "A configuration push disabled a provider.\n" \
                                          "Rolling back.\n"
    assert [(c.id, c.impact) for c in incident.components] == [
        ("checkout", "major_outage"), ("api", "degraded_performance")]


def test_update_unknown_id_suggests_the_closest(warroom_repo: Path) -> None:
    hand_written(warroom_repo)
    result = run(warroom_repo, "update", "2026-11-20-checkout-error", "-m", "x")
    assert result.exit_code == 1
    assert "did you mean 2026-11-20-checkout-errors?" in result.output


def test_edit_keeps_every_line_outside_the_change(warroom_repo: Path) -> None:
    path = hand_written(warroom_repo)
    result = run(warroom_repo, "update", "2026-11-20-checkout-errors", "--status", "identified",
                 "--severity", "SEV1", "-m", "A configuration push disabled a provider.")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8").splitlines()
    before = HAND_WRITTEN.splitlines()
    # Exactly: two values changed in place (quoting and comment column kept), two lines
    # inserted after the last update; every other line is byte for byte the same.
    expected = list(before)
    expected[5] = "severity: 'SEV1'"
    expected[6] = "status: identified    # changes with every update"
    at = before.index('    author: "@alice"') + 1
    expected[at:at] = ["  - status: identified",
                       "    message: A configuration push disabled a provider."]
    assert after == expected
    assert load_repository(warroom_repo).problems == []


def test_round_trip_versus_a_plain_dump(warroom_repo: Path) -> None:
    """What a plain PyYAML load-and-dump would do to the same file: the reason for ruamel."""
    path = hand_written(warroom_repo)
    data = yaml.safe_load(HAND_WRITTEN)
    data["status"] = "identified"
    data["updates"].append({"status": "identified", "message": "Found it."})
    plain = yaml.safe_dump(data, sort_keys=False)
    assert "#" not in plain  # every comment is gone
    assert "'SEV2'" not in plain and "severity: SEV2" in plain  # quoting lost
    assert "message: |" not in plain  # the block scalar became a quoted string
    assert "impact_started_at: 2026-11-20 09:02:00+01:00" in plain  # a datetime, T gone
    assert "components:\n- id: checkout\n  impact: major_outage\n" in plain  # flow style lost
    assert run(warroom_repo, "update", "2026-11-20-checkout-errors", "--status", "identified",
               "-m", "Found it.").exit_code == 0
    ours = path.read_text(encoding="utf-8")
    for line in ("# Written by hand during the incident; keep these notes.",
                 "severity: 'SEV2'", "    message: |",
                 "impact_started_at: 2026-11-20T09:02:00+01:00   # from the payment "
                 "provider's graph", "# Postmortem owner agreed in the incident channel."):
        assert line in ours.splitlines()


@pytest.mark.parametrize("args", [
    ["--status", "scheduled"],  # a maintenance status on an incident
    ["--severity", "SEV9"],
    ["--component", "billing:major_outage"],
    ["--commander", "@not valid"],
])
def test_invalid_update_leaves_the_file_exactly_as_it_was(warroom_repo: Path,
                                                          args: list[str]) -> None:
    path = hand_written(warroom_repo)
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    before = path.read_bytes()
    result = run(warroom_repo, "update", "2026-11-20-checkout-errors", *args, "-m", "x")
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    assert "incidents/2026/2026-11-20-checkout-errors.yaml:" in result.output
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == 1_700_000_000_000_000_000
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left


def test_resolved_stays_resolved(warroom_repo: Path) -> None:
    path = hand_written(warroom_repo)
    result = run(warroom_repo, "resolve", "2026-11-20-checkout-errors", "-m", "Fixed.")
    assert result.exit_code == 0, result.output
    before = path.read_bytes()
    result = run(warroom_repo, "update", "2026-11-20-checkout-errors", "--status",
                 "identified", "-m", "It is back.")
    assert result.exit_code == 1
    assert "a closed incident stays closed" in result.output
    assert path.read_bytes() == before


def test_maintenance_progress_and_completion(warroom_repo: Path) -> None:
    assert run(warroom_repo, "new", "Database upgrade", "--maintenance", "--component", "api",
               "--start", "2026-11-21T22:00:00Z", "--end", "2026-11-21T23:00:00Z",
               "--now", NOW).exit_code == 0
    mid = "2026-11-20-database-upgrade"
    assert run(warroom_repo, "update", mid, "--status", "in_progress",
               "-m", "Started.").exit_code == 0
    assert run(warroom_repo, "resolve", mid, "-m", "Done.").exit_code == 0
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    assert [u.status for u in repo.incidents[0].updates] == ["scheduled", "in_progress",
                                                            "completed"]
    assert repo.incidents[0].status == "completed"


def test_empty_message_is_refused(warroom_repo: Path) -> None:
    hand_written(warroom_repo)
    result = run(warroom_repo, "update", "2026-11-20-checkout-errors", "-m", "-", stdin="\n")
    assert result.exit_code == 1
    assert "the message is empty" in result.output


def test_security_incident_states_personal_data(warroom_repo: Path) -> None:
    result = run(warroom_repo, "new", "Credential stuffing on login", "--type", "security",
                 "--severity", "SEV1", "--component", "web:partial_outage", "--now", NOW)
    assert result.exit_code == 0, result.output
    result = run(warroom_repo, "new", "Exports lost", "--type", "data-loss", "--severity",
                 "SEV1", "--personal-data", "yes", "--now", NOW)
    assert result.exit_code == 0, result.output
    repo = load_repository(warroom_repo)
    assert repo.problems == []
    found = {i.type: i.regulatory.personal_data for i in repo.incidents if i.regulatory}
    assert found == {"security": "unknown", "data-loss": "yes"}
