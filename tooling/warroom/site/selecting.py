"""Which incidents each producer may show, from rows alone (see siterows): a producer given
only those gives the same bytes as given every incident, so its files are keyed on their
rows, and a rebuild runs it on them alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from warroom.site.data import SiteData
from warroom.site.siterows import SiteRow

Selection = Callable[[Mapping[str, SiteRow], SiteData], list[str]]


def _everything(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    return list(rows)


SELECTIONS: dict[str, Selection] = {}


def selection(name: str, rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """The ids (in id order) that producer `name`'s output may depend on; every id for a
    producer with no selection of its own."""
    return SELECTIONS.get(name, _everything)(rows, data)
