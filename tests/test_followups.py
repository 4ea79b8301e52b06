from __future__ import annotations

from datetime import datetime

from sla_support import at, config, recorded
from warroom.followups import follow_ups
from warroom.model import build_incident
from warroom.problems import Level, Problem
from warroom.sla import evaluate
from warroom.yamlload import parse_text

PATH = "incidents/2026/2026-03-02-checkout.yaml"
TEXT = """\
id: 2026-03-02-checkout
title: Card data exposed in logs
type: security
severity: SEV2
status: resolved
components: [{id: checkout, impact: partial_outage}]
updates:
  - {status: investigating, message: Looking.}
  - {status: resolved, message: Purged.}
postmortem:
  status: draft
  owner: "@carol"
action_items:
  - {title: Scrub logs, owner: "@dave", due: 2026-03-05, status: open}
  - {title: Rotate keys, owner: "@erin", due: 2026-03-01, status: done}
  - {title: Alert on PANs, owner: "@erin", due: 2026-03-20, status: in_progress}
regulatory:
  personal_data: suspected
  regimes: [gdpr]
"""


def load(text: str = TEXT) -> tuple[object, object]:
    doc, problems = parse_text(text, PATH)
    assert doc is not None and not problems
    return build_incident(doc.data, PATH), doc.marks


def test_overdue_items_postmortem_and_pending_decision() -> None:
    inc, marks = load()
    rec = recorded(resolved=60, updates=[0, 60])
    now = datetime.fromisoformat("2026-03-16T12:00:00+01:00")
    clocks = evaluate(inc, rec, config(), now)  # type: ignore[arg-type]
    found = follow_ups(inc, rec, clocks, config(), now, marks)  # type: ignore[arg-type]
    assert found == [
        Problem(PATH, 10, 1, Level.WARNING, "postmortem-overdue",
                "the postmortem (owner @carol) was due 2026-03-12T10:00:00+00:00 and is not "
                "published; publish it (postmortem: {status: published})"),
        Problem(PATH, 14, 46, Level.WARNING, "action-item-overdue",
                "action item 'Scrub logs' (owner @dave) was due 2026-03-05, 11 day(s) ago; "
                "finish it, move the date, or mark it wont_do"),
        Problem(PATH, 17, 1, Level.WARNING, "decision-pending",
                "personal data is 'suspected' and, more than 1d after the incident was "
                "declared, nobody has stated aware_at; decide whether this is a notifiable "
                "breach and record aware_at with decided_by (notification clocks start there)"),
    ]


def test_an_item_is_due_until_the_end_of_its_day_in_the_site_time_zone() -> None:
    inc, marks = load()
    rec = recorded(resolved=60, updates=[0, 60])
    # 2026-03-05T23:30 in Paris is still the due date; 00:30 the next day is not.
    before = datetime.fromisoformat("2026-03-05T22:30:00+00:00")
    after = datetime.fromisoformat("2026-03-05T23:30:00+00:00")
    codes = [[p.code for p in follow_ups(inc, rec, (), config(), now, marks)  # type: ignore
              if p.code == "action-item-overdue"] for now in (before, after)]
    assert codes == [[], ["action-item-overdue"]]


def test_no_decision_pending_before_the_delay_or_once_aware() -> None:
    inc, marks = load()
    rec = recorded(resolved=60, updates=[0, 60])
    early = follow_ups(inc, rec, (), config(), at(23 * 60), marks)  # type: ignore[arg-type]
    assert "decision-pending" not in [p.code for p in early]
    aware, marks = load(TEXT.replace("  regimes: [gdpr]\n",
                                     "  regimes: [gdpr]\n  aware_at: 2026-03-02T12:00:00Z\n"
                                     "  decided_by: '@dpo'\n"))
    late = follow_ups(aware, rec, (), config(), at(48 * 60), marks)  # type: ignore[arg-type]
    assert "decision-pending" not in [p.code for p in late]
