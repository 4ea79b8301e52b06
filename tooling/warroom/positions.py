"""Positions already found in incident files, kept between runs of `warroom sla`.

A follow-up that stays overdue is reported, at the same line and column, on every run until
someone acts; finding that position means composing the whole file. So each answer of
`Marks.at` / `Marks.key_at` is kept by the sha256 of the file's bytes and the data path
asked: a function of those two (and of warroom's code, which keys the whole store), it
cannot go stale. Stored as JSON in the cache folder (inside `.git/`): reading it runs no
code, and anything unreadable or unexpected is ignored (the positions are found again).
"""

from __future__ import annotations

import json
from pathlib import Path

from warroom.atomic import write_text
from warroom.site.cache import code_digest
from warroom.yamlload import PathKey, Position

FILE = "positions.json"
_FORMAT = 1
Answers = dict[str, list[int]]  # "v" or "k" + the repr of the data path -> [line, col]


def query(kind: str, path: PathKey) -> str:
    """The key of one question: a data path holds only str and int, whose repr is exact
    (and some ten times cheaper than JSON; a run with --all asks 10^5 of them)."""
    return kind + repr(path)


class Positions:
    """The answers stored in `folder` (none when None: nothing is kept), and new ones.
    Read on the first question: `warroom report` and a run without problems never ask."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / FILE if folder is not None else None
        self._files: dict[str, Answers] | None = None
        self.changed = False

    @property
    def files(self) -> dict[str, Answers]:
        if self._files is None:
            self._files = _read(self.path) if self.path is not None else {}
        return self._files

    def get(self, digest: str, asked: str) -> Position | None:
        found = self.files.get(digest, {}).get(asked)
        return (found[0], found[1]) if found is not None else None

    def put(self, digest: str, asked: str, position: Position) -> None:
        self.files.setdefault(digest, {})[asked] = [position[0], position[1]]
        self.changed = True

    def save(self, keep: set[str]) -> None:
        """Store the answers for the digests in `keep` (the files loaded), if any is new; a
        cache that cannot be written is simply not kept."""
        if self.path is None or not self.changed:
            return
        files = {d: self.files[d] for d in sorted(self.files) if d in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent.parent / ".gitignore"  # the cache root (outside git)
            if not ignore.exists():
                ignore.write_text("# warroom's cache; safe to delete\n*\n", encoding="utf-8")
            write_text(self.path, json.dumps({"format": _FORMAT, "code": code_digest(),
                                              "files": files}, separators=(",", ":")))
        except OSError:
            return
        self.changed = False


def _read(path: Path) -> dict[str, Answers]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(stored, dict) or stored.get("format") != _FORMAT
            or stored.get("code") != code_digest() or not isinstance(stored.get("files"), dict)):
        return {}
    files: dict[str, Answers] = {}
    for digest, answers in stored["files"].items():
        if not isinstance(answers, dict) or not all(
                isinstance(p, list) and len(p) == 2 and all(type(n) is int for n in p)
                for p in answers.values()):
            return {}
        files[digest] = answers
    return files
