from __future__ import annotations

from sla_support import config, recorded
from warroom.model import build_incident
from warroom.problems import Level, Problem
from warroom.stated import check_stated
from warroom.yamlload import parse_text

PATH = "incidents/2026/2026-03-02-checkout.yaml"
TEXT = """\
id: 2026-03-02-checkout
title: Checkout errors
type: outage
severity: SEV2
status: resolved
components: [{id: checkout, impact: major_outage}]
detected_at: 2026-02-27T08:00:00Z
mitigated_at: 2026-03-02T09:40:00Z
resolved_at: 2026-03-02T10:00:00Z
updates:
  - status: investigating
    message: Looking.
  - status: monitoring
    at: 2026-03-02T09:50:00Z
    message: Fixed.
  - status: resolved
    message: Done.
"""


def test_later_than_the_record_is_an_error_and_far_earlier_a_warning() -> None:
    doc, problems = parse_text(TEXT, PATH)
    assert doc is not None and not problems
    inc = build_incident(doc.data, PATH)
    # Declared 09:00; monitoring recorded 09:30 (update 2 says 09:50); resolved at 10:30.
    rec = recorded(monitoring=30, resolved=90, updates=[0, 30, 90])
    commit = rec.updates[1].commit[:7]
    assert check_stated(inc, rec, config(), doc.marks) == [
        Problem(PATH, 7, 14, Level.WARNING, "stated-long-before",
                "detected_at 2026-02-27T08:00:00+00:00 is 3d1h before the commit that declared "
                f"the incident (commit {rec.declared.commit[:7]} at 2026-03-02T09:00:00+00:00), "
                "more than sla.stated_drift (1d); check the date"),
        Problem(PATH, 8, 15, Level.ERROR, "stated-after-recorded",
                "mitigated_at 2026-03-02T09:40:00+00:00 is 10m after the first commit with "
                f"status monitoring or resolved (commit {commit} at "
                "2026-03-02T09:30:00+00:00); a stated time cannot be later than its record: "
                "correct it"),
        Problem(PATH, 14, 9, Level.ERROR, "stated-after-recorded",
                "update 2's time 2026-03-02T09:50:00+00:00 is 20m after the commit that added "
                f"it (commit {commit} at 2026-03-02T09:30:00+00:00); a stated time cannot be "
                "later than its record: correct it"),
    ]


def test_times_within_the_drift_are_quiet() -> None:
    doc, _ = parse_text(TEXT.replace("2026-02-27T08", "2026-03-02T08"), PATH)
    assert doc is not None
    inc = build_incident(doc.data, PATH)
    rec = recorded(monitoring=60, resolved=90, updates=[0, 60, 90])
    assert check_stated(inc, rec, config(), doc.marks) == []
