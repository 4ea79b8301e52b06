"""Lenient reading of the times people write in cState front matter, saying what was guessed.

Real files hold `2022-06-13T08:30:00-00:00` (RFC 3339's "offset unknown"), naive
`2020-06-13 15:54:00`, one-digit hours `2025-09-17T9:30:00-00:00`, and dates alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from warroom.importers.common import Guess, format_time

_TIME = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*"
)


def _offset(text: str) -> timedelta:
    if text.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def read_time(raw: Any, name: str, source: str, assume: timedelta,
              guesses: list[Guess]) -> datetime | None:
    """An aware datetime from a front-matter value, or None (reported) when unreadable."""
    if raw is None or raw == "":
        return None
    text = str(raw)
    match = _TIME.fullmatch(text)
    if match is None or isinstance(raw, bool):
        guesses.append(Guess(source, "bad-time", f"{name}: {text!r} is not a time"))
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    offset = assume if zone is None else _offset(zone)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), micro, tzinfo=timezone(offset))
    except ValueError as exc:
        guesses.append(Guess(source, "bad-time", f"{name}: {text!r} is not a time ({exc})"))
        return None
    if offset == timedelta(0):
        moment = moment.astimezone(UTC)
    shown = format_time(moment)
    if hour is None:
        guesses.append(Guess(source, "date-only",
                             f"{name}: {text!r} is a date alone; read as {shown}"))
    elif zone is None:
        guesses.append(Guess(source, "naive-time",
                             f"{name}: {text!r} has no offset; read as {shown}"))
    elif zone.startswith("-") and offset == timedelta(0):
        guesses.append(Guess(source, "unknown-offset",
                             f"{name}: {text!r} has the unknown offset -00:00; read as UTC"))
    if any(part is not None and len(part) == 1 for part in (month, day, hour, minute)):
        guesses.append(Guess(source, "one-digit-hour",
                             f"{name}: {text!r} has a one-digit hour, month or day; "
                             f"read as {shown}"))
    return moment


def file_date(stem: str) -> tuple[str, str] | None:
    """(YYYY-MM-DD, rest of the name) when a file name starts with a valid date."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[-_ .]+|$)(.*)", stem)
    if match is None:
        return None
    try:
        day = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)),
                       tzinfo=UTC)
    except ValueError:
        return None
    return day.date().isoformat(), match.group(4)
