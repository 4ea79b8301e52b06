"""Map the component names of another tool to warroom component ids, creating what is missing."""

from __future__ import annotations

from warroom.importers.common import (
    OTHER_GROUP,
    PLACEHOLDER,
    Guess,
    NewComponent,
    Target,
)
from warroom.slugs import slugify


class Components:
    """Components seen so far: the target's, those the source declares, those we create."""

    def __init__(self, target: Target, origin: str) -> None:
        self.origin = origin  # where undeclared names should have been, for messages
        self.target_ids = dict(target.components)
        self.by_name = {name.casefold(): cid for cid, name in target.components.items()}
        self.known: dict[str, NewComponent] = {}
        self.names: dict[str, str] = {}  # casefolded name -> id, for names seen in the source
        self.reported: set[str] = set()

    def declare(self, group: tuple[str, str], name: str, description: str = "") -> str:
        if name.casefold() in self.names:
            return self.names[name.casefold()]
        cid = self._existing(name) or self._free_id(name)
        if cid not in self.known:
            self.known[cid] = NewComponent(group[0], group[1], cid,
                                           self.target_ids.get(cid, name), description)
        self.names.setdefault(name.casefold(), cid)
        return cid

    def resolve(self, name: str, source: str, guesses: list[Guess]) -> str:
        """The component for an affected name; an undeclared name creates one in Other."""
        folded = name.casefold()
        if folded in self.names:
            return self.names[folded]
        cid = self._existing(name)
        if cid is None:
            cid = slugify(name) or "component"
            if cid not in self.known:
                self.known[cid] = NewComponent(*OTHER_GROUP, cid, name)
                guesses.append(Guess(source, "undeclared-component",
                                     f"{name!r} is not declared in {self.origin}: created "
                                     f"component {cid} in the {OTHER_GROUP[1]} group"))
            canonical = self.known[cid].name
        else:
            canonical = self.target_ids[cid]
            if cid not in self.known:
                self.known[cid] = NewComponent(*OTHER_GROUP, cid, canonical)
        if canonical.casefold() != folded:
            self._alias(name, cid, source, guesses)
        self.names[folded] = cid
        return cid

    def placeholder(self) -> str:
        cid, name = PLACEHOLDER
        if cid not in self.known:
            self.known[cid] = NewComponent(*OTHER_GROUP, cid, self.target_ids.get(cid, name))
        return cid

    def all(self) -> list[NewComponent]:
        return list(self.known.values())

    def _existing(self, name: str) -> str | None:
        """A component of the target with this name, or with this name's slug as id."""
        by_name = self.by_name.get(name.casefold())
        if by_name is not None:
            return by_name
        cid = slugify(name)
        return cid if cid in self.target_ids else None

    def _free_id(self, name: str) -> str:
        base = slugify(name) or "component"
        cid, n = base, 2
        while cid in self.known:
            cid, n = f"{base}-{n}", n + 1
        return cid

    def _alias(self, name: str, cid: str, source: str, guesses: list[Guess]) -> None:
        if name.casefold() not in self.reported:
            self.reported.add(name.casefold())
            guesses.append(Guess(source, "component-alias",
                                 f"{name!r} maps to component {cid} "
                                 f"({self.known[cid].name!r}); both share it"))
