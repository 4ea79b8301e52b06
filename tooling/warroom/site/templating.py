"""The Jinja2 environment and the static assets of the theme, with per-repository overrides.

The default theme ships inside the wheel (`resources.data_dir("site")`). A repository
overrides any template or asset by putting a file at the same relative path under its own
`site/` folder: its folder is searched first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)

from warroom import __version__
from warroom.resources import data_dir
from warroom.site import markdown
from warroom.site.folding import TranslatedEnvironment
from warroom.site.i18n import STRINGS

THEME_DIR = "site"


def theme_dirs(root: Path | None) -> tuple[Path, ...]:
    """The theme folders, the repository's own first; the default theme always last."""
    default = data_dir(THEME_DIR).resolve()
    if root is None:
        return (default,)
    own = (root / THEME_DIR).resolve()
    return (own, default) if own != default and own.is_dir() else (default,)


def theme_files(folder: Path) -> Iterator[tuple[str, Path]]:
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(folder).as_posix(), path


# Where compiled templates are kept between processes (None: nowhere); see keep_compiled.
_COMPILED: list[Path | None] = [None]


def keep_compiled(folder: Path | None) -> None:
    """Keep compiled templates in `folder`, so that a rebuild rendering a few pages does
    not compile every template again (~0.1 s). Jinja loads them as code: only ever a
    folder inside `.git/` (the caller's check), where nothing can be planted by a commit
    or an unpacked archive. The folder's name must change with the code and the theme."""
    _COMPILED[0] = folder


def environment(dirs: tuple[Path, ...], language: str | None = None) -> Environment:
    """The theme's environment; with a `language`, `t('key')` calls are translated when a
    template is compiled (folding.py): only for contexts whose `t` speaks that language.
    Templates are compiled once per process and theme: an edited theme (while `warroom
    serve` runs) gets a new environment, since Jinja's own reload check is off."""
    return _environment(dirs, language, theme_digest(dirs), _COMPILED[0])


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...], language: str | None, digest: str,
                 compiled: Path | None) -> Environment:
    options: dict[str, Any] = {
        "loader": ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs]),
        "autoescape": True,  # every template is HTML or XML
        "undefined": StrictUndefined,  # a typo in a template fails the build, not the page
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "auto_reload": False,
    }
    if compiled is not None:
        # One folder per language: the translations are folded into the compiled code.
        folder = compiled / f"{language or '-'}-{jinja2.__version__}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            options["bytecode_cache"] = FileSystemBytecodeCache(str(folder))
        except OSError:
            pass  # compiled each time, as without a cache
    env = (Environment(**options) if language is None
           else TranslatedEnvironment(language, STRINGS[language], **options))
    env.filters["markdown"] = markdown.render
    env.filters["plain"] = markdown.plain
    return env


def static_files(dirs: tuple[Path, ...]) -> dict[str, bytes]:
    """`static/<path>` -> bytes, each path taken from the first theme folder that has it."""
    out: dict[str, bytes] = {}
    for folder in reversed(dirs):  # the repository's files replace the default ones
        for rel, path in theme_files(folder / "static"):
            out[f"static/{rel}"] = path.read_bytes()
    return dict(sorted(out.items()))


@cache
def _digest_of(dirs: tuple[Path, ...], stamp: tuple[tuple[str, int, int], ...]) -> str:
    sha = hashlib.sha256(__version__.encode())
    for folder in dirs:
        for rel, path in theme_files(folder):
            sha.update(f"\0{folder}\0{rel}\0".encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def theme_digest(dirs: tuple[Path, ...]) -> str:
    """A hash of every template and asset in effect: part of each cached page's key."""
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                  for folder in dirs for _, p in theme_files(folder))
    return _digest_of(dirs, stamp)
