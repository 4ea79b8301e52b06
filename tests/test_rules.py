"""Semantic rules: what they must accept as much as what they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG
from warroom.config import Config
from warroom.repo import check_incident_bytes, config_from_bytes

HEAD = """\
id: 2026-03-02-checkout
title: Checkout errors
type: {type}
severity: SEV2
status: {status}
components:
  - id: checkout
    impact: {impact}
"""


@pytest.fixture(scope="module")
def config() -> Config:
    found, _, problems = config_from_bytes(Path("/repo"), MINIMAL_CONFIG.encode(), [])
    assert found is not None and problems == []
    return found


def codes(text: str, config: Config | None,
          path: str = "incidents/2026/2026-03-02-checkout.yaml") -> list[str]:
    _, _, problems = check_incident_bytes(text.encode(), path, config)
    return [p.code for p in problems]


def incident(statuses: list[str], status: str | None = None, type_: str = "outage",
             extra: str = "") -> str:
    impact = "under_maintenance" if type_ == "maintenance" else "major_outage"
    text = HEAD.format(type=type_, status=status or statuses[-1], impact=impact) + extra
    text += "updates:\n" + "".join(f"  - status: {s}\n    message: m\n" for s in statuses)
    return text


WINDOW = "window: {start: 2026-06-10T22:00:00Z, end: 2026-06-10T23:00:00Z}\n"


@pytest.mark.parametrize("statuses", [
    ["investigating"],
    ["identified", "resolved"],
    ["investigating", "monitoring", "investigating", "identified", "resolved"],
    ["investigating", "investigating", "canceled"],
    ["resolved"],
])
def test_legal_incident_lifecycles(statuses: list[str], config: Config) -> None:
    assert codes(incident(statuses), config) == []


@pytest.mark.parametrize(("statuses", "status"), [
    (["scheduled"], "scheduled"),
    (["scheduled", "in_progress"], "scheduled"),  # in progress follows from the window
    (["scheduled", "in_progress", "completed"], "completed"),
    (["scheduled", "canceled"], "canceled"),
])
def test_legal_maintenance_lifecycles(statuses: list[str], status: str,
                                      config: Config) -> None:
    text = incident(statuses, status, "maintenance", WINDOW)
    assert codes(text, config) == []


@pytest.mark.parametrize(("statuses", "status", "expected"), [
    (["resolved", "monitoring"], None, ["bad-transition"]),
    (["canceled"], None, ["bad-transition"]),
    (["investigating", "canceled", "investigating"], None, ["bad-transition"]),
    (["investigating"], "resolved", ["missing-resolving-update"]),
    (["investigating", "identified"], "investigating", ["status-mismatch"]),
])
def test_illegal_incident_lifecycles(statuses: list[str], status: str | None,
                                     expected: list[str], config: Config) -> None:
    assert codes(incident(statuses, status), config) == expected


def test_maintenance_cannot_go_back_once_started(config: Config) -> None:
    text = incident(["scheduled", "in_progress", "scheduled"], "scheduled", "maintenance",
                    WINDOW)
    assert codes(text, config) == ["bad-transition"]


def test_updates_without_a_stated_time_do_not_break_the_order(config: Config) -> None:
    text = HEAD.format(type="outage", status="resolved", impact="major_outage") + (
        "updates:\n"
        "  - {status: investigating, message: m, at: 2026-03-02T09:00:00Z}\n"
        "  - {status: identified, message: m}\n"
        "  - {status: resolved, message: m, at: 2026-03-02T09:30:00+01:00}\n")
    assert codes(text, config) == ["update-out-of-order"]  # 09:30+01:00 is 08:30Z
    assert codes(text.replace("09:30:00+01:00", "10:00:00+01:00"), config) == []


def test_equal_stated_times_are_in_order(config: Config) -> None:
    extra = ("detected_at: 2026-03-02T09:00:00Z\nmitigated_at: 2026-03-02T10:00:00+01:00\n"
             "resolved_at: 2026-03-02T09:00:00Z\n")
    assert codes(incident(["resolved"], extra=extra), config) == []


def test_a_security_incident_without_personal_data(config: Config) -> None:
    text = incident(["resolved"], type_="security", extra='regulatory: {personal_data: "no"}\n')
    assert codes(text, config) == []


def test_without_a_valid_config_references_are_not_checked() -> None:
    text = incident(["resolved"]).replace("id: checkout", "id: nowhere")
    assert codes(text, None) == []


def test_a_folder_other_than_a_year_is_not_judged(config: Config) -> None:
    text = incident(["resolved"])
    assert codes(text, config, "elsewhere/2026-03-02-checkout.yaml") == []
    assert codes(text, config, "incidents/2025/2026-03-02-checkout.yaml") == [
        "wrong-year-folder"]


@pytest.mark.parametrize(("message", "found"), [
    ("m", False),
    ("'a path like C:\\\\temp is fine'", False),  # a backslash alone: walked, nothing found
    ('"an escape \\x01 here"', True),
    ('"a \\u2028 line separator"', True),
    ("'a literal \u2028 line separator'", True),  # no backslash: found in the raw text
])
def test_control_characters_by_escape_or_literal(message: str, found: bool,
                                                 config: Config) -> None:
    text = incident(["investigating"]).replace("message: m", f"message: {message}")
    assert ("control-character" in codes(text, config)) is found
