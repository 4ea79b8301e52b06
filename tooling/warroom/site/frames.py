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

import contextlib
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, Template, meta, nodes
from markupsafe import escape

from warroom.site.context import Page

FRAME_VARS = frozenset({"page", "t", "url"})
_MARK = "\x00warroom-frame:"
_PART = re.compile("\x00warroom-frame:([a-z]+):([^:\x00]*):a\x00")

Block = Callable[[Any], Iterator[str]]
# A plan as plain data: the chain's template names, and what the top levels import as
# (name, template, attribute or None for the module itself).
PlanData = tuple[list[str], list[tuple[str, str, str | None]]]
# With the digest of every template source the plan was worked out from (name -> sha256).
Recipe = tuple[dict[str, str], PlanData | None]
STORE = "frame-plans.json"


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
        self._store = _Store(env)

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
                self._plans[name] = self._realise(self._recipe(name))
            except Exception:  # the plain render reports it, as before
                self._plans[name] = None
        return self._plans[name]

    def _recipe(self, name: str) -> Recipe:
        """The plan of `name` as plain data: from the store when the sources it was made
        from are unchanged, else made (and stored)."""
        kept = self._store.get(name)
        if kept is not None and self._unchanged(kept[0]):
            return kept
        read: dict[str, str] = {}
        made = (read, self._make_plan(name, read))
        self._store.put(name, made)
        return made

    def _source(self, name: str) -> str:
        assert self.env.loader is not None
        return self.env.loader.get_source(self.env, name)[0]

    def _unchanged(self, read: dict[str, str]) -> bool:
        try:
            return all(_digest(self._source(n)) == sha for n, sha in read.items())
        except Exception:  # e.g. a template gone: make the plan again
            return False

    def _make_plan(self, name: str, read: dict[str, str]) -> PlanData | None:
        """Whether `name` can share its frame, worked out on the parsed sources; every
        template read goes into `read` (name -> digest of its source)."""
        chain: list[str] = []
        imported: list[tuple[str, str, str | None]] = []
        current: str | None = name
        while current is not None:
            if len(chain) > 8 or self.env.loader is None:
                return None
            source = self._source(current)
            read[current] = _digest(source)
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
            chain.append(current)
            imported += _imports(outside)
            current = parent
        for source_name in {src for _, src, _ in imported}:
            # The modules imported are the same for every page: their sources are part of
            # the plan (the blocks' own templates are compiled, not planned, from theirs).
            read[source_name] = _digest(self._source(source_name))
        return chain, imported

    def _realise(self, recipe: Recipe) -> _Plan | None:
        """The plan's templates and imported modules, loaded (compiled) in this process."""
        plan = recipe[1]
        if plan is None:
            return None
        chain = tuple(self.env.get_template(n) for n in plan[0])
        blocks: list[str] = []
        for template in chain:
            blocks += [b for b in template.blocks if b not in blocks]
        imported: list[tuple[str, Any]] = []
        for alias, source_name, attribute in plan[1]:
            # Imported without context, a module is the same for every page (Jinja caches
            # it the same way).
            module = self.env.get_template(source_name).module
            imported.append((alias, module if attribute is None else getattr(module,
                                                                              attribute)))
        # In chain order: Jinja runs the child's top level first, then its parent's.
        return _Plan(chain, tuple(blocks), tuple(imported))

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


class _Store:
    """Plans kept between processes, beside the compiled templates (~30 ms of parsing and
    analysis at every `warroom build` start otherwise). Only where Jinja keeps them: a
    folder inside `.git/` named after the code, the theme and the configuration
    (templating.keep_compiled), so a new version of frames.py never reads an old plan; and
    each plan is used only while every source it was made from reads the same. A plan is
    data, never code; a store that cannot be read or written is simply not used."""

    def __init__(self, env: Environment) -> None:
        cache = env.bytecode_cache
        self.path = (Path(cache.directory) / STORE
                     if isinstance(cache, FileSystemBytecodeCache) else None)
        # What else the analysis reads: the parser's settings and the globals' names.
        self.key = repr((jinja2.__version__, type(env).__name__, sorted(env.globals),
                         env.block_start_string, env.block_end_string,
                         env.variable_start_string, env.variable_end_string,
                         env.comment_start_string, env.comment_end_string,
                         env.line_statement_prefix, env.line_comment_prefix,
                         env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
                         env.keep_trailing_newline, sorted(env.extensions)))
        self._plans: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._plans is None:
            self._plans = {}
            if self.path is not None:
                try:
                    found = json.loads(self.path.read_bytes())
                    if isinstance(found, dict) and found.get("key") == self.key and \
                            isinstance(found.get("plans"), dict):
                        self._plans = found["plans"]
                except (OSError, ValueError):
                    pass
        return self._plans

    def get(self, name: str) -> Recipe | None:
        found = self._load().get(name)
        if not (isinstance(found, list) and len(found) == 2 and _names(found[0])):
            return None  # none, or not one of ours
        read, plan = found
        if plan is None:
            return dict(read), None
        if not (isinstance(plan, list) and len(plan) == 2 and isinstance(plan[0], list)
                and all(isinstance(n, str) for n in plan[0]) and isinstance(plan[1], list)
                and all(isinstance(i, list) and len(i) == 3 and isinstance(i[0], str)
                        and isinstance(i[1], str) and isinstance(i[2], str | None)
                        for i in plan[1])):
            return None
        return dict(read), ([*plan[0]], [(a, s, t) for a, s, t in plan[1]])

    def put(self, name: str, recipe: Recipe) -> None:
        plans = self._load()
        plans[name] = recipe
        if self.path is None:
            return
        temporary = self.path.with_name(f".{STORE}.{os.getpid()}")
        try:  # whole or not at all: page workers (forked) may write at the same time
            temporary.write_text(json.dumps({"key": self.key, "plans": plans},
                                            sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def _names(read: object) -> bool:
    return isinstance(read, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in read.items())


class _Unsafe(Exception):
    """The template cannot share its frame: render it as usual."""


def _imports(outside: nodes.Template) -> list[tuple[str, str, str | None]]:
    """What the top-level imports bind, in order: (name, template, None) for a module,
    (name, template, its attribute) for a name taken from one."""
    out: list[tuple[str, str, str | None]] = []
    for node in outside.body:
        source_name = _imported_name(node)
        if source_name is None:
            continue
        if isinstance(node, nodes.Import):
            out.append((node.target, source_name, None))
        elif isinstance(node, nodes.FromImport):
            for name in node.names:
                source, alias = name if isinstance(name, tuple) else (name, name)
                out.append((alias, source_name, source))
    return out


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


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
