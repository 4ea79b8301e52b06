from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from status_fixtures import MARKERS, maintenance, outage, sample, site
from warroom.site import api, badges, feeds, ics, sitemap
from warroom.site.data import SiteData
from warroom.status import maintenance_state, rollup

NOW = "2026-11-22T11:00:00Z"
START, END = "2026-11-22T10:00:00Z", "2026-11-22T12:00:00Z"


@pytest.mark.parametrize(("now", "state", "api"), [
    ("2026-11-22T09:59:59Z", "scheduled", "operational"),
    ("2026-11-22T10:00:00Z", "in_progress", "under_maintenance"),
    ("2026-11-22T11:59:59Z", "in_progress", "under_maintenance"),
    ("2026-11-22T12:00:00Z", "completed", "operational"),
])
def test_maintenance_follows_its_window(tmp_path: Path, now: str, state: str, api: str) -> None:
    data = site(tmp_path, {"2026-11-21-db": maintenance(START, END)}, now)
    assert maintenance_state(data.incidents[0], data.now) == state
    result = rollup(data)
    assert result.components["api"] == api
    assert (len(result.maintenance_upcoming), len(result.maintenance_active)) == (
        (1, 0) if state == "scheduled" else (0, 1) if state == "in_progress" else (0, 0))
    if state == "in_progress":
        assert (result.indicator, result.description) == ("none", "Service Under Maintenance")
    else:
        assert result.description == "All Systems Operational"


def test_an_early_in_progress_update_never_shows_a_component_down_early(tmp_path: Path) -> None:
    body = maintenance(START, END).replace(
        "status: scheduled\ncomponents", "status: scheduled\ncomponents").replace(
        "message: We will upgrade the database.}\n",
        "message: We will upgrade the database.}\n"
        "  - {status: in_progress, message: Starting early.}\n")
    data = site(tmp_path, {"2026-11-21-db": body}, "2026-11-22T09:00:00Z")
    assert maintenance_state(data.incidents[0], data.now) == "scheduled"
    assert rollup(data).components["api"] == "operational"


def test_canceled_and_completed_maintenance(tmp_path: Path) -> None:
    data = site(tmp_path, {
        "2026-11-21-db": maintenance(START, END, status="canceled"),
        "2026-11-21-dns": maintenance(START, END, status="completed",
                                      components="{id: web, impact: under_maintenance}"),
    }, NOW)
    states = {i.id: maintenance_state(i, data.now) for i in data.incidents}
    assert states == {"2026-11-21-db": "canceled", "2026-11-21-dns": "completed"}
    assert set(rollup(data).components.values()) == {"operational"}


def test_worst_impact_wins_and_incidents_beat_maintenance(tmp_path: Path) -> None:
    data = site(tmp_path, {
        "2026-11-22-a": outage(status="investigating", severity="SEV3",
                               components="{id: checkout, impact: degraded_performance}"),
        "2026-11-22-b": outage(status="identified", severity="SEV2",
                               components="{id: checkout, impact: partial_outage}, "
                                          "{id: api, impact: degraded_performance}"),
        "2026-11-21-db": maintenance(START, END, components="{id: api, impact: "
                                     "under_maintenance}, {id: web, impact: under_maintenance}"),
    }, NOW)
    result = rollup(data)
    assert result.components == {"api": "degraded_performance", "checkout": "partial_outage",
                                 "web": "under_maintenance"}
    # SEV2's impact is major; a partial outage also reads as major in Statuspage's terms.
    assert (result.indicator, result.description) == ("major", "Partial System Outage")
    assert [i.id for i in result.active] == ["2026-11-22-b", "2026-11-22-a"]


def test_severity_impact_raises_the_indicator(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-22-a": outage(
        status="investigating", severity="SEV1",
        components="{id: checkout, impact: degraded_performance}")}, NOW)
    result = rollup(data)
    assert (result.indicator, result.description) == ("critical", "Major Service Outage")
    assert result.components["checkout"] == "degraded_performance"


