"""The HTML report in real headless Chromium, JavaScript off: it renders, plots have size,
and a screenshot is kept in tests/artifacts/ (gitignored) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from metrics_fixtures import MONTH_END, MONTH_START, REPORT_NOW, config, november
from warroom.report import build_report, renderer

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"


def test_html_report_renders_without_javascript(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    incidents, records, clocks = november()
    report = build_report(config(), incidents, records, clocks, REPORT_NOW, MONTH_START,
                          MONTH_END)
    page_file = tmp_path / "report.html"
    page_file.write_text(renderer("html")(report), encoding="utf-8")
    requests: list[str] = []
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width, name in ((1280, "report-desktop.png"), (390, "report-phone.png")):
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        java_script_enabled=False)
                page.on("request", lambda r: requests.append(r.url))
                page.goto(page_file.as_uri())
                assert page.title() == "Acme status: incident report, November 2026"
                plots = page.locator("figure.plot svg")
                assert plots.count() == 4
                for index in range(4):
                    box = plots.nth(index).bounding_box()
                    assert box is not None and box["width"] > 200 and box["height"] > 80
                    assert box["x"] + box["width"] <= width  # fits the viewport
                # the text alternative opens without JavaScript (a <details>)
                page.locator("figure.plot summary").first.click()
                assert page.locator("figure.plot details table").first.is_visible()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                page.close()
        finally:
            browser.close()
    assert requests == [page_file.as_uri()] * 2  # nothing else fetched: self-contained
