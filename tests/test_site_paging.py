"""History and component pages (site/paging.py): `site.history_per_page` months a page,
fewer when months are busy, so that a page lists about PAGE_INCIDENTS incidents at most
(at 10,000 incidents, six months made pages of 1,500 incidents and 400 KB of HTML)."""

from __future__ import annotations

import pytest

from warroom.site import paging
from warroom.site.paging import PAGE_INCIDENTS

PER = 6  # site.history_per_page's default


def _months(sizes: list[int]) -> list[tuple[str, list[str]]]:
    return [(f"{2000 + n // 12:04d}-{n % 12 + 1:02d}", [f"m{n}-{k}" for k in range(size)])
            for n, size in enumerate(sizes)]


@pytest.mark.parametrize("sizes", [
    [10] * 12,  # a quiet site: history_per_page months a page
    [100] * 12,  # busy: two months a page
    [500, 0, 3, 450, 20, 0, 0, 700],  # busier than one page a month: a month a page
    [0] * 5 + [1000] + [0] * 30,  # one busy month among empty ones
])
def test_busy_months_make_fewer_months_a_page(sizes: list[int]) -> None:
    months = _months(sizes)
    pages = paging.pages("history/", months, PER)
    per = PER
    # Every month once, in order, and pages of whole months; paths and pager as ever.
    assert [m for _, chunk, _ in pages for m in chunk] == months
    assert [path for path, _, _ in pages] == [
        "history/", *(f"history/page/{n}/" for n in range(2, len(pages) + 1))]
    assert all(pager.page == n and pager.pages == len(pages)
               for n, (_, _, pager) in enumerate(pages, start=1))
    counts = [len(chunk) for _, chunk, _ in pages]
    assert len(set(counts[:-1])) <= 1 and 1 <= counts[0] <= per
    listed = sum(sizes)
    if listed <= PAGE_INCIDENTS:
        assert counts[0] == min(per, len(months))
    else:
        # As many months a page as the average month allows, one at the least.
        assert counts[0] == max(1, min(per, PAGE_INCIDENTS * len(months) // listed))
        if max(sizes) <= PAGE_INCIDENTS // 2:
            assert max(sum(len(ids) for _, ids in chunk) for _, chunk, _ in pages) \
                <= PAGE_INCIDENTS


def test_months_run_from_now_back_to_the_oldest_empty_ones_included() -> None:
    listed = [("2026-03", "c"), ("2026-03", "b"), ("2025-12", "a")]
    assert paging.months(listed, 2026, 4) == [
        ("2026-04", []), ("2026-03", ["c", "b"]), ("2026-02", []), ("2026-01", []),
        ("2025-12", ["a"])]
    assert paging.months([], 2026, 1) == [("2026-01", [])]


def test_a_month_listed_in_several_runs_gathers_them_in_order() -> None:
    listed = [("2026-03", "c"), ("2025-12", "a"), ("2026-03", "b"), ("2025-12", "z")]
    assert paging.months(listed, 2026, 3) == [
        ("2026-03", ["c", "b"]), ("2026-02", []), ("2026-01", []), ("2025-12", ["a", "z"])]
