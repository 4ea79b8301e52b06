from __future__ import annotations

from warroom.yamlload import load_bytes, parse_text


def codes(text: str) -> list[tuple[int, int, str]]:
    _, problems = parse_text(text, "f.yaml")
    return [(p.line, p.col, p.code) for p in problems]


def test_timestamps_stay_strings_and_positions_are_kept() -> None:
    doc, problems = parse_text("a: 2026-01-01T00:00:00Z\nb:\n  - on\n  - 1.5\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": "2026-01-01T00:00:00Z", "b": [True, 1.5]}
    assert doc.marks.at(("b", 1)) == (4, 5)
    assert doc.marks.key_at(("b",)) == (2, 1)
    assert doc.marks.at(("b", 7, "x")) == (3, 3)  # falls back to the nearest known value


def test_duplicate_keys_are_refused_at_the_second_key() -> None:
    assert codes("a: 1\nb:\n  c: 1\n  c: 2\n") == [(4, 3, "duplicate-key")]


def test_python_tags_are_refused() -> None:
    assert codes("a: !!python/object/apply:os.system ['true']\n") == [(1, 4, "unsafe-tag")]


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    found = codes("\n".join(lines) + "\n")
    assert [c for _, _, c in found] == ["alias-bomb"]


def test_encodings() -> None:
    doc, problems = load_bytes(b"\xef\xbb\xbfa: 1\n", "f.yaml")
    assert doc is not None and doc.data == {"a": 1}
    assert [p.code for p in problems] == ["byte-order-mark"]
    _, problems = load_bytes(b"a: 1\nb: caf\xe9\n", "f.yaml")
    assert [(p.line, p.col, p.code) for p in problems] == [(2, 7, "invalid-utf8")]
    _, problems = load_bytes(b"\xff\xfea\x00", "f.yaml")
    assert [p.code for p in problems] == ["wrong-encoding"]


def test_syntax_error_points_at_the_problem() -> None:
    assert codes("a: [1, 2\nb: 3\n") == [(2, 2, "yaml-syntax")]
