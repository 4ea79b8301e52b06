"""An incident's digest: a short hash of its file and of everything Git recorded about it.
Pages listing thousands of incidents key on these (through the rows), so each is made
once per build, and kept in the catalogue for the next."""

from __future__ import annotations

import hashlib
from dataclasses import fields

from warroom.recorded import Change, Recorded


class Digests:
    """A short hash of an incident's file and of everything Git recorded about it, per
    incident: pages listing thousands of incidents key on these, so they are made once per
    build. The text hashed names every field of Recorded, each value unambiguously (strings
    quoted), whichever equal objects are shared. Changes are shared between fields and
    between incidents (one per commit), so each one's text is made once; the fields are
    written out one by one rather than walked generically (4x cheaper at 10^4 incidents)."""

    # Spelled out so that a new field of Recorded fails here instead of going unhashed.
    FIELDS = ("incident_id", "path", "declared", "acknowledged", "identified", "monitoring",
              "resolved", "updates", "postmortem_published", "severity_changes", "deleted",
              "paths")
    if tuple(f.name for f in fields(Recorded)) != FIELDS:
        raise RuntimeError("Recorded's fields changed: update Digests to hash every one")

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Change, str]] = {}

    def __call__(self, file_sha: str, recorded: Recorded | None) -> str:
        text = "-" if recorded is None else self._text(recorded)
        return hashlib.blake2b(f"{file_sha}\0{text}".encode(), digest_size=20).hexdigest()

    def _text(self, r: Recorded) -> str:
        texts, change = self._texts, self._change

        def maybe(c: Change | None) -> str:
            if c is None:
                return "-"
            found = texts.get(id(c))
            return found[1] if found is not None and found[0] is c else change(c)

        return "\x1f".join((
            repr(r.incident_id), repr(r.path), maybe(r.declared), maybe(r.acknowledged),
            maybe(r.identified), maybe(r.monitoring), maybe(r.resolved),
            "(" + ",".join([maybe(c) for c in r.updates]) + ")",
            maybe(r.postmortem_published),
            "(" + ",".join([f"{maybe(s.change)}{s.before!r}{s.after!r}"
                            for s in r.severity_changes]) + ")",
            maybe(r.deleted), repr(r.paths)))

    def _change(self, change: Change) -> str:
        text = f"{change.at.isoformat()}{change.commit!r}{change.who!r}"
        self._texts[id(change)] = (change, text)
        return text
