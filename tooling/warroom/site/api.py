"""Site producer: api (issue 4). Interface first; implementation follows."""

from __future__ import annotations

from warroom.site.data import SiteData


def produce(data: SiteData) -> dict[str, bytes]:
    return {}
