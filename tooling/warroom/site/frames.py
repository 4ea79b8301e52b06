"""Render the page frame once: the part of base.html around the blocks is shared by
thousands of pages.

A page is its template's blocks poured into a frame: base.html's text outside every block
(head, header, navigation, footer). For pages alike in everything the frame reads (the
`page` fields other than its title and path, `t`, `url`), the frame is the same string, so
it is rendered once per kind of page and only the blocks are rendered per page. At 10,000
incident pages, base.html was more than a third of the rendering time.

This must never change a byte of output, and a repository may override any template, so the
shortcut is only taken when it is provably equivalent, else the template renders as usual:
- Outside its blocks, every template of the chain may only read `page`, `t`, `url` and
  Jinja's globals (checked on the parsed source with jinja2.meta), and child templates may
  only extend a fixed parent and import macros without context.
- The frame is rendered twice with different stand-ins for the title, the path and every
  block; unless the two agree once the stand-ins are swapped, something transformed them
  (a filter such as `upper`, a test on the title) and the page kind renders as usual.
Blocks are rendered with every block of the chain installed in their context, as Jinja does,
so `super()` and `self.name()` keep working.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import Environment, Template, meta, nodes
from markupsafe import escape

from warroom.site.context import Page

FRAME_VARS = frozenset({"page", "t", "url"})
_MARK = "\x00warroom-frame:"
_PART = re.compile("\x00warroom-frame:([a-z]+):([^:\x00]*):a\x00")

Block = Callable[[Any], Iterator[str]]


@dataclasses.dataclass(frozen=True)
class _Plan:
    chain: tuple[Template, ...]  # the template, its parent, ... base
    blocks: tuple[str, ...]  # every block name in the chain
    imported: tuple[tuple[str, Any], ...]  # names the top levels import (without context)


def _stand_in(kind: str, name: str, variant: str) -> str:
    return f"{_MARK}{kind}:{name}:{variant}\x00"


def _block_stand_in(name: str, variant: str) -> Block:
    def render(_context: Any) -> Iterator[str]:
        yield _stand_in("block", name, variant)
    return render


class Frames:
    """Renders templates of one environment, sharing frames where that is safe."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._plans: dict[str, _Plan | None] = {}
        self._frames: dict[tuple[Any, ...], list[tuple[str, str]] | None] = {}
        self.fallbacks = 0  # pages whose blocks failed here and were rendered as usual

    def render(self, name: str, context: dict[str, Any]) -> str:
        template = self.env.get_template(name)
        plan = self._plan(name)
        page = context.get("page")
        if plan is None or not isinstance(page, Page):
            return template.render(context)
        key: tuple[Any, ...] = (name, dataclasses.replace(page, title="", path=""),
                                repr(context.get("url")), id(context.get("t")))
        try:
            hash(key)
        except TypeError:  # a field of a repository's own making: compare by text
            key = tuple(repr(k) for k in key)
        if key not in self._frames:
            self._frames[key] = self._frame(plan, context)
        parts = self._frames[key]
        if parts is None:
            return template.render(context)
        try:
            return self._pour(template, plan, parts, context, page)
        except Exception:  # the plain render raises it with template lines
            self.fallbacks += 1
            return template.render(context)

    @staticmethod
    def _pour(template: Template, plan: _Plan, parts: list[tuple[str, str]],
              context: dict[str, Any], page: Page) -> str:
        ctx = template.new_context(context)
        ctx.vars.update(plan.imported)
        ctx.blocks = {}
        for member in plan.chain:  # as Jinja's extends does: the child's blocks first
            for block, render in member.blocks.items():
                ctx.blocks.setdefault(block, []).append(render)
        out = []
        for kind, value in parts:
            if kind == "text":
                out.append(value)
            elif kind == "title":
                out.append(str(escape(page.title)))
            elif kind == "path":
                out.append(str(escape(page.path)))
            else:
                out.append("".join(ctx.blocks[value][0](ctx)))
        return "".join(out)

    # -- planning ----------------------------------------------------------------------
    def _plan(self, name: str) -> _Plan | None:
        if name not in self._plans:
            try:
                self._plans[name] = self._make_plan(name)
            except Exception:  # the plain render reports it, as before
                self._plans[name] = None
        return self._plans[name]

    def _make_plan(self, name: str) -> _Plan | None:
        chain: list[Template] = []
        blocks: list[str] = []
        imported: list[tuple[str, Any]] = []
        current: str | None = name
        while current is not None:
            if len(chain) > 8 or self.env.loader is None:
                return None
            source = self.env.loader.get_source(self.env, current)[0]
            tree = self.env.parse(source)
            parent = _parent(tree)
            outside = nodes.Template([n for n in tree.body if not isinstance(n, nodes.Block)])
            outside.set_environment(self.env)
            if parent is not None and not all(
                    isinstance(n, (nodes.Extends, nodes.Import, nodes.FromImport))
                    or _static(n) for n in outside.body):
                return None  # a child's top level runs code the blocks might depend on
            if any(_imported_name(n) is None
                   for n in outside.find_all((nodes.Import, nodes.FromImport))):
                return None  # a module made per page, or from a computed name
            if not meta.find_undeclared_variables(outside) <= FRAME_VARS | set(
                    self.env.globals):
                return None
            template = self.env.get_template(current)
            chain.append(template)
            blocks += [b for b in template.blocks if b not in blocks]
            imported += self._imports(outside)
            current = parent
        # In chain order: Jinja runs the child's top level first, then its parent's.
        return _Plan(tuple(chain), tuple(blocks), tuple(imported))

    def _imports(self, outside: nodes.Template) -> list[tuple[str, Any]]:
        """What the top-level imports bind, in order. Imported without context, a module
        is the same for every page (Jinja caches it the same way)."""
        out: list[tuple[str, Any]] = []
        for node in outside.body:
            source_name = _imported_name(node)
            if source_name is None:
                continue
            module = self.env.get_template(source_name).module
            if isinstance(node, nodes.Import):
                out.append((node.target, module))
            elif isinstance(node, nodes.FromImport):
                for name in node.names:
                    source, alias = name if isinstance(name, tuple) else (name, name)
                    out.append((alias, getattr(module, source)))
        return out

    # -- the frame ---------------------------------------------------------------------
    def _frame(self, plan: _Plan, context: dict[str, Any]) -> list[tuple[str, str]] | None:
        page: Page = context["page"]
        try:
            first = self._render_frame(plan, context, page, "a")
            second = self._render_frame(plan, context, page, "b")
        except Exception:  # e.g. the frame reads a page's own variable
            return None  # render these pages as usual, which reports any real error
        if first.replace(":a\x00", ":b\x00") != second:
            return None
        parts: list[tuple[str, str]] = []
        at = 0
        for found in _PART.finditer(first):
            parts.append(("text", first[at:found.start()]))
            parts.append((found.group(1), found.group(2)))
            at = found.end()
        parts.append(("text", first[at:]))
        if _MARK in "".join(v for k, v in parts if k == "text"):
            return None
        return [(k, v) for k, v in parts if k != "text" or v]

    def _render_frame(self, plan: _Plan, context: dict[str, Any], page: Page,
                      variant: str) -> str:
        stand_in = dataclasses.replace(page, title=_stand_in("title", "", variant),
                                       path=_stand_in("path", "", variant))
        template = plan.chain[0]
        ctx = template.new_context({**{k: context[k] for k in FRAME_VARS if k in context},
                                    "page": stand_in})
        for block in plan.blocks:
            ctx.blocks[block] = [_block_stand_in(block, variant)]
        return "".join(template.root_render_func(ctx))


class _Unsafe(Exception):
    """The template cannot share its frame: render it as usual."""


def _parent(tree: nodes.Template) -> str | None:
    """The fixed template `tree` extends (None if none); _Unsafe if computed."""
    found = list(tree.find_all(nodes.Extends))
    if not found:
        return None
    value = getattr(found[0].template, "value", None) if len(found) == 1 else None
    if not isinstance(found[0].template, nodes.Const) or not isinstance(value, str):
        raise _Unsafe("extends a computed template")
    return value


def _imported_name(node: nodes.Node) -> str | None:
    """The template an import without context reads, if a constant; else None."""
    template = getattr(node, "template", None)
    value = getattr(template, "value", None)
    if getattr(node, "with_context", True) or not isinstance(template, nodes.Const):
        return None
    return value if isinstance(value, str) else None


def _static(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Output) and all(
        isinstance(n, nodes.TemplateData) for n in node.nodes)
