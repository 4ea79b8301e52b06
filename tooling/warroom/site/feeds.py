"""Atom and RSS feeds: all incidents, and one pair per component.

One entry per public update, so a subscriber hears about each update rather than once per
incident (feed readers rarely resurface an edited entry). An incident with no public update
gets one entry with its title. Entry ids are tag URIs built from the incident id (whose
date is the tag's date) and the update's index: never from the build time, so a rebuild
never makes a reader show old entries again.
"""

from __future__ import annotations

import heapq
import re
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from operator import itemgetter
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from warroom.model import Incident, Update
from warroom.site import markdown
from warroom.site.data import SiteData
from warroom.site.i18n import Translator
from warroom.site.sitemap import component_path, incident_path, url
from warroom.status import ensure_view, last_activity, update_time, visible_components
from warroom.xmltext import escape, quoteattr

LIMIT = 100  # entries per feed, newest first; the history pages keep everything
ATOM_NS = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # `updated` of a feed with no entry at all
# Characters XML 1.0 cannot hold even escaped; YAML's "\x01" can put them in a title, and
# one of them would make every feed that carries it unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    when: datetime
    message: str  # Markdown; rendered only for the entries a feed keeps
    categories: tuple[tuple[str, str], ...]  # (component id, name)


def entry_id(data: SiteData, incident_id: str, index: int | None) -> str:
    """tag:<host>,<date in the id>:<incident id>[/<update index>] (RFC 4151).

    Without a base URL there is no authority to tag with, so a name-based UUID of the site
    title and the same key stands in (stable too, but changes once a base URL is set).
    """
    return _ids(data)(incident_id, index)


def _ids(data: SiteData) -> Callable[[str, int | None], str]:
    host = urlsplit(data.base_url).hostname if data.base_url else None
    title = data.config.site.title

    def make(incident_id: str, index: int | None) -> str:
        key = incident_id if index is None else f"{incident_id}/{index}"
        if host:
            return f"tag:{host},{incident_id[:10]}:{key}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'warroom:{title}:{key}')}"

    return make


# (when in UTC, incident id, update index or -1, incident, update or None): cheap to build
# and sort for every update of 10,000 incidents; only the entries a feed keeps become Entry.
# In UTC for the sort: aware times in mixed offsets order alike but compare far slower.
Candidate = tuple[datetime, str, int, Incident, Update | None]
_ORDER = itemgetter(0, 1, 2)  # newest first once reversed; ties: id and index, reversed


# One incident's candidates behind the key of its newest one: (when, id, index, candidates).
Group = tuple[datetime, str, int, list[Candidate]]


def candidates(data: SiteData) -> list[Candidate]:
    """Every entry of the audience's incidents, newest first (ties: id and index, reversed)."""
    out = [c for group in _grouped(data, {}) for c in group[3]]
    out.sort(key=_ORDER, reverse=True)
    return out


def _grouped(data: SiteData, per_component: dict[str, list[Group]]) -> list[Group]:
    """Each incident's candidates, in incident order; each group is also appended to the
    list of each component in `per_component` the incident affects (as often as it is
    listed)."""
    out: list[Group] = []
    recorded_of = data.recorded.get
    for inc in data.incidents:
        iid = inc.id
        mine: list[Candidate]
        if inc.updates:
            recorded = recorded_of(iid)
            mine = [((upd.at if upd.at is not None else update_time(inc, upd, recorded)
                      ).astimezone(UTC), iid, upd.index, inc, upd) for upd in inc.updates]
        else:
            mine = [(last_activity(inc, recorded_of(iid)).astimezone(UTC), iid, -1, inc, None)]
        top = max(mine, key=_ORDER)
        group = (top[0], iid, top[2], mine)
        out.append(group)
        for comp in inc.components:
            shared = per_component.get(comp.id)
            if shared is not None:
                shared.append(group)
    return out


def _newest(groups: list[Group]) -> list[Candidate]:
    """The LIMIT newest candidates of the groups, newest first: sorted(all)[:LIMIT] (keys
    are unique), without sorting every update of 10,000 incidents. They all come from the
    LIMIT groups with the newest tops: a candidate of any other group is older than that
    group's top, itself older than LIMIT tops of LIMIT other groups. Read from the end:
    incidents come oldest first, and nlargest fed ascending input replaces at every step."""
    chosen = heapq.nlargest(LIMIT, reversed(groups), key=_ORDER)
    return heapq.nlargest(LIMIT, (c for group in chosen for c in group[3]), key=_ORDER)


def entries(data: SiteData, t: Translator, chosen: Sequence[Candidate]) -> list[Entry]:
    names = {c.id: c.name for c in data.config.components.values()}
    make_id = _ids(data)
    out = []
    for when, _, _, inc, upd in chosen:
        cats = tuple((c.id, names.get(c.id, c.id)) for c in inc.components)
        link = url(data, incident_path(inc.id))
        if upd is None:
            out.append(Entry(make_id(inc.id, None), inc.title, link, when, "", cats))
        else:
            out.append(Entry(make_id(inc.id, upd.index),
                             f"{inc.title}: {t(f'status.{upd.status}')}", link, when,
                             upd.message, cats))
    return out


def _time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


# An entry reads the same in every feed that carries it (the site feed and one per
# component it affects): `memo`, by (format, entry id), keeps its text from the first.
EntryMemo = dict[tuple[str, str], str]


