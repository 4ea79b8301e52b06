"""The maintenance page (pages.Pages._maintenance_shown): in progress and upcoming windows
in full, the latest past ones only (the history pages list every one), made from rows: a
rebuild renders it without materialising the maintenance it lists."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from site_support import retitle_id, site_files
from warroom.site import listings, pages
from warroom.site.build import build

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)
CAP = 3


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_git_repo(tmp_path_factory.mktemp("origin") / "repo", 120)


@pytest.fixture
def repo(origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(listings, "PAST_MAINTENANCE", CAP)
    copy = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(copy)], check=True)
    return copy


def _maintenance(repo: Path) -> dict[str, datetime]:
    """Each maintenance's window start, by id, as the files say."""
    found = {}
    for path in (repo / "incidents").rglob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc["type"] == "maintenance":
            found[doc["id"]] = doc["window"]["start"]
    return found


class _Sections(HTMLParser):
    """The incident links of each <section> of a page, by the section's heading id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}
        self.hrefs: dict[str, list[str]] = {}  # every link of each section
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "section":
            self._section = attr.get("aria-labelledby")
            self.links[self._section or ""] = []
            self.hrefs[self._section or ""] = []
        elif tag == "a" and attr.get("href"):
            href = attr["href"] or ""
            match = re.search(r"incidents/([^/]+)/", href)
            if self._section is not None:
                self.hrefs[self._section].append(href)
                if match:
                    self.links[self._section].append(match.group(1))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None


def _sections(out: Path) -> _Sections:
    parser = _Sections()
    parser.feed((out / "maintenance" / "index.html").read_text(encoding="utf-8"))
    return parser


def _listed_in_history(out: Path) -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in (out / "history").rglob("*.html"))
    return set(re.findall(r"incidents/([^/\"]+)/", text))


def _same_as_fresh(repo: Path, out: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    build(repo, fresh, now=NOW, use_cache=False)
    assert site_files(out) == site_files(fresh)
    shutil.rmtree(fresh)


def test_lists_the_latest_past_maintenance_and_points_to_the_history(
        repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    windows = _maintenance(repo)
    past = sorted((start, i) for i, start in windows.items() if start <= NOW)
    assert len(past) > CAP + 2  # the fixture has more than the page shows
    sections = _sections(out)
    assert sections.links["past"] == [i for _, i in reversed(past)][:CAP]
    upcoming = sorted((start, i) for i, start in windows.items() if start > NOW)
    assert sections.links["upcoming"] == [i for _, i in upcoming]
    # Older ones: where they are.
    assert sections.hrefs["past"][-1] == "https://status.northwind.example/history/"
    # Every past maintenance is still on the site's history pages.
    assert {i for _, i in past} <= _listed_in_history(out)


def test_no_link_to_older_ones_when_all_are_shown(repo: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listings, "PAST_MAINTENANCE", 10_000)
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    past = [i for i, start in _maintenance(repo).items() if start <= NOW]
    assert sorted(_sections(out).links["past"]) == sorted(past)
    assert not any(h.endswith("/history/") for h in _sections(out).hrefs["past"])




def test_a_rebuild_renders_it_from_rows(repo: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit to a listed maintenance renders the page again, and materialises that
    maintenance only; an edit to one too old to be listed leaves the page as it was."""
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    asked: list[str] = []  # incidents the pages asked for (the other producers ask too)
    real = pages.Pages._many

    def many(self: pages.Pages, ids: Sequence[str]) -> object:
        asked.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(pages.Pages, "_many", many)
    listed = _sections(out).links["past"]
    retitle_id(repo, listed[1], 1)
    built = build(repo, out, now=NOW)
    assert built.patched and "maintenance/index.html" in built.outputs
    assert asked == [listed[1]]  # for its own page
    assert "Edit 1: " in (out / "maintenance" / "index.html").read_text(encoding="utf-8")
    _same_as_fresh(repo, out, tmp_path)

    windows = _maintenance(repo)
    oldest = min(windows, key=windows.__getitem__)
    assert oldest not in listed
    retitle_id(repo, oldest, 2)
    built = build(repo, out, now=NOW)
    assert built.patched and "maintenance/index.html" in built.kept
    _same_as_fresh(repo, out, tmp_path)
