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
from operator import attrgetter, is_not
from typing import TypeVar

from warroom import held
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

    The incidents' lines and the latest activity (of the site, of each component) are
    updated from the last sitemap made in this process for the same base URL and audience
    (`_last`: `warroom serve` may build both in turn) for the rows that are not
    the very objects it was made from: a rebuild after one change writes one line, not
    10^4 (~30 ms)."""
    if not data.base_url:
        return {}
    # escape() replaces characters one by one, so the escaped base URL prefixes each path
    base = escape(url(data, ""))
    key = (base, data.audience)
    made = _made(_last.get(key), base, rows)
    if key not in _last and len(_last) >= _KEEP:
        _last.clear()
    _last[key] = made
    fixed: list[tuple[str, str | None]] = [
        ("", made.newest[1] if made.newest is not None else None), ("history/", None),
        ("maintenance/", None)]
    for cid in visible_components(data.config, data.audience):
        touched = made.latest.get(cid)
        fixed.append((component_path(cid), touched[1] if touched is not None else None))
    # Every incident's page is listed already: only the others are looked at (~100).
    listed = {path for path, _ in fixed}
    extra = []
    for page in sorted(set(pages).difference(made.pages)):
        folder = page.removesuffix("index.html")
        if page.endswith("index.html") and folder not in listed:
            extra.append(folder)
            listed.add(folder)
    return _text(base, fixed, made.lines.values(), extra)


Moment = tuple[float, str]  # a row's (latest, lastmod): ordered by the float, as instants


@dataclass(frozen=True)
class _Made:
    """What the last sitemap was made from, and its parts that every build needs; never
    changed once made (a later build makes a new one)."""

    base: str  # the escaped base URL
    rows: dict[str, SiteRow]  # the rows by id (the very objects: compared by identity)
    lines: dict[str, bytes]  # each incident's line, in id order
    by_component: dict[str, dict[str, Moment]]  # each row's Moment, by component
    latest: dict[str, Moment]  # the latest Moment of each component that has one
    newest: Moment | None  # the latest of all
    pages: frozenset[str]  # every incident's page, incidents/<id>/index.html


_last: dict[tuple[str, str], _Made] = {}  # by (base URL escaped, audience)
held.also_forget(_last.clear)
_KEEP = 4  # sites at most
_EMPTY = _Made("", {}, {}, {}, {}, None, frozenset())
# More rows changed than this share of them: made afresh (one pass, not two).
_AFRESH = 4
_MOMENT = attrgetter("latest", "lastmod")


def forget() -> None:
    """Drop the last sitemap's parts (tests: a build that must make it afresh)."""
    _last.clear()


def _made(last: _Made | None, base: str, rows: Mapping[str, SiteRow]) -> _Made:
    """`last` updated for `rows`: the lines, times and components of the rows that are
    not the very objects `last` was made from (all of them when there is no `last`)."""
    if last is not None:
        changed = list(compress(rows, map(is_not, map(last.rows.get, rows), rows.values())))
        gone = [] if last.rows.keys() <= rows.keys() else list(last.rows.keys() - rows.keys())
        if len(changed) + len(gone) > len(rows) // _AFRESH:
            last = None
    if last is None:
        last, changed, gone = _EMPTY, list(rows), []
    lines, by_component, latest = dict(last.lines), dict(last.by_component), dict(last.latest)
    dropped: list[Moment] = []  # the Moments that went (a latest among them: look again)
    added: list[Moment] = []
    stale: set[str] = set()  # components that lost a row, so maybe their latest

    def component(cid: str) -> dict[str, Moment]:
        """The component's own dict, copied before its first change (`last` keeps its)."""
        if cid not in stale:
            stale.add(cid)
            by_component[cid] = dict(by_component.get(cid, {}))
        return by_component[cid]

    for iid in chain(gone, changed):
        before = last.rows.get(iid)
        if before is not None:
            dropped.append((before.latest, before.lastmod))
            for cid in before.components:
                component(cid).pop(iid, None)
    for iid in gone:
        del lines[iid]
    for iid in changed:
        row = rows[iid]
        added.append(moment := (row.latest, row.lastmod))
        # One path, escaped as one: escape() replaces characters one by one.
        lines[iid] = (f"  <url><loc>{base}{escape(incident_path(iid))}</loc>"
                      f"<lastmod>{row.lastmod}</lastmod></url>").encode()
        for cid in row.components:
            component(cid)[iid] = moment
    for cid in stale:
        moments = by_component[cid]
        was = latest.pop(cid, None)
        if was is not None and was not in dropped:  # only Moments were added: the max of few
            latest[cid] = max([was, *(moments[i] for i in changed if i in moments)])
        elif moments:
            latest[cid] = max(moments.values())
    newest = last.newest
    if newest is None or newest in dropped:  # look again, in C: over every row
        newest = max(map(_MOMENT, rows.values()), default=None)
    else:  # still there: the latest of it and the rows changed
        newest = max([newest, *added])
    pages = last.pages
    if len(lines) != len(last.lines) or any(iid not in last.rows for iid in changed):
        lines = dict(sorted(lines.items()))
        pages = frozenset(f"{incident_path(iid)}index.html" for iid in lines)
    return _Made(base, dict(rows), lines, by_component, latest, newest, pages)


def _text(base: str, fixed: Iterable[tuple[str, str | None]], incidents: Iterable[bytes],
          extra: Iterable[str]) -> dict[str, bytes]:
    """The sitemap; `incidents` are the incidents' lines, encoded (10^4 of them: joined as
    bytes, the text is not copied again to be encoded)."""
    head = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path, lastmod in fixed:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        head.append(f"  <url><loc>{base}{escape(path)}</loc>{mod}</url>")
    tail = [f"  <url><loc>{base}{escape(folder)}</loc></url>" for folder in extra]
    tail += ["</urlset>", ""]
    return {"sitemap.xml": b"\n".join([*(line.encode() for line in head), *incidents,
                                       "\n".join(tail).encode()])}


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
        f"  <url><loc>{base}{path}</loc><lastmod>{w3c(latest[i])}</lastmod></url>".encode()
        for i, path in zip(ids, paths, strict=True)], extra)
