"""Where the schemas, the default theme and the defaults live, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # tooling/warroom -> repository root


def data_dir(name: str) -> Path:
    """`schema` or `site`: inside the wheel (warroom/_data) or at the checkout's root."""
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _CHECKOUT / name


def defaults_dir() -> Path:
    return _PACKAGE / "defaults"


@cache
def schema_text(name: str) -> str:
    return (data_dir("schema") / f"{name}.schema.json").read_text(encoding="utf-8")
