#!/usr/bin/env python3
"""Render `warroom report --format html` for a repository and screenshot it (docs/report.png).

Usage (from the repository root, after ./scripts/setup):
    .venv/bin/python scripts/report_screenshot.py [--root DIR] [--out docs/report.png]
        [--now TIME] [--replay] [-- extra `warroom report` options such as --month 2026-11]

`--replay` first rebuilds the repository's incidents in a temporary git repository, one
commit per update at the update's stated time (the commander a few minutes after the
declaration, the postmortem two days after the resolution). The demo data is committed in
one go, so without it every incident would look declared at that one commit.

Uses Debian's chromium through Playwright (no browser download), with JavaScript disabled:
the report must not need it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from warroom.durations import parse_time
from warroom.repo import incident_files
from warroom.yamlload import load_file

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


Event = tuple[datetime, str, str]  # when, repository-relative path, file text


def _versions(data: dict[str, Any], now: datetime) -> list[tuple[datetime, dict[str, Any]]]:
    """The states an incident file went through, each with the time it was committed."""
    updates = data["updates"]
    times: list[datetime] = []
    for update in updates:
        stated = update.get("at")
        times.append(parse_time(stated) if stated else
                     times[-1] + timedelta(minutes=20) if times else
                     parse_time(data.get("detected_at") or data.get("impact_started_at")
                                or "2000-01-01T00:00:00Z") + timedelta(minutes=10))
    out = []
    for k, when in enumerate(times):
        version = {key: value for key, value in data.items()
                   if key not in ("roles", "postmortem", "action_items", "mitigated_at",
                                  "resolved_at")}
        version["updates"] = updates[:k + 1]
        status = updates[k]["status"]
        version["status"] = "scheduled" if status == "in_progress" else status
        for key in ("mitigated_at", "resolved_at"):
            if key in data and parse_time(data[key]) <= when:
                version[key] = data[key]
        if "roles" in data and k > 0:
            version["roles"] = data["roles"]
        out.append((when, version))
    if "roles" in data and len(times) > 0:
        acknowledged = times[0] + min(timedelta(minutes=4), (times[1] - times[0]) / 2
                                      if len(times) > 1 else timedelta(minutes=4))
        out.append((acknowledged, {**out[0][1], "roles": data["roles"]}))
    published = data.get("postmortem", {}).get("status") == "published"
    final = times[-1] + (timedelta(days=2) if published else timedelta(minutes=30))
    out.append((min(final, now - timedelta(minutes=5)), data))
    out.sort(key=lambda pair: pair[0])
    return [(when, version) for when, version in out if when <= now]


def replay(root: Path, target: Path, now: datetime) -> None:
    """Commit every incident of `root` into a new repository at `target`, update by update."""
    events: list[Event] = []
    for path in incident_files(root):
        rel = path.relative_to(root).as_posix()
        doc, _ = load_file(path, rel)
        if doc is None or not isinstance(doc.data, dict):
            continue
        for when, version in _versions(doc.data, now):
            events.append((when, rel, yaml.safe_dump(version, sort_keys=False,
                                                      allow_unicode=True, width=100)))
    events.sort(key=lambda e: (e[0], e[1]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
                "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com"})

    def git(*args: str, when: datetime) -> None:
        stamp = when.astimezone(UTC).isoformat()
        subprocess.run(["git", *args], cwd=target, check=True, capture_output=True,
                       env={**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})

    target.mkdir(parents=True)
    shutil.copy(root / "warroom.yaml", target / "warroom.yaml")
    start = events[0][0] - timedelta(days=1) if events else now
    git("init", "-q", "-b", "main", when=start)
    git("add", "-A", when=start)
    git("commit", "-q", "-m", "warroom.yaml", when=start)
    for when, rel, text in events:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, encoding="utf-8")
        git("add", "-A", when=when)
        git("commit", "-q", "--allow-empty", "-m", f"{Path(rel).stem}", when=when)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="incident repository")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--now", help="pin the present (RFC 3339 with offset)")
    parser.add_argument("--height", type=int, default=1500, help="viewport height in pixels")
    parser.add_argument("--replay", action="store_true",
                        help="replay the incidents update by update in a temporary git "
                             "repository first (for data committed in one go)")
    parser.add_argument("extra", nargs="*", help="more `warroom report` options, after --")
    options = parser.parse_args(argv)
    warroom = Path(sys.executable).with_name("warroom")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        root = options.root
        if options.replay:
            now = parse_time(options.now) if options.now else datetime.now(UTC)
            root = Path(folder) / "replayed"
            replay(options.root.resolve(), root, now)
        command = [str(warroom), "report", "--root", str(root), "--format", "html",
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
