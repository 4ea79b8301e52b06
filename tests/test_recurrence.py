from __future__ import annotations

from datetime import timedelta

from metrics_fixtures import config, incident
from warroom.recurrence import by_incident, find_repeats

ITEMS = [
    {"title": "Canary configuration pushes", "owner": "@carol", "due": "2026-11-15",
     "status": "open"},
    {"title": "Alert on checkout error rate", "owner": "@dan", "due": "2026-11-20",
     "status": "in_progress"},
    {"title": "Write the runbook", "owner": "@erin", "due": "2026-11-10", "status": "done"},
]


def _inc(ident: str, start: str, causes: list[str], component: str = "checkout", **extra: object
         ) -> object:
    return incident(ident, impact_started_at=start, resolved_at=start.replace("T10", "T11"),
                    causes=causes, components=[{"id": component, "impact": "major_outage"}],
                    **extra)


def test_repeat_names_open_action_items_of_the_earlier_incident() -> None:
    first = _inc("2026-11-01-checkout", "2026-11-01T10:00:00Z", ["config-change", "capacity"],
                 action_items=ITEMS)
    second = _inc("2026-11-21-checkout", "2026-11-21T10:00:00Z", ["config-change"])
    repeats = find_repeats([second, first], {}, config())  # repeats: {window: 30d}
    assert len(repeats) == 1
    repeat = repeats[0]
    assert (repeat.incident.id, repeat.earlier.id) == ("2026-11-21-checkout",
                                                       "2026-11-01-checkout")
    assert repeat.components == ("checkout",) and repeat.causes == ("config-change",)
    assert repeat.gap == timedelta(days=20)
    assert [a.title for a in repeat.open_actions] == [
        "Canary configuration pushes", "Alert on checkout error rate"]
    links = by_incident(repeats)
    assert set(links) == {"2026-11-01-checkout", "2026-11-21-checkout"}


def test_no_repeat_outside_the_window_or_without_shared_component_and_cause() -> None:
    first = _inc("2026-10-01-checkout", "2026-10-01T10:00:00Z", ["config-change"])
    too_late = _inc("2026-11-01-checkout", "2026-11-01T10:00:00Z", ["config-change"])  # 31 d
    other_cause = _inc("2026-10-05-checkout", "2026-10-05T10:00:00Z", ["capacity"])
    other_component = _inc("2026-10-06-api", "2026-10-06T10:00:00Z", ["config-change"],
                           component="api")
    drill = _inc("2026-10-07-drill", "2026-10-07T10:00:00Z", ["config-change"], drill=True)
    assert find_repeats([first, too_late, other_cause, other_component, drill], {},
                        config()) == ()


def test_exactly_at_the_window_is_a_repeat_and_chains_are_all_flagged() -> None:
    a = _inc("2026-10-01-a", "2026-10-01T10:00:00Z", ["dependency"])
    b = _inc("2026-10-31-b", "2026-10-31T10:00:00Z", ["dependency"])  # exactly 30 d
    c = _inc("2026-11-02-c", "2026-11-02T10:00:00Z", ["dependency"])
    pairs = [(r.earlier.id, r.incident.id) for r in find_repeats([a, b, c], {}, config())]
    assert pairs == [("2026-10-01-a", "2026-10-31-b"), ("2026-10-31-b", "2026-11-02-c")]


def test_each_incident_links_the_latest_earlier_one_per_component_and_cause() -> None:
    a = _inc("2026-10-01-a", "2026-10-01T10:00:00Z", ["dependency"])
    b = _inc("2026-10-05-b", "2026-10-05T10:00:00Z", ["dependency"])
    c = _inc("2026-10-09-c", "2026-10-09T10:00:00Z", ["dependency", "capacity"],
             action_items=ITEMS)
    web = _inc("2026-10-10-web", "2026-10-10T10:00:00Z", ["capacity"], component="api")
    # d shares checkout+dependency with c (not a or b: c is the latest) and api+capacity
    # with web: two repeats, ordered by the earlier start
    d = incident("2026-10-12-d", impact_started_at="2026-10-12T10:00:00Z",
                 resolved_at="2026-10-12T11:00:00Z", causes=["dependency", "capacity"],
                 components=[{"id": "checkout", "impact": "major_outage"},
                             {"id": "api", "impact": "partial_outage"}])
    found = find_repeats([d, web, c, b, a], {}, config())
    pairs = [(r.earlier.id, r.incident.id, r.components, r.causes) for r in found]
    assert pairs == [
        ("2026-10-01-a", "2026-10-05-b", ("checkout",), ("dependency",)),
        ("2026-10-05-b", "2026-10-09-c", ("checkout",), ("dependency",)),
        ("2026-10-09-c", "2026-10-12-d", ("checkout",), ("dependency", "capacity")),
        ("2026-10-10-web", "2026-10-12-d", ("api",), ("capacity",)),
    ]
    assert len(found[2].open_actions) == 2
