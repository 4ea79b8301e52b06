"""sitemap.xml of the HTML pages, and the URL helpers the machine outputs share.

The build passes every HTML page it wrote (paged history and component pages, the
availability page included); on its own, the producer lists the pages every site has:
`index`, `history/`, `maintenance/`, `incidents/<id>/`, `components/<id>/`. The sitemap
protocol requires absolute URLs, so nothing is written without a base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from operator import itemgetter
from typing import TypeVar

from warroom.site.data import SiteData
from warroom.site.siterows import SiteRow, w3c
from warroom.status import ensure_view, latest_activity, visible_components
from warroom.xmltext import escape

T = TypeVar("T", datetime, tuple[float, str])

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def incident_path(incident_id: str) -> str:
    return f"incidents/{incident_id}/"


def component_path(component_id: str) -> str:
    return f"components/{component_id}/"


def url(data: SiteData, path: str) -> str:
    """Absolute when the site has a base URL, else relative to the site root."""
    return f"{data.base_url}/{path}" if data.base_url else path


def produce(data: SiteData, pages: Iterable[str] = ()) -> dict[str, bytes]:
    """sitemap.xml; `pages` adds the output paths of other HTML pages (x/index.html)."""
    ensure_view(data)
    if not data.base_url:
        return {}
    latest = latest_activity(data)
    return _sitemap(data, latest, {i.id: [c.id for c in i.components] for i in data.incidents},
                    pages, w3c)


def from_rows(data: SiteData, rows: Mapping[str, SiteRow], pages: Iterable[str] = ()
              ) -> dict[str, bytes]:
    """What `produce` makes, from the site's rows: no incident is needed."""
    if not data.base_url:
        return {}
    # Ordered by the floats (as the instants), written as each row's own text.
    latest = {i: (row.latest, row.lastmod) for i, row in rows.items()}
    return _sitemap(data, latest, {i: row.components for i, row in rows.items()}, pages,
                    itemgetter(1))


def _sitemap(data: SiteData, latest: Mapping[str, T], components: Mapping[str, Iterable[str]],
             pages: Iterable[str], w3c: Callable[[T], str]) -> dict[str, bytes]:
    """Times are datetimes or their timestamps (`w3c` writes them): both order alike."""
    newest = max(latest.values(), default=None)
    rows: list[tuple[str, str | None]] = [("", None), ("history/", None), ("maintenance/", None)]
    by_component: dict[str, list[T]] = {}
    for iid, comps in components.items():
        when = latest[iid]
        for cid in comps:
            by_component.setdefault(cid, []).append(when)
    for cid in visible_components(data.config, data.audience):
        touched = by_component.get(cid)
        rows.append((component_path(cid), w3c(max(touched)) if touched else None))
    if newest is not None:
        rows[0] = ("", w3c(newest))
    ids = sorted(latest)
    listed = {path for path, _ in rows}
    listed.update(incident_path(i) for i in ids)
    extra = []
    for page in sorted(pages):
        folder = page.removesuffix("index.html")
        if page.endswith("index.html") and folder not in listed:
            extra.append(folder)
            listed.add(folder)
    # escape() replaces characters one by one, so the escaped base URL prefixes each path
    base = escape(url(data, ""))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path, lastmod in rows:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{base}{escape(path)}</loc>{mod}</url>")
    # One escape() over every incident's path at once (10^4 calls cost more than the rest
    # of the sitemap): it replaces character by character, and no path holds a NUL.
    paths = escape("\0".join(map(incident_path, ids))).split("\0") if ids else []
    lines += [f"  <url><loc>{base}{path}</loc><lastmod>{w3c(latest[i])}</lastmod></url>"
              for i, path in zip(ids, paths, strict=True)]
    lines += [f"  <url><loc>{base}{escape(folder)}</loc></url>" for folder in extra]
    lines.append("</urlset>")
    return {"sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8")}
