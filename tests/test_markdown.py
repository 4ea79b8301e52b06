"""Safe Markdown: the XSS fixture renders to nothing but harmless, allow-listed HTML."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.site.markdown import _plain_paragraph, parser, plain, render, safe_link, safe_url

XSS = Path(__file__).parent / "fixtures" / "xss.md"
TAGS = {"p", "a", "img", "code", "pre", "h3", "h4", "h5", "h6", "em", "strong", "ul", "ol",
        "li", "blockquote", "br", "hr", "table", "thead", "tbody", "tr", "th", "td", "s",
        "html", "head", "body"}
ATTRIBUTES = {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"},
              "code": {"class"}, "th": {"style"}, "td": {"style"}}


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [(el.tag, dict(el.attrib)) for el in tree.iter()]


def test_xss_fixture_renders_only_allow_listed_markup() -> None:
    html = str(render(XSS.read_text(encoding="utf-8")))
    for tag, attributes in _elements(html):
        assert tag in TAGS, f"unexpected element <{tag}>"
        assert set(attributes) <= ATTRIBUTES.get(tag, set()), (tag, attributes)
        for name in ("href", "src"):
            if name in attributes:
                assert safe_link(attributes[name]), attributes[name]
                assert attributes[name].startswith(("https://", "/", "mailto:")), attributes
    assert "<script" not in html and "<svg" not in html and "<iframe" not in html


def test_xss_fixture_keeps_the_text_visible() -> None:
    html = str(render(XSS.read_text(encoding="utf-8")))
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "[plain javascript](javascript:window.__pwned=1)" in html  # shown, not a link
    assert '<a href="https://example.com/status?a=1&amp;b=2" rel="nofollow noopener">' in html


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", " javascript:x",
    "vbscript:msgbox(1)", "data:text/html,<script>", "data:image/png;base64,AAAA",
    "file:///etc/passwd", "\x01javascript:x", "jav&#x09;ascript:x", "ftp://x", "chrome://x",
])
def test_unsafe_links_are_refused(url: str) -> None:
    assert not safe_link(url)
    assert safe_url(url) is None


@pytest.mark.parametrize("url", [
    "https://example.com/a?b=c#d", "http://x.example", "mailto:ops@example.com",
    "tel:+33123456789", "/incidents/x/", "../history/", "#updates", "page.html", "?q=1",
])
def test_safe_links_are_kept(url: str) -> None:
    assert safe_link(url)


def test_headings_are_demoted_below_the_page_outline() -> None:
    html = str(render("# one\n\n## two\n\n###### six"))
    assert "<h4>one</h4>" in html and "<h5>two</h5>" in html and "<h6>six</h6>" in html
    assert "<h3>one</h3>" in str(render("# one", heading_floor=3))
    # The top level used becomes the floor: "##" sections under a page's h2 become h3.
    assert str(render("## a\n\n### b", heading_floor=3)) == "<h3>a</h3>\n<h4>b</h4>\n"


def test_links_are_nofollow_noopener() -> None:
    html = str(render("[a](https://example.com) <https://example.org>"))
    assert html.count('rel="nofollow noopener"') == 2


def test_raw_html_is_escaped_not_dropped() -> None:
    assert str(render("<b>bold</b>")) == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_empty_text_renders_nothing() -> None:
    assert str(render("  \n")) == ""


def test_plain_strips_markup() -> None:
    assert plain("**Bold** and [a link](https://x.example) and `code`") == (
        "Bold and a link and code")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 -+.\n\"'é:#*_<&\u2003\t")), max_size=30))
def test_the_plain_text_shortcut_matches_markdown_it(text: str) -> None:
    fast = _plain_paragraph(text)
    if fast is not None:
        assert fast == parser().render(text, {"heading_floor": 4})


def test_the_plain_text_shortcut_is_taken_for_plain_updates() -> None:
    assert _plain_paragraph('We are "on it".\nMore soon.\n') == (
        "<p>We are &quot;on it&quot;.\nMore soon.</p>\n")
    assert _plain_paragraph("1. a list") is None
