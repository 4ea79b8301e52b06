"""What a cache file held when this process last read or wrote it, for as long as the
file stays as it was.

`warroom serve` rebuilds in one process after each change. Every rebuild used to read the
caches whole again (the load index, the catalogue, the page ledger, the saved history
fold: ~0.2 s at 10,000 incidents, a quarter of a rebuild after one change), although
mostly this very process had just written them. A value is kept with the file's identity
(device, inode, size, modification time in nanoseconds) and given back only while a `stat`
still finds that identity. Every cache file is written to a temporary file renamed over
the old one, so a new version has a new inode: an identity cannot match another version's,
unless a hand edit in place keeps the size within one clock tick. (The change time is left
out: the rename that puts a written file in place changes it.)

What is given back is the very object kept, shared with every later reader in the
process: callers keep only values they never change (or copy before changing them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Identity = tuple[int, int, int, int]


def identity(path: Path | str) -> Identity | None:
    """The file's identity now; None when there is no such file."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


_kept: dict[tuple[str, str], tuple[Identity, Any]] = {}


def recall(path: Path | str, kind: str) -> tuple[Identity | None, Any]:
    """The file's identity now, and the value kept for it (as `kind`: one file may be
    read several ways) if the file is still as it was then, else None. A reader that reads
    the file keeps what it read with the identity given here, taken before the read: a file
    replaced meanwhile then simply fails to match next time."""
    now = identity(path)
    key = (os.fspath(path), kind)
    held = _kept.get(key)
    if held is None:
        return now, None
    if now is None or now != held[0]:
        del _kept[key]
        return now, None
    return now, held[1]


def keep(path: Path | str, kind: str, known: Identity | None, value: Any) -> None:
    """Keep `value` as what `path` held at identity `known` (taken before reading it, or
    of the temporary file before it was renamed into place)."""
    key = (os.fspath(path), kind)
    if known is None:
        _kept.pop(key, None)
    else:
        _kept[key] = (known, value)


# Other values this process holds between builds (each module keeps its own, keyed on
# what it was made from): forget() drops them too.
_holders: list[Callable[[], None]] = []


def also_forget(clear: Callable[[], None]) -> None:
    """Have forget() call `clear`, which drops what a module holds between builds."""
    _holders.append(clear)


def forget() -> None:
    """Drop everything kept, here and by every module that holds values between builds
    (tests: a process that must read from disk again and work everything out anew)."""
    _kept.clear()
    for clear in _holders:
        clear()
