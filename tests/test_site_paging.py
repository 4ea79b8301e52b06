"""History and component pages: `site.history_per_page` months a page, fewer when months
are busy, so that a page lists about PAGE_INCIDENTS incidents at most (at 10,000 incidents,
six months made pages of 1,500 incidents and 400 KB of HTML)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from test_site_selections import Repo
from warroom.site.pages import PAGE_INCIDENTS, Pages


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    repo = Repo(tmp_path_factory.mktemp("paging"), 30, seed=1)
    return Pages(repo.data("public", datetime(2026, 6, 2, 12, tzinfo=UTC)))


def _months(sizes: list[int]) -> list[tuple[str, list[str]]]:
    return [(f"{2000 + n // 12:04d}-{n % 12 + 1:02d}", [f"m{n}-{k}" for k in range(size)])
            for n, size in enumerate(sizes)]


@pytest.mark.parametrize("sizes", [
    [10] * 12,  # a quiet site: history_per_page months a page
    [100] * 12,  # busy: two months a page
    [500, 0, 3, 450, 20, 0, 0, 700],  # busier than one page a month: a month a page
    [0] * 5 + [1000] + [0] * 30,  # one busy month among empty ones
])
def test_busy_months_make_fewer_months_a_page(renderer: Pages, sizes: list[int]) -> None:
    months = _months(sizes)
    pages = renderer._pages("history/", months)
    per = renderer.data.config.site.history_per_page
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
