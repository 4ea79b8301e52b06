"""Parse what `gitrepo` hands back for history: the log, trees, status and object batches.

Fixed formats into small NamedTuples (the way git-code-debt reads history); no git runs here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import NamedTuple

ZERO = "0" * 40


class Entry(NamedTuple):
    """One file a commit changed under the incidents folder (paths relative to git's top)."""

    path: str  # the path after the commit (for a deletion: the path deleted)
    blob: str | None  # content after the commit; None when the commit deleted it
    olds: tuple[tuple[str, str | None], ...]  # (path, blob or None) before, one per parent
    link: bool = False  # the path holds a submodule after the commit (not a file)


class Commit(NamedTuple):
    id: str
    parents: tuple[str, ...]
    at: datetime  # committer time, with the committer's offset
    who: str  # committer "Name <email>"
    entries: tuple[Entry, ...]


def _blob(sha: str) -> str | None:
    return None if sha == ZERO else sha


def _entries(fields: list[bytes]) -> list[Entry]:
    """Raw -z entries: ":meta\\0path\\0[path2\\0]" or, for merges (-c), "::meta\\0path\\0"."""
    out: list[Entry] = []
    i = 0
    while i < len(fields):
        meta = fields[i].lstrip(b"\n")
        if not meta.startswith(b":"):
            i += 1
            continue
        colons = len(meta) - len(meta.lstrip(b":"))
        parts = meta[colons:].decode().split()
        shas = parts[colons + 1: 2 * colons + 2]
        status = parts[-1]
        if colons == 1 and status[:1] in ("R", "C"):
            old_path, path = fields[i + 1].decode(), fields[i + 2].decode()
            i += 3
        else:
            old_path = path = fields[i + 1].decode()
            i += 2
        new = _blob(shas[-1])
        olds = tuple((old_path, _blob(sha)) for sha in shas[:-1])
        if status[:1] == "C":  # a copy leaves its source in place: the new path is an addition
            olds = ((old_path, None),)
        out.append(Entry(path, new, olds, parts[colons] == "160000"))
    return out


def parse_log(raw: bytes) -> list[Commit]:
    """The output of gitrepo.history_log, newest first as git printed it."""
    commits = []
    for chunk in raw.split(b"\x1e")[1:]:
        fields = chunk.split(b"\0")
        head = fields[0].decode("utf-8", "replace").rstrip("\n").split("\x1f")
        ident, parents, when, who = head[0], head[1], head[2], head[3]
        commits.append(Commit(ident, tuple(parents.split()), datetime.fromisoformat(when),
                              who, tuple(_entries(fields[1:]))))
    return commits


def parse_tree(raw: bytes) -> dict[str, str]:
    """`ls-tree -r -z` output: path -> blob id (blobs only). Decoded once and split, not
    matched entry by entry: 10^4 entries on every build, in half the time."""
    # "<mode> <type> <id>\t<path>\0" per entry (a path may hold spaces and tabs, never
    # NUL); git writes the mode as 6 octal digits ("%06o").
    return {path: meta[12:] for meta, tab, path in
            (item.partition("\t") for item in raw.decode().split("\0"))
            if tab and meta[7:12] == "blob "}


def parse_status(raw: bytes) -> list[tuple[str, str]]:
    """`status --porcelain=v1 -z --no-renames` output: (XY code, path) per changed file."""
    return [(item[:2].decode(), item[3:].decode()) for item in raw.split(b"\0") if item]


def parse_batch(raw: bytes) -> dict[str, bytes]:
    """`cat-file --batch` output: object id -> content (missing objects left out)."""
    out: dict[str, bytes] = {}
    pos = 0
    end = len(raw)
    while pos < end:
        eol = raw.index(b"\n", pos)
        header = raw[pos:eol].split()
        if len(header) < 3:  # "<id> missing"
            pos = eol + 1
            continue
        size = int(header[2])
        out[header[0].decode()] = raw[eol + 1: eol + 1 + size]
        pos = eol + 1 + size + 1
    return out


def committer_time(commit_object: bytes) -> datetime | None:
    """The committer time written in a raw commit object."""
    for line in commit_object.split(b"\n"):
        if not line:
            return None
        if line.startswith(b"committer "):
            stamp, offset = line.rsplit(b" ", 2)[1:]
            sign = -1 if offset.startswith(b"-") else 1
            hours, minutes = int(offset[1:3]), int(offset[3:5])
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
            return datetime.fromtimestamp(int(stamp), zone)
    return None
