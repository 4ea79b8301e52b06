"""The piecewise reader must agree with one whole parse_text on every version, odd or not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from warroom.history_facts import FactReader, Facts, Unreadable, facts_of
from warroom.yamlload import load_bytes


def whole(text: str) -> Facts | Unreadable | None:
    doc, _ = load_bytes(text.encode(), "x")
    return None if doc is None else facts_of(doc.data)


def agree(reader: FactReader, text: str) -> None:
    got, want = reader.read(text.encode()), whole(text)
    if want is None or isinstance(want, Unreadable):
        assert isinstance(got, Unreadable), text
    else:
        assert got == want, text


TRICKY = [
    'id: a\ntitle: "x\nstatus: resolved"\nstatus: investigating\n',  # a cut inside quotes
    'id: a\ntitle: "x\nstatus: resolved"\n',
    "id: a\nstatus: resolved\nstatus: x\n",  # duplicate key
    'id: a\nupdates:\n  - status: x\n    message: "a\n  - b"\n  - status: y\n',
    'id: a\nupdates:\n  - status: x\n    message: "a\n  - b"\n',
    'id: a\nupdates:\n- status: x\n- status: y\nroles: {commander: "@a"}\n',
    "id: a\nroles:\n  commander:\n",
    "id: a\nupdates:\n", "id: a\nupdates:\nstatus: x\n",
    "id: a\nstatus: yes\n", "id: &x a\nseverity: *x\n", "---\nid: a\n",
    "id: a\nupdates: [{status: x},\n  {status: y}]\n", "- a\n- b\n",
    "id: a\nupdates:\n  - status: x\n    message: |\n      - not an item\n  - status: y\n",
    "id: a\nsummary: !!python/object x\n", "id: a\nupdates:\n  - {status: x, a: 1, a: 2}\n",
    "# c\nid: a\n  x: 1\n", "id: a\u2028status: b\n", "id: a\r\nstatus: b\r\n", "",
    "id: a\nupdates:\n  # a comment\n  - status: x\n\n  - status: y\n# end\n",
    "id: a\nupdates:\n  -\n    status: x\n  - status: y\n",
    "id: a\npostmortem: {status: published}\n",
    "id: a\nupdates:\n  - &u {status: x}\n  - *u\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_versions_agree_with_a_whole_parse(text: str) -> None:
    agree(FactReader(), text)
    reader = FactReader()  # and again once the reader remembers pieces of other versions
    for other in TRICKY:
        reader.read(other.encode())
    agree(reader, text)


def test_the_demo_incidents_and_their_truncations_agree() -> None:
    reader = FactReader()
    for path in sorted((ROOT / "incidents").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        agree(reader, path.read_text(encoding="utf-8"))
        for n in range(1, len(data.get("updates", [])) + 1):
            agree(reader, yaml.safe_dump({**data, "updates": data["updates"][:n]},
                                         sort_keys=False))


_scalar = st.one_of(st.sampled_from(["x", "yes", "1", "", "a: b", "- c", '"q"', "#", "@a",
                                     "resolved", "line\nbreak", "'"]),
                    st.text(max_size=8))
_update = st.fixed_dictionaries({"status": _scalar, "message": _scalar})
_doc = st.fixed_dictionaries(
    {"id": _scalar},
    optional={"status": _scalar, "severity": _scalar, "summary": _scalar,
              "roles": st.fixed_dictionaries({}, optional={"commander": _scalar}),
              "updates": st.lists(_update, max_size=4),
              "postmortem": st.fixed_dictionaries({"status": _scalar, "body": _scalar})})


@settings(max_examples=80, deadline=None)
@given(docs=st.lists(_doc, min_size=1, max_size=4),
       style=st.sampled_from([None, False, True]), width=st.sampled_from([12, 80]))
def test_any_dumped_version_agrees(docs: list[dict[str, object]], style: bool | None,
                                   width: int) -> None:
    reader = FactReader()
    for doc in docs:
        agree(reader, yaml.safe_dump(doc, default_flow_style=style, width=width,
                                     allow_unicode=True, sort_keys=False))


def test_a_file_that_is_not_text_is_unreadable(tmp_path: Path) -> None:
    assert isinstance(FactReader().read(b"id: a\n\xff\n"), Unreadable)
    assert isinstance(FactReader().read(b"\xff\xfei\x00d\x00"), Unreadable)
