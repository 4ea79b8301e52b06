"""The validation cache: per-file problems, keyed by everything that decides them.

A file's problems depend on its bytes, its path (the id must equal the stem, the year
folder must match), warroom.yaml, the schemas, the built-in regimes and warroom's own code.
The salt hashes all but the file; the key adds the path and the bytes. Cross-file checks
(duplicate ids) are never cached: they run on every validation. A salt change (a new
warroom.yaml, an edited schema, another warroom) empties the cache, so a stale answer
cannot survive it.

Stored as one JSON file in `cachedir.cache_root` (inside `.git/`): 10,000 small files
would cost more to open than to validate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from warroom import __version__
from warroom.cachedir import FALLBACK, cache_root
from warroom.problems import Level, Problem
from warroom.resources import defaults_dir, schema_text

CACHE_DIR = FALLBACK  # outside git; see cachedir
CACHE_FILE = "validate.json"
FORMAT = 2
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Outcome:
    """What checking one incident file found, apart from cross-file checks."""

    problems: tuple[Problem, ...]
    valid: bool  # an incident was built without errors


@cache
def _code_fingerprint() -> str:
    """Hash of warroom's modules: an edited rule must not be answered from the cache."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(defaults_dir().glob("*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def salt(config_bytes: bytes | None) -> str:
    digest = hashlib.sha256(f"warroom-validate-{FORMAT}\0".encode())
    digest.update(_code_fingerprint().encode())
    for name in ("incident", "config"):
        digest.update(schema_text(name).encode())
    digest.update(b"\0no-config" if config_bytes is None else b"\0" + config_bytes)
    return digest.hexdigest()


def file_key(display: str, raw: bytes) -> str:
    return hashlib.sha256(display.encode() + b"\0" + raw).hexdigest()


def _encode(outcome: Outcome) -> list[Any]:
    return [outcome.valid,
            [[p.line, p.col, int(p.level), p.code, p.message] for p in outcome.problems]]


def _decode(display: str, entry: list[Any]) -> Outcome:
    valid, problems = entry
    return Outcome(
        tuple(Problem(display, line, col, Level(level), code, message)
              for line, col, level, code, message in problems),
        bool(valid),
    )


class Cache:
    """Entries of one salt, read at start and written back once at the end."""

    def __init__(self, root: Path, salt_hex: str) -> None:
        self.path = cache_root(root) / CACHE_FILE
        self.salt = salt_hex
        self.entries: dict[str, list[Any]] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            stored = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(stored, dict) and stored.get("salt") == salt_hex:
            entries = stored.get("entries")
            if isinstance(entries, dict):
                self.entries = entries

    def get(self, key: str, display: str) -> Outcome | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            outcome = _decode(display, entry)
        except (ValueError, TypeError):  # a damaged entry is a miss, never a wrong answer
            return None
        self.used.add(key)
        return outcome

    def put(self, key: str, outcome: Outcome) -> None:
        self.entries[key] = _encode(outcome)
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; entries not used by this run are kept unless they pile up."""
        if not self.dirty and len(self.entries) <= 2 * max(len(self.used), 1000):
            return
        entries = self.entries
        if len(entries) > 2 * max(len(self.used), 1000):
            entries = {k: v for k, v in entries.items() if k in self.used}
        payload = json.dumps({"format": FORMAT, "salt": self.salt, "entries": entries},
                             separators=(",", ":"), ensure_ascii=False)
        from warroom.atomic import write_text  # with tempfile: only a run that writes pays

        try:
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            write_text(self.path, payload)
        except OSError:
            return  # a read-only checkout still validates, only without a cache
