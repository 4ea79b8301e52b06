"""The text of live pages (those showing the build time: the home page) held between the
builds of one process, given back while everything the page is made from is the same.

Rendering the home page took ~30 ms of a ~0.4 s rebuild after a change to an older
incident at 10^4 incidents, to give the same bytes. What it is made from is pickled, types
and all (a str and an equal Markup render differently): the context, the translator's
language and zone, the template and the theme key (templates, code, warroom.yaml).

Most of that pickle was the uptime views (~90 bars per component, ~175 KB in all, ~4 ms a
build). Those are immutable and held by `views.Views.uptime`, so the same view is the very
same object from one build to the next: a view stands in the pickle as its identity, and
the mark keeps the very object alive, so that no other object can take its address while
the mark is held. Equal identities are then the same object, hence the same value; an equal
view made anew only costs a render.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from warroom import held
from warroom.site.context import UptimeView

Mark = tuple[bytes, tuple[object, ...]]  # the pickle, and the objects it names by identity

# path -> (the mark of what the text was made from, the text)
_LIVE: dict[str, tuple[Mark, bytes]] = {}
held.also_forget(_LIVE.clear)


class _Marker(pickle.Pickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.named: list[object] = []

    def persistent_id(self, obj: Any) -> int | None:
        if type(obj) is UptimeView:
            self.named.append(obj)
            return id(obj)
        return None


def mark(theme_key: str, template: str, language: str, zone: tzinfo,
         context: Mapping[str, Any]) -> Mark | None:
    """The mark of a live page's text; None when there is no theme key (nothing names the
    templates) or the context will not pickle (then the page is rendered, as always). The
    translator itself (`t`) is left out: its language and zone stand for it."""
    if not theme_key:
        return None
    made = {name: value for name, value in context.items() if name != "t"}
    buffer = io.BytesIO()
    marker = _Marker(buffer)
    try:
        marker.dump((theme_key, template, language, zone, made))
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        return None
    return buffer.getvalue(), tuple(marker.named)


def recall(path: str, found: Mark) -> bytes | None:
    """The text held for `path` if it was made from what `found` marks."""
    kept = _LIVE.get(path)
    return kept[1] if kept is not None and kept[0][0] == found[0] else None


def keep(path: str, found: Mark, text: bytes) -> None:
    _LIVE[path] = (found, text)
