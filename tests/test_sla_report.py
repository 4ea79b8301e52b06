"""Exact-string tests of the report renderers, on hand-built Recorded values."""

from __future__ import annotations

import json

from sla_support import at, config, recorded
from warroom.model import build_incident
from warroom.sla_report import SlaReport, as_json, build_report, github, markdown, text
from warroom.yamlload import parse_text

PATH = "incidents/2026/2026-03-02-checkout.yaml"
TEXT = """\
id: 2026-03-02-checkout
title: "Checkout | errors <b>"
type: outage
severity: SEV1
status: investigating
components: [{id: checkout, impact: major_outage}]
updates:
  - {status: investigating, message: Looking.}
action_items:
  - title: "Fix 100% of it, now"
    owner: "@dave"
    due: 2026-03-01
    status: open
"""


def report(now_minutes: float, touched: frozenset[str] = frozenset()) -> SlaReport:
    doc, problems = parse_text(TEXT, PATH)
    assert doc is not None and not problems
    inc = build_incident(doc.data, PATH)
    rec = recorded(updates=[0])
    return build_report(config(), [inc], {PATH: doc.marks}, {inc.id: rec}, [], at(now_minutes),
                        touched)


def test_github_annotations_sit_on_the_status_line_and_are_escaped() -> None:
    out = github(report(23)).splitlines()
    assert out == [
        "::error file=incidents/2026/2026-03-02-checkout.yaml,line=5,col=1,"
        "title=SLA breached%3A acknowledge::2026-03-02-checkout: acknowledge breached: "
        "23m of 15m used (153%25), due 2026-03-02 10:15 Europe/Paris",
        "::warning file=incidents/2026/2026-03-02-checkout.yaml,line=5,col=1,"
        "title=SLA at risk%3A first_update::2026-03-02-checkout: first_update at_risk: "
        "23m of 30m used (77%25), due 2026-03-02 10:30 Europe/Paris",
        "::warning file=incidents/2026/2026-03-02-checkout.yaml,line=12,col=10,"
        "title=warroom action-item-overdue::action item 'Fix 100%25 of it, now' "
        "(owner @dave) was due 2026-03-01, 1 day(s) ago; finish it, move the date, or mark "
        "it wont_do",
    ]


def test_text_table() -> None:
    assert text(report(23)) == """\
warroom sla at 2026-03-02 10:23 (times in Europe/Paris)

2026-03-02-checkout  SEV1  investigating  Checkout | errors <b>
  target        start             due               elapsed  used  state     left
  acknowledge   2026-03-02 10:00  2026-03-02 10:15  23m      153%  breached  8m over
  first_update  2026-03-02 10:00  2026-03-02 10:30  23m      77%   at_risk   7m
  update_every  2026-03-02 10:00  2026-03-02 11:00  23m      38%   running   37m
  identify      2026-03-02 10:00  2026-03-02 11:00  23m      38%   running   37m
  mitigate      2026-03-02 10:00  2026-03-02 12:00  23m      19%   running   1h37m
  resolve       2026-03-02 10:00  2026-03-02 18:00  23m      5%    running   7h37m
  incidents/2026/2026-03-02-checkout.yaml:12:10: warning: action item 'Fix 100% of it, now' \
(owner @dave) was due 2026-03-01, 1 day(s) ago; finish it, move the date, or mark it wont_do \
[action-item-overdue]

1 incident(s): 1 breached, 1 at risk, 4 running or paused
"""


def test_markdown_summary_escapes_table_cells() -> None:
    md = markdown(report(23))
    assert md.startswith("## warroom SLA\n\nAt 2026-03-02 10:23 (Europe/Paris): 1 breached, "
                         "1 at risk, 4 running or paused.\n")
    assert "| 2026-03-02-checkout: Checkout \\| errors &lt;b&gt; | acknowledge | " \
           "2026-03-02 10:15 | 23m of 15m | 153% | **breached** | 8m over |" in md


def test_exit_code_counts_open_incidents_and_touched_ones() -> None:
    assert report(20).exit_code("breach") == 1
    assert report(5).exit_code("breach") == 0
    assert report(12).exit_code("breach") == 0
    assert report(12).exit_code("at-risk") == 1
    assert report(20).exit_code("never") == 0


def test_json_is_complete_and_stable() -> None:
    payload = json.loads(as_json(report(20), "breach"))
    assert payload["exit_code"] == 1
    first = payload["incidents"][0]["clocks"][0]
    assert first == {
        "target": "acknowledge", "note": "", "severity": "SEV1",
        "start": "2026-03-02T09:00:00+00:00", "due": "2026-03-02T09:15:00+00:00",
        "stopped": None, "elapsed_seconds": 1200, "allowed_seconds": 900, "used": 1.3333,
        "state": "breached", "counts": True}
    assert as_json(report(20), "breach") == as_json(report(20), "breach")


def test_a_past_breach_counts_only_when_the_change_under_review_touched_it() -> None:
    resolved = TEXT.replace("status: investigating\ncomp", "status: resolved\ncomp").replace(
        "  - {status: investigating, message: Looking.}\n",
        "  - {status: investigating, message: Looking.}\n  - {status: resolved, message: Ok.}\n",
    ).replace("action_items:", "postmortem: {status: published, body: Done.}\naction_items:")
    doc, problems = parse_text(resolved, PATH)
    assert doc is not None and not problems
    inc = build_incident(doc.data, PATH)
    # Acknowledged never: the acknowledge clock stopped, breached, at the resolution.
    rec = recorded(identified=60, monitoring=60, resolved=60, postmortem_published=70,
                   updates=[0, 60])
    args = (config(), [inc], {PATH: doc.marks}, {inc.id: rec}, [], at(24 * 60))
    quiet = build_report(*args)
    assert [c.state.value for c in quiet.incidents[0].clocks][:1] == ["breached"]
    assert quiet.exit_code("breach") == 0
    assert build_report(*args, frozenset({inc.id})).exit_code("breach") == 1


def test_an_overdue_postmortem_fails_the_scheduled_watch_but_not_unrelated_pull_requests(
        ) -> None:
    resolved = TEXT.replace("status: investigating\ncomp", "status: resolved\ncomp").replace(
        "  - {status: investigating, message: Looking.}\n",
        "  - {status: investigating, message: Looking.}\n  - {status: resolved, message: Ok.}\n",
    ).replace("action_items:\n  - title: \"Fix 100% of it, now\"\n    owner: \"@dave\"\n"
              "    due: 2026-03-01\n    status: open\n", "")
    doc, problems = parse_text(resolved, PATH)
    assert doc is not None and not problems
    inc = build_incident(doc.data, PATH)
    rec = recorded(acknowledged=5, identified=10, monitoring=10, resolved=20, updates=[0, 20])
    args = (config(), [inc], {PATH: doc.marks}, {inc.id: rec}, [], at(20 + 6 * 24 * 60))
    scheduled = build_report(*args)
    assert [(c.target, c.state.value) for c in scheduled.incidents[0].clocks
            if c.state.value != "met"] == [("postmortem", "breached")]
    assert scheduled.exit_code("breach") == 1
    assert build_report(*args, frozenset(), reviewing=True).exit_code("breach") == 0
    assert build_report(*args, frozenset({inc.id}), reviewing=True).exit_code("breach") == 1
