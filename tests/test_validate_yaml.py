"""The loader and the schema layer under `warroom validate`: positions, odd YAML, and the
fast schema gate agreeing with jsonschema."""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL_CONFIG, ROOT
from warroom.codes import CODES
from warroom.schemas import check, explain, is_valid
from warroom.yamlload import Document, Marks, load_bytes, parse_text

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import write_incidents

CASES = ROOT / "tests" / "cases"


def doc_of(text: str) -> Document:
    doc, problems = parse_text(text, "f.yaml")
    assert doc is not None and problems == [], problems
    return doc


def found(text: str) -> list[tuple[int, int, str]]:
    _, problems = parse_text(text, "f.yaml")
    return [(p.line, p.col, p.code) for p in problems]


def test_positions_are_computed_on_demand_and_match_the_source() -> None:
    doc = doc_of("# comment\nid: x\nroles:\n  commander: '@a'\nupdates:\n  - status: s\n")
    assert doc.marks.at(("id",)) == (2, 5)
    assert doc.marks.key_at(("roles", "commander")) == (4, 3)
    assert doc.marks.at(("roles", "commander")) == (4, 14)
    assert doc.marks.at(("updates", 0)) == (6, 5)
    assert doc.marks.at(("updates", 0, "missing")) == (6, 5)
    assert doc.marks.key_at(()) == (2, 1)  # the root mapping starts after the comment


def test_an_alias_is_placed_at_its_key_and_its_content_at_the_anchor() -> None:
    doc = doc_of("a: &x {b: 1}\nc: 2\nd: *x\n")
    assert doc.data == {"a": {"b": 1}, "c": 2, "d": {"b": 1}}
    assert doc.data["d"] is not doc.data["a"]  # no shared objects leak out
    assert doc.marks.at(("d",)) == (3, 1)
    assert doc.marks.at(("d", "b")) == (1, 11)


def test_deep_but_bounded_anchors_are_fine() -> None:
    lines = ["a0: &a0 [1, 2]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]")
    doc = doc_of("\n".join(lines) + "\n")
    assert len(str(doc.data["a7"])) > 100


@pytest.mark.parametrize("text", [
    "a: &a [*a]\n", "a: &a {b: &b [*a]}\n", "a: &a {b: {c: *a}}\n",
])
def test_recursive_anchors_are_refused(text: str) -> None:
    assert [code for *_, code in found(text)] == ["recursive-alias"]


def test_very_long_lines() -> None:
    long_value = "x" * 200_000
    doc = doc_of(f"a: {long_value}\nb: 1\n")
    assert doc.data["a"] == long_value
    assert doc.marks.at(("b",)) == (2, 4)
    assert found(f"a: {long_value}\nb: [1\n") == [(2, 4, "yaml-syntax")]
    # libyaml refuses a plain key over 1024 characters: a clean problem, not a crash.
    assert [code for *_, code in found("k" * 2000 + ": 1\n")] == ["yaml-syntax"]


def test_crlf_files_have_the_same_positions() -> None:
    text = "a: 1\nb:\n  c: [1, 2\n"
    assert found(text.replace("\n", "\r\n")) == found(text)
    doc = doc_of("a: 1\r\nb:\r\n  c: 2\r\n")
    assert doc.data == {"a": 1, "b": {"c": 2}}
    assert doc.marks.at(("b", "c")) == (3, 6)
    _, problems = load_bytes(b"a: 1\r\nb: caf\xe9\r\n", "f.yaml")
    assert [(p.line, p.col, p.code) for p in problems] == [(2, 7, "invalid-utf8")]


def test_tabs() -> None:
    assert found("a:\n\tb: 1\n") == [(2, 1, "yaml-syntax")]
    _, problems = parse_text("a:\n  b: 1\n\tc: 2\n", "f.yaml")
    assert "replace the tab with spaces" in problems[0].message
    assert doc_of("a: 'x\ty'\n").data == {"a": "x\ty"}  # a tab inside a value is fine


def test_unclosed_quote_is_reported_where_it_opens() -> None:
    text = 'title: "Checkout errors\nroles:\n  commander: "@alice"\n'
    _, problems = parse_text(text, "f.yaml")
    assert [(p.line, p.col, p.code) for p in problems] == [(1, 8, "yaml-syntax")]
    assert "add the closing quote" in problems[0].message


