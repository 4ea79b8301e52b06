"""Keep Python's cyclic garbage collector out of one-shot commands that load every incident.

`warroom sla` and `warroom report` load ~10^6 long-lived objects at 10,000 incidents
(incidents, history, positions), then make 10^5 more (clocks, problems, the JSON payload)
and no garbage cycles to speak of. Each allocation burst sets the collector off, and every
full collection walks everything loaded so far, for nothing: a fifth to a quarter of
`warroom sla --all` (about 1 s of CPU), with the same peak memory without it. Objects are
still freed as their last reference goes; only cycles wait until the command returns.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then as it was (tests run commands in-process)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
