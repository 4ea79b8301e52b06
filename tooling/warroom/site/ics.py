"""maintenance.ics: scheduled maintenance as an RFC 5545 calendar.

Written by hand rather than with the `icalendar` package: the subset needed (one VEVENT per
maintenance, text escaping, 75-octet folding, CRLF) is small, and owning the bytes keeps the
output byte-identical across library versions. Tests parse it with `icalendar`.

Every time comes from the data, never from the build: DTSTAMP and LAST-MODIFIED are the
latest stated or recorded activity, so an unchanged maintenance gives unchanged bytes, and
SEQUENCE counts public updates so calendar clients apply changes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from warroom.model import Incident
from warroom.site.data import SiteData
from warroom.site.sitemap import incident_path, url
from warroom.status import ensure_view, latest_activity, maintenance_state

PRODID = "-//warroom//warroom status site//EN"
_STATUS = {"scheduled": "CONFIRMED", "in_progress": "CONFIRMED", "completed": "CONFIRMED",
           "canceled": "CANCELLED"}


# Line breaks other parsers may split on (str.splitlines does) become a plain newline, and
# the other control characters, which a TEXT value may not hold (RFC 5545 3.3.11), go: a
# title must never start a property of its own.
_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11); every line break becomes a single newline."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").translate(_BREAKS))
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        text = text.replace(raw, escaped)
    return text


def fold(line: str) -> str:
    """Fold at 75 octets (RFC 5545 3.1), never inside a UTF-8 character; CRLF-terminated.

    Cut on the encoded bytes, stepping back off UTF-8 continuation bytes (10xxxxxx), rather
    than measuring each character: thousands of lines per calendar."""
    if len(line) <= 75 and (line.isascii() or len(line.encode("utf-8")) <= 75):
        return line + "\r\n"
    raw = line.encode("utf-8")
    out: list[bytes] = []
    start, limit = 0, 75  # continuation lines start with a space: 74 octets of the line
    while len(raw) - start > limit:
        cut = start + limit
        while raw[cut] & 0xC0 == 0x80:
            cut -= 1
        out.append(raw[start:cut])
        start, limit = cut, 74
    out.append(raw[start:])
    return "\r\n ".join(part.decode("utf-8") for part in out) + "\r\n"


def utc(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime's %Y does not pad; isoformat would
        return moment.strftime("%Y%m%dT%H%M%SZ")
    # isoformat is several times cheaper than strftime (four times per event)
    return moment.isoformat(timespec="seconds")[:-6].translate(_BASIC) + "Z"  # no "+00:00"


_BASIC = str.maketrans("", "", "-:")  # ISO 8601 extended form to basic: 2026-11-20 -> 20261120


def uid(data: SiteData, incident_id: str) -> str:
    host = urlsplit(data.base_url).hostname if data.base_url else None
    return f"{incident_id}@{host or 'warroom'}"


def event(data: SiteData, inc: Incident) -> list[str]:
    assert inc.window is not None
    recorded = data.recorded.get(inc.id)
    stamp = utc(latest_activity(data)[inc.id])  # once per SiteData, shared with the API
    names = data.config.components
    affected = ", ".join(names[c.id].name if c.id in names else c.id for c in inc.components)
    latest = inc.updates[-1].message if inc.updates else ""
    description = "\n\n".join(part for part in (
        f"Affected: {affected}" if affected else "", inc.summary, latest) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(data, inc.id)}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        f"DTSTART:{utc(inc.window.start)}",
        f"DTEND:{utc(inc.window.end)}",
        f"SEQUENCE:{max(len(inc.updates) - 1, 0)}",
        f"STATUS:{_STATUS[maintenance_state(inc, data.now)]}",
        f"SUMMARY:{escape_text(inc.title)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if data.base_url:
        lines.append(f"URL:{url(data, incident_path(inc.id))}")
    if recorded is not None:
        lines.append(f"CREATED:{utc(recorded.declared.at)}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def produce(data: SiteData) -> dict[str, bytes]:
    ensure_view(data)
    return calendar(data, [event_text(data, inc) for inc in maintenance_of(data)])


def maintenance_of(data: SiteData) -> list[Incident]:
    """The calendar's maintenance, in its order: by window start, then id."""
    return sorted((i for i in data.incidents if i.maintenance and i.window is not None),
                  key=lambda i: (_start(i), i.id))


def event_text(data: SiteData, inc: Incident) -> str:
    """One event, folded: it reads nothing of other incidents nor of the build time (a
    rebuild keeps each unchanged incident's text; see build)."""
    return "".join(fold(line) for line in event(data, inc))


def calendar(data: SiteData, events: list[str]) -> dict[str, bytes]:
    """maintenance.ics from its events' texts, in order."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(data.config.site.title)}",
    ]
    text = "".join(fold(line) for line in head) + "".join(events) + fold("END:VCALENDAR")
    return {"maintenance.ics": text.encode("utf-8")}


def _start(inc: Incident) -> datetime:
    assert inc.window is not None
    return inc.window.start.astimezone(UTC)
