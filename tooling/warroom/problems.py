"""Problems found in input files: one sortable value type shared by every stage.

Every `code` must be listed in warroom/codes.py; tests/test_codes.py checks that.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass


class Level(enum.IntEnum):
    # Ordered so that max() of a list gives the worst one.
    NOTICE = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


# Tests turn this on (before importing warroom) so that an undocumented code fails loudly;
# production skips it. Read once: sla --all makes ~10^5 problems at 10,000 incidents.
_STRICT = bool(os.environ.get("WARROOM_STRICT_CODES"))


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    level: Level
    code: str
    message: str

    def __post_init__(self) -> None:
        if _STRICT:
            from warroom.codes import CODES

            if self.code not in CODES:
                raise AssertionError(f"problem code {self.code!r} is not in warroom/codes.py")

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def worst(problems: list[Problem]) -> Level | None:
    return max((p.level for p in problems), default=None)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)
