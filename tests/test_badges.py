from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from status_fixtures import CONFIG, maintenance, outage, sample, site
from warroom.repo import load_config
from warroom.site import badges

SVG = "{http://www.w3.org/2000/svg}"
NOW = "2026-11-22T12:00:00Z"


def read(raw: bytes) -> tuple[ET.Element, str, list[str]]:
    root = ET.fromstring(raw)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == root.get("aria-label")
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    return root, title.text, texts


def test_a_badge_per_visible_component_and_one_overall(tmp_path: Path) -> None:
    out = badges.produce(sample(tmp_path))
    assert sorted(out) == ["badges/api.svg", "badges/checkout.svg", "badges/status.svg",
                           "badges/web.svg"]
    words = {path: read(raw)[1] for path, raw in out.items()}
    assert words == {
        "badges/status.svg": "Acme status: Major service outage",
        "badges/api.svg": "API: Partial outage",
        "badges/checkout.svg": "Checkout: Major outage",
        "badges/web.svg": "Website: Under maintenance",
    }


def test_badge_geometry_and_colour(tmp_path: Path) -> None:
    root, _, texts = read(badges.produce(sample(tmp_path))["badges/checkout.svg"])
    assert texts == ["Checkout", "Checkout", "Major outage", "Major outage"]
    rects = root.findall(f"{SVG}g/{SVG}rect")
    left, right = int(rects[0].get("width", "0")), int(rects[1].get("width", "0"))
    assert left + right == int(root.get("width", "0"))
    assert right > left  # "Major outage" is the longer text
    assert rects[1].get("fill") == badges.COLOURS["major_outage"]


def test_all_clear_and_maintenance_words(tmp_path: Path) -> None:
    quiet = badges.produce(site(tmp_path / "a", {"2026-11-20-a": outage()}, NOW))
    assert read(quiet["badges/status.svg"])[1] == "Acme status: All systems operational"
    busy = badges.produce(site(tmp_path / "b", {"2026-11-21-db": maintenance(
        "2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z")}, NOW))
    assert read(busy["badges/status.svg"])[1] == "Acme status: Maintenance in progress"
    assert read(busy["badges/api.svg"])[1] == "API: Under maintenance"


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    config = CONFIG.replace("{id: api, name: API}", "{id: api, name: '<b>API</b> & \"co\"'}")
    raw = badges.produce(site(tmp_path, {}, NOW, config=config))["badges/api.svg"]
    assert read(raw)[1] == '<b>API</b> & "co": Operational'
    assert b"<b>" not in raw


def test_a_component_called_status_is_refused(tmp_path: Path) -> None:
    # warroom.yaml refuses it first, so the badge of a component never replaces the overall one.
    config = CONFIG.replace("{id: web, name: Website}", "{id: status, name: Status}")
    (tmp_path / "warroom.yaml").write_text(config, encoding="utf-8")
    _, _, problems = load_config(tmp_path)
    assert [p.code for p in problems] == ["reserved-component-id"]
    assert "badges/status.svg" in problems[0].message


def test_text_width_grows_with_text() -> None:
    assert badges.text_width("") == 0
    assert badges.text_width("iiii") < badges.text_width("WWWW")
    assert badges.text_width("é") == 9  # characters outside ASCII get a roomy 9 px
