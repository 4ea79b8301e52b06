"""libyaml's parse errors, rewritten as problems that say where and how to fix.

libyaml reports what its state machine expected ("did not find expected key"), which is
accurate but rarely tells a person what to change. The common mistakes in hand-written
incident files (tabs, an unquoted @handle, a ': ' inside a value, an unclosed quote or
bracket) each get a hint.
"""

from __future__ import annotations

import re

import yaml

from warroom.problems import Level, Problem

_TAB = "YAML indentation must use spaces; replace the tab with spaces"


def _char_at(text: str, line: int, col: int) -> str:
    """The character at a 1-based position, or '' past the end."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    row = lines[line - 1]
    return row[col - 1] if 1 <= col <= len(row) else ""


_OPENS_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[\w.-]+:\s+)?(["'])(.*)$""")


def _unclosed_quote(text: str, before: int) -> tuple[int, int] | None:
    """The first line before `before` whose value opens a quote it does not close.

    A missing closing quote swallows the lines after it, and libyaml then complains about
    a later line; the line with the open quote is the one to fix.
    """
    for number, row in enumerate(text.splitlines()[: before - 1], start=1):
        found = _OPENS_QUOTE.match(row)
        if found is None:
            continue
        quote, rest = found.groups()
        if quote == '"':
            rest = rest.replace("\\\\", "").replace('\\"', "")
        else:
            rest = rest.replace("''", "")
        if quote not in rest:
            return number, found.start(1) + 1
    return None


def _hint(problem: str, context: str, char: str, opened: tuple[int, int] | None) -> str:
    where = f" at line {opened[0]}" if opened else ""
    if char == "\t" or "tab" in problem:
        return _TAB
    if "cannot start any token" in problem:
        if char in ("@", "`"):
            return f"a value starting with {char} must be quoted, e.g. \"@alice\""
        if char == "%":
            return "a value starting with % must be quoted"
        return f"a value cannot start with {char!r}; put the value in quotes"
    if "mapping values are not allowed" in problem:
        return ("a value that contains ': ' must be quoted, e.g. title: \"Checkout: errors\"; "
                "or the line is indented too far")
    if "quoted scalar" in context:
        return f"the quoted value opened{where} is never closed; add the closing quote"
    if "flow sequence" in context:
        return (f"the list opened with '['{where} needs a ',' between items and a closing ']'; "
                "quote items that contain ',', '[' or ']'")
    if "flow mapping" in context:
        return (f"the mapping opened with '{{'{where} needs a ',' between entries and a "
                "closing '}'")
    if "block mapping" in context:
        return (f"this line is not aligned with the keys of the mapping that starts{where}; "
                "indent it like its sibling keys")
    if "block collection" in context or "block sequence" in context:
        return f"this line breaks the list that starts{where}; check its indentation"
    if "simple key" in context or "could not find expected ':'" in problem:
        return "each line of a mapping needs 'key: value'; add the ':' or fix the indentation"
    if "undefined alias" in problem:
        return "an alias *name needs an anchor &name defined earlier in the file"
    if "expected node content" in problem:
        return "a value is missing here"
    if "nesting depth" in problem:
        return "the value is nested too deeply; incident files need only a few levels"
    if "block scalar" in context:
        return "the lines of a | or > block must be indented more than its key"
    return "check the YAML syntax around this place"


def syntax_problem(exc: yaml.YAMLError, text: str, display: str) -> Problem:
    """One problem for a libyaml error, placed where the user must look."""
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the position in bytes of the UTF-8 text; editors count characters.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return Problem(display, line, col, Level.ERROR, "yaml-syntax",
                       f"character U+{exc.character:04X} is not allowed in YAML "
                       f"({exc.reason}); delete it, it often comes from a copy-paste")
    if not isinstance(exc, yaml.MarkedYAMLError):
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return Problem(display, 1, 1, Level.ERROR, "yaml-syntax", first)
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    ctx = exc.context_mark
    opened = (ctx.line + 1, ctx.column + 1) if ctx is not None else None
    problem = exc.problem or "invalid YAML"
    if "expected a single document" in str(exc):
        return Problem(display, line, col, Level.ERROR, "multiple-documents",
                       "file holds more than one YAML document (a second '---' here); keep "
                       "one incident per file: remove this '---' or move what follows into "
                       "its own file")
    context = exc.context or ""
    hint = _hint(problem, context, _char_at(text, line, col), opened)
    quote = _unclosed_quote(text, line) if "quoted scalar" not in context else None
    if quote is not None:
        # Reported where the quote opens: that is the line to fix.
        hint = (f"this quoted value does not close on its line, so the lines after it are "
                f"read as part of it until line {line}; add the closing quote "
                f"(otherwise, at line {line}: {hint})")
        line, col = quote
        opened = None
    if opened is not None and mark is not None and mark.index >= len(text.rstrip()):
        # The parser only notices an unclosed quote or bracket at the end of the file; the
        # place it was opened is where the user must look.
        line, col = opened
    return Problem(display, line, col, Level.ERROR, "yaml-syntax",
                   f"YAML syntax: {problem}; {hint}")
