"""From libyaml's node tree to plain data, refusing what is unsafe; and, on demand, positions.

Two walks over the same tree. `build_data` runs for every file and does every check
(tags, duplicate keys, alias expansion, cycles, depth) without tracking paths, which
would cost a tuple and two dict entries per value. `build_marks` runs only when a
position is asked for, i.e. when a file has a problem, on a tree `build_data` accepted.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml's C parser when the wheel has it; the pure-Python one otherwise.
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Base  # type: ignore[assignment]

MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
Position = tuple[int, int]

_T = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _T + "str", _T + "seq", _T + "map", _T + "merge"
_STRING_TAGS = frozenset({_STR, _T + "timestamp"})
_SCALAR_TAGS = frozenset({_T + "int", _T + "float", _T + "bool", _T + "null"}) | _STRING_TAGS
_SAFE = yaml.SafeLoader("")  # only its scalar constructors are used
_Scalar, _Sequence = yaml.ScalarNode, yaml.SequenceNode


class Loader(_Base):
    """The safe loader, with tag resolution memoised.

    Even the C loader calls back into Python to resolve each plain scalar's implicit tag
    (int, bool, timestamp...), trying regular expressions each time. Without path
    resolvers (SafeLoader registers none) the answer depends on the text alone.
    """

    _plain: dict[str, str] = {}  # noqa: RUF012 - a process-wide memo, on purpose
    # Implicit resolvers are indexed by first character; text starting with any other
    # character (most prose) is a string. SafeLoader has no catch-all (None) resolver.
    _first_chars = frozenset(k for k in _Base.yaml_implicit_resolvers if k)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is _Scalar:
            if not implicit[0] or (value and value[0] not in self._first_chars):
                return _STR
            tag = self._plain.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(value) <= 40 and len(self._plain) < 50_000:
                    self._plain[value] = tag
            return tag
        return _SEQ if kind is _Sequence else _MAP


class Refused(Exception):
    def __init__(self, line: int, col: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.code, self.message = line, col, code, message


def short_tag(tag: str) -> str:
    return "!!" + tag[len(_T):] if tag.startswith(_T) else tag


def _pos(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def compose(text: str) -> yaml.Node | None:
    loader = Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class _DataBuilder:
    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.open: set[int] = set()  # nodes being built: meeting one again is a cycle
        self.alias_nodes = 0

    def build(self, node: yaml.Node, via_alias: bool, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise Refused(*_pos(node), "too-deep",
                          f"values are nested more than {MAX_DEPTH} levels deep; incident "
                          "files need only a few levels")
        ident = id(node)
        if ident in self.seen:
            if ident in self.open:
                raise Refused(*_pos(node), "recursive-alias",
                              "this anchor contains an alias to itself, so its value never "
                              "ends; write the value out")
            via_alias = True
        else:
            self.seen.add(ident)
        if via_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise Refused(*_pos(node), "alias-bomb",
                              f"aliases expand to more than {MAX_ALIAS_NODES:,} values; "
                              "write the values out instead of nesting anchors")
        cls = node.__class__
        if cls is _Scalar:
            if node.tag in _STRING_TAGS:
                return node.value
            return _scalar(node)
        self.open.add(ident)
        if cls is _Sequence:
            _check_tag(node, _SEQ)
            out: Any = [self.build(child, via_alias, depth + 1) for child in node.value]
        else:
            _check_tag(node, _MAP)
            out = self._mapping(node, via_alias, depth)
        self.open.discard(ident)
        return out

    def _mapping(self, node: yaml.Node, via_alias: bool, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _Scalar:
                raise Refused(*_pos(key_node), "complex-key",
                              "a mapping key must be plain text, not a list or a mapping")
            tag = key_node.tag
            if tag not in _SCALAR_TAGS:
                if tag == _MERGE:
                    raise Refused(*_pos(key_node), "merge-key",
                                  "merge keys (<<) are not supported; write the keys out")
                raise Refused(*_pos(key_node), "unsafe-tag",
                              f"tag {short_tag(tag)} is not allowed on a key; write the key "
                              "as plain text")
            # Keys are kept as written: YAML 1.1 would turn `on:` or `no:` into booleans.
            key = key_node.value
            if key in out:
                first = next(k for k, _ in node.value if k.value == key)
                raise Refused(*_pos(key_node), "duplicate-key",
                              f"duplicate key {key!r} (first defined at line {_pos(first)[0]}); "
                              "remove one of them, PyYAML would silently keep only the last")
            out[key] = self.build(value_node, via_alias, depth + 1)
        return out


def _check_tag(node: yaml.Node, expected: str) -> None:
    if node.tag != expected:
        raise Refused(*_pos(node), "unsafe-tag",
                      f"tag {short_tag(node.tag)} is not allowed; only plain YAML values are "
                      "accepted: remove the tag")


def _scalar(node: yaml.Node) -> Any:
    tag = node.tag
    if tag in _SCALAR_TAGS:
        try:
            return _SAFE.yaml_constructors[tag](_SAFE, node)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            raise Refused(*_pos(node), "bad-scalar",
                          f"{node.value!r} cannot be read as {short_tag(tag)}; fix the value "
                          "or remove the tag") from None
    raise Refused(*_pos(node), "unsafe-tag",
                  f"tag {short_tag(tag)} is not allowed; only plain YAML values are accepted: "
                  "remove the tag")


def build_data(node: yaml.Node) -> Any:
    """Plain data (str, int, float, bool, None, list, dict); raises Refused."""
    return _DataBuilder().build(node, False, 0)


def build_marks(node: yaml.Node) -> tuple[dict[PathKey, Position], dict[PathKey, Position]]:
    """Positions of every value and key, by data path, for a tree build_data accepted.

    Values reached through an alias sit at their anchor, except the aliased value itself,
    which is placed at its key: that is where the user wrote `*name`.
    """
    values: dict[PathKey, Position] = {}
    keys: dict[PathKey, Position] = {}
    seen: set[int] = set()

    def walk(node: yaml.Node, path: PathKey, via_alias: bool) -> None:
        ident = id(node)
        if ident in seen:
            if not via_alias:
                values[path] = keys.get(path, _pos(node))
            via_alias = True
        else:
            seen.add(ident)
        values.setdefault(path, _pos(node))
        if node.__class__ is _Scalar:
            return
        if node.__class__ is _Sequence:
            for i, child in enumerate(node.value):
                walk(child, (*path, i), via_alias)
            return
        for key_node, value_node in node.value:
            sub = (*path, key_node.value)
            keys.setdefault(sub, _pos(key_node))
            walk(value_node, sub, via_alias)

    walk(node, (), False)
    return values, keys
