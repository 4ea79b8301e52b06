"""docs/site.md lists every field of every template context object, and only those."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from warroom.site import context

DOC = Path(__file__).resolve().parent.parent / "docs" / "site.md"


def test_context_reference_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented: dict[str, list[str]] = {}
    for row in re.findall(r"^\| `[^|]*?`?\(?`?(\w+)`?\)? \| (.+) \|$", text, re.MULTILINE):
        name, fields = row
        documented[name] = re.findall(r"`(\w+)`", fields.split(";")[0])
    classes = [obj for obj in vars(context).values()
               if isinstance(obj, type) and obj.__module__ == context.__name__
               and (dataclasses.is_dataclass(obj) or issubclass(obj, tuple))]  # NamedTuples
    assert len(classes) > 20
    for cls in classes:
        assert cls.__name__ in documented, f"{cls.__name__} is not in docs/site.md"
        names = ([f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls)
                 else list(cls._fields))
        assert documented[cls.__name__] == names, cls
