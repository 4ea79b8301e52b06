from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import icalendar
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from status_fixtures import maintenance, sample, site
from warroom.site import ics

NOW = "2026-11-22T12:00:00Z"


def events(raw: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == ics.PRODID
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_calendar_parses_with_events_uids_and_times(tmp_path: Path) -> None:
    raw = ics.produce(sample(tmp_path))["maintenance.ics"]
    found = events(raw)
    assert list(found) == [  # by window start; the internal maintenance is absent
        "2026-11-10-db-upgrade@status.acme.test", "2026-11-21-network@status.acme.test",
        "2026-11-21-storage@status.acme.test", "2026-11-21-canceled@status.acme.test"]
    storage = found["2026-11-21-storage@status.acme.test"]
    assert storage.decoded("DTSTART") == datetime(2026, 11, 25, 21, tzinfo=UTC)
    assert storage.decoded("DTEND") == datetime(2026, 11, 26, 1, tzinfo=UTC)
    assert str(storage["SUMMARY"]) == "Storage move " * 7 + "Storage move"  # unfolded
    assert str(storage["URL"]) == "https://status.acme.test/incidents/2026-11-21-storage/"
    done = found["2026-11-10-db-upgrade@status.acme.test"]
    # DTSTAMP comes from the data (the recorded completion), never from the build clock.
    assert done.decoded("DTSTAMP") == datetime(2026, 11, 12, 3, 5, tzinfo=UTC)
    assert done.decoded("CREATED") == datetime(2026, 11, 10, 10, tzinfo=UTC)
    assert str(done["SEQUENCE"]) == "1"
    assert str(found["2026-11-21-canceled@status.acme.test"]["STATUS"]) == "CANCELLED"
    assert str(found["2026-11-21-network@status.acme.test"]["STATUS"]) == "CONFIRMED"


def test_crlf_line_endings_and_folding_at_75_octets(tmp_path: Path) -> None:
    raw = ics.produce(sample(tmp_path))["maintenance.ics"]
    assert raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)


def test_text_escaping_and_multibyte_folding(tmp_path: Path) -> None:
    title = "Mise à jour, réseau; «é» " * 6
    data = site(tmp_path, {"2026-11-21-db": maintenance(
        "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z", title=title.strip())}, NOW)
    raw = ics.produce(data)["maintenance.ics"]
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    raw.decode("utf-8")  # folding never split a character
    (event,) = events(raw).values()
    assert str(event["SUMMARY"]) == title.strip()
    assert str(event["DESCRIPTION"]) == "Affected: API\n\nWe will upgrade the database."


def test_fold_and_escape_units() -> None:
    assert ics.escape_text("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ics.fold("X" * 150)
    assert folded == "X" * 75 + "\r\n " + "X" * 74 + "\r\n " + "X" + "\r\n"


def test_same_input_same_bytes_whatever_the_build_time(tmp_path: Path) -> None:
    body = {"2026-11-21-db": maintenance("2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z")}
    first = ics.produce(site(tmp_path / "a", body, NOW))
    later = ics.produce(site(tmp_path / "b", body, "2026-11-22T18:00:00Z"))
    assert first == later


def test_empty_calendar_is_still_valid(tmp_path: Path) -> None:
    assert events(ics.produce(site(tmp_path, {}, NOW))["maintenance.ics"]) == {}


def _fold_by_character(line: str) -> str:
    """The plain rule, one character at a time: a line never exceeds 75 octets, a
    continuation starts with a space, and no UTF-8 character is split."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    return "\r\n".join([*out, current]) + "\r\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab ;,\\é€😀\u00a0"), max_size=400))
def test_fold_on_bytes_equals_folding_character_by_character(line: str) -> None:
    assert ics.fold(line) == _fold_by_character(line)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                                               timezone(timedelta(hours=-11))])))
def test_utc_stamps_equal_strftime(moment: datetime) -> None:
    """utc() and the sitemap's w3c skip strftime (slow, and %Y does not pad years < 1000)."""
    from warroom.site.siterows import w3c as _w3c

    assume(datetime.min.replace(tzinfo=UTC) + timedelta(days=1) < moment
           < datetime.max.replace(tzinfo=UTC) - timedelta(days=1))
    assert ics.utc(moment) == moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert _w3c(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
