from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_DATA
from status_fixtures import maintenance, outage, sample, site
from warroom.site import api

NOW = "2026-11-22T12:00:00Z"
REAL = sorted((SHARED_DATA / "statuspage-github" / "incidents").glob("*.json"))
FILES = ("summary.json", "status.json", "components.json", "incidents.json",
         "incidents/unresolved.json", "scheduled-maintenances.json",
         "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json")
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage",
                      "under_maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}


def real_keys() -> dict[str, list[str]]:
    """Key lists (in order) of each object kind in GitHub's real Statuspage files."""
    found: dict[str, set[tuple[str, ...]]] = {k: set() for k in
                                              ("page", "incident", "update", "component",
                                               "affected")}
    for path in REAL:
        doc = json.loads(path.read_text(encoding="utf-8"))
        found["page"].add(tuple(doc["page"]))
        inc = doc["incident"]
        found["incident"].add(tuple(inc))
        for upd in inc["incident_updates"]:
            found["update"].add(tuple(upd))
            for aff in upd["affected_components"] or ():
                found["affected"].add(tuple(aff))
        for comp in inc["components"]:
            found["component"].add(tuple(comp))
    assert all(len(v) == 1 for v in found.values()), found
    return {k: list(next(iter(v))) for k, v in found.items()}


@pytest.fixture(scope="module")
def real() -> dict[str, list[str]]:
    assert len(REAL) == 178
    return real_keys()


def load(out: dict[str, bytes], name: str) -> Any:
    raw = out[f"api/v2/{name}"]
    assert raw.endswith(b"}\n")
    return json.loads(raw)


def test_files_and_shapes_match_statuspage(tmp_path: Path, real: dict[str, list[str]]) -> None:
    out = api.produce(sample(tmp_path))
    assert sorted(out) == sorted(f"api/v2/{f}" for f in FILES)
    for name in FILES:
        doc = load(out, name)
        assert list(doc["page"]) == real["page"]
        for comp in doc.get("components", ()):
            assert list(comp) == real["component"] + (["components"] if comp["group"] else [])
            assert comp["status"] in COMPONENT_STATUSES
        for inc in doc.get("incidents", ()):
            check_incident(inc, real)
            assert inc["status"] in INCIDENT_STATUSES
        for maint in doc.get("scheduled_maintenances", ()):
            assert list(maint) == [*real["incident"], "scheduled_for", "scheduled_until"]
            assert maint["status"] in MAINTENANCE_STATUSES
            assert maint["impact"] == "maintenance"
    summary = load(out, "summary.json")
    assert list(summary) == ["page", "components", "incidents", "scheduled_maintenances",
                             "status"]
    assert list(load(out, "status.json")) == ["page", "status"]


def check_incident(inc: dict[str, Any], real: dict[str, list[str]]) -> None:
    assert list(inc) == real["incident"]
    assert inc["impact"] in {"none", "minor", "major", "critical"}
    for upd in inc["incident_updates"]:
        assert list(upd) == real["update"]
        for aff in upd["affected_components"] or ():
            assert list(aff) == real["affected"]
    for comp in inc["components"]:
        assert list(comp) == real["component"]


