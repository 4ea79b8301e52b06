"""The piecewise reader must agree with one whole parse_text on every version, odd or not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from warroom.history_facts import FactReader, Facts, Unreadable, facts_of
from warroom.yamlload import load_bytes, parse_text


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
    # Pieces cut before fact keys, with the runs of other keys between them:
    "id: a\ntitle: x\n...\nstatus: b\n",  # a document end inside a run
    "id: a\ntitle: x\n---\nstatus: b\n", "id: a\n\ufefftitle: x\nstatus: b\n",
    "id: a\n%YAML 1.1\n---\nstatus: b\n", "id: a\n? title\n: x\nstatus: b\n",
    'id: a\n"status": x\nstatus: b\n', "id: a\ntitle: x\nstatus: b\ntitle: y\n",
    "title: x\nid: a\nsummary: s\nid: b\n", "# only a comment\nid: a\n",
    "title: x\n", "# c\n", "id: a\nstatus : b\n", "id: a\ntitle: x\n  y\nstatus: b\n",
    "id: a\nroles:\n  commander: '@a'\nupdates:\n- status: x\nsummary: s\n",
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


# The shapes read without parsing must be exactly ones that parse, to the keys they show.
_risky = st.sampled_from([*"aby_(/-:#'\" .!%@`|>*?[]{}~=<+09\t\\",
    "\u00e9", "\u2028", "\x85", "\x7f", "\ufeff", "\U0001f600", "\u00a0", "\x01", "yes", "no",
    "null", "0b_", "1:20", "2023-01-02", "2023-01-02 13:05:00+00:00", "'x'", "a: b", "\n"])
_names = st.sampled_from(["a", "b", "y", "no", "a-b", "_x", "0a", "<<", "status"])
_values = st.one_of(st.lists(_risky, max_size=6).map("".join), st.sampled_from([
    "Alerts fired", "'@bob'", "''", "2023-01-02 13:05:00+00:00", "2023-01-02", "yes", "No",
    "x:y", "https://x.example/y", "(a) b", "/p", "_u", "\u00e9t\u00e9", "a, b [c] {d}", "null"]))
_pairs = st.tuples(_names, _values).map(lambda p: f"{p[0]}: {p[1]}")
_items = st.lists(_pairs, min_size=1, max_size=3).map(
    lambda ps: "- " + "".join(f"{p}\n" if i == 0 else f"  {p}\n" for i, p in enumerate(ps)))
_entries = st.one_of(
    _pairs.map(lambda p: p + "\n"),
    st.tuples(_names, st.lists(_items, min_size=1, max_size=2)).map(
        lambda e: e[0] + ":\n" + "".join(e[1])),
    st.tuples(_names, st.lists(_values, min_size=1, max_size=2)).map(
        lambda e: e[0] + ":\n" + "".join(f"- {v}\n" for v in e[1])),
    st.tuples(_names, st.lists(_pairs, min_size=1, max_size=2)).map(
        lambda e: e[0] + ":\n" + "".join(f"  {p}\n" for p in e[1])))


@settings(max_examples=400, deadline=None)
@given(item=_items)
def test_an_item_read_without_parsing_parses_to_one_entry(item: str) -> None:
    reader = FactReader()
    if reader._item_ok(item) and reader._pieces == {}:  # decided without the parser
        doc, _ = parse_text(item, "x")
        assert doc is not None and isinstance(doc.data, list) and len(doc.data) == 1


@settings(max_examples=400, deadline=None)
@given(run=st.lists(_entries, min_size=1, max_size=3).map("".join))
def test_a_run_read_without_parsing_parses_to_its_keys(run: str) -> None:
    reader = FactReader()
    keys = reader._run_keys(run)
    if keys is not None and reader._pieces == {}:  # decided without the parser
        doc, _ = parse_text(run, "x")
        assert doc is not None and isinstance(doc.data, dict) and tuple(doc.data) == keys
