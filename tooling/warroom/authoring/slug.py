"""Incident ids: the declaration date in the site's time zone and a slug of the title."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date

MAX_SLUG = 48
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by '-', cut at a word boundary; never empty."""
    ascii_text = (unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
                  .decode("ascii").lower())
    words = [w for w in _NOT_ALNUM.split(ascii_text) if w]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    if not slug and words:  # one very long word
        slug = words[0][:MAX_SLUG]
    return slug or "incident"


def new_id(day: date, title: str, taken: Collection[str]) -> str:
    """`YYYY-MM-DD-slug`, with -2, -3, ... appended until it is not in `taken`."""
    base = f"{day.isoformat()}-{slugify(title)}"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
