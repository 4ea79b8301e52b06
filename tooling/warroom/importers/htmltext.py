"""Text from other tools, made into Markdown that carries no raw HTML.

Statuspage bodies are plain text with a little HTML (lists, bold, links); cState bodies are
Markdown that may hold raw HTML. Whatever renders warroom's Markdown later, an imported body
must not smuggle markup through, so HTML is either translated into the Markdown that means
the same (`<strong>` -> `**`, `<a href>` -> `[text](url)`, lists, paragraphs) or escaped
so that it shows as the text it was written as.

Built on the standard library's html.parser: the bodies are small and use a handful of tags,
and a converter whose every output is Markdown we chose is easier to trust than a library
that passes unknown tags through by default.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
# Characters that can start Markdown syntax anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Line starts that Markdown reads as a heading, quote, list item, rule or fence.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)", re.MULTILINE)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_BLOCK_TAGS = {"p", "div", "section", "article", "table", "tr", "h1", "h2", "h3", "h4", "h5",
               "h6", "blockquote", "pre", "hr"}
_DROP_CONTENT = {"script", "style", "template", "head", "title"}
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "strike": "~~",
             "del": "~~"}


def escape_text(text: str) -> str:
    """Plain text as Markdown that renders to the same characters (URLs become autolinks)."""
    return _escape_line_starts(_escape_inline(text))


def _escape_inline(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        end = match.start() + len(url)
        out.append(_escape_plain(text[last:match.start()]))
        out.append(f"<{url}>")
        last = end
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _escape_line_starts(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        marker = match.group(2)
        escaped = marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker
        return match.group(1) + escaped

    return _LINE_START.sub(escape, text)


def _link_destination(url: str) -> str | None:
    url = url.strip()
    if not url.lower().startswith(_SAFE_SCHEMES):
        return None
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">" if re.search(
        r"[\s()]", url) else url


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # finished blocks, and whether a list item
        self.line: list[str] = []  # inline pieces of the paragraph being built
        self.lists: list[list[int]] = []  # one counter per open list (-1: unordered)
        self.prefix = ""  # the list marker waiting for the next text
        self.links: list[str | None] = []
        self.drop = 0
        self.pre = 0
        self.heading = 0
        self.quote = 0

    # -- building ----------------------------------------------------------------------------
    def flush(self) -> None:
        text = _escape_line_starts("".join(self.line).strip())
        self.line = []
        item = bool(self.prefix)
        if not text:
            return
        if self.heading:
            text = "#" * self.heading + " " + " ".join(text.split())
        indent = "   " * max(len(self.lists) - 1, 0)
        text = "\n".join((indent + row) if i else row for i, row in enumerate(text.split("\n")))
        if self.prefix:
            text = indent + self.prefix + text
            self.prefix = ""
        if self.quote:
            text = "\n".join("> " + row if row else ">" for row in text.split("\n"))
        self.blocks.append((text, item))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self.drop += 1
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([-1 if tag == "ul" else 0])
        elif tag == "li":
            self.flush()
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self.prefix = f"{self.lists[-1][0]}. "
            else:
                self.prefix = "- "
        elif tag == "br":
            self.line.append("\\\n")
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "code" and not self.pre:
            self.line.append("`")
        elif tag == "a":
            self.links.append(_link_destination(dict(attrs).get("href") or ""))
            if self.links[-1] is not None:
                self.line.append("[")
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag == "pre":
                self.pre += 1
            elif tag == "blockquote":
                self.quote += 1
            elif tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
            elif tag == "hr":
                self.blocks.append(("* * *", False))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self.drop = max(self.drop - 1, 0)
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "code" and not self.pre:
            self.line.append("`")
        elif tag == "a" and self.links:
            target = self.links.pop()
            if target is not None:
                self.line.append(f"]({target})")
        elif tag in _BLOCK_TAGS:
            if tag == "pre" and self.pre:
                code = "".join(self.line).strip("\n")
                self.line = []
                fence = "~~~~" if "```" in code else "```"
                self.blocks.append((f"{fence}\n{code}\n{fence}", False))
                self.pre -= 1
                return
            self.flush()
            if tag == "blockquote":
                self.quote = max(self.quote - 1, 0)
            elif tag[0] == "h" and tag[1:].isdigit():
                self.heading = 0

    def handle_data(self, data: str) -> None:
        if self.drop:
            return
        if self.pre:
            self.line.append(data)
            return
        in_link = bool(self.links) and self.links[-1] is not None
        # Statuspage shows a blank line as a paragraph break; other runs of blanks are spaces.
        parts = re.split(r"\n[ \t]*\n\s*", data)
        for i, part in enumerate(parts):
            if i:
                self.flush()
            part = re.sub(r"[ \t\r\f\v]+", " ", part)
            part = re.sub(r" ?\n ?", "\n", part)
            self.line.append(_escape_plain(part) if in_link else _escape_inline(part))


def html_to_markdown(html: str) -> str:
    """Statuspage-style text-with-HTML as Markdown without raw HTML."""
    parser = _ToMarkdown()
    parser.feed(html.replace("\r\n", "\n"))
    parser.close()
    while parser.lists:
        parser.lists.pop()
    parser.flush()
    out = ""
    previous_item = False
    for text, item in parser.blocks:
        # Consecutive items make one tight list, as the HTML list was.
        out += ("\n" if item and previous_item else "\n\n" if out else "") + text
        previous_item = item
    return out


def has_html(text: str) -> bool:
    return bool(re.search(r"<[A-Za-z/!?]", text)) or bool(re.search(r"&#?[A-Za-z0-9]+;", text))


# --- cState: Markdown kept, raw HTML neutralised -------------------------------------------

_RAW_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|"
                       r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def neutralise_html(markdown: str) -> tuple[str, int]:
    """Escape every `<` that would open raw HTML, outside code; return (text, how many).

    Autolinks (`<https://...>`) are Markdown and stay. An escaped `\\<` renders as a literal
    `<` in any CommonMark renderer, so `<IP>` still reads as the author wrote it.
    """
    lines = markdown.split("\n")
    code_lines: set[int] = set()
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    count = 0
    out: list[str] = []
    chunk: list[str] = []

    def flush_chunk() -> None:
        nonlocal count
        if chunk:
            text, n = _neutralise_inline("\n".join(chunk))
            count += n
            out.append(text)
            chunk.clear()

    for number, line in enumerate(lines):
        if number in code_lines:
            flush_chunk()
            out.append(line)
        else:
            chunk.append(line)
    flush_chunk()
    return "\n".join(out), count


def _neutralise_inline(text: str) -> tuple[str, int]:
    pieces: list[str] = []
    count = 0
    last = 0
    for span in _CODE_SPAN.finditer(text):
        plain, n = _escape_tags(text[last:span.start()])
        pieces += [plain, span.group(0)]
        count += n
        last = span.end()
    plain, n = _escape_tags(text[last:])
    return "".join(pieces) + plain, count + n


def _escape_tags(text: str) -> tuple[str, int]:
    out: list[str] = []
    count = 0
    pos = 0
    for match in _RAW_HTML_START.finditer(text):
        start = match.start()
        if start < pos:
            continue
        auto = _AUTOLINK.match(text, start)
        if auto:
            out.append(text[pos:auto.end()])
            pos = auto.end()
            continue
        if start > 0 and text[start - 1] == "\\":
            continue
        out.append(text[pos:start] + "\\<")
        pos = start + 1
        count += 1
    out.append(text[pos:])
    return "".join(out), count