def test_utf16_without_a_bom_and_utf32() -> None:
    _, problems = load_bytes("a: 1\n".encode("utf-16-le"), "f.yaml")
    assert [p.message for p in problems] == ["file is UTF-16; save it as UTF-8"]
    _, problems = load_bytes("a: 1\n".encode("utf-32"), "f.yaml")
    assert [p.message for p in problems] == ["file is UTF-32; save it as UTF-8"]


def test_explicit_tags() -> None:
    assert doc_of("a: !!str 12\nb: !!int '7'\nc: !!float '1.5'\n").data == {
        "a": "12", "b": 7, "c": 1.5}
    assert found("a: !!binary aGVsbG8=\n") == [(1, 4, "unsafe-tag")]
    assert found("a: !!set {x}\n") == [(1, 4, "unsafe-tag")]
    assert found("!!python/name:os.system : 1\n") == [(1, 1, "unsafe-tag")]


def test_schema_problems_point_at_what_to_fix() -> None:
    doc = doc_of(
        "id: 2026-01-01-x\ntitle: Title\ntype: outage\nseverity: SEV1\nstatus: resolved\n"
        "components: []\nroles:\n  comander: '@a'\nwindow:\n  start: 2026-01-01T00:00:00Z\n"
        "updates:\n  - status: resolved\n")
    problems = [(p.line, p.col, p.code, p.message) for p in check(doc, "incident")]
    assert problems == [
        (8, 3, "unknown-field",
         "unknown field 'comander' in roles; did you mean 'commander'?"),
        (9, 1, "missing-field",
         "window is missing the required field 'end'; add end: ... (when the maintenance "
         "is planned to end)"),
        (12, 5, "missing-field",
         "updates[0] is missing the required field 'message'; add message: ... (what is "
         "known and what happens next (Markdown))"),
    ]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


def _changed(root: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    out = copy.deepcopy(root)
    if not path:
        return value
    target = out
    for part in path[:-1]:
        target = target[part]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


def variants(root: Any) -> Iterator[Any]:
    """The document with one thing broken: a value replaced or removed, or a key added."""
    for path, value in _paths(root):
        if isinstance(value, dict):
            yield _changed(root, path, {**value, "unexpected": 1})
        if path:
            for bad in (None, 7, True, "x", "2026-01-01T00:00", [], {}):
                yield _changed(root, path, bad)
            yield _changed(root, path, None, delete=True)


def _agree(data: Any, schema: str, marks: Marks) -> None:
    """Fast says valid exactly when the explained problems are none, and explaining a broken
    document never fails: every problem is placed and documented."""
    problems = explain(Document("f.yaml", data, marks, ""), schema)
    assert is_valid(data, schema) == (problems == []), data
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.code in CODES


SAMPLES = [*sorted((CASES / "valid").glob("*.y*ml")), "generated-0", "generated-1"]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: getattr(s, "stem", s))
def test_the_fast_gate_agrees_with_jsonschema_on_broken_documents(
        sample: Path | str, tmp_path: Path) -> None:
    """The fast validator only answers yes/no; a wrong yes would hide problems."""
    if isinstance(sample, str):  # two files of the benchmark generator, which vary more
        sample = write_incidents(tmp_path, 2, seed=7)[int(sample[-1])]
    doc, _ = load_bytes(sample.read_bytes(), sample.name)
    assert doc is not None
    for variant in variants(doc.data):
        _agree(variant, "incident", doc.marks)


def test_the_fast_gate_agrees_with_jsonschema_on_broken_configs() -> None:
    config = doc_of(MINIMAL_CONFIG)
    for variant in variants(config.data):
        _agree(variant, "config", config.marks)


def test_the_fast_gate_agrees_on_every_example_file() -> None:
    for path in sorted(CASES.glob("*/*.y*ml")):
        doc, _ = load_bytes(path.read_bytes(), path.name)
        if doc is not None:
            schema = "config" if path.parent.name == "invalid-config" else "incident"
            _agree(doc.data, schema, doc.marks)


def test_the_fast_gate_does_not_fill_in_defaults() -> None:
    data = doc_of((CASES / "valid" / "2026-12-01-database-upgrade.yaml").read_text()).data
    before = copy.deepcopy(data)
    assert is_valid(data, "incident")
    assert data == before
