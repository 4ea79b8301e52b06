"""jsonout.dumps writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import enum
import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.jsonout import dumps


def stdlib(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


class Small(enum.IntEnum):
    ONE = 1


class Word(enum.StrEnum):
    HELLO = "héllo\n"


class Num(float):
    pass


class Text(str):
    pass


HOSTILE_STRINGS = [
    "", "plain", "é ü ß 漢字 🚨", "\u2028 line sep \u2029 para sep", "\ufeff bom", "\x7f del",
    "quote \" and backslash \\ and slash /", "\\u0041 not an escape", "\ud800 lone high",
    "lone low \udfff", "\ud83d\ude00 pair written as surrogates",
    "".join(chr(c) for c in range(32)), "tab\there\r\nCRLF\x0b\x0c\x08", "a\x00b",
    "{\n  \"looks\": [\"like\", \"json\"],\n}", ": , [ ] { }", "%0A::error::x",
    "<script>alert(1)</script>",
]
HOSTILE_NUMBERS = [
    0, -0, 1, -1, 2**63, -(2**63) - 1, 10**100, -(10**300), True, False, None,
    0.0, -0.0, 0.1, 1e16, 1e-7, 123456789.123456789, 1.7976931348623157e308, 5e-324,
    math.inf, -math.inf, math.nan, 0.30000000000000004, Small.ONE, Num(2.5), Num(math.inf),
]
NESTED_EMPTIES = [
    [], {}, [[]], [{}], {"a": {}}, {"a": []}, [[], {}, [[{}]]], {"": {"": []}}, ((),),
    {"x": [{"y": [], "z": {}}, [], 1]},
]


@pytest.mark.parametrize("value", HOSTILE_STRINGS + HOSTILE_NUMBERS + NESTED_EMPTIES,
                         ids=repr)
def test_each_hostile_value_alone_in_a_list_and_in_a_dict(value: Any) -> None:
    for data in (value, [value], [value, value], {"k": value}, {"k": [value], "j": value}):
        assert dumps(data) == stdlib(data)


def test_a_report_shaped_document_with_everything_at_once() -> None:
    data = {
        "now": "2026-06-02T12:00:00+00:00",
        "incidents": [
            {"id": s or "empty", "title": s, "open": i % 2 == 0, "clocks": [
                {"used": n, "note": s, "stopped": None} for n in HOSTILE_NUMBERS],
             "problems": [], "nested": NESTED_EMPTIES}
            for i, s in enumerate(HOSTILE_STRINGS)
        ],
        "problems": [{"message": s, "line": i} for i, s in enumerate(HOSTILE_STRINGS)],
        "tuple": (1, ("two", [3.0])),
    }
    assert dumps(data) == stdlib(data)


def test_keys_of_every_kind_json_accepts() -> None:
    data = {
        "é\n\"": 1, 2: "int", -3: [], 1.5: {}, math.inf: 0, -math.inf: 0, math.nan: 0,
        True: "true", False: "false", None: "null", Small.ONE: "intenum collides with True? no",
        Text("sub"): Word.HELLO, 10**30: [{"\u2028": "\ud800"}],
    }
    assert dumps(data) == stdlib(data)
    assert dumps(OrderedDict(b=1, a=[OrderedDict()])) == stdlib(OrderedDict(b=1, a=[{}]))


def test_subclasses_are_written_as_their_base_types() -> None:
    data = [Small.ONE, Word.HELLO, Num(0.1), Text("x\"y"), {Text("k"): (Small.ONE,)}]
    assert dumps(data) == stdlib(data)


def test_deep_nesting() -> None:
    data: Any = "leaf"
    for depth in range(80):
        data = [data] if depth % 2 else {str(depth): data, "n": depth}
    assert dumps(data) == stdlib(data)


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"bytes", {(1, 2): "tuple key"},
                                 [1, {"a": [object()]}], {"k": {3j: 1}}])
def test_what_json_refuses_is_refused_with_the_same_error_type(bad: Any) -> None:
    with pytest.raises(TypeError) as ours:
        dumps(bad)
    with pytest.raises(TypeError) as theirs:
        stdlib(bad)
    assert str(ours.value) == str(theirs.value)


# Every code point, lone surrogates included (st.characters leaves them out by default).
CHARS = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**40),
           max_value=10**40) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(alphabet=CHARS))
KEYS = st.text(alphabet=CHARS) | st.integers() | st.floats() | st.booleans() | st.none()
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: (st.lists(children, max_size=5)
                      | st.lists(children, max_size=3).map(tuple)
                      | st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_any_document_is_written_as_the_standard_library_writes_it(data: Any) -> None:
    assert dumps(data) == stdlib(data)