class _Html:
    """Markdown rendered once per message, however many feeds carry it."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    def __call__(self, message: str) -> str:
        html = self.cache.get(message)
        if html is None:
            html = self.cache[message] = str(markdown.render(message))
        return html


def atom(data: SiteData, title: str, path: str, home: str, items: Sequence[Entry],
         html: Callable[[str], str],
         memo: EntryMemo | None = None) -> bytes:
    zone = ZoneInfo(data.config.site.timezone)
    updated = max((e.when for e in items), default=EPOCH)
    feed_id = (url(data, path) if data.base_url
               else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, data.config.site.title + path)}")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang={quoteattr(data.config.site.language)}>',
        f"  <id>{escape(feed_id)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <updated>{_time(updated, zone)}</updated>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(home)}/>",
    ]
    if data.base_url:
        lines.append(f'  <link rel="self" type="application/atom+xml" '
                     f'href={quoteattr(url(data, path))}/>')
    lines += [f"  <author><name>{escape(data.config.site.title)}</name></author>",
              "  <generator>warroom</generator>"]
    for e in items:
        done = memo.get(("atom", e.id)) if memo is not None else None
        if done is not None:
            lines.append(done)
            continue
        start = len(lines)
        lines += [
            "  <entry>",
            f"    <id>{escape(e.id)}</id>",
            f"    <title>{escape(e.title)}</title>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(e.link)}/>",
            f"    <published>{_time(e.when, zone)}</published>",
            f"    <updated>{_time(e.when, zone)}</updated>",
            *(f"    <category term={quoteattr(cid)} label={quoteattr(name)}/>"
              for cid, name in e.categories),
            f"    <content type=\"html\">{escape(html(e.message))}</content>",
            "  </entry>",
        ]
        if memo is not None:
            lines[start:] = [memo.setdefault(("atom", e.id), "\n".join(lines[start:]))]
    lines.append("</feed>")
    return _NOT_XML.sub("", "\n".join(lines) + "\n").encode("utf-8")


def rss(data: SiteData, title: str, path: str, home: str, items: Sequence[Entry],
        html: Callable[[str], str],
        memo: EntryMemo | None = None) -> bytes:
    description = data.config.site.description or title
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<rss version="2.0" xmlns:atom="{ATOM_NS}">',
        "  <channel>",
        f"    <title>{escape(title)}</title>",
        f"    <link>{escape(home)}</link>",
        f"    <description>{escape(description)}</description>",
        f"    <language>{escape(data.config.site.language)}</language>",
        "    <generator>warroom</generator>",
    ]
    if items:
        lines.append(f"    <lastBuildDate>{_rfc822(max(e.when for e in items))}</lastBuildDate>")
    if data.base_url:
        lines.append(f'    <atom:link rel="self" type="application/rss+xml" '
                     f'href={quoteattr(url(data, path))}/>')
    for e in items:
        done = memo.get(("rss", e.id)) if memo is not None else None
        if done is not None:
            lines.append(done)
            continue
        start = len(lines)
        lines += [
            "    <item>",
            f"      <title>{escape(e.title)}</title>",
            f"      <link>{escape(e.link)}</link>",
            f"      <guid isPermaLink=\"false\">{escape(e.id)}</guid>",
            f"      <pubDate>{_rfc822(e.when)}</pubDate>",
            *(f"      <category>{escape(name)}</category>" for _, name in e.categories),
            f"      <description>{escape(html(e.message))}</description>",
            "    </item>",
        ]
        if memo is not None:
            lines[start:] = [memo.setdefault(("rss", e.id), "\n".join(lines[start:]))]
    lines += ["  </channel>", "</rss>"]
    return _NOT_XML.sub("", "\n".join(lines) + "\n").encode("utf-8")


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def produce(data: SiteData) -> dict[str, bytes]:
    """Every feed: the site's, then each visible component's; Atom and RSS of each."""
    return produce_lists(data, [None, *visible_components(data.config, data.audience)])


def list_paths(component: str | None) -> tuple[str, str]:
    """The Atom and RSS files of one feed list: the site's (None) or a component's."""
    folder = "" if component is None else component_path(component)
    return f"{folder}feed.atom", f"{folder}feed.rss"


def produce_lists(data: SiteData, lists: Collection[str | None]) -> dict[str, bytes]:
    """The files of these feed lists only (None: the site's; else visible component ids),
    each byte for byte as produce writes it: a patch build renders the lists whose
    entries changed, from the owners of their entries alone (selections.feeds_lists)."""
    ensure_view(data)
    t = Translator(data.config.site.language, ZoneInfo(data.config.site.timezone))
    site_title = data.config.site.title
    per_component: dict[str, list[Group]] = {
        cid: [] for cid in visible_components(data.config, data.audience) if cid in lists}
    everything = _grouped(data, per_component)
    html = _Html()
    memo: EntryMemo = {}
    out: dict[str, bytes] = {}
    if None in lists:
        home = url(data, "")
        latest = entries(data, t, _newest(everything))
        atom_path, rss_path = list_paths(None)
        out[atom_path] = atom(data, site_title, atom_path, home, latest, html, memo)
        out[rss_path] = rss(data, site_title, rss_path, home, latest, html, memo)
    names = data.config.components
    for cid, mine in per_component.items():
        title = f"{site_title}: {names[cid].name}"
        page = url(data, component_path(cid))
        items = entries(data, t, _newest(mine))
        for path, write in zip(list_paths(cid), (atom, rss), strict=True):
            out[path] = write(data, title, path, page, items, html, memo)
    return out
