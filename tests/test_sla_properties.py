"""Hypothesis on the clock arithmetic."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_support import T0, at, config, incident, recorded
from warroom.calendars import Interval, counted, reach
from warroom.clock import ClockState
from warroom.config import Calendar
from warroom.sla import evaluate

CALENDARS = {
    "office": {"timezone": "Europe/Paris", "holidays": ["2026-03-04", "2026-04-06"],
               "hours": {d: ["09:00-12:30", "13:30-17:00"]
                         for d in ("mon", "tue", "wed", "thu", "fri")}},
    "nights": {"timezone": "America/New_York", "hours": {"sat": ["22:00-24:00"],
                                                         "sun": ["00:00-06:00"]}},
}
CFG = config(calendars=CALENDARS)
calendars: st.SearchStrategy[Calendar | None] = st.sampled_from(
    [None, CFG.calendars["office"], CFG.calendars["nights"]])
# Minutes over ~7 weeks around both 2026 DST changes in Europe and the US.
minutes = st.integers(min_value=-2000, max_value=70_000)


@st.composite
def pause_lists(draw: st.DrawFn) -> list[Interval]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        a = draw(minutes)
        out.append((at(a), at(a + draw(st.integers(1, 5000)))))
    return out


@settings(max_examples=150, deadline=None)
@given(minutes, minutes, calendars, pause_lists())
def test_counted_time_is_never_negative_and_never_more_than_real_time(
        a: int, b: int, calendar: Calendar | None, pauses: list[Interval]) -> None:
    got = counted(at(a), at(b), calendar, pauses)
    assert timedelta(0) <= got <= max(at(b) - at(a), timedelta(0))


@settings(max_examples=150, deadline=None)
@given(minutes, st.integers(0, 3000), calendars, pause_lists())
def test_reach_and_counted_agree(start: int, amount: int, calendar: Calendar | None,
                                 pauses: list[Interval]) -> None:
    due = reach(at(start), timedelta(minutes=amount), calendar, pauses)
    assert counted(at(start), due, calendar, pauses) == timedelta(minutes=amount)


@settings(max_examples=150, deadline=None)
@given(minutes, st.integers(0, 3000), calendars, pause_lists(), pause_lists())
def test_adding_a_pause_never_brings_a_due_time_earlier(
        start: int, amount: int, calendar: Calendar | None, pauses: list[Interval],
        more: list[Interval]) -> None:
    span = timedelta(minutes=amount)
    assert reach(at(start), span, calendar, pauses + more) >= reach(at(start), span, calendar,
                                                                    pauses)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 600)), max_size=3),
       st.integers(0, 4000), st.integers(0, 3000))
def test_adding_a_pause_never_makes_a_clock_breach(
        updates: list[int], pauses: list[tuple[int, int]], now: int, extra: int) -> None:
    def clocks(stated: list[tuple[int, int]]) -> dict[str, ClockState]:
        inc = incident(
            severity="SEV1",
            updates=[{"status": "investigating", "message": "x"}] * (len(updates) + 1),
            pauses=[{"start": at(a).isoformat(), "end": at(a + n).isoformat(),
                     "reason": "other"} for a, n in stated])
        rec = recorded(updates=[0, *sorted(updates)])
        return {c.target: c.state for c in evaluate(inc, rec, CFG, at(now))}

    before, after = clocks(pauses), clocks([*pauses, (extra, 90)])
    for target, state in after.items():
        if state is ClockState.BREACHED:
            assert before[target] is ClockState.BREACHED, target


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=5), st.randoms(),
       st.integers(0, 4000))
def test_the_order_of_recorded_commits_and_pauses_does_not_matter(
        times: list[int], rng: object, now: int) -> None:
    shuffled = list(times)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    updates = [{"status": "investigating", "message": "x"}] * (len(times) + 1)
    pauses = [{"start": at(t).isoformat(), "end": at(t + 30).isoformat(), "reason": "other"}
              for t in times]

    def run(order: list[int]) -> object:
        inc = incident(severity="SEV1", updates=updates,
                       pauses=[pauses[times.index(t)] for t in order])
        return evaluate(inc, recorded(updates=[0, *order]), CFG, at(now))

    assert run(times) == run(shuffled)


def test_elapsed_is_never_negative_for_events_recorded_before_the_declaration() -> None:
    inc = incident(status="resolved", roles={"commander": "@a"}, updates=[
        {"status": "investigating", "message": "x"}, {"status": "resolved", "message": "y"}])
    rec = recorded(declared=60, acknowledged=10, identified=20, monitoring=30, resolved=40,
                   updates=[60, 40])
    for clock in evaluate(inc, rec, CFG, T0):
        assert clock.elapsed >= timedelta(0), clock
