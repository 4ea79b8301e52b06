"""Durations as written in warroom.yaml (15m, 4h, 5d, 2w, 1mo, 1h30m) and time parsing."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_PART = re.compile(r"([0-9]+)(mo|w|d|h|m|s)")
_WHOLE = re.compile(r"^(?:[0-9]+(?:mo|w|d|h|m|s))+$")
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True, order=True)
class Duration:
    """Calendar months (for "one month" regulatory deadlines) plus an exact span."""

    months: int
    span: timedelta

    @classmethod
    def parse(cls, text: str) -> Duration:
        if not _WHOLE.match(text):
            raise ValueError(f"invalid duration {text!r}: use forms like 15m, 4h, 5d, 1mo")
        months, seconds = 0, 0
        for number, unit in _PART.findall(text):
            if unit == "mo":
                months += int(number)
            else:
                seconds += int(number) * _SECONDS[unit]
        return cls(months, timedelta(seconds=seconds))

    def after(self, start: datetime) -> datetime:
        return add_months(start, self.months) + self.span

    def approx(self) -> timedelta:
        """Length for proportions (percent used); a month counts as 30 days."""
        return self.span + timedelta(days=30 * self.months)

    def __str__(self) -> str:
        return format_span(self.span, self.months)


def add_months(moment: datetime, months: int) -> datetime:
    if months == 0:
        return moment
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def format_span(span: timedelta, months: int = 0) -> str:
    """Short human form: 1h30m, 3d4h, 45s; negative spans get a leading minus."""
    total = int(span.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = [f"{months}mo"] if months else []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return sign + ("".join(parts[:2]) or "0m")


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 date-time that carries an offset; raise ValueError otherwise."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time {text!r} has no offset")
    return value


def parse_date(text: str) -> date:
    return date.fromisoformat(text)
