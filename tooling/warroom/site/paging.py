"""History and component pages: incidents grouped by month, months split into pages.

Pure functions of the listed incidents (as `(local YYYY-MM, id)`, newest first) and a few
settings, so the planner and its tests share one answer to "which months on which page".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from warroom.site.context import Pager

# About as many incidents as a history or component page lists at most (see `pages`).
PAGE_INCIDENTS = 200

Month = tuple[str, list[str]]  # local YYYY-MM, the ids listed under it
Page = tuple[str, list[Month], Pager]  # the page's path, its months, where it stands

Builder = Callable[[], dict[str, Any]]
Key = Callable[[], str]


class Job(NamedTuple):  # one page to render; a tuple: ~10^4 are made per build
    path: str
    template: str
    title: str
    key: Key | None  # None: rendered on every build (or no cache); made when needed
    build: Builder
    live: bool = False  # shows the build time (the home page): never cached


_LABEL = itemgetter(0)
_ID = itemgetter(1)


def months(listed: Sequence[tuple[str, str]], year: int, month: int) -> list[Month]:
    """Every month from (year, month), the site's current one, back to the oldest
    incident's, empty ones included."""
    grouped: dict[str, list[str]] = defaultdict(list)
    # Newest first, a month's incidents come together: a run at a time (~10^4 of them).
    for label, run in groupby(listed, key=_LABEL):
        grouped[label].extend(map(_ID, run))
    oldest = min(grouped, default=f"{year:04d}-{month:02d}")
    out = []
    while f"{year:04d}-{month:02d}" >= oldest:
        label = f"{year:04d}-{month:02d}"
        out.append((label, grouped.get(label, [])))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def pages(prefix: str, chosen: list[Month], per: int) -> list[Page]:
    """Months split into pages of `per` (site.history_per_page); page 1 is `prefix`, later
    ones `prefix`page/N/. Busy months make it fewer months a page, so that a page lists
    about PAGE_INCIDENTS incidents at most (one month a page at the least): 6 months of a
    busy site made pages of 1,500 incidents, 400 KB of HTML."""
    listed = sum(len(ids) for _, ids in chosen)
    if listed > PAGE_INCIDENTS:  # `chosen` holds every month of the list, empty ones too
        per = max(1, min(per, PAGE_INCIDENTS * len(chosen) // listed))
    chunks = [chosen[i:i + per] for i in range(0, len(chosen), per)] or [[]]

    def page_path(n: int) -> str:
        return prefix if n == 1 else f"{prefix}page/{n}/"

    return [(page_path(n), chunk,
             Pager(n, len(chunks), page_path(n - 1) if n > 1 else None,
                   page_path(n + 1) if n < len(chunks) else None))
            for n, chunk in enumerate(chunks, start=1)]
