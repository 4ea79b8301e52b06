"""Escaping text and attribute values for XML (feeds, sitemap, SVG badges and plots).

The same results as `xml.sax.saxutils.escape` and `quoteattr` (a test compares them), without
that module's imports: it loads urllib.request, http.client, ssl and email, ~20 ms at every
`warroom build` start, for two string functions.
"""

from __future__ import annotations


def escape(data: str) -> str:
    """`&`, `<` and `>` as entities (the ampersand first)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """An attribute value, escaped and quoted: in double quotes, or in single quotes when
    it holds a double quote and no single one, else with `&quot;`."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))
