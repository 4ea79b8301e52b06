"""What a `warroom build` process loads before it builds (benchmarks/bench_startup.py times it).

A public build never makes the internal metrics page, so the report, the metrics and the SVG
plots stay unloaded; nor does it need xml.sax.saxutils, whose imports (urllib.request,
http.client, ssl, email.parser) cost more than the rest of the feeds module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

import pytest

from warroom.xmltext import escape, quoteattr

TOOLING = Path(__file__).resolve().parent.parent / "tooling"
BUILD_PATH = ("warroom.cli", "warroom.cli.build", "warroom.site.build", "warroom.site.patch",
              "warroom.site.pages", "warroom.site.feeds", "warroom.site.api",
              "warroom.site.ics", "warroom.site.availability", "warroom.site.badges")
# Not loaded by importing the build path (markdown-it-py: loaded by the first text with markup).
NEVER = ("warroom.report", "warroom.report.model", "warroom.metrics",
         "warroom.metrics_aggregate", "warroom.svgplot", "warroom.recurrence",
         "xml.sax.saxutils", "urllib.request", "http.client", "markdown_it")


def loaded_after(modules: tuple[str, ...]) -> set[str]:
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print('\\n'.join(sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(TOOLING)})
    return set(done.stdout.split())


def test_the_build_path_leaves_the_report_and_saxutils_unloaded() -> None:
    loaded = loaded_after(BUILD_PATH)
    assert "warroom.site.build" in loaded  # the probe really ran
    assert sorted(loaded.intersection(NEVER)) == []


def test_the_probe_sees_what_is_loaded() -> None:
    """The check above can fail: the internal pieces, once imported, are seen."""
    loaded = loaded_after(("warroom.site.availability", "warroom.report.html"))
    assert {"warroom.report", "warroom.metrics", "warroom.svgplot"} <= loaded


def test_markdown_it_is_loaded_by_the_first_text_with_markup() -> None:
    code = ("import sys\n"
            "from warroom.site import markdown\n"
            "assert str(markdown.render('We are investigating.')) == "
            "'<p>We are investigating.</p>\\n'\n"
            "assert 'markdown_it' not in sys.modules  # plain words: the fast path\n"
            "assert '<strong>' in markdown.render('**down**')\n"
            "assert 'markdown_it' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**os.environ, "PYTHONPATH": str(TOOLING)})


@pytest.mark.parametrize("text", [
    "", "plain", "a & b < c > d", "&amp; already", 'say "hi"', "it's", "both \" and '",
    "tab\there", "new\nline\r\n", "<script>alert('x')</script>", "é ü 😀", "\x00\x1f",
])
def test_xmltext_matches_saxutils(text: str) -> None:
    assert escape(text) == sax_escape(text)
    assert quoteattr(text) == sax_quoteattr(text)


def _warroom(args: list[str], *, explicit: bool = False) -> subprocess.CompletedProcess[str]:
    """warroom as a program, with an atexit handler that says whether Python tore down."""
    call = f"main({args!r})" if explicit else f"sys.argv = ['warroom', *{args!r}]; main()"
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
            f"from warroom.cli import main\n{call}\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(TOOLING)})


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from site_support import make_golden_repo

    return make_golden_repo(tmp_path_factory.mktemp("startup") / "repo")


def test_a_build_ends_without_teardown_and_loses_no_output(golden: Path,
                                                           tmp_path: Path) -> None:
    done = _warroom(["build", "--root", str(golden), "--out", str(tmp_path / "site")])
    assert done.returncode == 0, done.stderr
    assert "built " in done.stderr and "torn down" not in done.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_other_commands_and_in_process_calls_end_as_usual(golden: Path,
                                                          tmp_path: Path) -> None:
    assert "torn down" in _warroom(["validate", "--root", str(golden)]).stderr
    explicit = _warroom(["build", "--root", str(golden), "--out", str(tmp_path / "site")],
                        explicit=True)
    assert explicit.returncode == 0 and "torn down" in explicit.stderr
    failed = _warroom(["build", "--root", str(tmp_path / "nowhere")])
    assert failed.returncode != 0 and "torn down" in failed.stderr
