"""Slugs for ids: what `warroom new` and the importers both derive from titles and names."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by '-', cut at a word boundary; "" when no word.

    Accents are folded (Müller -> muller) so ids stay plain ASCII in URLs and file names.
    """
    ascii_text = (unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
                  .decode("ascii").lower())
    words = [w for w in _NOT_ALNUM.split(ascii_text) if w]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")