def test_summary_tells_the_truth(tmp_path: Path) -> None:
    out = api.produce(sample(tmp_path))
    summary = load(out, "summary.json")
    assert summary["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    statuses = {c["id"]: c["status"] for c in summary["components"]}
    assert statuses == {"core": "major_outage", "api": "partial_outage",
                        "checkout": "major_outage", "web": "under_maintenance"}
    assert [i["id"] for i in summary["incidents"]] == ["2026-11-22-checkout-errors"]
    assert [m["id"] for m in summary["scheduled_maintenances"]] == [
        "2026-11-21-network", "2026-11-21-storage"]
    page = summary["page"]
    assert page == {"id": api.page_id(sample(tmp_path)), "name": "Acme status",
                    "url": "https://status.acme.test", "time_zone": "Europe/Paris",
                    "updated_at": "2026-11-22T09:41:00.000+01:00"}


def test_incident_fields(tmp_path: Path) -> None:
    out = api.produce(sample(tmp_path))
    (inc,) = load(out, "incidents/unresolved.json")["incidents"]
    assert inc["status"] == "identified" and inc["impact"] == "major"
    assert inc["started_at"] == "2026-11-22T09:02:00.000+01:00"  # stated impact start
    assert inc["created_at"] == "2026-11-22T09:10:00.000+01:00"  # declaring commit
    assert inc["resolved_at"] is None
    assert inc["shortlink"] == "https://status.acme.test/incidents/2026-11-22-checkout-errors/"
    updates = inc["incident_updates"]
    assert [u["id"] for u in updates] == ["2026-11-22-checkout-errors-u2",
                                          "2026-11-22-checkout-errors-u0"]  # newest first
    assert updates[0]["display_at"] == "2026-11-22T09:41:00.000+01:00"  # stated
    assert updates[0]["created_at"] == "2026-11-22T09:45:00.000+01:00"  # recorded
    assert updates[1]["affected_components"] == [
        {"code": "checkout", "name": "Checkout", "old_status": "operational",
         "new_status": "major_outage"},
        {"code": "api", "name": "API", "old_status": "operational",
         "new_status": "partial_outage"}]
    resolved = {i["id"]: i for i in load(out, "incidents.json")["incidents"]}
    cdn = resolved["2026-11-18-cdn"]
    assert cdn["status"] == "postmortem"  # resolved with a published public postmortem
    assert cdn["resolved_at"] == "2026-11-19T01:15:00.000+01:00"  # stated resolution
    assert resolved["2026-11-20-statements"]["status"] == "resolved"  # internal postmortem
    assert list(resolved) == ["2026-11-22-checkout-errors", "2026-11-20-statements",
                              "2026-11-18-cdn"]


def test_maintenance_lists(tmp_path: Path) -> None:
    out = api.produce(sample(tmp_path))
    listed = {m["id"]: m for m in load(out, "scheduled-maintenances.json")
              ["scheduled_maintenances"]}
    # Newest window first; canceled work is not there (Statuspage has no such state).
    assert list(listed) == ["2026-11-21-storage", "2026-11-21-network",
                            "2026-11-10-db-upgrade"]
    assert {k: m["status"] for k, m in listed.items()} == {
        "2026-11-21-storage": "scheduled", "2026-11-21-network": "in_progress",
        "2026-11-10-db-upgrade": "completed"}
    storage = listed["2026-11-21-storage"]
    assert (storage["scheduled_for"], storage["scheduled_until"]) == (
        "2026-11-25T22:00:00.000+01:00", "2026-11-26T02:00:00.000+01:00")
    assert listed["2026-11-10-db-upgrade"]["resolved_at"] == "2026-11-12T04:05:00.000+01:00"
    upcoming = load(out, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    active = load(out, "scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert [m["id"] for m in upcoming] == ["2026-11-21-storage"]
    assert [m["id"] for m in active] == ["2026-11-21-network"]


def test_recent_lists_hold_fifty(tmp_path: Path) -> None:
    incidents = {f"2026-10-{day:02d}-i{n}": outage() for day in range(1, 29) for n in range(2)}
    out = api.produce(site(tmp_path, incidents, NOW))
    listed = load(out, "incidents.json")["incidents"]
    assert len(listed) == api.RECENT == 50
    assert listed[0]["id"] == "2026-10-28-i1" and listed[-1]["id"] == "2026-10-04-i0"


def test_all_clear(tmp_path: Path) -> None:
    out = api.produce(site(tmp_path, {"2026-11-20-a": outage()}, NOW))
    assert load(out, "status.json")["status"] == {"indicator": "none",
                                                  "description": "All Systems Operational"}
    assert load(out, "incidents/unresolved.json")["incidents"] == []


def test_maintenance_in_progress_alone(tmp_path: Path) -> None:
    out = api.produce(site(tmp_path, {"2026-11-21-db": maintenance(
        "2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z")}, NOW))
    assert load(out, "status.json")["status"] == {
        "indicator": "none", "description": "Service Under Maintenance"}


def test_maintenance_completed_by_its_window_resolves_at_the_window_end(tmp_path: Path) -> None:
    out = api.produce(site(tmp_path, {"2026-11-21-db": maintenance(
        "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")}, NOW))
    (done,) = load(out, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert (done["status"], done["resolved_at"]) == ("completed", "2026-11-21T12:00:00.000+01:00")


def test_files_are_compact_json_with_each_incident_spliced_in_whole(tmp_path: Path) -> None:
    """Each file is exactly json.dumps of its own value (compact, keys in order, UTF-8 as
    is, final newline), though incidents are encoded once and spliced into every file that
    lists them; an unresolved incident reads the same in summary.json and unresolved.json."""
    out = api.produce(sample(tmp_path))
    for name in FILES:
        raw = out[api.PREFIX + name]
        value = json.loads(raw)
        assert raw == (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                       + "\n").encode("utf-8"), name
        assert api.dumps(value) == raw
    summary = json.loads(out[api.PREFIX + "summary.json"])
    unresolved = json.loads(out[api.PREFIX + "incidents/unresolved.json"])
    assert summary["incidents"] and summary["incidents"] == unresolved["incidents"]
    both = summary["scheduled_maintenances"]
    active = json.loads(out[api.PREFIX + "scheduled-maintenances/active.json"])
    upcoming = json.loads(out[api.PREFIX + "scheduled-maintenances/upcoming.json"])
    assert both == active["scheduled_maintenances"] + upcoming["scheduled_maintenances"]
    assert upcoming["scheduled_maintenances"]
