"""How long something lasted, as the site writes it (i18n.Translator.duration): whole minutes,
the largest unit and the next one down unless it is zero, never a unit further down."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from warroom.site.i18n import Translator

NBSP = "\u00a0"


@pytest.mark.parametrize(("minutes", "english", "french"), [
    (-5, "0 min", "0 min"),
    (0.5, "0 min", "0 min"),
    (1, "1 min", "1 min"),
    (59, "59 min", "59 min"),
    (60, "1 h", "1 h"),
    (61, "1 h 1 min", "1 h 1 min"),
    (60 * 24 - 1, "23 h 59 min", "23 h 59 min"),
    (60 * 24, "1 d", "1 j"),
    (60 * 24 + 1, "1 d", "1 j"),  # not "1 d 1 min": the hours would be hidden behind it
    (60 * 24 * 4 + 59, "4 d", "4 j"),
    (60 * 24 * 2 + 3 * 60 + 5, "2 d 3 h", "2 j 3 h"),
    (60 * 24 * 400, "400 d", "400 j"),
])
def test_a_duration_shows_two_units_at_most_and_no_gap(minutes: float, english: str,
                                                        french: str) -> None:
    span = timedelta(minutes=minutes)
    assert Translator("en", UTC).duration(span) == _nbsp(english)
    assert Translator("fr", UTC).duration(span) == _nbsp(french)


def _nbsp(text: str) -> str:
    """A number and its unit are held together; two parts are apart ("2 d 3 h")."""
    words = text.split(" ")
    return " ".join(f"{words[i]}{NBSP}{words[i + 1]}" for i in range(0, len(words), 2))
