"""SVG status badges in the shields.io look: one per component and one for the whole page.

Each badge says its status in words (never colour alone), carries a <title> for a tooltip
and role="img" with aria-label for assistive technology. Text widths come from a table of
Verdana 11px advance widths (what shields measures with), so no font is needed at build time.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from warroom.errors import WarroomError
from warroom.site.data import SiteData
from warroom.site.i18n import Translator
from warroom.status import ensure_view, rollup
from warroom.xmltext import escape, quoteattr

COLOURS = {  # shields' palette; dark enough for white text (WCAG AA for 11px bold-ish text)
    "operational": "#2e7d32", "none": "#2e7d32",
    "under_maintenance": "#1565c0", "maintenance": "#1565c0",
    "degraded_performance": "#8d6e00", "minor": "#8d6e00",
    "partial_outage": "#c25400", "major": "#c25400",
    "major_outage": "#c62828", "critical": "#c62828",
}
LABEL_COLOUR = "#555"
# Verdana 11px advance widths (tenths of a pixel) for ASCII; other characters use the wide
# default, which errs on a slightly roomy badge rather than clipped text.
_WIDTHS = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~",
    (38, 43, 50, 90, 70, 121, 80, 27, 50, 50, 70, 90, 40, 50, 40, 50,
     70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 50, 50, 90, 90, 90, 60, 110,
     75, 75, 77, 85, 70, 63, 85, 84, 46, 50, 76, 61, 94, 84, 87, 66, 87, 77, 75, 68,
     81, 75, 110, 75, 68, 75, 50, 50, 50, 90, 70, 70,
     66, 68, 57, 68, 66, 39, 68, 69, 30, 38, 65, 30, 106, 69, 66, 68, 68, 47, 57, 43,
     69, 65, 89, 65, 65, 58, 70, 50, 70, 90), strict=True))
_DEFAULT_WIDTH = 90
PADDING = 12  # pixels, both sides together


def text_width(text: str) -> int:
    return (sum(_WIDTHS.get(ch, _DEFAULT_WIDTH) for ch in text) + 9) // 10


def badge(label: str, message: str, colour: str) -> bytes:
    left = text_width(label) + PADDING
    right = text_width(message) + PADDING
    total = left + right
    name = f"{label}: {message}"
    # Text is drawn at 10x and scaled down, as shields does, for crisper sub-pixel placement.
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'role="img" aria-label={quoteattr(name)}>',
        f"  <title>{escape(name)}</title>",
        '  <linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>',
        f'  <clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>',
        '  <g clip-path="url(#r)">',
        f'    <rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>',
        f'    <rect x="{left}" width="{right}" height="20" fill="{colour}"/>',
        f'    <rect width="{total}" height="20" fill="url(#s)"/>',
        "  </g>",
        '  <g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110" '
        'text-rendering="geometricPrecision" aria-hidden="true">',
        _text(label, left / 2, left - PADDING),
        _text(message, left + right / 2, right - PADDING),
        "  </g>",
        "</svg>",
        "",
    ]).encode("utf-8")


def _text(text: str, centre: float, width: int) -> str:
    x, length, body = round(centre * 10), width * 10, escape(text)
    return (f'    <text x="{x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
            f'textLength="{length}">{body}</text>\n'
            f'    <text x="{x}" y="140" transform="scale(.1)" textLength="{length}">{body}</text>')


def produce(data: SiteData) -> dict[str, bytes]:
    ensure_view(data)
    t = Translator(data.config.site.language, ZoneInfo(data.config.site.timezone))
    roll = rollup(data)
    indicator = roll.indicator
    key = "maintenance" if indicator == "none" and roll.maintenance_active else indicator
    out = {"badges/status.svg": badge(data.config.site.title, t(f"indicator.{key}"),
                                      COLOURS[key])}
    names = data.config.components
    for cid, status in roll.components.items():
        if cid == "status":
            raise WarroomError(
                "component id 'status' would overwrite the overall badge badges/status.svg",
                hint="rename the component in warroom.yaml (for example to status-page)")
        out[f"badges/{cid}.svg"] = badge(names[cid].name, t(f"component.{status}"),
                                         COLOURS[status])
    return out
