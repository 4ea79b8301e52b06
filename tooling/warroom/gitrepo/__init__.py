"""The only package that runs git. Everything else receives plain data from here.

One submodule per caller, all on the same runner (`run`): history reading (streamed),
authoring branches and commits, import replay, and what `warroom sla` asks.
"""

from __future__ import annotations

from warroom.gitrepo.authoring import *  # noqa: F403
from warroom.gitrepo.history import *  # noqa: F403
from warroom.gitrepo.replay import *  # noqa: F403
from warroom.gitrepo.review import *  # noqa: F403
