"""Round-trip YAML with ruamel.yaml: edit a hand-written file, keep what the person wrote.

ruamel keeps comments, key order, quoting and block scalars, but it re-indents the whole
document with one style; so the style is guessed from the file itself. Two more details it
gets wrong for our purpose are handled here: a value replaced by a plain `str` loses its
quotes, and comments after the last item of a list belong to that item, so an appended item
would land below them instead of right after the item it follows.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

from warroom.authoring.values import Moment, scalar
from warroom.errors import WarroomError

_BLOCK = (LiteralScalarString, FoldedScalarString)
_QUOTED = (SingleQuotedScalarString, DoubleQuotedScalarString)


def make_yaml(mapping: int = 2, sequence: int = 2, offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line someone wrote on one line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.representer.add_representer(
        Moment, lambda rep, value: rep.represent_scalar("tag:yaml.org,2002:timestamp", value))
    return yaml


def load(text: str, display: str) -> tuple[YAML, CommentedMap]:
    """Parse text for editing; the YAML instance returned dumps in the file's own style."""
    try:
        data = make_yaml().load(text)
    except YAMLError as exc:
        raise WarroomError(f"{display}: cannot be edited: {exc}",
                           hint="run `warroom validate` and fix the file first") from exc
    if not isinstance(data, CommentedMap):
        raise WarroomError(f"{display}: an incident file must be a mapping of fields")
    yaml = make_yaml(*_guess_style(data))
    return yaml, yaml.load(text)


def _guess_style(data: CommentedMap) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file's author wrote them.

    Read from the positions ruamel records: a nested block mapping gives the mapping indent;
    a block list under a top-level key gives where its dashes and its items start.
    """
    mapping, sequence, offset = 2, 2, 0
    for key, value in data.items():
        key_col = data.lc.key(key)[1]
        if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
            mapping = max(value.lc.key(next(iter(value)))[1] - key_col, 1)
            break
    for key, value in data.items():
        if isinstance(value, CommentedSeq) and value and not value.fa.flow_style():
            key_col = data.lc.key(key)[1]
            dash_col = value.lc.col
            item_col = value.lc.item(0)[1]
            offset = max(dash_col - key_col, 0)
            sequence = max(item_col - key_col, offset + 2)
            break
    return mapping, sequence, offset


def dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def set_scalar(mapping: CommentedMap, key: str, value: str) -> None:
    """Replace a value keeping its quoting ('SEV2' stays single-quoted when it becomes SEV1)."""
    old = mapping.get(key)
    for kind in _QUOTED:
        if isinstance(old, kind):
            mapping[key] = kind(value)
            return
    mapping[key] = scalar(value)


def insert_key(mapping: CommentedMap, key: str, value: Any, after: tuple[str, ...]) -> None:
    """Add `key` right after the first of `after` present in the mapping, else at the end."""
    position = len(mapping)
    for name in after:
        if name in mapping:
            position = list(mapping).index(name) + 1
            break
    mapping.insert(position, key, value)


def _tail(node: Any) -> tuple[Any, Any] | None:
    """The container and key whose comment slot holds what follows `node` in the text."""
    if isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        deeper = _tail(node[key]) if isinstance(node[key], (CommentedMap, CommentedSeq)) else None
        return deeper or (node, key)
    if isinstance(node, CommentedSeq) and len(node):
        index = len(node) - 1
        deeper = _tail(node[index]) if isinstance(node[index], (CommentedMap, CommentedSeq)) \
            else None
        return deeper or (node, index)
    return None


def append_item(seq: CommentedSeq, item: Any) -> None:
    """Append to a block list, moving blank lines and comments that followed the old last
    item so that they follow the new one (they usually introduce the next key)."""
    old = _tail(seq) if len(seq) else None
    seq.append(item)
    if old is None or seq.fa.flow_style():
        return
    container, key = old
    slot = container.ca.items.get(key)
    if not slot or len(slot) < 3 or slot[2] is None:
        return
    token = slot[2]
    value = token.value
    is_block = isinstance(container[key], _BLOCK)
    keep, rest = ("", value) if is_block else _split_first_line(value)
    if not rest:
        return
    new = _tail(seq)
    if new is None:
        return
    new_container, new_key = new
    # The moved lines are whole lines: they keep the indentation written in them (column 0).
    moved = CommentToken(rest if isinstance(new_container[new_key], _BLOCK) else "\n" + rest,
                         CommentMark(0), None)
    if keep.strip():
        token.value = keep
    else:
        slot[2] = None
        if not any(slot):
            del container.ca.items[key]
    new_slot = new_container.ca.items.setdefault(new_key, [None, None, None, None])
    new_slot[2] = moved


def _split_first_line(value: str) -> tuple[str, str]:
    head, newline, rest = value.partition("\n")
    return head + newline, rest
