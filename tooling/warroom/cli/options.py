"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from warroom.durations import parse_time
from warroom.errors import WarroomError
from warroom.repo import CONFIG_NAME, find_root

F = TypeVar("F", bound=Callable[..., Any])


def root_option(func: F) -> F:
    return click.option(
        "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Repository root (the folder holding warroom.yaml); found from the current "
             "folder when omitted.",
    )(func)


def resolve_root(root: Path | None) -> Path:
    """An explicit --root is taken as given; otherwise search upwards from here."""
    if root is None:
        return find_root(Path.cwd())
    if not (root / CONFIG_NAME).is_file():
        raise WarroomError(f"--root {root}: there is no {CONFIG_NAME} in that folder",
                           hint="point --root at the folder that holds warroom.yaml")
    return root.resolve()


DEFAULT_FORMATS = ("auto", "text", "github", "json")


def format_option(choices: tuple[str, ...] = DEFAULT_FORMATS) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default="auto", show_default=True,
            help="Output format; auto is github under GitHub Actions, text otherwise.",
        )(func)
    return decorate


class TimeParam(click.ParamType):  # type: ignore[type-arg]
    """An RFC 3339 time with offset, for --now and friends."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_time(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a time with an offset, e.g. 2026-11-20T09:00:00Z",
                      param, ctx)
