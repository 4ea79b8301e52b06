"""`warroom new --from-issue`: issue-form bodies as GitHub renders them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from warroom.authoring.issueform import checked, from_issue, parse_body, parse_since
from warroom.cli import cli
from warroom.errors import WarroomError
from warroom.repo import load_config, load_repository

FORMS = ROOT / "tests" / "fixtures" / "issue_forms"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def body(name: str) -> str:
    return (FORMS / name).read_bytes().decode("utf-8")


def test_parse_every_answer_of_a_full_form() -> None:
    answers = parse_body(body("full.md"))
    assert answers == {
        "components": "Checkout, API",
        "description": 'Every card payment fails with "Payment could not be processed" on '
                       "the checkout page.\nCustomers on the phone say the same since this "
                       "morning.",
        "since": "2026-11-20 09:05 +01:00",
        "who": "All customers",
        "severity": "SEV1: Critical",
        "data": "- [X] Customer or personal data may have been exposed, changed or lost",
        "contact": "jane.doe@acme.example, or +33 1 23 45 67 89",
    }
    assert checked(answers["data"]) == [
        "Customer or personal data may have been exposed, changed or lost"]


def test_empty_optional_fields_are_none() -> None:
    answers = parse_body(body("minimal.md"))
    assert answers["since"] is None and answers["contact"] is None
    assert checked(answers["data"]) == []


def test_crlf_and_headings_inside_an_answer() -> None:
    answers = parse_body(body("crlf_internal.md"))
    # "### Steps" is not a field of the form: it stays part of the description.
    assert answers["description"] == ("Our own sales team cannot open the back office.\n\n"
                                       "### Steps\n\n1. Log in\n2. Click *Orders*")
    assert answers["since"] == "about 20 minutes ago"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-20 09:05 +01:00", "2026-11-20T08:05:00+00:00"),
    ("2026-11-20T09:05:00+0100", "2026-11-20T08:05:00+00:00"),
    ("2026-11-20 9:05", "2026-11-20T08:05:00+00:00"),  # the site's zone, Europe/Paris
    ("since 2026-11-20 08:30 UTC", "2026-11-20T08:30:00+00:00"),
    ("2026-11-20 04:00 America/New_York", "2026-11-20T09:00:00+00:00"),
    ("2026-11-20 12:00 UTC", None),  # after now: a stated time cannot follow its record
    ("about 20 minutes ago", None),
    ("2026-13-45 09:00", None),
    (None, None),
])
def test_since(text: str | None, expected: str | None) -> None:
    found = parse_since(text, "Europe/Paris", NOW)
    assert (found.astimezone(UTC).isoformat() if found else None) == expected


def test_full_form_becomes_a_security_incident(warroom_repo: Path) -> None:
    config, _, _ = load_config(warroom_repo)
    assert config is not None
    new = from_issue(body("full.md"), config, NOW, title="[Incident]: Card payments fail",
                     reporter="@jdoe", url="https://github.com/acme/status/issues/12",
                     number="12")
    assert new.title == "Card payments fail"
    assert new.severity == "SEV1"
    assert new.type == "security" and new.personal_data == "suspected"
    assert new.components == (("checkout", "major_outage"), ("api", "major_outage"))
    assert not new.internal
    assert new.impact_started_at == datetime(2026, 11, 20, 8, 5, tzinfo=UTC)
    assert new.source == {"tool": "github-issue", "id": "12",
                          "url": "https://github.com/acme/status/issues/12"}
    (note,) = new.notes
    assert note.visibility == "internal" and note.author == "@jdoe"
    assert note.message.startswith("Reported by @jdoe in https://github.com/acme/status/"
                                   "issues/12 through the incident form.\n\nEvery card")
    assert "- Contact: jane.doe@acme.example, or +33 1 23 45 67 89" in note.message


def test_unknown_components_and_severity_by_name(warroom_repo: Path) -> None:
    config, _, _ = load_config(warroom_repo)
    assert config is not None
    new = from_issue(body("unknown_component.md"), config, NOW)
    assert new.title == "$ curl https://api.acme.example/v1/health"
    assert new.severity == "SEV1"
    assert new.components == (("api", "partial_outage"),)
    assert "- Also broken: Mobile app" in new.notes[0].message
    assert new.source == {}


def test_not_a_form_and_unknown_severity(warroom_repo: Path) -> None:
    config, _, _ = load_config(warroom_repo)
    assert config is not None
    with pytest.raises(WarroomError, match="no '### ' answers"):
        from_issue(body("not_a_form.md"), config, NOW)
    bad = body("minimal.md").replace("SEV3: Minor", "SEV7: Apocalyptic")
    with pytest.raises(WarroomError, match="names no severity; expected one of SEV1, SEV2"):
        from_issue(bad, config, NOW)


@pytest.mark.parametrize("name", ["full.md", "minimal.md", "crlf_internal.md",
                                  "unknown_component.md"])
def test_cli_writes_a_valid_incident(warroom_repo: Path, name: str) -> None:
    result = CliRunner().invoke(cli, [
        "new", "--from-issue", "-", "--reporter", "jdoe", "--issue-number", "7",
        "--issue-url", "https://github.com/acme/status/issues/7", "--now", NOW.isoformat(),
        "--root", str(warroom_repo), "--", "[Incident]: Something is off"], input=body(name))
    assert result.exit_code == 0, result.output
    repo = load_repository(warroom_repo)
    assert [p for p in repo.problems if p.level.name == "ERROR"] == []
    (incident,) = repo.incidents
    assert incident.id == "2026-11-20-something-is-off"
    assert incident.updates[0].public and incident.updates[0].message.startswith(
        "We are investigating reports of problems")
    assert incident.updates[1].visibility == "internal"
    assert incident.updates[1].author == "@jdoe"
    assert incident.source is not None and incident.source.id == "7"


def test_cli_from_stdin(warroom_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "--from-issue", "-", "--now", NOW.isoformat(),
                                      "--root", str(warroom_repo)], input=body("minimal.md"))
    assert result.exit_code == 0, result.output
    (incident,) = load_repository(warroom_repo).incidents
    assert incident.title == "The pricing page is blank."
    assert incident.components[0].id == "web"
    assert incident.components[0].impact == "degraded_performance"


def test_the_repository_form_lists_its_components() -> None:
    """The committed form is what `warroom init --refresh-issue-form` writes from this
    repository's warroom.yaml; rerun that command after changing components."""
    from warroom.scaffold import ISSUE_FORM, issue_form

    config, _, _ = load_config(ROOT)
    assert config is not None
    assert (ROOT / ISSUE_FORM).read_text(encoding="utf-8") == issue_form(config)
