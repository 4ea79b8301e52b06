"""`warroom sla --format json` (and the problem reporters' JSON) write the text they wrote
before they were made faster: the renderers as they stood at ceb745d are kept here as the
oracle, and both run on incidents with hostile titles, action items and history problems."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_support import at, change, config, recorded
from warroom.clock import Clock
from warroom.model import build_incident
from warroom.problems import Level, Problem
from warroom.recorded import Recorded
from warroom.reporters import as_json as problems_json
from warroom.sla_report import FAIL_ON, SlaReport, as_json, build_report

HOSTILE = ["Checkout \"down\" \\ é 漢字 🚨", "line\u2028sep\u2029para", "ctl \x01\x1f\x7f tab\t",
           "{\"json\": [1, 2]}, : ", "<b>|%0A::error::</b>", "bom \ufeff", "lone \ud800 high"]


ODD_PATHS = ["", ",%:", "|<&>`", " \r\n"]
# Stated times after their commits (errors) and long before them (warnings).
RESOLVED_UPDATES = [
    {"status": "investigating", "message": "Looking.", "at": at(-3000).isoformat()},
    {"status": "identified", "message": "Found it."},
    {"status": "monitoring", "message": "Fixed, watching.", "at": at(301).isoformat()},
    {"status": "resolved", "message": "All good \u2028 é.", "at": at(320).isoformat()},
]


def _old_iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _old_problem_json(p: Problem) -> dict[str, object]:
    return {"path": p.path, "line": p.line, "col": p.col, "severity": str(p.level),
            "code": p.code, "message": p.message}


def old_as_json(report: SlaReport, fail_on: str) -> str:
    """sla_report.as_json at ceb745d."""
    payload = {
        "now": report.now.isoformat(),
        "fail_on": fail_on,
        "exit_code": report.exit_code(fail_on),
        "incidents": [{
            "id": i.incident.id, "path": i.incident.path, "title": i.incident.title,
            "severity": i.incident.severity, "status": i.incident.status,
            "open": i.incident.open, "touched": i.touched,
            "clocks": [{
                "target": c.target, "note": c.note, "severity": c.severity,
                "start": _old_iso(c.start), "due": _old_iso(c.due),
                "stopped": _old_iso(c.stopped),
                "elapsed_seconds": int(c.elapsed.total_seconds()),
                "allowed_seconds": int(c.allowed.total_seconds()),
                "used": round(c.used, 4), "state": str(c.state), "counts": i.counts(c),
            } for c in i.clocks],
            "problems": [_old_problem_json(p) for p in i.problems],
        } for i in report.incidents],
        "problems": [_old_problem_json(p) for p in report.problems],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def old_problems_json(problems: list[Problem]) -> str:
    """reporters.as_json at ceb745d."""
    payload = {
        "problems": [
            {"path": p.path, "line": p.line, "col": p.col, "severity": str(p.level),
             "code": p.code, "message": p.message}
            for p in sorted(problems)
        ],
        "errors": sum(p.level is Level.ERROR for p in problems),
        "warnings": sum(p.level is Level.WARNING for p in problems),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _incident(n: int, title: str, **fields: Any) -> tuple[Any, Recorded]:
    ident = f"2026-03-02-case-{n}"
    # Paths that need escaping in workflow commands and Markdown cells (odd, not impossible)
    path = f"incidents/2026/{ident}{ODD_PATHS[n % len(ODD_PATHS)]}.yaml"
    data: dict[str, Any] = {
        "id": ident, "title": title, "type": "outage", "severity": ["SEV1", "SEV2"][n % 2],
        "status": "investigating", "components": [{"id": "checkout", "impact": "major_outage"}],
        "updates": [{"status": "investigating", "message": "Looking."}],
        "action_items": [{"title": title, "owner": "@dave", "due": "2026-03-01",
                          "status": "open"}],
    }
    data.update(fields)
    inc = build_incident(data, path)
    rec = recorded(updates=[0])
    return inc, Recorded(ident, path, rec.declared, updates=rec.updates)


def reports() -> list[SlaReport]:
    """Open, paused, resolved (late and on time), stated times after their commits, history
    problems: every kind of clock, state and problem, with hostile text wherever it goes."""
    cases = [_incident(0, HOSTILE[0]),
             _incident(1, HOSTILE[1], pauses=[{"start": at(10).isoformat(), "reason": "other"}]),
             _incident(2, HOSTILE[2], status="resolved", updates=RESOLVED_UPDATES,
                       resolved_at=at(500).isoformat(), detected_at=at(-5000).isoformat()),
             _incident(3, HOSTILE[3], status="resolved", updates=RESOLVED_UPDATES)]
    incidents = [inc for inc, _ in cases]
    recs = {inc.id: rec for inc, rec in cases}
    for inc in incidents[2:]:
        base = recs[inc.id]
        recs[inc.id] = Recorded(inc.id, inc.path, base.declared, acknowledged=change(20),
                                identified=change(50), monitoring=change(300),
                                resolved=change(320),
                                updates=(change(0), change(50), change(300), change(320)))
    history = [Problem(incidents[0].path, 3, 7, Level.WARNING, "stated-long-before", text)
               for text in HOSTILE[4:]]
    out = []
    for minutes in (5, 23, 400, 60 * 24 * 30):
        for touched in (frozenset(), frozenset({incidents[3].id})):
            out.append(build_report(config(), incidents, {}, recs, history, at(minutes),
                                    touched, reviewing=bool(touched), all_stated=True))
    return out


@pytest.mark.parametrize("fail_on", FAIL_ON)
def test_sla_json_is_the_text_the_former_renderer_wrote(fail_on: str) -> None:
    seen: set[str] = set()
    for report in reports():
        out = as_json(report, fail_on)
        assert out == old_as_json(report, fail_on)
        seen |= {str(c.state) for i in report.incidents for c in i.clocks}
    assert seen == {"running", "at_risk", "met", "breached", "paused"}
    assert any(p.level is Level.ERROR for i in report.incidents for p in i.problems)


def test_a_clock_that_allows_no_time_is_written_as_before() -> None:
    report = reports()[0]
    item = report.incidents[0]
    c = item.clocks[0]
    zero = Clock(c.incident_id, c.target, c.start, c.due, None, c.elapsed, c.allowed * 0,
                 c.state, c.severity, "note \u2028 é")
    odd = SlaReport(report.now, report.timezone,
                    (type(item)(item.incident, item.recorded, (zero, *item.clocks), (), True),),
                    ())
    assert as_json(odd, "breach") == old_as_json(odd, "breach")


def test_the_problem_reporters_json_is_the_text_the_former_one_wrote() -> None:
    problems = [Problem(f"incidents/2026/{i}-{text[:3]}.yaml", i + 1, 2, level, "yaml-syntax",
                        text)
                for i, text in enumerate(HOSTILE) for level in Level]
    assert problems_json(problems) == old_problems_json(problems)
    assert problems_json([]) == old_problems_json([])


PROBLEMS = st.builds(Problem, st.sampled_from(["a.yaml", "b.yaml", "é.yaml"]),
                     st.integers(1, 3), st.integers(1, 3), st.sampled_from(list(Level)),
                     st.sampled_from(["stated-long-before", "stated-after-recorded",
                                      "action-item-overdue"]),
                     st.sampled_from(["m", "n", "é"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(PROBLEMS, max_size=12))
def test_problems_keep_their_own_order(problems: list[Problem]) -> None:
    report = build_report(config(), [], {}, {}, problems, at(0))
    assert report.problems == tuple(sorted(problems))


def test_the_report_json_is_the_text_json_dumps_wrote() -> None:
    from metrics_fixtures import MONTH_END, MONTH_START, REPORT_NOW, november
    from metrics_fixtures import config as report_config
    from warroom.report import build_report as build_period_report
    from warroom.report import renderer
    from warroom.report.jsonout import as_data

    incidents, records, clocks = november()
    report = build_period_report(report_config(), incidents, records, clocks, REPORT_NOW,
                                 MONTH_START, MONTH_END)
    expected = json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
    assert renderer("json")(report) == expected
    assert '"availability": [' in expected and '"burn_rates": {' in expected
