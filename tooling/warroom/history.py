"""Read what Git recorded about each incident, in one pass over the history.

The public entry point is `read_history`; `gitrepo` runs git, this module turns its output
into `Recorded` values (see recorded.py) and problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warroom.problems import Problem
from warroom.recorded import Recorded


@dataclass(frozen=True)
class History:
    recorded: dict[str, Recorded]  # by incident id
    # Future-dated commits, commits older than their parent, deleted incidents (warnings);
    # uncommitted files, versions that do not parse, no git at all (notices).
    problems: list[Problem] = field(default_factory=list)
    head: str | None = None  # the commit evaluated; None outside a git repository


def read_history(root: Path, *, landed: bool = False, at: str | None = None,
                 now: datetime | None = None, use_cache: bool = True) -> History:
    """What the repository at `root` recorded per incident id.

    `landed`: times are those of the first-parent commit of the evaluated revision that
    brought each change in, rather than the commit that made it. `at`: evaluate the
    repository as it was at that revision (the working tree is then ignored). `now`: the
    time given to uncommitted changes, and the limit past which a commit is future-dated.
    Raises WarroomError for a shallow clone or an unknown revision.
    """
    raise NotImplementedError("history is being written (issue 3)")
