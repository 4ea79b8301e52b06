"""Incident ids: the declaration date in the site's time zone and a slug of the title."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from warroom import slugs

MAX_SLUG = 48


def slugify(title: str) -> str:
    """The title's slug for an id; never empty."""
    return slugs.slugify(title, MAX_SLUG) or "incident"


def new_id(day: date, title: str, taken: Collection[str]) -> str:
    """`YYYY-MM-DD-slug`, with -2, -3, ... appended until it is not in `taken`."""
    base = f"{day.isoformat()}-{slugify(title)}"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
