"""The report renderers on hand-built data: exact values in every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import html5lib
import pytest

from metrics_fixtures import MONTH_END, MONTH_START, REPORT_NOW, config, november
from warroom.metrics import DEFINITIONS
from warroom.report import Report, build_report, renderer

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def report() -> Report:
    incidents, records, clocks = november()
    return build_report(config(), incidents, records, clocks, REPORT_NOW, MONTH_START,
                        MONTH_END)


def data(report: Report) -> Any:
    return json.loads(renderer("json")(report))


def test_json_exact_metrics(report: Report) -> None:
    found = data(report)
    assert found["period"]["label"] == "November 2026"
    assert found["excluded"] == {"drill": 1, "canceled": 0, "maintenance": 0}
    overall = found["overall"]
    assert overall["incidents"] == 2
    durations = overall["durations_seconds"]
    # two incidents (even): nearest rank p50 is the first, p90 the second
    assert durations["resolve"] == {"count": 2, "p50": 5400.0, "p90": 7200.0, "max": 7200.0}
    assert durations["acknowledge"] == {"count": 2, "p50": 300.0, "p90": 2400.0,
                                        "max": 2400.0}
    assert durations["declare"] == {"count": 2, "p50": 600.0, "p90": 600.0, "max": 600.0}
    assert durations["detect"] == {"count": 2, "p50": 300.0, "p90": 600.0, "max": 600.0}
    assert durations["mitigate"] == {"count": 2, "p50": 3600.0, "p90": 4500.0, "max": 4500.0}
    assert overall["impact_minutes"]["total"] == 210.0
    assert overall["sla"] == [
        {"target": "acknowledge", "met": 1, "breached": 1, "running": 0, "met_share": 0.5,
         "breached_share": 0.5},
        {"target": "resolve", "met": 2, "breached": 0, "running": 0, "met_share": 1.0,
         "breached_share": 0.0},
        {"target": "postmortem", "met": 0, "breached": 1, "running": 1, "met_share": 0.0,
         "breached_share": 1.0},
    ]
    assert overall["postmortems"] == {"on_time": 0, "late": 1, "pending": 1}
    assert overall["action_items"] == {"open": 1, "overdue": 1, "closed": 1}
    assert set(found["definitions"]) == set(DEFINITIONS)


def test_json_availability_and_budgets(report: Report) -> None:
    found = {a["component"]: a for a in data(report)["availability"]}
    api = found["api"]
    # 2 h major (weight 1) + 1 h 30 partial (weight 0.5) = 9,900 s of November's 30 days
    assert api["period"]["downtime_seconds"] == 9900
    assert api["period"]["availability"] == round(1 - 9900 / 2_592_000, 9)
    assert api["slo"]["met"] is False
    assert api["slo"]["budget_seconds"] == {"total": 2592.0, "spent": 9900.0,
                                            "remaining": -7308.0}
    web = found["web"]  # its only incident was in October: November is 100%
    assert web["period"]["availability"] == 1.0 and web["slo"] is None
    checkout = found["checkout"]  # no incidents at all: the whole budget is left
    assert checkout["slo"]["met"] is True
    assert checkout["slo"]["budget_seconds"]["remaining"] == 3024.0


def test_json_repeats_name_open_action_items(report: Report) -> None:
    (repeat,) = data(report)["repeats"]
    assert (repeat["incident"], repeat["earlier"]) == ("2026-11-20-api-slow",
                                                       "2026-11-02-api-errors")
    assert repeat["causes"] == ["config-change"] and repeat["components"] == ["api"]
    assert repeat["open_action_items"] == [{"title": "Canary configuration pushes",
                                            "owner": "@carol", "status": "open",
                                            "due": "2026-11-20"}]


def test_markdown_prints_each_definition_next_to_its_value(report: Report) -> None:
    text = renderer("markdown")(report)
    lines = text.splitlines()
    assert lines[0] == "# Acme status: incident report, November 2026"
    assert (f"| Time to resolve | 1h30m | 2h | 2h | 2 | {DEFINITIONS['resolve'][1]} |"
            in lines)
    assert (f"| Time to acknowledge | 5m | 40m | 40m | 2 | {DEFINITIONS['acknowledge'][1]} |"
            in lines)
    assert "| Acknowledge | 1 | 1 | 0 | 50% | 50% |" in lines
    assert ("| [2026-11-20-api-slow](incidents/2026/2026-11-20-api-slow.yaml) | "
            "[2026-11-02-api-errors](incidents/2026/2026-11-02-api-errors.yaml) | api | "
            "config-change | 17d22h | Canary configuration pushes (@carol, due 2026-11-20) |"
            in lines)
    assert "- 2 incident(s) started in the period; not counted: 1 drill(s), 0 canceled, " \
           "0 maintenance." in lines
    assert "nearest rank" in text


def test_html_is_self_contained_valid_and_has_the_four_plots(report: Report) -> None:
    page = renderer("html")(report)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)
    assert tree.find(".//script") is None
    assert tree.find(".//link") is None and 'src="' not in page  # nothing fetched
    assert tree.find(".//style") is not None
    svgs = [ET.fromstring(chunk.split("</svg>")[0] + "</svg>")
            for chunk in ("<svg" + part for part in page.split("<svg")[1:])]
    titles = [s.find(f"{SVG}title").text for s in svgs]  # type: ignore[union-attr]
    assert titles == ["Incidents per week by severity",
                      "Time to resolve by month (p50, p90, max)",
                      "Error budget remaining per component", "SLA compliance per target"]
    weekly = svgs[0]
    bars = weekly.findall(f"{SVG}g[@class='bar']")
    assert len(bars) == 13  # 13 weeks up to the end of the period
    assert bars[0].get("data-category") == "2026-09-07"
    assert bars[-1].get("data-category") == "2026-11-30"
    # trend weeks count every incident up to the period's end: October's too
    assert [len(b.findall(f"{SVG}rect")) for b in bars] == [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1,
                                                             0, 0]
    # every plot carries its data as a table
    assert page.count("<details>") == 4


def test_every_format_is_deterministic(report: Report) -> None:
    for fmt in ("markdown", "json", "html"):
        assert renderer(fmt)(report) == renderer(fmt)(report)


def test_month_boundary_and_time_zone_pick_the_period() -> None:
    incidents, records, clocks = november()
    # 23:30 UTC on 31 October is 00:30 on 1 November in Paris: inside the November report
    from metrics_fixtures import incident
    edge = incident("2026-10-31-edge", impact_started_at="2026-10-31T23:30:00Z",
                    resolved_at="2026-11-01T00:30:00Z",
                    components=[{"id": "web", "impact": "major_outage"}])
    report = build_report(config(), [*incidents, edge], records, clocks, REPORT_NOW,
                          MONTH_START, MONTH_END)
    ids = [m.id for m in report.metrics.incidents]
    assert ids[0] == "2026-10-31-edge" and report.metrics.incidents[0].month == "2026-11"
    web = {a.component.id: a for a in report.availability}["web"]
    assert web.span is not None and web.span.downtime == 3600
