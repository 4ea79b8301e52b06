"""Frame plans kept between processes (site/frames.py, _Store): beside the compiled templates,
used only while every source a plan was made from reads the same, and never trusted blindly
(an unreadable or foreign store is ignored)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from warroom.site import templating
from warroom.site.frames import STORE, Frames


def _env(dirs: tuple[Path, ...], compiled: Path | None, tag: str) -> Environment:
    """A new environment (as in a new process) keeping compiled templates in `compiled`."""
    return templating._environment(dirs, None, tag, compiled)


def _no_parsing(env: Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed: the stored plan was not used")
    monkeypatch.setattr(env, "parse", refuse)


def _store(compiled: Path) -> dict[str, Any]:
    found = list(compiled.rglob(STORE))
    assert len(found) == 1
    plans: dict[str, Any] = json.loads(found[0].read_text(encoding="utf-8"))["plans"]
    return plans


def _theme(tmp_path: Path) -> tuple[Path, ...]:
    """The default theme with the repository's own copy of incident.html in front."""
    default = templating.theme_dirs(None)
    own = tmp_path / "own"
    (own / "templates").mkdir(parents=True)
    shutil.copy(default[0] / "templates" / "incident.html", own / "templates")
    return (own, *default)


def test_a_new_process_plans_from_the_store_without_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dirs, compiled = templating.theme_dirs(None), tmp_path / "compiled"
    first = Frames(_env(dirs, compiled, "first"))
    made = first._plan("incident.html")
    assert made is not None
    assert "incident.html" in _store(compiled)

    env = _env(dirs, compiled, "second")
    _no_parsing(env, monkeypatch)
    again = Frames(env)._plan("incident.html")
    assert again is not None
    assert [t.name for t in again.chain] == [t.name for t in made.chain]
    assert again.blocks == made.blocks
    assert [name for name, _ in again.imported] == [name for name, _ in made.imported]


def test_without_a_compiled_folder_nothing_is_kept(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dirs = templating.theme_dirs(None)
    assert Frames(_env(dirs, None, f"none-{tmp_path}"))._plan("incident.html") is not None
    env = _env(dirs, None, f"none-again-{tmp_path}")
    _no_parsing(env, monkeypatch)
    assert Frames(env)._plan("incident.html") is None  # it had to parse: refused here
    assert not list(tmp_path.rglob(STORE))


def test_an_edited_template_is_planned_again(tmp_path: Path) -> None:
    dirs, compiled = _theme(tmp_path), tmp_path / "compiled"
    assert Frames(_env(dirs, compiled, "first"))._plan("incident.html") is not None
    own = dirs[0] / "templates" / "incident.html"
    # Top-level code in a child template: its frame may not be shared.
    own.write_text("{% set who = 1 %}\n" + own.read_text(encoding="utf-8"), encoding="utf-8")
    assert Frames(_env(dirs, compiled, "edited"))._plan("incident.html") is None
    assert _store(compiled)["incident.html"][1] is None

    shutil.copy(dirs[1] / "templates" / "incident.html", own)  # back as it was
    assert Frames(_env(dirs, compiled, "restored"))._plan("incident.html") is not None


def test_an_edited_macro_module_is_planned_again(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The modules the frame imports are part of the plan's sources too."""
    dirs, compiled = _theme(tmp_path), tmp_path / "compiled"
    made = Frames(_env(dirs, compiled, "first"))._plan("incident.html")
    assert made is not None
    read = _store(compiled)["incident.html"][0]
    imported = sorted(set(read) - {"incident.html", "base.html"})
    assert imported  # base.html imports its macros
    macros = dirs[1] / "templates" / imported[0]
    shutil.copy(macros, dirs[0] / "templates" / imported[0])
    with (dirs[0] / "templates" / imported[0]).open("a", encoding="utf-8") as out:
        out.write("\n{# edited #}\n")
    env = _env(dirs, compiled, "edited")
    _no_parsing(env, monkeypatch)
    assert Frames(env)._plan("incident.html") is None  # not taken from the store


@pytest.mark.parametrize("text", ["not json", "[]", '{"key": "another jinja", "plans": {}}',
                                  '{"key": null, "plans": {"incident.html": [1, 2, 3]}}'])
def test_a_foreign_or_broken_store_is_ignored_and_replaced(tmp_path: Path, text: str) -> None:
    dirs, compiled = templating.theme_dirs(None), tmp_path / "compiled"
    first = Frames(_env(dirs, compiled, "first"))
    assert first._plan("incident.html") is not None
    store = next(compiled.rglob(STORE))
    key = json.loads(store.read_text(encoding="utf-8"))["key"]
    store.write_text(text.replace("null", json.dumps(key)), encoding="utf-8")
    assert Frames(_env(dirs, compiled, "again"))._plan("incident.html") is not None
    assert _store(compiled)["incident.html"][1] is not None
