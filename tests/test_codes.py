from __future__ import annotations

import re

from conftest import ROOT
from warroom.codes import CODES, markdown


def test_docs_are_generated_from_codes() -> None:
    assert (ROOT / "docs" / "codes.md").read_text(encoding="utf-8") == markdown(), (
        "docs/codes.md is stale: run `warroom codes --markdown > docs/codes.md`"
    )


def test_every_code_is_used_somewhere_in_the_package() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tooling" / "warroom").rglob("*.py") if p.name != "codes.py"
    )
    unused = [c for c in CODES if not re.search(rf"[\"']{re.escape(c)}[\"']", source)]
    assert unused == []


def test_codes_are_kebab_case_and_explained() -> None:
    for code, text in CODES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert text.endswith((".", ")")), code
