"""The importers' YAML emitter: whatever text goes in is read back unchanged by the loader."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.importers.emit import clean_text, render
from warroom.yamlload import parse_text

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
_LINES = st.lists(st.sampled_from(["", " ", "  x", "- item", "# h", "a: b", "'q'", "\"d\"",
                                   "yes", "null", "2026-01-01T00:00:00Z", "1.5", "* x", "|",
                                   "~", "é ☃", "tail  ", "\\", "key: [a, b]", "&a", "*a"]),
                  min_size=1, max_size=6).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _LINES), st.one_of(_TEXT, _LINES))
def test_round_trip(message: str, title: str) -> None:
    data = {"id": "2026-01-01-x", "title": title,
            "components": [{"id": "api", "impact": "major_outage"}],
            "updates": [{"status": "resolved", "message": message}], "source": {"id": title}}
    doc, problems = parse_text(render(data), "x.yaml")
    assert problems == [] and doc is not None
    cleaned = clean_text(message)
    assert doc.data["updates"][0]["message"] == cleaned
    assert doc.data["title"] == clean_text(title) == doc.data["source"]["id"]


def test_house_style() -> None:
    text = render({"id": "2026-01-01-x", "at": "2026-01-01T10:00:00+01:00", "n": "no",
                   "components": [{"id": "api", "impact": "major_outage"}], "e": [],
                   "updates": [{"status": "resolved", "message": "two\nlines  \nend"}]})
    assert text == """\
id: 2026-01-01-x
at: 2026-01-01T10:00:00+01:00
n: 'no'
components:
  - {id: api, impact: major_outage}
e: []
updates:
  - status: resolved
    message: |-
      two
      lines\\
      end
"""
