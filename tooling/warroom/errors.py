"""The one exception for expected failures; the CLI maps it to exit code 1."""

from __future__ import annotations


class WarroomError(Exception):
    """An expected failure with a message meant for the user (no traceback)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"
