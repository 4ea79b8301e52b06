"""The internal build's home page is the incident manager's dashboard; the public one is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_support import build_here, make_golden_repo, site_files


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    repo = make_golden_repo(tmp_path_factory.mktemp("dash") / "repo")
    out: dict[str, dict[str, bytes]] = {}
    for audience in ("public", "internal"):
        target: Path = tmp_path_factory.mktemp(audience) / "site"
        build_here(repo, target, audience=audience)
        out[audience] = site_files(target)
    return out


def test_internal_home_lists_open_clocks_worst_first(
        builds: dict[str, dict[str, bytes]]) -> None:
    home = builds["internal"]["index.html"].decode("utf-8")
    assert "SLA clocks of open incidents" in home
    table = home.split('aria-labelledby="dashboard"', 1)[1].split("</table>", 1)[0]
    states = [row.split("<td>")[2].split("</td>")[0]
              for row in table.split("<tr class=")[1:]]
    assert states, "the golden repository has open incidents with clocks"
    order = {"breached": 0, "at risk": 1}
    assert [order.get(s, 2) for s in states] == sorted(order.get(s, 2) for s in states)
    assert "met" not in states


def test_public_pages_have_no_dashboard_and_no_metrics_link(
        builds: dict[str, dict[str, bytes]]) -> None:
    public, internal = builds["public"], builds["internal"]
    assert b"SLA clocks of open incidents" not in public["index.html"]
    assert not any(b"internal/metrics/" in body for body in public.values())
    assert b"internal/metrics/" in internal["index.html"]
