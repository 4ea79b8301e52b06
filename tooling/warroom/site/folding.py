"""Translate `t('key')` once, when a template is compiled, not on every page.

Pages call `t('incident.updates')` a dozen times each; through Jinja's call machinery that
was a third of the time spent rendering an incident page's own block. An environment made
for one language replaces each such call by the string itself, so Jinja escapes and writes
it at compile time. Nothing else changes: `t` with values, with a computed key, or with a
key it does not know is left as a call (an unknown key still fails the build when rendered),
and a template that binds the name `t` itself (set, for, macro argument, import) is left
whole. The pages' context must carry the Translator of the same language (pages.py checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, nodes
from jinja2.visitor import NodeTransformer

NAME = "t"


def binds_name(tree: nodes.Template, name: str = NAME) -> bool:
    """Whether the template gives `name` a value of its own anywhere."""
    for node in tree.find_all(nodes.Name):
        if node.name == name and node.ctx in ("store", "param"):
            return True
    for imported in tree.find_all(nodes.Import):
        if imported.target == name:
            return True
    for picked in tree.find_all(nodes.FromImport):
        if any((n[1] if isinstance(n, tuple) else n) == name for n in picked.names):
            return True
    return False


class _Fold(NodeTransformer):
    def __init__(self, strings: Mapping[str, str]) -> None:
        self.strings = strings

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        if (isinstance(node.node, nodes.Name) and node.node.name == NAME
                and len(node.args) == 1 and not node.kwargs
                and node.dyn_args is None and node.dyn_kwargs is None):
            arg = node.args[0]
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str) \
                    and arg.value in self.strings:
                return nodes.Const(self.strings[arg.value], lineno=node.lineno)
        result: nodes.Node = self.generic_visit(node)
        return result


def fold_translations(tree: nodes.Template, strings: Mapping[str, str]) -> nodes.Template:
    if binds_name(tree):
        return tree
    folded: nodes.Template = _Fold(strings).visit(tree)
    return folded


class TranslatedEnvironment(Environment):
    """An Environment whose templates have `t('literal')` folded for one language."""

    def __init__(self, language: str, strings: Mapping[str, str], **options: Any) -> None:
        super().__init__(**options)
        self.language = language
        self.strings = strings

    def compile(self, source: Any, name: str | None = None,
                filename: str | None = None, raw: bool = False,
                defer_init: bool = False) -> Any:
        if isinstance(source, str):
            tree = fold_translations(self.parse(source, name, filename), self.strings)
            tree.set_environment(self)
            source = tree
        # Environment.compile is overloaded on `raw`; this passes the caller's through.
        compile_: Any = super().compile
        return compile_(source, name, filename, raw, defer_init)
