from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from warroom.svgplot import Series, lines, nice_step, number, scale, stacked_bars

NS = {"svg": "http://www.w3.org/2000/svg"}
WEEKS = ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"]


def _weekly() -> tuple[ET.Element, object]:
    plot = stacked_bars(
        "weekly", "Incidents per week by severity", "5 incidents in 5 weeks.", WEEKS,
        [Series("SEV1", (1.0, 0.0, 0.0, 0.0, 1.0)), Series("SEV2", (0.0, 2.0, 0.0, 0.0, 1.0))],
        unit="incidents", first_column="Week of")
    return ET.fromstring(plot.svg), plot


def test_one_bar_group_per_week_with_a_rect_per_nonzero_severity() -> None:
    root, _ = _weekly()
    bars = root.findall("svg:g[@class='bar']", NS)
    assert [b.get("data-category") for b in bars] == WEEKS
    assert [len(b.findall("svg:rect", NS)) for b in bars] == [1, 1, 0, 0, 2]
    # each rect says what it is, for pointer users
    assert bars[4].find("svg:rect/svg:title", NS).text == "2026-11-02: SEV1 1"  # type: ignore[union-attr]


def test_title_desc_role_and_labelling() -> None:
    root, _ = _weekly()
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "weekly-title weekly-desc"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.get("id") == "weekly-title"
    assert title.text == "Incidents per week by severity"
    assert desc is not None and desc.get("id") == "weekly-desc" and desc.text
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"SEV1", "SEV2", "incidents", "2026-10-05", "0", "1", "2"} <= texts


def test_text_alternative_holds_every_value() -> None:
    _, plot = _weekly()
    table = plot.table  # type: ignore[attr-defined]
    assert table.columns == ("Week of", "SEV1", "SEV2")
    assert table.rows[1] == ("2026-10-12", "0", "2")
    assert len(table.rows) == len(WEEKS)


def test_stacked_heights_are_proportional() -> None:
    root, _ = _weekly()
    bars = root.findall("svg:g[@class='bar']", NS)
    heights = [float(r.get("height", "0")) for r in bars[4].findall("svg:rect", NS)]
    (single,) = [float(r.get("height", "0")) for r in bars[0].findall("svg:rect", NS)]
    assert heights == [single, single]


def test_output_is_deterministic_and_escaped() -> None:
    series = [Series("<script>", (1.0, None, 2.5))]
    first = lines("l", "A & B", "x < y", ["a", "b", "c"], series, unit="h", first_column="M")
    again = lines("l", "A & B", "x < y", ["a", "b", "c"], series, unit="h", first_column="M")
    assert first.svg == again.svg
    root = ET.fromstring(first.svg)  # parses: everything escaped
    assert root.find("svg:title", NS).text == "A & B"  # type: ignore[union-attr]
    assert "<script>" not in first.svg
    # a None is a gap: two runs of one point draw no polyline, only markers
    group = root.find("svg:g[@class='series']", NS)
    assert group is not None and group.findall("svg:polyline", NS) == []
    assert first.table.rows == (("a", "1"), ("b", ""), ("c", "2.5"))


def test_lines_go_below_zero_for_an_overspent_budget() -> None:
    plot = lines("b", "Budget", "d", ["d1", "d2"], [Series("API", (100.0, -474.0))],
                 unit="%", first_column="Day")
    texts = {t.text for t in ET.fromstring(plot.svg).iter("{http://www.w3.org/2000/svg}text")}
    assert "-600" in texts and "0" in texts


def test_empty_chart_says_so() -> None:
    plot = stacked_bars("e", "SLA", "none", [], [Series("met", ())], unit="clocks",
                        first_column="Target")
    assert "No data in this period" in plot.svg
    ET.fromstring(plot.svg)


@pytest.mark.parametrize(("value", "integer", "step"), [
    (0.75, True, 1.0), (1.25, True, 2.0), (0.3, False, 0.5), (22, False, 25.0), (0, False, 1.0),
])
def test_nice_steps(value: float, integer: bool, step: float) -> None:
    assert nice_step(value, integer) == step


def test_scale_includes_zero_and_whole_steps() -> None:
    assert scale([3.0], integer=True) == (0.0, 3.0, [0.0, 1.0, 2.0, 3.0])
    assert scale([9.0], integer=True) == (0.0, 10.0, [0.0, 5.0, 10.0])
    assert number(2.50) == "2.5" and number(-0.0001) == "0"


def test_long_category_labels_wrap_instead_of_disappearing() -> None:
    targets = ["Acknowledge", "Identify", "Mitigate", "Resolve", "First update",
               "Update interval"]
    plot = stacked_bars("s", "SLA", "d", targets, [Series("met", (1.0,) * 6)], unit="clocks",
                        first_column="Target")
    axis = ET.fromstring(plot.svg).find("svg:g[@class='x-axis']", NS)
    assert axis is not None
    shown = ["".join(t.itertext()) for t in axis.findall("svg:text", NS)]
    assert shown == ["Acknowledge", "Identify", "Mitigate", "Resolve", "Firstupdate",
                     "Updateinterval"]  # two <tspan> lines each
