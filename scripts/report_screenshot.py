#!/usr/bin/env python3
"""Render `warroom report --format html` for a repository and screenshot it (docs/report.png).

Usage (from the repository root, after ./scripts/setup):
    .venv/bin/python scripts/report_screenshot.py [--root DIR] [--out docs/report.png]
        [--now TIME] [-- extra `warroom report` options such as --month 2026-11]

Uses Debian's chromium through Playwright (no browser download), with JavaScript disabled:
the report must not need it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def capture(page: Path, png: Path, *, width: int = 1200, height: int = 1500,
            full_page: bool = False) -> None:
    """Screenshot a local HTML file in headless chromium, JavaScript off."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height},
                                   java_script_enabled=False, color_scheme="light")
            tab.goto(page.resolve().as_uri())
            png.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(png), full_page=full_page)
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="incident repository")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--now", help="pin the present (RFC 3339 with offset)")
    parser.add_argument("--height", type=int, default=1500, help="viewport height in pixels")
    parser.add_argument("extra", nargs="*", help="more `warroom report` options, after --")
    options = parser.parse_args(argv)
    warroom = Path(sys.executable).with_name("warroom")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        command = [str(warroom), "report", "--root", str(options.root), "--format", "html",
                   "--out", str(page), *(["--now", options.now] if options.now else []),
                   *options.extra]
        done = subprocess.run(command, check=False)
        if done.returncode:
            return done.returncode
        capture(page, options.out, height=options.height)
    print(f"wrote {options.out}")  # noqa: T201 (a script: printing is its job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
