"""sitemap.xml of the HTML pages, and the URL helpers the machine outputs share.

The build passes every HTML page it wrote (paged history and component pages, the
availability page included); on its own, the producer lists the pages every site has:
`index`, `history/`, `maintenance/`, `incidents/<id>/`, `components/<id>/`. The sitemap
protocol requires absolute URLs, so nothing is written without a base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, compress
from operator import is_not
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
    """What `produce` makes, from the site's rows: no incident is needed. `pages` may hold
    any output paths: only those of x/index.html pages count (as in `produce`).

    The incidents' lines and the components' latest activity are updated from the last
    sitemap made in this process (`_last`) for the rows that are not the very objects it
    was made from: a rebuild after one change writes one line, not 10^4 (~30 ms)."""
    if not data.base_url:
        return {}
    global _last
    # escape() replaces characters one by one, so the escaped base URL prefixes each path
    base = escape(url(data, ""))
    made = _made(_last if _last is not None and _last.base == base else None, base, rows)
    _last = made
    newest = max(made.when.values(), default=None)
    fixed: list[tuple[str, str | None]] = [
        ("", newest[1] if newest is not None else None), ("history/", None),
        ("maintenance/", None)]
    for cid in visible_components(data.config, data.audience):
        touched = made.by_component.get(cid)
        fixed.append((component_path(cid), max(touched.values())[1] if touched else None))
    # Every incident's page is listed already: only the others are looked at (~100).
    listed = {path for path, _ in fixed}
    extra = []
    for page in sorted(set(pages).difference(made.pages)):
        folder = page.removesuffix("index.html")
        if page.endswith("index.html") and folder not in listed:
            extra.append(folder)
            listed.add(folder)
    return _text(base, fixed, made.lines.values(), extra)


@dataclass(frozen=True)
class _Made:
    """What the last sitemap was made from, and its parts that every build needs; never
    changed once made (a later build makes a new one)."""

    base: str  # the escaped base URL
    rows: dict[str, SiteRow]  # the rows by id (the very objects: compared by identity)
    lines: dict[str, str]  # each incident's line, in id order
    when: dict[str, tuple[float, str]]  # each incident's (latest, lastmod)
    by_component: dict[str, dict[str, tuple[float, str]]]  # the same, by component
    pages: frozenset[str]  # every incident's page, incidents/<id>/index.html


_last: _Made | None = None
# More rows changed than this share of them: made afresh (one pass, not two).
_AFRESH = 4


def forget() -> None:
    """Drop the last sitemap's parts (tests: a build that must make it afresh)."""
    global _last
    _last = None


def _made(last: _Made | None, base: str, rows: Mapping[str, SiteRow]) -> _Made:
    """`last` updated for `rows`: the lines, times and components of the rows that are
    not the very objects `last` was made from (all of them when there is no `last`)."""
    if last is not None:
        changed = list(compress(rows, map(is_not, map(last.rows.get, rows), rows.values())))
        gone = last.rows.keys() - rows.keys()
        if len(changed) + len(gone) > len(rows) // _AFRESH:
            last = None
    if last is None:
        last = _Made(base, {}, {}, {}, {}, frozenset())
        changed, gone = list(rows), set()
    lines, when = dict(last.lines), dict(last.when)
    by_component = dict(last.by_component)
    copied: set[str] = set()

    def component(cid: str) -> dict[str, tuple[float, str]]:
        """The component's own dict, copied before its first change (`last` keeps its)."""
        if cid not in copied:
            copied.add(cid)
            by_component[cid] = dict(by_component.get(cid, {}))
        return by_component[cid]

    for iid in chain(gone, changed):
        before = last.rows.get(iid)
        if before is not None:
            for cid in before.components:
                component(cid).pop(iid, None)
    for iid in gone:
        del lines[iid], when[iid]
    new = [iid for iid in changed if iid not in last.rows]
    for iid in changed:
        row = rows[iid]
        when[iid] = moment = (row.latest, row.lastmod)
        # One path, escaped as one: escape() replaces characters one by one.
        lines[iid] = (f"  <url><loc>{base}{escape(incident_path(iid))}</loc>"
                      f"<lastmod>{row.lastmod}</lastmod></url>")
        for cid in row.components:
            component(cid)[iid] = moment
    pages = last.pages
    if new or gone:
        lines = dict(sorted(lines.items()))
        pages = frozenset(f"{incident_path(iid)}index.html" for iid in lines)
    return _Made(base, dict(rows), lines, when, by_component, pages)


def _text(base: str, fixed: Iterable[tuple[str, str | None]], incidents: Iterable[str],
          extra: Iterable[str]) -> dict[str, bytes]:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path, lastmod in fixed:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{base}{escape(path)}</loc>{mod}</url>")
    lines += incidents
    lines += [f"  <url><loc>{base}{escape(folder)}</loc></url>" for folder in extra]
    lines.append("</urlset>")
    return {"sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8")}


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
    base = escape(url(data, ""))
    # One escape() over every incident's path at once (10^4 calls cost more than the rest
    # of the sitemap): it replaces character by character, and no path holds a NUL.
    paths = escape("\0".join(map(incident_path, ids))).split("\0") if ids else []
    return _text(base, rows, [
        f"  <url><loc>{base}{path}</loc><lastmod>{w3c(latest[i])}</lastmod></url>"
        for i, path in zip(ids, paths, strict=True)], extra)
