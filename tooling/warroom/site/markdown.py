"""Markdown for incident text, safe to put in a public page.

Built from markdown-it's "js-default" preset, which escapes raw HTML. On top of it:
- links and images keep only http(s), mailto, tel and scheme-less targets; anything else
  (javascript:, vbscript:, data:, file:, ...) stays visible as text but is not a link;
- headings are moved below the page's own headings (the text's top level becomes
  `heading_floor`), so a `#` in an update cannot add an h1 or h2 that breaks the outline;
- links get rel="nofollow noopener", since incident text is not an endorsement.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:  # markdown-it-py is imported by parser(): most text never needs it (~30 ms)
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "nofollow noopener"
# The deepest page heading that incident text sits under is an h3 (incident page: h1 title,
# h2 section, h3 update), so `#` in text becomes an h4 at the least.
DEFAULT_HEADING_FLOOR = 4

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def safe_link(url: str) -> bool:
    """Whether `url` may be an href or src: an allow-list of schemes, or no scheme at all.

    Browsers ignore ASCII whitespace and control characters inside a scheme
    ("java\\tscript:"), so those are dropped before looking at it.
    """
    cleaned = "".join(ch for ch in url if not (ch.isspace() or unicodedata.category(ch) == "Cc"))
    match = _SCHEME.match(cleaned)
    if match is None:
        # A relative reference has no colon before its first slash. Stricter than RFC 3986
        # (which also stops at ? and #) so that an entity such as "&#58;" in the first
        # segment can never be read as a scheme separator by a later decoder.
        head = cleaned.split("/", 1)[0]
        return ":" not in head and "%3a" not in head.lower() and "&" not in head
    return match.group(1).lower() in ALLOWED_SCHEMES


def safe_url(url: str | None) -> str | None:
    """`url` when it may be an href (see safe_link), else None: for URLs taken from incident
    fields (links, postmortem url, action items), which the schema only checks for form."""
    return url if url is not None and safe_link(url) else None


def _demote_and_mark(state: StateCore) -> None:
    floor = int(state.env.get("heading_floor", DEFAULT_HEADING_FLOOR))
    # The text's top heading level becomes the floor, whether the author started at # or
    # ##, so the outline never skips a level below the page's own heading.
    top = min((int(t.tag[1]) for t in state.tokens if t.type == "heading_open"), default=1)
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) - top + floor)
            token.tag = f"h{level}"
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("rel", LINK_REL)


@cache
def parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.core.ruler.push("warroom_demote_and_mark", _demote_and_mark)
    return md


# Text with none of these characters, no line starting with a digit, - or +, and no
# whitespace at either end of a line, is one paragraph of plain words: markdown-it would
# only wrap and escape it. Most updates are like that; markdown-it-py costs ~0.5 ms a call.
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>!&|~#=\t\r\x00-\x08\x0b-\x1f\x7f]")
_LINE_START = frozenset("-+0123456789 ")


def _plain_paragraph(text: str) -> str | None:
    body = text.strip("\n")
    if not body or "\n\n" in body or _MARKUP_CHARS.search(body):
        return None
    lines = body.split("\n")
    if any(not line or line[0] in _LINE_START or line != line.strip() for line in lines):
        return None
    return "<p>" + body.replace('"', "&quot;") + "</p>\n"


def render(text: str, *, heading_floor: int = DEFAULT_HEADING_FLOOR) -> Markup:
    """Render Markdown to safe HTML; `heading_floor` is the level a `#` heading becomes."""
    return _render(text, heading_floor)


# Templated updates ("We are investigating.", runbook text) repeat across incidents, and the
# feeds, the API and the pages render the same text: a pure function, remembered.
@lru_cache(maxsize=4096)
def _render(text: str, heading_floor: int) -> Markup:
    if not text.strip():
        return Markup("")
    fast = _plain_paragraph(text)
    if fast is not None:
        return Markup(fast)
    html = parser().render(text, {"heading_floor": heading_floor})
    return Markup(html)  # markdown-it escaped every raw byte of the input


def plain(text: str) -> str:
    """Text with Markdown markup removed, for summaries and attributes (not HTML)."""
    tokens = parser().parseInline(text, {})
    out: list[str] = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return " ".join("".join(out).split())
