"""What every site producer receives. Producers are pure: SiteData in, {path: bytes} out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from warroom.clock import Clock
from warroom.config import Config
from warroom.model import Incident
from warroom.recorded import Recorded


@dataclass(frozen=True)
class SiteData:
    config: Config
    # Already filtered for the audience: a public build never sees an internal incident,
    # an internal update, an internal postmortem or an internal component here.
    incidents: tuple[Incident, ...]
    recorded: dict[str, Recorded]  # by incident id; may lack ids (then stated times are used)
    now: datetime  # build time: SOURCE_DATE_EPOCH when set, so output is reproducible
    base_url: str  # no trailing slash; "" for relative links
    audience: str  # "public" | "internal"
    clocks: dict[str, tuple[Clock, ...]] = field(default_factory=dict)  # internal builds only

    @property
    def internal(self) -> bool:
        return self.audience == "internal"


# A producer renders one family of outputs (pages, feeds, API, badges, ...). The build
# merges their results and refuses two producers claiming one path.
Producer = Callable[[SiteData], dict[str, bytes]]
