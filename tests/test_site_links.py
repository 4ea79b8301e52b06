"""Every link a page makes to the site itself leads to a file the build wrote."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from site_support import BASE_URL, build_here, make_golden_repo, site_files


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


@pytest.fixture(scope="module", params=["public", "internal"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, bytes]:
    repo = make_golden_repo(tmp_path_factory.mktemp("links") / "repo")
    out = tmp_path_factory.mktemp("out") / "site"
    build_here(repo, out, audience=request.param)
    return site_files(out)


def _target(files: dict[str, bytes], page: str, link: str) -> str | None:
    """The output path a link names, or None when it leaves the site."""
    absolute = urljoin(f"{BASE_URL}/{page}", link)
    if not absolute.startswith(BASE_URL + "/") and absolute != BASE_URL:
        return None
    path = urlsplit(absolute).path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def test_every_internal_link_resolves(built: dict[str, bytes]) -> None:
    broken = []
    for page, body in built.items():
        if not page.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.found:
            if link.startswith(("#", "mailto:", "tel:")):
                continue
            target = _target(built, page, link)
            if target is not None and target not in built:
                broken.append(f"{page} -> {link}")
    assert broken == []


def test_the_home_page_offers_every_feed(built: dict[str, bytes]) -> None:
    parser = _Links()
    parser.feed(built["index.html"].decode("utf-8"))
    targets = {_target(built, "index.html", link) for link in parser.found}
    assert {"feed.atom", "feed.rss", "maintenance.ics", "api/v2/summary.json"} <= targets


def test_component_pages_offer_their_feeds(built: dict[str, bytes]) -> None:
    for page in (p for p in built if p.startswith("components/") and p.endswith("/index.html")):
        if "/page/" in page:
            continue
        folder = page.removesuffix("index.html")
        parser = _Links()
        parser.feed(built[page].decode("utf-8"))
        targets = {_target(built, page, link) for link in parser.found}
        assert {folder + "feed.atom", folder + "feed.rss"} <= targets, page


def test_the_sitemap_lists_every_page(built: dict[str, bytes]) -> None:
    listed = {_target(built, "sitemap.xml", loc.split("</loc>")[0])
              for loc in built["sitemap.xml"].decode("utf-8").split("<loc>")[1:]}
    pages = {p for p in built if p.endswith("index.html")}
    assert listed == pages