def test_major_outage_reads_critical_even_for_a_minor_severity(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-22-a": outage(status="investigating", severity="SEV3")}, NOW)
    assert rollup(data).indicator == "critical"


def test_resolved_and_mitigated_incidents_leave_components_operational(tmp_path: Path) -> None:
    data = site(tmp_path, {
        "2026-11-20-a": outage(status="resolved"),
        "2026-11-22-b": outage(status="monitoring", severity="SEV3",
                               extra="mitigated_at: '2026-11-22T10:30:00Z'\n"),
    }, NOW)
    result = rollup(data)
    assert set(result.components.values()) == {"operational"}
    assert [i.id for i in result.active] == ["2026-11-22-b"]  # still open: listed
    assert result.indicator == "minor"  # SEV3's impact while it stays open


def test_internal_incident_never_changes_the_public_rollup(tmp_path: Path) -> None:
    incidents = {
        "2026-11-22-secret": outage(status="investigating", severity="SEV1",
                                    extra="visibility: internal\n"),
        "2026-11-22-ledger": outage(status="investigating", severity="SEV3",
                                    components="{id: ledger, impact: major_outage}"),
    }
    public = rollup(site(tmp_path, incidents, NOW))
    assert public.components == {"api": "operational", "checkout": "operational",
                                 "web": "operational"}
    # The public incident on an internal component stays listed, but its impact is hidden.
    assert [i.id for i in public.active] == ["2026-11-22-ledger"]
    assert public.active[0].components == ()
    assert public.indicator == "minor"
    internal = rollup(site(tmp_path, incidents, NOW, audience="internal"))
    assert internal.components["checkout"] == "major_outage"
    assert internal.components["ledger"] == "major_outage"
    assert internal.indicator == "critical"


def test_public_view_strips_internal_parts(tmp_path: Path) -> None:
    body = outage(status="resolved", extra=(
        "roles: {commander: '@alice'}\n"
        "links: [{title: war room chat, url: 'https://chat.acme.test/x'}]\n"
        "related: [2026-11-19-hidden]\n"
        "postmortem: {status: published, visibility: internal, body: Blame the intern.}\n"
        "action_items: [{title: Fire nobody, owner: '@bob', due: 2026-12-01, status: open}]\n"
    ), updates=(
        "  - {status: investigating, message: Public words., author: '@alice'}\n"
        "  - {status: identified, message: Secret words., visibility: internal}\n"
        "  - {status: resolved, message: Fixed.}\n"
    ))
    data = site(tmp_path, {"2026-11-20-a": body, "2026-11-19-hidden": outage(
        extra="visibility: internal\n")}, NOW)
    (inc,) = data.incidents
    assert [(u.index, u.message, u.author) for u in inc.updates] == [
        (0, "Public words.", None), (2, "Fixed.", None)]
    assert (inc.roles, inc.links, inc.related, inc.postmortem, inc.action_items) == (
        {}, (), (), None, ())


def test_incident_with_only_internal_updates_keeps_its_title(tmp_path: Path) -> None:
    body = outage(status="investigating", updates=(
        "  - {status: investigating, message: Only for us., visibility: internal}\n"))
    (inc,) = site(tmp_path, {"2026-11-22-a": body}, NOW).incidents
    assert (inc.title, inc.updates) == ("Checkout errors in eu-west", ())


def test_draft_postmortem_and_drills_stay_internal(tmp_path: Path) -> None:
    data = site(tmp_path, {
        "2026-11-20-a": outage(extra="postmortem: {status: draft, body: Not yet.}\n"),
        "2026-11-20-drill": outage(extra="drill: true\n"),
    }, NOW)
    assert [(i.id, i.postmortem) for i in data.incidents] == [("2026-11-20-a", None)]


def test_unknown_audience_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown audience"):
        site(tmp_path, {}, NOW, audience="everyone")


PRODUCERS = (api, badges, feeds, ics, sitemap)


def all_outputs(data: SiteData) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for producer in PRODUCERS:
        made = producer.produce(data)
        assert not set(made) & set(out), "two producers claim one path"
        out.update(made)
    return out


def test_no_internal_word_reaches_any_public_byte(tmp_path: Path) -> None:
    out = all_outputs(sample(tmp_path))
    assert len(out) == 22
    for path, raw in out.items():
        for marker in MARKERS:
            assert marker.encode() not in raw, f"{marker!r} leaked into {path}"
            assert marker.lower().encode() not in raw.lower(), f"{marker!r} leaked into {path}"
        assert b"@alice" not in raw and b"@bob" not in raw, path


def test_the_markers_do_reach_an_internal_build(tmp_path: Path) -> None:
    """The leak test could pass by accident if the markers never reached any output."""
    blob = b"".join(all_outputs(sample(tmp_path, audience="internal")).values())
    for marker in ("zanzibarquokka", "plinthgrackle", "quillfennec", "Ledger reconciliation"):
        assert marker.encode() in blob, marker


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    assert all_outputs(sample(tmp_path / "a")) == all_outputs(sample(tmp_path / "b"))
    internal = [all_outputs(sample(tmp_path / d, audience="internal")) for d in ("c", "d")]
    assert internal[0] == internal[1]


def test_sitemap_lists_the_pages_with_absolute_urls(tmp_path: Path) -> None:
    raw = sitemap.produce(sample(tmp_path))["sitemap.xml"]
    root = ElementTree.fromstring(raw)
    ns = {"s": sitemap.SITEMAP_NS}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    base = "https://status.acme.test/"
    assert locs[:6] == [base, base + "history/", base + "maintenance/",
                        base + "components/api/", base + "components/checkout/",
                        base + "components/web/"]
    assert base + "incidents/2026-11-22-checkout-errors/" in locs
    assert len(locs) == 6 + 7
    assert sitemap.produce(sample(tmp_path / "x", base_url="")) == {}


def test_producers_refuse_public_data_that_skipped_the_view(tmp_path: Path) -> None:
    data = sample(tmp_path, audience="internal")
    unfiltered = SiteData(data.config, data.incidents, data.recorded, data.now, data.base_url,
                          "public")
    for producer in PRODUCERS:
        with pytest.raises(ValueError, match="audience_view"):
            producer.produce(unfiltered)


def test_the_view_is_read_once_per_site_data_and_never_trusted_across_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ensure_view remembers a SiteData it checked (the producers after the first pay a
    look-up), but a new SiteData, even one sharing the config, is checked again."""
    import gc
    from dataclasses import replace

    from warroom import status

    checked = sample(tmp_path)
    internal = sample(tmp_path / "internal", audience="internal")
    reads: list[SiteData] = []
    real = status._check_view

    def counting(data: SiteData) -> None:
        reads.append(data)
        real(data)

    monkeypatch.setattr(status, "_check_view", counting)
    for producer in PRODUCERS:
        producer.produce(checked)
    status.ensure_view(checked)
    assert reads == [checked]  # the whole view read once, by the first producer
    leaky = replace(checked, incidents=internal.incidents)
    with pytest.raises(ValueError, match="audience_view"):
        status.ensure_view(leaky)
    with pytest.raises(ValueError, match="audience_view"):
        status.ensure_view(leaky)  # a refusal is not remembered as a pass
    for producer in PRODUCERS:
        with pytest.raises(ValueError, match="audience_view"):
            producer.produce(leaky)
    key = id(checked)
    assert key in status._DERIVED
    reads.clear()
    del checked, producer
    gc.collect()
    assert key not in status._DERIVED  # dropped with its SiteData: no stale answer by id


def test_roll_up_and_latest_activity_are_worked_out_once_per_site_data(tmp_path: Path) -> None:
    from dataclasses import replace

    from warroom.status import latest_activity

    data = sample(tmp_path)
    assert rollup(data) is rollup(data)
    assert latest_activity(data) is latest_activity(data)
    later = replace(data, now=data.now.replace(year=data.now.year + 1))
    assert rollup(later) is not rollup(data)  # another SiteData: computed for it
    assert rollup(later) == rollup(replace(data, now=later.now))


def test_the_view_builds_the_same_objects_as_dataclasses_replace(tmp_path: Path) -> None:
    """audience_view makes its frozen copies without __init__ (a third of its cost): they
    must equal, hash and compare like those dataclasses.replace() makes, and leave the
    loaded incident as it was."""
    from dataclasses import replace

    from warroom.model import Incident
    from warroom.status import audience_view

    body = outage(status="resolved", extra="roles: {commander: '@alice'}\n", updates=(
        "  - {status: investigating, message: One., author: '@alice'}\n"
        "  - {status: resolved, message: Two.}\n"))
    internal = site(tmp_path, {"2026-11-20-a": body}, NOW, audience="internal")
    (loaded,) = internal.incidents
    (view,) = audience_view(internal.incidents, internal.config, "public")
    expected = replace(loaded, roles={}, updates=tuple(
        replace(u, author=None) for u in loaded.updates))
    assert type(view) is Incident and view == expected and view.updates == expected.updates
    assert [u.author for u in view.updates] == [None, None]
    assert hash(view.updates[0]) == hash(expected.updates[0])
    assert loaded.roles == {"commander": "@alice"} and loaded.updates[0].author == "@alice"
    with pytest.raises(AttributeError):
        view.title = "changed"  # type: ignore[misc]
